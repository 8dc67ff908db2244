package dev.xraybatch.agent.trace;

import dev.xraybatch.agent.export.Placement;
import dev.xraybatch.agent.export.RenderedDocuments;
import dev.xraybatch.agent.export.RunInfo;
import dev.xraybatch.agent.export.TraceWork;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The pieces the tracer hands to export ({@link TraceWork}): a finished subtree, the root in progress at start, the
 * root at the end. Each is made on the thread that finished the work (cheaply: a reference) and rendered on the
 * export worker.
 */
final class Work {
    private Work() {
    }

    /** A finished entity sent on its own, with whatever it still holds. */
    static final class Subtree implements TraceWork {
        private final Tracer tracer;
        private final Entity top;

        Subtree(Tracer tracer, Entity top) {
            this.tracer = tracer;
            this.top = top;
        }

        @Override
        public Role role() {
            return Role.DETAIL;
        }

        @Override
        public RunInfo run() {
            return tracer.runOf(top.traceId());
        }

        @Override
        public long endMicros() {
            return top.endMicros;
        }

        @Override
        public void render(Consumer<String> documents) {
            tracer.renderer().render(top, documents);
        }

        @Override
        public void render(Placement placement, RenderedDocuments out) {
            tracer.renderer().render(top, placement, out);
        }

        @Override
        public List<StubSource> parents() {
            return tracer.parentsOf(top);
        }

        @Override
        public List<List<StubSource>> sharedChains(long startedBeforeMicros) {
            return tracer.sharedChainsOf(top, startedBeforeMicros);
        }

        @Override
        public int entities() {
            return top.tree.countHeld(top);
        }

        @Override
        public String toString() {
            return "work " + top;
        }
    }

    /** The root in progress, without its subsegments: sent at start so that a running job is visible. */
    static final class StartRoot implements TraceWork {
        private final Tracer tracer;

        StartRoot(Tracer tracer) {
            this.tracer = tracer;
        }

        @Override
        public Role role() {
            return Role.START_ROOT;
        }

        @Override
        public RunInfo run() {
            return tracer.run();
        }

        @Override
        public long endMicros() {
            return 0L;
        }

        @Override
        public void render(Consumer<String> documents) {
            documents.accept(tracer.inProgressRoot(Collections.<String, Object>emptyMap()));
        }

        @Override
        public void render(Placement placement, RenderedDocuments out) {
            Map<String, long[]> contents = new java.util.LinkedHashMap<>();
            contents.put(Kind.ROOT.key(), new long[] {1L, 0L});
            out.document(new RenderedDocuments.Document(tracer.inProgressRoot(placement.rootMetadata),
                    Kind.ROOT.level(), Kind.ROOT.level(), Kind.ROOT.level(), new long[] {tracer.root().idBits()},
                    0L, contents));
        }

        @Override
        public List<StubSource> parents() {
            return Collections.emptyList();
        }

        @Override
        public List<List<StubSource>> sharedChains(long startedBeforeMicros) {
            return Collections.emptyList();
        }
    }

    /** The root at the job's end, with what it still holds (work ended by the exit). */
    static final class FinalRoot implements TraceWork {
        private final Tracer tracer;

        FinalRoot(Tracer tracer) {
            this.tracer = tracer;
        }

        @Override
        public Role role() {
            return Role.FINAL_ROOT;
        }

        @Override
        public RunInfo run() {
            return tracer.run();
        }

        @Override
        public long endMicros() {
            return tracer.root().endMicros;
        }

        @Override
        public void render(Consumer<String> documents) {
            tracer.renderer().render(tracer.root(), documents);
        }

        @Override
        public int entities() {
            return tracer.root().tree.countHeld(tracer.root());
        }

        @Override
        public void render(Placement placement, RenderedDocuments out) {
            tracer.renderer().render(tracer.root(), placement, out);
        }

        @Override
        public List<StubSource> parents() {
            return Collections.emptyList();
        }

        @Override
        public List<List<StubSource>> sharedChains(long startedBeforeMicros) {
            return Collections.emptyList();
        }
    }

    /** The stand-in of an entity this JVM holds. */
    static final class EntityStub implements TraceWork.StubSource {
        private final DocumentRenderer renderer;
        private final Entity entity;
        private final long parentId;

        EntityStub(DocumentRenderer renderer, Entity entity, long parentId) {
            this.renderer = renderer;
            this.entity = entity;
            this.parentId = parentId;
        }

        @Override
        public long id() {
            return entity.idBits();
        }

        @Override
        public String stub(String traceId, long fromMicros) {
            return renderer.stub(entity, traceId, Ids.entityIdHex(parentId), fromMicros);
        }
    }

    /** {@code e} and the entities above it, nearest first, without the run's root. */
    static List<TraceWork.StubSource> chain(Tracer tracer, Entity e, SharedEntities shared, long rootId) {
        List<TraceWork.StubSource> chain = new ArrayList<>(4);
        chain.add(new EntityStub(tracer.renderer(), e, parentIdOf(e, rootId)));
        chain.addAll(parents(tracer, e, shared, rootId));
        return chain;
    }

    /** The shared entities of the subtree under {@code top} that started before {@code beforeMicros}, as chains. */
    static List<List<TraceWork.StubSource>> sharedChains(Tracer tracer, Entity top, SharedEntities shared,
                                                         long rootId, long beforeMicros) {
        List<List<TraceWork.StubSource>> chains = new ArrayList<>(0);
        collectShared(tracer, top, shared, rootId, beforeMicros, chains, 0);
        return chains;
    }

    private static void collectShared(Tracer tracer, Entity e, SharedEntities shared, long rootId,
                                      long beforeMicros, List<List<TraceWork.StubSource>> into, int depth) {
        if (depth > 64) {
            return;
        }
        if (e instanceof Subsegment && ((Subsegment) e).sharedAsParent && e.startMicros < beforeMicros) {
            into.add(chain(tracer, e, shared, rootId));
        }
        List<Subsegment> children;
        synchronized (e.tree) {
            children = e.children == null ? Collections.<Subsegment>emptyList() : new ArrayList<>(e.children);
        }
        for (Subsegment child : children) {
            collectShared(tracer, child, shared, rootId, beforeMicros, into, depth + 1);
        }
    }

    /**
     * What remains of a shared entity that ended (a Spark action whose job's end event comes later from the
     * listener): enough for a stand-in, and the link to its own parent. Holds no children.
     */
    static final class EndedShared implements TraceWork.StubSource {
        final long id;
        final String name;
        final long startMicros;
        final String namespace;
        /** Its parent in this JVM's trees, or null when it hung under another tree (detached). */
        final Entity parent;
        final long detachedParentId;
        final DocumentRenderer renderer;
        final long rootId;

        EndedShared(DocumentRenderer renderer, Entity e, long rootId) {
            this.renderer = renderer;
            this.id = e.idBits();
            this.name = e.name();
            this.startMicros = e.startMicros;
            synchronized (e) {
                this.namespace = e.namespace;
            }
            this.parent = e.parent;
            String detached = e instanceof Subsegment ? ((Subsegment) e).detachedParentId : null;
            this.detachedParentId = detached == null ? 0L : Ids.parseEntityId(detached);
            this.rootId = rootId;
        }

        long parentId() {
            if (parent != null) {
                return parent.isSegment() ? rootId : parent.idBits();
            }
            return detachedParentId == 0L ? rootId : detachedParentId;
        }

        @Override
        public long id() {
            return id;
        }

        @Override
        public String stub(String traceId, long fromMicros) {
            return renderer.stub(name, Ids.entityIdHex(id), namespace, startMicros, traceId,
                    Ids.entityIdHex(parentId()), fromMicros);
        }
    }

    /** Where open shared entities are, and what remains of recently ended ones. */
    interface SharedEntities {
        Entity open(long id);

        EndedShared ended(long id);
    }

    /**
     * The entities above {@code top}, nearest first, without the run's root: through this JVM's trees, across a
     * detached link when this JVM shares the parent ({@link Tracer#shareAsParent}, also shortly after it ended),
     * else stopping at another JVM's.
     */
    static List<TraceWork.StubSource> parents(Tracer tracer, Entity top, SharedEntities shared, long rootId) {
        List<TraceWork.StubSource> parents = new ArrayList<>(4);
        Entity e = top;
        for (int depth = 0; depth < 64 && e != null; depth++) {
            Entity up = e.parent;
            if (up == null) {
                String detached = e instanceof Subsegment ? ((Subsegment) e).detachedParentId : null;
                long upId = detached == null ? 0L : Ids.parseEntityId(detached);
                e = null;
                // Across detached links: open shared entities, or what remains of ended ones.
                for (int hop = 0; hop < 64 && upId != 0L && upId != rootId; hop++) {
                    up = shared.open(upId);
                    if (up != null) {
                        break;
                    }
                    EndedShared ended = shared.ended(upId);
                    if (ended == null) {
                        break; // another JVM's: it provides the stand-ins of its own work
                    }
                    parents.add(ended);
                    if (ended.parent != null) {
                        up = ended.parent.isSegment() ? null : ended.parent;
                        if (up != null) {
                            parents.add(new EntityStub(tracer.renderer(), up, parentIdOf(up, rootId)));
                        }
                        upId = 0L;
                        break;
                    }
                    upId = ended.detachedParentId;
                }
                if (up == null) {
                    break;
                }
                if (parents.isEmpty() || parents.get(parents.size() - 1).id() != up.idBits()) {
                    parents.add(new EntityStub(tracer.renderer(), up, parentIdOf(up, rootId)));
                }
                e = up;
                continue;
            } else if (up.isSegment()) {
                break;
            }
            parents.add(new EntityStub(tracer.renderer(), up, parentIdOf(up, rootId)));
            e = up;
        }
        return parents;
    }

    private static long parentIdOf(Entity e, long rootId) {
        if (e.parent != null) {
            return e.parent.isSegment() ? rootId : e.parent.idBits();
        }
        String detached = e instanceof Subsegment ? ((Subsegment) e).detachedParentId : null;
        long id = detached == null ? 0L : Ids.parseEntityId(detached);
        return id == 0L ? rootId : id;
    }
}
