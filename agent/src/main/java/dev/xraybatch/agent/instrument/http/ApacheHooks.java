package dev.xraybatch.agent.instrument.http;

import dev.xraybatch.agent.instrument.hook.Hook;
import dev.xraybatch.agent.instrument.hook.HookSite;
import dev.xraybatch.agent.instrument.hook.Reflective;

import java.net.URI;

/**
 * Apache HttpClient's classic clients, 4.x ({@code org.apache.http}) and 5.x ({@code org.apache.hc.client5}):
 * every {@code execute} overload ends in the client's {@code doExecute(host, request, context)}, one subsegment
 * per call to it. Retries (5.x sends a 429 again once by default) happen inside it: one subsegment per request the
 * application made, with the last attempt's status, and every attempt carries the same trace header. Read by
 * name: the two lines differ only in how a request tells its method and URI and a response its status.
 */
final class ApacheHooks implements Hook {
    private static final Class<?>[] NAME_AND_STRING = {String.class, String.class};
    private static final Class<?>[] NAME_AND_OBJECT = {String.class, Object.class};

    private final HttpRecorder recorder;
    /** True for 5.x ({@code getMethod}, {@code getUri}, {@code getCode}); false for 4.x (request and status lines). */
    private final boolean five;

    ApacheHooks(HttpRecorder recorder, boolean five) {
        this.recorder = recorder;
        this.five = five;
    }

    @Override
    public Object enter(HookSite site, Object subject, Object[] arguments) {
        if (arguments == null || arguments.length < 2 || arguments[1] == null) {
            return null;
        }
        final Object request = arguments[1];
        String method;
        String target;
        if (five) {
            method = (String) Reflective.call(request, "getMethod");
            Object uri = Reflective.call(request, "getUri");
            target = uri == null ? null : uri.toString();
        } else {
            Object line = Reflective.call(request, "getRequestLine");
            method = (String) Reflective.call(line, "getMethod");
            target = (String) Reflective.call(line, "getUri");
        }
        if (target == null) {
            return null;
        }
        URI uri = URI.create(target);
        if (!uri.isAbsolute() && arguments[0] != null) {
            Object host = Reflective.call(arguments[0], "toURI");
            if (host != null) {
                uri = URI.create(host.toString()).resolve(uri);
            }
        }
        return recorder.begin(method, uri, new HttpRecorder.Headers() {
            @Override
            public String get(String name) {
                Object header = Reflective.call(request, "getFirstHeader", name);
                return header == null ? null : (String) Reflective.call(header, "getValue");
            }

            @Override
            public void set(String name, String value) {
                // 4.x: setHeader(String, String); 5.x: setHeader(String, Object).
                Reflective.callTyped(request, "setHeader", five ? NAME_AND_OBJECT : NAME_AND_STRING, name, value);
            }
        });
    }

    @Override
    public void exit(HookSite site, Object token, Object subject, Object returned, Throwable thrown) {
        HttpCall call = (HttpCall) token;
        int status = 0;
        long length = -1L;
        if (returned != null) {
            Object code = five ? Reflective.call(returned, "getCode")
                    : Reflective.call(Reflective.call(returned, "getStatusLine"), "getStatusCode");
            status = code instanceof Integer ? (Integer) code : 0;
            Object contentLength = Reflective.call(Reflective.call(returned, "getEntity"), "getContentLength");
            length = contentLength instanceof Long ? (Long) contentLength : -1L;
        }
        recorder.finish(call, status, length, thrown);
    }

    @Override
    public String toString() {
        return five ? "Apache HttpClient 5 request" : "Apache HttpClient 4 request";
    }
}
