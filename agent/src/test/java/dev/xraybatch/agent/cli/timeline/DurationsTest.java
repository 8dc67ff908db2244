package dev.xraybatch.agent.cli.timeline;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DurationsTest {
    @Test
    void picksAReadableUnitAndNeverRoundsIntoTheNextForm() {
        assertThat(Durations.format(0)).isEqualTo("0.00 ms");
        assertThat(Durations.format(0.00042)).isEqualTo("0.42 ms");
        assertThat(Durations.format(0.009999)).isEqualTo("10.0 ms");
        assertThat(Durations.format(0.0123)).isEqualTo("12.3 ms");
        assertThat(Durations.format(0.09999999)).isEqualTo("100 ms");
        assertThat(Durations.format(0.456)).isEqualTo("456 ms");
        assertThat(Durations.format(0.9999)).isEqualTo("1.00 s");
        assertThat(Durations.format(4.567)).isEqualTo("4.57 s");
        assertThat(Durations.format(59.999)).isEqualTo("1m 00s");
        assertThat(Durations.format(187)).isEqualTo("3m 07s");
        assertThat(Durations.format(7500)).isEqualTo("2h 05m");
    }

    @Test
    void showsInstantsInUtc() {
        assertThat(Durations.instant(1705053072.1234)).isEqualTo("2024-01-12 09:51:12.123 UTC");
    }
}
