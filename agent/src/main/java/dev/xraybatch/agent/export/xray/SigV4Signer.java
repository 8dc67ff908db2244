package dev.xraybatch.agent.export.xray;

import java.nio.charset.Charset;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Calendar;
import java.util.Locale;
import java.util.TimeZone;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AWS Signature Version 4 for one service and region, for requests without a query string whose signed headers are
 * {@code host}, {@code x-amz-content-sha256}, {@code x-amz-date} and, with temporary credentials,
 * {@code x-amz-security-token}. Keeps its digests and the day's signing key between calls: one instance per thread.
 */
final class SigV4Signer {
    private static final Charset UTF_8 = Charset.forName("UTF-8");
    private static final String ALGORITHM = "AWS4-HMAC-SHA256";
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** The headers to send with a signed request. */
    static final class SignedHeaders {
        final String amzDate;
        final String contentSha256;
        final String securityToken;
        final String authorization;

        SignedHeaders(String amzDate, String contentSha256, String securityToken, String authorization) {
            this.amzDate = amzDate;
            this.contentSha256 = contentSha256;
            this.securityToken = securityToken;
            this.authorization = authorization;
        }
    }

    private final String region;
    private final String service;
    private final MessageDigest sha256;
    private final Mac hmac;
    private final Calendar utc = Calendar.getInstance(TimeZone.getTimeZone("UTC"), Locale.ROOT);

    private String keyDate;
    private String keySecret;
    private byte[] signingKey;

    SigV4Signer(String region, String service) {
        this.region = region;
        this.service = service;
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
            this.hmac = Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM lacks SHA-256 or HmacSHA256", e);
        }
    }

    /**
     * Signs a request.
     *
     * @param canonicalPath the URI path, already URI-encoded as SigV4 wants it (e.g. {@code /TraceSegments})
     * @param host          the {@code Host} header exactly as it will be sent
     */
    SignedHeaders sign(String method, String canonicalPath, String host, byte[] body, AwsCredentials credentials,
            long nowMillis) {
        String amzDate = amzDate(nowMillis);
        String date = amzDate.substring(0, 8);
        String payloadHash = hex(sha256.digest(body));
        String token = credentials.sessionToken();
        String signedHeaders = token == null ? "host;x-amz-content-sha256;x-amz-date"
                : "host;x-amz-content-sha256;x-amz-date;x-amz-security-token";

        StringBuilder canonical = new StringBuilder(256);
        canonical.append(method).append('\n')
                .append(canonicalPath).append('\n')
                .append('\n') // no query string
                .append("host:").append(host.trim()).append('\n')
                .append("x-amz-content-sha256:").append(payloadHash).append('\n')
                .append("x-amz-date:").append(amzDate).append('\n');
        if (token != null) {
            canonical.append("x-amz-security-token:").append(token.trim()).append('\n');
        }
        canonical.append('\n').append(signedHeaders).append('\n').append(payloadHash);

        String scope = date + '/' + region + '/' + service + "/aws4_request";
        String stringToSign = ALGORITHM + '\n' + amzDate + '\n' + scope + '\n'
                + hex(sha256.digest(canonical.toString().getBytes(UTF_8)));
        String signature = hex(hmac(signingKey(date, credentials.secretAccessKey()), stringToSign));
        String authorization = ALGORITHM + " Credential=" + credentials.accessKeyId() + '/' + scope
                + ", SignedHeaders=" + signedHeaders + ", Signature=" + signature;
        return new SignedHeaders(amzDate, payloadHash, token, authorization);
    }

    /** The day's key, derived again only when the day or the secret changes. */
    private byte[] signingKey(String date, String secret) {
        if (signingKey == null || !date.equals(keyDate) || !secret.equals(keySecret)) {
            byte[] key = hmac(("AWS4" + secret).getBytes(UTF_8), date);
            key = hmac(key, region);
            key = hmac(key, service);
            signingKey = hmac(key, "aws4_request");
            keyDate = date;
            keySecret = secret;
        }
        return signingKey;
    }

    private byte[] hmac(byte[] key, String data) {
        try {
            hmac.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 refused its key", e);
        }
        return hmac.doFinal(data.getBytes(UTF_8));
    }

    /** {@code yyyyMMdd'T'HHmmss'Z'} in UTC. */
    private String amzDate(long millis) {
        utc.setTimeInMillis(millis);
        char[] out = new char[16];
        digits(out, 0, utc.get(Calendar.YEAR), 4);
        digits(out, 4, utc.get(Calendar.MONTH) + 1, 2);
        digits(out, 6, utc.get(Calendar.DAY_OF_MONTH), 2);
        out[8] = 'T';
        digits(out, 9, utc.get(Calendar.HOUR_OF_DAY), 2);
        digits(out, 11, utc.get(Calendar.MINUTE), 2);
        digits(out, 13, utc.get(Calendar.SECOND), 2);
        out[15] = 'Z';
        return new String(out);
    }

    private static void digits(char[] out, int at, int value, int width) {
        for (int i = width - 1; i >= 0; i--) {
            out[at + i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    static String hex(byte[] bytes) {
        char[] out = new char[bytes.length * 2];
        for (int i = 0; i < bytes.length; i++) {
            out[2 * i] = HEX[(bytes[i] >> 4) & 0xf];
            out[2 * i + 1] = HEX[bytes[i] & 0xf];
        }
        return new String(out);
    }

    /** Clears the cached key, so that no secret outlives the exporter longer than needed. */
    void forget() {
        if (signingKey != null) {
            Arrays.fill(signingKey, (byte) 0);
        }
        signingKey = null;
        keySecret = null;
    }
}
