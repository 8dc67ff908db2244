package dev.xraybatch.agenttests.outbound;

import java.net.URI;
import java.util.concurrent.TimeUnit;

import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * OkHttp running {@link HttpScenario}. Compiled against OkHttp 4 through the Java API that 3.x, 4.x and 5.x share
 * (builders, {@code code()}, {@code body()}), so the same class runs on each version's class path (the
 * {@code outbound.clients.dir} folders; its default User-Agent, {@code okhttp/<version>}, tells which ran).
 * Arguments: the server's base URL.
 */
public final class OkHttpJob {
    private OkHttpJob() {
    }

    public static void main(String[] args) throws Exception {
        OkHttpClient client = new OkHttpClient.Builder().connectTimeout(5, TimeUnit.SECONDS).build();
        try {
            HttpScenario.run(URI.create(args[0]), (method, uri, headers, body) -> {
                Request.Builder request = new Request.Builder().url(uri.toString());
                headers.forEach(request::header);
                request.method(method, body == null ? null
                        : RequestBody.create(MediaType.parse("text/plain"), body));
                try (Response response = client.newCall(request.build()).execute()) {
                    ResponseBody read = response.body();
                    return new long[] {response.code(), read == null ? 0 : read.bytes().length};
                }
            });
        } finally {
            client.dispatcher().executorService().shutdown();
            client.connectionPool().evictAll();
        }
    }
}
