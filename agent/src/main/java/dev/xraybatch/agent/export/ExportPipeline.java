package dev.xraybatch.agent.export;

import dev.xraybatch.agent.log.AgentLog;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The bounded road from finished items to a {@link DocumentExporter}: a queue that application threads
 * {@link #offer} into without ever blocking, and one daemon worker thread that renders, batches, sends and retries.
 *
 * <p>Nothing is lost that fits in the buffer: a transient failure holds the batch and retries it (capped
 * exponential backoff with jitter, no attempt limit) while the queue keeps filling; only an item that finds the
 * queue full is dropped. Every item and document ends up in exactly one counter of {@link ExportStats}.
 *
 * <p>{@link #shutdown} runs from a JVM shutdown hook: it only wakes the worker and waits on a monitor, so it cannot
 * deadlock with it, and it returns by its deadline even when the worker is stuck in a send (what the worker still
 * holds then is counted as dropped, and the worker stops touching the counts).
 */
public final class ExportPipeline {
    /** The worker's name; instrumentation can use it to recognise the exporter's own calls. */
    public static final String WORKER_THREAD_NAME = "xray-batch-exporter";

    private static final int MAX_LOGGED_REASON = 300;

    private final DocumentExporter exporter;
    private final ExportSettings settings;
    private final ArrayBlockingQueue<Emittable> queue;
    private final Thread worker;
    private final long batchDelayNanos;

    /** Items refused at {@link #offer}: queue full, shutting down, exporter unusable. */
    private final LongAdder offersDropped = new LongAdder();
    /** Incremented by flush and shutdown to cut the worker's current wait short. */
    private final AtomicInteger kicks = new AtomicInteger();
    /** Callers inside {@link #flush}: while positive a partial batch is sent as soon as the queue is empty. */
    private final AtomicInteger flushers = new AtomicInteger();

    private volatile boolean closed;
    private volatile boolean unusable;
    private volatile boolean workerParked;

    // Guarded by `accounts`: the counters, what the worker holds, and whether it may still count.
    private final Object accounts = new Object();
    private long documentsSent;
    private long sendsRetried;
    private long documentsRejected;
    private long documentsDropped;
    private long itemsDropped;
    private int heldItems;
    private int heldDocuments;
    private volatile boolean abandoned;
    private boolean workerDone;
    private ExportStats finalStats;

    // Confined to the worker thread.
    private final List<String> batch;
    private final ArrayDeque<String> pending = new ArrayDeque<String>();
    private final Consumer<String> pendingSink = new Consumer<String>() {
        @Override
        public void accept(String document) {
            if (document != null && !document.isEmpty()) {
                pending.add(document);
            }
        }
    };
    private long batchDueNanos;
    /** The kicks the worker has acted on; a difference from {@link #kicks} means "stop waiting". */
    private int kicksHandled;
    /** Failed attempts of the batch being sent, for the backoff step. */
    private int retryAttempt;

    private ExportPipeline(DocumentExporter exporter, ExportSettings settings) {
        this.exporter = exporter;
        this.settings = settings;
        this.queue = new ArrayBlockingQueue<Emittable>(settings.queueCapacity());
        this.batch = new ArrayList<String>(settings.batchSize());
        this.batchDelayNanos = TimeUnit.MILLISECONDS.toNanos(settings.batchDelayMillis());
        this.worker = new Thread(new Runnable() {
            @Override
            public void run() {
                work();
            }
        }, WORKER_THREAD_NAME);
        worker.setDaemon(true);
        // The SDK looks up some of its own resources through the context loader: make it the agent's.
        worker.setContextClassLoader(ExportPipeline.class.getClassLoader());
    }

    /** Creates the pipeline and starts its worker thread. */
    public static ExportPipeline start(DocumentExporter exporter, ExportSettings settings) {
        if (exporter == null || settings == null) {
            throw new IllegalArgumentException("exporter and settings are required");
        }
        ExportPipeline pipeline = new ExportPipeline(exporter, settings);
        pipeline.worker.start();
        return pipeline;
    }

    /**
     * Queues a finished item for export; never blocks and never throws. Returns false (and counts the item as
     * dropped) when the queue is full, the pipeline is shutting down, or the exporter cannot work in this run.
     */
    public boolean offer(Emittable item) {
        if (item == null) {
            return false;
        }
        if (closed || unusable || !queue.offer(item)) {
            offersDropped.increment();
            return false;
        }
        // Shutdown may have counted the queue between our check and our insert: take the item back if it is
        // still there, so that it is counted exactly once, here or by the worker.
        if ((closed || unusable) && queue.remove(item)) {
            offersDropped.increment();
            return false;
        }
        if (workerParked) {
            LockSupport.unpark(worker);
        }
        return true;
    }

    /**
     * Sends everything queued and held now, and waits for it up to {@code timeoutMillis}, cutting short any
     * backoff wait. Returns true when the pipeline became idle in time (all sent, rejected or dropped).
     */
    public boolean flush(long timeoutMillis) {
        flushers.incrementAndGet();
        try {
            kick();
            return awaitIdle(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, timeoutMillis)));
        } finally {
            flushers.decrementAndGet();
        }
    }

    /** {@link #shutdown(long)} with the configured shutdown timeout. */
    public ExportStats shutdown() {
        return shutdown(settings.shutdownTimeoutMillis());
    }

    /**
     * Refuses new items, sends what is queued and held within {@code deadlineMillis} from now (a backoff wait is
     * cut short at once), stops the worker and returns the final counts. Whatever is unsent at the deadline is
     * counted as dropped. A second call returns the same counts.
     */
    public ExportStats shutdown(long deadlineMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, deadlineMillis));
        synchronized (accounts) {
            if (finalStats != null) {
                return finalStats;
            }
        }
        closed = true;
        kick();
        synchronized (accounts) {
            try {
                while (!workerDone && !abandoned) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    waitMillis(left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (!workerDone && !abandoned) {
                abandonLocked();
            }
            if (finalStats == null) {
                finalStats = snapshotLocked();
            }
            return finalStats;
        }
    }

    /** The counts so far. */
    public ExportStats stats() {
        synchronized (accounts) {
            return snapshotLocked();
        }
    }

    /** Where documents go, for the agent's start-up line. */
    public String describeExporter() {
        return exporter.describe();
    }

    // ---- the worker ----

    private void work() {
        try {
            while (!abandoned) {
                try {
                    if (!step()) {
                        break;
                    }
                } catch (Throwable t) {
                    AgentLog.internalError("the trace export worker", t);
                    dropHeldDocuments();
                }
            }
        } finally {
            try {
                exporter.close();
            } catch (Throwable t) {
                AgentLog.internalError("closing the trace exporter", t);
            }
            // After the close, so that shutdown returns with the file closed and the socket released.
            synchronized (accounts) {
                workerDone = true;
                accounts.notifyAll();
            }
        }
    }

    /** Does one unit of work; false when the worker should stop. */
    private boolean step() {
        if (unusable) {
            dropEverything();
            return false;
        }
        if (batch.size() == settings.batchSize()) {
            sendBatch();
            return true;
        }
        if (!pending.isEmpty()) {
            if (batch.isEmpty()) {
                batchDueNanos = System.nanoTime() + batchDelayNanos;
            }
            while (batch.size() < settings.batchSize() && !pending.isEmpty()) {
                batch.add(pending.poll());
            }
            return true;
        }
        Emittable item;
        synchronized (accounts) {
            if (abandoned) {
                return false;
            }
            item = queue.poll();
            if (item != null) {
                heldItems = 1;
            }
        }
        if (item != null) {
            render(item);
            return true;
        }
        boolean draining = closed || flushers.get() > 0;
        if (!batch.isEmpty() && (draining || System.nanoTime() - batchDueNanos >= 0)) {
            sendBatch();
            return true;
        }
        if (batch.isEmpty()) {
            if (closed) {
                // An offer that raced with shutdown may have landed after the poll above: look once more. One
                // landing after this look sees `closed` in its own re-check and takes its item back.
                return !queue.isEmpty();
            }
            if (draining) {
                synchronized (accounts) {
                    accounts.notifyAll();
                }
            }
        }
        parkUntilWork();
        return true;
    }

    private void render(Emittable item) {
        int before = pending.size();
        boolean rendered;
        try {
            item.render(pendingSink);
            rendered = true;
        } catch (Throwable t) {
            // An item is rendered whole or not at all: a half-rendered segment would mislead.
            while (pending.size() > before) {
                pending.removeLast();
            }
            AgentLog.internalError("rendering a trace document", t);
            rendered = false;
        }
        synchronized (accounts) {
            heldItems = 0;
            if (abandoned) {
                return;
            }
            if (rendered) {
                heldDocuments += pending.size() - before;
            } else {
                itemsDropped++;
            }
        }
    }

    private void parkUntilWork() {
        if (kicks.get() != kicksHandled) {
            // A flush or shutdown came since the last look: the next step sees it.
            kicksHandled = kicks.get();
            return;
        }
        workerParked = true;
        try {
            if (!queue.isEmpty() || kicks.get() != kicksHandled || abandoned) {
                return;
            }
            if (batch.isEmpty()) {
                LockSupport.park(this);
            } else {
                LockSupport.parkNanos(this, batchDueNanos - System.nanoTime());
            }
        } finally {
            workerParked = false;
        }
    }

    private void sendBatch() {
        retryAttempt = 0;
        while (true) {
            SendOutcome outcome = sendOnce();
            switch (outcome.kind()) {
                case ACCEPTED:
                    accepted(outcome.unprocessed());
                    return;
                case RETRYABLE:
                    AgentLog.problemOnce("export:retry:" + outcome.code(), "cannot send traces to "
                            + exporter.describe() + " for now (" + outcome.code() + ": " + shorten(outcome.reason())
                            + "); holding " + documents(batch.size()) + " and retrying while the job runs");
                    if (!backOff()) {
                        return;
                    }
                    synchronized (accounts) {
                        if (abandoned) {
                            return;
                        }
                        sendsRetried++;
                    }
                    AgentLog.debug("retrying a batch of " + documents(batch.size()));
                    break;
                case PERMANENT:
                    AgentLog.problemOnce("export:permanent:" + outcome.code(), exporter.describe()
                            + " refused a batch of " + documents(batch.size()) + " (" + outcome.code() + ": "
                            + shorten(outcome.reason()) + "); such batches are dropped");
                    dropHeldDocuments();
                    return;
                case UNUSABLE:
                default:
                    AgentLog.problemOnce("export:unusable", "cannot send traces to " + exporter.describe() + ": "
                            + outcome.reason() + "; the job runs on, untraced");
                    unusable = true;
                    dropEverything();
                    return;
            }
        }
    }

    private SendOutcome sendOnce() {
        try {
            SendOutcome outcome = exporter.send(batch);
            if (outcome != null) {
                return outcome;
            }
            return SendOutcome.permanent("no-outcome", exporter.describe() + " returned no outcome");
        } catch (Throwable t) {
            // A broken exporter must not spin forever on the same batch.
            AgentLog.internalError("sending trace documents", t);
            return SendOutcome.permanent(t.getClass().getSimpleName(), "internal error in the exporter");
        }
    }

    private void accepted(List<SendOutcome.Unprocessed> unprocessed) {
        int refused = Math.min(unprocessed.size(), batch.size());
        for (SendOutcome.Unprocessed u : unprocessed) {
            AgentLog.problemOnce("export:unprocessed:" + u.errorCode(), exporter.describe() + " refused a document ("
                    + u.errorCode() + ": " + shorten(u.message()) + "); documents refused so are counted, not resent");
        }
        synchronized (accounts) {
            if (!abandoned) {
                documentsSent += batch.size() - refused;
                documentsRejected += refused;
                heldDocuments -= batch.size();
            }
        }
        batch.clear();
    }

    /**
     * Waits before the next attempt; false when the pipeline was abandoned meanwhile. A flush or shutdown (even one
     * that came during the failed send) ends the wait at once and restarts the backoff from its first step, so the
     * time left before the deadline is used for attempts, not sleep.
     */
    private boolean backOff() {
        long ceiling = Math.min(settings.retryMaxBackoffMillis(),
                settings.retryInitialBackoffMillis() << Math.min(retryAttempt++, 30));
        // Equal jitter: never less than half the step, so a throttled receiver really gets a pause.
        long millis = ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!abandoned && kicks.get() == kicksHandled) {
            long left = until - System.nanoTime();
            if (left <= 0) {
                return true;
            }
            LockSupport.parkNanos(this, left);
        }
        kicksHandled = kicks.get();
        retryAttempt = 0;
        return !abandoned;
    }

    private void dropHeldDocuments() {
        synchronized (accounts) {
            if (!abandoned) {
                int held = batch.size() + pending.size();
                documentsDropped += held;
                heldDocuments -= held;
            }
        }
        batch.clear();
        pending.clear();
    }

    private void dropEverything() {
        dropHeldDocuments();
        synchronized (accounts) {
            if (!abandoned) {
                itemsDropped += drainQueue();
            }
        }
    }

    // ---- shared helpers ----

    private void kick() {
        kicks.incrementAndGet();
        LockSupport.unpark(worker);
    }

    private boolean awaitIdle(long deadline) {
        synchronized (accounts) {
            try {
                while (!(queue.isEmpty() && heldItems == 0 && heldDocuments == 0) && !workerDone && !abandoned) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    waitMillis(left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            return queue.isEmpty() && heldItems == 0 && heldDocuments == 0;
        }
    }

    private void waitMillis(long nanos) throws InterruptedException {
        accounts.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos)));
    }

    /** Called at the deadline with `accounts` held: what the worker still holds becomes dropped, and it stops. */
    private void abandonLocked() {
        itemsDropped += heldItems + drainQueue();
        documentsDropped += heldDocuments;
        heldItems = 0;
        heldDocuments = 0;
        abandoned = true;
        // Unpark, not interrupt: an interrupt would close the file exporter's channel under a running write.
        LockSupport.unpark(worker);
    }

    private int drainQueue() {
        int drained = 0;
        while (queue.poll() != null) {
            drained++;
        }
        return drained;
    }

    private ExportStats snapshotLocked() {
        return new ExportStats(documentsSent, sendsRetried, documentsRejected, documentsDropped,
                itemsDropped + offersDropped.sum());
    }

    private static String documents(int count) {
        return count == 1 ? "1 document" : count + " documents";
    }

    private static String shorten(String text) {
        if (text == null) {
            return "no message";
        }
        return text.length() <= MAX_LOGGED_REASON ? text : text.substring(0, MAX_LOGGED_REASON) + "...";
    }
}
