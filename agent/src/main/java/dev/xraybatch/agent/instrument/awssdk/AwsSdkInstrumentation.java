package dev.xraybatch.agent.instrument.awssdk;

import dev.xraybatch.agent.config.AgentConfig;
import dev.xraybatch.agent.config.Settings;
import dev.xraybatch.agent.instrument.InstrumentationModule;
import dev.xraybatch.agent.instrument.ModuleContext;
import dev.xraybatch.agent.instrument.hook.advice.ConstructorExit;
import dev.xraybatch.agent.instrument.hook.advice.EnterArgument0;
import dev.xraybatch.agent.instrument.hook.advice.EnterThis;
import dev.xraybatch.agent.instrument.hook.advice.ExitReturnReplaced;
import dev.xraybatch.agent.instrument.hook.advice.ReturnReplaced;
import net.bytebuddy.agent.builder.AgentBuilder;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * Every call through the application's AWS SDK (v2 and v1) as a subsegment, hooked once per client at build
 * time (aws-sdk-notes.md): v2's {@code SdkDefaultClientBuilder#resolveExecutionInterceptors} and v1's
 * {@code AmazonWebServiceClient} constructors. Matched by name; the agent compiles against neither SDK. Per call
 * only where the SDK's threads lose the caller: the v2 multipart S3 client's transfers ({@link S3Transfers}).
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
        S3Transfers transfers = new S3Transfers();
        AwsSdkHooks hooks = new AwsSdkHooks(v2, v1, new AwsCallRecorder(config.get(Settings.AWS_SDK_SUMMARY_AFTER)),
                transfers);
        if (v2) {
            builder = builder.type(named(AwsSdkNames.V2_CLIENT_BUILDER))
                    .transform(context.hooks.advise(named("resolveExecutionInterceptors").and(takesArguments(1)),
                            hooks.v2InterceptorList, null, ReturnReplaced.class))
                    // The multipart client's transfers: their calls run on the SDK's threads (S3Transfers).
                    .type(named(S3Transfers.MULTIPART_CLIENT))
                    .transform(context.hooks.advise(isPublic().and(not(isStatic()))
                                    .and(named("putObject").and(takesArguments(2))
                                            .or(named("getObject").and(takesArguments(2)))
                                            .or(named("copyObject").and(takesArguments(1))))
                                    .and(takesArgument(0, nameStartsWith(AwsSdkNames.V2 + ".services.s3.model."))),
                            transfers.transfer, EnterArgument0.class, ExitReturnReplaced.class));
        }
        if (v1) {
            builder = builder.type(named(AwsSdkNames.V1_CLIENT))
                    .transform(context.hooks.advise(isConstructor(), hooks.v1Constructed, EnterThis.class,
                            ConstructorExit.class));
        }
        return builder;
    }
}
