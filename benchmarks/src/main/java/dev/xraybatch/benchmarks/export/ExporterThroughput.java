package dev.xraybatch.benchmarks.export;

import dev.xraybatch.agent.export.Emittable;
import dev.xraybatch.agent.export.ExportPipeline;
import dev.xraybatch.agent.export.ExportSettings;
import dev.xraybatch.agent.export.ExportStats;
import dev.xraybatch.agent.export.ExporterFactory;
import dev.xraybatch.agent.export.ExporterKind;
import dev.xraybatch.agent.trace.Ids;
import dev.xraybatch.agent.trace.Subsegment;
import dev.xraybatch.agent.trace.Tracer;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Documents per second through {@link ExportPipeline} and each X-Ray client as {@link ExporterFactory} makes it
 * (signing, JSON, HTTP): the agent's own ({@code builtin}) and the relocated AWS SDK's ({@code sdk}), one after the
 * other, to {@link AcceptingXRayServer} on this machine, in this JVM.
 *
 * <p>A producer thread offers items as fast as the pipeline takes them, keeping at most half the queue
 * outstanding so that nothing is dropped. Each item is one real subsegment document rendered beforehand by the
 * tracer (rendering is the worker's job too, but is not what this measures).
 *
 * <p>Usage: {@code ExporterThroughput [measureSeconds] [warmupSeconds] [builtin|sdk|both]}, defaults 10, 10
 * (the SDK path needs that long to be compiled under load) and both.
 */
public final class ExporterThroughput {
    private ExporterThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int measureSeconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int warmupSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        String clients = args.length > 2 ? args[2] : "both";
        // Both clients' credential chains read these first; the server checks no signature.
        System.setProperty("aws.accessKeyId", "AKIDBENCHMARK");
        System.setProperty("aws.secretAccessKey", "benchmark-secret");

        List<String> documents = renderSubsegmentDocuments(1000);
        for (String client : new String[] {"sdk", "builtin"}) {
            if (clients.equals("both") || clients.equals(client)) {
                measure(client, documents, measureSeconds, warmupSeconds);
            }
        }
    }

    private static void measure(String client, List<String> documents, int measureSeconds, int warmupSeconds)
            throws Exception {
        long documentBytes = 0;
        for (String d : documents) {
            documentBytes += d.getBytes(StandardCharsets.UTF_8).length;
        }

        try (AcceptingXRayServer server = new AcceptingXRayServer()) {
            ExportSettings settings = ExportSettings.builder()
                    .exporter(ExporterKind.XRAY)
                    .xraySdkClient(client.equals("sdk"))
                    .region("us-east-1")
                    .endpoint(server.url().toString())
                    .build();
            ExportPipeline pipeline = ExportPipeline.start(
                    ExporterFactory.create(settings, "unused").orElseThrow(IllegalStateException::new), settings);
            Producer producer = new Producer(pipeline, documents, settings.queueCapacity() / 2);
            Thread producerThread = new Thread(producer, "benchmark-producer");
            producerThread.setDaemon(true);
            producerThread.start();

            TimeUnit.SECONDS.sleep(warmupSeconds);
            long before = pipeline.stats().documentsSent();
            long requestsBefore = server.requests.sum();
            long workerCpuBefore = workerCpuNanos();
            long began = System.nanoTime();
            List<Long> perSecond = new ArrayList<>();
            long last = before;
            for (int s = 0; s < measureSeconds; s++) {
                TimeUnit.SECONDS.sleep(1);
                long now = pipeline.stats().documentsSent();
                perSecond.add(now - last);
                last = now;
            }
            double elapsed = (System.nanoTime() - began) / 1e9;
            long sent = pipeline.stats().documentsSent() - before;
            long requests = server.requests.sum() - requestsBefore;
            double workerCpu = (workerCpuNanos() - workerCpuBefore) / 1e9;
            producer.stop = true;
            producerThread.join();
            ExportStats stats = pipeline.shutdown(10_000);

            System.out.printf(client + " client: %.0f documents/s (%d documents in %.1f s, %d PutTraceSegments"
                            + " calls, %.0f calls/s; documents %d bytes on average)%n",
                    sent / elapsed, sent, elapsed, requests, requests / elapsed, documentBytes / documents.size());
            System.out.println("  per second: " + perSecond);
            System.out.printf("  export worker CPU: %.2f s of %.1f s (%.0f%%), i.e. %.0f documents per CPU-second,"
                            + " %.0f us of CPU per PutTraceSegments call: the rate on an otherwise idle core%n",
                    workerCpu, elapsed, 100 * workerCpu / elapsed, sent / workerCpu, 1e6 * workerCpu / requests);
            System.out.println("  pipeline counts at the end: " + stats);
        }
    }

    /** CPU time of the pipeline's worker thread so far. */
    private static long workerCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (ThreadInfo info : threads.dumpAllThreads(false, false)) {
            if (ExportPipeline.WORKER_THREAD_NAME.equals(info.getThreadName())) {
                return threads.getThreadCpuTime(info.getThreadId());
            }
        }
        throw new IllegalStateException("no thread named " + ExportPipeline.WORKER_THREAD_NAME);
    }

    /** Real subsegment documents from the tracer: a named step with annotations and metadata, as pointcuts make. */
    static List<String> renderSubsegmentDocuments(int count) {
        List<Emittable> items = new ArrayList<>();
        Tracer tracer = Tracer.start(Ids.newTraceId(System.currentTimeMillis()), "throughput-job",
                Tracer.nowMicros(), null, "xray-batch-agent", "benchmark", items::add);
        for (int i = 0; i < count; i++) {
            Subsegment s = tracer.begin("com.example.Step.process");
            s.annotate("partition", i % 16);
            s.annotate("table", "orders_" + (i % 7));
            s.putMetadata("job", "rows", 1000L + i);
            tracer.end(s);
        }
        tracer.closeRoot(Tracer.nowMicros());
        List<String> documents = new ArrayList<>();
        for (Emittable item : items) {
            item.render(documents::add);
        }
        // The last document is the root holding what had not streamed out yet: keep the subsegments only.
        List<String> subsegments = new ArrayList<>();
        for (String d : documents) {
            if (d.contains("\"type\":\"subsegment\"")) {
                subsegments.add(d);
            }
        }
        if (subsegments.isEmpty()) {
            throw new IllegalStateException("the tracer rendered no independent subsegment documents");
        }
        return subsegments;
    }

    /** Offers pre-rendered documents, one item each, keeping at most {@code maxOutstanding} in the pipeline. */
    private static final class Producer implements Runnable {
        private final ExportPipeline pipeline;
        private final List<String> documents;
        private final int maxOutstanding;
        volatile boolean stop;

        Producer(ExportPipeline pipeline, List<String> documents, int maxOutstanding) {
            this.pipeline = pipeline;
            this.documents = documents;
            this.maxOutstanding = maxOutstanding;
        }

        @Override
        public void run() {
            long offered = 0;
            int next = 0;
            while (!stop) {
                ExportStats stats = pipeline.stats();
                long settled = stats.documentsSent() + stats.documentsRejected() + stats.documentsDropped();
                long room = maxOutstanding - (offered - settled);
                if (room <= 0) {
                    LockSupport.parkNanos(100_000);
                    continue;
                }
                for (long i = 0; i < room; i++) {
                    final String document = documents.get(next);
                    next = (next + 1) % documents.size();
                    if (pipeline.offer(sink -> sink.accept(document))) {
                        offered++;
                    }
                }
            }
        }
    }
}
