package dev.xraybatch.agenttests.awssdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

import dev.xraybatch.testsupport.ChildJvm;
import dev.xraybatch.testsupport.LocalXRayEndpoint;
import dev.xraybatch.testsupport.Trace;
import dev.xraybatch.testsupport.TraceNode;

/** Running the jobs in traced child JVMs, and reading SDK calls out of the trace they sent. */
final class AwsTraces {
    static final Duration RUN_TIMEOUT = Duration.ofMinutes(3);

    private AwsTraces() {
    }

    /**
     * A child JVM running one of these jobs. C1 only: the jobs are short, and on two cores C2 compiling the SDK and
     * the agent's start-up doubled each child's CPU time and wall time (12 s down to 5 s for one SDK v1 job).
     */
    static ChildJvm job(Class<?> main, String name) {
        return ChildJvm.main(main).name(name).jvmArgs("-XX:TieredStopAtLevel=1");
    }

    /** The finished trace of a job that exited: root segment closed. */
    static Trace finishedTrace(LocalXRayEndpoint endpoint) {
        return endpoint.awaitTrace(t -> !t.root().isInProgress(), Duration.ofSeconds(30));
    }

    /** SDK call subsegments under {@code parent}: named by service, {@code namespace: aws}. */
    static List<TraceNode> calls(TraceNode parent, String service, String operation) {
        return parent.children(service).stream()
                .filter(n -> "aws".equals(n.get("namespace").asText()))
                .filter(n -> operation.equals(n.get("aws").path("operation").asText()))
                .collect(Collectors.toList());
    }

    static TraceNode call(TraceNode parent, String service, String operation) {
        List<TraceNode> calls = calls(parent, service, operation);
        assertThat(calls).as("one %s %s under %s:%n%s", service, operation, parent.name(), parent.render())
                .hasSize(1);
        return calls.get(0);
    }

    static JsonNode aws(TraceNode node) {
        return node.get("aws");
    }

    static JsonNode http(TraceNode node) {
        return node.json().path("http").path("response");
    }

    /** The outcome lines a job printed ({@code outcome <name> <what>}), in order. */
    static List<String> outcomes(ChildJvm.Result result) {
        return result.stdout().lines().filter(l -> l.startsWith("outcome ")).collect(Collectors.toList());
    }
}
