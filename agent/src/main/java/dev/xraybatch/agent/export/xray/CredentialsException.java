package dev.xraybatch.agent.export.xray;

/** No credentials could be had from a source; the message says why, without any secret. */
final class CredentialsException extends Exception {
    private static final long serialVersionUID = 1L;

    CredentialsException(String message) {
        super(message);
    }

    CredentialsException(String message, Throwable cause) {
        super(message, cause);
    }
}
