package dev.xraybatch.testsupport;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SimulatedClockTest {

    private static final Instant START = Instant.parse("2026-03-02T08:00:00Z");

    @Test
    void aManualClockStandsStillUntilMoved() throws Exception {
        SimulatedClock clock = SimulatedClock.manual(START);
        Thread.sleep(5);
        assertThat(clock.now()).isEqualTo(START);
        assertThat(clock.isManual()).isTrue();

        clock.advance(Duration.ofHours(3));
        assertThat(clock.now()).isEqualTo(START.plus(Duration.ofHours(3)));

        clock.set(START.minusSeconds(1));
        assertThat(clock.now()).isEqualTo(START.minusSeconds(1));
    }

    @Test
    void timeIsNeverMovedBackByAdvance() {
        SimulatedClock clock = SimulatedClock.manual(START);
        assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("set(Instant)");
        assertThat(clock.now()).isEqualTo(START);
    }

    @Test
    void theSystemClockRunsAndCanBeShiftedForward() throws Exception {
        SimulatedClock clock = SimulatedClock.system();
        assertThat(clock.isManual()).isFalse();
        assertThat(Duration.between(Instant.now(), clock.now()).abs()).isLessThan(Duration.ofSeconds(1));

        clock.advance(Duration.ofMinutes(7));
        Instant shifted = clock.now();
        assertThat(Duration.between(Instant.now().plus(Duration.ofMinutes(7)), shifted).abs())
                .isLessThan(Duration.ofSeconds(1));
        Thread.sleep(20);
        assertThat(clock.now()).isAfter(shifted);

        clock.set(START);
        assertThat(Duration.between(START, clock.now()).abs()).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void itIsAJavaTimeClockForCodeThatTakesOne() {
        SimulatedClock clock = SimulatedClock.manual(START);
        Clock inParis = clock.withZone(ZoneId.of("Europe/Paris"));

        clock.advance(Duration.ofMinutes(1));

        assertThat(clock.instant()).isEqualTo(START.plusSeconds(60));
        assertThat(clock.millis()).isEqualTo(START.plusSeconds(60).toEpochMilli());
        assertThat(inParis.instant()).isEqualTo(START.plusSeconds(60));
        assertThat(inParis.getZone()).isEqualTo(ZoneId.of("Europe/Paris"));
    }
}
