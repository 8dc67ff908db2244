package dev.xraybatch.testsupport;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One document checked as the local endpoint checks it (X-Ray's rules and the published schema, its {@code cause}
 * part aside), for unit tests that render documents without sending them. Rules that span documents (unique ids,
 * annotations per trace) need the endpoint.
 */
public final class DocumentCheck {
    private DocumentCheck() {
    }

    /** @return one line per broken rule or schema error; empty when X-Ray would accept the document whole. */
    public static List<String> problems(JsonNode document) {
        List<String> problems = new ArrayList<>();
        DocumentRules.Problem tooBig = DocumentRules.checkSize(document.toString());
        if (tooBig != null) {
            problems.add(tooBig.message());
        }
        for (DocumentRules.Problem p : DocumentRules.check(document, Instant.now())) {
            problems.add(p.message());
        }
        if (document.isObject()) {
            problems.addAll(SegmentSchema.shared().validate(document));
        }
        return problems;
    }
}
