package dev.xraybatch.agent.instrument.spark.driver;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CallSiteTest {
    private static final String SPARK = String.join(".", "org", "apache", "spark");

    private static StackTraceElement frame(String className, String method, String file, int line) {
        return new StackTraceElement(className, method, file, line);
    }

    @Test
    void namesTheLastSparkMethodBeforeTheUsersFrameSkippingTheAgent() {
        StackTraceElement[] stack = {
                frame("java.lang.Thread", "getStackTrace", "Thread.java", 1610),
                frame("dev.xraybatch.agent.instrument.spark.ActionTracker", "open", "ActionTracker.java", 10),
                frame("dev.xraybatch.agent.bootstrap.HookBridge", "enter", "HookBridge.java", 5),
                frame(SPARK + ".sql.execution.SQLExecution$", "withNewExecutionId", "SQLExecution.scala", 60),
                frame(SPARK + ".sql.Dataset", "count", "Dataset.scala", 3600),
                frame("com.example.Etl", "main", "Etl.java", 42),
                frame("java.lang.Thread", "run", "Thread.java", 840),
        };

        CallSite site = CallSite.fromStack(stack);

        assertThat(site.shortForm).isEqualTo("count at Etl.java:42");
        assertThat(site.longForm).startsWith("com.example.Etl.main(Etl.java:42)");
    }

    @Test
    void scalaFramesCountAsSparkAndConstructorsUseTheClassName() {
        StackTraceElement[] stack = {
                frame(SPARK + ".rdd.RDD", "<init>", "RDD.scala", 1),
                frame("scala.collection.Iterator", "foreach", "Iterator.scala", 2),
                frame("com.example.Job$", "run", "Job.scala", 7),
        };

        assertThat(CallSite.fromStack(stack).shortForm).isEqualTo("foreach at Job.scala:7");
    }

    @Test
    void saveAsTextFileIsNamedByTheRddMethodNotBySparksInternalWriter() {
        StackTraceElement[] stack = {
                frame(SPARK + ".SparkContext", "runJob", "SparkContext.scala", 2468),
                frame(SPARK + ".internal.io.SparkHadoopWriter$", "write", "SparkHadoopWriter.scala", 83),
                frame(SPARK + ".rdd.RDD", "saveAsTextFile", "RDD.scala", 1580),
                frame(SPARK + ".api.java.JavaRDDLike", "saveAsTextFile", "JavaRDDLike.scala", 564),
                frame("com.example.Etl", "main", "Etl.java", 9),
        };

        assertThat(CallSite.fromStack(stack).shortForm).isEqualTo("saveAsTextFile at Etl.java:9");
    }

    @Test
    void sparkRuleMatchesSparksOwnClassesOnly() {
        assertThat(CallSite.isSparkFrame(SPARK + ".SparkContext")).isTrue();
        assertThat(CallSite.isSparkFrame(SPARK + ".api.java.JavaRDDLike")).isTrue();
        assertThat(CallSite.isSparkFrame(SPARK + ".internal.io.SparkHadoopWriter$")).isTrue();
        // Spark's examples are user code, as Spark itself treats them.
        assertThat(CallSite.isSparkFrame(SPARK + ".examples.SparkPi")).isFalse();
        assertThat(CallSite.isSparkFrame("com.example.Etl")).isFalse();
    }

    @Test
    void aCallFromPythonThroughPy4jHasNoCallerFrameSoTheSparkMethodIsTheCallSite() {
        StackTraceElement[] stack = {
                frame(SPARK + ".sql.Dataset", "showString", "Dataset.scala", 300),
                frame("jdk.internal.reflect.NativeMethodAccessorImpl", "invoke0", null, -2),
                frame("java.lang.reflect.Method", "invoke", "Method.java", 568),
                frame("py4j.reflection.MethodInvoker", "invoke", "MethodInvoker.java", 244),
                frame("py4j.commands.CallCommand", "execute", "CallCommand.java", 79),
                frame("py4j.ClientServerConnection", "run", "ClientServerConnection.java", 106),
                frame("java.lang.Thread", "run", "Thread.java", 840),
        };

        CallSite site = CallSite.fromStack(stack);

        assertThat(site.shortForm).isEqualTo("showString");
        assertThat(ActionNames.callSiteName(site.shortForm)).isEqualTo("show");
    }

    @Test
    void glueFramesCountAsSparkSoADynamicFrameWriteIsNamedByGluesMethod() {
        StackTraceElement[] stack = {
                frame(SPARK + ".SparkContext", "runJob", "SparkContext.scala", 2468),
                frame(SPARK + ".rdd.RDD", "count", "RDD.scala", 1296),
                frame("com.amazonaws.services.glue.DataSink", "writeDynamicFrame", "DataSink.scala", 60),
                frame("com.example.GlueJob$", "main", "GlueJob.scala", 31),
        };

        assertThat(CallSite.fromStack(stack).shortForm).isEqualTo("writeDynamicFrame at GlueJob.scala:31");
    }

    @Test
    void gluesPythonStackNamesTheJobsLineOutsideGluesAndPySparksFiles() {
        String glue = "  File \"/tmp/glue/job.py\", line 25, in <module>\n"
                + "    glueContext.write_dynamic_frame.from_options(frame, connection_type=\"s3\")\n"
                + "  File \"/opt/glue/awsglue/dynamicframe.py\", line 640, in from_options\n"
                + "    return self._glue_context.write_dynamic_frame_from_options(frame)\n"
                + "  File \"/opt/glue/awsglue/data_sink.py\", line 38, in write\n"
                + "    return self.writeFrame(dynamic_frame_or_dfc, info)\n";
        CallSite site = CallSite.fromPythonTraceback("pyWriteDynamicFrame", glue);
        assertThat(site.shortForm).isEqualTo("pyWriteDynamicFrame at /tmp/glue/job.py:25");
        assertThat(ActionNames.callSiteName(site.shortForm)).isEqualTo("write_dynamic_frame at job.py:25");
        assertThat(CallSite.fromPythonTraceback("pyWriteDynamicFrame", "not a traceback")).isNull();
        assertThat(CallSite.fromPythonTraceback("pyWriteDynamicFrame", null)).isNull();
    }
}
