package dev.xraybatch.samples.s3;

import software.amazon.awssdk.services.s3.S3Client;

/** The jobs' S3 client: region, credentials and endpoint from the SDK's usual sources. */
public final class S3Clients {
    private S3Clients() {
    }

    /**
     * The SDK reads {@code AWS_ENDPOINT_URL_S3} / {@code AWS_ENDPOINT_URL} itself; such a local endpoint (moto_server,
     * MinIO) serves buckets by path, since {@code bucket.127.0.0.1} is no host name.
     */
    public static S3Client create() {
        boolean localEndpoint = isSet("AWS_ENDPOINT_URL_S3") || isSet("AWS_ENDPOINT_URL");
        return S3Client.builder().forcePathStyle(localEndpoint).build();
    }

    private static boolean isSet(String variable) {
        String value = System.getenv(variable);
        return value != null && !value.trim().isEmpty();
    }
}
