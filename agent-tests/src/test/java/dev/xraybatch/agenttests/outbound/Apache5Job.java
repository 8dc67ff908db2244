package dev.xraybatch.agenttests.outbound;

import java.net.URI;
import java.util.concurrent.Future;

import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.support.ClassicRequestBuilder;

/**
 * Apache HttpClient 5.x running {@link HttpScenario}: the classic client, or the async one (its future awaited).
 * Arguments: the server's base URL, {@code classic|async}.
 */
public final class Apache5Job {
    private Apache5Job() {
    }

    public static void main(String[] args) throws Exception {
        URI base = URI.create(args[0]);
        if (args.length > 1 && args[1].equals("async")) {
            try (CloseableHttpAsyncClient client = HttpAsyncClients.createSystem()) {
                client.start();
                HttpScenario.run(base, (method, uri, headers, body) -> {
                    SimpleRequestBuilder request = SimpleRequestBuilder.create(method).setUri(uri);
                    headers.forEach(request::addHeader);
                    if (body != null) {
                        request.setBody(body, ContentType.TEXT_PLAIN);
                    }
                    SimpleHttpRequest built = request.build();
                    Future<SimpleHttpResponse> reply = client.execute(built, null);
                    SimpleHttpResponse response = reply.get();
                    byte[] read = response.getBodyBytes();
                    return new long[] {response.getCode(), read == null ? 0 : read.length};
                });
            }
            return;
        }
        try (CloseableHttpClient client = HttpClients.createSystem()) {
            HttpScenario.run(base, (method, uri, headers, body) -> {
                ClassicRequestBuilder request = ClassicRequestBuilder.create(method).setUri(uri);
                headers.forEach(request::addHeader);
                if (body != null) {
                    request.setEntity(new ByteArrayEntity(body, ContentType.TEXT_PLAIN));
                }
                return client.execute(request.build(), response -> {
                    byte[] read = response.getEntity() == null ? new byte[0]
                            : EntityUtils.toByteArray(response.getEntity());
                    return new long[] {response.getCode(), read.length};
                });
            });
        }
    }
}
