package dev.xraybatch.samples;

import static dev.xraybatch.samples.SampleRuns.sdkCalls;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.stream.Collectors;

import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.xraybatch.samples.jsontoavro.JsonToAvroJob;
import dev.xraybatch.testsupport.ChildJvm;
import dev.xraybatch.testsupport.LocalXRayEndpoint;
import dev.xraybatch.testsupport.MotoServer;
import dev.xraybatch.testsupport.Trace;
import dev.xraybatch.testsupport.TraceNode;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/** The JSON-to-Avro sample on the sample input (three good files, one cut off) against moto's S3. */
class JsonToAvroJobIT {
    static MotoServer moto;
    static S3Client s3;
    static LocalXRayEndpoint endpoint;
    static String bucket;
    static ChildJvm.Result run;

    @BeforeAll
    static void runTheJob() throws Exception {
        moto = MotoServer.startOrReuse();
        s3 = SampleRuns.s3(moto.endpoint());
        bucket = SampleRuns.bucketWith(s3, SampleRuns.data("json-to-avro"), ".json", "in/");
        endpoint = LocalXRayEndpoint.start();
        run = SampleRuns.packagedJob(JsonToAvroJob.class.getName(), "json-to-avro", endpoint, moto.endpoint())
                .args("s3://" + bucket + "/in/", "s3://" + bucket + "/avro/")
                .run(SampleRuns.RUN_TIMEOUT);
    }

    @AfterAll
    static void stop() {
        if (endpoint != null) {
            endpoint.close();
        }
        if (s3 != null) {
            s3.close();
        }
        if (moto != null) {
            moto.close();
        }
    }

    @Test
    void theJobConvertsTheGoodFilesAndSkipsTheBrokenOne() throws IOException {
        run.assertExitCode(0);
        assertThat(run.stdout()).contains("converted 3 of 4 files (9 records)")
                .contains("in/orders-2026-03-04.json skipped: not valid JSON");
        try (ResponseInputStream<GetObjectResponse> avro =
                     s3.getObject(r -> r.bucket(bucket).key("avro/orders-2026-03-03.avro"));
             DataFileStream<GenericRecord> records = new DataFileStream<>(avro, new GenericDatumReader<>())) {
            assertThat(records.getSchema().getField("amount").schema().toString()).contains("double");
            assertThat(records.next().get("customer").toString()).isEqualTo("globex");
        }
    }

    @Test
    void oneSubsegmentPerFileWithItsS3CallsBeneath() {
        Trace trace = SampleRuns.finishedTrace(endpoint);
        TraceNode root = trace.root();
        assertThat(root.name()).isEqualTo("json-to-avro");
        assertThat(root.annotation("exit_code").asInt()).isZero();

        TraceNode list = root.child("list s3://" + bucket + "/in/");
        assertThat(sdkCalls(list, "S3", "ListObjectsV2")).as(list.render()).hasSize(1);

        List<TraceNode> conversions = root.children().stream().filter(n -> n.name().startsWith("convert "))
                .collect(Collectors.toList());
        assertThat(conversions).extracting(TraceNode::name).containsExactly(
                "convert in/orders-2026-03-01.json", "convert in/orders-2026-03-02.json",
                "convert in/orders-2026-03-03.json", "convert in/orders-2026-03-04.json");
        for (TraceNode good : conversions.subList(0, 3)) {
            assertThat(good.hasFailed()).as(good.render()).isFalse();
            assertThat(good.annotation("records").asInt()).isPositive();
            assertThat(good.annotation("avro_bytes").asInt()).isPositive();
            assertThat(sdkCalls(good, "S3", "GetObject")).as(good.render()).hasSize(1);
            assertThat(sdkCalls(good, "S3", "PutObject")).as(good.render()).hasSize(1);
        }
        assertThat(conversions.get(2).annotation("records").asInt()).isEqualTo(4);
        endpoint.assertNoViolations();
    }

    @Test
    void theBrokenFileIsAFaultWithItsCauseAndNoUpload() {
        TraceNode broken = SampleRuns.finishedTrace(endpoint).root().child("convert in/orders-2026-03-04.json");
        assertThat(broken.get("fault").asBoolean()).as(broken.render()).isTrue();
        assertThat(broken.get("cause").path("exceptions").path(0).path("type").asText())
                .isEqualTo("java.lang.IllegalArgumentException");
        assertThat(sdkCalls(broken, "S3", "GetObject")).hasSize(1);
        assertThat(sdkCalls(broken, "S3", "PutObject")).isEmpty();
    }
}
