package dev.xraybatch.agenttests.core.jobs;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Prints what the job's logging MDC holds, as a log pattern with {@code %X{AWS-XRAY-TRACE-ID}} would, on the main
 * thread and on a pool thread. Reflection: the job must not depend on which logging API the test class path has.
 */
public final class LoggingJob {
    public static void main(String[] args) throws Exception {
        print("main");
        ExecutorService pool = Executors.newSingleThreadExecutor();
        pool.submit(() -> print("pool")).get();
        pool.shutdown();
    }

    static void print(String thread) {
        System.out.println(thread + " slf4j=" + read("org.slf4j.MDC"));
        System.out.println(thread + " log4j2=" + read("org.apache.logging.log4j.ThreadContext"));
    }

    private static Object read(String mdcClass) {
        try {
            return Class.forName(mdcClass).getMethod("get", String.class).invoke(null, "AWS-XRAY-TRACE-ID");
        } catch (ReflectiveOperationException e) {
            return "absent";
        }
    }
}
