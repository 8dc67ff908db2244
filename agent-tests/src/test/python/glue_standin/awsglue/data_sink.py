"""Like awsglue.data_sink.DataSink: a write hands the JVM sink the Python stack it was called from (Glue's
awsglue.utils.callsite), with the frame; here the JVM sink is the agent-tests' stand-in StandInHadoopSink."""
import traceback


def callsite():
    return "".join(traceback.format_list(traceback.extract_stack()[:-2]))


class DataSink:
    def __init__(self, sc, path):
        self._sc = sc
        self._jsink = sc._jvm.com.amazonaws.services.glue.StandInHadoopSink(sc._jvm.java.io.File(path))

    def writeFrame(self, rdd, info=""):
        return self._jsink.pyWriteDynamicFrame(rdd._jrdd, callsite(), info)

    def write(self, rdd, info=""):
        return self.writeFrame(rdd, info)
