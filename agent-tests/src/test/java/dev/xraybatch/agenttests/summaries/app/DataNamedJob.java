package dev.xraybatch.agenttests.summaries.app;

/**
 * Calls {@link NamedLoads#load} with {@code calls} distinct keys (a pointcut names each call after its key), then
 * prints the heap in use after a full collection: {@code heap used after <calls> distinct names: <bytes>}.
 */
public final class DataNamedJob {
    private DataNamedJob() {
    }

    public static void main(String[] args) {
        int calls = Integer.parseInt(args[0]);
        NamedLoads loads = new NamedLoads();
        long total = 0;
        for (int i = 0; i < calls; i++) {
            total += loads.load("key-" + i);
        }
        System.gc();
        Runtime runtime = Runtime.getRuntime();
        long used = runtime.totalMemory() - runtime.freeMemory();
        System.out.println("heap used after " + calls + " distinct names: " + used + " (max " + runtime.maxMemory()
                + ", total " + total + ")");
    }
}
