package dev.xraybatch.agent.instrument.http;

import dev.xraybatch.agent.instrument.hook.Hook;
import dev.xraybatch.agent.instrument.hook.HookSite;

import java.lang.reflect.Method;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiPredicate;

/**
 * The JDK's {@code java.net.http.HttpClient} (Java 11 and later), in its one implementation
 * {@code jdk.internal.net.http.HttpClientImpl}: {@code send(request, handler)} and
 * {@code sendAsync(request, handler, pushHandler)} (the two-argument {@code sendAsync} goes there; {@code send}
 * does not, it calls a private method). One subsegment per call, redirects and retries inside it, with the final
 * response's status.
 *
 * <p>A request cannot change: on entry the call gets a copy with the trace header in its place
 * (its advice replaces the argument). {@code send} ends on its return or throw. {@code sendAsync}
 * begins under the caller's current entity and ends on whatever thread completes the JDK's future: the caller
 * gets back a future that completes only after that, so nothing the caller does after its reply (its own end
 * included) comes before the request's end; cancelling it cancels the JDK's.
 *
 * <p>The agent compiles for Java 8: every {@code java.net.http} type is reached by reflection, on the public API
 * types (the objects' own classes are in a package the JDK does not export).
 */
final class JdkHttpClientHooks implements Hook {
    private final HttpRecorder recorder;
    private final boolean async;

    JdkHttpClientHooks(HttpRecorder recorder, boolean async) {
        this.recorder = recorder;
        this.async = async;
    }

    @Override
    public Object enter(HookSite site, Object client, Object[] arguments) {
        if (arguments == null || arguments.length < 2 || arguments[0] == null) {
            return null;
        }
        final Object request = arguments[0];
        Api api = Api.of(request.getClass().getClassLoader());
        if (api == null) {
            return null;
        }
        final String[] header = new String[2];
        HttpCall call = recorder.begin((String) api.invoke(api.method, request), (URI) api.invoke(api.uri, request),
                new HttpRecorder.Headers() {
                    @Override
                    public String get(String name) {
                        Object value = api.invoke(api.firstValue, api.invoke(api.headers, request), name);
                        return value instanceof Optional ? (String) ((Optional<?>) value).orElse(null) : null;
                    }

                    @Override
                    public void set(String name, String value) {
                        header[0] = name;
                        header[1] = value;
                    }
                });
        if (call != null && header[0] != null) {
            Object withHeader = api.withHeader(request, header[0], header[1]);
            if (withHeader != null) {
                arguments[0] = withHeader;
            }
        }
        return call;
    }

    @Override
    public void exit(HookSite site, Object token, Object client, Object returned, Throwable thrown) {
        HttpCall call = (HttpCall) token;
        if (async) {
            if (thrown != null) {
                recorder.end(call, 0, -1L, thrown);
            }
            recorder.leave(call);
            return;
        }
        recorder.finish(call, status(returned), contentLength(returned), thrown);
    }

    /** {@code sendAsync}'s future, handed back as one that completes after the call has ended. */
    @Override
    public Object replace(HookSite site, Object value, Object token) {
        if (!async || !(value instanceof CompletableFuture) || !(token instanceof HttpCall)
                || ((HttpCall) token).subsegment == null) {
            return value;
        }
        final HttpCall call = (HttpCall) token;
        final CompletableFuture<Object> reply = castFuture(value);
        final EndedFuture ended = new EndedFuture(reply);
        reply.whenComplete((response, failure) -> {
            try {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                recorder.end(call, status(response), contentLength(response), cause);
            } catch (Throwable agentFault) {
                // The caller's future completes below whatever happens here.
            }
            if (failure != null) {
                ended.completeExceptionally(failure);
            } else {
                ended.complete(response);
            }
        });
        return ended;
    }

    @SuppressWarnings("unchecked")
    private static CompletableFuture<Object> castFuture(Object value) {
        return (CompletableFuture<Object>) value;
    }

    private static int status(Object response) {
        Api api = response == null ? null : Api.of(response.getClass().getClassLoader());
        Object code = api == null ? null : api.invoke(api.statusCode, response);
        return code instanceof Integer ? (Integer) code : 0;
    }

    private static long contentLength(Object response) {
        Api api = response == null ? null : Api.of(response.getClass().getClassLoader());
        if (api == null) {
            return -1L;
        }
        Object length = api.invoke(api.firstValueAsLong, api.invoke(api.responseHeaders, response), "content-length");
        if (length instanceof java.util.OptionalLong && ((java.util.OptionalLong) length).isPresent()) {
            return ((java.util.OptionalLong) length).getAsLong();
        }
        return -1L;
    }

    @Override
    public String toString() {
        return async ? "java.net.http sendAsync" : "java.net.http send";
    }

    /**
     * The caller's future: completed by the agent once the request has ended; cancelling it cancels the JDK's
     * (which then ends the request as cancelled).
     */
    static final class EndedFuture extends CompletableFuture<Object> {
        private final CompletableFuture<Object> reply;

        EndedFuture(CompletableFuture<Object> reply) {
            this.reply = reply;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = reply.cancel(mayInterruptIfRunning);
            return super.cancel(mayInterruptIfRunning) || cancelled;
        }
    }

    /** The public API's methods, found once (the JDK's, so one set per JVM). */
    static final class Api {
        private static volatile Api api;
        private static volatile boolean unavailable;

        final Method method;
        final Method uri;
        final Method headers;
        final Method firstValue;
        final Method firstValueAsLong;
        final Method statusCode;
        final Method responseHeaders;
        /** Java 16+: {@code HttpRequest.newBuilder(request, filter)}; null before. */
        final Method copyBuilder;
        final Method newBuilder;
        final Method setHeader;
        final Method build;
        final Method headerMap;
        final Method builderMethod;
        final Method bodyPublisher;
        final Method noBody;
        final Method expectContinue;
        final Method builderExpectContinue;
        final Method timeout;
        final Method builderTimeout;
        final Method version;
        final Method builderVersion;
        final Method builderHeader;

        private Api(ClassLoader loader) throws Exception {
            Class<?> request = Class.forName("java.net.http.HttpRequest", false, loader);
            Class<?> builder = Class.forName("java.net.http.HttpRequest$Builder", false, loader);
            Class<?> publisher = Class.forName("java.net.http.HttpRequest$BodyPublisher", false, loader);
            Class<?> publishers = Class.forName("java.net.http.HttpRequest$BodyPublishers", false, loader);
            Class<?> httpHeaders = Class.forName("java.net.http.HttpHeaders", false, loader);
            Class<?> response = Class.forName("java.net.http.HttpResponse", false, loader);
            Class<?> version = Class.forName("java.net.http.HttpClient$Version", false, loader);
            method = request.getMethod("method");
            uri = request.getMethod("uri");
            headers = request.getMethod("headers");
            firstValue = httpHeaders.getMethod("firstValue", String.class);
            firstValueAsLong = httpHeaders.getMethod("firstValueAsLong", String.class);
            headerMap = httpHeaders.getMethod("map");
            statusCode = response.getMethod("statusCode");
            responseHeaders = response.getMethod("headers");
            Method copy;
            try {
                copy = request.getMethod("newBuilder", request, BiPredicate.class);
            } catch (NoSuchMethodException beforeJava16) {
                copy = null;
            }
            copyBuilder = copy;
            newBuilder = request.getMethod("newBuilder", URI.class);
            setHeader = builder.getMethod("setHeader", String.class, String.class);
            builderHeader = builder.getMethod("header", String.class, String.class);
            build = builder.getMethod("build");
            builderMethod = builder.getMethod("method", String.class, publisher);
            bodyPublisher = request.getMethod("bodyPublisher");
            noBody = publishers.getMethod("noBody");
            expectContinue = request.getMethod("expectContinue");
            builderExpectContinue = builder.getMethod("expectContinue", boolean.class);
            timeout = request.getMethod("timeout");
            builderTimeout = builder.getMethod("timeout", java.time.Duration.class);
            this.version = request.getMethod("version");
            builderVersion = builder.getMethod("version", version);
        }

        /** Null when {@code java.net.http} is not there (it is a JDK module: one answer per JVM). */
        static Api of(ClassLoader loader) {
            Api known = api;
            if (known != null || unavailable) {
                return known;
            }
            synchronized (Api.class) {
                if (api == null && !unavailable) {
                    try {
                        api = new Api(loader);
                    } catch (Throwable missing) {
                        unavailable = true;
                    }
                }
                return api;
            }
        }

        Object invoke(Method m, Object target, Object... arguments) {
            if (target == null) {
                return null;
            }
            try {
                return m.invoke(target, arguments);
            } catch (Throwable failed) {
                return null;
            }
        }

        /** A copy of the request with the header set, or null when it cannot be made (the original goes). */
        Object withHeader(Object request, String name, String value) {
            try {
                Object builder;
                if (copyBuilder != null) {
                    BiPredicate<String, String> all = (n, v) -> true;
                    builder = copyBuilder.invoke(null, request, all);
                } else {
                    builder = copiedBySteps(request);
                }
                setHeader.invoke(builder, name, value);
                return build.invoke(builder);
            } catch (Throwable cannot) {
                return null;
            }
        }

        /** Java 11 to 15: a new builder given the request's URI, method, body, headers and options. */
        Object copiedBySteps(Object request) throws Exception {
            Object builder = newBuilder.invoke(null, (URI) uri.invoke(request));
            Optional<?> body = (Optional<?>) bodyPublisher.invoke(request);
            builderMethod.invoke(builder, method.invoke(request), body.isPresent() ? body.get() : noBody.invoke(null));
            @SuppressWarnings("unchecked")
            Map<String, List<String>> all = (Map<String, List<String>>) headerMap.invoke(headers.invoke(request));
            for (Map.Entry<String, List<String>> e : all.entrySet()) {
                for (String v : e.getValue()) {
                    builderHeader.invoke(builder, e.getKey(), v);
                }
            }
            builderExpectContinue.invoke(builder, expectContinue.invoke(request));
            Optional<?> limit = (Optional<?>) timeout.invoke(request);
            if (limit.isPresent()) {
                builderTimeout.invoke(builder, limit.get());
            }
            Optional<?> chosen = (Optional<?>) version.invoke(request);
            if (chosen.isPresent()) {
                builderVersion.invoke(builder, chosen.get());
            }
            return builder;
        }
    }
}
