package dev.xraybatch.agent.instrument.awssdk;

import dev.xraybatch.agent.bootstrap.AwsSdkBridge;
import dev.xraybatch.agent.config.AgentConfig;
import dev.xraybatch.agent.config.Settings;
import dev.xraybatch.agent.instrument.InstrumentationModule;
import dev.xraybatch.agent.instrument.ModuleContext;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.matcher.ElementMatcher;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * Every call through the application's AWS SDK (v2 and v1) as a subsegment, hooked once per client at build
 * time (aws-sdk-notes.md): v2's {@code SdkDefaultClientBuilder#resolveExecutionInterceptors} and v1's
 * {@code AmazonWebServiceClient} constructors. Matched by name; the agent compiles against neither SDK.
 */
public final class AwsSdkInstrumentation implements InstrumentationModule {
    @Override
    public String name() {
        return "aws-sdk";
    }

    @Override
    public boolean enabled(AgentConfig config) {
        return config.get(Settings.AWS_SDK_V2_ENABLED) || config.get(Settings.AWS_SDK_V1_ENABLED);
    }

    @Override
    public AgentBuilder extend(AgentBuilder builder, ModuleContext context) {
        AgentConfig config = context.config;
        boolean v2 = config.get(Settings.AWS_SDK_V2_ENABLED);
        boolean v1 = config.get(Settings.AWS_SDK_V1_ENABLED);
        AwsSdkBridge.install(new AwsSdkHooks(v2, v1,
                new AwsCallRecorder(config.get(Settings.AWS_SDK_SUMMARY_AFTER))));
        if (v2) {
            builder = builder.type(named(AwsSdkNames.V2_CLIENT_BUILDER))
                    .transform(visit(AwsSdkAdvice.V2ResolveInterceptors.class,
                            named("resolveExecutionInterceptors").and(takesArguments(1))));
        }
        if (v1) {
            builder = builder.type(named(AwsSdkNames.V1_CLIENT))
                    .transform(visit(AwsSdkAdvice.V1ClientConstructed.class, isConstructor()));
        }
        return builder;
    }

    private static AgentBuilder.Transformer visit(Class<?> advice, ElementMatcher<? super MethodDescription> methods) {
        return new AgentBuilder.Transformer.ForAdvice()
                .advice(methods, advice.getName())
                .include(advice.getClassLoader());
    }
}
