package dev.xraybatch.agenttests.core.jobs;

/**
 * Ends the way its argument says: {@code return}, {@code throw}, {@code exit} (status 3), {@code wait} (until a
 * signal stops it) or {@code thread-throws} (main returns; a non-daemon thread then dies of an uncaught exception).
 * It depends only on {@link OutcomeLib}, so that it runs from a fat, thin or Spring Boot jar; it prints its class
 * loader, so that a test can tell which loader ran it.
 */
public final class OutcomeJob {
    public static void main(String[] args) throws Exception {
        System.out.println("loaded by " + OutcomeJob.class.getClassLoader().getClass().getName());
        String how = args.length > 0 ? args[0] : "return";
        switch (how) {
            case "return":
                System.out.println(OutcomeLib.work());
                return;
            case "throw":
                OutcomeLib.fail("the job failed on purpose");
                return;
            case "exit":
                System.exit(3);
                return;
            case "wait":
                System.out.println("ready");
                System.out.flush();
                Thread.sleep(120_000);
                return;
            case "thread-throws":
                Thread main = Thread.currentThread();
                Thread worker = new Thread(() -> {
                    try {
                        main.join(); // main has returned: this thread alone keeps the JVM up
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    // The job's work goes on after main: it is no part of the JVM's shut-down.
                    traced("work after main", () -> sleep(200));
                    OutcomeLib.fail("the worker failed after main returned");
                }, "outcome-worker");
                worker.start();
                return;
            default:
                throw new IllegalArgumentException("unknown ending: " + how);
        }
    }

    /** A subsegment through the agent's bridge in the boot loader (as {@link Spans} does; untraced without it). */
    private static void traced(String name, Runnable work) {
        Object span = null;
        Class<?> bridge = null;
        try {
            bridge = Class.forName("dev.xraybatch.agent.bootstrap.XRayBridge", true, null);
            span = bridge.getMethod("begin", String.class).invoke(null, name);
        } catch (ReflectiveOperationException noAgent) {
            bridge = null;
        }
        work.run();
        if (bridge != null) {
            try {
                bridge.getMethod("end", Object.class, Throwable.class).invoke(null, span, null);
            } catch (ReflectiveOperationException ignored) {
                // untraced
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
