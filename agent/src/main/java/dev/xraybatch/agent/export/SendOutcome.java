package dev.xraybatch.agent.export;

import java.util.Collections;
import java.util.List;

/**
 * What became of one {@link DocumentExporter#send} call. The pipeline acts on the {@link Kind}: it never needs to
 * know which exporter answered.
 */
public final class SendOutcome {

    public enum Kind {
        /** The call went through; the documents not listed in {@link #unprocessed()} were taken. */
        ACCEPTED,
        /** Nothing was taken, and the same batch may succeed later (throttling, 5xx, I/O). */
        RETRYABLE,
        /** Nothing was taken, and resending this batch will not help (the request was refused). */
        PERMANENT,
        /** This exporter can never send in this run (no region, no credentials, unwritable file). */
        UNUSABLE
    }

    /** One document the receiver refused, identified by its segment id. */
    public static final class Unprocessed {
        private final String id;
        private final String errorCode;
        private final String message;

        public Unprocessed(String id, String errorCode, String message) {
            this.id = id;
            this.errorCode = errorCode == null ? "Unknown" : errorCode;
            this.message = message;
        }

        public String id() {
            return id;
        }

        public String errorCode() {
            return errorCode;
        }

        /** The receiver's explanation; may be null. */
        public String message() {
            return message;
        }

        @Override
        public String toString() {
            return errorCode + "(" + id + "): " + message;
        }
    }

    private static final SendOutcome ALL_ACCEPTED =
            new SendOutcome(Kind.ACCEPTED, Collections.<Unprocessed>emptyList(), null, null);

    private final Kind kind;
    private final List<Unprocessed> unprocessed;
    private final String code;
    private final String reason;

    private SendOutcome(Kind kind, List<Unprocessed> unprocessed, String code, String reason) {
        this.kind = kind;
        this.unprocessed = unprocessed;
        this.code = code;
        this.reason = reason;
    }

    /** Every document was taken. */
    public static SendOutcome accepted() {
        return ALL_ACCEPTED;
    }

    /** The call went through but the listed documents were refused. */
    public static SendOutcome accepted(List<Unprocessed> unprocessed) {
        if (unprocessed == null || unprocessed.isEmpty()) {
            return ALL_ACCEPTED;
        }
        return new SendOutcome(Kind.ACCEPTED, Collections.unmodifiableList(unprocessed), null, null);
    }

    /**
     * A transient failure of the whole call.
     *
     * @param code   short and stable (an error code, {@code HTTP 503}, an exception's simple name): the pipeline
     *               reports each code once
     * @param reason what happened, for the log; no credentials or payloads
     */
    public static SendOutcome retryable(String code, String reason) {
        return new SendOutcome(Kind.RETRYABLE, Collections.<Unprocessed>emptyList(), code, reason);
    }

    /** A failure of the whole call that resending will not fix; same conventions as {@link #retryable}. */
    public static SendOutcome permanent(String code, String reason) {
        return new SendOutcome(Kind.PERMANENT, Collections.<Unprocessed>emptyList(), code, reason);
    }

    /** The exporter cannot work in this run; {@code reason} says what the user should do. */
    public static SendOutcome unusable(String reason) {
        return new SendOutcome(Kind.UNUSABLE, Collections.<Unprocessed>emptyList(), "unusable", reason);
    }

    public Kind kind() {
        return kind;
    }

    /** The refused documents of an {@link Kind#ACCEPTED} call; empty otherwise. */
    public List<Unprocessed> unprocessed() {
        return unprocessed;
    }

    /** The failure's short code; null for {@link Kind#ACCEPTED}. */
    public String code() {
        return code;
    }

    /** The failure's explanation; null for {@link Kind#ACCEPTED}. */
    public String reason() {
        return reason;
    }

    @Override
    public String toString() {
        return kind == Kind.ACCEPTED ? "ACCEPTED" + unprocessed : kind + "(" + code + ": " + reason + ")";
    }
}
