import fake_jvm


def launch_gateway(conf=None):
    return fake_jvm.FakeGateway()
