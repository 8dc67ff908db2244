package dev.xraybatch.agent.export;

import java.util.List;

/**
 * Sends batches of finished X-Ray documents somewhere. Called only from the export worker thread, one call at a
 * time, so implementations need no locking and may build expensive things lazily at the first send.
 * {@link #send} must not throw: every failure is a {@link SendOutcome}.
 */
public interface DocumentExporter {

    /**
     * Sends up to 50 documents, each a complete JSON document of at most 64 kB. The list belongs to the caller
     * and is reused after the call returns: do not keep it.
     */
    SendOutcome send(List<String> documents);

    /** Where documents go, for the agent's log line, e.g. {@code X-Ray API (eu-west-1)}; no credentials. */
    String describe();

    /** Releases sockets, files and clients; never throws. */
    void close();

    /**
     * Whether the receiver says this trace is over its quota (X-Ray's BatchGetTraces {@code LimitExceeded}): true,
     * false, or null when it cannot tell (not X-Ray, no permission, no answer). Called on the export worker only.
     */
    default Boolean traceLimitExceeded(String traceId) {
        return null;
    }
}
