package dev.xraybatch.agent.cli.timeline;

import dev.xraybatch.agent.json.JsonReader;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.xray.XRayClient;
import software.amazon.awssdk.services.xray.XRayClientBuilder;
import software.amazon.awssdk.services.xray.model.BatchGetTracesRequest;
import software.amazon.awssdk.services.xray.model.BatchGetTracesResponse;
import software.amazon.awssdk.services.xray.model.GetTraceSummariesRequest;
import software.amazon.awssdk.services.xray.model.GetTraceSummariesResponse;
import software.amazon.awssdk.services.xray.model.Segment;
import software.amazon.awssdk.services.xray.model.TimeRangeType;
import software.amazon.awssdk.services.xray.model.TraceSummary;

/**
 * Fetches a trace's segment documents from X-Ray with BatchGetTraces (IAM: {@code xray:BatchGetTraces}), and for a
 * long job the continuation traces of its run: those GetTraceSummaries finds with
 * {@code annotation.xray_batch_run = "<trace>"} over the job's time (IAM: {@code xray:GetTraceSummaries}), and those
 * the job's final root lists. When X-Ray closed the job's trace for its quota, the final root is in a trace that
 * took over (found by its annotation), and its list also names traces X-Ray closed before their root came, which
 * no annotation finds. The documents are the ones that were sent, so they go through the same assembly (and
 * stitching) as a trace file.
 */
final class XRayTraceFetcher {
    /** BatchGetTraces takes at most this many trace ids per call. */
    private static final int IDS_PER_CALL = 5;
    /** GetTraceSummaries is asked in spans of this length (X-Ray limits the time range of one query). */
    private static final Duration QUERY_SPAN = Duration.ofHours(6);
    /** A run whose end is unknown (still running, or killed) is looked for this long after its start. */
    private static final Duration LONGEST_RUN = Duration.ofDays(7);
    /** Lists of continuation traces followed at most this deep (each round one more trace taken over). */
    private static final int MAX_ROUNDS = 64;

    private XRayTraceFetcher() {
    }

    /** What was fetched: the documents, the job's trace they make up, and notes for the user. */
    static final class Fetched {
        final List<String> documents = new ArrayList<>();
        String runTraceId;
        final List<String> notes = new ArrayList<>();
    }

    /**
     * @param endpoint a local endpoint instead of {@code https://xray.<region>.amazonaws.com}, or null
     * @return the documents; empty when X-Ray does not know the trace (not yet indexed, or older than 30 days)
     */
    static List<String> fetch(String traceId, String region, URI endpoint, AwsCredentialsProvider credentials) {
        try (XRayClient client = client(region, endpoint, credentials)) {
            return batchGet(client, java.util.Collections.singletonList(traceId));
        }
    }

    /**
     * The documents of {@code traceId}'s whole run: the job's trace (also when {@code traceId} is one of its
     * continuation traces) and every continuation trace found.
     */
    static Fetched fetchRun(String traceId, String region, URI endpoint, AwsCredentialsProvider credentials,
                            Instant now) {
        Fetched fetched = new Fetched();
        try (XRayClient client = client(region, endpoint, credentials)) {
            List<String> first = batchGet(client, java.util.Collections.singletonList(traceId));
            fetched.documents.addAll(first);
            String run = runOf(first, traceId);
            if (!run.equals(traceId)) {
                fetched.documents.addAll(batchGet(client, java.util.Collections.singletonList(run)));
            }
            fetched.runTraceId = run;
            RunFacts facts = RunFacts.of(fetched.documents, run);
            Set<String> parts = new LinkedHashSet<>(facts.listedParts);
            if (facts.hasRunAnnotation || !parts.isEmpty()) {
                Instant start = Instant.ofEpochSecond(Long.parseLong(run.substring(2, 10), 16));
                Instant end = facts.endSeconds > 0 ? Instant.ofEpochMilli((long) (facts.endSeconds * 1000)).plusSeconds(60)
                        : min(now, start.plus(LONGEST_RUN));
                try {
                    parts.addAll(summaries(client, run, start, end));
                } catch (AwsServiceException e) {
                    fetched.notes.add(failure("GetTraceSummaries", e) + "; showing the " + parts.size()
                            + " continuation traces the job's root lists");
                }
            }
            // The job's final root may have gone to a trace taken over from a closed one, and it lists traces
            // GetTraceSummaries cannot find (one X-Ray closed before its root came): follow every list found.
            Set<String> fetchedIds = new LinkedHashSet<>(java.util.Arrays.asList(run, traceId));
            for (int round = 0; round < MAX_ROUNDS; round++) {
                List<String> next = new ArrayList<>(parts);
                next.removeAll(fetchedIds);
                if (next.isEmpty()) {
                    break;
                }
                List<String> documents = batchGet(client, next);
                fetched.documents.addAll(documents);
                fetchedIds.addAll(next);
                parts.addAll(RunFacts.of(documents, run).listedParts);
            }
            parts.remove(run);
            parts.remove(traceId);
            if (!parts.isEmpty()) {
                fetched.notes.add("stitched " + parts.size() + " continuation trace" + (parts.size() == 1 ? "" : "s")
                        + " of " + run);
            }
        }
        return fetched;
    }

    /**
     * What an X-Ray error means for the user: a permission to ask for only when X-Ray said 403, a server error
     * (5xx) as one, to try again; anything else with its status and code.
     */
    static String failure(String operation, AwsServiceException e) {
        String code = e.awsErrorDetails() == null || e.awsErrorDetails().errorCode() == null ? ""
                : " " + e.awsErrorDetails().errorCode();
        if (e.statusCode() == 403) {
            return "X-Ray refused " + operation + " (" + (code.isEmpty() ? "403" : code.trim())
                    + "): the caller needs the IAM permission xray:" + operation;
        }
        if (e.statusCode() >= 500) {
            return "X-Ray failed " + operation + " with a server error (HTTP " + e.statusCode() + code
                    + "), not a permission problem: try again later";
        }
        return "X-Ray rejected " + operation + " (HTTP " + e.statusCode() + code + "): "
                + (e.awsErrorDetails() == null ? String.valueOf(e.getMessage()) : e.awsErrorDetails().errorMessage());
    }

    private static XRayClient client(String region, URI endpoint, AwsCredentialsProvider credentials) {
        XRayClientBuilder builder = XRayClient.builder()
                .region(Region.of(region))
                // The agent bundles exactly one HTTP client; naming it avoids the SDK's class-path scan.
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(Duration.ofSeconds(30))
                        .build());
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        if (credentials != null) {
            builder.credentialsProvider(credentials);
        }
        return builder.build();
    }

    private static List<String> batchGet(XRayClient client, Collection<String> traceIds) {
        List<String> documents = new ArrayList<>();
        List<String> ids = new ArrayList<>(traceIds);
        for (int from = 0; from < ids.size(); from += IDS_PER_CALL) {
            List<String> some = ids.subList(from, Math.min(ids.size(), from + IDS_PER_CALL));
            String nextToken = null;
            do {
                BatchGetTracesResponse response = client.batchGetTraces(BatchGetTracesRequest.builder()
                        .traceIds(some).nextToken(nextToken).build());
                for (software.amazon.awssdk.services.xray.model.Trace trace : response.traces()) {
                    for (Segment segment : trace.segments()) {
                        if (segment.document() != null) {
                            documents.add(segment.document());
                        }
                    }
                }
                nextToken = response.nextToken();
            } while (nextToken != null && !nextToken.isEmpty());
        }
        return documents;
    }

    /** Trace ids whose root says they belong to {@code run}, started between {@code from} and {@code to}. */
    private static List<String> summaries(XRayClient client, String run, Instant from, Instant to) {
        List<String> ids = new ArrayList<>();
        String filter = "annotation." + TraceAssembler.RUN_ANNOTATION + " = \"" + run + "\"";
        for (Instant spanStart = from; spanStart.isBefore(to); spanStart = spanStart.plus(QUERY_SPAN)) {
            Instant spanEnd = min(to, spanStart.plus(QUERY_SPAN));
            String nextToken = null;
            do {
                GetTraceSummariesResponse response = client.getTraceSummaries(GetTraceSummariesRequest.builder()
                        .startTime(spanStart).endTime(spanEnd).timeRangeType(TimeRangeType.TRACE_ID)
                        .filterExpression(filter).nextToken(nextToken).build());
                for (TraceSummary summary : response.traceSummaries()) {
                    ids.add(summary.id());
                }
                nextToken = response.nextToken();
            } while (nextToken != null && !nextToken.isEmpty());
        }
        return ids;
    }

    /** The job's trace that {@code traceId} belongs to: its root's {@code xray_batch_run}, else itself. */
    private static String runOf(List<String> documents, String traceId) {
        for (Map<String, Object> document : parsed(documents)) {
            Object annotations = document.get("annotations");
            if (!"subsegment".equals(document.get("type")) && annotations instanceof Map) {
                Object run = ((Map<?, ?>) annotations).get(TraceAssembler.RUN_ANNOTATION);
                if (run instanceof String && !((String) run).isEmpty()) {
                    return (String) run;
                }
            }
        }
        return traceId;
    }

    /**
     * What the run's roots say of it: the parts its final root lists (wherever that went), its end, whether it is a
     * run.
     */
    private static final class RunFacts {
        final List<String> listedParts = new ArrayList<>();
        boolean hasRunAnnotation;
        double endSeconds;

        @SuppressWarnings("unchecked")
        static RunFacts of(List<String> documents, String run) {
            RunFacts facts = new RunFacts();
            for (Map<String, Object> document : parsed(documents)) {
                if ("subsegment".equals(document.get("type"))) {
                    continue;
                }
                Object annotations = document.get("annotations");
                Object annotatedRun = annotations instanceof Map
                        ? ((Map<?, ?>) annotations).get(TraceAssembler.RUN_ANNOTATION) : null;
                if (!run.equals(document.get("trace_id")) && !run.equals(annotatedRun)) {
                    continue; // the run's roots: in its own trace, or (the final root too) in its continuations
                }
                boolean own = run.equals(document.get("trace_id"));
                if (own && annotatedRun != null) {
                    facts.hasRunAnnotation = true;
                }
                if (own && document.get("end_time") instanceof Number) {
                    facts.endSeconds = Math.max(facts.endSeconds, ((Number) document.get("end_time")).doubleValue());
                }
                Object metadata = document.get("metadata");
                Object agent = metadata instanceof Map ? ((Map<String, Object>) metadata).get("xray_batch") : null;
                Object parts = agent instanceof Map ? ((Map<String, Object>) agent).get("parts") : null;
                if (parts instanceof List) {
                    for (Object part : (List<Object>) parts) {
                        if (part instanceof String && !facts.listedParts.contains(part)) {
                            facts.listedParts.add((String) part);
                        }
                    }
                }
            }
            return facts;
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> parsed(List<String> documents) {
        List<Map<String, Object>> maps = new ArrayList<>();
        for (String document : documents) {
            try {
                Object value = JsonReader.parse(document);
                if (value instanceof Map) {
                    maps.add((Map<String, Object>) value);
                }
            } catch (JsonReader.ParseException e) {
                // Reported by the assembly, which reads every document again.
            }
        }
        return maps;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
