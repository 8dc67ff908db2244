package dev.xraybatch.agent.export.xray;

import dev.xraybatch.agent.export.DocumentExporter;
import dev.xraybatch.agent.export.ExportSettings;
import dev.xraybatch.agent.export.SendOutcome;
import dev.xraybatch.agent.json.JsonReader;
import dev.xraybatch.agent.json.JsonWriter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.MalformedURLException;
import java.net.SocketException;
import java.net.URL;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.Timer;
import java.util.TimerTask;

/**
 * PutTraceSegments over {@link HttpURLConnection} with its own SigV4 signing: the agent's default X-Ray client.
 * It does on the common path what {@link XRayApiExporter} does through the AWS SDK, at a fraction of the classes,
 * memory and CPU, and loads the SDK ({@link SdkChains}) only for a region or credentials it cannot find itself.
 *
 * <p>Region: the {@code region} setting, {@code aws.region}, {@code AWS_REGION}, {@code AWS_DEFAULT_REGION}, else the
 * SDK's region chain. Endpoint: the {@code endpoint} setting, {@code AWS_ENDPOINT_URL_XRAY} (property
 * {@code aws.endpointUrlXRay}), {@code AWS_ENDPOINT_URL} ({@code aws.endpointUrl}), else the region's endpoint.
 * Credentials: {@link CredentialChain}. Connections are kept alive and reused between calls (the JDK's keep-alive
 * cache); every whole-call error is classified as XRayApiExporter classifies the SDK's exceptions.
 *
 * <p>Each call has a deadline as a whole ({@link ExportSettings#callTimeoutMillis()}), not only per read: an endpoint
 * that answers a byte at a time would otherwise hold the export worker for ever. A call past it is cut and retried;
 * so is an answer that is not a well-formed HTTP answer (a status line cut short, a 1xx or 000 status, no status):
 * it says nothing about the documents, so it is never taken for a refusal. The call after such an answer, should it
 * end before any status line (the JDK reused the connection the broken answer came on), is resent once at once.
 */
public final class HttpXRayExporter implements DocumentExporter {
    private static final String OPERATION_PATH = "/TraceSegments";
    /** BatchGetTraces: asked whether a trace is over its quota ({@code LimitExceeded}). */
    private static final String BATCH_GET_TRACES_PATH = "/Traces";
    private static final String SIGNING_NAME = "xray";
    private static final Charset UTF_8 = Charset.forName("UTF-8");
    private static final int MAX_REASON = 300;
    /** An answer larger than this is not X-Ray's; reading stops there. */
    private static final int MAX_ANSWER_BYTES = 1024 * 1024;
    /** The AWS SDK's throttling error codes (AwsErrorCode), which it retries as throttling whatever the status. */
    private static final Set<String> THROTTLING_CODES = new HashSet<String>(Arrays.asList(
            "Throttling", "ThrottlingException", "ThrottledException", "ProvisionedThroughputExceededException",
            "SlowDown", "TooManyRequestsException", "RequestLimitExceeded", "BandwidthLimitExceeded",
            "RequestThrottled", "RequestThrottledException", "EC2ThrottledException", "PriorRequestNotComplete",
            "TransactionInProgressException"));
    /** Codes that say the signing clock is off: the next attempt, signed anew, may pass. */
    private static final Set<String> CLOCK_SKEW_CODES = new HashSet<String>(Arrays.asList(
            "RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture"));
    private static final String USER_AGENT = "xray-batch-agent/" + version();

    private final ExportSettings settings;
    private final Map<String, String> env;
    private final Properties systemProperties;
    private final CredentialChain credentials;
    /** Cuts calls past their deadline; made at the first call, on a daemon thread of its own. */
    private Timer deadlines;

    private URL url;
    private URL tracesUrl;
    private String hostHeader;
    private String canonicalPath;
    private String tracesCanonicalPath;
    /** Set once BatchGetTraces is refused (the job's role rarely has xray:BatchGetTraces): never asked again. */
    private boolean limitChecksOff;
    /**
     * The last answer was not well-formed HTTP. A server that sends one closes the connection after it, but the JDK
     * may have kept that connection alive (a complete answer of length 0) and hand it to the next call before the
     * close arrives: that call then ends before any answer, and is resent once on a new connection.
     */
    private boolean lastAnswerMalformed;
    private SigV4Signer signer;
    private final StringBuilder body = new StringBuilder(32 * 1024);
    private final byte[] readBuffer = new byte[8192];
    private volatile String description;

    /** An exporter for this process: its environment variables and system properties. */
    public HttpXRayExporter(ExportSettings settings) {
        this(settings, System.getenv(), System.getProperties());
    }

    /** An exporter that reads the given environment and system properties instead of the process's. */
    public HttpXRayExporter(ExportSettings settings, Map<String, String> env, Properties systemProperties) {
        this.settings = settings;
        this.env = env;
        this.systemProperties = systemProperties;
        this.credentials = new CredentialChain(env, systemProperties, timeout(settings.connectTimeoutMillis()),
                timeout(settings.readTimeoutMillis()));
        // The agent's first stderr line shows this: it names an endpoint set by AWS_ENDPOINT_URL_XRAY too.
        this.description = describe(settings.region(), configuredEndpoint());
    }

    @Override
    public SendOutcome send(List<String> documents) {
        try {
            if (signer == null) {
                SendOutcome problem = start();
                if (problem != null) {
                    return problem;
                }
            }
            AwsCredentials current;
            try {
                current = credentials.credentials();
            } catch (CredentialsException e) {
                // They worked at the start: a refresh failed, which a later attempt may get past.
                return SendOutcome.retryable("CredentialsException", shorten(e.getMessage()));
            }
            return post(requestBody(documents), current);
        } catch (IOException e) {
            // No answer: connection refused or cut, timeout, DNS.
            return SendOutcome.retryable(rootCauseName(e), shorten(e.getMessage()));
        } catch (RuntimeException e) {
            return SendOutcome.permanent(e.getClass().getSimpleName(), shorten(e.getMessage()));
        }
    }

    /** Resolves region, endpoint and credentials once; returns the outcome to report when X-Ray is out of reach. */
    private SendOutcome start() {
        String region = firstSet(settings.region(), systemProperties.getProperty("aws.region"),
                env.get("AWS_REGION"), env.get("AWS_DEFAULT_REGION"));
        if (region == null) {
            try {
                region = SdkChains.region();
            } catch (RuntimeException | LinkageError e) {
                return SendOutcome.unusable("no AWS region; set AWS_REGION (or AWS_DEFAULT_REGION), or the agent's"
                        + " region setting (XRAY_BATCH_REGION, -Dxraybatch.region, region= in -javaagent arguments)");
            }
        }
        String configuredEndpoint = configuredEndpoint();
        String endpoint = configuredEndpoint != null ? configuredEndpoint : defaultEndpoint(region);
        try {
            url = new URL(stripTrailingSlash(endpoint) + OPERATION_PATH);
            tracesUrl = new URL(stripTrailingSlash(endpoint) + BATCH_GET_TRACES_PATH);
        } catch (MalformedURLException e) {
            return SendOutcome.unusable("the endpoint '" + endpoint + "' is not a URL");
        }
        if (url.getHost() == null || url.getHost().isEmpty()
                || !("http".equals(url.getProtocol()) || "https".equals(url.getProtocol()))) {
            return SendOutcome.unusable("the endpoint '" + endpoint
                    + "' is not a URL like https://xray.eu-west-1.amazonaws.com");
        }
        try {
            // Resolved once here so that a run without credentials is told so once, instead of retrying forever.
            credentials.credentials();
        } catch (CredentialsException e) {
            return SendOutcome.unusable("no AWS credentials (" + shorten(e.getMessage()) + ")");
        }
        int port = url.getPort();
        hostHeader = port == -1 || port == url.getDefaultPort() ? url.getHost() : url.getHost() + ":" + port;
        canonicalPath = uriEncodePath(url.getPath());
        tracesCanonicalPath = uriEncodePath(tracesUrl.getPath());
        signer = new SigV4Signer(region, SIGNING_NAME);
        description = describe(region, configuredEndpoint);
        return null;
    }

    /** The endpoint the settings or the standard AWS variables name; null: the region's own. */
    private String configuredEndpoint() {
        if (settings.endpoint() != null) {
            return settings.endpoint();
        }
        if ("true".equalsIgnoreCase(setting("aws.ignoreConfiguredEndpointUrls",
                "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"))) {
            return null;
        }
        return firstSet(setting("aws.endpointUrlXRay", "AWS_ENDPOINT_URL_XRAY"),
                setting("aws.endpointUrl", "AWS_ENDPOINT_URL"));
    }

    /** {@code https://xray.<region>.amazonaws.com}, with the partition's domain and FIPS when asked for. */
    private String defaultEndpoint(String region) {
        String domain = region.startsWith("cn-") ? "amazonaws.com.cn"
                : region.startsWith("us-isob-") ? "sc2s.sgov.gov"
                : region.startsWith("us-iso-") ? "c2s.ic.gov"
                : "amazonaws.com";
        boolean fips = "true".equalsIgnoreCase(setting("aws.useFipsEndpoint", "AWS_USE_FIPS_ENDPOINT"));
        return "https://" + (fips ? "xray-fips." : "xray.") + region + "." + domain;
    }

    /** The system property, else the environment variable, as the SDK reads its settings. */
    private String setting(String property, String variable) {
        return firstSet(systemProperties.getProperty(property), env.get(variable));
    }

    /** {@code {"TraceSegmentDocuments":["<document>",...]}}: each document a JSON string. */
    private byte[] requestBody(List<String> documents) {
        StringBuilder out = body;
        out.setLength(0);
        out.append("{\"TraceSegmentDocuments\":[");
        for (int i = 0; i < documents.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            JsonWriter.appendString(documents.get(i), out);
        }
        out.append("]}");
        return out.toString().getBytes(UTF_8);
    }

    /**
     * Asks BatchGetTraces whether X-Ray holds the trace as over its quota. The first refusal of the call (the job's
     * role usually lacks xray:BatchGetTraces) turns the question off for this run, with a debug line only.
     */
    @Override
    public Boolean traceLimitExceeded(String traceId) {
        if (limitChecksOff || signer == null || traceId == null) {
            return null;
        }
        try {
            StringBuilder request = new StringBuilder("{\"TraceIds\":[");
            JsonWriter.appendString(traceId, request);
            request.append("]}");
            byte[] body = request.toString().getBytes(UTF_8);
            Answer reply = call(tracesUrl, tracesCanonicalPath, body, credentials.credentials());
            if (reply == null) {
                return null;
            }
            int status = reply.status;
            HttpURLConnection connection = reply.connection;
            String answer = reply.body;
            if (status == 403 || status == 404 || status == 400) {
                limitChecksOff = true;
                dev.xraybatch.agent.log.AgentLog.debug("BatchGetTraces answered HTTP " + status + " ("
                        + shorten(connection.getHeaderField("x-amzn-ErrorType")) + "): not asking X-Ray again"
                        + " whether a trace is over its quota (the role needs xray:BatchGetTraces for that)");
                return null;
            }
            if (status != 200) {
                return null;
            }
            return limitExceeded(answer, traceId);
        } catch (IOException | CredentialsException | RuntimeException e) {
            return null;
        }
    }

    /** {@code Traces[].LimitExceeded} of the trace in a BatchGetTraces answer; false for a trace not (yet) known. */
    static Boolean limitExceeded(String answer, String traceId) {
        Object json;
        try {
            json = JsonReader.parse(answer);
        } catch (JsonReader.ParseException e) {
            return null;
        }
        Object traces = json instanceof Map ? ((Map<?, ?>) json).get("Traces") : null;
        if (traces instanceof List) {
            for (Object trace : (List<?>) traces) {
                if (trace instanceof Map && traceId.equals(((Map<?, ?>) trace).get("Id"))) {
                    return Boolean.TRUE.equals(((Map<?, ?>) trace).get("LimitExceeded"));
                }
            }
        }
        return Boolean.FALSE;
    }

    /** What one call got back: a well-formed HTTP status (200..599) and the answer's body. */
    private static final class Answer {
        final HttpURLConnection connection;
        final int status;
        final String body;

        Answer(HttpURLConnection connection, int status, String body) {
            this.connection = connection;
            this.status = status;
            this.body = body;
        }
    }

    /**
     * One call within its deadline; null when the answer was not a well-formed HTTP answer.
     *
     * @throws CallTimeoutException when the deadline cut the call
     */
    private Answer call(URL target, String path, byte[] requestBody, AwsCredentials current) throws IOException {
        HttpURLConnection connection = open(target, path, requestBody, current);
        CallDeadline deadline = new CallDeadline(connection);
        deadlineTimer().schedule(deadline, settings.callTimeoutMillis(), CUT_REPEAT_MILLIS);
        int status = Integer.MIN_VALUE;
        try {
            OutputStream out = connection.getOutputStream();
            try {
                out.write(requestBody);
            } finally {
                out.close();
            }
            status = connection.getResponseCode();
            if (deadline.fired) {
                throw new CallTimeoutException(settings.callTimeoutMillis(), null);
            }
            if (status < 200 || status > 599) {
                // -1: no status line the JDK could read; 1xx, 000 and the like: not an answer about the documents.
                lastAnswerMalformed = true;
                connection.disconnect();
                return null;
            }
            lastAnswerMalformed = false;
            // Reading the answer to its end hands the connection back to the keep-alive cache.
            String answer = readAll(status >= 400 ? connection.getErrorStream() : connection.getInputStream());
            return new Answer(connection, status, answer);
        } catch (IOException e) {
            if (deadline.fired && !(e instanceof CallTimeoutException)) {
                throw new CallTimeoutException(settings.callTimeoutMillis(), e);
            }
            if (status == Integer.MIN_VALUE && e instanceof SocketException && !(e instanceof ConnectException)) {
                throw new ClosedBeforeAnswerException((SocketException) e);
            }
            throw e;
        } finally {
            deadline.cancel();
        }
    }

    /** How often a cut is repeated until the call gives up (a connection still being made cannot be cut yet). */
    private static final long CUT_REPEAT_MILLIS = 100L;

    private synchronized Timer deadlineTimer() {
        if (deadlines == null) {
            deadlines = new Timer("xray-batch-call-deadline", true);
        }
        return deadlines;
    }

    /** Disconnecting from another thread closes the socket under a blocked read or write: the call fails at once. */
    private static final class CallDeadline extends TimerTask {
        private final HttpURLConnection connection;
        volatile boolean fired;

        CallDeadline(HttpURLConnection connection) {
            this.connection = connection;
        }

        @Override
        public void run() {
            fired = true;
            try {
                connection.disconnect();
            } catch (RuntimeException e) {
                // Nothing more to do: the next repeat tries again.
            }
        }
    }

    /**
     * The connection ended (end of stream, reset, broken pipe) before any status line came back: the request may
     * not even have reached the server.
     */
    static final class ClosedBeforeAnswerException extends IOException {
        final SocketException closed;

        ClosedBeforeAnswerException(SocketException closed) {
            super(closed.getMessage(), closed);
            this.closed = closed;
        }
    }

    /** A call cut at its deadline. */
    static final class CallTimeoutException extends IOException {
        CallTimeoutException(long millis, Throwable cause) {
            super("no complete answer within " + millis + " ms", cause);
        }
    }

    /** Prepares a signed POST; the caller writes the body, within the call's deadline. */
    private HttpURLConnection open(URL target, String path, byte[] requestBody, AwsCredentials current)
            throws IOException {
        SigV4Signer.SignedHeaders signed = signer.sign("POST", path, hostHeader, requestBody, current,
                System.currentTimeMillis());
        HttpURLConnection connection = (HttpURLConnection) target.openConnection();
        connection.setRequestMethod("POST");
        connection.setDoOutput(true);
        connection.setConnectTimeout(timeout(settings.connectTimeoutMillis()));
        connection.setReadTimeout(timeout(settings.readTimeoutMillis()));
        connection.setUseCaches(false);
        connection.setInstanceFollowRedirects(false);
        connection.setFixedLengthStreamingMode(requestBody.length);
        connection.setRequestProperty("Content-Type", "application/x-amz-json-1.1");
        connection.setRequestProperty("User-Agent", USER_AGENT);
        connection.setRequestProperty("X-Amz-Date", signed.amzDate);
        connection.setRequestProperty("X-Amz-Content-Sha256", signed.contentSha256);
        if (signed.securityToken != null) {
            connection.setRequestProperty("X-Amz-Security-Token", signed.securityToken);
        }
        connection.setRequestProperty("Authorization", signed.authorization);
        return connection;
    }

    private SendOutcome post(byte[] requestBody, AwsCredentials current) throws IOException {
        // Streaming with a known length: no internal copy, and the JDK never silently resends the POST.
        Answer reply;
        try {
            boolean connectionSuspect = lastAnswerMalformed;
            try {
                reply = call(url, canonicalPath, requestBody, current);
            } catch (ClosedBeforeAnswerException e) {
                if (!connectionSuspect) {
                    throw e.closed;
                }
                // The connection a broken answer came on, reused before its close arrived: resent once, on a new
                // connection (the stale one is closed now). A resent document is harmless: X-Ray keeps the last
                // version of a segment id.
                try {
                    reply = call(url, canonicalPath, requestBody, current);
                } catch (ClosedBeforeAnswerException again) {
                    throw again.closed;
                }
            }
        } catch (CallTimeoutException e) {
            return SendOutcome.retryable("CallTimeout", e.getMessage());
        }
        if (reply == null) {
            return SendOutcome.retryable("MalformedAnswer", "the answer was not a well-formed HTTP answer"
                    + " (no status line, or a status that is not final)");
        }
        if (reply.status == 200) {
            return accepted(reply.body);
        }
        return classify(reply.status, reply.connection.getHeaderField("x-amzn-ErrorType"), reply.body);
    }

    /** The call went through; lists the documents X-Ray refused one by one. */
    static SendOutcome accepted(String answer) {
        Object json;
        try {
            json = JsonReader.parse(answer);
        } catch (JsonReader.ParseException e) {
            // 200 means the documents were taken: an unreadable reply must not make the pipeline send them again.
            return SendOutcome.accepted();
        }
        Object list = json instanceof Map ? ((Map<?, ?>) json).get("UnprocessedTraceSegments") : null;
        if (!(list instanceof List) || ((List<?>) list).isEmpty()) {
            return SendOutcome.accepted();
        }
        List<SendOutcome.Unprocessed> refused = new ArrayList<SendOutcome.Unprocessed>();
        for (Object entry : (List<?>) list) {
            refused.add(new SendOutcome.Unprocessed(JsonReader.stringMember(entry, "Id"),
                    JsonReader.stringMember(entry, "ErrorCode"), JsonReader.stringMember(entry, "Message")));
        }
        return SendOutcome.accepted(refused);
    }

    /**
     * Maps a whole-call error to what the pipeline should do with the batch, as {@link XRayApiExporter#classify}
     * does with the SDK's exceptions: the code from {@code x-amzn-ErrorType}, else the body's {@code __type}.
     */
    static SendOutcome classify(int status, String errorTypeHeader, String answer) {
        Object json;
        try {
            json = answer.isEmpty() ? null : JsonReader.parse(answer);
        } catch (JsonReader.ParseException e) {
            json = null;
        }
        String code = errorCode(errorTypeHeader);
        if (code == null) {
            code = errorCode(JsonReader.stringMember(json, "__type"));
        }
        if (code == null) {
            code = "HTTP " + status;
        }
        String message = JsonReader.stringMember(json, "message");
        if (message == null) {
            message = JsonReader.stringMember(json, "Message");
        }
        String reason = "HTTP " + status + ", " + shorten(message);
        if (status == 429 || status >= 500 || status == 408 || THROTTLING_CODES.contains(code)
                || CLOCK_SKEW_CODES.contains(code)) {
            return SendOutcome.retryable(code, reason);
        }
        if (status == 403) {
            return SendOutcome.permanent(code, reason + "; the job's role needs xray:PutTraceSegments"
                    + " (managed policy AWSXrayWriteOnlyAccess)");
        }
        return SendOutcome.permanent(code, reason);
    }

    /** {@code ThrottledException:http://internal...} or {@code com.amazonaws.xray#ThrottledException} to the name. */
    private static String errorCode(String raw) {
        if (raw == null || raw.trim().isEmpty()) {
            return null;
        }
        String code = raw.trim();
        int colon = code.indexOf(':');
        if (colon >= 0) {
            code = code.substring(0, colon);
        }
        int hash = code.lastIndexOf('#');
        if (hash >= 0) {
            code = code.substring(hash + 1);
        }
        return code.isEmpty() ? null : code;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (deadlines != null) {
                deadlines.cancel();
            }
        }
        credentials.close();
        if (signer != null) {
            signer.forget();
        }
    }

    private String readAll(InputStream in) throws IOException {
        if (in == null) {
            return "";
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            int n;
            while ((n = in.read(readBuffer)) > 0) {
                if (out.size() < MAX_ANSWER_BYTES) {
                    out.write(readBuffer, 0, n);
                }
            }
            return new String(out.toByteArray(), UTF_8);
        } finally {
            in.close();
        }
    }

    /** SigV4's canonical URI: every byte but unreserved characters and '/' percent-encoded. */
    static String uriEncodePath(String path) {
        if (path == null || path.isEmpty()) {
            return "/";
        }
        StringBuilder out = new StringBuilder(path.length());
        for (byte b : path.getBytes(UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                    || c == '.' || c == '~' || c == '/') {
                out.append(c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return out.toString();
    }

    private static String describe(String region, String endpoint) {
        StringBuilder text = new StringBuilder("the X-Ray API");
        if (region != null) {
            text.append(" (").append(region).append(')');
        }
        if (endpoint != null) {
            text.append(" at ").append(endpoint);
        }
        return text.toString();
    }

    private static String firstSet(String... values) {
        for (String value : values) {
            if (value != null && !value.trim().isEmpty()) {
                return value.trim();
            }
        }
        return null;
    }

    private static String stripTrailingSlash(String endpoint) {
        return endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
    }

    private static int timeout(long millis) {
        return (int) Math.min(Integer.MAX_VALUE, millis);
    }

    private static String rootCauseName(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName();
    }

    private static String shorten(String text) {
        if (text == null) {
            return "no message";
        }
        return text.length() <= MAX_REASON ? text : text.substring(0, MAX_REASON) + "...";
    }

    private static String version() {
        Package p = HttpXRayExporter.class.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
