package dev.xraybatch.agent.bootstrap;

import java.util.ArrayList;
import java.util.List;

/**
 * What the AWS SDK advice calls, at client build time only (never per SDK call): the advice hands over the
 * client's list of interceptors (SDK v2) or request handlers (SDK v1) and the agent appends its own. JDK types only;
 * a no-op until the agent installs {@link #hooks}; never throws into the job.
 */
public final class AwsSdkBridge {
    /** The agent's side. */
    public interface Hooks {
        /**
         * Adds the agent's interceptor to a v2 client's freshly resolved interceptor list (unless present).
         *
         * @param sdkCoreType the SDK's {@code SdkDefaultClientBuilder}: its class loader is the SDK's
         */
        void v2InterceptorsResolved(List<Object> interceptors, Class<?> sdkCoreType);

        /**
         * Adds the agent's request handler to a v1 client's handler list (unless present).
         *
         * @param sdkCoreType the SDK's {@code AmazonWebServiceClient}: its class loader is the SDK's
         */
        void v1ClientCreated(List<Object> requestHandlers, Class<?> sdkCoreType);
    }

    private static volatile Hooks hooks;

    private AwsSdkBridge() {
    }

    public static void install(Hooks implementation) {
        hooks = implementation;
    }

    /** @return the list to use: the same one, or a mutable copy when the SDK handed over an unmodifiable list */
    public static List<Object> v2InterceptorsResolved(List<Object> interceptors, Class<?> sdkCoreType) {
        Hooks h = hooks;
        if (h == null || interceptors == null) {
            return interceptors;
        }
        try {
            try {
                h.v2InterceptorsResolved(interceptors, sdkCoreType);
                return interceptors;
            } catch (UnsupportedOperationException unmodifiable) {
                List<Object> copy = new ArrayList<Object>(interceptors);
                h.v2InterceptorsResolved(copy, sdkCoreType);
                return copy;
            }
        } catch (Throwable t) {
            return interceptors;
        }
    }

    public static void v1ClientCreated(List<Object> requestHandlers, Class<?> sdkCoreType) {
        Hooks h = hooks;
        if (h == null || requestHandlers == null) {
            return;
        }
        try {
            h.v1ClientCreated(requestHandlers, sdkCoreType);
        } catch (Throwable ignored) {
            // never into the job
        }
    }
}
