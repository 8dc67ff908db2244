package dev.xraybatch.agent.instrument.jdk;

import dev.xraybatch.agent.config.AgentConfig;
import dev.xraybatch.agent.config.Settings;
import dev.xraybatch.agent.instrument.InstrumentationModule;
import dev.xraybatch.agent.instrument.ModuleContext;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;

import java.util.concurrent.Callable;
import java.util.concurrent.Executor;

import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.isTypeInitializer;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * The JDK parts every job needs: the job's main class, {@code System.exit} and threads' uncaught exceptions (how
 * the job ended), and the hand-off of work to other threads (executors, {@code CompletableFuture} through them and
 * its stages' actions, {@code new Thread}).
 */
public final class JdkInstrumentation implements InstrumentationModule {
    /** JDK classes this module changes; everything else under {@code java.} stays ignored. */
    public static final String[] JDK_TYPES = {
            "java.lang.Thread",
            "java.lang.Runtime",
            "java.lang.Shutdown",
            "java.util.concurrent.ThreadPoolExecutor",
            "java.util.concurrent.ScheduledThreadPoolExecutor",
            "java.util.concurrent.ForkJoinPool",
            "java.util.concurrent.CompletableFuture",
    };

    @Override
    public String name() {
        return "jdk";
    }

    @Override
    public boolean enabled(AgentConfig config) {
        return true;
    }

    @Override
    public AgentBuilder extend(AgentBuilder builder, ModuleContext context) {
        AgentConfig config = context.config;
        String mainClass = context.mainClass; // null when not known: no main advice then
        builder = builder.type(named("java.lang.Runtime"))
                .transform(visit(LifecycleAdvice.Exit.class, named("exit").and(takesArguments(int.class))))
                .type(named("java.lang.Shutdown"))
                .transform(visit(LifecycleAdvice.LastThreadEnded.class, named("shutdown").and(takesArguments(0))))
                .type(named("java.lang.Thread"))
                .transform(visit(LifecycleAdvice.Uncaught.class,
                        named("dispatchUncaughtException").and(takesArguments(Throwable.class))));
        if (mainClass != null) {
            // Whichever class loader loads it: Spring Boot's launcher loads Start-Class from BOOT-INF/classes.
            builder = builder.type(named(mainClass))
                    .transform(visit(LifecycleAdvice.Main.class,
                            named("main").and(isStatic()).and(takesArguments(String[].class))))
                    .transform(visit(LifecycleAdvice.MainClassInit.class, isTypeInitializer()));
        }
        if (!config.get(Settings.CONTEXT_PROPAGATION)) {
            return builder;
        }
        return builder
                .type(named("java.util.concurrent.ThreadPoolExecutor"))
                .transform(visit(ExecutorAdvice.WrapRunnable.class,
                        named("execute").and(takesArguments(Runnable.class))))
                .type(named("java.util.concurrent.ScheduledThreadPoolExecutor"))
                .transform(visit(ExecutorAdvice.WrapRunnable.class,
                        named("schedule").or(named("scheduleAtFixedRate")).or(named("scheduleWithFixedDelay"))
                                .and(takesArgument(0, Runnable.class))))
                .transform(visit(ExecutorAdvice.WrapCallable.class,
                        named("schedule").and(takesArgument(0, Callable.class))))
                .type(named("java.util.concurrent.ForkJoinPool"))
                .transform(visit(ExecutorAdvice.WrapRunnable.class,
                        named("execute").or(named("submit")).and(takesArguments(Runnable.class))))
                .transform(visit(ExecutorAdvice.WrapCallable.class,
                        named("submit").and(takesArguments(Callable.class))))
                // A stage's action runs in the context of the code that attached it, not of the completing thread.
                .type(named("java.util.concurrent.CompletableFuture"))
                .transform(visit(ExecutorAdvice.WrapStageAction1.class,
                        namedOneOf("uniApplyStage", "uniAcceptStage", "uniRunStage", "uniWhenCompleteStage",
                                "uniHandleStage", "uniExceptionallyStage", "uniComposeStage",
                                "uniComposeExceptionallyStage").and(takesArguments(2))
                                .and(takesArgument(0, Executor.class))))
                .transform(visit(ExecutorAdvice.WrapStageAction2.class,
                        namedOneOf("biApplyStage", "biAcceptStage", "biRunStage", "orApplyStage", "orAcceptStage",
                                "orRunStage").and(takesArguments(3)).and(takesArgument(0, Executor.class))))
                .type(named("java.lang.Thread"))
                .transform(visit(ThreadAdvice.Start.class, named("start").and(takesArguments(0))))
                .transform(visit(ThreadAdvice.Run.class, named("run").and(takesArguments(0))));
    }

    private static AgentBuilder.Transformer visit(Class<?> advice,
                                                  net.bytebuddy.matcher.ElementMatcher<? super net.bytebuddy.description.method.MethodDescription> methods) {
        return new AgentBuilder.Transformer.ForAdvice()
                .advice(methods, advice.getName())
                .include(advice.getClassLoader());
    }
}
