package dev.xraybatch.agent.instrument.frameworks;

import dev.xraybatch.agent.config.AgentConfig;
import dev.xraybatch.agent.config.Settings;
import dev.xraybatch.agent.instrument.InstrumentationModule;
import dev.xraybatch.agent.instrument.ModuleContext;
import dev.xraybatch.agent.instrument.hook.advice.EnterArgument0;
import dev.xraybatch.agent.instrument.hook.advice.EnterThis;
import dev.xraybatch.agent.instrument.hook.advice.Exit;
import net.bytebuddy.agent.builder.AgentBuilder;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * The phases of the frameworks a batch job runs in, traced as phases sampled inside
 * ({@code Tracer.beginSampledPhase}): the statements a phase runs nest beneath it, and the thread's time in it that
 * no statement explains (the framework's bookkeeping, the job's processors) is sampled beneath it, so a loop of a
 * few milliseconds per statement is one phase with its parts, not a root strewn with short blanks.
 * <ul>
 *   <li>Spring Batch: the launch ({@code run(Job, JobParameters)} of the synchronous launchers), the job
 *   ({@code AbstractJob.execute(JobExecution)}) and each step ({@code AbstractStep.execute(StepExecution)}); both
 *   final in Spring Batch 4 to 6, so every job and step runs through them;</li>
 *   <li>Flyway: {@code Flyway.migrate()}.</li>
 * </ul>
 */
public final class FrameworkPhasesInstrumentation implements InstrumentationModule {
    static final String ABSTRACT_JOB = "org.springframework.batch.core.job.AbstractJob";
    static final String ABSTRACT_STEP = "org.springframework.batch.core.step.AbstractStep";
    /** The launchers that run a job on the caller's thread (TaskExecutorJobLauncher extends the first in 5). */
    static final String[] LAUNCHERS = {"org.springframework.batch.core.launch.support.SimpleJobLauncher",
            "org.springframework.batch.core.launch.support.TaskExecutorJobLauncher"};
    static final String FLYWAY = "org.flywaydb.core.Flyway";

    @Override
    public String name() {
        return "framework_phases";
    }

    @Override
    public boolean enabled(AgentConfig config) {
        return config.get(Settings.SPRING_BATCH_ENABLED) || config.get(Settings.FLYWAY_ENABLED);
    }

    @Override
    public AgentBuilder extend(AgentBuilder builder, ModuleContext context) {
        PhaseHooks hooks = new PhaseHooks();
        if (context.config.get(Settings.SPRING_BATCH_ENABLED)) {
            // The launch holds the job repository's look-ups and writes before and after the job itself.
            builder = builder.type(namedOneOf(LAUNCHERS))
                    .transform(context.hooks.advise(named("run").and(takesArguments(2)), hooks.launch,
                            EnterArgument0.class, Exit.class))
                    .type(named(ABSTRACT_JOB))
                    .transform(context.hooks.advise(named("execute").and(takesArguments(1)), hooks.job,
                            EnterArgument0.class, Exit.class))
                    .type(named(ABSTRACT_STEP))
                    .transform(context.hooks.advise(named("execute").and(takesArguments(1)), hooks.step,
                            EnterArgument0.class, Exit.class));
        }
        if (context.config.get(Settings.FLYWAY_ENABLED)) {
            builder = builder.type(named(FLYWAY))
                    .transform(context.hooks.advise(named("migrate").and(takesArguments(0)), hooks.flyway,
                            EnterThis.class, Exit.class));
        }
        return builder;
    }
}
