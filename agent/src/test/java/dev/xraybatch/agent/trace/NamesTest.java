package dev.xraybatch.agent.trace;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NamesTest {
    @Test
    void segmentNamesKeepOnlyWhatXRayAccepts() {
        assertThat(Names.segmentName("count at etl.py:42")).isEqualTo("count at etl.py:42");
        assertThat(Names.segmentName("process <file> (1)!")).isEqualTo("process file 1");
        assertThat(Names.segmentName("ünïcödé_名前")).isEqualTo("ünïcödé_名前");
        assertThat(Names.segmentName("  ")).isEqualTo("unnamed");
        assertThat(Names.segmentName(null)).isEqualTo("unnamed");
        assertThat(Names.segmentName("a\nb")).isEqualTo("ab");
        assertThat(Names.segmentName("x".repeat(300))).hasSize(200);
    }

    @Test
    void annotationKeysBecomeWordCharacters() {
        assertThat(Names.annotationKey("batch_job_id")).isEqualTo("batch_job_id");
        assertThat(Names.annotationKey("aws.region-name")).isEqualTo("aws_region_name");
        assertThat(Names.annotationKey("")).isEqualTo("_");
    }

    @Test
    void truncationNeverSplitsASurrogatePair() {
        String s = "a".repeat(9) + "\uD83D\uDE00";
        assertThat(Names.truncate(s, 10)).isEqualTo("a".repeat(9));
    }

    @Test
    void traceIdsHaveXRaysShapeAndTheJobsEpoch() {
        long start = 1_700_000_000_000L;
        String id = Ids.newTraceId(start);
        assertThat(Ids.isValidTraceId(id)).isTrue();
        assertThat(id.substring(2, 10)).isEqualTo(Long.toHexString(start / 1000));
        assertThat(Ids.entityIdHex(Ids.newEntityId())).matches("[0-9a-f]{16}");
    }

    @Test
    void traceHeadersAreParsedAndBadOnesIgnored() {
        TraceHeader h = TraceHeader.parse("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995C3F42CD8AD8;Sampled=1");
        assertThat(h.root).isEqualTo("1-5759e988-bd862e3fe1be46a994272793");
        assertThat(h.parent).isEqualTo("53995c3f42cd8ad8");
        assertThat(h.notSampled()).isFalse();
        assertThat(TraceHeader.parse("Root=garbage")).isNull();
        TraceHeader upper = TraceHeader.parse("Root=1-5759E988-BD862E3FE1BE46A994272793;Parent=53995C3F42CD8AD8");
        assertThat(upper.root).isEqualTo("1-5759e988-bd862e3fe1be46a994272793");
        assertThat(TraceHeader.parse("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=0").notSampled()).isTrue();
    }
}
