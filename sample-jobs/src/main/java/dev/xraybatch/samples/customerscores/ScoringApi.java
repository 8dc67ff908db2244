package dev.xraybatch.samples.customerscores;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;

import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.io.entity.EntityUtils;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The scoring service the job calls, through the two clients a job of this kind typically mixes: Apache
 * HttpClient 5 for the per-customer scores, the JDK's HttpURLConnection for the one summary it posts at the end.
 */
final class ScoringApi implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final CloseableHttpClient client = HttpClients.createDefault();

    ScoringApi(URI base) {
        this.base = base;
    }

    /** {@code GET /scores/<id>?country=..}: the customer's score; the API answers 404 for unknown customers. */
    int score(Customer customer) throws IOException {
        HttpGet get = new HttpGet(base.resolve("scores/" + customer.id + "?country=" + customer.country));
        return client.execute(get, response -> {
            String body = response.getEntity() == null ? "" : EntityUtils.toString(response.getEntity());
            if (response.getCode() == 404) {
                return -1;
            }
            if (response.getCode() != 200) {
                throw new IOException("scoring API answered " + response.getCode() + " for customer " + customer.id);
            }
            return JSON.readTree(body).path("score").asInt();
        });
    }

    /** {@code POST /runs}: what the run scored, for the API's own bookkeeping. */
    void reportRun(String runId, int scored, int unknown) throws IOException {
        HttpURLConnection post = (HttpURLConnection) base.resolve("runs").toURL().openConnection();
        post.setRequestMethod("POST");
        post.setDoOutput(true);
        post.setRequestProperty("Content-Type", "application/json");
        JsonNode body = JSON.createObjectNode().put("run", runId).put("scored", scored).put("unknown", unknown);
        try (OutputStream out = post.getOutputStream()) {
            out.write(JSON.writeValueAsBytes(body));
        }
        int status = post.getResponseCode();
        try (InputStream in = status < 400 ? post.getInputStream() : post.getErrorStream()) {
            if (in != null) {
                while (in.read() >= 0) {
                    // Drained, so the connection can be reused.
                }
            }
        }
        if (status >= 300) {
            throw new IOException("scoring API refused the run report: " + status);
        }
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}
