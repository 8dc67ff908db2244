package dev.xraybatch.agent.instrument;

import dev.xraybatch.agent.config.AgentConfig;
import dev.xraybatch.agent.gaps.MainThreadGaps;
import dev.xraybatch.agent.instrument.hook.HookSites;
import dev.xraybatch.agent.trace.Tracer;
import java.io.File;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Everything a module may need from the agent, the same for every module, so that adding one changes no
 * start-up code: the config, the tracer, the {@link HookSites} its advice calls through, and the job's lifecycle.
 */
public final class ModuleContext {
    public final AgentConfig config;
    public final Tracer tracer;
    /** Where a module's hooks are registered ({@link HookSites#advise}); the one {@code HookBridge} calls it. */
    public final HookSites hooks;
    /** The job's main class name, or null when it is not known. */
    public final String mainClass;
    /** The root is named after a launcher's main class (spark-submit): the application's name is better. */
    public final boolean rootNamedByLauncher;
    /**
     * Holds the agent's exit flush until the returned callback runs ({@code JobLifecycle::holdExitFlush}): for
     * libraries that finish their work in shutdown hooks of their own.
     */
    public final Supplier<Runnable> exitHold;
    /** When the JVM's main method started (0 if unknown). */
    public final LongSupplier mainStartedMicros;
    /** When the job's end began (main's end, System.exit, a signal; 0 while it runs). */
    public final LongSupplier jobEndingMicros;
    /** The agent's jar (it holds the Python module), or null when running from class folders. */
    public final File agentJar;
    /** The sampler of the job's main thread's time outside subsegments, which a JVM Spark driver shares. */
    public final MainThreadGaps mainThreadGaps;

    public ModuleContext(AgentConfig config, Tracer tracer, HookSites hooks, String mainClass,
                         boolean rootNamedByLauncher, Supplier<Runnable> exitHold, LongSupplier mainStartedMicros,
                         LongSupplier jobEndingMicros, File agentJar, MainThreadGaps mainThreadGaps) {
        this.mainThreadGaps = mainThreadGaps;
        this.config = config;
        this.tracer = tracer;
        this.hooks = hooks;
        this.mainClass = mainClass;
        this.rootNamedByLauncher = rootNamedByLauncher;
        this.exitHold = exitHold;
        this.mainStartedMicros = mainStartedMicros;
        this.jobEndingMicros = jobEndingMicros;
        this.agentJar = agentJar;
    }

    /** A context for tests: main unknown, no exit hold, no agent jar. */
    public static ModuleContext of(AgentConfig config, Tracer tracer) {
        return new ModuleContext(config, tracer, new HookSites(), null, false, () -> () -> { }, () -> 0L,
                () -> 0L, null, new MainThreadGaps(tracer, false, 50L, () -> 0L));
    }
}
