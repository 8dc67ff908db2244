package dev.xraybatch.agent.trace;

import dev.xraybatch.agent.export.Emittable;
import dev.xraybatch.agent.log.AgentLog;

import java.util.HashMap;
import java.util.function.Consumer;

/**
 * The one tracer of this JVM: the job's root segment, the entity each thread works for, and the hand-off of
 * finished entities to export. Everything here may run on application threads: it allocates little, renders
 * nothing (the export worker does), and holds locks only for a few field updates.
 */
public final class Tracer {
    /** The X-Ray SDK for Java streams finished subsegments out once a segment holds 100; so do we. */
    static final int STREAM_AFTER = 100;

    private static volatile Tracer instance;

    private final TraceTree tree;
    private final Segment root;
    private final DocumentRenderer renderer;
    private final Consumer<Emittable> export;
    private final ThreadLocal<Entity> current = new ThreadLocal<>();
    /** Set in JVMs whose work belongs to another JVM's trace: see {@link #keepRootLocal()}. */
    private volatile boolean rootLocal;
    /** The one thread whose idle time is watched, if any: see {@link #watchIdle}. */
    private volatile IdleWatch idleWatch;

    Tracer(String traceId, String rootName, long rootStartMicros, String upstreamParentId,
           DocumentRenderer.AgentInfo agentInfo, Consumer<Emittable> export) {
        this.renderer = new DocumentRenderer(agentInfo);
        this.export = export;
        this.tree = new TraceTree(traceId, this::emit, STREAM_AFTER);
        this.root = new Segment(tree, rootName, rootStartMicros, upstreamParentId);
    }

    /** Creates the JVM's tracer and makes it the one {@link #get()} returns. */
    public static Tracer start(String traceId, String rootName, long rootStartMicros, String upstreamParentId,
                               String agentName, String agentVersion, Consumer<Emittable> export) {
        Tracer t = new Tracer(traceId, rootName, rootStartMicros, upstreamParentId,
                new DocumentRenderer.AgentInfo(agentName, agentVersion), export);
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

    public Segment root() {
        return root;
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
        Subsegment s = new Subsegment(tree, parent, name, Clock.nowMicros());
        tree.attach(parent, s);
        makeCurrent(s);
        return s;
    }

    /**
     * Like {@link #begin}, but past {@code limit} subsegments of this name under the same parent the call is only
     * counted into one summary subsegment. The summarized call does not become current: work it does lands on
     * the parent, under its own limits.
     */
    public Subsegment beginLimited(String name, int limit) {
        Entity parent = current();
        long now = Clock.nowMicros();
        Subsegment summary = null;
        synchronized (tree) {
            if (parent.childLimits == null) {
                parent.childLimits = new HashMap<>();
            }
            Entity.NameLimit counter = parent.childLimits.get(name);
            if (counter == null) {
                counter = new Entity.NameLimit();
                parent.childLimits.put(name, counter);
            }
            if (++counter.started > limit && !parent.emitted) {
                if (counter.summary == null) {
                    counter.summary = Subsegment.summaryOf(tree, parent, name, now, limit);
                    tree.attach(parent, counter.summary);
                }
                summary = counter.summary;
            }
        }
        if (summary != null) {
            return Subsegment.summarizedCall(summary, now);
        }
        Subsegment s = new Subsegment(tree, parent, name, now);
        tree.attach(parent, s);
        makeCurrent(s);
        return s;
    }

    /** Opens a subsegment under an explicit parent of this trace, without making it current. */
    public Subsegment beginChild(Entity parent, String name) {
        Subsegment s = new Subsegment(parent.tree, parent, name, Clock.nowMicros());
        parent.tree.attach(parent, s);
        return s;
    }

    /**
     * Opens a subsegment whose parent lives in another tree (another JVM, or a Spark listener's view of an
     * action): it and its children are sent as independent documents when it completes.
     */
    public Subsegment beginDetached(String traceId, String parentId, String name, long startMicros) {
        TraceTree own = new TraceTree(traceId, this::emit, STREAM_AFTER);
        return Subsegment.detached(own, parentId, name, startMicros);
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
            s.endMicros = Math.max(Clock.nowMicros(), s.startMicros);
        }
        if (s.summaryTarget != null) {
            s.summaryTarget.summary.add(s);
            return;
        }
        s.closed = true;
        if (current.get() == s) {
            restoreCurrent(s.previousCurrent);
        }
        s.tree.finished(s);
    }

    /**
     * Forgets an open subsegment that turned out to explain nothing (a phase that found its work already done), as
     * if it had never begun. Only one with no children: returns false, and leaves it open, otherwise.
     */
    public boolean discard(Subsegment s) {
        if (s == null || s.summaryTarget != null || !s.tree.discard(s)) {
            return false;
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
        }
        return previous;
    }

    public void detach(Object previous) {
        restoreCurrent(previous instanceof Entity ? (Entity) previous : null);
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
        idleWatch = watch;
    }

    /** {@code left}: what the thread worked for until now, for the watch to name a gap's neighbours. */
    private void watched(Entity nowCurrent, Entity left) {
        IdleWatch w = idleWatch;
        if (w != null && w.thread == Thread.currentThread()) {
            boolean idle = nowCurrent == null || nowCurrent == root;
            w.changed(idle, idle ? left : nowCurrent);
        }
    }

    /** Sends the root as in progress so that a running job is visible in X-Ray before it ends. */
    public void emitInProgressRoot() {
        if (rootLocal) {
            return;
        }
        final String doc = renderNow(root);
        export.accept(new Emittable() {
            @Override
            public void render(Consumer<String> documents) {
                documents.accept(doc);
            }
        });
    }

    /**
     * Ends the root segment (at JVM exit) and hands its document over. Rendered here, not on the worker: work
     * still open at this point is written as in progress as it is now.
     */
    public void closeRoot(long endMicros) {
        if (root.isClosed()) {
            return;
        }
        root.endMicros = Math.max(endMicros, root.startMicros);
        root.closed = true;
        tree.closeTop(root);
        if (rootLocal) {
            return;
        }
        final java.util.List<String> docs = new java.util.ArrayList<>(1);
        renderer.render(root, docs::add);
        export.accept(new Emittable() {
            @Override
            public void render(Consumer<String> documents) {
                for (String d : docs) {
                    documents.accept(d);
                }
            }
        });
    }

    private String renderNow(Entity e) {
        final String[] first = new String[1];
        renderer.render(e, d -> {
            if (first[0] == null) {
                first[0] = d;
            }
        });
        return first[0];
    }

    private void emit(final Entity top) {
        if (rootLocal && top.tree == tree) {
            return; // streamed out of the root's tree, which stays local
        }
        try {
            export.accept(new Emittable() {
                @Override
                public void render(Consumer<String> documents) {
                    renderer.render(top, documents);
                }
            });
        } catch (Throwable t) {
            AgentLog.internalError("export hand-off", t);
        }
    }
}
