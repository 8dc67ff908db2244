package dev.xraybatch.benchmarks.outbound;

import com.sun.net.httpserver.HttpServer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

/**
 * One outbound call of each kind the agent traces, as the application sees it: a prepared query on an in-memory
 * H2 database (one row by key), and a GET to a loopback server answering 2 bytes through HttpURLConnection and
 * through {@code java.net.http.HttpClient.send} (whose immutable request the agent copies to add the trace
 * header). Run the forks
 * twice, without and with the agent ({@code -jvmArgsAppend -javaagent:...=exporter=file,trace_file=...}), and
 * compare: the difference is what the agent adds per call. All calls run under the root: past the first
 * {@code jdbc.summary_after} / {@code http.summary_after} (20) they are counted into their summary, so this is
 * the cost of a batch loop's steady state (the per-kind limit, the summary's counters, the trace header).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class OutboundCallBenchmark {
    private Connection database;
    private PreparedStatement select;
    private HttpServer server;
    private URL url;
    private HttpClient client;
    private HttpRequest request;

    @Setup(Level.Trial)
    public void start() throws SQLException, IOException {
        database = DriverManager.getConnection("jdbc:h2:mem:bench;DB_CLOSE_DELAY=-1", "sa", "");
        database.createStatement().execute("CREATE TABLE IF NOT EXISTS item (id BIGINT PRIMARY KEY, name VARCHAR(40))");
        database.createStatement().execute("MERGE INTO item VALUES (7, 'seven')");
        select = database.prepareStatement("SELECT name FROM item WHERE id = ?");
        // The JDK server's replies otherwise wait for the client's delayed ACK (40 ms per call).
        System.setProperty("sun.net.httpserver.nodelay", "true");
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.createContext("/", exchange -> {
            byte[] body = {'o', 'k'};
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        url = new URL("http://127.0.0.1:" + server.getAddress().getPort() + "/items/7");
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        request = HttpRequest.newBuilder(URI.create(url.toString())).build();
    }

    @TearDown(Level.Trial)
    public void stop() throws SQLException {
        select.close();
        database.close();
        server.stop(0);
    }

    @Benchmark
    public String jdbcQuery() throws SQLException {
        select.setLong(1, 7L);
        try (ResultSet rows = select.executeQuery()) {
            return rows.next() ? rows.getString(1) : null;
        }
    }

    @Benchmark
    public int httpGet() throws IOException {
        HttpURLConnection connection = (HttpURLConnection) url.openConnection();
        int status = connection.getResponseCode();
        try (InputStream in = connection.getInputStream()) {
            while (in.read() >= 0) {
                // drain, so that the connection is kept alive for the next call
            }
        }
        return status;
    }

    @Benchmark
    public int jdkHttpClientSend() throws IOException, InterruptedException {
        return client.send(request, HttpResponse.BodyHandlers.ofByteArray()).statusCode();
    }
}
