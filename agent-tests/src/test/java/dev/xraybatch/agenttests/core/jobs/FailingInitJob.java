package dev.xraybatch.agenttests.core.jobs;

/** A main class whose static initialiser throws: main never runs, the JVM reports ExceptionInInitializerError. */
public final class FailingInitJob {
    private static final String CONFIG = OutcomeLib.readConfig();

    public static void main(String[] args) {
        System.out.println(CONFIG);
    }
}
