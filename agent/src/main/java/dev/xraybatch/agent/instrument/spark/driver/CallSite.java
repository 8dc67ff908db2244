package dev.xraybatch.agent.instrument.spark.driver;

import dev.xraybatch.agent.instrument.spark.SparkNames;
/**
 * Where the user's code called a Spark action, as Spark itself words it ({@code "count at Job.java:42"}).
 * Spark's own {@code SparkContext.getCallSite()} cannot be used from the agent: it stops at the first frame that
 * is not Spark's, which would be the agent's. This applies Spark's rule to the stack minus the agent's frames:
 * the last Spark or Scala method before the first user frame names the action, that frame gives file and line.
 * A call site set with {@code setCallSite} (PySpark does) wins, as it does in Spark. Glue's own classes count as
 * Spark's, so a DynamicFrame write is named by the Glue method the job called.
 */
final class CallSite {
    final String shortForm;
    final String longForm;

    CallSite(String shortForm, String longForm) {
        this.shortForm = shortForm;
        this.longForm = longForm;
    }

    /**
     * Spark's and Scala's own frames. Wider than Spark's rule ({@code Utils.sparkInternalExclusionFunction}),
     * which stops at e.g. {@code internal.io.SparkHadoopWriter} and so names {@code saveAsTextFile}
     * "runJob at SparkHadoopWriter.scala": every Spark package counts except the examples, which are user code.
     */
    static boolean isSparkFrame(String className) {
        String spark = SparkNames.SPARK + ".";
        return className.startsWith("scala.")
                || (className.startsWith(spark) && !className.startsWith(spark + "examples."))
                || className.startsWith(SparkNames.GLUE_PACKAGE);
    }

    /**
     * Frames between the caller and Spark that are nobody's code: reflection, Py4J (through which PySpark and
     * Glue's Python API call the JVM) and the thread's own run. A PySpark call has no caller frame left: its call
     * site is the Spark method alone.
     */
    private static boolean isCallPlumbing(String className) {
        return className.startsWith("java.lang.reflect.") || className.startsWith("jdk.internal.reflect.")
                || className.startsWith("sun.reflect.") || className.startsWith("java.lang.invoke.")
                || className.startsWith("py4j.") || className.equals("java.lang.Thread");
    }

    /** Frames above Spark's at the top of the stack: the agent's, and the stack walk itself. */
    private static boolean isAgentOrPlumbing(StackTraceElement frame) {
        String name = frame.getClassName();
        return name.startsWith("dev.xraybatch.agent.") || isCallPlumbing(name);
    }

    static CallSite fromStack(StackTraceElement[] stack) {
        String lastSparkMethod = null;
        int frame = 0;
        while (frame < stack.length && isAgentOrPlumbing(stack[frame])) {
            frame++;
        }
        for (; frame < stack.length; frame++) {
            StackTraceElement element = stack[frame];
            if (isSparkFrame(element.getClassName())) {
                lastSparkMethod = element.getMethodName().equals("<init>")
                        ? simpleName(element.getClassName()) : element.getMethodName();
                continue;
            }
            if (lastSparkMethod != null && isCallPlumbing(element.getClassName())) {
                continue;
            }
            String where = element.getFileName() == null ? "unknown" : element.getFileName() + ":"
                    + element.getLineNumber();
            String action = lastSparkMethod == null ? element.getMethodName() : lastSparkMethod;
            return new CallSite(action + " at " + where, longForm(stack, frame));
        }
        return new CallSite(lastSparkMethod, null);
    }

    /**
     * From the Python stack Glue's Python API passes with a write ({@code traceback.format_list}, outermost
     * first: {@code  File "/job.py", line 25, in <module>}): the innermost frame outside Glue's and PySpark's
     * own files names the place, as {@code "<method> at /job.py:25"}; null when no such frame is there.
     */
    static CallSite fromPythonTraceback(String method, String formatted) {
        if (formatted == null) {
            return null;
        }
        String place = null;
        for (String line : formatted.split("\n")) {
            String trimmed = line.trim();
            if (!trimmed.startsWith("File \"")) {
                continue;
            }
            int fileEnd = trimmed.indexOf('"', 6);
            int lineAt = trimmed.indexOf(", line ", fileEnd);
            if (fileEnd < 0 || lineAt < 0) {
                continue;
            }
            String file = trimmed.substring(6, fileEnd);
            int lineEnd = trimmed.indexOf(',', lineAt + 7);
            String number = trimmed.substring(lineAt + 7, lineEnd < 0 ? trimmed.length() : lineEnd).trim();
            if (!isPythonLibrary(file)) {
                place = file + ":" + number;
            }
        }
        return place == null ? null : new CallSite(method + " at " + place, formatted);
    }

    private static boolean isPythonLibrary(String file) {
        String path = file.replace('\\', '/');
        return path.contains("/awsglue/") || path.contains("/pyspark/") || path.contains("/py4j/")
                || path.contains("/xray_batch/") || path.startsWith("<");
    }

    private static String longForm(StackTraceElement[] stack, int from) {
        StringBuilder text = new StringBuilder();
        int end = Math.min(stack.length, from + 20);
        for (int i = from; i < end; i++) {
            text.append(stack[i]).append('\n');
        }
        return text.toString();
    }

    private static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }
}
