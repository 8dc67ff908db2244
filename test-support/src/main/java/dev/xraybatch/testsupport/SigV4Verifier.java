package dev.xraybatch.testsupport;

import com.sun.net.httpserver.Headers;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Recomputes an AWS Signature Version 4 from the request as received and compares it with the one in the
 * {@code Authorization} header, the way AWS front ends do. Only the signed headers listed by the client take part,
 * so whatever extra headers the SDK adds are fine as long as it signed consistently.
 */
final class SigV4Verifier {

    /** Why a request was refused: HTTP 403 with this error type and message, as AWS answers. */
    record Rejection(String errorType, String message) {
    }

    private static final Pattern AUTHORIZATION = Pattern.compile(
            "AWS4-HMAC-SHA256\\s+Credential=([^/]+)/(\\d{8})/([^/]+)/([^/]+)/aws4_request,\\s*"
                    + "SignedHeaders=([a-z0-9;\\-]+),\\s*Signature=([0-9a-f]{64})");
    private static final DateTimeFormatter AMZ_DATE =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    /** AWS refuses requests whose signing time is more than 15 minutes off. */
    private static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(15);
    private static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";

    private final String accessKeyId;
    private final String secretAccessKey;
    private final String region;
    private final String service;

    SigV4Verifier(String accessKeyId, String secretAccessKey, String region, String service) {
        this.accessKeyId = accessKeyId;
        this.secretAccessKey = secretAccessKey;
        this.region = region;
        this.service = service;
    }

    /** @return null when the signature is valid, else why not. */
    Rejection verify(String method, String rawPath, String rawQuery, Headers headers, byte[] body) {
        String authorization = headers.getFirst("Authorization");
        if (authorization == null) {
            return new Rejection("MissingAuthenticationTokenException", "Missing Authentication Token");
        }
        Matcher auth = AUTHORIZATION.matcher(authorization.trim());
        if (!auth.matches()) {
            return new Rejection("IncompleteSignatureException",
                    "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' (AWS4-HMAC-SHA256).");
        }
        String keyId = auth.group(1);
        String scopeDate = auth.group(2);
        String scopeRegion = auth.group(3);
        String scopeService = auth.group(4);
        List<String> signedHeaders = Arrays.asList(auth.group(5).split(";"));
        String signature = auth.group(6);

        if (!accessKeyId.equals(keyId)) {
            return new Rejection("UnrecognizedClientException", "The security token included in the request is invalid.");
        }
        if (!region.equals(scopeRegion)) {
            return new Rejection("InvalidSignatureException",
                    "Credential should be scoped to a valid region, not '" + scopeRegion + "'. (expected " + region + ")");
        }
        if (!service.equals(scopeService)) {
            return new Rejection("InvalidSignatureException",
                    "Credential should be scoped to correct service: '" + service + "'. (got '" + scopeService + "')");
        }
        if (!signedHeaders.contains("host")) {
            return new Rejection("InvalidSignatureException", "'Host' must be a signed header.");
        }
        String amzDate = headers.getFirst("X-Amz-Date");
        if (amzDate == null || !signedHeaders.contains("x-amz-date")) {
            return new Rejection("IncompleteSignatureException", "X-Amz-Date must be present and signed.");
        }
        Instant signedAt;
        try {
            signedAt = Instant.from(AMZ_DATE.parse(amzDate));
        } catch (DateTimeParseException e) {
            return new Rejection("IncompleteSignatureException", "Invalid X-Amz-Date: " + amzDate);
        }
        if (!amzDate.startsWith(scopeDate)) {
            return new Rejection("InvalidSignatureException",
                    "Date in Credential scope (" + scopeDate + ") does not match X-Amz-Date (" + amzDate + ").");
        }
        if (Duration.between(signedAt, Instant.now()).abs().compareTo(MAX_CLOCK_SKEW) > 0) {
            return new Rejection("InvalidSignatureException", "Signature expired: " + amzDate + " is now earlier or later"
                    + " than the allowed 15 minutes.");
        }

        String bodyHash = hex(sha256(body));
        String declaredHash = headers.getFirst("X-Amz-Content-Sha256");
        // Without the header the signer still hashes the payload into the canonical request.
        String payloadHash = declaredHash == null ? bodyHash : declaredHash;
        if (declaredHash != null && !declaredHash.equals(UNSIGNED_PAYLOAD) && !declaredHash.equals(bodyHash)) {
            return new Rejection("InvalidSignatureException",
                    "The provided 'x-amz-content-sha256' header does not match what was computed.");
        }

        StringBuilder canonicalHeaders = new StringBuilder();
        for (String name : signedHeaders) {
            List<String> values = headers.get(name);
            if (values == null) {
                return new Rejection("InvalidSignatureException", "Signed header '" + name + "' is missing.");
            }
            List<String> trimmed = new ArrayList<>();
            for (String value : values) {
                trimmed.add(value.trim().replaceAll(" +", " "));
            }
            canonicalHeaders.append(name).append(':').append(String.join(",", trimmed)).append('\n');
        }
        String canonicalRequest = method + '\n'
                + canonicalUri(rawPath) + '\n'
                + canonicalQuery(rawQuery) + '\n'
                + canonicalHeaders + '\n'
                + String.join(";", signedHeaders) + '\n'
                + payloadHash;
        String scope = scopeDate + '/' + scopeRegion + '/' + scopeService + "/aws4_request";
        String stringToSign = "AWS4-HMAC-SHA256\n" + amzDate + '\n' + scope + '\n'
                + hex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));

        byte[] key = hmac(("AWS4" + secretAccessKey).getBytes(StandardCharsets.UTF_8), scopeDate);
        key = hmac(key, scopeRegion);
        key = hmac(key, scopeService);
        key = hmac(key, "aws4_request");
        String expected = hex(hmac(key, stringToSign));
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), signature.getBytes(StandardCharsets.US_ASCII))) {
            return new Rejection("InvalidSignatureException", "The request signature we calculated does not match the"
                    + " signature you provided. Check your AWS Secret Access Key and signing method. Consult the service"
                    + " documentation for details.");
        }
        return null;
    }

    /** Services other than S3 encode the already-encoded path once more. */
    private static String canonicalUri(String rawPath) {
        if (rawPath == null || rawPath.isEmpty()) {
            return "/";
        }
        return uriEncode(rawPath, false);
    }

    private static String canonicalQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return "";
        }
        Map<String, List<String>> sorted = new TreeMap<>();
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            sorted.computeIfAbsent(uriEncode(name, true), k -> new ArrayList<>()).add(uriEncode(value, true));
        }
        List<String> parts = new ArrayList<>();
        sorted.forEach((name, values) -> values.stream().sorted().forEach(v -> parts.add(name + '=' + v)));
        return String.join("&", parts);
    }

    private static String decode(String s) {
        return java.net.URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String uriEncode(String s, boolean encodeSlash) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            boolean unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == '~';
            if (unreserved || (c == '/' && !encodeSlash)) {
                out.append(c);
            } else {
                out.append('%').append(HexFormat.of().withUpperCase().toHexDigits(b));
            }
        }
        return out.toString();
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes).toLowerCase(Locale.ROOT);
    }
}
