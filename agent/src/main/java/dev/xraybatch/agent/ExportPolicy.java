package dev.xraybatch.agent;

import dev.xraybatch.agent.config.AgentConfig;
import dev.xraybatch.agent.config.Settings;
import dev.xraybatch.agent.export.DocumentExporter;
import dev.xraybatch.agent.export.Holding;
import dev.xraybatch.agent.export.ImmediateHolding;
import dev.xraybatch.agent.export.TraceBudgetGauge;
import dev.xraybatch.agent.export.burst.BurstPolicy;
import dev.xraybatch.agent.export.file.JsonLinesFileExporter;
import dev.xraybatch.agent.log.AgentLog;
import dev.xraybatch.agent.trace.Tracer;

/**
 * How this run's documents leave, from the settings: in bursts within a budget per trace (X-Ray API and daemon),
 * or as they finish (a local file, which has no quota and loses least at a {@code kill -9}). Also reads the
 * settings that changed meaning ({@code flush_idle_ms}, {@code spark.trace_budget_kb}) and says so once.
 */
final class ExportPolicy {
    final Holding holding;
    final long windowMillis;
    private final BurstPolicy bursts;
    private final TraceBudgetGauge gauge;

    private ExportPolicy(Holding holding, long windowMillis, BurstPolicy bursts, TraceBudgetGauge gauge) {
        this.holding = holding;
        this.windowMillis = windowMillis;
        this.bursts = bursts;
        this.gauge = gauge;
    }

    /** @param executor a Spark executor: it sends into its driver's traces, within a budget of its own */
    static ExportPolicy of(AgentConfig config, DocumentExporter exporter, boolean executor) {
        long windowMillis = config.get(Settings.LONG_JOBS_WINDOW_S) * 1000L;
        long budgetBytes = budgetKb(config) * 1024L;
        if (exporter instanceof JsonLinesFileExporter) {
            ImmediateHolding immediate = new ImmediateHolding(config.flushIdleMs(), budgetBytes);
            return new ExportPolicy(immediate, windowMillis, null, immediate);
        }
        if (!"default".equals(config.sourceOf(Settings.FLUSH_IDLE_MS))) {
            AgentLog.info("flush_idle_ms (" + config.flushIdleMs() + " from " + config.sourceOf(Settings.FLUSH_IDLE_MS)
                    + ") applies to the file exporter only: " + exporter.describe() + " gets each trace in a few"
                    + " bursts (long_jobs.window_s, now " + windowMillis / 1000 + " s; see docs/guide.md, Long jobs)");
        }
        long ownBudget = executor ? config.get(Settings.SPARK_EXECUTOR_BUDGET_KB) * 1024L : budgetBytes;
        String advice = "lower " + (executor ? "spark.executor_budget_kb (now "
                + config.get(Settings.SPARK_EXECUTOR_BUDGET_KB) + ")" : "trace_budget_kb (now " + budgetKb(config) + ")")
                + " or long_jobs.window_s (now " + windowMillis / 1000 + ")";
        final DocumentExporter checked = exporter;
        BurstPolicy policy = new BurstPolicy(System::currentTimeMillis, ownBudget, advice,
                new BurstPolicy.LimitCheck() {
                    @Override
                    public Boolean limitExceeded(String traceId) {
                        return checked.traceLimitExceeded(traceId);
                    }
                });
        return new ExportPolicy(policy, windowMillis, policy, policy);
    }

    /** {@code trace_budget_kb}, or the older {@code spark.trace_budget_kb} when only that one is set. */
    private static int budgetKb(AgentConfig config) {
        boolean oldSet = !"default".equals(config.sourceOf(Settings.SPARK_TRACE_BUDGET_KB));
        boolean newSet = !"default".equals(config.sourceOf(Settings.TRACE_BUDGET_KB));
        if (oldSet) {
            AgentLog.problemOnce("setting:spark.trace_budget_kb", "spark.trace_budget_kb is replaced by"
                    + " trace_budget_kb, which counts every document of a trace; "
                    + (newSet ? "trace_budget_kb is set, so spark.trace_budget_kb is ignored"
                            : "its value " + config.get(Settings.SPARK_TRACE_BUDGET_KB) + " is used as trace_budget_kb"));
            if (!newSet) {
                return config.get(Settings.SPARK_TRACE_BUDGET_KB);
            }
        }
        return config.get(Settings.TRACE_BUDGET_KB);
    }

    /** Where a trace can be seen, for the line that says the job's root moved to another trace. */
    void consoleLinks(java.util.function.Function<String, String> link) {
        if (bursts != null) {
            bursts.consoleLinks(link);
        }
    }

    boolean bursts() {
        return bursts != null;
    }

    void attach(Tracer tracer) {
        if (bursts != null) {
            bursts.attach(tracer);
        } else if (holding instanceof ImmediateHolding) {
            ((ImmediateHolding) holding).attach(tracer);
        }
        tracer.useBudget(gauge);
    }
}
