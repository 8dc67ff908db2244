package dev.xraybatch.agenttests.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.xraybatch.testsupport.ChildJvm;
import dev.xraybatch.testsupport.LocalXRayEndpoint;
import dev.xraybatch.testsupport.PostgresServer;
import dev.xraybatch.testsupport.RecordingHttpServer;
import dev.xraybatch.testsupport.Trace;
import dev.xraybatch.testsupport.TraceNode;

/**
 * Every outbound-call job, with the agent attached, against real servers: each client and version makes its
 * requests (the server sees them all, the job's own trace header unchanged), each JDBC path runs its statements,
 * and the job's trace is whole and valid, with one subsegment per request or statement (names, fields, statuses,
 * headers naming them as parent, no query or literal). {@code AsyncHttpClientsIT} adds requests in flight at once.
 */
class OutboundJobsIT {
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(2);
    private static final List<String> OUTCOMES = List.of("ok 200 2", "not-found 404 10", "throttled 429 10",
            "failed 500 10", "post 200 64", "own-header 200 2");

    static Stream<Arguments> httpJobs() {
        return Stream.of(
                Arguments.of("HttpURLConnection", UrlConnectionJob.class, "", false, true),
                Arguments.of("HttpsURLConnection", UrlConnectionJob.class, "", true, true),
                Arguments.of("java.net.http send", JdkHttpClientJob.class, "send", false, true),
                Arguments.of("java.net.http sendAsync", JdkHttpClientJob.class, "async", false, true),
                Arguments.of("java.net.http https", JdkHttpClientJob.class, "send", true, true),
                Arguments.of("Apache HttpClient 4", Apache4Job.class, "", false, true),
                Arguments.of("Apache HttpClient 5 classic", Apache5Job.class, "classic", false, true),
                Arguments.of("Apache HttpClient 5 async", Apache5Job.class, "async", false, true),
                Arguments.of("OkHttp 4", OkHttpJob.class, "", false, true));
    }

    /** {@code traced}: the client is instrumented, its requests are checked as subsegments too. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("httpJobs")
    void eachHttpClientMakesItsRequestsUnderTheAgent(String client, Class<?> job, String mode, boolean https,
                                                     boolean traced) throws Exception {
        try (RecordingHttpServer server = https ? RecordingHttpServer.https() : RecordingHttpServer.http();
             LocalXRayEndpoint endpoint = LocalXRayEndpoint.start()) {
            ChildJvm jvm = ChildJvm.main(job).name("outbound-" + job.getSimpleName()).xray(endpoint)
                    .args(server.uri("/").toString(), mode);
            server.trustStoreProperties().forEach(jvm::jvmArgs);
            // Apache HttpClient 5's default retry strategy sends a 429 again (after a second): the server sees it twice.
            Trace trace = checkHttpRun(jvm.run(RUN_TIMEOUT), server, endpoint, job == Apache5Job.class);
            if (traced) {
                checkHttpSubsegments(trace, server, endpoint);
            }
        }
    }

    /** OkHttp 3 and 5 from their own folders: the job, compiled against 4, on each line's class path. */
    @Test
    void okHttp3And5RunTheSameJob() throws Exception {
        Path dir = Paths.get(System.getProperty("outbound.clients.dir"));
        for (String version : System.getProperty("okhttp.versions").split(",")) {
            List<Path> classPath = new ArrayList<>(testClasses());
            try (Stream<Path> jars = Files.list(dir.resolve(version))) {
                jars.filter(j -> j.toString().endsWith(".jar")).sorted().forEach(classPath::add);
            }
            try (RecordingHttpServer server = RecordingHttpServer.http();
                 LocalXRayEndpoint endpoint = LocalXRayEndpoint.start()) {
                ChildJvm.Result run = ChildJvm.main(OkHttpJob.class).name("outbound-" + version)
                        .classPath(classPath).xray(endpoint).args(server.uri("/").toString()).run(RUN_TIMEOUT);
                checkHttpSubsegments(checkHttpRun(run, server, endpoint, false), server, endpoint);
                assertThat(server.requests().get(0).header("User-Agent"))
                        .isEqualTo("okhttp/" + version.substring(version.indexOf('-') + 1));
            }
        }
    }

    private static Trace checkHttpRun(ChildJvm.Result run, RecordingHttpServer server, LocalXRayEndpoint endpoint,
                                      boolean retries429) throws InterruptedException {
        run.assertExitCode(0);
        for (String outcome : OUTCOMES) {
            assertThat(run.stdout()).as(run.toString()).contains("outcome " + outcome);
        }
        assertThat(run.stdout()).containsPattern("outcome refused \\S*Connect\\S*Exception");
        List<String> paths = new ArrayList<>(List.of("/items/7", "/status/404", "/status/429", "/status/500",
                "/bytes/64", "/own"));
        if (retries429) {
            paths.add(3, "/status/429");
        }
        List<RecordingHttpServer.Request> arrived = server.awaitRequests(paths.size(), Duration.ofSeconds(5));
        assertThat(arrived).extracting(RecordingHttpServer.Request::path).containsExactlyElementsOf(paths);
        assertThat(arrived.get(0).query()).isEqualTo(HttpScenario.SECRET_QUERY);
        assertThat(arrived.get(paths.size() - 1).headers("X-Amzn-Trace-Id")).containsExactly(HttpScenario.OWN_HEADER);
        Trace trace = endpoint.awaitTrace(t -> !t.root().isInProgress(), Duration.ofSeconds(30));
        assertThat(trace.root().hasFailed()).isFalse();
        endpoint.assertNoViolations();
        return trace;
    }

    /**
     * One subsegment per request the job made (a client's retry inside one call is that call's), under the root,
     * named after the host, remote, with method and URL (never the query) and the status: 404 an error, 429 a
     * throttle, 500 and the refused connection faults. Each request the server saw names its subsegment as parent
     * in the trace header, except the one that carried the job's own header.
     */
    private static void checkHttpSubsegments(Trace trace, RecordingHttpServer server, LocalXRayEndpoint endpoint) {
        List<TraceNode> requests = trace.nodes().stream().filter(n -> !n.get("http").path("request").isMissingNode())
                .sorted(Comparator.comparingDouble(TraceNode::startTime)).collect(Collectors.toList());
        assertThat(requests).as(trace.render()).hasSize(7);
        String host = server.uri("/").getHost();
        assertThat(requests).allSatisfy(n -> {
            assertThat(n.name()).isEqualTo(host);
            assertThat(n.get("namespace").asText()).isEqualTo("remote");
            assertThat(n.parent()).hasValueSatisfying(p -> assertThat(p.isSegment()).isTrue());
            assertThat(n.get("http").path("request").path("url").asText()).doesNotContain("?");
        });
        assertThat(requests).extracting(n -> n.get("http").path("request").path("method").asText())
                .containsExactly("GET", "GET", "GET", "GET", "POST", "GET", "GET");
        assertThat(requests).extracting(n -> n.get("http").path("response").path("status").asInt(0))
                .containsExactly(200, 404, 429, 500, 200, 200, 0);
        assertThat(requests.get(0).get("http").path("request").path("url").asText())
                .isEqualTo(server.uri("/items/7").toString());
        assertThat(requests.get(4).get("http").path("response").path("content_length").asLong()).isEqualTo(64L);
        assertThat(requests).extracting(n -> n.get("error").asBoolean(false), n -> n.get("throttle").asBoolean(false),
                n -> n.get("fault").asBoolean(false)).containsExactly(
                        tuple(false, false, false), tuple(true, false, false), tuple(true, true, false),
                        tuple(false, false, true), tuple(false, false, false), tuple(false, false, false),
                        tuple(false, false, true));
        assertThat(requests.get(6).get("cause").path("exceptions").path(0).path("type").asText())
                .contains("Connect");
        for (RecordingHttpServer.Request arrived : server.requests()) {
            if (arrived.path().equals("/own")) {
                continue;
            }
            int index = List.of("/items/7", "/status/404", "/status/429", "/status/500", "/bytes/64")
                    .indexOf(arrived.path());
            assertThat(arrived.headers("X-Amzn-Trace-Id")).as(arrived.path()).containsExactly(
                    "Root=" + trace.traceId() + ";Parent=" + requests.get(index).id() + ";Sampled=1");
        }
        assertThat(endpoint.documents()).allSatisfy(doc -> assertThat(doc.toString()).doesNotContain("QueryS3cret"));
    }

    @ParameterizedTest(name = "H2 {0}")
    @MethodSource("jdbcPaths")
    void jdbcStatementsRunUnderTheAgentOnH2(String path) {
        try (LocalXRayEndpoint endpoint = LocalXRayEndpoint.start()) {
            checkJdbcRun(ChildJvm.main(JdbcJob.class).name("outbound-h2-" + path).xray(endpoint)
                    .args(path, "jdbc:h2:mem:outbound", "sa", "").run(RUN_TIMEOUT), "23505", endpoint,
                    "OUTBOUND", null);
        }
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("jdbcPaths")
    void jdbcStatementsRunUnderTheAgentOnPostgresql(String path) {
        PostgresServer postgres = PostgresServer.find();
        assumeTrue(postgres != null, () -> "skipped: " + PostgresServer.whyNot());
        try (LocalXRayEndpoint endpoint = LocalXRayEndpoint.start()) {
            checkJdbcRun(ChildJvm.main(JdbcJob.class).name("outbound-postgres-" + path).xray(endpoint)
                    .args(path, postgres.jdbcUrl(), postgres.user(), postgres.password()).run(RUN_TIMEOUT),
                    "23505", endpoint, postgresName(postgres.jdbcUrl()), postgres.password());
        }
    }

    static Stream<String> jdbcPaths() {
        return Stream.of("direct", "pool");
    }

    /** {@code database@host} of a {@code jdbc:postgresql://host:port/database?...} URL. */
    private static String postgresName(String jdbcUrl) {
        URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
        return uri.getPath().substring(1) + "@" + uri.getHost();
    }

    /**
     * The job's seven executions, each one subsegment (a pool's wrapper and its driver count once) under the root,
     * named after the database, in X-Ray's remote namespace with its sql block and the sanitized text; the
     * duplicate insert a fault with its SQL state; no literal the job sent and no password in any document.
     */
    private static void checkJdbcRun(ChildJvm.Result run, String duplicateState, LocalXRayEndpoint endpoint,
                                     String databaseName, String password) {
        run.assertExitCode(0);
        assertThat(run.stdout()).as(run.toString()).contains("outcome create ok", "outcome insert 1",
                "outcome select found", "outcome batch 3", "outcome call positive",
                "outcome duplicate " + duplicateState, "outcome drop ok");
        Trace trace = endpoint.awaitTrace(t -> !t.root().isInProgress(), Duration.ofSeconds(30));
        assertThat(trace.root().hasFailed()).isFalse();
        endpoint.assertNoViolations();
        assertThat(endpoint.documents()).allSatisfy(doc -> assertThat(doc.toString())
                .doesNotContain(JdbcJob.SECRET_TEXT).doesNotContain(JdbcJob.SECRET_NUMBER));
        if (password != null) {
            assertThat(endpoint.documents()).allSatisfy(doc -> assertThat(doc.toString()).doesNotContain(password));
        }
        List<TraceNode> statements = trace.nodes().stream().filter(n -> !n.get("sql").isMissingNode())
                .sorted(Comparator.comparingDouble(TraceNode::startTime)).collect(Collectors.toList());
        assertThat(statements).as(trace.render()).hasSize(7);
        // The job names its table after its pid.
        String table = statements.get(0).get("sql").path("sanitized_query").asText().replaceAll(
                "^CREATE TABLE (outbound_[0-9]+) .*", "$1");
        assertThat(statements).extracting(n -> n.get("sql").path("sanitized_query").asText()).as(trace.render())
                .containsExactly(
                        "CREATE TABLE " + table + " (id BIGINT PRIMARY KEY, name VARCHAR(?))",
                        "INSERT INTO " + table + " VALUES (?, ?)",
                        "SELECT name FROM " + table + " WHERE id = ?",
                        "INSERT INTO " + table + " VALUES (?, ?)",
                        statements.get(4).get("sql").path("sanitized_query").asText(),
                        "INSERT INTO " + table + " VALUES (?, ?)",
                        "DROP TABLE " + table);
        assertThat(statements.get(4).get("sql").path("sanitized_query").asText()).as(trace.render())
                .matches("\\{\\? = call (abs|ABS)\\(-?\\?\\)\\}");
        assertThat(statements).allSatisfy(n -> {
            assertThat(n.name()).isEqualTo(databaseName);
            assertThat(n.get("namespace").asText()).isEqualTo("remote");
            assertThat(n.parent()).hasValueSatisfying(p -> assertThat(p.isSegment()).isTrue());
            assertThat(n.get("sql").path("url").asText()).startsWith("jdbc:");
            assertThat(n.get("sql").path("database_type").asText()).isNotEmpty();
        });
        assertThat(statements).extracting(n -> n.get("sql").path("preparation").asText())
                .containsExactly("statement", "statement", "statement", "statement", "call", "statement",
                        "statement");
        assertThat(statements).extracting(TraceNode::hasFailed)
                .containsExactly(false, false, false, false, false, true, false);
        TraceNode duplicate = statements.get(5);
        assertThat(duplicate.get("fault").asBoolean()).isTrue();
        assertThat(duplicate.get("cause").path("exceptions").path(0).path("message").asText())
                .startsWith("SQLSTATE " + duplicateState);
    }

    private static List<Path> testClasses() throws IOException {
        List<Path> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.endsWith("test-classes")) {
                entries.add(Paths.get(entry));
            }
        }
        assertThat(entries).as("test-classes on the class path").hasSize(1);
        return entries;
    }
}
