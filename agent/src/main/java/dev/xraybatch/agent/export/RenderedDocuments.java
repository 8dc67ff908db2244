package dev.xraybatch.agent.export;

import java.util.Map;

/** Receives what rendering one piece of {@link TraceWork} made. */
public interface RenderedDocuments {

    /** One document, with what the trace budget needs to know about it. */
    final class Document {
        /** The document (at most 64 kB of UTF-8). */
        public final String json;
        /** Level of its top entity ({@code trace.Kind}: 0 most important). */
        public final int topLevel;
        /** The most important level among the entities it holds. */
        public final int mostImportantLevel;
        /** The least important level among the entities it holds. */
        public final int leastImportantLevel;
        /** The ids of every entity it holds, its top first. */
        public final long[] ids;
        /** The id its top names as parent; 0 for a segment. */
        public final long parentId;
        /** What it holds: per kind ({@code aws_call}), how many and their total time in microseconds. */
        public final Map<String, long[]> contents;

        public Document(String json, int topLevel, int mostImportantLevel, int leastImportantLevel, long[] ids,
                        long parentId, Map<String, long[]> contents) {
            this.json = json;
            this.topLevel = topLevel;
            this.mostImportantLevel = mostImportantLevel;
            this.leastImportantLevel = leastImportantLevel;
            this.ids = ids;
            this.parentId = parentId;
            this.contents = contents;
        }
    }

    void document(Document document);

    /** Entities left out at the placement's level: how many of one kind, and their total time. */
    void leftOut(String kind, int count, long micros);
}
