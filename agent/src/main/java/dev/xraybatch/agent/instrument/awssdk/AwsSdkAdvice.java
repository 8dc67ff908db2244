package dev.xraybatch.agent.instrument.awssdk;

import dev.xraybatch.agent.bootstrap.AwsSdkBridge;
import net.bytebuddy.asm.Advice;

import java.util.List;

/** Inlined into the application's SDK at client build time; each hands over to {@link AwsSdkBridge}. */
final class AwsSdkAdvice {
    private AwsSdkAdvice() {
    }

    /** {@code SdkDefaultClientBuilder#resolveExecutionInterceptors}: once per {@code build()}, sync and async. */
    static final class V2ResolveInterceptors {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Origin Class<?> builderType,
                         @Advice.Return(readOnly = false) List<Object> interceptors) {
            interceptors = AwsSdkBridge.v2InterceptorsResolved(interceptors, builderType);
        }
    }

    /** {@code AmazonWebServiceClient}'s constructors: every v1 client of every service goes through one. */
    static final class V1ClientConstructed {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Origin Class<?> clientType,
                         @Advice.FieldValue("requestHandler2s") List<Object> requestHandlers) {
            AwsSdkBridge.v1ClientCreated(requestHandlers, clientType);
        }
    }
}
