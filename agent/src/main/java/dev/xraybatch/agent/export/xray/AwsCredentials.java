package dev.xraybatch.agent.export.xray;

/**
 * One set of AWS credentials and, for temporary ones, when they expire. {@link #toString()} names only where they
 * came from: keys never reach a log line.
 */
final class AwsCredentials {
    /** Expiry of credentials that never expire (environment, system properties). */
    static final long NEVER = Long.MAX_VALUE;

    private final String accessKeyId;
    private final String secretAccessKey;
    private final String sessionToken;
    private final long expiresAtMillis;
    private final String source;

    AwsCredentials(String accessKeyId, String secretAccessKey, String sessionToken, long expiresAtMillis,
            String source) {
        this.accessKeyId = accessKeyId;
        this.secretAccessKey = secretAccessKey;
        this.sessionToken = sessionToken == null || sessionToken.isEmpty() ? null : sessionToken;
        this.expiresAtMillis = expiresAtMillis;
        this.source = source;
    }

    String accessKeyId() {
        return accessKeyId;
    }

    String secretAccessKey() {
        return secretAccessKey;
    }

    /** Null for long-term credentials. */
    String sessionToken() {
        return sessionToken;
    }

    long expiresAtMillis() {
        return expiresAtMillis;
    }

    /** Where they came from, e.g. {@code environment variables}; safe to log. */
    String source() {
        return source;
    }

    @Override
    public String toString() {
        return "AwsCredentials(from " + source + ")";
    }
}
