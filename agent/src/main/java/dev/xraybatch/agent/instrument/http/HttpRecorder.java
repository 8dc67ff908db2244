package dev.xraybatch.agent.instrument.http;

import dev.xraybatch.agent.export.ExportPipeline;
import dev.xraybatch.agent.trace.Entity;
import dev.xraybatch.agent.trace.ForeignException;
import dev.xraybatch.agent.trace.Kind;
import dev.xraybatch.agent.trace.Subsegment;
import dev.xraybatch.agent.trace.Tracer;

import java.net.HttpURLConnection;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What every HTTP client's advice calls: one {@code remote} subsegment per request, named after the host, with
 * X-Ray's {@code http.request} (method, url without query or user info) and {@code http.response} (status,
 * content_length); 4xx an error, 429 a throttle, 5xx a fault, an exception a fault with its cause. The request
 * carries {@code X-Amzn-Trace-Id} naming the subsegment as parent, so that a traced server joins the trace.
 *
 * <p>Client-agnostic: advice for Apache HttpClient and OkHttp reads their objects reflectively and passes plain
 * values and a {@link Headers} view of the request; only {@link HttpURLConnection} is read here (a JDK type on
 * every Java the agent runs on; {@code java.net.http} is not on Java 8, so its advice passes values too).
 *
 * <p>Not recorded: requests made by the agent's export thread, requests the AWS SDK sends (its own
 * instrumentation records the call, with the service's fields), and requests inside a remote call already
 * recorded on this thread (a client on top of another, a JDBC driver speaking HTTP).
 */
public final class HttpRecorder {
    public static final String TRACE_HEADER = "X-Amzn-Trace-Id";
    /** Set by the AWS SDK for Java (1.x and 2.x) on every request it sends. */
    static final String AWS_SDK_REQUEST_HEADER = "amz-sdk-invocation-id";
    /** The X-Ray API's PutTraceSegments path: an unrelocated X-Ray client of the application's, or ours. */
    private static final String XRAY_PUT_PATH = "/TraceSegments";

    /** Requests open on this thread (between begin and leave): the outermost is recorded. */
    private static final ThreadLocal<int[]> DEPTH = new ThreadLocal<int[]>() {
        @Override
        protected int[] initialValue() {
            return new int[1];
        }
    };

    /** The request's headers as the client holds them. */
    public interface Headers {
        /** The header's value, or null; names are case-insensitive. */
        String get(String name);

        /** Adds the header; a client whose request can no longer change ignores it. */
        void set(String name, String value);
    }

    private final boolean propagate;
    private final boolean awsSdkTraced;
    private final int summaryAfter;

    /**
     * @param propagate    {@code http.propagate}: add the trace header to requests that carry none
     * @param awsSdkTraced the AWS SDK instrumentation is on: its requests are left to it
     */
    public HttpRecorder(boolean propagate, boolean awsSdkTraced) {
        this(propagate, awsSdkTraced, Integer.MAX_VALUE);
    }

    /**
     * @param summaryAfter {@code http.summary_after}: requests of one method to one host under one parent that
     *                     get a subsegment; the rest are counted into one summary
     */
    public HttpRecorder(boolean propagate, boolean awsSdkTraced, int summaryAfter) {
        this.propagate = propagate;
        this.awsSdkTraced = awsSdkTraced;
        this.summaryAfter = summaryAfter;
    }

    /**
     * Opens the request's subsegment under what is current on this thread (without making it current: an async
     * reply ends it elsewhere) and sets the trace header. Returns null when nothing is recorded; otherwise the
     * caller passes the result to {@link #leave} when the method that began it returns (on this thread), and to
     * {@link #end} when the reply or failure is known (on any thread).
     *
     * @param headers the request's headers, or null when they cannot be read or changed
     */
    public HttpCall begin(String method, URI uri, Headers headers) {
        Tracer tracer = Tracer.get();
        if (tracer == null || ExportPipeline.WORKER_THREAD_NAME.equals(Thread.currentThread().getName())) {
            return null;
        }
        int[] depth = DEPTH.get();
        if (depth[0]++ > 0) {
            return HttpCall.NESTED;
        }
        try {
            return open(tracer, method, uri, headers);
        } catch (Throwable agentFault) {
            return HttpCall.NESTED;
        }
    }

    private HttpCall open(Tracer tracer, String method, URI uri, Headers headers) {
        String host = HttpUrls.host(uri);
        if (host == null || XRAY_PUT_PATH.equals(uri.getRawPath())
                || (awsSdkTraced && headers != null && headers.get(AWS_SDK_REQUEST_HEADER) != null)) {
            return HttpCall.NESTED;
        }
        Entity parent = tracer.current();
        if (parent.kind() == Kind.REMOTE_CALL || parent.kind() == Kind.AWS_CALL) {
            return HttpCall.NESTED;
        }
        String verb = method == null ? "GET" : method.toUpperCase(Locale.ROOT);
        // Per kind (method and host) under one parent: past the limit a request only counts into its summary.
        Subsegment s = tracer.beginLimited(HttpCall.kind(verb, host), summaryAfter);
        if (s.isSummarizedCall()) {
            // It is in no document: the server's side names the parent as the request's parent.
            setTraceHeader(headers, "Root=" + parent.traceId() + ";Parent=" + parent.id() + ";Sampled=1");
            return new HttpCall(s, host, verb);
        }
        s.setName(host);
        tracer.detach(parent);
        s.setNamespace("remote");
        s.setKind(Kind.REMOTE_CALL);
        s.putHttp("request", "method", verb);
        s.putHttp("request", "url", HttpUrls.safeUrl(uri));
        setTraceHeader(headers, traceHeader(s));
        return new HttpCall(s, host, verb);
    }

    private void setTraceHeader(Headers headers, String value) {
        if (propagate && headers != null) {
            try {
                if (headers.get(TRACE_HEADER) == null) {
                    headers.set(TRACE_HEADER, value);
                }
            } catch (Throwable clientRefused) {
                // A request already sent, or immutable headers: it goes without.
            }
        }
    }

    /** {@code Root=<trace>;Parent=<this request's subsegment>;Sampled=1}. */
    static String traceHeader(Subsegment s) {
        return "Root=" + s.traceId() + ";Parent=" + s.id() + ";Sampled=1";
    }

    /** Lowers this thread's depth; call on the return of the method that called {@link #begin}, whatever happened. */
    public void leave(HttpCall call) {
        if (call == null) {
            return;
        }
        int[] depth = DEPTH.get();
        if (depth[0] > 0) {
            depth[0]--;
        }
    }

    /**
     * Ends the request: the reply's status (0: none) and body length (negative: unknown), or what the client threw
     * (no reply). Only the first end of a call counts.
     */
    public void end(HttpCall call, int status, long contentLength, Throwable error) {
        if (call == null || call.subsegment == null || !call.markEnded()) {
            return;
        }
        Tracer tracer = Tracer.get();
        if (tracer == null) {
            return;
        }
        Subsegment s = call.subsegment;
        try {
            if (status > 0) {
                s.putHttp("response", "status", status);
                if (status == 429) {
                    s.markThrottle();
                } else if (status >= 500) {
                    s.markFault();
                } else if (status >= 400) {
                    s.markError();
                }
            }
            if (contentLength >= 0 && status > 0) {
                s.putHttp("response", "content_length", contentLength);
            }
            if (error != null) {
                s.markFault();
                s.recordException(withoutQueries(error), false);
            }
        } catch (Throwable agentFault) {
            // The call still ends below.
        }
        tracer.end(s, null);
    }

    /** {@link #end} then {@link #leave}: a synchronous client's exit. */
    public void finish(HttpCall call, int status, long contentLength, Throwable error) {
        end(call, status, contentLength, error);
        leave(call);
    }

    /**
     * HttpURLConnection, read where its advice can: the request method and URL before it connects; the headers
     * through its own request properties (settable until it connects).
     */
    public HttpCall begin(final HttpURLConnection connection) {
        URI uri;
        try {
            uri = connection.getURL().toURI();
        } catch (Exception notAUri) {
            return null;
        }
        return begin(connection.getRequestMethod(), uri, new Headers() {
            @Override
            public String get(String name) {
                try {
                    return connection.getRequestProperty(name);
                } catch (IllegalStateException connected) {
                    return null;
                }
            }

            @Override
            public void set(String name, String value) {
                connection.setRequestProperty(name, value);
            }
        });
    }

    /**
     * Messages of HTTP clients quote the URL (HttpURLConnection's FileNotFoundException is nothing else): such a
     * message is recorded without its query strings and user info, with the exception's type and stack.
     */
    static Throwable withoutQueries(Throwable error) {
        String message;
        try {
            message = error.getMessage();
        } catch (Throwable broken) {
            return error;
        }
        String safe = HttpUrls.withoutQueries(message);
        if (safe == null || safe.equals(message)) {
            return error;
        }
        StackTraceElement[] stack = error.getStackTrace();
        List<ForeignException.Frame> frames = new ArrayList<>(Math.min(stack.length, 50));
        for (int i = 0; i < stack.length && i < 50; i++) {
            StackTraceElement f = stack[i];
            frames.add(new ForeignException.Frame(f.getFileName() == null ? f.getClassName() : f.getFileName(),
                    Math.max(0, f.getLineNumber()), f.getClassName() + "." + f.getMethodName()));
        }
        return new ForeignException(error.getClass().getName(), safe, frames, null);
    }
}
