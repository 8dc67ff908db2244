package dev.xraybatch.agent.export;

/** Something finished that becomes one or more X-Ray documents; rendered on the export worker thread, never on
    the application's. Each document is a complete JSON segment/subsegment document of at most 64 kB (UTF-8); the
    trace side guarantees the size. */
public interface Emittable { void render(java.util.function.Consumer<String> documents); }
