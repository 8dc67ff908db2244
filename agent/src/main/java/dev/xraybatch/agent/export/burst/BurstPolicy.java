package dev.xraybatch.agent.export.burst;

import dev.xraybatch.agent.export.Emittable;
import dev.xraybatch.agent.export.Holding;
import dev.xraybatch.agent.export.JobTrace;
import dev.xraybatch.agent.export.Outgoing;
import dev.xraybatch.agent.export.Placement;
import dev.xraybatch.agent.export.RunInfo;
import dev.xraybatch.agent.export.SendOutcome;
import dev.xraybatch.agent.export.TraceBudgetGauge;
import dev.xraybatch.agent.export.TraceWork;
import dev.xraybatch.agent.json.JsonWriter;
import dev.xraybatch.agent.log.AgentLog;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Sends a job's trace to X-Ray in a few large bursts instead of a trickle, within a byte budget per trace, and
 * splits a long job into continuation traces (AWS's advice for traces that last: fewer updates, or several traces).
 *
 * <ul>
 *   <li>The job's root, in progress, goes out at once and alone, so that a running job is visible.</li>
 *   <li>Time is cut into windows from the job's start ({@link RunInfo#windowMillis}). What ends in window 0 belongs to
 *   the job's trace, what ends in window k to continuation trace k ({@link PartIds}), and is held here until the
 *   window's end (plus a grace for late events), then sent as one burst; a continuation trace gets a root of its own
 *   (the job's name and identity, the root's id, annotations {@code xray_batch_run} and {@code xray_batch_part},
 *   what runs at its end). The job's root is not sent in progress again: X-Ray keeps one in-progress version per
 *   segment, so progress shows in the continuation traces as they come. At the job's end its
 *   final root goes to the job's trace, the last window to its continuation trace. The job's trace gets at most
 *   three bursts, each continuation trace one; without windows everything waits for the end.</li>
 *   <li>Work in a continuation trace whose parent is not in it gets stand-ins of the parents ("continued").</li>
 *   <li>Each trace holds at most the budget: every document sent counts, and past it the least important work is
 *   left out ({@link HeldTrace}) and counted by kind in the trace's root.</li>
 *   <li>When X-Ray answers that a trace is over its quota ({@link QuotaWord}), nothing more goes to it from this
 *   JVM: what it refused, and all that was still to go there, goes to a new continuation trace instead, and one line
 *   says so.</li>
 * </ul>
 *
 * <p>The work is held in this JVM's memory, at most a budget's worth per trace being filled: a {@code kill -9}
 * loses the window in progress and the job's final root. Runs on the export worker only, except the
 * {@link TraceBudgetGauge} methods, which any thread may call.
 */
public final class BurstPolicy implements Holding, TraceBudgetGauge {
    /** Events of the window's last moments may come a little later (Spark's listener bus, executors' summaries). */
    public static final long MAX_GRACE_MILLIS = 5000L;
    /** Room the job's trace keeps for its final root (an eighth of a smaller budget). */
    static final long FINAL_ROOT_RESERVE = 32 * 1024L;
    /** Room a continuation trace keeps for its root and stand-ins (a sixteenth of a smaller budget). */
    static final long PART_ROOT_RESERVE = 4 * 1024L;
    /** The gauge says "short" once this share of the budget is used: new Spark actions are summarized. */
    static final double SHORT_AT = 0.8;
    /** Continuation traces the final root lists (the rest are found by their annotation). */
    static final int PARTS_LISTED = 200;
    /**
     * Work that ends in a window whose trace went out less than this long ago still goes there (X-Ray counts calls
     * within 10 s of each other as one burst): an executor's stage summary, sent 2 s after its last task, stays with
     * its stage. Later work goes to the first window not yet sent.
     */
    static final long LATE_MILLIS = 8_000L;

    private static final Object HEADER = new Object();
    private static final Object STUB = new Object();

    /** Whether X-Ray says a trace is over its quota (BatchGetTraces); null when it cannot tell. */
    public interface LimitCheck {
        Boolean limitExceeded(String traceId);
    }

    private final LongSupplier clockMillis;
    private final long budgetBytes;
    private final String advice;
    private final LimitCheck limitCheck;
    private volatile JobTrace job;
    /** The console address of a trace, for the line that says where the job's root went; "" when unknown. */
    private volatile java.util.function.Function<String, String> consoleLink;

    private final Map<String, RunState> runs = new LinkedHashMap<>();
    private final Map<String, Destination> destinations = new LinkedHashMap<>();
    private final Set<String> reportedClosed = new HashSet<>();

    private final AtomicLong pendingEstimates = new AtomicLong();
    private volatile long gaugeUsed;
    private volatile long gaugeLimit;
    private volatile long maxHeldBytes;
    private volatile int maxHeldItems;
    private volatile int limitChecks;

    /** One run's windows: which have gone out, and up to which the tracer was asked to hand over its work. */
    private static final class RunState {
        RunInfo run;
        int sentThrough = -1;
        int cutThrough = -1;
        boolean finished;
        /** At the job's end: the window it ended in, whose trace is sent even when empty. */
        Destination last;
        final Map<Integer, Destination> windows = new HashMap<>();

        RunState(RunInfo run) {
            this.run = run;
        }
    }

    /**
     * @param clockMillis now, epoch milliseconds (tests move it)
     * @param budgetBytes what this JVM may send into one trace
     * @param advice      what a user should change when X-Ray closes a trace, e.g. "lower trace_budget_kb (400)"
     * @param limitCheck  asks X-Ray whether a trace is over its quota; null: never asked
     */
    public BurstPolicy(LongSupplier clockMillis, long budgetBytes, String advice, LimitCheck limitCheck) {
        this.clockMillis = clockMillis;
        this.budgetBytes = budgetBytes;
        this.advice = advice;
        this.limitCheck = limitCheck;
        this.gaugeLimit = budgetBytes;
    }

    /** The trace side of this JVM's job: its run, its cuts and its roots. Before anything is offered. */
    public void attach(JobTrace jobTrace) {
        this.job = jobTrace;
    }

    /**
     * How to name a trace's console address (e.g. {@code "; console: https://..."}): when X-Ray closes the trace
     * that holds the job's root, a line gives the address of the trace its final root goes to instead, as the start
     * line gave the first one (which stays in progress for ever).
     */
    public void consoleLinks(java.util.function.Function<String, String> link) {
        this.consoleLink = link;
    }

    // ---------------------------------------------------------------- Holding

    @Override
    public void accept(Emittable item, Outbox out) {
        foldEstimates();
        if (!(item instanceof TraceWork)) {
            sendAsIs(item, out);
            return;
        }
        TraceWork work = (TraceWork) item;
        switch (work.role()) {
            case START_ROOT:
                startRoot(work, out);
                break;
            case FINAL_ROOT:
                finalRoot(work, out);
                break;
            case DETAIL:
            default:
                detail(work, out);
                break;
        }
        updateGauge();
    }

    @Override
    public long release(long nowMillis, Outbox out) {
        foldEstimates();
        long next = Long.MAX_VALUE;
        for (RunState state : new ArrayList<>(runs.values())) {
            RunInfo run = state.run;
            if (run.windowMillis <= 0L || state.finished) {
                continue;
            }
            long grace = graceMillis(run);
            int due = run.windowOf(nowMillis - grace) - 1;
            if (due > state.sentThrough) {
                JobTrace trace = job;
                if (state.cutThrough < due && trace != null) {
                    // What finished in the window is still in the tracer's trees: have it handed over first.
                    state.cutThrough = due;
                    cutQuietly(trace);
                    return nowMillis;
                }
                for (int window = state.sentThrough + 1; window <= due; window++) {
                    burstWindow(state, window, out);
                }
                state.sentThrough = due;
            }
            next = Math.min(next, run.windowEnd(state.sentThrough + 1) + grace);
        }
        for (Destination d : new ArrayList<>(destinations.values())) {
            if (d.dueNow) {
                d.dueNow = false;
                burst(d, false, nowMicros(), out);
            }
        }
        updateGauge();
        return next;
    }

    @Override
    public void releaseAll(Outbox out) {
        foldEstimates();
        long now = nowMicros();
        for (RunState state : new ArrayList<>(runs.values())) {
            Destination last = null;
            if (state.run.rootHere && !state.finished) {
                // The last window gets its continuation trace (with a root of its own) even when nothing ended in it;
                // a job ending on a window's end ends in that window, not in an empty next one.
                last = openWindow(state, state.run.windowOf(nowMillis() - 1));
                state.last = last;
            }
            state.finished = true;
            List<Integer> windows = new ArrayList<>(state.windows.keySet());
            Collections.sort(windows);
            for (Integer window : windows) {
                Destination d = state.windows.get(window).open();
                boolean hasRootDue = window == 0 && d.finalRoot != null;
                boolean newPart = window > 0 && d == last && !d.windowSent;
                if (!d.held.isEmpty() || hasRootDue || newPart) {
                    burst(d, true, now, out);
                }
                state.windows.get(window).windowSent = true;
                if (window > state.sentThrough) {
                    state.sentThrough = window;
                }
            }
        }
        for (Destination d : new ArrayList<>(destinations.values())) {
            if (!d.held.isEmpty() || d.finalRoot != null) {
                burst(d, true, now, out);
            }
        }
        updateGauge();
    }

    @Override
    public List<Outgoing> refused(String traceId, List<Outgoing> documents, List<SendOutcome.Unprocessed> reasons,
                                  Outbox out) {
        Destination d = traceId == null ? null : destinations.get(traceId);
        if (d == null || documents.isEmpty()) {
            return Collections.emptyList();
        }
        SendOutcome.Unprocessed word = null;
        boolean unclear = false;
        for (SendOutcome.Unprocessed reason : reasons) {
            if (QuotaWord.saysOverQuota(reason)) {
                word = reason;
                break;
            }
            unclear |= QuotaWord.mayBeOverQuota(reason);
        }
        if (word == null && unclear && d.acceptedDocuments > 0 && Boolean.TRUE.equals(askLimitExceeded(traceId))) {
            word = reasons.get(0);
        }
        if (word == null) {
            return Collections.emptyList();
        }
        Destination next = close(d);
        boolean finalRootMoved = false;
        Set<HeldTrace.Item> moved = Collections.newSetFromMap(new IdentityHashMap<HeldTrace.Item, Boolean>());
        for (Outgoing refusedDocument : documents) {
            Object tag = refusedDocument.tag;
            if (tag instanceof FinalRootTag) {
                if (moved.add(((FinalRootTag) tag).item)) {
                    next.finalRoot = ((FinalRootTag) tag).item.work;
                    out.rendered(1);
                    finalRootMoved = true;
                }
            } else if (tag instanceof HeldTrace.Item && moved.add((HeldTrace.Item) tag)) {
                hold(next, ((HeldTrace.Item) tag).work, out);
            }
        }
        d.refusedForQuota += documents.size();
        next.dueNow = true;
        reportClosed(d, next, word, documents.size(), finalRootMoved);
        return new ArrayList<>(documents);
    }

    @Override
    public void accepted(String traceId, List<Outgoing> documents) {
        Destination d = traceId == null ? null : destinations.get(traceId);
        if (d == null) {
            return;
        }
        synchronized (this) {
            for (Outgoing document : documents) {
                d.acceptedBytes += JsonWriter.utf8Length(document.document);
                d.acceptedDocuments++;
            }
        }
    }

    @Override
    public void discardAll() {
        for (Destination d : destinations.values()) {
            d.held.clear();
            d.finalRoot = null;
        }
    }

    @Override
    public long batchDelayMillis() {
        return 0L;
    }

    @Override
    public long nowMillis() {
        return clockMillis.getAsLong();
    }

    // ---------------------------------------------------------------- TraceBudgetGauge

    @Override
    public boolean isShort() {
        return gaugeUsed + pendingEstimates.get() >= (long) (SHORT_AT * gaugeLimit);
    }

    @Override
    public void chargeEstimate(long bytes) {
        if (bytes > 0) {
            pendingEstimates.addAndGet(bytes);
        }
    }

    @Override
    public long budgetBytes() {
        return budgetBytes;
    }

    // ---------------------------------------------------------------- what a run's pieces become

    private void startRoot(TraceWork work, Outbox out) {
        RunState state = runState(work.run());
        Destination d = destination(state, 0).open();
        Map<String, Object> metadata = runMetadata(state.run);
        List<String> documents = renderRoot(work, d.traceId, metadata).documents;
        if (documents.isEmpty()) {
            out.renderFailed();
            return;
        }
        out.rendered(documents.size());
        send(d, documents, HEADER, out);
        synchronized (this) {
            d.bursts++;
        }
    }

    /** Rendered now (so that it is counted), sent at the job's end with what its trace still holds. */
    private void finalRoot(TraceWork work, Outbox out) {
        RunState state = runState(work.run());
        openWindow(state, state.run.windowOf(nowMillis() - 1)); // the last window's trace is listed in the final root
        Destination d = destination(state, 0).open();
        if (d.finalRoot == null) {
            out.rendered(1); // held as one document until it is rendered for its burst, so it is counted if lost
        }
        d.finalRoot = work;
    }

    private void detail(TraceWork work, Outbox out) {
        RunState state = runState(work.run());
        int window = state.run.windowOf(work.endMicros() / 1000L);
        if (window <= state.sentThrough && !state.finished && state.run.windowMillis > 0
                && nowMillis() - (state.run.windowEnd(window) + graceMillis(state.run)) <= LATE_MILLIS) {
            // Its window went out a moment ago (in this JVM or, for an executor, in the driver's): join it.
            Destination own = destination(state, window);
            if (!own.closed) {
                hold(own, work, out);
                own.dueNow = true;
                return;
            }
        }
        hold(openWindow(state, window), work, out);
    }

    /** Renders {@code work} for {@code d} and holds it there, within the budget. */
    private void hold(Destination d, TraceWork work, Outbox out) {
        Map<String, long[]> leftOnRender = new LinkedHashMap<>();
        HeldTrace.Item item;
        try {
            item = HeldTrace.render(work, Placement.into(d.traceId), leftOnRender);
        } catch (Throwable t) {
            AgentLog.internalError("rendering a trace document", t);
            out.renderFailed();
            return;
        }
        if (item == null) {
            return;
        }
        out.rendered(item.documents.size());
        d.held.add(item);
        d.held.fit(roomFor(d, 0L), d.traceId, out);
        trackMemory();
    }

    /** Bytes the held work of {@code d} may take, with {@code headerBytes} of root and stand-ins still to come. */
    private long roomFor(Destination d, long headerBytes) {
        long reserve = headerBytes > 0 ? headerBytes
                : d.part == 0 && d.run.rootHere && !d.overflow ? Math.min(FINAL_ROOT_RESERVE, budgetBytes / 8)
                : Math.min(PART_ROOT_RESERVE, budgetBytes / 16);
        return budgetBytes - reserve - d.committedBytes - d.estimateBytes;
    }

    private void burstWindow(RunState state, int window, Outbox out) {
        Destination d = state.run.rootHere ? destination(state, window) : state.windows.get(window);
        if (d == null) {
            return;
        }
        Destination target = d.open();
        if (target.held.isEmpty() && !(state.run.rootHere && !target.windowSent)) {
            d.windowSent = true;
            return;
        }
        burst(target, false, Math.min(d.endMicros, nowMicros()), out);
        d.windowSent = true;
    }

    /**
     * One burst into {@code d}: its root (the job's root in progress or final, or a continuation root), the
     * stand-ins its work needs, and the work itself, in calls of up to 50 documents that follow each other.
     */
    private void burst(Destination d, boolean atEnd, long cutMicros, Outbox out) {
        if (d.closed) {
            d = moveToSuccessor(d, out);
        }
        if (d.acceptedDocuments > 0 && Boolean.TRUE.equals(askLimitExceeded(d.traceId))) {
            Destination next = close(d);
            reportClosed(d, next, null, 0, d.finalRoot != null);
            d = moveToSuccessor(d, out);
        }
        RunInfo run = d.run;
        boolean finalRootHere = d.finalRoot != null;
        HeldTrace.Item finalRootItem = null;
        if (finalRootHere) {
            finalRootItem = renderRoot(d.finalRoot, d.traceId, finalRootMetadata(d));
            out.superseded(1);
        }
        List<String> finalRootDocuments = finalRootItem == null ? Collections.<String>emptyList()
                : finalRootItem.documents;
        long finalRootBytes = bytes(finalRootDocuments);
        // A window's trace also holds stand-ins of what other JVMs' work in it may name (Spark stages, actions).
        boolean sharedToo = !atEnd && run.rootHere;

        // Stand-ins first estimated, the work fitted around them and the root, then the stand-ins made for what stayed.
        Map<Long, TraceWork.StubSource> parents = standIns(d, finalRootItem, sharedToo);
        long stubEstimate = 400L * parents.size();
        long rootEstimate = finalRootHere ? finalRootBytes : 2048L;
        d.held.fit(roomFor(d, stubEstimate + rootEstimate), d.traceId, out);
        if (finalRootHere) {
            // The root holds what was still beneath it at the end; when even that does not fit, it goes without
            // the least important of it, counted with the rest (found on trial renders, then rendered once more
            // with the counts in its metadata).
            long room = budgetBytes - d.committedBytes - d.estimateBytes - d.held.bytes() - stubEstimate;
            int chosen = Placement.ALL_LEVELS;
            Map<String, long[]> shed = null;
            long trialBytes = finalRootBytes;
            for (int level = HeldTrace.Kind.LEAST; trialBytes > room && level > 0; level--) {
                Map<String, long[]> trialShed = new LinkedHashMap<>();
                HeldTrace.Item trial = renderRoot(d.finalRoot, d.traceId, finalRootMetadata(d), level - 1, trialShed);
                if (!trial.documents.isEmpty()) {
                    chosen = level - 1;
                    shed = trialShed;
                    trialBytes = bytes(trial.documents);
                }
            }
            if (shed != null && !shed.isEmpty()) {
                d.held.addLeftOut(shed);
                countLeftOut(shed, out);
                finalRootItem = renderRoot(d.finalRoot, d.traceId, finalRootMetadata(d), chosen,
                        new LinkedHashMap<String, long[]>());
                finalRootDocuments = finalRootItem.documents;
                finalRootBytes = bytes(finalRootDocuments);
            }
        }
        parents = standIns(d, finalRootItem, sharedToo);
        List<String> stubs = new ArrayList<>(parents.size());
        List<TraceWork.StubSource> ordered = new ArrayList<>(parents.values());
        Collections.reverse(ordered); // the farthest parents first: each names one already there
        for (TraceWork.StubSource parent : ordered) {
            try {
                stubs.add(parent.stub(d.traceId, d.startMicros));
            } catch (RuntimeException e) {
                AgentLog.internalError("rendering a continued parent", e);
            }
        }

        List<HeldTrace.Item> items = d.held.takeAll();
        int itemDocuments = 0;
        for (HeldTrace.Item item : items) {
            itemDocuments += item.documents.size();
        }
        List<String> header;
        if (finalRootHere) {
            header = finalRootDocuments;
            out.rendered(header.size());
        } else if (((d.part > 0 && run.rootHere) || d.overflow) && d.bursts == 0) {
            // A window's trace gets its root from the JVM that owns the job's root; other JVMs only add to it.
            header = renderPartRoot(d, run, atEnd, cutMicros, itemDocuments + stubs.size());
            out.rendered(header.size());
        } else {
            header = Collections.emptyList();
        }
        out.rendered(stubs.size());

        Object rootTag = finalRootHere ? new FinalRootTag(finalRootItem) : HEADER;
        send(d, header, rootTag, out);
        send(d, stubs, STUB, out);
        for (HeldTrace.Item item : items) {
            send(d, item.documents, item, out);
            for (long id : item.ids) {
                d.present.add(id);
            }
        }
        for (TraceWork.StubSource parent : parents.values()) {
            d.present.add(parent.id());
        }
        if (finalRootItem != null) {
            for (long id : finalRootItem.ids) {
                d.present.add(id);
            }
        }
        d.finalRoot = null;
        int documents = header.size() + stubs.size() + itemDocuments;
        synchronized (this) {
            d.bursts++;
            d.lastBurstMillis = nowMillis();
        }
        reportBurst(d, documents, bytes(header) + bytes(stubs) + bytesOf(items));
    }

    /** A closed trace's work and final root go to its successor. */
    private Destination moveToSuccessor(Destination d, Outbox out) {
        Destination next = d.open();
        if (next == d) {
            return d;
        }
        for (HeldTrace.Item item : d.held.takeAll()) {
            out.superseded(item.documents.size());
            hold(next, item.work, out);
        }
        if (d.finalRoot != null) {
            next.finalRoot = d.finalRoot;
            d.finalRoot = null;
        }
        return next;
    }

    /** Marks {@code d} closed for its quota and gives it a successor: a new continuation trace for the same window. */
    private Destination close(Destination d) {
        if (d.closed && d.successor != null) {
            return d.open();
        }
        d.closed = true;
        long now = nowMillis();
        Destination next = new Destination(PartIds.randomTraceId(now), d.run, d.part, true, d.startMicros,
                d.endMicros);
        next.closedBy = d;
        d.successor = next;
        destinations.put(next.traceId, next);
        return next;
    }

    /**
     * The stand-ins {@code d} needs, each once: the parents of its held work that it lacks, and with
     * {@code sharedToo} the entities other JVMs' work may name that were open at the cut or that crossed the
     * window's end (their own documents wait in a later window's trace).
     */
    private Map<Long, TraceWork.StubSource> standIns(Destination d, HeldTrace.Item finalRoot, boolean sharedToo) {
        Map<Long, TraceWork.StubSource> missing = new LinkedHashMap<>();
        RunInfo run = d.run;
        if (run.rootId == null) {
            return missing; // no root to hang them on: the work keeps naming its parents elsewhere
        }
        Set<Long> present = new HashSet<>(d.present);
        d.held.collectIds(present);
        if (finalRoot != null) {
            for (long id : finalRoot.ids) {
                present.add(id);
            }
        }
        try {
            for (HeldTrace.Item item : d.held.items()) {
                addChain(item.work.parents(), present, missing);
            }
            JobTrace trace = job;
            if (sharedToo && trace != null) {
                for (List<TraceWork.StubSource> chain : trace.openSharedChains()) {
                    addChain(chain, present, missing);
                }
                for (Destination later : destinations.values()) {
                    if (later.run == run && later != d && later.startMicros >= d.endMicros) {
                        for (HeldTrace.Item item : later.held.items()) {
                            for (List<TraceWork.StubSource> chain : item.work.sharedChains(d.endMicros)) {
                                addChain(chain, present, missing);
                            }
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            AgentLog.internalError("finding the parents of trace work", e);
        }
        return missing;
    }

    private static void addChain(List<TraceWork.StubSource> chain, Set<Long> present,
                                 Map<Long, TraceWork.StubSource> missing) {
        for (TraceWork.StubSource entity : chain) {
            if (present.contains(entity.id())) {
                break;
            }
            missing.put(entity.id(), entity);
            present.add(entity.id());
        }
    }

    private void send(Destination d, List<String> documents, Object tag, Outbox out) {
        long bytes = 0L;
        for (String document : documents) {
            out.send(new Outgoing(d.traceId, document, tag));
            bytes += JsonWriter.utf8Length(document);
        }
        synchronized (this) {
            d.committedBytes += bytes;
            d.committedDocuments += documents.size();
        }
    }

    private void sendAsIs(Emittable item, final Outbox out) {
        final List<String> documents = new ArrayList<>(1);
        try {
            item.render(new Consumer<String>() {
                @Override
                public void accept(String document) {
                    if (document != null && !document.isEmpty()) {
                        documents.add(document);
                    }
                }
            });
        } catch (Throwable t) {
            AgentLog.internalError("rendering a trace document", t);
            out.renderFailed();
            return;
        }
        out.rendered(documents.size());
        for (String document : documents) {
            out.send(new Outgoing(null, document, null));
        }
    }

    // ---------------------------------------------------------------- runs and their windows

    private RunState runState(RunInfo run) {
        RunState state = runs.get(run.traceId);
        if (state == null) {
            state = new RunState(run);
            runs.put(run.traceId, state);
        } else if (state.run.rootId == null && run.rootId != null) {
            state.run = run; // an executor learnt its driver's root after its first work
        }
        return state;
    }

    private Destination destination(RunState state, int window) {
        Destination d = state.windows.get(window);
        if (d == null) {
            RunInfo run = state.run;
            String traceId = window == 0 ? run.traceId
                    : PartIds.partTraceId(run.traceId, window, run.windowStart(window));
            long end = run.windowEnd(window);
            d = new Destination(traceId, run, window, false, run.windowStart(window) * 1000L,
                    end == Long.MAX_VALUE ? Long.MAX_VALUE : end * 1000L);
            if (window == 0 && run.rootId != null) {
                d.present.add(parseId(run.rootId));
            }
            state.windows.put(window, d);
            destinations.put(traceId, d);
        }
        return d;
    }

    /** The trace for work that ended in {@code window}: that window's, or the first one not yet sent. */
    private Destination openWindow(RunState state, int window) {
        return destination(state, Math.max(window, state.sentThrough + 1)).open();
    }

    private Destination currentWindow(RunState state) {
        return openWindow(state, state.run.windowOf(nowMillis()));
    }

    private static long graceMillis(RunInfo run) {
        return Math.min(MAX_GRACE_MILLIS, run.windowMillis / 2);
    }

    // ---------------------------------------------------------------- roots and their metadata

    /** The root's documents, with the ids they hold; an item without documents when it could not be rendered. */
    private HeldTrace.Item renderRoot(TraceWork work, String traceId, Map<String, Object> metadata) {
        return renderRoot(work, traceId, metadata, Placement.ALL_LEVELS, new LinkedHashMap<String, long[]>());
    }

    /** The same, without what is beneath it less important than {@code maxLevel} (counted into {@code shed}). */
    private HeldTrace.Item renderRoot(TraceWork work, String traceId, Map<String, Object> metadata, int maxLevel,
                                      Map<String, long[]> shed) {
        try {
            Placement placement = Placement.into(traceId).withRootMetadata(metadata);
            if (maxLevel != Placement.ALL_LEVELS) {
                placement = placement.upToLevel(maxLevel, null);
            }
            HeldTrace.Item item = HeldTrace.render(work, placement, shed);
            if (item != null) {
                return item;
            }
        } catch (Throwable t) {
            AgentLog.internalError("rendering the root segment", t);
        }
        return new HeldTrace.Item(work);
    }

    private List<String> renderPartRoot(Destination d, RunInfo run, boolean atEnd, long cutMicros, int documents) {
        JobTrace trace = job;
        if (trace == null) {
            return Collections.emptyList();
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("run", run.traceId);
        metadata.put("part", d.part);
        if (d.overflow) {
            metadata.put("continues", d.closedBy == null ? null : d.closedBy.traceId);
        }
        long end = atEnd || d.endMicros == Long.MAX_VALUE ? Math.max(cutMicros, d.startMicros) : d.endMicros;
        Map<String, Object> window = new LinkedHashMap<>();
        window.put("start", d.startMicros / 1e6);
        window.put("end", end / 1e6);
        metadata.put("window", window);
        metadata.put("documents", documents);
        putLeftOut(metadata, d);
        try {
            // A trace taken over from a closed one may still get the job's final root (same id): its own root stays
            // in progress so that the final root can complete it (X-Ray keeps one complete document per id).
            return Collections.singletonList(trace.partRoot(run, d.traceId, d.part, d.startMicros,
                    d.overflow ? 0L : end, metadata));
        } catch (RuntimeException e) {
            AgentLog.internalError("rendering a continuation root", e);
            return Collections.emptyList();
        }
    }

    private Map<String, Object> runMetadata(RunInfo run) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("run", run.traceId);
        metadata.put("window_s", run.windowMillis / 1000.0);
        metadata.put("budget_bytes", budgetBytes);
        return metadata;
    }

    /** The job's root at its end lists the run's continuation traces and what its own trace left out. */
    private Map<String, Object> finalRootMetadata(Destination d) {
        Map<String, Object> metadata = runMetadata(d.run);
        List<String> parts = new ArrayList<>();
        int count = 0;
        RunState state = runs.get(d.run.traceId);
        for (Destination other : destinations.values()) {
            // A trace taken over from a closed one that X-Ray closed before it took anything holds nothing: only
            // this JVM sends into it. A window's trace may hold other JVMs' work even then, so it is listed.
            boolean empty = other.overflow && other.closed && other.acceptedDocuments == 0;
            boolean goesOut = !empty
                    && (other.bursts > 0 || !other.held.isEmpty() || (state != null && other == state.last));
            if (other.run.traceId.equals(d.run.traceId) && other != d && (other.part > 0 || other.overflow)
                    && goesOut) {
                count++;
                if (parts.size() < PARTS_LISTED) {
                    parts.add(other.traceId);
                }
            }
        }
        if (count > 0) {
            metadata.put("parts", parts);
            metadata.put("part_count", count);
        }
        putLeftOut(metadata, d);
        return metadata;
    }

    /** Entities the final root went without: counted as left out (they were never documents of their own). */
    private static void countLeftOut(Map<String, long[]> shed, Outbox out) {
        int entities = 0;
        for (long[] kind : shed.values()) {
            entities += (int) kind[0];
        }
        if (entities > 0) {
            out.leftOut(0, entities);
        }
    }

    private static void putLeftOut(Map<String, Object> metadata, Destination d) {
        if (!d.held.leftOut().isEmpty()) {
            metadata.put("left_out", HeldTrace.describe(d.held.leftOut()));
        }
    }

    /** What a refused final root's tag carries: the root's work, to render it again elsewhere. */
    private static final class FinalRootTag {
        final HeldTrace.Item item;

        FinalRootTag(HeldTrace.Item item) {
            this.item = item;
        }
    }

    // ---------------------------------------------------------------- X-Ray's word, the gauge, reports

    private Boolean askLimitExceeded(String traceId) {
        if (limitCheck == null) {
            return null;
        }
        limitChecks++;
        try {
            return limitCheck.limitExceeded(traceId);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private void reportClosed(Destination d, Destination next, SendOutcome.Unprocessed word, int refused,
                              boolean finalRootMoved) {
        String because = word == null ? "BatchGetTraces says it is LimitExceeded"
                : word.errorCode() + ": " + shorten(word.message());
        if (reportedClosed.add(d.traceId)) {
            AgentLog.problem("X-Ray closed trace " + d.traceId + " (" + d + ") for its quota (" + because + "); "
                    + refused + " documents it refused and everything still to go to it go to continuation trace "
                    + next.traceId + " instead" + (finalRootMoved ? ", with the job's final root segment" : "")
                    + ". To stay within X-Ray's quota, " + advice);
        } else if (finalRootMoved) {
            AgentLog.problem("the job's final root segment, refused with trace " + d.traceId
                    + ", went to continuation trace " + next.traceId);
        }
        if (d.part == 0 && d.run.rootHere && reportedClosed.add("link:" + d.traceId)) {
            java.util.function.Function<String, String> link = consoleLink;
            String address = "";
            try {
                address = link == null ? "" : link.apply(next.traceId);
            } catch (RuntimeException e) {
                AgentLog.internalError("naming a trace's console address", e);
            }
            AgentLog.info("the job's root segment now goes to trace " + next.traceId
                    + (d.acceptedDocuments > 0 ? " (trace " + d.traceId + " keeps it in progress)"
                            : " (trace " + d.traceId + " took nothing)") + address);
        }
    }

    private void reportBurst(Destination d, int documents, long bytes) {
        if (d.part == 0 && !d.overflow) {
            AgentLog.debug("sent " + documents + " documents (" + bytes / 1024 + " KB) to the job's trace "
                    + d.traceId);
            return;
        }
        String window = offset(d.run, d.startMicros) + "-"
                + (d.endMicros == Long.MAX_VALUE ? "end" : offset(d.run, Math.min(d.endMicros, nowMicros())));
        String line = (d.overflow ? "overflow of part " : "part ") + d.part + " of trace " + d.run.traceId
                + " sent as trace " + d.traceId + ": window " + window + ", " + documents + " documents, "
                + Math.max(1, bytes / 1024) + " KB"
                + (d.held.leftOutEntities() > 0 ? ", " + d.held.leftOutEntities()
                        + " subsegments left out beyond the trace budget" : "");
        if (d.run.rootHere) {
            AgentLog.info(line);
        } else {
            AgentLog.debug(line);
        }
    }

    /** "1:05:00": time since the job's start. */
    private static String offset(RunInfo run, long micros) {
        long seconds = Math.max(0L, micros / 1000L - run.startMillis) / 1000L;
        return seconds / 3600 + ":" + two(seconds / 60 % 60) + ":" + two(seconds % 60);
    }

    private static String two(long n) {
        return n < 10 ? "0" + n : String.valueOf(n);
    }

    private void foldEstimates() {
        long charged = pendingEstimates.getAndSet(0L);
        if (charged <= 0L) {
            return;
        }
        RunState own = ownState();
        if (own != null && !own.finished) {
            Destination d = currentWindow(own);
            d.estimateBytes += charged;
        }
    }

    private void updateGauge() {
        RunState own = ownState();
        if (own == null || own.finished) {
            return;
        }
        Destination d = currentWindow(own);
        gaugeUsed = d.usedBytes();
        gaugeLimit = roomFor(d, 0L) + d.committedBytes + d.estimateBytes;
    }

    private RunState ownState() {
        JobTrace trace = job;
        return trace == null ? null : runState(trace.run());
    }

    private void cutQuietly(JobTrace trace) {
        try {
            trace.cutFinished();
        } catch (RuntimeException e) {
            AgentLog.internalError("handing over a window's finished work", e);
        }
    }

    private void trackMemory() {
        long held = 0L;
        int items = 0;
        for (Destination d : destinations.values()) {
            held += d.held.chars();
            items += d.held.items().size();
        }
        if (held > maxHeldBytes) {
            maxHeldBytes = held;
        }
        if (items > maxHeldItems) {
            maxHeldItems = items;
        }
    }

    private long nowMicros() {
        return nowMillis() * 1000L;
    }

    private static long bytes(List<String> documents) {
        long bytes = 0L;
        for (String document : documents) {
            bytes += JsonWriter.utf8Length(document);
        }
        return bytes;
    }

    private static long bytesOf(List<HeldTrace.Item> items) {
        long bytes = 0L;
        for (HeldTrace.Item item : items) {
            bytes += item.bytes;
        }
        return bytes;
    }

    private static long parseId(String hex) {
        try {
            return Long.parseUnsignedLong(hex, 16);
        } catch (RuntimeException e) {
            return 0L;
        }
    }

    private static String shorten(String text) {
        if (text == null) {
            return "no message";
        }
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }

    // ---------------------------------------------------------------- for tests and the closing report

    /** What this JVM sent into one trace. */
    public static final class TraceReport {
        public final String traceId;
        public final int part;
        public final boolean overflow;
        public final int bursts;
        public final int documents;
        public final long bytes;
        public final int acceptedDocuments;
        public final long acceptedBytes;
        public final int refusedForQuota;
        public final int leftOut;
        public final boolean closed;

        TraceReport(Destination d) {
            this.traceId = d.traceId;
            this.part = d.part;
            this.overflow = d.overflow;
            this.bursts = d.bursts;
            this.documents = d.committedDocuments;
            this.bytes = d.committedBytes;
            this.acceptedDocuments = d.acceptedDocuments;
            this.acceptedBytes = d.acceptedBytes;
            this.refusedForQuota = d.refusedForQuota;
            this.leftOut = d.held.leftOutEntities();
            this.closed = d.closed;
        }

        @Override
        public String toString() {
            return (part == 0 && !overflow ? "job trace" : (overflow ? "overflow " : "part ") + part) + " "
                    + traceId + ": " + bursts + " bursts, " + documents + " documents, " + bytes + " bytes"
                    + (refusedForQuota > 0 ? ", " + refusedForQuota + " refused for quota" : "")
                    + (leftOut > 0 ? ", " + leftOut + " left out" : "") + (closed ? ", closed" : "");
        }
    }

    /** Every trace sent into so far, in the order first used. */
    public synchronized List<TraceReport> traces() {
        List<TraceReport> reports = new ArrayList<>();
        for (Destination d : destinations.values()) {
            if (d.committedDocuments > 0 || d.bursts > 0) {
                reports.add(new TraceReport(d));
            }
        }
        return reports;
    }

    /** The most document bytes held at once (UTF-8, about what the held strings take in memory). */
    public long maxHeldBytes() {
        return maxHeldBytes;
    }

    /** The most pieces of work held at once. */
    public int maxHeldItems() {
        return maxHeldItems;
    }

    /** How often X-Ray was asked whether a trace is over its quota. */
    public int limitChecks() {
        return limitChecks;
    }
}
