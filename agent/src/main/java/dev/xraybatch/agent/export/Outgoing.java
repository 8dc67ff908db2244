package dev.xraybatch.agent.export;

/**
 * One rendered document on its way out: the trace it goes to (null when the exporter does not care, as with a
 * file), the document, and what the {@link Holding} that made it wants back if the receiver refuses it.
 */
public final class Outgoing {
    public final String traceId;
    public final String document;
    public final Object tag;

    public Outgoing(String traceId, String document, Object tag) {
        this.traceId = traceId;
        this.document = document;
        this.tag = tag;
    }

    /** The document's {@code id} field, as X-Ray names a refused document; null when it has none. */
    public String documentId() {
        int at = document.indexOf("\"id\":\"");
        if (at < 0) {
            return null;
        }
        int start = at + 6;
        int end = document.indexOf('"', start);
        return end < 0 ? null : document.substring(start, end);
    }
}
