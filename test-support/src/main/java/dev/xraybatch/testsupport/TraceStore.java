package dev.xraybatch.testsupport;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The documents the endpoint accepted, grouped by trace, and the rules that span documents: ids unique within a
 * trace (a complete document may replace one in-progress document of the same id, nothing else may reuse an id),
 * and at most 50 annotations per trace. Not thread-safe: {@link LocalXRayEndpoint} guards it.
 */
final class TraceStore {

    static final int MAX_ANNOTATIONS_PER_TRACE = 50;

    /** Where an id is used: the document that holds it and whether that entity is still in progress. */
    private record IdUse(long documentSequence, String documentId, boolean inProgress) {
    }

    private record StoredDocument(long sequence, String id, boolean inProgress, JsonNode json) {
    }

    private static final class TraceState {
        final List<StoredDocument> documents = new ArrayList<>();
        final Map<String, StoredDocument> latestById = new HashMap<>();
        final Map<String, IdUse> ids = new HashMap<>();
        boolean annotationLimitReported;
        /** When its last document was stored, on the endpoint's clock (GetTraceSummaries' "Event" time). */
        Instant lastUpdated;
    }

    private final Map<String, TraceState> traces = new LinkedHashMap<>();
    private final List<JsonNode> allDocuments = new ArrayList<>();
    private long sequence;

    /**
     * Stores the document unless it breaks a cross-document rule.
     *
     * @param now the endpoint's time
     * @return the problems found; when one has an error code the document was not stored
     */
    List<DocumentRules.Problem> admit(String traceId, JsonNode document, Instant now) {
        List<DocumentRules.Problem> problems = new ArrayList<>();
        TraceState trace = traces.getOrDefault(traceId, new TraceState());
        String documentId = document.path("id").asText();
        boolean inProgress = Entity.isInProgress(document);
        List<Entity> entities = Entity.flatten(document);

        StoredDocument previous = trace.latestById.get(documentId);
        if (previous != null && !previous.inProgress()) {
            problems.add(reject("id " + documentId + " already has a complete document; only one in-progress document"
                    + " may be replaced by one complete document"));
        } else if (previous != null && inProgress) {
            problems.add(reject("id " + documentId + " already has an in-progress document; send at most one"
                    + " in-progress document per segment, then the complete one"));
        }
        Set<String> idsInDocument = new HashSet<>();
        for (Entity entity : entities) {
            if (!idsInDocument.add(entity.id())) {
                problems.add(reject("id " + entity.id() + " appears twice in the same document"));
                continue;
            }
            IdUse use = trace.ids.get(entity.id());
            boolean replacingItsDocument = previous != null && use != null && use.documentSequence() == previous.sequence();
            boolean completingIt = use != null && use.inProgress() && !entity.inProgress();
            if (use != null && !replacingItsDocument && !completingIt) {
                problems.add(reject("id " + entity.id() + " ('" + entity.fields().path("name").asText() + "') is already"
                        + " used in this trace by document " + use.documentId()
                        + (use.inProgress() ? " (in progress)" : " (complete)")));
            }
        }
        if (problems.stream().anyMatch(p -> p.errorCode() != null)) {
            return problems;
        }

        StoredDocument stored = new StoredDocument(++sequence, documentId, inProgress, document);
        if (previous != null) {
            trace.ids.values().removeIf(use -> use.documentSequence() == previous.sequence());
        }
        for (Entity entity : entities) {
            trace.ids.put(entity.id(), new IdUse(stored.sequence(), documentId, entity.inProgress()));
        }
        trace.documents.add(stored);
        trace.latestById.put(documentId, stored);
        trace.lastUpdated = now;
        traces.putIfAbsent(traceId, trace);
        allDocuments.add(document);

        int annotations = countAnnotations(trace);
        if (annotations > MAX_ANNOTATIONS_PER_TRACE && !trace.annotationLimitReported) {
            trace.annotationLimitReported = true;
            problems.add(new DocumentRules.Problem(null, "trace holds " + annotations + " annotations, over the "
                    + MAX_ANNOTATIONS_PER_TRACE + " X-Ray indexes per trace"));
        }
        return problems;
    }

    List<JsonNode> documents() {
        return List.copyOf(allDocuments);
    }

    List<JsonNode> documents(String traceId) {
        TraceState trace = traces.get(traceId);
        if (trace == null) {
            return List.of();
        }
        return trace.documents.stream().map(StoredDocument::json).toList();
    }

    /** Null for a trace without a stored document. */
    Instant lastUpdated(String traceId) {
        TraceState trace = traces.get(traceId);
        return trace == null ? null : trace.lastUpdated;
    }

    List<String> traceIds() {
        return List.copyOf(traces.keySet());
    }

    int documentCount() {
        return allDocuments.size();
    }

    void clear() {
        traces.clear();
        allDocuments.clear();
    }

    private static int countAnnotations(TraceState trace) {
        Trace tree = Trace.of("", trace.documents.stream().map(StoredDocument::json).toList());
        return tree.nodes().stream().mapToInt(node -> node.get("annotations").size()).sum();
    }

    private static DocumentRules.Problem reject(String message) {
        return new DocumentRules.Problem(DocumentRules.INVALID_SEGMENT, message);
    }
}
