package dev.xraybatch.agenttests.core.jobs;

/**
 * The library of {@link OutcomeJob} and {@link FailingInitJob}: in a jar of its own beside a thin jar (found through
 * the manifest's {@code Class-Path}), in {@code BOOT-INF/lib} of a Spring Boot jar. Depends on nothing.
 */
public final class OutcomeLib {
    private OutcomeLib() {
    }

    public static String work() {
        return "work done";
    }

    public static void fail(String message) {
        throw new IllegalStateException(message);
    }

    public static String readConfig() {
        throw new IllegalStateException("no configuration for the job");
    }
}
