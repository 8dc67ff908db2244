package dev.xraybatch.agent.instrument.spark.driver;

import java.io.File;
import java.util.zip.ZipFile;

/**
 * The agent's Python module, {@code xray_batch}, kept at the root of the agent's jar (Python imports from a zip):
 * {@code import xray_batch} works wherever the jar is on the Python path. Beside it, a {@code sitecustomize} that a
 * Python driver with the jar on its path from the start runs at start-up turns the module on with no change to
 * the job (and chains to the next {@code sitecustomize}).
 */
final class PythonModule {
    static final String PACKAGE_ENTRY = "xray_batch/__init__.py";
    static final String START_UP_ENTRY = "sitecustomize.py";

    private PythonModule() {
    }

    /** {@code jar} when it holds the module, else null (the agent runs from a class folder, in unit tests). */
    static File in(File jar) {
        if (jar == null || !jar.isFile()) {
            return null;
        }
        try (ZipFile zip = new ZipFile(jar)) {
            return zip.getEntry(PACKAGE_ENTRY) != null && zip.getEntry(START_UP_ENTRY) != null ? jar : null;
        } catch (Exception e) {
            return null;
        }
    }
}
