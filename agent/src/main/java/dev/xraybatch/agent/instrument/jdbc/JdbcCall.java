package dev.xraybatch.agent.instrument.jdbc;

import dev.xraybatch.agent.trace.Subsegment;

/**
 * One statement execution in flight, as {@link JdbcRecorder#begin} hands it to the advice and takes it back in
 * {@link JdbcRecorder#end}. {@link #NESTED} stands for an execution inside one already recorded on this thread (a
 * pool's wrapper calling its driver): it records nothing, but its end still lowers the thread's depth.
 */
public final class JdbcCall {
    static final JdbcCall NESTED = new JdbcCall(null, null);

    final Subsegment subsegment;
    /** The sanitized text, or null (query_text none, or not known): the key of a per-query summary. */
    final String sanitizedQuery;

    JdbcCall(Subsegment subsegment, String sanitizedQuery) {
        this.subsegment = subsegment;
        this.sanitizedQuery = sanitizedQuery;
    }

    /**
     * The key of a per-kind summary: the database and the sanitized query (its preparation when the text is not
     * recorded), so that a batch loop's thousand executions of one statement are one kind.
     */
    public String kind() {
        if (subsegment == null) {
            return null;
        }
        return kind(subsegment.name(), sanitizedQuery);
    }

    static String kind(String database, String sanitizedQuery) {
        return database + " " + (sanitizedQuery != null ? sanitizedQuery : "(query text not recorded)");
    }
}
