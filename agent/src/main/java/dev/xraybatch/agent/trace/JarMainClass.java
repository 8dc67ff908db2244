package dev.xraybatch.agent.trace;

import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The job's main class when the JVM was started with {@code java -jar job.jar}: {@code sun.java.command} then names
 * the jar, and only its manifest names the class whose {@code main} is the job. For a Spring Boot executable jar the
 * manifest's {@code Main-Class} is Boot's launcher, which loads the job's {@code Start-Class} from
 * {@code BOOT-INF/classes} with a class loader of its own and calls its main: the job is {@code Start-Class}.
 */
final class JarMainClass {
    /** Spring Boot's launchers: {@code org.springframework.boot.loader[.launch].JarLauncher}, WarLauncher... */
    private static final String BOOT_LOADER_PACKAGE = "org.springframework.boot.loader.";

    private JarMainClass() {
    }

    /** The job's main class named by this jar's manifest, or null (no such jar, no manifest, no Main-Class). */
    static String of(String jarPath) {
        try (JarFile jar = new JarFile(jarPath, false)) {
            Manifest manifest = jar.getManifest();
            return manifest == null ? null : of(manifest.getMainAttributes());
        } catch (Exception | Error e) {
            return null; // the JVM will say what is wrong with the jar
        }
    }

    static String of(Attributes manifest) {
        String main = trimmed(manifest.getValue(Attributes.Name.MAIN_CLASS));
        String start = trimmed(manifest.getValue("Start-Class"));
        if (main != null && main.startsWith(BOOT_LOADER_PACKAGE) && start != null) {
            return start;
        }
        return main;
    }

    private static String trimmed(String value) {
        return value == null || value.trim().isEmpty() ? null : value.trim();
    }
}
