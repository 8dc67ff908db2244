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

    @Test
    void aPhaseSampledInsideEndsTheStretchBeforeItAndHoldsItsOwnUntilItEnds() throws InterruptedException {
        Tracer tracer = new Tracer(Ids.newTraceId(System.currentTimeMillis()), "job", Clock.nowMicros(), null,
                new DocumentRenderer.AgentInfo("xray-batch-agent", "test"), e -> { });
        IdleWatch watch = new IdleWatch(Thread.currentThread(), Clock.nowMicros());
        tracer.watchIdle(watch);
        watch.keepStretchesOf(1L);
        assertThat(watch.idleIn()).isSameAs(tracer.root());

        Thread.sleep(2);
        Subsegment step = tracer.beginSampledPhase("Spring Batch step: score");
        assertThat(watch.idleSinceMicros()).as("still idle, now in the step").isNotZero();
        assertThat(watch.idleIn()).isSameAs(step);
        IdleWatch.Stretch beforeStep = watch.takeEnded().get(0);
        assertThat(beforeStep.in).isSameAs(tracer.root());
        assertThat(beforeStep.entered).isSameAs(step);
        assertThat(beforeStep.busyAtMicros).isEqualTo(step.startMicros);

        Thread.sleep(2);
        Subsegment statement = tracer.begin("ORDERS");
        assertThat(watch.idleSinceMicros()).isZero();
        tracer.end(statement);
        IdleWatch.Stretch inStep = watch.takeEnded().get(0);
        assertThat(inStep.in).isSameAs(step);
        assertThat(inStep.idleSinceMicros).isGreaterThanOrEqualTo(step.startMicros);
        assertThat(inStep.busyAtMicros).isEqualTo(statement.startMicros);

        Thread.sleep(2);
        tracer.end(step);
        IdleWatch.Stretch stepsEnd = watch.takeEnded().get(0);
        assertThat(stepsEnd.in).isSameAs(step);
        assertThat(stepsEnd.left).isSameAs(statement);
        assertThat(stepsEnd.busyAtMicros).isEqualTo(step.endMicros);
        assertThat(watch.idleIn()).as("back in the root").isSameAs(tracer.root());
        assertThat(watch.lastLeftEntity()).as("the next stretch starts after the step").isSameAs(step);
        assertThat(watch.idleSinceMicros()).isGreaterThanOrEqualTo(step.endMicros);
    }

    /**
     * Work the watched thread hands off outside subsegments (the root's context, or a sampled phase's) makes the
     * thread doing it a helper until it is done; work handed off from inside a subsegment does not.
     */
    @Test
    void aThreadDoingWorkHandedOffOutsideSubsegmentsIsAHelperUntilItIsDone() throws Exception {
        Tracer tracer = new Tracer(Ids.newTraceId(System.currentTimeMillis()), "job", Clock.nowMicros(), null,
                new DocumentRenderer.AgentInfo("xray-batch-agent", "test"), e -> { });
        IdleWatch watch = new IdleWatch(Thread.currentThread(), Clock.nowMicros());
        tracer.watchIdle(watch);
        Object fromRoot = tracer.capture();
        Subsegment call = tracer.begin("S3");
        Object fromCall = tracer.capture();
        tracer.end(call);

        java.util.List<java.util.List<Thread>> seen = new java.util.ArrayList<>();
        Thread worker = new Thread(() -> {
            Object previous = tracer.attach(fromRoot);
            seen.add(watch.helpers(10));
            Object nested = tracer.attach(fromRoot); // a task run inline by a task: still helping
            tracer.detach(nested);
            seen.add(watch.helpers(10));
            tracer.detach(previous);
            seen.add(watch.helpers(10));
            Object inCall = tracer.attach(fromCall);
            seen.add(watch.helpers(10));
            tracer.detach(inCall);
        }, "worker");
        worker.start();
        worker.join();

        assertThat(seen.get(0)).containsExactly(worker);
        assertThat(seen.get(1)).as("after a nested task").containsExactly(worker);
        assertThat(seen.get(2)).as("done").isEmpty();
        assertThat(seen.get(3)).as("work of a subsegment is explained by it").isEmpty();
        assertThat(watch.helpers(10)).isEmpty();
    }
}
