package dev.xraybatch.agenttests.core.jobs;

/**
 * Threads that keep calling a traced method (a pointcut on {@link #work}) while the job ends as {@code args[0]}
 * says: {@code return} from main, {@code exit} (System.exit(4)) or {@code throw}. They are still working when the
 * JVM's exit begins, so the agent's queue is full of their calls when the job's root is closed.
 */
public final class BusyAtExitJob {
    private static volatile long sink;

    public static void main(String[] args) throws Exception {
        for (int t = 0; t < 4; t++) {
            Thread busy = new Thread(() -> {
                for (long i = 0; ; i++) {
                    sink += work(i);
                }
            }, "busy-" + t);
            busy.setDaemon(true);
            busy.start();
        }
        Thread.sleep(1500);
        System.out.println("BusyAtExitJob ending by " + args[0]);
        switch (args[0]) {
            case "exit":
                System.exit(4);
                break;
            case "throw":
                throw new IllegalStateException("the job failed while its threads were busy");
            default:
                break;
        }
    }

    /** The traced method: cheap, so that the threads offer calls far faster than any exporter sends them. */
    public static long work(long i) {
        return i * 31 + 7;
    }
}
