"""A STAND-IN for pyspark's Python worker (pyspark/worker.py), for the agent's Python UDF test only.

The real pyspark package cannot be installed here (PyPI is unreachable in this build and in CI), so this module
speaks just enough of Spark 3.5's worker protocol, with the Python 3 standard library alone, for the JVM side of
a real Spark 3.5 to evaluate one kind of Python UDF: SQL_BATCHED_UDF (BatchEvalPythonExec), started as
``python -m xray_fake_pyspark_worker`` (spark.python.worker.module, with spark.python.use.daemon=false).

What the JVM writes (BasePythonRunner.WriterThread, PythonUDFRunner.writeUDFs, PythonRDD.writeIteratorToStream)
and expects back (BasePythonUDFRunner's reader) is read from Spark 3.5's sources; every byte on the JVM side is
real Spark. A UDF's "command" is not pickled Python code here but a word this worker interprets:

  upper            str.upper of the argument
  fail-on:<value>  like upper, but raises for that one argument (a failing UDF)
"""

import os
import pickle
import socket
import struct
import sys
import time
import traceback

# SpecialLengths in PythonRunner.scala
END_OF_DATA_SECTION = -1
PYTHON_EXCEPTION_THROWN = -2
TIMING_DATA = -3
END_OF_STREAM = -4
# PythonEvalType.SQL_BATCHED_UDF
SQL_BATCHED_UDF = 100


def read_exactly(stream, length):
    data = stream.read(length)
    if data is None or len(data) < length:
        raise EOFError("the JVM closed the stream")
    return data


def read_int(stream):
    return struct.unpack("!i", read_exactly(stream, 4))[0]


def read_long(stream):
    return struct.unpack("!q", read_exactly(stream, 8))[0]


def read_bool(stream):
    return struct.unpack("!?", read_exactly(stream, 1))[0]


def read_bytes(stream):
    return read_exactly(stream, read_int(stream))


def read_utf(stream):
    return read_bytes(stream).decode("utf-8")


def write_int(value, stream):
    stream.write(struct.pack("!i", value))


def write_long(value, stream):
    stream.write(struct.pack("!q", value))


def write_bytes(data, stream):
    write_int(len(data), stream)
    stream.write(data)


def udf_function(command):
    if command == "upper":
        return lambda value: value.upper()
    if command.startswith("fail-on:"):
        bad = command[len("fail-on:"):]

        def upper_unless_bad(value):
            if value == bad:
                raise ValueError("planned failure of the Python UDF on " + value)
            return value.upper()
        return upper_unless_bad
    raise ValueError("unknown command for the stand-in worker: " + command)


def read_task_header(infile):
    """Everything WriterThread.run sends before the eval type; the values are not needed here."""
    if read_int(infile) == -1:  # partition index; -1 is pyspark's "exit now"
        sys.exit(0)
    read_utf(infile)  # the driver's Python version
    read_bool(infile)  # barrier task
    read_int(infile)  # barrier server port
    read_utf(infile)  # barrier secret
    read_int(infile), read_int(infile), read_int(infile)  # stage, partition, attempt
    read_long(infile)  # task attempt id
    read_int(infile)  # cpus
    for _ in range(read_int(infile)):  # resources: name, resource name, addresses
        read_utf(infile), read_utf(infile)
        for _ in range(read_int(infile)):
            read_utf(infile)
    for _ in range(read_int(infile)):  # local properties
        read_utf(infile), read_utf(infile)
    read_utf(infile)  # SparkFiles root directory
    for _ in range(read_int(infile)):  # Python includes
        read_utf(infile)
    if read_bool(infile):  # broadcast decryption server
        raise ValueError("encrypted broadcasts are not supported by the stand-in worker")
    for _ in range(read_int(infile)):  # broadcast changes: new ones carry a path, removals do not
        if read_long(infile) >= 0:
            read_utf(infile)


def read_udfs(infile):
    """PythonUDFRunner.writeUDFs: per UDF its argument offsets and its chain of commands."""
    udfs = []
    for _ in range(read_int(infile)):
        offsets = [read_int(infile) for _ in range(read_int(infile))]
        chain = [udf_function(read_bytes(infile).decode("utf-8")) for _ in range(read_int(infile))]
        udfs.append((offsets, chain))
    return udfs


def evaluate(udfs, row):
    results = []
    for offsets, chain in udfs:
        value = row[offsets[0]]
        for function in chain:
            value = function(value)
        results.append(value)
    return results[0] if len(results) == 1 else tuple(results)


def main(infile, outfile):
    boot_millis = int(time.time() * 1000)
    read_task_header(infile)
    eval_type = read_int(infile)
    if eval_type != SQL_BATCHED_UDF:
        raise ValueError("the stand-in worker only evaluates SQL_BATCHED_UDF, not eval type %d" % eval_type)
    udfs = read_udfs(infile)
    init_millis = int(time.time() * 1000)
    while True:
        length = read_int(infile)
        if length == END_OF_DATA_SECTION:
            break
        rows = pickle.loads(read_exactly(infile, length), encoding="bytes")  # a batch of rows, from Pyrolite
        write_bytes(pickle.dumps([evaluate(udfs, row) for row in rows], protocol=2), outfile)
    write_int(TIMING_DATA, outfile)
    write_long(boot_millis, outfile)
    write_long(init_millis, outfile)
    write_long(int(time.time() * 1000), outfile)
    write_long(0, outfile)  # memory bytes spilled
    write_long(0, outfile)  # disk bytes spilled
    write_int(END_OF_DATA_SECTION, outfile)
    write_int(0, outfile)  # accumulator updates
    if read_int(infile) == END_OF_STREAM:
        write_int(END_OF_STREAM, outfile)
    outfile.flush()


def connect_to_jvm():
    """PythonWorkerFactory.createSimpleWorker: connect back, authenticate, send the pid."""
    sock = socket.create_connection(("127.0.0.1", int(os.environ["PYTHON_WORKER_FACTORY_PORT"])))
    stream = sock.makefile("rwb", 65536)
    write_bytes(os.environ["PYTHON_WORKER_FACTORY_SECRET"].encode("utf-8"), stream)
    stream.flush()
    if read_utf(stream) != "ok":
        raise ValueError("the JVM refused the worker's secret")
    write_int(os.getpid(), stream)
    stream.flush()
    return sock, stream


if __name__ == "__main__":
    sock, stream = connect_to_jvm()
    try:
        main(stream, stream)
    except Exception:
        # As pyspark does: the JVM raises a PythonException with this text.
        write_int(PYTHON_EXCEPTION_THROWN, stream)
        write_bytes(traceback.format_exc().encode("utf-8"), stream)
        stream.flush()
        sys.exit(1)
    finally:
        sock.close()
