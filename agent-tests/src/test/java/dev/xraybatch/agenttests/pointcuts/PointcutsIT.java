package dev.xraybatch.agenttests.pointcuts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.xraybatch.agenttests.pointcuts.app.Pipeline;
import dev.xraybatch.agenttests.pointcuts.app.PointcutsJob;
import dev.xraybatch.testsupport.ChildJvm;
import dev.xraybatch.testsupport.LocalXRayEndpoint;
import dev.xraybatch.testsupport.TraceNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A multi-class job traced only by a pointcut file, in a real JVM with the agent, against the local endpoint. */
class PointcutsIT {
    private static final String APP = "dev.xraybatch.agenttests.pointcuts.app";
    private static final int HOT_LIMIT = 10;

    private static final String POINTCUTS = String.join("\n",
            "service_name: pointcuts-job",
            "pointcuts:",
            "  - classes: " + APP + ".Pipeline",
            "    methods: 'run(Batch)'",
            "    name: 'pipeline {arg0.name}'",
            "    annotations: {rows: arg0.rows.size}",
            "  - classes: " + APP + ".Pipeline",
            "    methods: fanOut",
            "    annotations: {parts: arg0}",
            "  - classes: " + APP + ".*",
            "    subtypes_of: " + APP + ".Step",
            "    name: '{class} {arg0.name}'",
            "    annotations: {result: return}",
            "  - classes: " + APP + ".**",
            "    exclude: " + APP + ".Pipeline",
            "    methods: 'parse(String)'",
            "    annotations: {length: arg0.length}",
            "  - classes: " + APP + ".**",
            "    classes_annotated_with: " + APP + ".Audited",
            "    metadata: {what: arg0}",
            "  - classes: " + APP + ".Validator",
            "    methods: validate",
            "  - classes: " + APP + ".Worker",
            "    name: 'work {arg0}'",
            "  - classes: " + APP + ".Counter",
            "    methods: increment",
            "    limit: " + HOT_LIMIT,
            "");

    private static LocalXRayEndpoint xray;

    @TempDir
    Path dir;

    @BeforeAll
    static void startEndpoint() {
        xray = LocalXRayEndpoint.start();
    }

    @AfterAll
    static void stopEndpoint() {
        xray.close();
    }

    @BeforeEach
    void clear() {
        xray.clearFaults();
        xray.clear();
    }

    private Path file(String yaml) throws IOException {
        Path file = dir.resolve("xray-batch.yaml");
        Files.write(file, yaml.getBytes(StandardCharsets.UTF_8));
        return file;
    }

    private ChildJvm.Result run(Path config) {
        return ChildJvm.main(PointcutsJob.class).xray(xray).agentArgs("config=" + config)
                .run(Duration.ofSeconds(120));
    }

    /** The nodes' names, without the stretches the gap sampler named: their number depends on the machine's load. */
    private static List<String> names(List<TraceNode> nodes) {
        return nodes.stream().filter(node -> !node.isSampled()).map(TraceNode::name).collect(Collectors.toList());
    }

    @Test
    void thePointcutFileTracesTheJobAsExpected() throws IOException {
        ChildJvm.Result result = run(file(POINTCUTS));
        result.assertExitCode(0);
        assertThat(result.stdout()).contains("done: " + Pipeline.HOT_CALLS);
        assertThat(result.stderr()).doesNotContain(".yaml:");

        TraceNode root = xray.awaitTrace(t -> !t.root().isInProgress(), Duration.ofSeconds(30)).root();
        assertThat(root.name()).isEqualTo("pointcuts-job");
        assertThat(names(root.children())).containsExactly("JVM start-up", "pipeline orders", "JVM shut-down");

        TraceNode pipeline = root.child("pipeline orders");
        assertThat(pipeline.annotation("rows").asInt()).isEqualTo(3);
        List<String> expected = new ArrayList<>(List.of("LoadStep orders", "SaveStep orders",
                "Auditor.audit", "Validator.validate", "Pipeline.fanOut"));
        for (int i = 0; i <= HOT_LIMIT; i++) {
            expected.add("Counter.increment");
        }
        assertThat(names(pipeline.children())).containsExactlyInAnyOrderElementsOf(expected);

        // nested calls, and an interface with two implementations named after the implementing class
        TraceNode load = pipeline.child("LoadStep orders");
        assertThat(load.annotation("result").asInt()).isEqualTo(6);
        assertThat(names(load.children())).containsExactly("Parser.parse", "Parser.parse", "Parser.parse");
        assertThat(load.children().stream().map(p -> p.annotation("length").asInt()))
                .containsExactlyInAnyOrder(1, 2, 3);
        assertThat(pipeline.child("SaveStep orders").annotation("result").asInt()).isEqualTo(3);
        assertThat(pipeline.child("SaveStep orders").children()).isEmpty();

        // the annotated class, with metadata from its argument
        assertThat(pipeline.child("Auditor.audit").metadata("default", "what").asText()).isEqualTo("orders");

        // an exception thrown and caught by the job: the call is a fault with its cause
        TraceNode validate = pipeline.child("Validator.validate");
        assertThat(validate.get("fault").asBoolean()).isTrue();
        JsonNode exception = validate.get("cause").get("exceptions").get(0);
        assertThat(exception.get("type").asText()).isEqualTo("java.lang.IllegalArgumentException");
        assertThat(exception.get("message").asText()).isEqualTo("empty row");

        // work handed to a thread pool stays under the subsegment that handed it over
        TraceNode fanOut = pipeline.child("Pipeline.fanOut");
        assertThat(fanOut.annotation("parts").asInt()).isEqualTo(4);
        assertThat(names(fanOut.children())).containsExactlyInAnyOrder("work 0", "work 1", "work 2", "work 3");

        // the hot method: HOT_LIMIT subsegments, then one summary counting every other call
        List<TraceNode> hot = pipeline.children("Counter.increment");
        List<TraceNode> summaries = hot.stream()
                .filter(n -> !n.metadata("xray_batch", "summary").isMissingNode()).collect(Collectors.toList());
        assertThat(summaries).hasSize(1);
        JsonNode summary = summaries.get(0).metadata("xray_batch", "summary");
        assertThat(summary.get("count").asLong()).isEqualTo(Pipeline.HOT_CALLS - HOT_LIMIT);
        assertThat(summary.get("limit").asInt()).isEqualTo(HOT_LIMIT);
        assertThat(summary.get("errors").asLong()).isZero();
        assertThat(summary.get("max_ms").asDouble()).isGreaterThanOrEqualTo(summary.get("min_ms").asDouble());
        assertThat(summary.has("slowest")).isTrue();

        xray.assertNoViolations();
    }

    @Test
    void aBrokenFileIsReportedAndTheRestApplies() throws IOException {
        Path config = file(String.join("\n",
                "service_name: pointcuts-job",
                "queue_size: lots",
                "pointcuts:",
                "  - classes: '**'",
                "  - classes: " + APP + ".Worker",
                "    methods: 'work('",
                "  - classes: java.util.ArrayList",
                "  - classes: " + APP + ".Pipeline",
                "    methods: 'run(Batch)'",
                "    name: 'pipeline {arg1}'",
                "  - classes: " + APP + ".Counter",
                "    limit: 10",
                "    frobnicate: 1",
                "  - classes: " + APP + ".Pipeline",
                "    methods: fanOut",
                ""));

        ChildJvm.Result result = run(config);

        result.assertExitCode(0);
        assertThat(result.stdout()).contains("done: " + Pipeline.HOT_CALLS);
        String prefix = "[xray-batch-agent] " + config;
        assertThat(result.stderr()).contains(
                prefix + ":2:13 queue_size: 'lots' is not a whole number; write e.g. queue_size: 8192",
                prefix + ":4:14 pointcuts[0].classes: '**' would match every class; name a package, e.g. com.acme.**",
                prefix + ":6:14 pointcuts[1].methods: 'work(' has unbalanced parentheses; write name(Type, Type), e.g. load(java.lang.String, int)",
                prefix + ":7:14 pointcuts[2].classes: 'java.util.ArrayList' names JDK or agent classes, which are never traced; name your own classes instead",
                prefix + ":10:11 pointcuts[3].name: arg1 names an argument that does not exist: 'run(Batch)' takes 1 argument; use arg0",
                prefix + ":13:5 pointcuts[4].frobnicate: unknown key; a pointcut has the keys",
                prefix + ":4:3 pointcuts: 5 of 6 pointcuts skipped because of the problems above; the others apply");

        TraceNode root = xray.awaitTrace(t -> !t.root().isInProgress(), Duration.ofSeconds(30)).root();
        assertThat(names(root.children())).containsExactly("JVM start-up", "Pipeline.fanOut", "JVM shut-down");
        assertThat(root.child("Pipeline.fanOut").children()).isEmpty();
        xray.assertNoViolations();
    }

    @Test
    void yamlThatDoesNotParseLeavesTheJobTracedAsWithNoConfig() throws IOException {
        Path config = file("pointcuts:\n  - classes: [" + APP + ".Worker\n");

        ChildJvm.Result result = run(config);

        result.assertExitCode(0);
        assertThat(result.stdout()).contains("done: " + Pipeline.HOT_CALLS);
        assertThat(result.stderr()).contains("[xray-batch-agent] " + config + ":3:1: the YAML does not parse: ")
                .contains("the job is traced as with no config file until it is fixed");
        TraceNode root = xray.awaitTrace(t -> !t.root().isInProgress(), Duration.ofSeconds(30)).root();
        assertThat(names(root.children())).as("no pointcut applies").containsExactly("JVM start-up", "JVM shut-down");
        xray.assertNoViolations();
    }
}
