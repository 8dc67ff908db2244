package dev.xraybatch.agent.trace;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IdleWatchTest {

    @Test
    void theEndOfAnIdleStretchIsKnownUntilTheThreadHasBeenIdleAndBusyAgain() throws InterruptedException {
        IdleWatch watch = new IdleWatch(Thread.currentThread(), 0L);
        watch.changed(true, null);
        long first = watch.idleSinceMicros();
        assertThat(watch.busyAfter(first)).as("still idle").isZero();

        Thread.sleep(2);
        watch.changed(false, null);
        long firstEnded = watch.busyAfter(first);
        assertThat(firstEnded).isGreaterThan(first);

        // A short action between two samples: idle again, then busy again before a sampler looks.
        Thread.sleep(2);
        watch.changed(true, null);
        long second = watch.idleSinceMicros();
        Thread.sleep(2);
        watch.changed(false, null);

        // The sampler of the first stretch must not take the second stretch's end (or start) for its own: that
        // put the end of a sampled gap after the start of the action that followed it.
        assertThat(watch.busyAfter(first)).isZero();
        assertThat(watch.busyAfter(second)).isGreaterThan(second).isGreaterThan(firstEnded);
    }
}
