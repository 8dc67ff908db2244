package dev.xraybatch.testsupport;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A local stand-in for the X-Ray {@code PutTraceSegments} API on 127.0.0.1, for tests. It verifies the SigV4
 * signature with the published test credentials, checks every document as X-Ray would (and against the published
 * schema), answers exactly as X-Ray does, keeps what it accepted for assertions, and can inject faults at run time.
 * It also answers {@code BatchGetTraces} and {@code GetTraceSummaries} (see {@link TraceQueries}), so code that reads
 * traces back through the AWS SDK can be tested against it.
 *
 * <pre>{@code
 * try (LocalXRayEndpoint xray = LocalXRayEndpoint.start()) {
 *     // point the code under test at xray.url() with ACCESS_KEY_ID / SECRET_ACCESS_KEY / REGION
 *     Trace trace = xray.awaitTrace(t -> !t.root().isInProgress(), Duration.ofSeconds(30));
 *     trace.root().child("step").child("S3");
 *     xray.assertNoViolations();
 * }
 * }</pre>
 *
 * It applies X-Ray's per-trace data quota ({@link TraceQuota}; {@code builder().traceQuota(false)} turns it off for
 * a test that must see everything a client sends): past it a trace is closed and its documents are answered {@code InvalidSegment}. Everything time-dependent (bursts,
 * trace age, trace id epochs) follows the endpoint's {@link SimulatedClock}, so a test can move time between calls:
 *
 * <pre>{@code
 * SimulatedClock clock = SimulatedClock.manual(Instant.parse("2026-03-01T00:00:00Z"));
 * try (LocalXRayEndpoint xray = LocalXRayEndpoint.builder().traceQuota(true).clock(clock).start()) {
 *     ... send; clock.advance(Duration.ofMinutes(7)); send ...
 *     assertThat(xray.isLimitExceeded(traceId)).isFalse();
 * }
 * }</pre>
 */
public final class LocalXRayEndpoint implements AutoCloseable {

    /** The only access key the endpoint accepts. */
    public static final String ACCESS_KEY_ID = "AKIDTESTXRAYBATCH";
    /** The secret that goes with {@link #ACCESS_KEY_ID}. */
    public static final String SECRET_ACCESS_KEY = "xray-batch-test-secret-0123456789abcdef";
    /** The only region a request may be signed for. */
    public static final String REGION = "us-east-1";
    /** X-Ray's limit of documents in one PutTraceSegments call. */
    public static final int MAX_DOCUMENTS_PER_CALL = 50;

    /** The operations the endpoint answers, by path (all {@code POST}, as in X-Ray's API model). */
    private enum Operation {
        PUT_TRACE_SEGMENTS("/TraceSegments"),
        BATCH_GET_TRACES("/Traces"),
        GET_TRACE_SUMMARIES("/TraceSummaries");

        final String path;

        Operation(String path) {
            this.path = path;
        }

        static Operation at(String method, String path) {
            if (!"POST".equals(method)) {
                return null;
            }
            for (Operation operation : values()) {
                if (operation.path.equals(path)) {
                    return operation;
                }
            }
            return null;
        }
    }

    private static final String SIGNING_NAME = "xray";
    private static final Duration REBIND_PATIENCE = Duration.ofSeconds(10);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SigV4Verifier signatures = new SigV4Verifier(ACCESS_KEY_ID, SECRET_ACCESS_KEY, REGION, SIGNING_NAME);
    private final SegmentSchema schema = SegmentSchema.shared();
    private final ExecutorService handlers;
    private final int port;
    private final SimulatedClock clock;

    /** Guards everything below; waited on by the await methods. */
    private final Object lock = new Object();
    private final TraceStore store = new TraceStore();
    private final TraceQuota quota;
    private final TraceQueries queries;
    /** PutTraceSegments calls that reached document processing, numbered for the quota's bursts. */
    private long documentCalls;
    private final List<Violation> violations = new ArrayList<>();
    private final List<Call> calls = new ArrayList<>();
    private HttpServer server;
    private Fault fault;
    private int faultCallsLeft;
    private Predicate<JsonNode> rejectWhich;
    private String rejectErrorCode;
    private Duration stall = Duration.ZERO;
    private int faultedCalls;
    private int injectedRejections;
    private int stalledCalls;
    private boolean closed;

    private LocalXRayEndpoint(Builder builder) {
        this.clock = builder.clock;
        this.quota = new TraceQuota(builder.traceQuota);
        this.queries = new TraceQueries(store, quota);
        AtomicInteger threads = new AtomicInteger();
        this.handlers = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "local-xray-endpoint-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.server = bind(0);
        this.port = server.getAddress().getPort();
    }

    /** Starts an endpoint on a free port of 127.0.0.1: system clock, no trace quota. */
    public static LocalXRayEndpoint start() {
        return builder().start();
    }

    /** Options: {@code LocalXRayEndpoint.builder().traceQuota(true).clock(clock).start()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** How to start an endpoint; the defaults are those of {@link LocalXRayEndpoint#start()}. */
    public static final class Builder {
        // On by default: every test sees the quota real X-Ray applies (moto applies none).
        private boolean traceQuota = true;
        private SimulatedClock clock = SimulatedClock.system();

        private Builder() {
        }

        /**
         * Applies X-Ray's per-trace data quota ({@link TraceQuota}); off by default. Bytes and bursts are counted
         * either way ({@link LocalXRayEndpoint#quotaUsage}), only refusing documents depends on this.
         */
        public Builder traceQuota(boolean enforced) {
            this.traceQuota = enforced;
            return this;
        }

        /** The clock the endpoint judges by (default: {@link SimulatedClock#system()}). */
        public Builder clock(SimulatedClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public LocalXRayEndpoint start() {
            return new LocalXRayEndpoint(this);
        }
    }

    /** {@code http://127.0.0.1:<port>}: the endpoint override for the SDK and {@code AWS_ENDPOINT_URL_XRAY}. */
    public URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    /**
     * What a client needs in its environment to send here, as a user configures a real job: {@code AWS_REGION},
     * the endpoint's test credentials and {@code AWS_ENDPOINT_URL_XRAY}.
     */
    public java.util.Map<String, String> clientEnvironment() {
        java.util.Map<String, String> env = new java.util.LinkedHashMap<>();
        env.put("AWS_REGION", REGION);
        env.put("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID);
        env.put("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY);
        env.put("AWS_ENDPOINT_URL_XRAY", url().toString());
        return env;
    }

    /** The clock bursts, trace age and document times are judged by. */
    public SimulatedClock clock() {
        return clock;
    }

    /** True when the endpoint refuses documents past {@link TraceQuota}'s limits. */
    public boolean isTraceQuotaEnforced() {
        return quota.enforced();
    }

    // ---------------------------------------------------------------- what was received

    /** Every accepted document, parsed, in arrival order. */
    public List<JsonNode> documents() {
        synchronized (lock) {
            return store.documents();
        }
    }

    /** Accepted documents of one trace, in arrival order. */
    public List<JsonNode> documents(String traceId) {
        synchronized (lock) {
            return store.documents(traceId);
        }
    }

    /** Trace ids in order of their first accepted document. */
    public List<String> traceIds() {
        synchronized (lock) {
            return store.traceIds();
        }
    }

    /** Every trace, reconstructed as a tree. */
    public List<Trace> traces() {
        synchronized (lock) {
            return store.traceIds().stream().map(id -> Trace.of(id, store.documents(id))).collect(Collectors.toList());
        }
    }

    /** One trace, reconstructed; fails when nothing of it was accepted. */
    public Trace trace(String traceId) {
        synchronized (lock) {
            List<JsonNode> documents = store.documents(traceId);
            if (documents.isEmpty()) {
                throw new AssertionError("No document accepted for trace " + traceId + "; " + summary());
            }
            return Trace.of(traceId, documents);
        }
    }

    /** The only trace received; fails when there is none or more than one. */
    public Trace onlyTrace() {
        List<Trace> traces = traces();
        if (traces.size() != 1) {
            throw new AssertionError("Expected exactly one trace, got " + traces.size() + ":\n"
                    + traces.stream().map(Trace::render).collect(Collectors.joining()) + summary());
        }
        return traces.get(0);
    }

    // ---------------------------------------------------------------- the trace quota

    /**
     * Bytes, bursts, age, limit and refusals of one trace as of now, counted whether or not the quota is enforced;
     * null when no PutTraceSegments call carried a document of it.
     */
    public TraceQuota.Usage quotaUsage(String traceId) {
        synchronized (lock) {
            return quota.usage(traceId, clock.now());
        }
    }

    /** UTF-8 bytes of every accepted document of the trace, every version of a re-sent document counted again. */
    public long bytesAccepted(String traceId) {
        TraceQuota.Usage usage = quotaUsage(traceId);
        return usage == null ? 0 : usage.acceptedBytes();
    }

    /** Bursts of PutTraceSegments calls that carried documents of the trace ({@link TraceQuota#BURST_GAP}). */
    public int bursts(String traceId) {
        synchronized (lock) {
            return quota.bursts(traceId);
        }
    }

    /** True once the trace reached its quota: BatchGetTraces says {@code LimitExceeded: true}, documents are refused. */
    public boolean isLimitExceeded(String traceId) {
        synchronized (lock) {
            return quota.limitExceeded(traceId);
        }
    }

    /** Traces closed for the quota, in the order they were closed. */
    public List<String> limitExceededTraceIds() {
        synchronized (lock) {
            return quota.closedTraceIds();
        }
    }

    /** Every document refused for the quota, in order (not in {@link #violations()}: it is X-Ray's answer). */
    public List<TraceQuota.Refusal> quotaRefusals() {
        synchronized (lock) {
            return quota.refusals();
        }
    }

    /** Documents refused for the quota. */
    public int quotaRefusedCount() {
        return quotaRefusals().size();
    }

    /** Documents of one trace refused for the quota. */
    public int quotaRefusedCount(String traceId) {
        TraceQuota.Usage usage = quotaUsage(traceId);
        return usage == null ? 0 : usage.refusedDocuments();
    }

    // ---------------------------------------------------------------- violations and calls

    /** Everything found wrong so far, in order. */
    public List<Violation> violations() {
        synchronized (lock) {
            return List.copyOf(violations);
        }
    }

    /** Fails listing every violation, if there is any. */
    public void assertNoViolations() {
        List<Violation> found = violations();
        if (!found.isEmpty()) {
            throw new AssertionError(found.size() + " violation(s) of the X-Ray protocol or schema:\n"
                    + found.stream().map(Violation::toString).collect(Collectors.joining("\n")));
        }
    }

    /**
     * Every PutTraceSegments call received (and calls to operations the endpoint does not know), in arrival order;
     * BatchGetTraces and GetTraceSummaries calls are not listed.
     */
    public List<Call> calls() {
        synchronized (lock) {
            return List.copyOf(calls);
        }
    }

    public int callCount() {
        synchronized (lock) {
            return calls.size();
        }
    }

    /** Number of accepted documents. */
    public int documentCount() {
        synchronized (lock) {
            return store.documentCount();
        }
    }

    /** Calls answered with an injected {@link Fault}. */
    public int faultedCallCount() {
        synchronized (lock) {
            return faultedCalls;
        }
    }

    /** Documents answered as unprocessed because of {@link #rejectDocuments}. */
    public int injectedRejectionCount() {
        synchronized (lock) {
            return injectedRejections;
        }
    }

    /** Calls held by {@link #stallCalls}. */
    public int stalledCallCount() {
        synchronized (lock) {
            return stalledCalls;
        }
    }

    /** Waits until the accepted documents satisfy the condition; fails with what arrived after the timeout. */
    public List<JsonNode> awaitDocuments(Predicate<? super List<JsonNode>> condition, Duration timeout) {
        return await(() -> {
            List<JsonNode> documents = store.documents();
            return condition.test(documents) ? documents : null;
        }, timeout, "documents matching the condition");
    }

    /** Waits until at least {@code count} documents were accepted. */
    public List<JsonNode> awaitDocumentCount(int count, Duration timeout) {
        return awaitDocuments(documents -> documents.size() >= count, timeout);
    }

    /** Waits until at least {@code count} calls were answered (whatever the answer), e.g. to see retries. */
    public List<Call> awaitCallCount(int count, Duration timeout) {
        return await(() -> calls.size() >= count ? List.copyOf(calls) : null, timeout, count + " call(s)");
    }

    /**
     * Waits until some trace satisfies the condition and returns it. A condition that throws (e.g. {@code root()}
     * while two roots are present) counts as not yet satisfied.
     */
    public Trace awaitTrace(Predicate<? super Trace> condition, Duration timeout) {
        return await(() -> {
            for (String traceId : store.traceIds()) {
                Trace trace = Trace.of(traceId, store.documents(traceId));
                try {
                    if (condition.test(trace)) {
                        return trace;
                    }
                } catch (RuntimeException | AssertionError notYet) {
                    // The trace is still incomplete.
                }
            }
            return null;
        }, timeout, "a trace matching the condition");
    }

    /**
     * Forgets documents, violations, calls, counters and the quota's bookkeeping; keeps injected faults, the clock
     * and the connection state.
     */
    public void clear() {
        synchronized (lock) {
            store.clear();
            quota.clear();
            violations.clear();
            calls.clear();
            faultedCalls = 0;
            injectedRejections = 0;
            stalledCalls = 0;
        }
    }

    // ---------------------------------------------------------------- fault injection

    /** Answers every PutTraceSegments call with this fault until {@link #stopFailing()} (reads are not failed). */
    public void failWith(Fault fault) {
        failNext(-1, fault);
    }

    /** Answers the next {@code calls} calls with this fault, then works normally again. */
    public void failNext(int calls, Fault fault) {
        synchronized (lock) {
            this.fault = fault;
            this.faultCallsLeft = calls;
        }
    }

    public void stopFailing() {
        synchronized (lock) {
            this.fault = null;
        }
    }

    /** Answers documents matching {@code which} as unprocessed with this ErrorCode (e.g. "InvalidSegment"). */
    public void rejectDocuments(Predicate<JsonNode> which, String errorCode) {
        synchronized (lock) {
            this.rejectWhich = which;
            this.rejectErrorCode = errorCode;
        }
    }

    public void stopRejecting() {
        synchronized (lock) {
            this.rejectWhich = null;
        }
    }

    /** Holds every call this long before answering it, until {@link #stopStalling()}. */
    public void stallCalls(Duration hold) {
        synchronized (lock) {
            this.stall = hold;
        }
    }

    public void stopStalling() {
        synchronized (lock) {
            this.stall = Duration.ZERO;
        }
    }

    /** Stops failing, rejecting and stalling (connections stay as they are). */
    public void clearFaults() {
        stopFailing();
        stopRejecting();
        stopStalling();
    }

    /** Closes the listening socket: connection attempts fail until {@link #acceptConnections()}; open ones are cut. */
    public void refuseConnections() {
        synchronized (lock) {
            if (server != null) {
                server.stop(0);
                server = null;
            }
        }
    }

    /** Listens again, on the same port. */
    public void acceptConnections() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("The endpoint is closed");
            }
            if (server == null) {
                server = bind(port);
            }
        }
    }

    /** True while the port accepts connections. */
    public boolean isAcceptingConnections() {
        synchronized (lock) {
            return server != null;
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            refuseConnections();
        }
        handlers.shutdownNow();
    }

    // ---------------------------------------------------------------- the server

    private HttpServer bind(int wantedPort) {
        // Without TCP_NODELAY the JDK server and the SDK's HttpURLConnection client meet in a delayed ACK: ~40 ms
        // per call. The server reads the property once, when its implementation is first used.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        long deadline = System.nanoTime() + REBIND_PATIENCE.toNanos();
        while (true) {
            try {
                HttpServer created = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), wantedPort), 50);
                created.setExecutor(handlers);
                created.createContext("/", this::handle);
                created.start();
                return created;
            } catch (BindException e) {
                // The old socket of this port may take a moment to be released.
                if (wantedPort == 0 || System.nanoTime() > deadline) {
                    throw new UncheckedIOException("Cannot listen on 127.0.0.1:" + wantedPort, e);
                }
                sleepQuietly(Duration.ofMillis(50));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot listen on 127.0.0.1:" + wantedPort, e);
            }
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readAllBytes();
            Duration hold = holdFor();
            if (!hold.isZero() && !sleepQuietly(hold)) {
                return; // closing
            }
            answer(exchange, process(exchange, body));
        } catch (RuntimeException e) {
            e.printStackTrace();
            answer(exchange, Answer.error(500, "InternalFailure", "local endpoint bug: " + e));
        }
    }

    private Duration holdFor() {
        synchronized (lock) {
            if (!stall.isZero()) {
                stalledCalls++;
            }
            return stall;
        }
    }

    /** What to send back: status, error type (null on success) and JSON body. */
    private record Answer(int status, String errorType, String body) {
        static Answer error(int status, String errorType, String message) {
            ObjectNode body = JSON.createObjectNode().put("message", message);
            return new Answer(status, errorType, body.toString());
        }
    }

    private Answer process(HttpExchange exchange, byte[] body) {
        String method = exchange.getRequestMethod();
        URI uri = exchange.getRequestURI();
        String callSummary = method + " " + uri.getRawPath() + " (" + body.length + " bytes)";

        Operation operation = Operation.at(method, uri.getRawPath());
        if (operation == null) {
            return refuseCall(404, "UnknownOperationException", "No operation at " + method + " " + uri.getRawPath(),
                    callSummary, 0);
        }
        boolean read = operation != Operation.PUT_TRACE_SEGMENTS;
        // The client signs with its own (real) clock: signatures are checked against real time, not the endpoint's.
        SigV4Verifier.Rejection rejection =
                signatures.verify(method, uri.getRawPath(), uri.getRawQuery(), exchange.getRequestHeaders(), body);
        if (rejection != null) {
            return read ? refuseRead(403, rejection.errorType(), rejection.message(), callSummary)
                    : refuseCall(403, rejection.errorType(), rejection.message(), callSummary, 0);
        }

        JsonNode request;
        try {
            request = JSON.readTree(new String(body, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            String message = "Request body is not JSON: " + e.getOriginalMessage();
            return read ? refuseRead(400, "SerializationException", message, callSummary)
                    : refuseCall(400, "SerializationException", message, callSummary, 0);
        }
        if (request == null || !request.isObject()) {
            request = JSON.createObjectNode();
        }
        return switch (operation) {
            case PUT_TRACE_SEGMENTS -> putTraceSegments(request, callSummary);
            case BATCH_GET_TRACES, GET_TRACE_SUMMARIES -> read(operation, request, callSummary);
        };
    }

    private Answer putTraceSegments(JsonNode request, String callSummary) {
        JsonNode documents = request.get("TraceSegmentDocuments");
        if (documents == null || !documents.isArray()) {
            return refuseCall(400, "InvalidRequestException", "TraceSegmentDocuments must be a list of strings",
                    callSummary, 0);
        }

        synchronized (lock) {
            if (fault != null) {
                Fault injected = fault;
                if (faultCallsLeft > 0 && --faultCallsLeft == 0) {
                    fault = null;
                }
                faultedCalls++;
                calls.add(new Call(injected.status(), injected.errorType(), documents.size(), 0, true));
                lock.notifyAll();
                return Answer.error(injected.status(), injected.errorType(), injected.message());
            }
        }
        if (documents.size() > MAX_DOCUMENTS_PER_CALL) {
            return refuseCall(400, "InvalidRequestException",
                    "Exceeding maximum segment count: " + MAX_DOCUMENTS_PER_CALL, callSummary, documents.size());
        }

        ArrayNode unprocessed = JSON.createArrayNode();
        synchronized (lock) {
            // One time per call: all its documents arrived together.
            Instant now = clock.now();
            long call = ++documentCalls;
            for (JsonNode element : documents) {
                ObjectNode failure = processDocument(element, call, now);
                if (failure != null) {
                    unprocessed.add(failure);
                }
            }
            calls.add(new Call(200, null, documents.size(), unprocessed.size(), false));
            lock.notifyAll();
        }
        ObjectNode reply = JSON.createObjectNode();
        reply.set("UnprocessedTraceSegments", unprocessed);
        return new Answer(200, null, reply.toString());
    }

    /** BatchGetTraces and GetTraceSummaries: never failed by fault injection, not listed in {@link #calls()}. */
    private Answer read(Operation operation, JsonNode request, String callSummary) {
        synchronized (lock) {
            try {
                ObjectNode reply = operation == Operation.BATCH_GET_TRACES
                        ? queries.batchGetTraces(request)
                        : queries.getTraceSummaries(request);
                return new Answer(200, null, reply.toString());
            } catch (TraceQueries.InvalidRequest e) {
                return refuseRead(400, "InvalidRequestException", e.getMessage(), callSummary);
            }
        }
    }

    /** A refused read is recorded as a violation (the caller asked for something X-Ray would not answer). */
    private Answer refuseRead(int status, String errorType, String message, String callSummary) {
        synchronized (lock) {
            violations.add(new Violation(Violation.Source.CALL, errorType, null, null, message, callSummary));
            lock.notifyAll();
        }
        return Answer.error(status, errorType, message);
    }

    private Answer refuseCall(int status, String errorType, String message, String callSummary, int documents) {
        synchronized (lock) {
            violations.add(new Violation(Violation.Source.CALL, errorType, null, null, message, callSummary));
            calls.add(new Call(status, errorType, documents, 0, false));
            lock.notifyAll();
        }
        return Answer.error(status, errorType, message);
    }

    /**
     * Checks and stores one element of TraceSegmentDocuments of call number {@code call}, arrived at {@code now};
     * returns its UnprocessedTraceSegments entry, if any.
     */
    private ObjectNode processDocument(JsonNode element, long call, Instant now) {
        if (!element.isTextual()) {
            return unprocessed(null, null, DocumentRules.INVALID_SEGMENT,
                    "each element of TraceSegmentDocuments must be a JSON document in a string, got "
                            + element.getNodeType(), element.toString());
        }
        String raw = element.asText();
        int bytes = raw.getBytes(StandardCharsets.UTF_8).length;
        DocumentRules.Problem tooBig = DocumentRules.checkSize(bytes);
        if (tooBig != null) {
            return unprocessed(null, null, tooBig.errorCode(), tooBig.message(), raw);
        }
        JsonNode document;
        try {
            document = JSON.readTree(raw);
        } catch (JsonProcessingException e) {
            return unprocessed(null, null, DocumentRules.INVALID_SEGMENT, "not JSON: " + e.getOriginalMessage(), raw);
        }
        if (document == null || !document.isObject()) {
            return unprocessed(null, null, DocumentRules.INVALID_SEGMENT, "document is not a JSON object", raw);
        }
        String id = document.hasNonNull("id") ? document.get("id").asText() : null;
        String traceId = document.hasNonNull("trace_id") ? document.get("trace_id").asText() : null;

        for (String schemaError : schema.validate(document)) {
            violations.add(new Violation(Violation.Source.SCHEMA, null, traceId, id, schemaError, raw));
        }
        List<DocumentRules.Problem> problems = new ArrayList<>(DocumentRules.check(document, now));
        ObjectNode answer = rejectIfAny(problems, traceId, id, raw);
        if (answer != null) {
            return answer;
        }
        if (rejectWhich != null && rejectWhich.test(document)) {
            injectedRejections++;
            return unprocessedEntry(id, rejectErrorCode, "rejected by the test");
        }
        // X-Ray's answer past the trace's quota, not the client's mistake: counted apart from the violations.
        TraceQuota.Refusal overQuota = quota.admit(traceId, id, bytes, call, now);
        if (overQuota != null) {
            return unprocessedEntry(id, TraceQuota.ERROR_CODE, overQuota.message());
        }
        problems.addAll(store.admit(traceId, document, now));
        if (problems.stream().noneMatch(problem -> problem.errorCode() != null)) {
            quota.accepted(traceId, bytes, now);
        }
        return rejectIfAny(problems, traceId, id, raw);
    }

    /** Records every problem; answers the document as unprocessed when one of them rejects it. */
    private ObjectNode rejectIfAny(List<DocumentRules.Problem> problems, String traceId, String id, String raw) {
        String errorCode = null;
        List<String> reasons = new ArrayList<>();
        for (DocumentRules.Problem problem : problems) {
            violations.add(new Violation(Violation.Source.PROTOCOL, problem.errorCode(), traceId, id, problem.message(), raw));
            if (problem.errorCode() != null) {
                reasons.add(problem.message());
                // InvalidTraceId is the more specific code: it wins over InvalidSegment.
                if (errorCode == null || DocumentRules.INVALID_TRACE_ID.equals(problem.errorCode())) {
                    errorCode = problem.errorCode();
                }
            }
        }
        problems.clear();
        return errorCode == null ? null : unprocessedEntry(id, errorCode, String.join("; ", reasons));
    }

    private ObjectNode unprocessed(String traceId, String id, String errorCode, String message, String raw) {
        violations.add(new Violation(Violation.Source.PROTOCOL, errorCode, traceId, id, message, raw));
        return unprocessedEntry(id, errorCode, message);
    }

    private ObjectNode unprocessedEntry(String id, String errorCode, String message) {
        ObjectNode entry = JSON.createObjectNode();
        if (id != null) {
            entry.put("Id", id);
        }
        entry.put("ErrorCode", errorCode);
        entry.put("Message", message);
        return entry;
    }

    private static void answer(HttpExchange exchange, Answer answer) {
        try {
            byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
            if (answer.errorType() != null) {
                exchange.getResponseHeaders().set("x-amzn-ErrorType", answer.errorType());
            }
            exchange.sendResponseHeaders(answer.status(), bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (IOException clientGone) {
            // The client gave up (timeout) or the connection was cut by refuseConnections(): nothing to answer.
        }
    }

    private <T> T await(java.util.function.Supplier<T> check, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (true) {
                T result = check.get();
                if (result != null) {
                    return result;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("Timed out after " + timeout + " waiting for " + what + "; " + summary());
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("Interrupted while waiting for " + what, e);
                }
            }
        }
    }

    /** What arrived so far, for failure messages. */
    private String summary() {
        synchronized (lock) {
            StringBuilder out = new StringBuilder();
            out.append(calls.size()).append(" call(s), ").append(store.documentCount()).append(" accepted document(s), ")
                    .append(violations.size()).append(" violation(s)");
            List<TraceQuota.Refusal> refusals = quota.refusals();
            if (!refusals.isEmpty()) {
                out.append(", ").append(refusals.size()).append(" document(s) refused for the trace quota (closed: ")
                        .append(String.join(", ", quota.closedTraceIds())).append(')');
            }
            out.append('\n');
            for (String traceId : store.traceIds()) {
                out.append(Trace.of(traceId, store.documents(traceId)).render());
            }
            violations.forEach(v -> out.append(v).append('\n'));
            return out.toString();
        }
    }

    private static boolean sleepQuietly(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
