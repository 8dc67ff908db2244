package dev.xraybatch.agent.lifecycle.jvm;

import org.junit.jupiter.api.Test;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;

import static org.assertj.core.api.Assertions.assertThat;

class GcPauseTest {
    @Test
    void aTimeSinceTheJvmsStartBecomesEpochMicroseconds() {
        assertThat(GcPause.epochMicros(1_796_581_200_020L, 2_300L)).isEqualTo(1_796_581_202_320_000L);
        assertThat(GcPause.epochMicros(1_796_581_200_020L, 0L)).isEqualTo(1_796_581_200_020_000L);
    }

    @Test
    void otherNotificationsAreNoCollections() {
        assertThat(GcPause.of(new Notification("jmx.attribute.change", "x", 1L))).isNull();
        assertThat(GcPause.of(new Notification(GcPause.NOTIFICATION_TYPE, "x", 1L))).isNull(); // no data
        assertThat(GcPause.of(null)).isNull();
    }

    /** A real collection of this JVM, read from its notification, lies between the times around System.gc(). */
    @Test
    void aRealCollectionIsReadWithItsCollectorCauseHeapAndTime() throws Exception {
        List<GcPause> pauses = new ArrayList<>();
        CountDownLatch notified = new CountDownLatch(1);
        NotificationListener listener = (n, h) -> {
            GcPause pause = GcPause.of(n);
            synchronized (pauses) {
                pauses.add(pause);
            }
            if (pause != null && pause.cause.equals("System.gc()")) {
                notified.countDown();
            }
        };
        List<GarbageCollectorMXBean> beans = ManagementFactory.getGarbageCollectorMXBeans();
        for (GarbageCollectorMXBean bean : beans) {
            ((NotificationEmitter) bean).addNotificationListener(listener, null, null);
        }
        try {
            long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
            long before = System.currentTimeMillis();
            System.gc();
            long after = System.currentTimeMillis();
            assertThat(notified.await(30, TimeUnit.SECONDS)).as("a notification of System.gc()").isTrue();
            GcPause pause;
            synchronized (pauses) {
                pause = pauses.stream().filter(p -> p != null && p.cause.equals("System.gc()")).findFirst().get();
            }
            assertThat(beans.stream().map(GarbageCollectorMXBean::getName)).contains(pause.collector);
            assertThat(pause.action).isNotEmpty();
            assertThat(pause.usedBeforeBytes).isPositive();
            assertThat(pause.usedAfterBytes).isNotNegative();
            // Both clocks count whole milliseconds: the pause may show up to 1 ms outside the call on either side.
            long start = GcPause.epochMicros(jvmStart, pause.startMillis) / 1000L;
            assertThat(start).isBetween(before - 1L, after + 1L);
            assertThat(start + pause.durationMillis).isBetween(before - 1L, after + 1L);
        } finally {
            for (GarbageCollectorMXBean bean : beans) {
                ((NotificationEmitter) bean).removeNotificationListener(listener);
            }
        }
    }
}
