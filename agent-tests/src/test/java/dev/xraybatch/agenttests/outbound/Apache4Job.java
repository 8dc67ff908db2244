package dev.xraybatch.agenttests.outbound;

import java.net.URI;

import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.RequestBuilder;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.util.EntityUtils;

/** Apache HttpClient 4.x (classic) running {@link HttpScenario}. Arguments: the server's base URL. */
public final class Apache4Job {
    private Apache4Job() {
    }

    public static void main(String[] args) throws Exception {
        try (CloseableHttpClient client = HttpClients.createSystem()) {
            HttpScenario.run(URI.create(args[0]), (method, uri, headers, body) -> {
                RequestBuilder request = RequestBuilder.create(method).setUri(uri);
                headers.forEach(request::addHeader);
                if (body != null) {
                    request.setEntity(new ByteArrayEntity(body));
                }
                try (CloseableHttpResponse response = client.execute(request.build())) {
                    byte[] read = response.getEntity() == null ? new byte[0]
                            : EntityUtils.toByteArray(response.getEntity());
                    return new long[] {response.getStatusLine().getStatusCode(), read.length};
                }
            });
        }
    }
}
