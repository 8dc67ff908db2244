package dev.xraybatch.agent.instrument.springbatch;

import dev.xraybatch.agent.config.AgentConfig;
import dev.xraybatch.agent.config.Settings;
import dev.xraybatch.agent.instrument.InstrumentationModule;
import dev.xraybatch.agent.instrument.ModuleContext;
import dev.xraybatch.agent.instrument.hook.advice.EnterArgument0;
import dev.xraybatch.agent.instrument.hook.advice.Exit;
import net.bytebuddy.agent.builder.AgentBuilder;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * Spring Batch's jobs and steps, as phases of the trace: {@code AbstractJob.execute(JobExecution)} and
 * {@code AbstractStep.execute(StepExecution)} (final in Spring Batch 4 to 6: every job and step runs through them),
 * inside the launch that runs them ({@code run(Job, JobParameters)} of the synchronous launchers).
 * The statements a step runs nest beneath it, and the time between them, Spring Batch's own bookkeeping and the
 * job's processors, is sampled inside the step ({@code Tracer.beginSampledPhase}), so a chunk loop of a few
 * milliseconds per statement is one step with its parts, not a root strewn with short blanks.
 */
public final class SpringBatchInstrumentation implements InstrumentationModule {
    static final String ABSTRACT_JOB = "org.springframework.batch.core.job.AbstractJob";
    static final String ABSTRACT_STEP = "org.springframework.batch.core.step.AbstractStep";
    /** The launchers that run a job on the caller's thread (TaskExecutorJobLauncher extends the first in 5). */
    static final String[] LAUNCHERS = {"org.springframework.batch.core.launch.support.SimpleJobLauncher",
            "org.springframework.batch.core.launch.support.TaskExecutorJobLauncher"};

    @Override
    public String name() {
        return "spring_batch";
    }

    @Override
    public boolean enabled(AgentConfig config) {
        return config.get(Settings.SPRING_BATCH_ENABLED);
    }

    @Override
    public AgentBuilder extend(AgentBuilder builder, ModuleContext context) {
        SpringBatchHooks hooks = new SpringBatchHooks();
        // The launch holds the job repository's look-ups and writes before and after the job itself.
        builder = builder.type(namedOneOf(LAUNCHERS))
                .transform(context.hooks.advise(named("run").and(takesArguments(2)), hooks.launch,
                        EnterArgument0.class, Exit.class));
        builder = builder.type(named(ABSTRACT_JOB))
                .transform(context.hooks.advise(named("execute").and(takesArguments(1)), hooks.job,
                        EnterArgument0.class, Exit.class));
        return builder.type(named(ABSTRACT_STEP))
                .transform(context.hooks.advise(named("execute").and(takesArguments(1)), hooks.step,
                        EnterArgument0.class, Exit.class));
    }
}
