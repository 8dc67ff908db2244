package dev.xraybatch.agent.export.xray;

/** Somewhere credentials come from. Called on the export worker only; may cache and refresh. */
interface CredentialSource {

    /** Current credentials, refreshed when they are about to expire. */
    AwsCredentials credentials() throws CredentialsException;

    /** Safe to log, e.g. {@code the container credentials endpoint}. */
    String name();

    /** Releases what the source holds; never throws. */
    void close();
}
