package dev.xraybatch.samples.s3;

/** A bucket and a key prefix, written {@code s3://bucket/prefix/} on the command line. */
public final class S3Location {
    public final String bucket;
    /** Empty, or ending with {@code /}. */
    public final String prefix;

    private S3Location(String bucket, String prefix) {
        this.bucket = bucket;
        this.prefix = prefix;
    }

    public static S3Location parse(String uri) {
        if (!uri.startsWith("s3://") || uri.length() == "s3://".length()) {
            throw new IllegalArgumentException("not an S3 location (s3://bucket/prefix/): " + uri);
        }
        String rest = uri.substring("s3://".length());
        int slash = rest.indexOf('/');
        if (slash < 0) {
            return new S3Location(rest, "");
        }
        String prefix = rest.substring(slash + 1);
        return new S3Location(rest.substring(0, slash), prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/");
    }

    @Override
    public String toString() {
        return "s3://" + bucket + "/" + prefix;
    }
}
