package dev.xraybatch.agent.instrument.awssdk;

import dev.xraybatch.agent.instrument.hook.Hook;
import dev.xraybatch.agent.instrument.hook.HookSite;
import dev.xraybatch.agent.log.AgentLog;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import net.bytebuddy.implementation.InvocationHandlerAdapter;

import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

import static net.bytebuddy.matcher.ElementMatchers.isDeclaredBy;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;

/**
 * The hooks of the AWS SDK, at client build time only (never per SDK call): append the agent's tracing
 * interceptor (v2, {@link #v2InterceptorList}) or request handler (v1, {@link #v1Constructed}) to each client the
 * application builds.
 *
 * <p>Those are generated per loaded SDK: a class implementing the application's own {@code ExecutionInterceptor}
 * (or extending its {@code RequestHandler2}), defined in a child loader of the SDK's loader, so that whatever
 * loader the SDK lives in (Spark {@code --jars}, user-class-path-first) it sees its own types. The generated class
 * refers only to SDK and JDK types; its hooks go through a JDK {@code InvocationHandler} to the agent.
 *
 * <p>Nothing here pins an application class loader: the caches hold loaders weakly and instances weakly. The
 * clients hold the instance, the instance its class, the class its handler and the handler's SDK handles; once the
 * clients are gone, all of it can go.
 */
final class AwsSdkHooks {
    static final String V2_INTERCEPTOR_NAME = "dev.xraybatch.agent.generated.AwsSdkV2TracingInterceptor";
    static final String V1_HANDLER_NAME = "dev.xraybatch.agent.generated.AwsSdkV1TracingHandler";

    private final boolean v2Enabled;
    private final boolean v1Enabled;
    private final AwsCallRecorder recorder;
    /** The multipart S3 client's transfers, which v2 calls join: see {@link S3Transfers}. */
    private final S3Transfers transfers;
    /** Guarded by this. A cleared reference (or none) means: generate again. */
    private final Map<ClassLoader, WeakReference<Object>> v2Interceptors = new WeakHashMap<>();
    private final Map<ClassLoader, WeakReference<Object>> v1Handlers = new WeakHashMap<>();
    /** SDKs the agent could not handle (reported once): their clients stay untouched. Guarded by this. */
    private final Map<ClassLoader, Boolean> unsupported = new WeakHashMap<>();

    AwsSdkHooks(boolean v2Enabled, boolean v1Enabled, AwsCallRecorder recorder, S3Transfers transfers) {
        this.v2Enabled = v2Enabled;
        this.v1Enabled = v1Enabled;
        this.recorder = recorder;
        this.transfers = transfers;
    }

    /**
     * {@code SdkDefaultClientBuilder#resolveExecutionInterceptors}' result: the list to use, the same one or a
     * mutable copy when the SDK handed over an unmodifiable list. The site's subject is the builder class, whose
     * loader is the SDK's.
     */
    final Hook v2InterceptorList = new Hook() {
        @Override
        @SuppressWarnings("unchecked")
        public Object replace(HookSite site, Object value, Object sdkCoreType) {
            List<Object> interceptors = (List<Object>) value;
            try {
                v2InterceptorsResolved(interceptors, (Class<?>) sdkCoreType);
                return interceptors;
            } catch (UnsupportedOperationException unmodifiable) {
                List<Object> copy = new ArrayList<Object>(interceptors);
                v2InterceptorsResolved(copy, (Class<?>) sdkCoreType);
                return copy;
            }
        }

        @Override
        public String toString() {
            return "aws-sdk v2 interceptors";
        }
    };

    /**
     * {@code AmazonWebServiceClient}'s constructors (every v1 client of every service goes through one): at their
     * end, the client's {@code requestHandler2s} list gets the agent's handler.
     */
    final Hook v1Constructed = new Hook() {
        @Override
        public Object enter(HookSite site, Object notYetBuilt, Object[] arguments) {
            return Boolean.TRUE; // the exit needs a token; the client exists only then
        }

        @Override
        @SuppressWarnings("unchecked")
        public void exit(HookSite site, Object token, Object client, Object returned, Throwable thrown) {
            Class<?> sdkCoreType = client.getClass();
            while (sdkCoreType != null && !sdkCoreType.getName().equals(AwsSdkNames.V1_CLIENT)) {
                sdkCoreType = sdkCoreType.getSuperclass();
            }
            if (sdkCoreType == null) {
                return;
            }
            try {
                Field handlers = sdkCoreType.getDeclaredField("requestHandler2s");
                handlers.setAccessible(true);
                v1ClientCreated((List<Object>) handlers.get(client), sdkCoreType);
            } catch (ReflectiveOperationException | RuntimeException e) {
                AgentLog.problemOnce("aws-sdk-v1-unsupported", "AWS SDK v1 calls are not traced ("
                        + sdkCoreType.getClassLoader() + "): " + e);
            }
        }

        @Override
        public String toString() {
            return "aws-sdk v1 client built";
        }
    };

    void v2InterceptorsResolved(List<Object> interceptors, Class<?> sdkCoreType) {
        if (!v2Enabled || alreadyTraced(interceptors, V2_INTERCEPTOR_NAME)) {
            return;
        }
        Object interceptor = v2Interceptor(sdkCoreType.getClassLoader());
        if (interceptor != null) {
            interceptors.add(interceptor);
        }
    }

    void v1ClientCreated(List<Object> requestHandlers, Class<?> sdkCoreType) {
        if (requestHandlers == null || !v1Enabled || alreadyTraced(requestHandlers, V1_HANDLER_NAME)) {
            return;
        }
        Object handler = v1Handler(sdkCoreType.getClassLoader());
        if (handler != null) {
            requestHandlers.add(handler);
        }
    }

    /** Ours is there already (v1 constructors chain), or another tracer's: then that one records the calls. */
    private static boolean alreadyTraced(List<Object> hooks, String ours) {
        for (Object hook : hooks) {
            String name = hook == null ? "" : hook.getClass().getName();
            if (name.equals(ours)) {
                return true;
            }
            for (String other : AwsSdkNames.OTHER_TRACERS) {
                if (name.startsWith(other)) {
                    AgentLog.debug("AWS SDK client already traced by " + name + ": the agent leaves it alone");
                    return true;
                }
            }
        }
        return false;
    }

    private synchronized Object v2Interceptor(ClassLoader sdk) {
        Object existing = get(v2Interceptors, sdk);
        if (existing != null || unsupported.containsKey(sdk)) {
            return existing;
        }
        try {
            V2Api api = V2Api.of(sdk);
            Object interceptor = generate(sdk, api.interceptorType, false, V2_INTERCEPTOR_NAME,
                    V2InterceptorHandler.HOOKS, new V2InterceptorHandler(api, recorder, transfers));
            v2Interceptors.put(sdk, new WeakReference<>(interceptor));
            AgentLog.debug("tracing AWS SDK v2 clients of " + sdk);
            return interceptor;
        } catch (Throwable t) {
            unsupported.put(sdk, Boolean.TRUE);
            AgentLog.problemOnce("aws-sdk-v2-unsupported", "AWS SDK v2 calls are not traced (" + sdk + "): " + t);
            return null;
        }
    }

    private synchronized Object v1Handler(ClassLoader sdk) {
        Object existing = get(v1Handlers, sdk);
        if (existing != null || unsupported.containsKey(sdk)) {
            return existing;
        }
        try {
            V1Api api = V1Api.of(sdk);
            Object handler = generate(sdk, api.requestHandlerType, true, V1_HANDLER_NAME, V1RequestHandler.HOOKS,
                    new V1RequestHandler(api, recorder));
            v1Handlers.put(sdk, new WeakReference<>(handler));
            AgentLog.debug("tracing AWS SDK v1 clients of " + sdk);
            return handler;
        } catch (Throwable t) {
            unsupported.put(sdk, Boolean.TRUE);
            AgentLog.problemOnce("aws-sdk-v1-unsupported", "AWS SDK v1 calls are not traced (" + sdk + "): " + t);
            return null;
        }
    }

    private static Object get(Map<ClassLoader, WeakReference<Object>> cache, ClassLoader sdk) {
        WeakReference<Object> ref = cache.get(sdk);
        return ref == null ? null : ref.get();
    }

    /** A class implementing (or extending) the SDK's hook type whose {@code hooks} call {@code handler}. */
    private static Object generate(ClassLoader sdk, Class<?> hookType, boolean extend, String name, String[] hooks,
                                   java.lang.reflect.InvocationHandler handler) throws Exception {
        ByteBuddy byteBuddy = new ByteBuddy();
        net.bytebuddy.dynamic.DynamicType.Builder<?> builder = extend
                ? byteBuddy.subclass(hookType) : byteBuddy.subclass(Object.class).implement(hookType);
        Class<?> type = builder
                .name(name)
                .method(namedOneOf(hooks).and(isDeclaredBy(hookType)))
                .intercept(InvocationHandlerAdapter.of(handler))
                .make()
                .load(sdk, ClassLoadingStrategy.Default.WRAPPER)
                .getLoaded();
        return type.getConstructor().newInstance();
    }
}
