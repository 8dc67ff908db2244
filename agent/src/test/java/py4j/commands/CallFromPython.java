package py4j.commands;

/**
 * Stands for Py4J's command classes in unit tests: code run through {@link #run} has a {@code py4j.commands} frame
 * on its stack, as a call a Python driver program makes into the JVM has.
 */
public final class CallFromPython {
    private CallFromPython() {
    }

    public static void run(Runnable call) {
        call.run();
    }
}
