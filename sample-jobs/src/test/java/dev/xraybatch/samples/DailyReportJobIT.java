package dev.xraybatch.samples;

import static dev.xraybatch.samples.SampleRuns.sdkCalls;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import dev.xraybatch.samples.batchreport.DailyReportJob;
import dev.xraybatch.testsupport.ChildJvm;
import dev.xraybatch.testsupport.LocalXRayEndpoint;
import dev.xraybatch.testsupport.MotoServer;
import dev.xraybatch.testsupport.Trace;
import dev.xraybatch.testsupport.TraceNode;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The daily-report sample as AWS Batch would run it (its job id, name, attempt and queue in the environment),
 * fetching rates from a local HTTP server and orders from moto's S3.
 */
class DailyReportJobIT {
    static final String JOB_ID = "0b5f7d1e-94a2-4c3e-8f61-2a7d9c4e1b30";

    static MotoServer moto;
    static S3Client s3;
    static HttpServer ratesServer;
    static LocalXRayEndpoint endpoint;
    static String bucket;
    static ChildJvm.Result run;

    @BeforeAll
    static void runTheJob() throws Exception {
        moto = MotoServer.startOrReuse();
        s3 = SampleRuns.s3(moto.endpoint());
        bucket = SampleRuns.bucketWith(s3, SampleRuns.data("batch-report"), ".csv", "orders/");
        byte[] rates = Files.readAllBytes(SampleRuns.data("batch-report").resolve("rates.json"));
        ratesServer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        ratesServer.createContext("/rates.json", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, rates.length);
            exchange.getResponseBody().write(rates);
            exchange.close();
        });
        ratesServer.start();
        endpoint = LocalXRayEndpoint.start();
        run = SampleRuns.packagedJob(DailyReportJob.class.getName(), "batch-report", endpoint, moto.endpoint())
                .env("AWS_BATCH_JOB_ID", JOB_ID)
                .env("AWS_BATCH_JOB_NAME", "daily-report")
                .env("AWS_BATCH_JOB_ATTEMPT", "1")
                .env("AWS_BATCH_JQ_NAME", "reports")
                .args("http://127.0.0.1:" + ratesServer.getAddress().getPort() + "/rates.json",
                        "s3://" + bucket + "/orders/", "s3://" + bucket + "/reports/")
                .run(SampleRuns.RUN_TIMEOUT);
    }

    @AfterAll
    static void stop() {
        if (endpoint != null) {
            endpoint.close();
        }
        if (ratesServer != null) {
            ratesServer.stop(0);
        }
        if (s3 != null) {
            s3.close();
        }
        if (moto != null) {
            moto.close();
        }
    }

    @Test
    void theJobWritesItsReportNamedAfterTheBatchJob() throws IOException {
        run.assertExitCode(0);
        assertThat(run.stdout()).contains("report of 7 orders written to s3://" + bucket + "/reports/" + JOB_ID);
        JsonNode report = new ObjectMapper().readTree(
                s3.getObjectAsBytes(r -> r.bucket(bucket).key("reports/" + JOB_ID + ".json")).asByteArray());
        // 120 + 9.99 + 80 EUR, 45.50 + 5 GBP at 0.86, 250 + 12.75 USD at 1.08.
        assertThat(report.path("EUR").asDouble()).isEqualTo(209.99);
        assertThat(report.path("total_EUR").asDouble()).isEqualTo(512.0);
    }

    @Test
    void theRootIsTheBatchJobWithItsIdAttemptAndQueue() {
        TraceNode root = SampleRuns.finishedTrace(endpoint).root();
        assertThat(root.name()).isEqualTo("daily-report");
        assertThat(root.annotation("batch_job_id").asText()).isEqualTo(JOB_ID);
        assertThat(root.annotation("batch_attempt").asInt()).isEqualTo(1);
        assertThat(root.annotation("batch_queue").asText()).isEqualTo("reports");
        assertThat(root.hasFailed()).isFalse();
    }

    @Test
    void theHttpRequestAndTheS3CallsAreSubsegmentsOfTheJobsSteps() {
        Trace trace = SampleRuns.finishedTrace(endpoint);
        TraceNode root = trace.root();
        // Without the stretches the gap sampler named (as many as the machine's load made long enough).
        assertThat(root.childrenNotSampled()).extracting(TraceNode::name)
                .containsExactly("JVM start-up", "GET rates 127.0.0.1", "read orders", "write report", "JVM shut-down");

        TraceNode rates = root.child("GET rates 127.0.0.1");
        assertThat(rates.annotation("currencies").asInt()).isEqualTo(3);
        assertThat(rates.annotation("rates_url").asText()).endsWith("/rates.json");

        TraceNode read = root.child("read orders");
        assertThat(read.annotation("orders").asInt()).isEqualTo(7);
        assertThat(sdkCalls(read, "S3", "ListObjectsV2")).as(read.render()).hasSize(1);
        assertThat(sdkCalls(read, "S3", "GetObject")).as(read.render()).hasSize(2);

        TraceNode write = root.child("write report");
        assertThat(sdkCalls(write, "S3", "PutObject")).as(write.render()).hasSize(1);
        assertThat(write.metadata("default", "totals").toString()).contains("total_EUR");
        endpoint.assertNoViolations();
    }
}
