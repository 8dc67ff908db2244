package dev.xraybatch.agent.trace;

import dev.xraybatch.agent.export.Emittable;
import dev.xraybatch.agent.export.JobTrace;
import dev.xraybatch.agent.export.RunInfo;
import dev.xraybatch.agent.export.TraceBudgetGauge;
import dev.xraybatch.agent.export.TraceWork;
import dev.xraybatch.agent.log.AgentLog;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The one tracer of this JVM: the job's root segment, the entity each thread works for, and the hand-off of
 * finished entities to export. Everything here may run on application threads: it allocates little, renders
 * nothing (the export worker does), and holds locks only for a few field updates.
 *
 * <p>It is also the job's trace as export sees it ({@link JobTrace}): the export worker asks it to hand over
 * finished work at the end of each window, and for the root's documents in the job's trace and its continuation
 * traces.
 */
public final class Tracer implements JobTrace {
    /** The X-Ray SDK for Java streams finished subsegments out once a segment holds 100; so do we. */
    static final int STREAM_AFTER = 100;

    private static volatile Tracer instance;

    private final TraceTree tree;
    private final Segment root;
    private final DocumentRenderer renderer;
    private final Consumer<Emittable> export;
    /** Epoch microseconds for the times the tracer takes itself; tests move it. */
    private final LongSupplier clock;
    private final long windowMillis;
    private final ThreadLocal<Entity> current = new ThreadLocal<>();
    /** Set in JVMs whose work belongs to another JVM's trace: see {@link #keepRootLocal()}. */
    private volatile boolean rootLocal;
    /** The one thread whose idle time is watched, if any: see {@link #watchIdle}. */
    private volatile IdleWatch idleWatch;
    private volatile RunInfo ownRun;
    /** Runs of other JVMs this one works for (a Spark executor's driver), by their trace id. */
    private final Map<String, RunInfo> joinedRuns = new ConcurrentHashMap<>();
    /** Open entities other trees of this JVM name as detached parent: see {@link #shareAsParent}. */
    private final Map<Long, Entity> sharedParents = new ConcurrentHashMap<>();
    /**
     * What remains of the last shared entities that ended, for stand-ins of work that names them and ends later
     * (a Spark job's end event comes from the listener after its action returned). Guarded by itself.
     */
    private final LinkedHashMap<Long, Work.EndedShared> endedShared = new LinkedHashMap<Long, Work.EndedShared>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Work.EndedShared> eldest) {
            return size() > ENDED_SHARED_KEPT;
        }
    };
    private static final int ENDED_SHARED_KEPT = 256;
    /**
     * The shared entities open when the export worker last cut a window ({@link #cutFinished}): its burst, which
     * follows, still gives them stand-ins if they end in between. Written and read on the export worker only.
     */
    private volatile List<Entity> sharedAtLastCut = Collections.emptyList();
    private final Work.SharedEntities shared = new Work.SharedEntities() {
        @Override
        public Entity open(long id) {
            return sharedParents.get(id);
        }

        @Override
        public Work.EndedShared ended(long id) {
            synchronized (endedShared) {
                return endedShared.get(id);
            }
        }
    };
    /** Detached subsegments still open: the window's cut hands over what finished beneath them. */
    private final Set<Subsegment> openDetached = Collections.newSetFromMap(new ConcurrentHashMap<Subsegment, Boolean>());
    /** Once work is cut into windows, the exit cuts once more, so the last window's work goes with it. */
    private volatile boolean cutsBegan;
    private volatile TraceBudgetGauge budget = TraceBudgetGauge.UNLIMITED;
    /** What a continuation trace's root adds to the root's annotations for its window; null: nothing. */
    private volatile WindowFigures windowFigures;
    private final LongAdder unsentPastLimit = new LongAdder();

    Tracer(String traceId, String rootName, long rootStartMicros, String upstreamParentId,
           DocumentRenderer.AgentInfo agentInfo, Consumer<Emittable> export) {
        this(traceId, rootName, rootStartMicros, upstreamParentId, agentInfo, export, 0L, SYSTEM_CLOCK);
    }

    Tracer(String traceId, String rootName, long rootStartMicros, String upstreamParentId,
           DocumentRenderer.AgentInfo agentInfo, Consumer<Emittable> export, long windowMillis, LongSupplier clock) {
        this.renderer = new DocumentRenderer(agentInfo);
        this.export = export;
        this.clock = clock;
        this.windowMillis = windowMillis;
        this.tree = new TraceTree(traceId, this::emit, STREAM_AFTER);
        this.root = new Segment(tree, rootName, rootStartMicros, upstreamParentId);
    }

    private static final LongSupplier SYSTEM_CLOCK = new LongSupplier() {
        @Override
        public long getAsLong() {
            return Clock.nowMicros();
        }
    };

    /** Creates the JVM's tracer and makes it the one {@link #get()} returns. */
    public static Tracer start(String traceId, String rootName, long rootStartMicros, String upstreamParentId,
                               String agentName, String agentVersion, Consumer<Emittable> export) {
        return start(traceId, rootName, rootStartMicros, upstreamParentId, agentName, agentVersion, export, 0L,
                SYSTEM_CLOCK);
    }

    /**
     * Creates the JVM's tracer and makes it the one {@link #get()} returns.
     *
     * @param windowMillis how long each window of the job's trace is (0: one window); see {@link RunInfo}
     * @param clock        epoch microseconds for the times the tracer takes itself (tests pass a simulated one)
     */
    public static Tracer start(String traceId, String rootName, long rootStartMicros, String upstreamParentId,
                               String agentName, String agentVersion, Consumer<Emittable> export,
                               long windowMillis, LongSupplier clock) {
        Tracer t = new Tracer(traceId, rootName, rootStartMicros, upstreamParentId,
                new DocumentRenderer.AgentInfo(agentName, agentVersion), export, windowMillis,
                clock == null ? SYSTEM_CLOCK : clock);
        instance = t;
        return t;
    }

    /** The tracer, or null before the agent started or when the job runs untraced. */
    public static Tracer get() {
        return instance;
    }

    public static long nowMicros() {
        return Clock.nowMicros();
    }

    /** Now by this tracer's clock (the system's, or the one a test moves). */
    public long clockMicros() {
        return clock.getAsLong();
    }

    public Segment root() {
        return root;
    }

    /**
     * Whether a subsegment directly beneath {@code parent} is open now: work another thread does there (a task
     * the watched thread handed off, with a pointcut on it) already explains that time.
     */
    public boolean hasOpenChild(Entity parent) {
        synchronized (parent.tree) {
            if (parent.children != null) {
                for (Subsegment child : parent.children) {
                    if (!child.isClosed()) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    public String traceId() {
        return tree.traceId;
    }

    /** The entity work on this thread belongs to: the innermost open subsegment, else the root. */
    public Entity current() {
        Entity e = current.get();
        return e != null ? e : root;
    }

    /** Opens a subsegment under {@link #current()} and makes it current on this thread. */
    public Subsegment begin(String name) {
        Entity parent = current();
        Subsegment s = new Subsegment(tree, parent, name, clock.getAsLong());
        tree.attach(parent, s);
        makeCurrent(s);
        return s;
    }

    /**
     * Opens a framework's phase the job's code runs inside (a Spring Batch job or step): like {@link #begin}, but
     * for the watched thread (see {@link #watchIdle}) its time in the phase that no child explains is sampled and
     * named beneath it, as the root's is.
     */
    public Subsegment beginSampledPhase(String name) {
        Entity parent = current();
        Subsegment s = new Subsegment(tree, parent, name, clock.getAsLong());
        s.sampledInside = true;
        tree.attach(parent, s);
        makeCurrent(s);
        return s;
    }

    /**
     * Like {@link #begin}, but past {@code limit} subsegments of this name under the same parent the call is only
     * counted into one summary subsegment per window. The summarized call does not become current: work it does
     * lands on the parent, under its own limits.
     */
    public Subsegment beginLimited(String name, int limit) {
        return beginLimited(name, name, limit);
    }

    /**
     * {@link #beginLimited(String, int)} counting against {@code limitKey} rather than the name: a name built from
     * data ({@code 'load {arg0}'}, a million distinct values) counts against its template, whose summary takes the
     * template's name. The limit holds after the root closed too. Past the limit a call takes no lock.
     */
    public Subsegment beginLimited(String limitKey, String name, int limit) {
        Entity parent = current();
        long now = clock.getAsLong();
        Entity.NameLimit counter = limitOf(parent, limitKey, limit);
        if (counter.full || counter.started.incrementAndGet() > limit) {
            if (!counter.full) {
                counter.full = true;
            }
            return Subsegment.summarizedCall(parent.tree, parent, counter, name, now);
        }
        Subsegment s = new Subsegment(parent.tree, parent, name, now);
        parent.tree.attach(parent, s);
        makeCurrent(s);
        return s;
    }

    /** The limit counter of {@code key} under {@code parent}: a lock-free look-up once it exists. */
    private Entity.NameLimit limitOf(Entity parent, String key, int limit) {
        ConcurrentHashMap<String, Entity.NameLimit> limits = parent.childLimits;
        Entity.NameLimit counter = limits == null ? null : limits.get(key);
        if (counter != null) {
            return counter;
        }
        synchronized (parent.tree) {
            limits = parent.childLimits;
            if (limits == null) {
                limits = new ConcurrentHashMap<>(4);
                parent.childLimits = limits;
            }
            counter = limits.get(key);
            if (counter == null) {
                RunInfo run = runOf(parent.traceId());
                counter = new Entity.NameLimit(key, limit, run.startMillis, run.windowMillis);
                limits.put(key, counter);
            }
            return counter;
        }
    }

    /**
     * Counts an ended call past its limit into the summary of the window it ended in (opened on the window's first
     * such call). A failed one is also kept whole, up to {@link CallSummary#FAILED_KEPT} per name and window. A call
     * that ends once its parent was closed (the root at exit, a parent that ended first) has no summary left to
     * join: it is counted in {@link #callsPastLimitUnsent()}.
     */
    private void endSummarized(Subsegment call) {
        Entity.NameLimit limit = call.summaryTarget;
        long windowEnd = limit.windowEndOf(call.endMicros / 1000L);
        Subsegment summary = limit.current;
        if (summary == null || summary.summary.windowEndMillis != windowEnd || summary.isClosed()) {
            summary = summaryFor(limit, call, windowEnd);
            if (summary == null) {
                unsentPastLimit.increment();
                return;
            }
        }
        if (summary.summary.add(call)) {
            Subsegment kept = Subsegment.keptWhole(call);
            call.tree.attach(call.parent, kept);
            call.tree.finished(kept);
        }
    }

    /** The open summary of {@code windowEnd} under the call's parent, made now if need be; null once it closed. */
    private Subsegment summaryFor(Entity.NameLimit limit, Subsegment call, long windowEnd) {
        Entity parent = call.parent;
        synchronized (parent.tree) {
            Subsegment summary = limit.current;
            if (summary != null && summary.summary.windowEndMillis == windowEnd && !summary.isClosed()) {
                return summary;
            }
            if (parent.isClosed() || parent.emitted) {
                return null;
            }
            if (summary != null && !summary.isClosed() && summary.summary.windowEndMillis > windowEnd) {
                return summary; // a call of an earlier window ending late: the newer window counts it
            }
            summary = Subsegment.summaryOf(parent.tree, parent, limit.name, call.startMicros, limit.limit, windowEnd);
            parent.tree.attach(parent, summary);
            limit.current = summary;
            return summary;
        }
    }

    /** Calls past their limit that ended after their parent closed (after the root's end, mostly): not sent. */
    public long callsPastLimitUnsent() {
        return unsentPastLimit.sum();
    }

    /** Opens a subsegment under an explicit parent of this trace, without making it current. */
    public Subsegment beginChild(Entity parent, String name) {
        Subsegment s = new Subsegment(parent.tree, parent, name, clock.getAsLong());
        parent.tree.attach(parent, s);
        return s;
    }

    /**
     * {@code s}, under the root, was made once its time had passed ({@code setStartMicros} back to when it began):
     * if this is the watched thread, the time it covers was idle as the watch saw it, and is explained now.
     */
    public void recordedAfterTheFact(Subsegment s) {
        IdleWatch w = idleWatch;
        if (w != null && s != null && w.thread == Thread.currentThread() && s.parent == (w.idleIn() == null ? root : w.idleIn())) {
            w.covered(s.startMicros, s.endMicros, s.name());
        }
    }

    /**
     * Opens a subsegment whose parent lives in another tree (another JVM, or a Spark listener's view of an
     * action): it and its children are sent as independent documents when it completes.
     */
    public Subsegment beginDetached(String traceId, String parentId, String name, long startMicros) {
        TraceTree own = new TraceTree(traceId, this::emit, STREAM_AFTER);
        Subsegment s = Subsegment.detached(own, parentId, name, startMicros);
        openDetached.add(s);
        return s;
    }

    /**
     * Lets detached subsegments of this JVM that name {@code s} as their parent (a Spark job under its action)
     * reach it, so that a continuation trace can hold a stand-in with its name. Until it ends.
     */
    public void shareAsParent(Subsegment s) {
        if (s != null && !s.isSummarizedCall() && !s.isClosed()) {
            s.sharedAsParent = true;
            sharedParents.put(s.idBits(), s);
        }
    }

    /**
     * This JVM works for another JVM's run (a Spark executor for its driver): its detached work in
     * {@code traceId} is placed in that run's windows. The first registration of a trace id wins.
     */
    public void joinRun(String traceId, String rootId, long startMillis, long windowMillis) {
        if (traceId != null && !traceId.equals(tree.traceId) && !joinedRuns.containsKey(traceId)) {
            joinedRuns.put(traceId, new RunInfo(traceId, rootId, startMillis, windowMillis, false));
        }
    }

    /** Whether {@link #joinRun} was called for this trace id. */
    public boolean hasJoined(String traceId) {
        return joinedRuns.containsKey(traceId);
    }

    /** The trace budget, as instrumentation consults it (never null). */
    public TraceBudgetGauge budget() {
        return budget;
    }

    /** Sets the trace budget that {@link #budget()} returns. */
    public void useBudget(TraceBudgetGauge gauge) {
        this.budget = gauge == null ? TraceBudgetGauge.UNLIMITED : gauge;
    }

    /** This JVM's own run: the job's trace, its root, its windows. */
    @Override
    public RunInfo run() {
        RunInfo run = ownRun;
        if (run == null) {
            run = new RunInfo(tree.traceId, root.id(), root.startMicros / 1000L, windowMillis, !rootLocal);
            ownRun = run;
        }
        return run;
    }

    /** Length of a window of this JVM's run (0: one window). */
    public long windowMillis() {
        return windowMillis;
    }

    /** The run that work of {@code traceId} belongs to: this JVM's, one it joined, or a stand-in for another. */
    RunInfo runOf(String traceId) {
        if (traceId.equals(tree.traceId)) {
            return run();
        }
        RunInfo joined = joinedRuns.get(traceId);
        if (joined != null) {
            return joined;
        }
        RunInfo own = run();
        return new RunInfo(traceId, null, own.startMillis, own.windowMillis, false);
    }

    DocumentRenderer renderer() {
        return renderer;
    }

    List<TraceWork.StubSource> parentsOf(Entity top) {
        return Work.parents(this, top, shared, rootIdOf(top.traceId()));
    }

    List<List<TraceWork.StubSource>> sharedChainsOf(Entity top, long startedBeforeMicros) {
        return Work.sharedChains(this, top, shared, rootIdOf(top.traceId()), startedBeforeMicros);
    }

    private long rootIdOf(String traceId) {
        RunInfo run = runOf(traceId);
        return run.rootId == null ? 0L : Ids.parseEntityId(run.rootId);
    }

    @Override
    public List<List<TraceWork.StubSource>> openSharedChains() {
        // Open now, or open at the last cut and ended since: such an entity ended after its window's end, but it
        // was not handed over with the cut, so no later window holds it yet, and the burst would leave it out.
        Set<Entity> entities = new LinkedHashSet<>(sharedAtLastCut);
        for (Entity e : sharedParents.values()) {
            if (!e.isClosed()) {
                entities.add(e);
            }
        }
        List<List<TraceWork.StubSource>> chains = new ArrayList<>();
        for (Entity e : entities) {
            if (e.tree.traceId.equals(tree.traceId)) {
                chains.add(Work.chain(this, e, shared, rootIdOf(tree.traceId)));
            }
        }
        return chains;
    }

    @Override
    public void cutFinished() {
        cutsBegan = true;
        sharedAtLastCut = new ArrayList<>(sharedParents.values());
        if (!rootLocal) {
            tree.cut(root, clock.getAsLong() / 1000L);
        }
        for (Subsegment open : openDetached) {
            if (open.isClosed()) {
                openDetached.remove(open);
            } else {
                open.tree.cut(open, clock.getAsLong() / 1000L);
            }
        }
    }

    @Override
    public String inProgressRoot(Map<String, Object> xrayBatch) {
        Map<String, Object> metadata = new LinkedHashMap<>(xrayBatch);
        List<String> running = runningWork();
        if (!running.isEmpty()) {
            metadata.put("running", running);
        }
        return renderer.inProgressRoot(root, metadata);
    }

    @Override
    public String partRoot(RunInfo run, String traceId, int part, long startMicros, long endMicros,
                           Map<String, Object> xrayBatch) {
        Map<String, Object> annotations = new LinkedHashMap<>();
        annotations.put(RUN_ANNOTATION, run.traceId);
        annotations.put(PART_ANNOTATION, part);
        WindowFigures figures = windowFigures;
        if (figures != null && run.rootHere) {
            try {
                annotations.putAll(figures.of(startMicros, endMicros != 0L ? endMicros : clock.getAsLong()));
            } catch (Throwable t) {
                AgentLog.internalError("a window's figures", t);
            }
        }
        Map<String, Object> metadata = new LinkedHashMap<>(xrayBatch);
        if (run.rootHere) {
            List<String> running = runningWork();
            if (!running.isEmpty()) {
                metadata.put("running", running);
            }
        }
        return renderer.partRoot(root, run.rootId == null ? root.id() : run.rootId, traceId, startMicros,
                endMicros, annotations, metadata);
    }

    /** Continuation traces' roots carry {@code figures} of their window as annotations. */
    public void addToWindowRoots(WindowFigures figures) {
        this.windowFigures = figures;
    }

    /** Annotation of every trace of a run (the job's own and its continuations): the job's trace id. */
    public static final String RUN_ANNOTATION = "xray_batch_run";
    /** Annotation of a continuation trace: its window's number. */
    public static final String PART_ANNOTATION = "xray_batch_part";
    private static final int RUNNING_SHOWN = 10;

    /** The names of what works directly beneath the root now, outermost first, for a running job's root. */
    private List<String> runningWork() {
        List<String> names = new ArrayList<>();
        synchronized (tree) {
            if (root.children != null) {
                for (Subsegment child : root.children) {
                    if (!child.isClosed() && names.size() < RUNNING_SHOWN) {
                        names.add(child.name());
                    }
                }
            }
        }
        return names;
    }

    /**
     * Gives a subsegment just opened a fixed id instead of a random one, so that another JVM can name it as a
     * parent without a message (a Spark stage, whose id executors derive from the same facts). Call before anything
     * reads the id. Returns false, leaving the random id, when the given one is malformed or zero.
     */
    public boolean assignId(Subsegment s, String fixedIdHex) {
        long id = Ids.parseEntityId(fixedIdHex);
        if (id == 0L) {
            return false;
        }
        s.assignId(id);
        shareAsParent(s); // named by work of other JVMs
        return true;
    }

    /**
     * For a JVM whose work belongs to another JVM's trace (a Spark executor, whose tasks report into the driver's
     * trace): its root segment, and whatever stays under it, is never sent, so the job shows as one trace.
     * Detached subsegments (and work made current under them) still go out. Call before
     * {@link #emitInProgressRoot()}.
     */
    public void keepRootLocal() {
        rootLocal = true;
        ownRun = null;
    }

    /** True when this JVM's root is never sent: see {@link #keepRootLocal()}. */
    public boolean isRootLocal() {
        return rootLocal;
    }

    public void end(Subsegment s) {
        end(s, null);
    }

    /** Ends a subsegment; an error marks it as a fault with the exception as its cause. */
    public void end(Subsegment s, Throwable error) {
        if (s == null || (s.closed && s.summaryTarget == null)) {
            return;
        }
        if (error != null) {
            s.markFault();
            s.recordException(error, false);
        }
        if (s.endMicros == 0L) {
            s.endMicros = Math.max(clock.getAsLong(), s.startMicros);
        }
        if (s.summaryTarget != null) {
            endSummarized(s);
            return;
        }
        endDoneChildren(s);
        s.closed = true;
        if (current.get() == s) {
            restoreCurrent(s.previousCurrent);
        }
        if (s.parent == null) {
            openDetached.remove(s);
        }
        if (s.sharedAsParent) {
            sharedParents.remove(s.idBits());
            Work.EndedShared ended = new Work.EndedShared(renderer, s, rootIdOf(s.traceId()));
            synchronized (endedShared) {
                endedShared.put(ended.id, ended);
            }
        }
        s.tree.finished(s);
    }

    /**
     * Async work under {@code s}'s parent (an SDK transfer) that is ended by a callback once {@code done} holds.
     * The callback runs on the thread that completed the work, in a race with the caller woken by the same
     * completion: when the caller's subsegment ends first, work already done ends with it, not after it, so a
     * caller that waited never shows a child outliving it. Work not yet done when the parent ends stays open
     * under it and ends at its own time. Only under a subsegment: the root's end closes what is open anyway.
     */
    public void endsWhenDone(Subsegment s, java.util.function.BooleanSupplier done) {
        if (s == null || done == null || !(s.parent instanceof Subsegment)) {
            return;
        }
        Subsegment parent = (Subsegment) s.parent;
        s.doneProbe = done;
        synchronized (parent) {
            if (parent.probedChildren == null) {
                parent.probedChildren = new java.util.ArrayList<>(2);
            }
            parent.probedChildren.add(s);
        }
    }

    /** Ends async work registered with {@link #endsWhenDone}, unless its parent's end ended it already. */
    public void endOnce(Subsegment s, Throwable error) {
        if (s != null && s.claimEnd()) {
            forgetProbe(s);
            end(s, error);
        }
    }

    /** The parent holds only work still open, and nothing keeps the work's future (and its result) once it ended. */
    private static void forgetProbe(Subsegment s) {
        s.doneProbe = null;
        if (s.parent instanceof Subsegment) {
            Subsegment parent = (Subsegment) s.parent;
            synchronized (parent) {
                if (parent.probedChildren != null) {
                    parent.probedChildren.remove(s);
                }
            }
        }
    }

    private void endDoneChildren(Subsegment parent) {
        java.util.List<Subsegment> probed;
        synchronized (parent) {
            probed = parent.probedChildren;
            parent.probedChildren = null;
        }
        if (probed == null) {
            return;
        }
        for (Subsegment child : probed) {
            java.util.function.BooleanSupplier done = child.doneProbe;
            if (!child.closed && done != null && done.getAsBoolean() && child.claimEnd()) {
                child.doneProbe = null;
                child.endMicros = Math.max(child.startMicros, parent.endMicros);
                end(child, null);
            }
        }
    }

    /**
     * Forgets an open subsegment that turned out to explain nothing (a phase that found its work already done), as
     * if it had never begun. Only one with no children: returns false, and leaves it open, otherwise.
     */
    public boolean discard(Subsegment s) {
        if (s == null || s.summaryTarget != null || !s.tree.discard(s)) {
            return false;
        }
        if (s.sharedAsParent) {
            sharedParents.remove(s.idBits());
        }
        if (s.parent == null) {
            openDetached.remove(s);
        }
        if (current.get() == s) {
            restoreCurrent(s.previousCurrent);
        }
        return true;
    }

    /** The context to hand to another thread: whatever is current here. */
    public Object capture() {
        return current();
    }

    /** Makes a captured context current on this thread; returns what to pass to {@link #detach}. */
    public Object attach(Object context) {
        Entity previous = current.get();
        if (context instanceof Entity) {
            current.set((Entity) context);
            watched((Entity) context, previous);
            IdleWatch w = idleWatch;
            // Work the watched thread handed off outside subsegments: it may wait for it. Already so when the
            // thread was in that context (a task of a pool whose threads began in it): no set to touch then.
            if (w != null && previous != context && w.thread != Thread.currentThread()
                    && isIdleContext((Entity) context)) {
                w.helperBegan();
            }
        }
        return previous;
    }

    public void detach(Object previous) {
        Entity restored = previous instanceof Entity ? (Entity) previous : null;
        restoreCurrent(restored);
        IdleWatch w = idleWatch;
        if (w != null && (restored == null || !isIdleContext(restored))) {
            w.helperEnded();
        }
    }

    /** The root, or a phase sampled inside: where a watched thread is idle. */
    private boolean isIdleContext(Entity e) {
        return e == root || (e instanceof Subsegment && ((Subsegment) e).sampledInside);
    }

    private void makeCurrent(Subsegment s) {
        s.previousCurrent = current.get();
        current.set(s);
        watched(s, s.previousCurrent);
    }

    /** set(null), not remove(): a removed entry is created again by the next get, on every call of a hot path. */
    private void restoreCurrent(Entity previous) {
        IdleWatch w = idleWatch;
        Entity left = w != null && w.thread == Thread.currentThread() ? current.get() : null;
        current.set(previous);
        watched(previous, left);
    }

    /**
     * Tells {@code watch} whenever its thread starts or stops working for a subsegment (the root does not count:
     * work for the root is what nothing explains). One watch per JVM; a new one replaces the old.
     */
    public void watchIdle(IdleWatch watch) {
        if (watch != null) {
            watch.startsIn(root);
        }
        idleWatch = watch;
    }

    /**
     * {@code left}: what the thread worked for until now, for the watch to name a gap's neighbours. The thread is
     * idle in the root, or in a phase whose time is sampled inside ({@link #beginSampledPhase}).
     */
    private void watched(Entity nowCurrent, Entity left) {
        IdleWatch w = idleWatch;
        if (w != null && w.thread == Thread.currentThread()) {
            boolean idle = nowCurrent == null || isIdleContext(nowCurrent);
            w.changed(idle, idle ? left : nowCurrent, nowCurrent == null ? root : nowCurrent);
        }
    }

    /** Sends the root as in progress (without its subsegments) so that a running job is visible before it ends. */
    public void emitInProgressRoot() {
        if (rootLocal) {
            return;
        }
        export.accept(new Work.StartRoot(this));
    }

    /**
     * Ends the root segment (at JVM exit) and hands it over. Work still open is ended here
     * ({@code xray_batch.ended_by_exit}) and frozen into the root, which the export worker renders; once the job's
     * work was cut into windows, what finished since the last cut goes out first, with the last window.
     */
    public void closeRoot(long endMicros) {
        if (root.isClosed()) {
            return;
        }
        if (cutsBegan && !rootLocal) {
            // Every summary closes here (its window is the last one) and goes with the last window's work.
            tree.cut(root, Long.MAX_VALUE);
        }
        root.endMicros = Math.max(endMicros, root.startMicros);
        root.closed = true;
        tree.closeTop(root);
        if (rootLocal) {
            return;
        }
        export.accept(new Work.FinalRoot(this));
    }

    private void emit(final Entity top) {
        if (rootLocal && top.tree == tree) {
            return; // streamed out of the root's tree, which stays local
        }
        try {
            export.accept(new Work.Subtree(this, top));
        } catch (Throwable t) {
            AgentLog.internalError("export hand-off", t);
        }
    }
}
