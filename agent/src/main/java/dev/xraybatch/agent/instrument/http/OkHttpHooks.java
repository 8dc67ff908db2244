package dev.xraybatch.agent.instrument.http;

import dev.xraybatch.agent.instrument.hook.Hook;
import dev.xraybatch.agent.instrument.hook.HookSite;
import dev.xraybatch.agent.instrument.hook.Reflective;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.util.List;

/**
 * OkHttp 3.x, 4.x and 5.x: every client is made by {@code new OkHttpClient(builder)} (its builder's
 * {@code build()} and the no-argument constructor both go there), which copies the builder's interceptors. On
 * entry, an application interceptor of the agent's joins them: a {@link Proxy} of the application's
 * {@code okhttp3.Interceptor} (the agent compiles against no OkHttp), so each call, sync or async, is one
 * subsegment (its retries and redirects inside), and the trace header goes on the request it passes on
 * (OkHttp's requests cannot change: a copy with the header).
 */
final class OkHttpHooks implements Hook {
    private static final String INTERCEPTOR = "okhttp3.Interceptor";

    private final HttpRecorder recorder;

    OkHttpHooks(HttpRecorder recorder) {
        this.recorder = recorder;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Object enter(HookSite site, Object builder, Object[] arguments) {
        if (builder == null) {
            return null;
        }
        Object interceptors = Reflective.call(builder, "interceptors");
        if (!(interceptors instanceof List)) {
            return null;
        }
        List<Object> list = (List<Object>) interceptors;
        for (Object existing : list) {
            // A builder made from a traced client (newBuilder) already has ours.
            if (existing != null && Proxy.isProxyClass(existing.getClass())
                    && Proxy.getInvocationHandler(existing) instanceof Interceptor) {
                return null;
            }
        }
        ClassLoader loader = builder.getClass().getClassLoader();
        try {
            Class<?> type = Class.forName(INTERCEPTOR, false, loader);
            list.add(Proxy.newProxyInstance(loader, new Class<?>[] {type}, new Interceptor(recorder)));
        } catch (Throwable unavailable) {
            // The client goes untraced.
        }
        return null;
    }

    @Override
    public String toString() {
        return "OkHttp client";
    }

    /** The agent's interceptor: {@code Response intercept(Chain chain)}. */
    static final class Interceptor implements InvocationHandler {
        private final HttpRecorder recorder;

        Interceptor(HttpRecorder recorder) {
            this.recorder = recorder;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] arguments) throws Throwable {
            if (method.getDeclaringClass() == Object.class) {
                switch (method.getName()) {
                    case "equals":
                        return proxy == arguments[0];
                    case "hashCode":
                        return System.identityHashCode(proxy);
                    default:
                        return "xray-batch-agent interceptor";
                }
            }
            Object chain = arguments[0];
            Object request = Reflective.call(chain, "request");
            final Object[] header = new Object[2];
            HttpCall call = null;
            try {
                final Object original = request;
                Object url = Reflective.call(request, "url");
                call = url == null ? null : recorder.begin((String) Reflective.call(request, "method"),
                        URI.create(url.toString()), new HttpRecorder.Headers() {
                            @Override
                            public String get(String name) {
                                return (String) Reflective.call(original, "header", name);
                            }

                            @Override
                            public void set(String name, String value) {
                                header[0] = name;
                                header[1] = value;
                            }
                        });
                if (header[0] != null) {
                    Object withHeader = Reflective.call(Reflective.call(Reflective.call(request, "newBuilder"),
                            "header", header[0], header[1]), "build");
                    if (withHeader != null) {
                        request = withHeader;
                    }
                }
            } catch (Throwable agentFault) {
                // The request goes as the application made it.
            }
            Object response;
            try {
                response = Reflective.proceed(chain, request);
            } catch (InvocationTargetException failed) {
                recorder.finish(call, 0, -1L, failed.getCause());
                throw failed.getCause();
            }
            int status = 0;
            long length = -1L;
            try {
                Object code = Reflective.call(response, "code");
                status = code instanceof Integer ? (Integer) code : 0;
                Object bodyLength = Reflective.call(Reflective.call(response, "body"), "contentLength");
                length = bodyLength instanceof Long ? (Long) bodyLength : -1L;
            } catch (Throwable unreadable) {
                // Ends with what is known.
            }
            recorder.finish(call, status, length, null);
            return response;
        }
    }
}
