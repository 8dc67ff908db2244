package dev.xraybatch.agent.instrument.spark;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ActionReferenceTest {
    private static final String TRACE = "1-6b035897-0f08c2f6e5b960384dff951e";

    @Test
    void roundTrips() {
        ActionReference parsed = ActionReference.parse(ActionReference.format(TRACE, "29cc6ed682ba8538"));
        assertThat(parsed.traceId).isEqualTo(TRACE);
        assertThat(parsed.actionId).isEqualTo("29cc6ed682ba8538");
    }

    @Test
    void malformedValuesAreIgnored() {
        assertThat(ActionReference.parse(null)).isNull();
        assertThat(ActionReference.parse("no separator")).isNull();
        assertThat(ActionReference.parse("1-bad;29cc6ed682ba8538")).isNull();
        assertThat(ActionReference.parse(TRACE + ";xyz")).isNull();
    }
}
