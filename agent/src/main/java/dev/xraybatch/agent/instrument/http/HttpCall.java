package dev.xraybatch.agent.instrument.http;

import dev.xraybatch.agent.trace.Subsegment;

/**
 * One HTTP request in flight, from {@link HttpRecorder#begin} to {@link HttpRecorder#end} (which may run on
 * another thread: an async client's reply). {@link #NESTED} stands for a request made inside one already recorded
 * on this thread (a client built on another): it records nothing.
 */
public final class HttpCall {
    static final HttpCall NESTED = new HttpCall(null, null, null);

    final Subsegment subsegment;
    final String host;
    final String method;
    /** Set once, by the first end: an async reply and a cancellation may both try. */
    private boolean ended;

    HttpCall(Subsegment subsegment, String host, String method) {
        this.subsegment = subsegment;
        this.host = host;
        this.method = method;
    }

    /** The key of a per-kind summary: requests of one method to one host are one kind. */
    public String kind() {
        return kind(method, host);
    }

    static String kind(String method, String host) {
        return method + " " + host;
    }

    synchronized boolean markEnded() {
        if (ended) {
            return false;
        }
        ended = true;
        return true;
    }
}
