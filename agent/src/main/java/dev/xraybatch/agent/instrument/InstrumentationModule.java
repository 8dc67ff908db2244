package dev.xraybatch.agent.instrument;

import dev.xraybatch.agent.config.AgentConfig;
import net.bytebuddy.agent.builder.AgentBuilder;

/**
 * One thing the agent traces (the JDK's thread hand-off, pointcut methods, the AWS SDK, Spark), in a folder of
 * its own under {@code instrument/}. Each adds its type transformations to the agent's single
 * {@link AgentBuilder}, with advice from {@code hook/advice} that reaches its {@code hook/Hook}s through the one
 * boot-loader {@code HookBridge}; {@link Modules} lists them.
 */
public interface InstrumentationModule {
    /** Short name for logs, e.g. {@code jdk}, {@code aws-sdk}. */
    String name();

    /** False when the config switches the module off. */
    boolean enabled(AgentConfig config);

    /** Adds this module's transformations; called once, before the builder is installed. */
    AgentBuilder extend(AgentBuilder builder, ModuleContext context);
}
