package dev.xraybatch.agent.instrument;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.xraybatch.agent.trace.Ids;
import dev.xraybatch.agent.trace.Tracer;
import dev.xraybatch.testsupport.DocumentCheck;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A tracer started as the agent starts it, whose documents a recorder's test reads back as X-Ray would get them:
 * {@link #finish()} ends the root and returns every document, checked against X-Ray's rules.
 */
public final class RecordedTrace {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> documents = Collections.synchronizedList(new ArrayList<>());
    public final Tracer tracer;

    public RecordedTrace() {
        this(null);
    }

    /** With the tracer's clock in the test's hands (epoch microseconds), for what depends on how long things took. */
    public RecordedTrace(java.util.function.LongSupplier clock) {
        long start = clock == null ? Tracer.nowMicros() : clock.getAsLong();
        tracer = Tracer.start(Ids.newTraceId(start / 1000L), "job", start, null, "xray-batch-agent", "test",
                emittable -> emittable.render(documents::add), 0L, clock);
    }

    /** Ends the root; the documents as sent, each valid for X-Ray. */
    public List<String> finish() throws Exception {
        tracer.closeRoot(tracer.clockMicros());
        List<String> copy;
        synchronized (documents) {
            copy = new ArrayList<>(documents);
        }
        for (String doc : copy) {
            assertThat(DocumentCheck.problems(JSON.readTree(doc))).as(doc).isEmpty();
        }
        return copy;
    }

    /** Every subsegment of the documents (embedded ones too), in document order. */
    public static List<JsonNode> subsegments(List<String> documents) throws Exception {
        List<JsonNode> all = new ArrayList<>();
        for (String doc : documents) {
            JsonNode node = JSON.readTree(doc);
            if (node.path("type").asText().equals("subsegment")) {
                all.add(node);
            }
            collect(node.path("subsegments"), all);
        }
        return all;
    }

    private static void collect(JsonNode children, List<JsonNode> into) {
        for (JsonNode child : children) {
            into.add(child);
            collect(child.path("subsegments"), into);
        }
    }
}
