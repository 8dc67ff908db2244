package dev.xraybatch.samples;

import static dev.xraybatch.samples.SampleRuns.sdkCalls;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.xraybatch.samples.customerscores.CustomerScoresJob;
import dev.xraybatch.testsupport.ChildJvm;
import dev.xraybatch.testsupport.LocalXRayEndpoint;
import dev.xraybatch.testsupport.MotoServer;
import dev.xraybatch.testsupport.PostgresServer;
import dev.xraybatch.testsupport.TraceNode;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The customer-scores sample as AWS Batch would run it: customers in a real PostgreSQL (read through HikariCP),
 * a local scoring API (answering 404 for one customer), the report to moto's S3. Checks what the job did and
 * its trace: root, steps, the S3 call, and the SQL statements and HTTP requests under the steps that made them.
 */
class CustomerScoresJobIT {
    static final String JOB_ID = "7c1e2a90-3f4b-4d6e-9a8b-1c2d3e4f5a6b";
    /** Customer ids and countries; 104 is unknown to the API, 105 is inactive. */
    static final Map<Long, String> CUSTOMERS = new LinkedHashMap<>();

    static {
        CUSTOMERS.put(101L, "FR");
        CUSTOMERS.put(102L, "DE");
        CUSTOMERS.put(103L, "US");
        CUSTOMERS.put(104L, "FR");
        CUSTOMERS.put(105L, "IT");
    }

    static PostgresServer postgres;
    static MotoServer moto;
    static S3Client s3;
    static HttpServer api;
    static final List<String> apiRequests = Collections.synchronizedList(new ArrayList<>());
    static LocalXRayEndpoint endpoint;
    static String bucket;
    static ChildJvm.Result run;

    @BeforeAll
    static void runTheJob() throws Exception {
        postgres = PostgresServer.find();
        assumeTrue(postgres != null, () -> "skipped: " + PostgresServer.whyNot());
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), postgres.password());
             Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS customer");
            s.execute("CREATE TABLE customer (id BIGINT PRIMARY KEY, country TEXT, active BOOLEAN, score INT)");
            for (Map.Entry<Long, String> customer : CUSTOMERS.entrySet()) {
                s.execute("INSERT INTO customer VALUES (" + customer.getKey() + ", '" + customer.getValue() + "', "
                        + (customer.getKey() != 105L) + ", NULL)");
            }
        }
        moto = MotoServer.startOrReuse();
        s3 = SampleRuns.s3(moto.endpoint());
        bucket = "scores-" + Long.toHexString(System.nanoTime());
        s3.createBucket(r -> r.bucket(bucket));
        api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        api.createContext("/", CustomerScoresJobIT::answer);
        api.start();
        endpoint = LocalXRayEndpoint.start();
        run = SampleRuns.packagedJob(CustomerScoresJob.class.getName(), "customer-scores", endpoint, moto.endpoint())
                .env("AWS_BATCH_JOB_ID", JOB_ID)
                .env("AWS_BATCH_JOB_NAME", "customer-scores")
                .env("AWS_BATCH_JOB_ATTEMPT", "1")
                .env("DB_URL", postgres.jdbcUrl())
                .env("DB_USER", postgres.user())
                .env("DB_PASSWORD", postgres.password())
                .args("http://127.0.0.1:" + api.getAddress().getPort() + "/", "s3://" + bucket + "/reports/")
                .run(SampleRuns.RUN_TIMEOUT);
    }

    /** GET /scores/<id>: {"score": id * 3 % 850}; 104 is unknown (404). POST /runs: 201. */
    private static void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            apiRequests.add(exchange.getRequestMethod() + " " + path);
            exchange.getRequestBody().readAllBytes();
            int status;
            byte[] body;
            if (path.startsWith("/scores/") && !path.equals("/scores/104")) {
                long id = Long.parseLong(path.substring("/scores/".length()));
                status = 200;
                body = ("{\"score\":" + (id * 3 % 850) + "}").getBytes(StandardCharsets.UTF_8);
            } else if (path.equals("/runs") && exchange.getRequestMethod().equals("POST")) {
                status = 201;
                body = "{}".getBytes(StandardCharsets.UTF_8);
            } else {
                status = 404;
                body = "{\"error\":\"unknown\"}".getBytes(StandardCharsets.UTF_8);
            }
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    @AfterAll
    static void stop() {
        if (endpoint != null) {
            endpoint.close();
        }
        if (api != null) {
            api.stop(0);
        }
        if (s3 != null) {
            s3.close();
        }
        if (moto != null) {
            moto.close();
        }
    }

    @Test
    void theJobScoresTheActiveCustomersSavesThemAndWritesItsReport() throws Exception {
        run.assertExitCode(0);
        assertThat(run.stdout()).contains("scored 3 of 4 customers, saved 3, report s3://" + bucket
                + "/reports/scores-" + JOB_ID + ".json");
        Map<Long, Integer> saved = new LinkedHashMap<>();
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), postgres.password());
             Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT id, score FROM customer ORDER BY id")) {
            while (rows.next()) {
                saved.put(rows.getLong(1), rows.getObject(2) == null ? null : rows.getInt(2));
            }
        }
        assertThat(saved).containsEntry(101L, 303).containsEntry(102L, 306).containsEntry(103L, 309)
                .containsEntry(104L, null).containsEntry(105L, null);
        JsonNode report = new ObjectMapper().readTree(s3.getObjectAsBytes(
                r -> r.bucket(bucket).key("reports/scores-" + JOB_ID + ".json")).asByteArray());
        assertThat(report).hasSize(4);
        assertThat(apiRequests).containsExactly("GET /scores/101", "GET /scores/102", "GET /scores/103",
                "GET /scores/104", "POST /runs");
    }

    @Test
    void theRootHasTheJobsStepsAndTheReportsS3Call() {
        TraceNode root = SampleRuns.finishedTrace(endpoint).root();
        assertThat(root.name()).isEqualTo("customer-scores");
        assertThat(root.annotation("batch_job_id").asText()).isEqualTo(JOB_ID);
        assertThat(root.hasFailed()).isFalse();
        assertThat(root.children()).extracting(TraceNode::name).containsSubsequence("JVM start-up",
                "read customers", "score customers", "save scores", "write report", "report run", "JVM shut-down");
        assertThat(root.child("read customers").annotation("customers").asInt()).isEqualTo(4);
        assertThat(root.child("score customers").annotation("scored").asInt()).isEqualTo(3);
        assertThat(root.child("save scores").annotation("saved").asInt()).isEqualTo(3);
        TraceNode write = root.child("write report");
        assertThat(sdkCalls(write, "S3", "PutObject")).as(write.render()).hasSize(1);
        endpoint.assertNoViolations();
    }

    /**
     * The job's SQL and HTTP calls, each under the step that made it: the pool's select and the batch update one
     * subsegment each named after the database, with the sanitized text; one request per customer named after the
     * API's host (the unknown customer's 404 an error), without the query string; the run's summary posted once.
     */
    @Test
    void eachStepShowsItsSqlStatementsAndHttpRequests() {
        TraceNode root = SampleRuns.finishedTrace(endpoint).root();
        URI db = URI.create(postgres.jdbcUrl().substring("jdbc:".length()));
        String database = db.getPath().substring(1) + "@" + db.getHost();
        List<TraceNode> select = calls(root.child("read customers"), "sql");
        assertThat(select).as(root.render()).extracting(TraceNode::name).containsExactly(database);
        assertThat(select.get(0).get("namespace").asText()).isEqualTo("remote");
        assertThat(select.get(0).get("sql").path("sanitized_query").asText())
                .isEqualTo("SELECT id, country FROM customer WHERE active = ? ORDER BY id");
        List<TraceNode> update = calls(root.child("save scores"), "sql");
        assertThat(update).as(root.render()).extracting(n -> n.get("sql").path("sanitized_query").asText())
                .containsExactly("UPDATE customer SET score = ? WHERE id = ?");
        List<TraceNode> scores = calls(root.child("score customers"), "http");
        assertThat(scores).as(root.render()).extracting(TraceNode::name).containsOnly("127.0.0.1").hasSize(4);
        assertThat(scores).extracting(n -> n.get("http").path("request").path("url").asText())
                .allSatisfy(url -> assertThat(url).doesNotContain("?").contains("/scores/10"));
        assertThat(scores).extracting(n -> n.get("http").path("response").path("status").asInt())
                .containsExactly(200, 200, 200, 404);
        assertThat(scores.get(3).get("error").asBoolean()).isTrue();
        List<TraceNode> runReport = calls(root.child("report run"), "http");
        assertThat(runReport).as(root.render()).extracting(n -> n.get("http").path("request").path("method").asText())
                .containsExactly("POST");
        assertThat(runReport.get(0).get("http").path("request").path("url").asText()).endsWith("/runs");
    }

    /** A step's subsegments with X-Ray's {@code sql} or {@code http} block, in start order. */
    private static List<TraceNode> calls(TraceNode step, String block) {
        return step.children().stream().filter(n -> !n.get(block).isMissingNode())
                .sorted(Comparator.comparingDouble(TraceNode::startTime)).collect(Collectors.toList());
    }

    @Test
    void noDocumentHoldsTheDatabasePassword() {
        SampleRuns.finishedTrace(endpoint);
        assertThat(endpoint.documents()).isNotEmpty()
                .allSatisfy(doc -> assertThat(doc.toString()).doesNotContain(postgres.password()));
    }
}
