package dev.xraybatch.agenttests.outbound;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * java.net.http.HttpClient running {@link HttpScenario}, with {@code send} or {@code sendAsync} (the reply
 * awaited, so that the order of outcomes is fixed). Arguments: the server's base URL, {@code send|async}.
 */
public final class JdkHttpClientJob {
    private JdkHttpClientJob() {
    }

    public static void main(String[] args) throws Exception {
        boolean async = args.length > 1 && args[1].equals("async");
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpScenario.run(URI.create(args[0]), (method, uri, headers, body) -> {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).method(method, body == null
                    ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            headers.forEach(request::header);
            HttpResponse<byte[]> response = async
                    ? client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray()).get()
                    : client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new long[] {response.statusCode(), response.body().length};
        });
    }
}
