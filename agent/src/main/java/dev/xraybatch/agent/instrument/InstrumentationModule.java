package dev.xraybatch.agent.instrument;

import dev.xraybatch.agent.config.AgentConfig;
import net.bytebuddy.agent.builder.AgentBuilder;

/**
 * One thing the agent traces (the JDK's thread hand-off, pointcut methods, the AWS SDK, Spark). Each adds its
 * type transformations to the agent's single {@link AgentBuilder}; the installer lists them.
 */
public interface InstrumentationModule {
    /** Short name for logs, e.g. {@code jdk}, {@code aws-sdk}. */
    String name();

    /** False when the config switches the module off. */
    boolean enabled(AgentConfig config);

    /** Adds this module's transformations; called once, before the builder is installed. */
    AgentBuilder extend(AgentBuilder builder, AgentConfig config);
}
