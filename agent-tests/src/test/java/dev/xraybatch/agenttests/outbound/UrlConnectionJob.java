package dev.xraybatch.agenttests.outbound;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.util.Map;

/**
 * HttpURLConnection (http, or https with the trust store the IT passes) running {@link HttpScenario}.
 * Arguments: the server's base URL.
 */
public final class UrlConnectionJob {
    private UrlConnectionJob() {
    }

    public static void main(String[] args) throws Exception {
        HttpScenario.run(URI.create(args[0]), UrlConnectionJob::send);
    }

    static long[] send(String method, URI uri, Map<String, String> headers, byte[] body) throws Exception {
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
        connection.setRequestMethod(method);
        connection.setConnectTimeout(5000);
        headers.forEach(connection::setRequestProperty);
        if (body != null) {
            connection.setDoOutput(true);
            try (OutputStream out = connection.getOutputStream()) {
                out.write(body);
            }
        }
        int status = connection.getResponseCode();
        long read = 0;
        try (InputStream in = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
            if (in != null) {
                read = in.readAllBytes().length;
            }
        }
        return new long[] {status, read};
    }
}
