package dev.xraybatch.agent.instrument.spark.driver;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ActionNamesTest {
    @Test
    void anActionIsNamedAsTheSparkUiNamesItsJob() {
        assertThat(ActionNames.callSiteName("count at Etl.java:42")).isEqualTo("count at Etl.java:42");
        assertThat(ActionNames.callSiteName("parquet at Etl.scala:50")).isEqualTo("parquet at Etl.scala:50");
    }

    @Test
    void pysparkCallSitesLoseTheirDirectories() {
        assertThat(ActionNames.callSiteName("foreach at /tmp/jobs/uuid_job.py:17")).isEqualTo("foreach at uuid_job.py:17");
        assertThat(ActionNames.callSiteName("count at C:\\jobs\\job.py:3")).isEqualTo("count at job.py:3");
    }

    @Test
    void pysparkInternalNamesAreShownAsTheUserWroteThem() {
        assertThat(ActionNames.callSiteName("showString at NativeMethodAccessorImpl.java:0")).isEqualTo("show");
        assertThat(ActionNames.callSiteName("collectAndServe at PythonRDD.scala:1"))
                .isEqualTo("collect at PythonRDD.scala:1");
        assertThat(ActionNames.bareAction("collectAndServe at PythonRDD.scala:1")).isEqualTo("collect");
        assertThat(ActionNames.callSiteName("pyWriteDynamicFrame")).isEqualTo("write_dynamic_frame");
        assertThat(ActionNames.callSiteName("collectToPython")).isEqualTo("collect");
        assertThat(ActionNames.callSiteName("javaToPython")).isEqualTo("rdd");
        assertThat(ActionNames.callSiteName("toPythonIterator")).isEqualTo("toLocalIterator");
    }

    @Test
    void whatTheUserNamedTheWorkWinsAsInTheSparkUi() {
        assertThat(ActionNames.name("nightly load", "count at Etl.java:42")).isEqualTo("nightly load");
        assertThat(ActionNames.name("  ", "count at Etl.java:42")).isEqualTo("count at Etl.java:42");
        assertThat(ActionNames.name(null, "count at Etl.java:42")).isEqualTo("count at Etl.java:42");
    }

    @Test
    void noCallSiteStillGivesAName() {
        assertThat(ActionNames.callSiteName(null)).isEqualTo("spark action");
        assertThat(ActionNames.callSiteName("  ")).isEqualTo("spark action");
        assertThat(ActionNames.bareAction(null)).isEqualTo("spark action");
        assertThat(ActionNames.location("count")).isNull();
        assertThat(ActionNames.location("count at unknown")).isNull();
    }
}
