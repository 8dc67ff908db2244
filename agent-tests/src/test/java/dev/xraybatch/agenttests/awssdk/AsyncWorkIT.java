package dev.xraybatch.agenttests.awssdk;

import static dev.xraybatch.agenttests.awssdk.AwsTraces.aws;
import static dev.xraybatch.agenttests.awssdk.AwsTraces.calls;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.xraybatch.testsupport.ChildJvm;
import dev.xraybatch.testsupport.LocalXRayEndpoint;
import dev.xraybatch.testsupport.MotoServer;
import dev.xraybatch.testsupport.Trace;
import dev.xraybatch.testsupport.TraceNode;

/**
 * Async work stays under the method that started it (issue 15, item 6): {@link AsyncWorkJob}'s pointcut methods
 * with the async S3 client, the Java-based multipart client and {@code S3TransferManager} (whose part uploads run
 * on the SDK's and Netty's threads), and {@code CompletableFuture} stages, against moto_server.
 */
class AsyncWorkIT {
    private static final String JOB = AsyncWorkJob.class.getName();
    private static final String[] TRACED = {
            "asyncCalls", "multipartUpload", "transferUpload", "transferDownload", "startsAndReturns", "futures", "dependentStages"};

    static MotoServer moto;

    @TempDir
    Path dir;

    @BeforeAll
    static void startMoto() throws Exception {
        moto = MotoServer.shared();
    }

    private Path pointcuts() throws IOException {
        StringBuilder yaml = new StringBuilder("service_name: async-work\npointcuts:\n");
        for (String method : TRACED) {
            yaml.append("  - classes: ").append(JOB).append("\n    methods: ").append(method).append('\n');
        }
        yaml.append("  - classes: ").append(JOB).append("\n    methods: step\n    name: 'step {arg0}'\n");
        Path file = dir.resolve("xray-batch.yaml");
        Files.write(file, yaml.toString().getBytes(StandardCharsets.UTF_8));
        return file;
    }

    private Trace run(LocalXRayEndpoint endpoint, String commonPoolParallelism) throws IOException {
        ChildJvm.Result result = AwsTraces.job(AsyncWorkJob.class, "AsyncWorkJob-" + commonPoolParallelism)
                .xray(endpoint).agentArgs("config=" + pointcuts())
                .systemProperty("run.id", UUID.randomUUID().toString().substring(0, 8))
                .systemProperty("java.util.concurrent.ForkJoinPool.common.parallelism", commonPoolParallelism)
                .args(moto.endpoint().toString()).run(AwsTraces.RUN_TIMEOUT);
        result.assertExitCode(0);
        assertThat(result.stdout()).contains("job done").contains("outcome transfer-download " + AsyncWorkJob.LARGE);
        return AwsTraces.finishedTrace(endpoint);
    }

    /** Common pool parallelism 1 (two cores): {@code CompletableFuture} starts a thread per async task. */
    @Test
    void asyncWorkStaysUnderItsCallerWithAThreadPerTask() throws IOException {
        try (LocalXRayEndpoint endpoint = LocalXRayEndpoint.start()) {
            assertAsyncWork(run(endpoint, "1"));
            endpoint.assertNoViolations();
        }
    }

    /** Common pool parallelism 3: {@code CompletableFuture}'s async tasks run on the common pool. */
    @Test
    void asyncWorkStaysUnderItsCallerOnTheCommonPool() throws IOException {
        try (LocalXRayEndpoint endpoint = LocalXRayEndpoint.start()) {
            assertAsyncWork(run(endpoint, "3"));
            endpoint.assertNoViolations();
        }
    }

    private static void assertAsyncWork(Trace trace) {
        TraceNode root = trace.root();
        String shape = trace.render();

        // Plain async calls: under the method that issued them, ended at their reply, before it returned.
        TraceNode asyncCalls = traced(root, "asyncCalls");
        assertThat(calls(asyncCalls, "S3", "PutObject")).as(shape).hasSize(3);
        assertThat(calls(asyncCalls, "S3", "GetObject")).as(shape).hasSize(3);
        assertWithin(asyncCalls, asyncCalls.children(), shape);

        // Uploads in parts, by the multipart client and by the transfer manager: one transfer subsegment under the
        // caller, every call of the transfer beneath it, whatever thread the SDK issued it on.
        TraceNode multipart = transfer(traced(root, "multipartUpload"), "S3 upload", shape);
        assertUploadInParts(multipart, "multipart", shape);
        assertWithin(traced(root, "multipartUpload"), List.of(multipart), shape);
        TraceNode transferUpload = transfer(traced(root, "transferUpload"), "S3 upload", shape);
        assertUploadInParts(transferUpload, "transfer", shape);
        assertWithin(traced(root, "transferUpload"), List.of(transferUpload), shape);

        TraceNode download = transfer(traced(root, "transferDownload"), "S3 download", shape);
        List<TraceNode> gets = calls(download, "S3", "GetObject");
        // moto_server answers the first part's GET with the whole object (no parts count): one GET, or one per part.
        assertThat(gets).as(shape).isNotEmpty();
        assertThat(download.children()).as(shape).hasSameSizeAs(gets);
        assertThat(gets).allSatisfy(g -> assertThat(aws(g).path("key").asText()).isEqualTo("transfer"));
        assertWithin(download, download.children(), shape);
        assertWithin(traced(root, "transferDownload"), List.of(download), shape);

        // A caller that returned without waiting: the transfer stays under it (its calls may end after it).
        TraceNode unjoined = transfer(traced(root, "startsAndReturns"), "S3 upload", shape);
        assertUploadInParts(unjoined, "unjoined", shape);
        assertThat(unjoined.startTime()).isGreaterThanOrEqualTo(traced(root, "startsAndReturns").startTime());

        // No call of the job's S3 work anywhere else: not under the root, not under another call.
        List<TraceNode> uploadParts = trace.root().descendants("S3").stream()
                .filter(n -> "UploadPart".equals(aws(n).path("operation").asText())).collect(Collectors.toList());
        assertThat(uploadParts).as(shape).hasSize(3 * (int) (AsyncWorkJob.LARGE / AsyncWorkJob.PART));
        // Under the root: only the bucket's creation, which main does outside any traced method.
        assertThat(root.children("S3")).as(shape).extracting(n -> aws(n).path("operation").asText())
                .containsExactly("CreateBucket");

        // CompletableFuture stages: each traced step under the method that created the stage.
        TraceNode futures = traced(root, "futures");
        assertThat(futures.children().stream().map(TraceNode::name)).as(shape).containsExactlyInAnyOrder(
                "step common-supply", "step common-apply", "step common-run",
                "step own-supply", "step own-apply", "step own-run");
        assertWithin(futures, futures.children(), shape);

        // Stages attached to an SDK call's future run where the SDK completes it: still under their attacher.
        TraceNode dependent = traced(root, "dependentStages");
        assertThat(dependent.children().stream().map(TraceNode::name)).as(shape)
                .containsExactlyInAnyOrder("S3", "S3", "step after-get", "step after-get-async");
        assertWithin(dependent, dependent.children(), shape);
        assertThat(root.descendants().stream().map(TraceNode::name).filter(n -> n.startsWith("step ")))
                .as(shape).hasSize(8);
    }

    private static TraceNode traced(TraceNode root, String method) {
        return root.child("AsyncWorkJob." + method);
    }

    private static TraceNode transfer(TraceNode caller, String name, String shape) {
        assertThat(caller.children()).as(shape).extracting(TraceNode::name).containsExactly(name);
        return caller.child(name);
    }

    private static void assertUploadInParts(TraceNode transfer, String key, String shape) {
        assertThat(calls(transfer, "S3", "CreateMultipartUpload")).as(shape).hasSize(1);
        List<TraceNode> parts = calls(transfer, "S3", "UploadPart");
        assertThat(parts).as(shape).hasSize((int) (AsyncWorkJob.LARGE / AsyncWorkJob.PART));
        assertThat(parts).allSatisfy(p -> assertThat(aws(p).path("key").asText()).isEqualTo(key));
        assertThat(calls(transfer, "S3", "CompleteMultipartUpload")).as(shape).hasSize(1);
        assertThat(transfer.children()).as(shape).hasSize(parts.size() + 2);
        assertWithin(transfer, transfer.children(), shape);
    }

    /** Each child started after its parent and, since the parent waited for it, ended before the parent ended. */
    private static void assertWithin(TraceNode parent, List<TraceNode> children, String shape) {
        assertThat(children).as(shape).allSatisfy(child -> {
            assertThat(child.parent().orElseThrow().id()).isEqualTo(parent.id());
            assertThat(child.isInProgress()).isFalse();
            assertThat(child.startTime()).as(child.name()).isGreaterThanOrEqualTo(parent.startTime());
            assertThat(child.endTime()).as(child.name()).isLessThanOrEqualTo(parent.endTime());
        });
    }
}
