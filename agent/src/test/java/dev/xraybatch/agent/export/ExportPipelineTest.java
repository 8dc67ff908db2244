package dev.xraybatch.agent.export;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class ExportPipelineTest {
    /** A guard against hangs, never a speed requirement. */
    private static final Duration HANG_GUARD = Duration.ofSeconds(30);
    private static final long ONE_HOUR = 3_600_000;

    private final FakeExporter exporter = new FakeExporter();
    private ExportPipeline pipeline;

    @AfterEach
    void stop() {
        exporter.release();
        if (pipeline != null) {
            pipeline.shutdown(1000);
        }
    }

    private static ExportSettings.Builder settings() {
        return ExportSettings.builder().retryInitialBackoffMillis(1).retryMaxBackoffMillis(5);
    }

    private static Emittable document(String text) {
        return documents -> documents.accept(text);
    }

    private static List<String> names(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "{\"id\":\"doc-" + i + "\"}").collect(Collectors.toList());
    }

    private void offerAll(List<String> docs) {
        for (String doc : docs) {
            assertThat(pipeline.offer(document(doc))).as("offer of " + doc).isTrue();
        }
    }

    @Test
    void fullBatchesOfFiftyAreSentWithoutWaitingForTheDelay() throws Exception {
        pipeline = ExportPipeline.start(exporter, settings().batchDelayMillis(ONE_HOUR).build());
        List<String> docs = names(0, 120);

        offerAll(docs);
        exporter.awaitCalls(2, HANG_GUARD);

        assertThat(exporter.calls()).hasSize(2);
        assertThat(exporter.calls().get(0)).isEqualTo(docs.subList(0, 50));
        assertThat(exporter.calls().get(1)).isEqualTo(docs.subList(50, 100));

        assertThat(pipeline.flush(HANG_GUARD.toMillis())).isTrue();
        assertThat(exporter.calls()).hasSize(3);
        assertThat(exporter.calls().get(2)).isEqualTo(docs.subList(100, 120));
        assertThat(pipeline.stats().documentsSent()).isEqualTo(120);
        assertThat(pipeline.stats().nothingLost()).isTrue();
    }

    @Test
    void aPartialBatchIsSentAfterTheDelayWithoutAFlush() throws Exception {
        pipeline = ExportPipeline.start(exporter, settings().batchDelayMillis(20).build());

        offerAll(names(0, 3));
        exporter.awaitCalls(1, HANG_GUARD);

        assertThat(exporter.calls()).containsExactly(names(0, 3));
    }

    @Test
    void itemsRenderingSeveralDocumentsAreSplitAcrossBatches() {
        pipeline = ExportPipeline.start(exporter, settings().batchDelayMillis(ONE_HOUR).build());
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            List<String> three = names(i * 3, i * 3 + 3);
            expected.addAll(three);
            assertThat(pipeline.offer(documents -> three.forEach(documents))).isTrue();
        }

        assertThat(pipeline.flush(HANG_GUARD.toMillis())).isTrue();

        assertThat(exporter.calls()).allSatisfy(call -> assertThat(call.size()).isLessThanOrEqualTo(50));
        assertThat(exporter.acceptedDocuments()).isEqualTo(expected);
        assertThat(pipeline.stats().documentsSent()).isEqualTo(60);
    }

    @Test
    void aFullQueueDropsAndCountsExactlyWhileOfferNeverBlocks() throws Exception {
        exporter.hold();
        pipeline = ExportPipeline.start(exporter, settings().queueCapacity(10).batchSize(1).build());
        assertThat(pipeline.offer(document("first"))).isTrue();
        exporter.awaitFirstCall(); // the worker is now stuck inside send, holding "first"

        List<Boolean> results = assertTimeoutPreemptively(HANG_GUARD, () -> {
            List<Boolean> accepted = new ArrayList<>();
            for (String doc : names(0, 15)) {
                accepted.add(pipeline.offer(document(doc)));
            }
            return accepted;
        });

        assertThat(results.subList(0, 10)).containsOnly(true);
        assertThat(results.subList(10, 15)).containsOnly(false);
        assertThat(pipeline.stats().itemsDropped()).isEqualTo(5);

        exporter.release();
        assertThat(pipeline.flush(HANG_GUARD.toMillis())).isTrue();
        ExportStats stats = pipeline.stats();
        assertThat(stats.documentsSent()).isEqualTo(11);
        assertThat(stats.itemsDropped()).isEqualTo(5);
        assertThat(stats.documentsDropped()).isZero();
    }

    @Test
    void whatAnUnrenderedItemHeldIsCountedWithIt() throws Exception {
        exporter.hold();
        pipeline = ExportPipeline.start(exporter, settings().queueCapacity(3).batchSize(1).build());
        assertThat(pipeline.offer(document("first"))).isTrue();
        exporter.awaitFirstCall(); // the worker is stuck inside send: what follows stays unrendered
        assertThat(pipeline.offer(holding(1))).isTrue();
        assertThat(pipeline.offer(holding(101))).isTrue();
        assertThat(pipeline.offer(holding(7))).isTrue();
        assertThat(pipeline.offer(holding(40))).as("the queue of 3 is full").isFalse();

        ExportStats stats = pipeline.shutdown(50);
        assertThat(stats.documentsDropped()).as("'first', in the held call").isEqualTo(1);
        assertThat(stats.itemsDropped()).isEqualTo(4);
        assertThat(stats.itemEntitiesDropped()).isEqualTo(1 + 101 + 7 + 40);
        assertThat(stats.toString()).contains("dropped 1 documents and 4 unrendered items"
                + " (holding 149 segments and subsegments)");
        exporter.release();
    }

    /** An item holding {@code entities} segments and subsegments, as the root with what it held at the end. */
    private static Emittable holding(int entities) {
        return new Emittable() {
            @Override
            public void render(java.util.function.Consumer<String> documents) {
                documents.accept("{\"id\":\"holding-" + entities + "\"}");
            }

            @Override
            public int entities() {
                return entities;
            }
        };
    }

    /** The job's final root as the tracer hands it over: one document. */
    private static TraceWork finalRoot(String text) {
        return new TraceWork() {
            @Override
            public Role role() {
                return Role.FINAL_ROOT;
            }

            @Override
            public RunInfo run() {
                return null;
            }

            @Override
            public long endMicros() {
                return 0L;
            }

            @Override
            public void render(java.util.function.Consumer<String> documents) {
                documents.accept(text);
            }

            @Override
            public void render(Placement placement, RenderedDocuments out) {
                throw new UnsupportedOperationException("immediate holding renders as is");
            }

            @Override
            public List<StubSource> parents() {
                return java.util.Collections.emptyList();
            }

            @Override
            public List<List<StubSource>> sharedChains(long startedBeforeMicros) {
                return java.util.Collections.emptyList();
            }
        };
    }

    @Test
    void theFinalRootNeverCompetesForTheQueueAndGoesOutBeforeWhatIsQueued() throws Exception {
        exporter.hold();
        pipeline = ExportPipeline.start(exporter, settings().queueCapacity(3).batchSize(1).build());
        assertThat(pipeline.offer(document("first"))).isTrue();
        exporter.awaitFirstCall(); // the worker is stuck inside send, holding "first"
        offerAll(names(0, 3));
        assertThat(pipeline.offer(document("{\"id\":\"one too many\"}"))).as("the queue is full").isFalse();

        assertThat(pipeline.offer(finalRoot("{\"id\":\"root\"}"))).as("the final root is never refused for room")
                .isTrue();
        exporter.release();
        ExportStats stats = pipeline.shutdown(HANG_GUARD.toMillis());

        List<String> sent = exporter.acceptedDocuments();
        assertThat(sent).hasSize(5);
        assertThat(sent.subList(0, 2)).containsExactly("first", "{\"id\":\"root\"}");
        assertThat(sent.subList(2, 5)).isEqualTo(names(0, 3));
        assertThat(stats.documentsSent()).isEqualTo(5);
        assertThat(stats.itemsDropped()).as("only the one that found the queue full").isEqualTo(1);
    }

    @Test
    void aTransientOutageIsRetriedWithoutLossOrDuplicates() {
        AtomicInteger failuresLeft = new AtomicInteger(7);
        exporter.answer(batch -> failuresLeft.getAndDecrement() > 0
                ? SendOutcome.retryable("HTTP 503", "down for maintenance") : SendOutcome.accepted());
        pipeline = ExportPipeline.start(exporter, settings().batchDelayMillis(ONE_HOUR).build());
        List<String> docs = names(0, 130);

        offerAll(docs);
        assertThat(pipeline.flush(HANG_GUARD.toMillis())).isTrue();

        ExportStats stats = pipeline.stats();
        assertThat(stats.sendsRetried()).isEqualTo(7);
        assertThat(stats.documentsSent()).isEqualTo(130);
        assertThat(stats.nothingLost()).isTrue();
        assertThat(exporter.acceptedDocuments()).isEqualTo(docs);
        // A retry resends the held batch as it was.
        assertThat(exporter.calls().get(0)).isEqualTo(exporter.calls().get(7));
    }

    @Test
    void duringAnOutageTheQueueKeepsFillingAndOnlyWhatDoesNotFitIsDropped() throws Exception {
        AtomicInteger failing = new AtomicInteger(1);
        exporter.answer(batch -> failing.get() == 1
                ? SendOutcome.retryable("ConnectException", "connection refused") : SendOutcome.accepted());
        pipeline = ExportPipeline.start(exporter,
                settings().queueCapacity(100).batchSize(10).batchDelayMillis(ONE_HOUR).build());

        offerAll(names(0, 10)); // a full batch: sent at once, then retried while failing
        exporter.awaitCalls(2, HANG_GUARD);
        int accepted = 0;
        for (String doc : names(10, 150)) {
            accepted += pipeline.offer(document(doc)) ? 1 : 0;
        }
        failing.set(0);
        assertThat(pipeline.flush(HANG_GUARD.toMillis())).isTrue();

        ExportStats stats = pipeline.stats();
        assertThat(accepted).isEqualTo(100);
        assertThat(stats.itemsDropped()).isEqualTo(40);
        assertThat(stats.documentsSent()).isEqualTo(110);
        assertThat(new HashSet<>(exporter.acceptedDocuments())).containsAll(names(0, 110));
    }

    @Test
    void unprocessedDocumentsAreCountedAsRejectedAndNeverResent() {
        exporter.answer(batch -> SendOutcome.accepted(batch.stream()
                .filter(doc -> doc.contains("doc-3\"") || doc.contains("doc-4\""))
                .map(doc -> new SendOutcome.Unprocessed(doc, "InvalidTraceId", "Invalid trace id"))
                .collect(Collectors.toList())));
        pipeline = ExportPipeline.start(exporter, settings().batchDelayMillis(ONE_HOUR).build());

        offerAll(names(0, 10));
        assertThat(pipeline.flush(HANG_GUARD.toMillis())).isTrue();

        ExportStats stats = pipeline.stats();
        assertThat(stats.documentsRejected()).isEqualTo(2);
        assertThat(stats.documentsSent()).isEqualTo(8);
        assertThat(stats.sendsRetried()).isZero();
        assertThat(exporter.calls()).hasSize(1);
    }

    @Test
    void aBatchHitByAPermanentErrorIsDroppedAndCountedAndTheNextOnesGoOn() {
        AtomicInteger call = new AtomicInteger();
        exporter.answer(batch -> call.getAndIncrement() == 0
                ? SendOutcome.permanent("InvalidRequestException", "bad request") : SendOutcome.accepted());
        pipeline = ExportPipeline.start(exporter, settings().batchSize(5).batchDelayMillis(ONE_HOUR).build());

        offerAll(names(0, 12));
        assertThat(pipeline.flush(HANG_GUARD.toMillis())).isTrue();

        ExportStats stats = pipeline.stats();
        assertThat(stats.documentsDropped()).isEqualTo(5);
        assertThat(stats.documentsSent()).isEqualTo(7);
        assertThat(stats.sendsRetried()).isZero();
        assertThat(exporter.acceptedDocuments()).isEqualTo(names(5, 12));
    }

    @Test
    void anUnusableExporterIsAskedOnceAndEverythingAfterIsDroppedAndCounted() {
        exporter.answer(batch -> SendOutcome.unusable("no AWS region"));
        pipeline = ExportPipeline.start(exporter, settings().batchSize(5).batchDelayMillis(ONE_HOUR).build());

        offerAll(names(0, 5));
        assertThat(pipeline.flush(HANG_GUARD.toMillis())).isTrue();
        int refused = 0;
        for (String doc : names(5, 25)) {
            refused += pipeline.offer(document(doc)) ? 0 : 1;
        }

        ExportStats stats = pipeline.shutdown(HANG_GUARD.toMillis());
        assertThat(exporter.calls()).hasSize(1);
        assertThat(refused).isEqualTo(20);
        assertThat(stats.documentsDropped()).isEqualTo(5);
        assertThat(stats.itemsDropped()).isEqualTo(20);
        assertThat(stats.documentsSent()).isZero();
        assertThat(exporter.isClosed()).isTrue();
    }

    @Test
    void anItemThatFailsToRenderIsDroppedWholeAndTheRestIsSent() {
        pipeline = ExportPipeline.start(exporter, settings().batchDelayMillis(ONE_HOUR).build());
        offerAll(names(0, 3));
        assertThat(pipeline.offer(documents -> {
            documents.accept("{\"id\":\"half\"}");
            throw new IllegalStateException("broken entity");
        })).isTrue();
        offerAll(names(3, 6));

        assertThat(pipeline.flush(HANG_GUARD.toMillis())).isTrue();

        assertThat(exporter.acceptedDocuments()).isEqualTo(names(0, 6));
        assertThat(pipeline.stats().itemsDropped()).isEqualTo(1);
        assertThat(pipeline.stats().documentsSent()).isEqualTo(6);
    }

    @Test
    void shutdownSendsEverythingQueuedAndClosesTheExporter() {
        pipeline = ExportPipeline.start(exporter, settings().batchDelayMillis(ONE_HOUR).build());
        offerAll(names(0, 75));

        ExportStats stats = pipeline.shutdown(HANG_GUARD.toMillis());

        assertThat(stats.documentsSent()).isEqualTo(75);
        assertThat(stats.nothingLost()).isTrue();
        assertThat(exporter.acceptedDocuments()).isEqualTo(names(0, 75));
        assertThat(exporter.isClosed()).isTrue();
        assertThat(pipeline.offer(document("late"))).isFalse();
        assertThat(pipeline.shutdown(0).documentsSent()).isEqualTo(75);
    }

    @Test
    void shutdownCutsABackoffWaitShort() throws Exception {
        AtomicInteger call = new AtomicInteger();
        exporter.answer(batch -> call.getAndIncrement() == 0
                ? SendOutcome.retryable("ThrottledException", "Rate exceeded") : SendOutcome.accepted());
        // The first retry would wait at least half an hour.
        pipeline = ExportPipeline.start(exporter, ExportSettings.builder().batchSize(1)
                .retryInitialBackoffMillis(ONE_HOUR).retryMaxBackoffMillis(ONE_HOUR).build());
        offerAll(names(0, 1));
        exporter.awaitFirstCall();

        ExportStats stats = assertTimeoutPreemptively(HANG_GUARD, () -> pipeline.shutdown(HANG_GUARD.toMillis()));

        assertThat(stats.documentsSent()).isEqualTo(1);
        assertThat(stats.sendsRetried()).isEqualTo(1);
    }

    @Test
    void atTheDeadlineWhatIsHeldAndQueuedIsCountedAsDroppedExactly() throws Exception {
        exporter.answer(batch -> SendOutcome.retryable("HTTP 500", "always failing"));
        pipeline = ExportPipeline.start(exporter, settings().batchSize(10).batchDelayMillis(ONE_HOUR).build());
        offerAll(names(0, 35));
        exporter.awaitFirstCall(); // the worker holds one batch of 10 and retries it forever

        ExportStats stats = assertTimeoutPreemptively(HANG_GUARD, () -> pipeline.shutdown(200));

        assertThat(stats.documentsSent()).isZero();
        assertThat(stats.documentsDropped()).isEqualTo(10);
        assertThat(stats.itemsDropped()).isEqualTo(25);
        awaitClosed(); // no call after this
        assertThat(stats.sendsRetried()).isEqualTo(exporter.calls().size() - 1);
    }

    @Test
    void shutdownReturnsByItsDeadlineWhileTheWorkerIsStuckInASend() throws Exception {
        exporter.hold();
        pipeline = ExportPipeline.start(exporter, settings().batchSize(4).batchDelayMillis(ONE_HOUR).build());
        offerAll(names(0, 10));
        exporter.awaitFirstCall(); // stuck inside send with 4 documents

        ExportStats stats = assertTimeoutPreemptively(HANG_GUARD, () -> pipeline.shutdown(100));
        assertThat(stats.documentsDropped()).isEqualTo(4);
        assertThat(stats.itemsDropped()).isEqualTo(6);

        // The late answer changes nothing: the counts were final.
        exporter.release();
        awaitClosed();
        assertThat(pipeline.stats().documentsSent()).isZero();
        assertThat(pipeline.stats().documentsDropped()).isEqualTo(4);
    }

    /** The worker closes the exporter as it exits. */
    private void awaitClosed() throws InterruptedException {
        long deadline = System.nanoTime() + HANG_GUARD.toNanos();
        while (!exporter.isClosed()) {
            assertThat(System.nanoTime() - deadline).as("the worker did not exit").isNegative();
            Thread.sleep(5);
        }
    }

    @Test
    void everyOfferIsCountedExactlyOnceWhenProducersRaceWithShutdown() throws Exception {
        exporter.answer(batch -> {
            try {
                Thread.sleep(1); // slow enough that the deadline catches items queued and held
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return SendOutcome.accepted();
        });
        pipeline = ExportPipeline.start(exporter, settings().queueCapacity(500).batchDelayMillis(1).build());
        int producers = 4;
        int perProducer = 20_000;
        AtomicInteger started = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            Thread thread = new Thread(() -> {
                started.incrementAndGet();
                for (int i = 0; i < perProducer; i++) {
                    pipeline.offer(document("{\"id\":\"" + i + "\"}"));
                }
            });
            threads.add(thread);
            thread.start();
        }
        exporter.awaitFirstCall();

        ExportStats atShutdown = assertTimeoutPreemptively(HANG_GUARD, () -> pipeline.shutdown(20));
        for (Thread thread : threads) {
            thread.join();
        }
        awaitClosed();

        ExportStats stats = pipeline.stats();
        assertThat(stats.documentsSent() + stats.documentsDropped() + stats.itemsDropped())
                .isEqualTo((long) producers * perProducer);
        assertThat(stats.documentsSent()).isEqualTo(atShutdown.documentsSent());
        // A send in flight at the deadline counts as dropped even if it then succeeds: at most one batch.
        assertThat(exporter.acceptedDocuments().size() - stats.documentsSent()).isBetween(0L, 50L);
    }

    @Test
    void flushWithAHeldBatchReportsFalseAtItsDeadline() throws Exception {
        exporter.hold();
        pipeline = ExportPipeline.start(exporter, settings().batchSize(1).build());
        offerAll(names(0, 2));
        exporter.awaitFirstCall();

        assertThat(assertTimeoutPreemptively(HANG_GUARD, () -> pipeline.flush(50))).isFalse();

        exporter.release();
        assertThat(pipeline.flush(HANG_GUARD.toMillis())).isTrue();
        assertThat(pipeline.stats().documentsSent()).isEqualTo(2);
    }
}
