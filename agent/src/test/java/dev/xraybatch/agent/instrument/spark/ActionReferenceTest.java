package dev.xraybatch.agent.instrument.spark;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ActionReferenceTest {
    private static final String TRACE = "1-6b035897-0f08c2f6e5b960384dff951e";

    @Test
    void roundTrips() {
        ActionReference parsed = ActionReference.parse(ActionReference.format(TRACE, "29cc6ed682ba8538", false));
        assertThat(parsed.traceId).isEqualTo(TRACE);
        assertThat(parsed.actionId).isEqualTo("29cc6ed682ba8538");
        assertThat(parsed.summarized).isFalse();
        assertThat(ActionReference.parse(ActionReference.format(TRACE, "29cc6ed682ba8538", true)).summarized)
                .isTrue();
    }

    @Test
    void malformedValuesAreIgnored() {
        assertThat(ActionReference.parse(null)).isNull();
        assertThat(ActionReference.parse("no separator")).isNull();
        assertThat(ActionReference.parse("1-bad;29cc6ed682ba8538")).isNull();
        assertThat(ActionReference.parse(TRACE + ";xyz")).isNull();
    }

    @Test
    void stageSubsegmentIdsAreTheSameWhereverDerivedAndDifferPerActionStageAndAttempt() {
        ActionReference driver = ActionReference.parse(ActionReference.format(TRACE, "29cc6ed682ba8538", false));
        ActionReference executor = ActionReference.parse(ActionReference.format(TRACE, "29cc6ed682ba8538", false));
        ActionReference otherAction = ActionReference.parse(ActionReference.format(TRACE, "29cc6ed682ba8539", false));

        String id = driver.stageSubsegmentId(3, 0);
        assertThat(id).matches("[0-9a-f]{16}").isNotEqualTo("0000000000000000");
        assertThat(executor.stageSubsegmentId(3, 0)).isEqualTo(id);
        assertThat(java.util.List.of(driver.stageSubsegmentId(3, 1), driver.stageSubsegmentId(4, 0),
                driver.stageSubsegmentId(0, 3), otherAction.stageSubsegmentId(3, 0))).doesNotContain(id)
                .doesNotHaveDuplicates();
    }

    @Test
    void carriesTheDriversRunAndStillReadsTheOlderForm() {
        ActionReference withRun = ActionReference.parse(ActionReference.format(TRACE, "29cc6ed682ba8538", true,
                "00000000000000b7", 1_760_000_000_123L, 300_000L));
        assertThat(withRun.summarized).isTrue();
        assertThat(withRun.hasRun()).isTrue();
        assertThat(withRun.rootId).isEqualTo("00000000000000b7");
        assertThat(withRun.startMillis).isEqualTo(1_760_000_000_123L);
        assertThat(withRun.windowMillis).isEqualTo(300_000L);

        ActionReference older = ActionReference.parse(TRACE + ";29cc6ed682ba8538;summarized");
        assertThat(older.summarized).isTrue();
        assertThat(older.hasRun()).isFalse();
        // A part this version does not know, or a run it cannot read, is ignored.
        ActionReference newer = ActionReference.parse(TRACE + ";29cc6ed682ba8538;run=zz/1/2;later=1");
        assertThat(newer).isNotNull();
        assertThat(newer.hasRun()).isFalse();
        assertThat(newer.summarized).isFalse();
    }
}
