package dev.xraybatch.agent.export.burst;

import dev.xraybatch.agent.export.ExportPipeline;
import dev.xraybatch.agent.export.ExportSettings;
import dev.xraybatch.agent.export.ExportStats;
import dev.xraybatch.agent.export.xray.HttpXRayExporter;
import dev.xraybatch.agent.trace.Kind;
import dev.xraybatch.agent.trace.Subsegment;
import dev.xraybatch.agent.trace.Tracer;
import dev.xraybatch.testsupport.LocalXRayEndpoint;
import dev.xraybatch.testsupport.SimulatedClock;

import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A batch job of simulated time through the agent's real parts: the {@link Tracer} (entities with explicit
 * times), the export pipeline with the {@link BurstPolicy}, and the agent's own SigV4 client against a
 * {@link LocalXRayEndpoint} that applies X-Ray's trace quota on the same moved clock. The work is generated from a
 * seed, so two jobs of the same shape do the same; every subsegment the job makes is recorded with its kind and end.
 *
 * <p>The work, shaped as the instrumentation makes it: Spark actions (a subsegment on the driver thread) with their
 * jobs and stages as detached documents naming the action, and AWS SDK calls inside them ({@code beginLimited}, 20
 * per operation and parent); pointcut steps with many calls of a hot method (10 each, the rest summarized), some
 * failing; sampled "driver code" between actions; now and then an action that runs for many minutes.
 */
public final class SimulatedJob {
    public static final long SETTLE_MILLIS = 60_000;

    /** How the job's work is made: rates in simulated time. */
    public record Shape(long durationMillis, long actionEveryMillis, long stepEveryMillis, int callsPerAction,
                 int parsesPerStep, long longActionEveryMillis, long longActionMillis, long seed) {
    }

    /** One subsegment the job made (not a summarized call): its kind and when it ended. */
    public record Made(String id, Kind kind, String name, long endMillis) {
    }

    public final SimulatedClock clock;
    public final LocalXRayEndpoint xray;
    public final long startMillis;
    public final long windowMillis;
    public final long budgetBytes;
    public final String traceId;
    public final BurstPolicy policy;
    public final ExportPipeline pipeline;
    public final Tracer tracer;
    public final Map<String, Made> made = new LinkedHashMap<>();
    private final HttpXRayExporter exporter;
    private final Map<String, String> env = new HashMap<>();
    private final Properties properties = new Properties();
    private final ExportSettings settings;
    private final Shape shape;
    private final Random random;
    private long now;
    private long nextDue;
    /** Where the current {@link #runFor} stops: nothing the job makes ends later. */
    private long runEnd;
    private int actions;
    private int sparkJobs;
    private int stages;
    private int steps;
    private int sdkCalls;
    private int pointcutCalls;

    public SimulatedJob(Shape shape, long windowMillis, long budgetBytes, Path home) {
        this.shape = shape;
        this.random = new Random(shape.seed());
        this.windowMillis = windowMillis;
        this.budgetBytes = budgetBytes;
        // A start in the past keeps every simulated moment before real time (trace ids, SigV4 use real time).
        this.startMillis = (System.currentTimeMillis() - shape.durationMillis() - 3_600_000L) / 1000 * 1000;
        this.clock = SimulatedClock.manual(Instant.ofEpochMilli(startMillis));
        this.xray = LocalXRayEndpoint.builder().traceQuota(true).clock(clock).start();
        this.traceId = String.format("1-%08x-%08x%016x", startMillis / 1000, random.nextInt(), random.nextLong());
        env.put("HOME", home.toString());
        env.put("AWS_ACCESS_KEY_ID", LocalXRayEndpoint.ACCESS_KEY_ID);
        env.put("AWS_SECRET_ACCESS_KEY", LocalXRayEndpoint.SECRET_ACCESS_KEY);
        properties.setProperty("user.home", home.toString());
        this.settings = ExportSettings.builder().region(LocalXRayEndpoint.REGION)
                .endpoint(xray.url().toString()).build();
        this.exporter = new HttpXRayExporter(settings, env, properties);
        this.policy = new BurstPolicy(clock::millis, budgetBytes, "lower trace_budget_kb",
                exporter::traceLimitExceeded);
        this.pipeline = ExportPipeline.start(exporter, settings, policy);
        this.tracer = Tracer.start(traceId, "nightly-etl", startMillis * 1000L, null, "xray-batch-agent", "test",
                pipeline::offer, windowMillis, () -> clock.millis() * 1000L);
        policy.attach(tracer);
        tracer.useBudget(policy);
        tracer.root().annotate(Tracer.RUN_ANNOTATION, traceId);
        tracer.root().annotate("aws_batch_job_id", "job-" + shape.seed());
        this.now = startMillis;
        this.nextDue = windowMillis > 0 ? startMillis + windowMillis + graceMillis() : Long.MAX_VALUE;
        tracer.emitInProgressRoot();
        settle();
    }

    long graceMillis() {
        return Math.min(BurstPolicy.MAX_GRACE_MILLIS, windowMillis / 2);
    }

    /** Does the job's work until {@code untilMillis} after its start (or its end). */
    public SimulatedJob runFor(long untilMillis) {
        long end = startMillis + Math.min(untilMillis, shape.durationMillis());
        runEnd = end;
        long nextAction = now + 200;
        long nextStep = now + 500;
        long nextLong = shape.longActionEveryMillis() > 0 ? startMillis + shape.longActionEveryMillis() / 2
                : Long.MAX_VALUE;
        while (true) {
            long next = Math.min(nextAction, Math.min(nextStep, nextLong));
            if (next >= end) {
                break;
            }
            if (next == nextLong) {
                long length = Math.min(shape.longActionMillis(), end - next - 1);
                action(next, Math.max(1000, length), true);
                nextLong += shape.longActionEveryMillis();
                nextAction = Math.max(nextAction, now + 100);
                nextStep = Math.max(nextStep, now + 100);
            } else if (next == nextAction) {
                long length = 200 + random.nextInt(3000);
                action(next, Math.min(length, Math.max(50, end - next - 10)), false);
                nextAction = now + 100 + jitter(shape.actionEveryMillis());
            } else {
                step(next, Math.max(20, Math.min(1500, end - next - 10)));
                nextStep = now + jitter(shape.stepEveryMillis());
            }
        }
        advanceTo(end);
        return this;
    }

    /** The job ends: its root closes, and the exit flush sends what is held. */
    public ExportStats finish() {
        advanceTo(startMillis + shape.durationMillis());
        tracer.closeRoot(now * 1000L);
        return pipeline.shutdown(SETTLE_MILLIS);
    }

    /**
     * Another sender (a neighbouring JVM of the job, say) spends {@code bytes} of the job's trace: independent
     * subsegments under the job's root, sent now in calls of 50.
     */
    void spendJobTrace(int bytes) {
        spendTrace(traceId, bytes);
    }

    /**
     * Another sender of the job (a Spark executor, say) spends {@code bytes} of one of the run's traces (a window's
     * continuation trace, whose id every JVM of the job derives): independent subsegments under the job's root.
     */
    public void spendTrace(String traceId, int bytes) {
        HttpXRayExporter neighbour = new HttpXRayExporter(settings, env, properties);
        try {
            String padding = "x".repeat(9_000);
            java.util.List<String> batch = new java.util.ArrayList<>();
            int sent = 0;
            for (int i = 0; sent < bytes; i++) {
                String document = String.format("{\"name\":\"neighbour %d\",\"id\":\"%016x\",\"trace_id\":\"%s\","
                                + "\"type\":\"subsegment\",\"parent_id\":\"%s\",\"start_time\":%.3f,\"end_time\":%.3f,"
                                + "\"metadata\":{\"neighbour\":{\"padding\":\"%s\"}}}", i, random.nextLong() | 1L, traceId,
                        tracer.root().id(), now / 1000.0, now / 1000.0 + 0.001, padding);
                batch.add(document);
                sent += document.length();
                if (batch.size() == 50) {
                    neighbour.send(batch);
                    batch.clear();
                }
            }
            if (!batch.isEmpty()) {
                neighbour.send(batch);
            }
        } finally {
            neighbour.close();
        }
    }

    /** A {@code kill -9}: the pipeline stops where it is, nothing more is sent. */
    public ExportStats kill() {
        return pipeline.halt();
    }

    public void close() {
        xray.close();
    }

    private long jitter(long every) {
        return every / 2 + (long) (random.nextDouble() * every);
    }

    private void action(long start, long length, boolean longOne) {
        advanceTo(start);
        actions++;
        Subsegment action = tracer.begin((longOne ? "write at Job.scala:" : "count at Job.scala:") + (40 + actions % 60));
        action.setStartMicros(start * 1000L);
        action.putMetadata("spark", "call_site", "count at Job.scala:" + (40 + actions % 60));
        tracer.shareAsParent(action);
        int jobs = longOne ? 1 + random.nextInt(3) * 0 + (int) Math.max(1, length / 120_000) : 1 + random.nextInt(2);
        long cursor = start + 5;
        long slice = Math.max(10, (length - 20) / jobs);
        for (int j = 0; j < jobs; j++) {
            long jobStart = cursor;
            long jobEnd = Math.min(start + length - 5, jobStart + slice - 5);
            Subsegment job = tracer.beginDetached(traceId, action.id(), "job " + sparkJobs, jobStart * 1000L);
            job.setKind(Kind.SPARK_JOB);
            job.putMetadata("spark", "job_id", sparkJobs++);
            int stageCount = 1 + random.nextInt(3);
            long stageSlice = Math.max(5, (jobEnd - jobStart) / stageCount);
            for (int s = 0; s < stageCount; s++) {
                long stageStart = jobStart + s * stageSlice;
                long stageEnd = Math.min(jobEnd, stageStart + stageSlice - 1);
                int calls = shape.callsPerAction() / jobs / stageCount + 1;
                long callSlice = Math.max(2, (stageEnd - stageStart) / (calls + 1));
                for (int c = 0; c < calls; c++) {
                    call(stageStart + c * callSlice, Math.max(1, callSlice - 1));
                }
                advanceTo(stageEnd);
                Subsegment stage = tracer.beginChild(job, "stage " + stages);
                stage.setKind(Kind.SPARK_STAGE);
                stage.setStartMicros(stageStart * 1000L);
                tracer.assignId(stage, String.format("%016x", (random.nextLong() | 1L)));
                stage.putMetadata("spark", "stage_id", stages++);
                stage.putMetadata("spark", "num_tasks", 8);
                stage.putMetadata("spark", "metrics", metrics());
                end(stage, stageEnd);
            }
            advanceTo(jobEnd);
            end(job, jobEnd);
            cursor = jobEnd + 5;
        }
        long actionEnd = start + length;
        advanceTo(actionEnd);
        end(action, actionEnd);
        // The driver's own code between this action and the next, sampled.
        long gapEnd = Math.min(actionEnd + 50, runEnd - 1);
        advanceTo(gapEnd);
        Subsegment gap = tracer.beginChild(tracer.root(), "driver code");
        gap.setKind(Kind.SAMPLE);
        gap.setStartMicros(actionEnd * 1000L);
        gap.putMetadata("spark", "driver_samples", Map.of("Job.main(Job.java:" + actions % 90 + ") in Dataset.count", 3));
        end(gap, gapEnd);
    }

    private void call(long start, long length) {
        advanceTo(start + length);
        Subsegment call = tracer.beginLimited("S3 GetObject", 20);
        if (!call.isSummarizedCall()) {
            call.setName("S3");
            call.setKind(Kind.AWS_CALL);
            call.setNamespace("aws");
            call.putAws("operation", "GetObject");
            call.putAws("region", "eu-west-1");
            call.putAws("request_id", Long.toHexString(random.nextLong()));
            call.putHttp("response", "status", 200);
            call.putHttp("response", "content_length", 1024 + random.nextInt(100_000));
        }
        call.setStartMicros(start * 1000L);
        sdkCalls++;
        end(call, start + length);
    }

    private void step(long start, long length) {
        advanceTo(start);
        steps++;
        Subsegment step = tracer.begin("transform batch " + steps);
        step.setStartMicros(start * 1000L);
        step.putMetadata("job", "batch", steps);
        long slice = Math.max(1, length / (shape.parsesPerStep() + 1));
        for (int p = 0; p < shape.parsesPerStep(); p++) {
            long at = start + p * slice;
            Subsegment parse = tracer.beginLimited("parse record", 10);
            parse.setStartMicros(at * 1000L);
            pointcutCalls++;
            end(parse, at + Math.max(1, slice - 1));
        }
        if (random.nextInt(25) == 0) {
            step.markFault();
            step.recordException(new IllegalStateException("bad record in batch " + steps), false);
        }
        advanceTo(start + length);
        end(step, start + length);
    }

    private Map<String, Object> metrics() {
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("executor_run_ms", random.nextInt(100_000));
        metrics.put("records_read", random.nextInt(1_000_000));
        metrics.put("shuffle_write_bytes", random.nextInt(10_000_000));
        return metrics;
    }

    private void end(Subsegment s, long endMillis) {
        s.setEndMicros(endMillis * 1000L);
        if (!s.isSummarizedCall()) {
            made.put(s.id(), new Made(s.id(), s.kind(), s.name(), endMillis));
        }
        tracer.end(s);
    }

    /** Moves time forward; at each window's end (and grace) lets the export worker do what is due. */
    private void advanceTo(long millis) {
        if (millis <= now) {
            return;
        }
        while (nextDue <= millis) {
            clock.set(Instant.ofEpochMilli(nextDue));
            now = nextDue;
            settle();
            nextDue += windowMillis;
        }
        clock.set(Instant.ofEpochMilli(millis));
        now = millis;
    }

    void settle() {
        assertThat(pipeline.settle(SETTLE_MILLIS)).as("the export worker settles").isTrue();
    }

    /** What the job did, for the figures. */
    String describe() {
        return actions + " actions (" + sparkJobs + " Spark jobs, " + stages + " stages), " + sdkCalls
                + " AWS SDK calls, " + steps + " steps with " + pointcutCalls + " pointcut calls";
    }
}
