package dev.xraybatch.agent.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobIdentityTest {
    private static final String SUBMIT = "org.apache.spark.deploy.SparkSubmit";

    @Test
    void aJobIsNamedByItsMainClassOrJar() {
        JobIdentity main = JobIdentity.resolve(null, Map.of(), "com.example.NightlyLoad --day 3");
        assertThat(main.name).isEqualTo("NightlyLoad");
        assertThat(main.namedByLauncher).isFalse();
        assertThat(JobIdentity.resolve(null, Map.of(), "/opt/report.jar").name).isEqualTo("report");
    }

    @Test
    void underJavaDashJarTheMainClassIsTheOneTheManifestNames(@TempDir Path dir) throws IOException {
        Path fat = jar(dir.resolve("report.jar"), "com.example.Report", null);
        JobIdentity job = JobIdentity.resolve(null, Map.of(), fat + " --day 3");
        assertThat(job.mainClass).isEqualTo("com.example.Report");
        assertThat(job.name).isEqualTo("report");
        // Spring Boot: the launcher calls Start-Class's main, in the layout of Boot 3.2+ and of the older one.
        assertThat(JobIdentity.resolve(null, Map.of(), jar(dir.resolve("boot.jar"),
                "org.springframework.boot.loader.launch.JarLauncher", "com.example.App").toString()).mainClass)
                .isEqualTo("com.example.App");
        assertThat(JobIdentity.resolve(null, Map.of(), jar(dir.resolve("classic.jar"),
                "org.springframework.boot.loader.PropertiesLauncher", "com.example.App").toString()).mainClass)
                .isEqualTo("com.example.App");
        // Start-Class means nothing to a manifest whose Main-Class is not Boot's launcher.
        assertThat(JobIdentity.resolve(null, Map.of(), jar(dir.resolve("own.jar"), "com.example.Own",
                "com.example.App").toString()).mainClass).isEqualTo("com.example.Own");
        assertThat(JobIdentity.resolve(null, Map.of(), jar(dir.resolve("lib.jar"), null, null).toString()).mainClass)
                .isNull();
        assertThat(JobIdentity.resolve(null, Map.of(), dir.resolve("absent.jar").toString()).mainClass).isNull();
        Path notAJar = Files.writeString(dir.resolve("text.jar"), "not a zip");
        assertThat(JobIdentity.resolve(null, Map.of(), notAJar.toString()).mainClass).isNull();
    }

    private static Path jar(Path path, String mainClass, String startClass) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (mainClass != null) {
            manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, mainClass);
        }
        if (startClass != null) {
            manifest.getMainAttributes().putValue("Start-Class", startClass);
        }
        try (OutputStream file = Files.newOutputStream(path); JarOutputStream out = new JarOutputStream(file, manifest)) {
            out.flush();
        }
        return path;
    }

    @Test
    void sparkSubmitNamesTheApplicationAsSparkSubmitDoesAndMayBeRenamedOnceSparkStarts() {
        JobIdentity py = JobIdentity.resolve(null, Map.of(), SUBMIT
                + " --master local[2] --conf spark.driver.extraJavaOptions=-javaagent:a.jar /jobs/uuid_job.py 3");
        assertThat(py.name).isEqualTo("uuid_job.py");
        assertThat(py.namedByLauncher).isTrue();
        assertThat(JobIdentity.resolve(null, Map.of(), SUBMIT + " --name nightly --master yarn job.py").name)
                .isEqualTo("nightly");
        assertThat(JobIdentity.resolve(null, Map.of(), SUBMIT + " --conf spark.app.name=etl job.py").name)
                .isEqualTo("etl");
        // Python starting the JVM: spark-submit's resource is PySpark's shell, which names nothing.
        assertThat(JobIdentity.resolve(null, Map.of(), SUBMIT + " --master local[2] pyspark-shell").name)
                .isEqualTo("SparkSubmit");
    }

    @Test
    void whatTheUserOrThePlatformNamedWins() {
        JobIdentity configured = JobIdentity.resolve("etl-prod", Map.of(), SUBMIT + " job.py");
        assertThat(configured.name).isEqualTo("etl-prod");
        assertThat(configured.namedByLauncher).isFalse();
        assertThat(JobIdentity.resolve(null, Map.of("AWS_XRAY_TRACING_NAME", "traced"), SUBMIT + " job.py").name)
                .isEqualTo("traced");
        assertThat(JobIdentity.resolve(null, Map.of(), SUBMIT + " job.py --JOB_NAME glue-etl").name)
                .isEqualTo("glue-etl");
    }
}
