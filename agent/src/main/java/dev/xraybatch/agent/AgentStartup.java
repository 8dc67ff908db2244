package dev.xraybatch.agent;

import dev.xraybatch.agent.bootstrap.XRayBridge;
import dev.xraybatch.agent.config.AgentConfig;
import dev.xraybatch.agent.config.Settings;
import dev.xraybatch.agent.export.DocumentExporter;
import dev.xraybatch.agent.export.ExportPipeline;
import dev.xraybatch.agent.export.ExportSettings;
import dev.xraybatch.agent.export.ExporterFactory;
import dev.xraybatch.agent.export.ExporterKind;
import dev.xraybatch.agent.instrument.ModuleContext;
import dev.xraybatch.agent.instrument.Modules;
import dev.xraybatch.agent.instrument.hook.HookSites;
import dev.xraybatch.agent.instrument.spark.SparkInstrumentation;
import dev.xraybatch.agent.gaps.MainThreadGaps;
import dev.xraybatch.agent.lifecycle.JobLifecycle;
import dev.xraybatch.agent.lifecycle.JvmStartPhase;
import dev.xraybatch.agent.lifecycle.LogCorrelation;
import dev.xraybatch.agent.lifecycle.jvm.JvmCosts;
import dev.xraybatch.agent.log.AgentLog;
import dev.xraybatch.agent.runtime.BootstrapInjector;
import dev.xraybatch.agent.runtime.CoreBridge;
import dev.xraybatch.agent.trace.Ids;
import dev.xraybatch.agent.trace.JobIdentity;
import dev.xraybatch.agent.trace.Segment;
import dev.xraybatch.agent.trace.TraceHeader;
import dev.xraybatch.agent.trace.Tracer;

import java.lang.instrument.Instrumentation;
import java.lang.management.ManagementFactory;
import java.nio.file.Paths;
import java.util.Map;
import java.util.Optional;

/** Starts tracing: config, the job's trace and root segment, export, exit handling, then the instrumentation. */
final class AgentStartup {
    static final String AGENT_NAME = "xray-batch-agent";

    private AgentStartup() {
    }

    /** @param attachedAtRunTime true when the JVM was already running the job (agentmain: the Spark plugin route) */
    static void start(String args, Instrumentation inst, boolean attachedAtRunTime) throws Exception {
        long began = System.nanoTime();
        long beganMicros = Tracer.nowMicros();
        // The root segment starts when the JVM did, so that start-up time shows in the trace.
        long jvmStartMillis = ManagementFactory.getRuntimeMXBean().getStartTime();
        Map<String, String> env = System.getenv();
        AgentConfig config = AgentConfig.load(args, env, System.getProperties());
        AgentLog.enableDebug(config.debug() || AgentLog.isDebug());
        if (!config.tracingEnabled()) {
            return; // the config layer has said why
        }
        TraceHeader upstream = TraceHeader.parse(config.traceHeader() != null
                ? config.traceHeader() : env.get("_X_AMZN_TRACE_ID"));
        if (upstream != null && upstream.notSampled()) {
            AgentLog.info("the upstream trace " + upstream.root + " is not sampled (Sampled=0): not tracing");
            return;
        }

        long configured = System.nanoTime();
        JobIdentity job = JobIdentity.resolve(config.serviceName(), env, System.getProperty("sun.java.command"));
        String traceId = upstream != null ? upstream.root : Ids.newTraceId(jvmStartMillis);
        ExportSettings exportSettings = exportSettings(config);
        Optional<DocumentExporter> exporter = ExporterFactory.create(exportSettings, traceId, env,
                Paths.get(System.getProperty("user.dir", ".")));
        if (!exporter.isPresent()) {
            AgentLog.info("exporter is 'none': not tracing");
            return;
        }
        boolean executor = SparkInstrumentation.reportsIntoDriverTrace(config, job.mainClass);
        ExportPolicy policy = ExportPolicy.of(config, exporter.get(), executor);
        ExportPipeline pipeline = ExportPipeline.start(exporter.get(), exportSettings, policy.holding);

        Tracer tracer = Tracer.start(traceId, job.name, jvmStartMillis * 1000L,
                upstream != null ? upstream.parent : null, AGENT_NAME, version(), pipeline::offer,
                policy.windowMillis, null);
        if (executor) {
            tracer.keepRootLocal(); // a Spark executor: its tasks go into the driver's trace, as one job
        }
        policy.attach(tracer);
        policy.consoleLinks(id -> consoleLink(config, env, id));
        Segment root = tracer.root();
        if (policy.bursts()) {
            // Every trace of the job carries it: the job's own and its continuation traces are found together.
            root.annotate(Tracer.RUN_ANNOTATION, traceId);
        }
        for (Map.Entry<String, Object> a : job.annotations.entrySet()) {
            root.annotate(a.getKey(), a.getValue());
        }
        if (job.origin != null) {
            root.setOrigin(job.origin);
        }
        JobLifecycle lifecycle = new JobLifecycle(tracer, pipeline, config.shutdownDeadlineMs());
        lifecycle.install();
        LogCorrelation logs = new LogCorrelation(traceId + "@" + root.id());
        JvmStartPhase startPhase = new JvmStartPhase(tracer, beganMicros);
        if (!executor && config.get(Settings.JVM_COSTS_ENABLED)) {
            // An executor's root is never sent: its pauses show in Spark's task metrics instead.
            JvmCosts costs = JvmCosts.start(tracer, jvmStartMillis, config.get(Settings.JVM_GC_PAUSE_SUBSEGMENT_MS));
            lifecycle.reportJvmCosts(costs);
            startPhase.countClassesWith(costs);
        }
        MainThreadGaps gaps = new MainThreadGaps(tracer, config.get(Settings.GAPS_ENABLED),
                config.get(Settings.GAPS_SAMPLE_MS), lifecycle::endingMicros);
        lifecycle.onJobEnd(gaps::rootClosing);
        XRayBridge.install(new CoreBridge(tracer, lifecycle, logs, startPhase, gaps));
        tracer.emitInProgressRoot();

        AgentLog.info("tracing '" + root.name() + "' as trace " + traceId + " -> " + pipeline.describeExporter()
                + consoleLink(config, env, traceId));

        ModuleContext context = new ModuleContext(config, tracer, new HookSites(), job.mainClass,
                job.namedByLauncher, lifecycle::holdExitFlush, startPhase::mainStartedMicros, lifecycle::endingMicros,
                BootstrapInjector.agentJar(), gaps);
        long instrumenting = System.nanoTime();
        AgentInstaller.install(inst, context, Modules.all());
        startPhase.agentReady();
        if (attachedAtRunTime) {
            startPhase.attachedAtRunTime(); // main ran long ago: the phase ends here
        }
        long done = System.nanoTime();
        AgentLog.debug("agent started in " + (done - began) / 1_000_000 + " ms (config and trace "
                + (configured - began) / 1_000_000 + " ms, export " + (instrumenting - configured) / 1_000_000
                + " ms, instrumentation " + (done - instrumenting) / 1_000_000 + " ms)");
    }

    private static ExportSettings exportSettings(AgentConfig config) {
        return ExportSettings.builder()
                .exporter(ExporterKind.parse(config.exporter()))
                .endpoint(config.endpoint())
                .region(config.region())
                .xraySdkClient("sdk".equals(config.get(Settings.XRAY_CLIENT)))
                .daemonAddress(config.daemonAddress())
                .file(config.traceFile())
                .queueCapacity(config.queueSize())
                .batchDelayMillis(config.flushIdleMs())
                .shutdownTimeoutMillis(config.shutdownDeadlineMs())
                .build();
    }

    /** Where a user reading the job's log finds the trace. */
    private static String consoleLink(AgentConfig config, Map<String, String> env, String traceId) {
        String region = config.region() != null ? config.region()
                : env.get("AWS_REGION") != null ? env.get("AWS_REGION") : env.get("AWS_DEFAULT_REGION");
        if (region == null) {
            return "";
        }
        return "; console: https://" + region + ".console.aws.amazon.com/cloudwatch/home?region=" + region
                + "#xray:traces/" + traceId;
    }

    static String version() {
        Package p = AgentStartup.class.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
