package dev.xraybatch.agent.export;

import dev.xraybatch.agent.log.AgentLog;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The bounded road from finished items to a {@link DocumentExporter}: a queue that application threads
 * {@link #offer} into without ever blocking, and one daemon worker thread that renders, holds, batches, sends and
 * retries. When documents leave, and for which trace, is the {@link Holding}'s decision: at once
 * ({@link ImmediateHolding}) or in bursts. A batch carries documents of one trace only.
 *
 * <p>Nothing is lost that fits in the buffer: a transient failure holds the batch and retries it (capped
 * exponential backoff with jitter, no attempt limit) while the queue keeps filling; only an item that finds the
 * queue full is dropped. Every item and document ends up in exactly one counter of {@link ExportStats}. The queue
 * is bounded but takes memory only for what it holds, so a large {@code queue_size} costs nothing until it fills.
 *
 * <p>The job's final root ({@link TraceWork.Role#FINAL_ROOT}) never competes for a place in the queue: it is the
 * one item that says how the job ended, and application threads still busy at exit would otherwise fill the queue
 * before it. It has a slot of its own, and the worker takes it before anything queued.
 *
 * <p>{@link #shutdown} runs from a JVM shutdown hook: it only wakes the worker and waits on a monitor, so it cannot
 * deadlock with it, and it returns by its deadline even when the worker is stuck in a send (what the worker still
 * holds then is counted as dropped, and the worker stops touching the counts).
 */
public final class ExportPipeline {
    /** The worker's name; instrumentation can use it to recognise the exporter's own calls. */
    public static final String WORKER_THREAD_NAME = "xray-batch-exporter";

    private static final int MAX_LOGGED_REASON = 300;
    /** The longest the worker sleeps while a holding waits for a moment on its own clock (a test may move it). */
    private static final long MAX_TIMED_PARK_MILLIS = 1000L;

    private final DocumentExporter exporter;
    private final ExportSettings settings;
    private final Holding holding;
    private final LinkedBlockingQueue<Emittable> queue;
    /** The job's final root, offered outside the queue: see the class comment. */
    private final AtomicReference<Emittable> finalRoot = new AtomicReference<Emittable>();
    private final Thread worker;
    private final long batchDelayNanos;

    /** Items refused at {@link #offer}: queue full, shutting down, exporter unusable. */
    private final LongAdder offersDropped = new LongAdder();
    /** The segments and subsegments those items held. */
    private final LongAdder offeredEntitiesDropped = new LongAdder();
    /** Incremented by flush, settle and shutdown to cut the worker's current wait short. */
    private final AtomicInteger kicks = new AtomicInteger();
    /** Callers inside {@link #flush}: while positive everything held is sent as soon as the queue is empty. */
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
    /** The segments and subsegments the items in {@link #itemsDropped} held. */
    private long itemEntitiesDropped;
    private long quotaRefused;
    private long leftOutEntities;
    /** The item the worker took off the queue and is handing to the holding; null otherwise. */
    private Emittable heldItem;
    /** Rendered documents not yet sent, rejected, dropped or left out: held by the holding, queued or in the batch. */
    private int heldDocuments;
    /** The kick the worker last went idle after (nothing queued, due or being sent): see {@link #settle}. */
    private int idleAfterKick = -1;
    private volatile boolean abandoned;
    private boolean workerDone;
    private ExportStats finalStats;

    // Confined to the worker thread.
    private final ArrayDeque<Outgoing> outbox = new ArrayDeque<Outgoing>();
    private final List<Outgoing> batch;
    private final List<String> batchDocuments;
    private final Holding.Outbox box = new WorkerOutbox();
    private long batchDueNanos;
    private long nextReleaseMillis = Long.MIN_VALUE;
    /** The kicks the worker has acted on; a difference from {@link #kicks} means "stop waiting". */
    private int kicksHandled;
    /** Failed attempts of the batch being sent, for the backoff step. */
    private int retryAttempt;

    private ExportPipeline(DocumentExporter exporter, ExportSettings settings, Holding holding) {
        this.exporter = exporter;
        this.settings = settings;
        this.holding = holding;
        // Linked, not an array: a queue_size of millions must not be allocated at start, only when it fills.
        this.queue = new LinkedBlockingQueue<Emittable>(settings.queueCapacity());
        this.batch = new ArrayList<Outgoing>(settings.batchSize());
        this.batchDocuments = new ArrayList<String>(settings.batchSize());
        this.batchDelayNanos = TimeUnit.MILLISECONDS.toNanos(holding.batchDelayMillis());
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

    /** Creates the pipeline, sending documents as soon as their work is finished, and starts its worker. */
    public static ExportPipeline start(DocumentExporter exporter, ExportSettings settings) {
        if (settings == null) {
            throw new IllegalArgumentException("exporter and settings are required");
        }
        return start(exporter, settings, new ImmediateHolding(settings.batchDelayMillis()));
    }

    /** Creates the pipeline with its own holding (e.g. bursts) and starts its worker. */
    public static ExportPipeline start(DocumentExporter exporter, ExportSettings settings, Holding holding) {
        if (exporter == null || settings == null || holding == null) {
            throw new IllegalArgumentException("exporter, settings and holding are required");
        }
        ExportPipeline pipeline = new ExportPipeline(exporter, settings, holding);
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
        if (isFinalRoot(item)) {
            return offerFinalRoot(item);
        }
        if (closed || unusable || !queue.offer(item)) {
            countRefusedOffer(item);
            return false;
        }
        // Shutdown may have counted the queue between our check and our insert: take the item back if it is
        // still there, so that it is counted exactly once, here or by the worker.
        if ((closed || unusable) && queue.remove(item)) {
            countRefusedOffer(item);
            return false;
        }
        if (workerParked) {
            LockSupport.unpark(worker);
        }
        return true;
    }

    private void countRefusedOffer(Emittable item) {
        offersDropped.increment();
        offeredEntitiesDropped.add(entitiesOf(item));
    }

    /** Never throws: a count that fails must not cost the caller (an application thread) anything. */
    private static int entitiesOf(Emittable item) {
        try {
            return item.entities();
        } catch (Throwable t) {
            AgentLog.internalError("counting a dropped item", t);
            return 1;
        }
    }

    private static boolean isFinalRoot(Emittable item) {
        return item instanceof TraceWork && ((TraceWork) item).role() == TraceWork.Role.FINAL_ROOT;
    }

    /** The final root into its own slot; the same race with shutdown as in {@link #offer}. */
    private boolean offerFinalRoot(Emittable item) {
        if (closed || unusable || !finalRoot.compareAndSet(null, item)) {
            countRefusedOffer(item);
            return false;
        }
        if ((closed || unusable) && finalRoot.compareAndSet(item, null)) {
            countRefusedOffer(item);
            return false;
        }
        LockSupport.unpark(worker);
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

    /**
     * Wakes the worker and waits up to {@code timeoutMillis} until it has nothing to do: every queued item taken,
     * everything due by the holding's clock sent; what the holding keeps for later stays held. For tests that move
     * the holding's clock, and benchmarks. Returns false on timeout.
     */
    public boolean settle(long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, timeoutMillis));
        int kick = kick();
        synchronized (accounts) {
            try {
                while (idleAfterKick - kick < 0 && !workerDone && !abandoned) {
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
            return idleAfterKick - kick >= 0;
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

    /**
     * Stops the worker where it is, sending nothing more and counting nothing more: what a {@code kill -9} does to
     * the pipeline, for tests that measure what such an end loses. Returns the counts as they were.
     */
    public ExportStats halt() {
        closed = true;
        synchronized (accounts) {
            abandoned = true;
            if (finalStats == null) {
                finalStats = snapshotLocked();
            }
        }
        LockSupport.unpark(worker);
        return finalStats;
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
        if (!batch.isEmpty() && (batch.size() == settings.batchSize()
                || (!outbox.isEmpty() && !sameTrace(outbox.peek(), batch.get(0))))) {
            sendBatch();
            return true;
        }
        if (!outbox.isEmpty()) {
            if (batch.isEmpty()) {
                batchDueNanos = System.nanoTime() + batchDelayNanos;
            }
            while (batch.size() < settings.batchSize() && !outbox.isEmpty()
                    && (batch.isEmpty() || sameTrace(outbox.peek(), batch.get(0)))) {
                batch.add(outbox.poll());
            }
            return true;
        }
        Emittable item;
        synchronized (accounts) {
            if (abandoned) {
                return false;
            }
            item = finalRoot.getAndSet(null);
            if (item == null) {
                item = queue.poll();
            }
            heldItem = item;
        }
        if (item != null) {
            accept(item);
            nextReleaseMillis = Long.MIN_VALUE; // the item may have brought something due sooner
            return true;
        }
        long now = holding.nowMillis();
        if (now >= nextReleaseMillis) {
            nextReleaseMillis = holding.release(now, box);
            // Something was released, or is due again at once (the holding asked for work to be handed over first).
            if (!outbox.isEmpty() || nextReleaseMillis <= now) {
                return true;
            }
        }
        boolean draining = closed || flushers.get() > 0;
        if (draining) {
            holding.releaseAll(box);
            if (!outbox.isEmpty()) {
                return true;
            }
        }
        if (!batch.isEmpty() && (draining || System.nanoTime() - batchDueNanos >= 0)) {
            sendBatch();
            return true;
        }
        if (batch.isEmpty()) {
            if (closed) {
                // An offer that raced with shutdown may have landed after the poll above: look once more. One
                // landing after this look sees `closed` in its own re-check and takes its item back.
                return !queue.isEmpty() || finalRoot.get() != null;
            }
            synchronized (accounts) {
                if (kicks.get() == kicksHandled && queue.isEmpty() && finalRoot.get() == null) {
                    idleAfterKick = kicksHandled;
                }
                accounts.notifyAll();
            }
        }
        parkUntilWork();
        return true;
    }

    private void accept(Emittable item) {
        try {
            holding.accept(item, box);
        } catch (Throwable t) {
            AgentLog.internalError("holding a trace document", t);
            box.renderFailed();
        }
        synchronized (accounts) {
            heldItem = null;
        }
    }

    private static boolean sameTrace(Outgoing a, Outgoing b) {
        return a.traceId == null ? b.traceId == null : a.traceId.equals(b.traceId);
    }

    private void parkUntilWork() {
        if (kicks.get() != kicksHandled) {
            // A flush or shutdown came since the last look: the next step sees it.
            kicksHandled = kicks.get();
            return;
        }
        workerParked = true;
        try {
            if (!queue.isEmpty() || finalRoot.get() != null || kicks.get() != kicksHandled || abandoned) {
                return;
            }
            long wait = Long.MAX_VALUE;
            if (!batch.isEmpty()) {
                wait = batchDueNanos - System.nanoTime();
            }
            if (nextReleaseMillis != Long.MAX_VALUE) {
                long untilRelease = Math.min(MAX_TIMED_PARK_MILLIS,
                        Math.max(1L, nextReleaseMillis - holding.nowMillis()));
                wait = Math.min(wait, TimeUnit.MILLISECONDS.toNanos(untilRelease));
            }
            if (wait == Long.MAX_VALUE) {
                LockSupport.park(this);
            } else {
                LockSupport.parkNanos(this, wait);
            }
        } finally {
            workerParked = false;
        }
    }

    private void sendBatch() {
        retryAttempt = 0;
        batchDocuments.clear();
        for (Outgoing document : batch) {
            batchDocuments.add(document.document);
        }
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
                    dropBatch();
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
            SendOutcome outcome = exporter.send(batchDocuments);
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
        String traceId = batch.get(0).traceId;
        List<Outgoing> taken = new ArrayList<Outgoing>(batch);
        List<Outgoing> refused = new ArrayList<Outgoing>();
        List<SendOutcome.Unprocessed> reasons = new ArrayList<SendOutcome.Unprocessed>();
        int unmatched = 0;
        if (!unprocessed.isEmpty()) {
            Map<String, List<Outgoing>> byId = new HashMap<String, List<Outgoing>>();
            for (Outgoing document : batch) {
                String id = document.documentId();
                if (id != null) {
                    List<Outgoing> same = byId.get(id);
                    if (same == null) {
                        same = new ArrayList<Outgoing>(1);
                        byId.put(id, same);
                    }
                    same.add(document);
                }
            }
            for (SendOutcome.Unprocessed u : unprocessed) {
                List<Outgoing> same = u.id() == null ? null : byId.get(u.id());
                if (same != null && !same.isEmpty()) {
                    Outgoing document = same.remove(0);
                    refused.add(document);
                    reasons.add(u);
                    taken.remove(document);
                } else {
                    unmatched++;
                }
            }
        }
        List<Outgoing> handled = refused.isEmpty() ? java.util.Collections.<Outgoing>emptyList()
                : holding.refused(traceId, refused, reasons, box);
        if (!handled.isEmpty()) {
            nextReleaseMillis = Long.MIN_VALUE; // what the holding sends elsewhere is due at once
        }
        int rejected = refused.size() - handled.size() + Math.min(unmatched, taken.size());
        for (SendOutcome.Unprocessed u : unprocessed) {
            if (!handledReason(u, reasons, refused, handled)) {
                AgentLog.problemOnce("export:unprocessed:" + u.errorCode(), exporter.describe()
                        + " refused a document (" + u.errorCode() + ": " + shorten(u.message())
                        + "); documents refused so are counted, not resent");
            }
        }
        holding.accepted(traceId, taken);
        synchronized (accounts) {
            if (!abandoned) {
                documentsSent += batch.size() - refused.size() - Math.min(unmatched, taken.size());
                documentsRejected += rejected;
                quotaRefused += handled.size();
                heldDocuments -= batch.size();
            }
        }
        batch.clear();
    }

    /** True when the holding took care of the document this reason refused. */
    private static boolean handledReason(SendOutcome.Unprocessed reason, List<SendOutcome.Unprocessed> reasons,
                                         List<Outgoing> refused, List<Outgoing> handled) {
        int at = reasons.indexOf(reason);
        return at >= 0 && handled.contains(refused.get(at));
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

    private void dropBatch() {
        synchronized (accounts) {
            if (!abandoned) {
                documentsDropped += batch.size();
                heldDocuments -= batch.size();
            }
        }
        batch.clear();
    }

    /** What is on its way out (the batch and the outbox) is dropped: after an internal error. */
    private void dropHeldDocuments() {
        int held = batch.size() + outbox.size();
        synchronized (accounts) {
            if (!abandoned) {
                documentsDropped += held;
                heldDocuments -= held;
            }
        }
        batch.clear();
        outbox.clear();
    }

    /** The exporter can never send: everything rendered (also what the holding keeps) and queued is dropped. */
    private void dropEverything() {
        batch.clear();
        outbox.clear();
        try {
            holding.discardAll();
        } catch (Throwable t) {
            AgentLog.internalError("discarding held trace documents", t);
        }
        synchronized (accounts) {
            if (!abandoned) {
                documentsDropped += heldDocuments;
                heldDocuments = 0;
                drainQueueAsDropped();
            }
        }
    }

    /** How the holding tells the pipeline what it rendered, sends and leaves out; on the worker thread. */
    private final class WorkerOutbox implements Holding.Outbox {
        @Override
        public void send(Outgoing document) {
            outbox.add(document);
        }

        @Override
        public void rendered(int documents) {
            synchronized (accounts) {
                if (!abandoned) {
                    heldDocuments += documents;
                }
            }
        }

        @Override
        public void leftOut(int documents, int entities) {
            synchronized (accounts) {
                if (!abandoned) {
                    heldDocuments -= documents;
                    leftOutEntities += entities;
                }
            }
        }

        @Override
        public void superseded(int documents) {
            synchronized (accounts) {
                if (!abandoned) {
                    heldDocuments -= documents;
                }
            }
        }

        @Override
        public void renderFailed() {
            synchronized (accounts) {
                if (!abandoned) {
                    itemsDropped++;
                    // The item being handed over; one the holding kept and rendered later counts as one.
                    itemEntitiesDropped += heldItem != null ? entitiesOf(heldItem) : 1;
                }
            }
        }
    }

    // ---- shared helpers ----

    private int kick() {
        int kick = kicks.incrementAndGet();
        LockSupport.unpark(worker);
        return kick;
    }

    private boolean awaitIdle(long deadline) {
        synchronized (accounts) {
            try {
                while (!(nothingQueued() && heldItem == null && heldDocuments == 0) && !workerDone && !abandoned) {
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
            return nothingQueued() && heldItem == null && heldDocuments == 0;
        }
    }

    private void waitMillis(long nanos) throws InterruptedException {
        accounts.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos)));
    }

    /** Called at the deadline with `accounts` held: what the worker still holds becomes dropped, and it stops. */
    private void abandonLocked() {
        if (heldItem != null) {
            itemsDropped++;
            itemEntitiesDropped += entitiesOf(heldItem);
        }
        drainQueueAsDropped();
        documentsDropped += heldDocuments;
        heldItem = null;
        heldDocuments = 0;
        abandoned = true;
        // Unpark, not interrupt: an interrupt would close the file exporter's channel under a running write.
        LockSupport.unpark(worker);
    }

    private boolean nothingQueued() {
        return queue.isEmpty() && finalRoot.get() == null;
    }

    /** With `accounts` held: every queued item (and the final root) is counted as dropped, with what it holds. */
    private void drainQueueAsDropped() {
        Emittable item = finalRoot.getAndSet(null);
        if (item == null) {
            item = queue.poll();
        }
        while (item != null) {
            itemsDropped++;
            itemEntitiesDropped += entitiesOf(item);
            item = queue.poll();
        }
    }

    private ExportStats snapshotLocked() {
        return new ExportStats(documentsSent, sendsRetried, documentsRejected, documentsDropped,
                itemsDropped + offersDropped.sum(), itemEntitiesDropped + offeredEntitiesDropped.sum(), quotaRefused,
                leftOutEntities);
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
