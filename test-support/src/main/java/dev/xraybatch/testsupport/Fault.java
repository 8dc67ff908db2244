package dev.xraybatch.testsupport;

/**
 * A whole-call failure the {@link LocalXRayEndpoint} can answer with instead of processing a PutTraceSegments call,
 * shaped exactly as X-Ray sends it (status, {@code x-amzn-ErrorType} header, JSON body with a message).
 */
public enum Fault {
    /** 429 {@code ThrottledException}: the modeled throttling error of the X-Ray API. */
    THROTTLE(429, "ThrottledException", "Rate exceeded"),
    /** 400 {@code ThrottlingException} "Rate exceeded": the generic AWS throttling answer, not modeled by X-Ray. */
    RATE_EXCEEDED(400, "ThrottlingException", "Rate exceeded"),
    /** 500: a transient server fault. */
    INTERNAL_ERROR(500, "InternalFailure", "The request processing has failed because of an unknown error."),
    /** 503: the service is briefly unavailable. */
    SERVICE_UNAVAILABLE(503, "ServiceUnavailable", "Service is unavailable.");

    private final int status;
    private final String errorType;
    private final String message;

    Fault(int status, String errorType, String message) {
        this.status = status;
        this.errorType = errorType;
        this.message = message;
    }

    /** HTTP status of the answer. */
    public int status() {
        return status;
    }

    /** Value of the {@code x-amzn-ErrorType} header, which the SDK maps to an exception. */
    public String errorType() {
        return errorType;
    }

    /** The {@code message} of the JSON body. */
    public String message() {
        return message;
    }
}
