package dev.xraybatch.agent.instrument.http;

import dev.xraybatch.agent.instrument.hook.Hook;
import dev.xraybatch.agent.instrument.hook.HookSite;

import java.io.FileNotFoundException;
import java.net.HttpURLConnection;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The JDK's {@code sun.net.www.protocol.http.HttpURLConnection} (https too: its https connection delegates to a
 * subclass). A request has no single method: it begins at the first of {@code connect}, {@code getOutputStream},
 * {@code getInputStream} (before anything is sent, while the trace header can still be set) and ends when
 * {@code getInputStream} returns or throws (the status is known then; {@code getResponseCode} goes through it),
 * or when connecting or opening the body fails. One subsegment per connection object, however often the job
 * asks it for its streams.
 */
final class UrlConnectionHooks implements Hook {
    /** What the hooks began, per connection (weakly: a connection the job drops goes with its entry). */
    private final Map<HttpURLConnection, HttpCall> calls = new WeakHashMap<>();
    /** Set while a hook reads the connection: the reads go through the instrumented methods again. */
    private static final ThreadLocal<boolean[]> READING = new ThreadLocal<boolean[]>() {
        @Override
        protected boolean[] initialValue() {
            return new boolean[1];
        }
    };

    private final HttpRecorder recorder;

    UrlConnectionHooks(HttpRecorder recorder) {
        this.recorder = recorder;
    }

    /** The token of the method that began the request: its exit leaves it. */
    private static final class Began {
        final HttpCall call;

        Began(HttpCall call) {
            this.call = call;
        }
    }

    @Override
    public Object enter(HookSite site, Object subject, Object[] arguments) {
        if (!(subject instanceof HttpURLConnection) || READING.get()[0]) {
            return null;
        }
        HttpURLConnection connection = (HttpURLConnection) subject;
        synchronized (calls) {
            HttpCall known = calls.get(connection);
            if (known != null) {
                return known;
            }
        }
        HttpCall call = recorder.begin(connection);
        if (call == null) {
            return null;
        }
        synchronized (calls) {
            calls.put(connection, call);
        }
        return new Began(call);
    }

    @Override
    public void exit(HookSite site, Object token, Object subject, Object returned, Throwable thrown) {
        boolean began = token instanceof Began;
        HttpCall call = began ? ((Began) token).call : (HttpCall) token;
        try {
            if ("getInputStream".equals(site.methodName)) {
                int status = 0;
                long length = -1L;
                // A status the server sent comes back as an exception (404, 500...): read it then too. Another
                // failure (no reply) is left alone, so that asking never makes the connection try again.
                if (thrown == null || thrown instanceof FileNotFoundException || (thrown.getMessage() != null
                        && thrown.getMessage().startsWith("Server returned HTTP response code"))) {
                    HttpURLConnection connection = (HttpURLConnection) subject;
                    boolean[] reading = READING.get();
                    reading[0] = true;
                    try {
                        status = connection.getResponseCode();
                        length = thrown == null ? connection.getContentLengthLong() : -1L;
                    } catch (Throwable unreadable) {
                        status = 0;
                    } finally {
                        reading[0] = false;
                    }
                }
                recorder.end(call, Math.max(0, status), length, status > 0 ? null : thrown);
            } else if (thrown != null) {
                recorder.end(call, 0, -1L, thrown);
            }
        } finally {
            if (began) {
                recorder.leave(call);
            }
        }
    }

    @Override
    public String toString() {
        return "HttpURLConnection request";
    }
}
