package dev.xraybatch.agent.export;

/**
 * What the export side needs to know, as a plain immutable value. The config layer fills it through
 * {@link #builder()}; every field has a default that suits a batch job. Text fields are {@code null} when unset,
 * which means "use the standard source" (the AWS chains, {@code AWS_XRAY_DAEMON_ADDRESS}, the default file).
 */
public final class ExportSettings {
    /** PutTraceSegments accepts at most this many documents per call. */
    public static final int MAX_BATCH_SIZE = 50;
    /**
     * The largest queue: a million finished items waiting is far past any exporter's pace, and each costs memory
     * once queued (the queue itself takes none until it fills).
     */
    public static final int MAX_QUEUE_CAPACITY = 1_000_000;

    private final ExporterKind exporter;
    private final int queueCapacity;
    private final int batchSize;
    private final long batchDelayMillis;
    private final long shutdownTimeoutMillis;
    private final long retryInitialBackoffMillis;
    private final long retryMaxBackoffMillis;
    private final String region;
    private final String endpoint;
    private final boolean xraySdkClient;
    private final long connectTimeoutMillis;
    private final long readTimeoutMillis;
    private final long callTimeoutMillis;
    private final String daemonAddress;
    private final String file;

    private ExportSettings(Builder b) {
        this.exporter = b.exporter;
        this.queueCapacity = b.queueCapacity;
        this.batchSize = b.batchSize;
        this.batchDelayMillis = b.batchDelayMillis;
        this.shutdownTimeoutMillis = b.shutdownTimeoutMillis;
        this.retryInitialBackoffMillis = b.retryInitialBackoffMillis;
        this.retryMaxBackoffMillis = b.retryMaxBackoffMillis;
        this.region = b.region;
        this.endpoint = b.endpoint;
        this.xraySdkClient = b.xraySdkClient;
        this.connectTimeoutMillis = b.connectTimeoutMillis;
        this.readTimeoutMillis = b.readTimeoutMillis;
        this.callTimeoutMillis = b.callTimeoutMillis;
        this.daemonAddress = b.daemonAddress;
        this.file = b.file;
    }

    /** All defaults. */
    public static ExportSettings defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from these values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.exporter = exporter;
        b.queueCapacity = queueCapacity;
        b.batchSize = batchSize;
        b.batchDelayMillis = batchDelayMillis;
        b.shutdownTimeoutMillis = shutdownTimeoutMillis;
        b.retryInitialBackoffMillis = retryInitialBackoffMillis;
        b.retryMaxBackoffMillis = retryMaxBackoffMillis;
        b.region = region;
        b.endpoint = endpoint;
        b.xraySdkClient = xraySdkClient;
        b.connectTimeoutMillis = connectTimeoutMillis;
        b.readTimeoutMillis = readTimeoutMillis;
        b.callTimeoutMillis = callTimeoutMillis;
        b.daemonAddress = daemonAddress;
        b.file = file;
        return b;
    }

    /** Which exporter; default {@link ExporterKind#AUTO}. */
    public ExporterKind exporter() {
        return exporter;
    }

    /** Finished items the queue holds before it drops new ones, 1..{@link #MAX_QUEUE_CAPACITY}; default 8192. */
    public int queueCapacity() {
        return queueCapacity;
    }

    /** Documents per send, 1..50; default 50. */
    public int batchSize() {
        return batchSize;
    }

    /** How long a partial batch waits for more documents before it is sent; default 1000 ms. */
    public long batchDelayMillis() {
        return batchDelayMillis;
    }

    /** How long shutdown may take to send what is left; default 5000 ms. */
    public long shutdownTimeoutMillis() {
        return shutdownTimeoutMillis;
    }

    /** First wait before retrying a failed send; doubles per failure; default 100 ms. */
    public long retryInitialBackoffMillis() {
        return retryInitialBackoffMillis;
    }

    /** Longest wait between retries; default 5000 ms. */
    public long retryMaxBackoffMillis() {
        return retryMaxBackoffMillis;
    }

    /** X-Ray region, e.g. {@code eu-west-1}; null: the SDK's region chain. */
    public String region() {
        return region;
    }

    /** X-Ray endpoint URL; null: the SDK's own resolution ({@code AWS_ENDPOINT_URL_XRAY}, {@code AWS_ENDPOINT_URL}, region). */
    public String endpoint() {
        return endpoint;
    }

    /**
     * True: PutTraceSegments through the relocated AWS SDK client; default false: the agent's own HTTP client, which
     * loads the SDK only for credentials or a region it cannot find itself.
     */
    public boolean xraySdkClient() {
        return xraySdkClient;
    }

    /** HTTP connect timeout for the X-Ray API; default 2000 ms. */
    public long connectTimeoutMillis() {
        return connectTimeoutMillis;
    }

    /** HTTP read timeout for the X-Ray API; default 5000 ms. */
    public long readTimeoutMillis() {
        return readTimeoutMillis;
    }

    /**
     * The longest one X-Ray API call may take in all, connecting, sending and reading the answer; default 10000 ms.
     * A read timeout alone lets an endpoint that answers a byte at a time hold the exporter for ever.
     */
    public long callTimeoutMillis() {
        return callTimeoutMillis;
    }

    /** Daemon address, {@code host:port} or {@code tcp:host:port udp:host:port}; null: {@code AWS_XRAY_DAEMON_ADDRESS}, else 127.0.0.1:2000. */
    public String daemonAddress() {
        return daemonAddress;
    }

    /** JSON-lines file; null: {@code xray-traces/<traceId>.jsonl} under the working directory. */
    public String file() {
        return file;
    }

    @Override
    public String toString() {
        return "ExportSettings{exporter=" + exporter.settingValue() + ", queueCapacity=" + queueCapacity
                + ", batchSize=" + batchSize + ", batchDelayMillis=" + batchDelayMillis
                + ", shutdownTimeoutMillis=" + shutdownTimeoutMillis
                + ", retryBackoffMillis=" + retryInitialBackoffMillis + ".." + retryMaxBackoffMillis
                + ", region=" + region + ", endpoint=" + endpoint + ", xraySdkClient=" + xraySdkClient
                + ", connectTimeoutMillis=" + connectTimeoutMillis
                + ", readTimeoutMillis=" + readTimeoutMillis + ", callTimeoutMillis=" + callTimeoutMillis
                + ", daemonAddress=" + daemonAddress
                + ", file=" + file + "}";
    }

    /** Setters reject out-of-range values with an IllegalArgumentException naming the setting. */
    public static final class Builder {
        private ExporterKind exporter = ExporterKind.AUTO;
        private int queueCapacity = 8192;
        private int batchSize = MAX_BATCH_SIZE;
        private long batchDelayMillis = 1000;
        private long shutdownTimeoutMillis = 5000;
        private long retryInitialBackoffMillis = 100;
        private long retryMaxBackoffMillis = 5000;
        private String region;
        private String endpoint;
        private boolean xraySdkClient;
        private long connectTimeoutMillis = 2000;
        private long readTimeoutMillis = 5000;
        private long callTimeoutMillis = 10000;
        private String daemonAddress;
        private String file;

        private Builder() {
        }

        public Builder exporter(ExporterKind value) {
            if (value == null) {
                throw new IllegalArgumentException("exporter must not be null");
            }
            exporter = value;
            return this;
        }

        public Builder queueCapacity(int value) {
            if (value > MAX_QUEUE_CAPACITY) {
                throw new IllegalArgumentException("queueCapacity must be at most " + MAX_QUEUE_CAPACITY
                        + ", was " + value);
            }
            queueCapacity = (int) atLeast("queueCapacity", value, 1);
            return this;
        }

        public Builder batchSize(int value) {
            if (value < 1 || value > MAX_BATCH_SIZE) {
                throw new IllegalArgumentException("batchSize must be 1.." + MAX_BATCH_SIZE + ", was " + value);
            }
            batchSize = value;
            return this;
        }

        public Builder batchDelayMillis(long value) {
            batchDelayMillis = atLeast("batchDelayMillis", value, 0);
            return this;
        }

        public Builder shutdownTimeoutMillis(long value) {
            shutdownTimeoutMillis = atLeast("shutdownTimeoutMillis", value, 0);
            return this;
        }

        public Builder retryInitialBackoffMillis(long value) {
            retryInitialBackoffMillis = atLeast("retryInitialBackoffMillis", value, 1);
            return this;
        }

        public Builder retryMaxBackoffMillis(long value) {
            retryMaxBackoffMillis = atLeast("retryMaxBackoffMillis", value, 1);
            return this;
        }

        public Builder region(String value) {
            region = blankToNull(value);
            return this;
        }

        public Builder endpoint(String value) {
            endpoint = blankToNull(value);
            return this;
        }

        public Builder xraySdkClient(boolean value) {
            xraySdkClient = value;
            return this;
        }

        public Builder connectTimeoutMillis(long value) {
            connectTimeoutMillis = atLeast("connectTimeoutMillis", value, 1);
            return this;
        }

        public Builder readTimeoutMillis(long value) {
            readTimeoutMillis = atLeast("readTimeoutMillis", value, 1);
            return this;
        }

        public Builder callTimeoutMillis(long value) {
            callTimeoutMillis = atLeast("callTimeoutMillis", value, 1);
            return this;
        }

        public Builder daemonAddress(String value) {
            daemonAddress = blankToNull(value);
            return this;
        }

        public Builder file(String value) {
            file = blankToNull(value);
            return this;
        }

        public ExportSettings build() {
            if (retryMaxBackoffMillis < retryInitialBackoffMillis) {
                throw new IllegalArgumentException("retryMaxBackoffMillis (" + retryMaxBackoffMillis
                        + ") is less than retryInitialBackoffMillis (" + retryInitialBackoffMillis + ")");
            }
            return new ExportSettings(this);
        }

        private static long atLeast(String name, long value, long min) {
            if (value < min) {
                throw new IllegalArgumentException(name + " must be at least " + min + ", was " + value);
            }
            return value;
        }

        private static String blankToNull(String value) {
            return value == null || value.trim().isEmpty() ? null : value.trim();
        }
    }
}
