package dev.xraybatch.agent.lifecycle.jvm;

import org.junit.jupiter.api.Test;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

import static dev.xraybatch.agent.lifecycle.jvm.PauseCollectors.Kind.CYCLES;
import static dev.xraybatch.agent.lifecycle.jvm.PauseCollectors.Kind.PAUSES;
import static dev.xraybatch.agent.lifecycle.jvm.PauseCollectors.Kind.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;

class PauseCollectorsTest {
    @Test
    void stopTheWorldCollectorsArePauses() {
        for (String name : new String[]{"Copy", "MarkSweepCompact", "PS Scavenge", "PS MarkSweep", "ParNew",
                "G1 Young Generation", "G1 Old Generation", "G1 Concurrent GC", "ZGC Pauses", "ZGC Minor Pauses",
                "ZGC Major Pauses", "Shenandoah Pauses"}) {
            assertThat(PauseCollectors.of(name)).as(name).isEqualTo(PAUSES);
        }
    }

    @Test
    void concurrentCyclesAreNotPauses() {
        for (String name : new String[]{"ZGC Cycles", "ZGC Minor Cycles", "ZGC Major Cycles", "Shenandoah Cycles",
                "ConcurrentMarkSweep"}) {
            assertThat(PauseCollectors.of(name)).as(name).isEqualTo(CYCLES);
        }
    }

    @Test
    void collectorsOfOtherJvmsAreNeitherCountedNorAssumed() {
        assertThat(PauseCollectors.of("scavenge")).isEqualTo(UNKNOWN);
        assertThat(PauseCollectors.of("global")).isEqualTo(UNKNOWN);
        assertThat(PauseCollectors.of(null)).isEqualTo(UNKNOWN);
    }

    @Test
    void thisJvmsCollectorsAreAllKnown() {
        for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
            assertThat(PauseCollectors.of(bean.getName())).as(bean.getName()).isNotEqualTo(UNKNOWN);
        }
    }
}
