package dev.xraybatch.agent.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

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
