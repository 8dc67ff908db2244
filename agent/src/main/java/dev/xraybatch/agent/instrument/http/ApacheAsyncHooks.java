package dev.xraybatch.agent.instrument.http;

import dev.xraybatch.agent.instrument.hook.Hook;
import dev.xraybatch.agent.instrument.hook.HookSite;
import dev.xraybatch.agent.instrument.hook.Reflective;
import dev.xraybatch.agent.trace.Tracer;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;

/**
 * Apache HttpClient 5.x async ({@code CloseableHttpAsyncClient}): every {@code execute} overload ends in the
 * client's {@code doExecute(host, requestProducer, responseConsumer, pushHandlers, context, callback)}, one
 * subsegment per call to it (its retries and redirects inside, the last response's status).
 *
 * <p>The request exists only once the producer hands it to the client's channel, so on entry the producer, the
 * response consumer and the callback are replaced by {@link Proxy}s of the application's own interfaces (the agent
 * compiles against no Apache class): the producer's channel begins the call when it gets the request (on the
 * caller's thread, under its current entity, for the client's own producers) and sets the trace header on it;
 * the consumer notes the response's status; the callback ends the call when the client completes, fails or
 * cancels it, before the application's callback runs. The future handed back ends the call before its
 * {@code get} returns, as the client wakes a waiting caller before it calls any callback.
 */
final class ApacheAsyncHooks implements Hook {
    private static final String PRODUCER = "org.apache.hc.core5.http.nio.AsyncRequestProducer";
    private static final String CHANNEL = "org.apache.hc.core5.http.nio.RequestChannel";
    private static final String CONSUMER = "org.apache.hc.core5.http.nio.AsyncResponseConsumer";
    private static final String CALLBACK = "org.apache.hc.core5.concurrent.FutureCallback";
    private static final Class<?>[] NAME_AND_OBJECT = {String.class, Object.class};

    /** The four interfaces per class loader of the client (weakly: a loader that goes takes its entry). */
    private static final Map<ClassLoader, Class<?>[]> TYPES = new WeakHashMap<>();

    private final HttpRecorder recorder;

    ApacheAsyncHooks(HttpRecorder recorder) {
        this.recorder = recorder;
    }

    /** One {@code doExecute}: the call once its request is known, and what its response said. */
    static final class Exchange {
        volatile HttpCall call;
        volatile int status;
        volatile long contentLength = -1L;
    }

    @Override
    public Object enter(HookSite site, Object client, Object[] arguments) {
        if (client == null || arguments == null || arguments.length != 6 || arguments[1] == null
                || arguments[2] == null || Tracer.get() == null) {
            return null;
        }
        Class<?>[] types = types(client.getClass().getClassLoader());
        if (types == null || !types[0].isInstance(arguments[1]) || !types[2].isInstance(arguments[2])
                || (arguments[5] != null && !types[3].isInstance(arguments[5]))) {
            return null;
        }
        Exchange exchange = new Exchange();
        ClassLoader loader = types[0].getClassLoader();
        arguments[1] = proxy(loader, types[0], new Producer(arguments[1], exchange, types[1]));
        arguments[2] = proxy(loader, types[2], new Consumer(arguments[2], exchange));
        arguments[5] = proxy(loader, types[3], new Callback(arguments[5], exchange));
        return exchange;
    }

    @Override
    public void exit(HookSite site, Object token, Object client, Object returned, Throwable thrown) {
        if (thrown != null) {
            end((Exchange) token, thrown);
        }
    }

    /** The future {@code doExecute} returns, handed back as one whose {@code get} ends the call first. */
    @Override
    public Object replace(HookSite site, Object future, Object token) {
        if (!(token instanceof Exchange) || future == null) {
            return future;
        }
        Set<Class<?>> interfaces = new LinkedHashSet<>();
        for (Class<?> c = future.getClass(); c != null; c = c.getSuperclass()) {
            collectPublicInterfaces(c, interfaces);
        }
        if (!interfaces.contains(java.util.concurrent.Future.class)) {
            return future;
        }
        try {
            return Proxy.newProxyInstance(future.getClass().getClassLoader(), interfaces.toArray(new Class<?>[0]),
                    new AwaitedFuture(future, (Exchange) token));
        } catch (Throwable notVisible) {
            return future;
        }
    }

    private static void collectPublicInterfaces(Class<?> type, Set<Class<?>> into) {
        for (Class<?> i : type.getInterfaces()) {
            if (Modifier.isPublic(i.getModifiers())) {
                into.add(i);
            }
            collectPublicInterfaces(i, into);
        }
    }

    void end(Exchange exchange, Throwable failure) {
        if (exchange != null && exchange.call != null) {
            recorder.end(exchange.call, exchange.status, exchange.contentLength, failure);
        }
    }

    @Override
    public String toString() {
        return "Apache HttpClient 5 async request";
    }

    private static Class<?>[] types(ClassLoader loader) {
        synchronized (TYPES) {
            if (TYPES.containsKey(loader)) {
                return TYPES.get(loader);
            }
        }
        Class<?>[] found;
        try {
            found = new Class<?>[] {Class.forName(PRODUCER, false, loader), Class.forName(CHANNEL, false, loader),
                Class.forName(CONSUMER, false, loader), Class.forName(CALLBACK, false, loader)};
        } catch (Throwable notThere) {
            found = null;
        }
        synchronized (TYPES) {
            TYPES.put(loader, found);
        }
        return found;
    }

    private static Object proxy(ClassLoader loader, Class<?> type, InvocationHandler handler) {
        return Proxy.newProxyInstance(loader, new Class<?>[] {type}, handler);
    }

    /** Calls the application's object; what it throws goes to the caller unchanged. */
    abstract static class Delegating implements InvocationHandler {
        final Object target;

        Delegating(Object target) {
            this.target = target;
        }

        final Object delegate(Object proxy, Method method, Object[] arguments) throws Throwable {
            if (method.getDeclaringClass() == Object.class) {
                switch (method.getName()) {
                    case "equals":
                        return proxy == arguments[0];
                    case "hashCode":
                        return System.identityHashCode(proxy);
                    default:
                        return target == null ? "xray-batch-agent " + getClass().getSimpleName() : target.toString();
                }
            }
            if (target == null) {
                return null;
            }
            try {
                return method.invoke(target, arguments);
            } catch (InvocationTargetException failed) {
                throw failed.getCause();
            }
        }
    }

    /** The producer: its {@code sendRequest(channel, context)} gets a channel that begins the call. */
    final class Producer extends Delegating {
        private final Exchange exchange;
        private final Class<?> channelType;

        Producer(Object target, Exchange exchange, Class<?> channelType) {
            super(target);
            this.exchange = exchange;
            this.channelType = channelType;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] arguments) throws Throwable {
            if (method.getName().equals("sendRequest") && arguments != null && arguments.length == 2
                    && arguments[0] != null && exchange.call == null) {
                Object[] replaced = arguments.clone();
                try {
                    replaced[0] = proxy(channelType.getClassLoader(), channelType, new Channel(arguments[0],
                            exchange));
                } catch (Throwable agentFault) {
                    replaced[0] = arguments[0];
                }
                return delegate(proxy, method, replaced);
            }
            return delegate(proxy, method, arguments);
        }
    }

    /** The client's channel: {@code sendRequest(request, entityDetails, context)}, the request now known. */
    final class Channel extends Delegating {
        private final Exchange exchange;

        Channel(Object target, Exchange exchange) {
            super(target);
            this.exchange = exchange;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] arguments) throws Throwable {
            HttpCall call = null;
            if (method.getName().equals("sendRequest") && arguments != null && arguments.length == 3
                    && arguments[0] != null && exchange.call == null) {
                call = begin(arguments[0]);
                exchange.call = call;
            }
            try {
                return delegate(proxy, method, arguments);
            } finally {
                recorder.leave(call);
            }
        }

        private HttpCall begin(final Object request) {
            try {
                Object uri = Reflective.call(request, "getUri");
                if (uri == null) {
                    return null;
                }
                return recorder.begin((String) Reflective.call(request, "getMethod"), URI.create(uri.toString()),
                        new HttpRecorder.Headers() {
                            @Override
                            public String get(String name) {
                                Object header = Reflective.call(request, "getFirstHeader", name);
                                return header == null ? null : (String) Reflective.call(header, "getValue");
                            }

                            @Override
                            public void set(String name, String value) {
                                Reflective.callTyped(request, "setHeader", NAME_AND_OBJECT, name, value);
                            }
                        });
            } catch (Throwable agentFault) {
                return null;
            }
        }
    }

    /** The response consumer: notes the status and body length of the response it is given. */
    static final class Consumer extends Delegating {
        private final Exchange exchange;

        Consumer(Object target, Exchange exchange) {
            super(target);
            this.exchange = exchange;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] arguments) throws Throwable {
            if (method.getName().equals("consumeResponse") && arguments != null && arguments.length == 4) {
                try {
                    Object code = Reflective.call(arguments[0], "getCode");
                    exchange.status = code instanceof Integer ? (Integer) code : 0;
                    Object length = Reflective.call(arguments[1], "getContentLength");
                    exchange.contentLength = length instanceof Long ? (Long) length : -1L;
                } catch (Throwable unreadable) {
                    // Ends with what is known.
                }
            }
            return delegate(proxy, method, arguments);
        }
    }

    /** The callback the client completes: ends the call, then calls the application's (if any). */
    final class Callback extends Delegating {
        private final Exchange exchange;

        Callback(Object target, Exchange exchange) {
            super(target);
            this.exchange = exchange;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] arguments) throws Throwable {
            if (method.getDeclaringClass() != Object.class) {
                switch (method.getName()) {
                    case "completed":
                        end(exchange, null);
                        break;
                    case "failed":
                        end(exchange, arguments == null ? null : (Throwable) arguments[0]);
                        break;
                    case "cancelled":
                        end(exchange, new CancellationException("request cancelled"));
                        break;
                    default:
                        break;
                }
            }
            return delegate(proxy, method, arguments);
        }
    }

    /** The future the caller gets: {@code get} ends the call (if the callback has not yet) before returning. */
    final class AwaitedFuture extends Delegating {
        private final Exchange exchange;

        AwaitedFuture(Object target, Exchange exchange) {
            super(target);
            this.exchange = exchange;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] arguments) throws Throwable {
            if (!method.getName().equals("get")) {
                return delegate(proxy, method, arguments);
            }
            Object result;
            try {
                result = delegate(proxy, method, arguments);
            } catch (ExecutionException failed) {
                end(exchange, failed.getCause() == null ? failed : failed.getCause());
                throw failed;
            } catch (CancellationException cancelled) {
                end(exchange, cancelled);
                throw cancelled;
            }
            end(exchange, null);
            return result;
        }
    }
}
