package dev.xraybatch.agent.export;

/** Receives what rendering one piece of {@link TraceWork} made. */
public interface RenderedDocuments {
    /**
     * One document.
     *
     * @param json       the document (at most 64 kB of UTF-8)
     * @param topLevel   level of its top entity ({@code trace.Kind}: 0 most important)
     * @param leastLevel the least important level among the entities it holds
     * @param ids        the ids of every entity it holds, its top first
     * @param parentId   the id its top names as parent; 0 for a segment without one
     */
    void document(String json, int topLevel, int leastLevel, long[] ids, long parentId);

    /** Entities left out at the placement's level: how many of one kind, and their total time. */
    void leftOut(String kind, int count, long micros);
}
