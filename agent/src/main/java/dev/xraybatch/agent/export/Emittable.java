package dev.xraybatch.agent.export;

/**
 * Something finished that becomes one or more X-Ray documents; rendered on the export worker thread, never on the
 * application's. Each document is a complete JSON segment/subsegment document of at most 64 kB (UTF-8); the trace
 * side guarantees the size.
 */
public interface Emittable {
    void render(java.util.function.Consumer<String> documents);

    /**
     * How many segments and subsegments it holds: what is lost with it when it is dropped before rendering (how many
     * documents it would have made is known only once rendered). Called only when it is dropped.
     */
    default int entities() {
        return 1;
    }
}
