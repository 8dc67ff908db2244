package dev.xraybatch.agent.instrument.spark;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ActionNamesTest {
    @Test
    void theFirstWordOfTheCallSiteNamesTheAction() {
        assertThat(ActionNames.fromCallSite("count at Etl.java:42")).isEqualTo("count");
        assertThat(ActionNames.fromCallSite("parquet at Etl.java:50")).isEqualTo("parquet");
    }

    @Test
    void pysparkInternalNamesAreShownAsTheUserWroteThem() {
        assertThat(ActionNames.fromCallSite("showString at NativeMethodAccessorImpl.java:0")).isEqualTo("show");
        assertThat(ActionNames.fromCallSite("collectAndServe at PythonRDD.scala:1")).isEqualTo("collect");
        assertThat(ActionNames.fromCallSite("pyWriteDynamicFrame")).isEqualTo("write_dynamic_frame");
        assertThat(ActionNames.fromCallSite("collectToPython at NativeMethodAccessorImpl.java:0"))
                .isEqualTo("collect");
    }

    @Test
    void noCallSiteStillGivesAName() {
        assertThat(ActionNames.fromCallSite(null)).isEqualTo("spark action");
        assertThat(ActionNames.fromCallSite("  ")).isEqualTo("spark action");
    }
}
