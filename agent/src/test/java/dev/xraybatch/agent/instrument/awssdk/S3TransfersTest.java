package dev.xraybatch.agent.instrument.awssdk;

import com.fasterxml.jackson.databind.JsonNode;
import dev.xraybatch.agent.instrument.RecordedTrace;
import dev.xraybatch.agent.trace.Entity;
import dev.xraybatch.agent.trace.Subsegment;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

class S3TransfersTest {
    /** Stands in for the SDK's request: the transfer reads its bucket and key by their accessor names. */
    public static final class PutRequest {
        public String bucket() {
            return "bucket-a";
        }

        public String key() {
            return "data/part.bin";
        }
    }

    public static final class CopyRequest {
        public String destinationBucket() {
            return "bucket-b";
        }

        public String destinationKey() {
            return "copy.bin";
        }
    }

    @Test
    void aTransfersCallsJoinItFromAnyThreadUntilItsFutureCompletes() throws Exception {
        RecordedTrace trace = new RecordedTrace();
        S3Transfers transfers = new S3Transfers();
        Subsegment caller = trace.tracer.begin("caller");

        S3Transfers.Transfer t = transfers.begin("putObject", new PutRequest());
        assertThat(trace.tracer.current()).isSameAs(t.subsegment);
        CompletableFuture<String> future = new CompletableFuture<>();
        transfers.started(t, future, null);
        // The calling thread goes back to its own work.
        assertThat(trace.tracer.current()).isSameAs(caller);
        assertThat(transfers.anyOpen()).isTrue();

        Subsegment[] seen = new Subsegment[1];
        Thread sdkThread = new Thread(() -> seen[0] = transfers.transferOf("UploadPart", "bucket-a", "data/part.bin"));
        sdkThread.start();
        sdkThread.join();
        assertThat(seen[0]).isSameAs(t.subsegment);
        assertThat(transfers.transferOf("CompleteMultipartUpload", "bucket-a", "data/part.bin"))
                .isSameAs(t.subsegment);
        // Not the transfer's: another key, or an operation the multipart client never sends for a transfer.
        assertThat(transfers.transferOf("UploadPart", "bucket-a", "other")).isNull();
        assertThat(transfers.transferOf("DeleteObject", "bucket-a", "data/part.bin")).isNull();

        future.complete("done");
        assertThat(t.subsegment.isClosed()).isTrue();
        assertThat(transfers.anyOpen()).isFalse();
        assertThat(transfers.transferOf("UploadPart", "bucket-a", "data/part.bin")).isNull();
        trace.tracer.end(caller);

        List<JsonNode> subsegments = RecordedTrace.subsegments(trace.finish());
        JsonNode upload = subsegments.stream().filter(s -> s.path("name").asText().equals("S3 upload"))
                .findFirst().orElseThrow();
        assertThat(upload.path("aws").path("bucket_name").asText()).isEqualTo("bucket-a");
        assertThat(upload.path("aws").path("key").asText()).isEqualTo("data/part.bin");
        assertThat(upload.has("fault")).isFalse();
    }

    @Test
    void aFailedTransferIsAFaultWithTheSdksExceptionAndACopyUsesTheDestination() throws Exception {
        RecordedTrace trace = new RecordedTrace();
        S3Transfers transfers = new S3Transfers();
        Entity root = trace.tracer.current();
        S3Transfers.Transfer t = transfers.begin("copyObject", new CopyRequest());
        assertThat(t.subsegment.name()).isEqualTo("S3 copy");
        assertThat(transfers.transferOf("UploadPartCopy", "bucket-b", "copy.bin")).isSameAs(t.subsegment);
        CompletableFuture<String> future = new CompletableFuture<>();
        transfers.started(t, future, null);
        assertThat(trace.tracer.current()).isSameAs(root);
        future.completeExceptionally(new IllegalStateException("access denied"));
        assertThat(t.subsegment.hasFault()).isTrue();
        assertThat(transfers.anyOpen()).isFalse();
        trace.finish();
    }

    @Test
    void onlyTheMultipartClientsTransferMethodsOpenATransfer() {
        assertThat(S3Transfers.subsegmentName("putObject")).isEqualTo("S3 upload");
        assertThat(S3Transfers.subsegmentName("getObject")).isEqualTo("S3 download");
        assertThat(S3Transfers.subsegmentName("copyObject")).isEqualTo("S3 copy");
        assertThat(S3Transfers.subsegmentName("headObject")).isNull();
        assertThat(S3Transfers.key("b", null)).isNull();
        assertThat(new S3Transfers().begin("putObject", new Object())).isNull();
    }

    @Test
    void theCallerGetsAFutureThatCompletesOnlyOnceTheTransferHasEndedWithWhatTheClientGave() {
        CompletableFuture<Object> client = new CompletableFuture<>();
        List<String> order = new java.util.concurrent.CopyOnWriteArrayList<>();
        CompletableFuture<Object> handedBack = S3Transfers.handBack(client, error -> order.add("ended"));
        // What the transfer manager and the job chain on it: it must run after the end, on whatever thread.
        handedBack.whenComplete((r, e) -> order.add("caller woken"));
        client.complete("response");
        assertThat(order).containsExactly("ended", "caller woken");
        assertThat(handedBack.join()).isEqualTo("response");

        CompletableFuture<Object> failing = new CompletableFuture<>();
        IllegalStateException failure = new IllegalStateException("503");
        CompletableFuture<Object> failed = S3Transfers.handBack(failing, error -> { });
        failing.completeExceptionally(failure);
        Throwable[] seen = new Throwable[1];
        failed.exceptionally(e -> {
            seen[0] = e;
            return null;
        });
        assertThat(seen[0]).as("the same exception object, not wrapped").isSameAs(failure);

        CompletableFuture<Object> running = new CompletableFuture<>();
        S3Transfers.handBack(running, error -> { }).cancel(true);
        assertThat(running.isCancelled()).as("cancelling what the caller got cancels the transfer").isTrue();
    }
}
