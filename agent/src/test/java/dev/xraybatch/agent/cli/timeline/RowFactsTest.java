package dev.xraybatch.agent.cli.timeline;

import static dev.xraybatch.agent.cli.timeline.Docs.embedded;
import static dev.xraybatch.agent.cli.timeline.Docs.map;
import static dev.xraybatch.agent.cli.timeline.Docs.segment;
import static dev.xraybatch.agent.cli.timeline.Docs.subsegment;
import static org.assertj.core.api.Assertions.assertThat;

import dev.xraybatch.agent.json.JsonReader;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * What the timeline says of a row beyond its document (see {@link RowFacts}), in the terminal and on the page, on
 * traces shaped like the agent's: a PySpark job whose UDF raised, a root that names its exception by id, skipped
 * stages, a Spark plugin's late attach, and text from the job that would act on a terminal.
 */
class RowFactsTest {
    private static final String ROOT = "a000000000000001";
    private static final String TRACEBACK = "Traceback (most recent call last):\n"
            + "  File \"/home/me/job.py\", line 12, in ratio\n"
            + "    return 1 / value\n"
            + "           ~~^~~~~~~\n"
            + "ZeroDivisionError: division by zero\n";

    /**
     * The shape of a PySpark write whose UDF divides by zero: the driver saw Py4JJavaError (its message the Java
     * call only), whose cause is the job's SparkException recorded on the job row (an id link); the traceback is
     * in that message and in the failed task's PythonException (wrapped by the write); a stage was skipped; the
     * executor row has the UDF's Python time.
     */
    static Docs[] failedPySparkWrite() {
        return new Docs[] {
            segment("etl", ROOT, 0, 30).put("fault", true)
                    .put("cause", causeOf(exception("f000000000000001", "py4j.protocol.Py4JJavaError",
                            "An error occurred while calling o90.parquet.\n: org.apache.spark.SparkException: Job"
                                    + " aborted.", "/opt/spark/python/lib/py4j.zip/py4j/protocol.py", 326L)
                            .with("cause", "f000000000000002")))
                    .children(embedded("parquet at job.py:20", "b000000000000001", 10, 29).put("fault", true)
                            .put("cause", "f000000000000001")),
            subsegment("job 4", "c000000000000001", "b000000000000001", 11, 28).put("fault", true)
                    .put("cause", causeOf(exception("f000000000000002", "org.apache.spark.SparkException",
                            "Job aborted due to stage failure: Task 0 in stage 7.0 failed 1 times, most recent"
                                    + " failure: org.apache.spark.api.python.PythonException: " + TRACEBACK
                                    + "\n\tat org.apache.spark.api.python.BasePythonRunner", "DAGScheduler.scala",
                            2856L)))
                    .children(embedded("stage 6", "c000000000000002", 11, 11).put("metadata",
                                    map("spark", map("stage_id", 6L, "skipped", true))),
                            embedded("stage 7", "c000000000000003", 11, 27.5).put("fault", true)),
            subsegment("stage 7 on executor driver", "d000000000000001", "c000000000000003", 11.2, 27.4)
                    .put("metadata", map("spark", map("stage_id", 7L, "python", map("tasks", 2L,
                            "total_ms", 14949L, "slowest_ms", 7491L, "udfs", list("ratio")))))
                    .children(embedded("task 7.0", "d000000000000002", 11.3, 20).put("fault", true)
                            .put("cause", map("exceptions", list(exception("f000000000000003",
                                    "org.apache.spark.SparkException", "[TASK_WRITE_FAILED] Task failed while"
                                            + " writing rows to file:/data/out.", "FileFormatWriter.scala", 429L)
                                    .with("cause", "f000000000000004").fields, exception("f000000000000004",
                                    "org.apache.spark.api.python.PythonException", TRACEBACK,
                                    "PythonRunner.scala", 572L).fields)))
                            .children(embedded("python udf", "d000000000000003", 12, 19.5)),
                            embedded("task 7.1", "d000000000000004", 11.3, 19)
                                    .children(embedded("python udf", "d000000000000005", 12, 18.5))),
        };
    }

    @Test
    void theRootOfAFailedPySparkJobShowsThePythonExceptionAndItsLineWithTheWrapperBeneath() {
        List<String> lines = render(Docs.assemble(failedPySparkWrite()).get(0), 140);

        int root = index(lines, "etl ");
        assertThat(lines.get(root + 1)).contains("✗ ZeroDivisionError: division by zero at job.py:12");
        assertThat(lines.get(root + 2)).contains(
                "raised as py4j.protocol.Py4JJavaError: An error occurred while calling o90.parquet.");
        // The action's cause is only the id of the root's exception: resolved, it reads the same.
        int action = index(lines, "└─ parquet at job.py:20");
        assertThat(lines.get(action + 1)).contains("✗ ZeroDivisionError: division by zero at job.py:12");
        // The python udf row of the failed task is where it was raised; the other task's is not marked.
        String failedTasksUdf = row(lines, "python udf", 0).contains("7.50 s") ? row(lines, "python udf", 0)
                : row(lines, "python udf", 1);
        String otherUdf = row(lines, "python udf", 0).contains("7.50 s") ? row(lines, "python udf", 1)
                : row(lines, "python udf", 0);
        assertThat(failedTasksUdf).contains("7.50 s", "RAISED");
        assertThat(otherUdf).contains("6.50 s").doesNotContain("RAISED").doesNotContain("FAULT");
        assertThat(lines).anyMatch(l -> l.contains("✗ raised here: ZeroDivisionError: division by zero at job.py:12"));
        int task = index(lines, "task 7.0");
        assertThat(lines.get(task + 2)).endsWith("raised as org.apache.spark.SparkException: [TASK_WRITE_FAILED] Task"
                + " failed while writing rows to file:/data/out.");
    }

    @Test
    void aRootWhoseCauseIsAnExceptionIdShowsThatException() {
        Trace trace = Docs.assemble(
                segment("nightly-load", ROOT, 0, 5).put("fault", true).put("cause", "e0000000000000aa"),
                subsegment("LoadStep.run", "b000000000000001", ROOT, 1, 4).put("fault", true)
                        .put("cause", causeOf(exception("e0000000000000aa", "java.io.UncheckedIOException",
                                "disk full", "LoadStep.java", 31L)))).get(0);
        List<String> lines = render(trace, 120);

        assertThat(lines.get(index(lines, "nightly-load") + 1)).contains("✗ java.io.UncheckedIOException: disk full");
        // An id that points nowhere in the trace still says so, rather than nothing.
        List<String> dangling = render(Docs.assemble(segment("job", ROOT, 0, 5).put("fault", true)
                .put("cause", "e0000000000000bb")).get(0), 120);
        assertThat(dangling).anyMatch(l -> l.contains("✗ exception e0000000000000bb (not in this trace)"));
    }

    @Test
    void skippedStagesAreLabelledAndAStageRowCarriesItsPythonUdfTime() {
        List<String> lines = render(Docs.assemble(failedPySparkWrite()).get(0), 140);

        assertThat(row(lines, "stage 6", 0)).contains("stage 6 (skipped: its output was already there)");
        int stage = index(lines, "└─ stage 7 ");
        assertThat(String.join("\n", lines.subList(stage, stage + 4))).contains("python udf ratio: 14.95 s in 2 tasks");
        int executor = index(lines, "stage 7 on executor driver");
        assertThat(String.join("\n", lines.subList(executor, executor + 3)))
                .contains("python udf ratio: 14.95 s in 2 tasks");
    }

    @Test
    void thePluginRoutesStartIsNamedForWhatItIs() {
        Trace trace = Docs.assemble(segment("job", ROOT, 0, 30).children(
                embedded("JVM start-up", "b000000000000001", 0, 12)
                        .put("metadata", map("xray_batch", map("agent_attached_at_run_time", true))),
                embedded("SparkContext start", "b000000000000002", 9, 14))).get(0);
        List<String> lines = render(trace, 120);

        assertThat(lines).anyMatch(l -> l.startsWith("├─ before the agent attached "));
        assertThat(lines).noneMatch(l -> l.contains("JVM start-up"));
        // Without the mark (the -javaagent route) it is the JVM's start-up, as recorded.
        List<String> plain = render(Docs.assemble(segment("job", ROOT, 0, 30).children(
                embedded("JVM start-up", "b000000000000001", 0, 1))).get(0), 120);
        assertThat(plain).anyMatch(l -> l.startsWith("└─ JVM start-up "));
    }

    @Test
    void longNamesAreNotCutWhenTheTerminalHasRoom() {
        String name = "collect at /opt/jobs/nightly/warehouse_load_customers.py:117";
        Trace trace = Docs.assemble(segment("job", ROOT, 0, 30).children(embedded(name, "b000000000000001", 1, 2)))
                .get(0);

        assertThat(render(trace, 160)).anyMatch(l -> l.startsWith("└─ " + name + " "));
        // A narrow terminal still gets a bar: the name gives way.
        List<String> narrow = render(trace, 80);
        assertThat(narrow).anyMatch(l -> l.startsWith("└─ collect at") && l.contains("…") && l.contains("█"));
        narrow.subList(1, narrow.size()).forEach(l -> assertThat(l.length()).as(l).isLessThanOrEqualTo(80));
    }

    @Test
    void controlCharactersFromTheTraceNeverReachTheTerminal() {
        String hostile = "x\u001b]0;pwned\u0007\u001b[2J\rover\bwrite\u202Eevil\u0000\u009b";
        Trace trace = Docs.assemble(segment("job" + hostile, ROOT, 0, 5).annotation("app", "name" + hostile)
                .children(embedded("step" + hostile, "b000000000000001", 1, 2).put("fault", true)
                        .cause("java.lang.IllegalStateException" + hostile, "bad" + hostile, "Step.run"))).get(0);

        for (boolean color : new boolean[] {false, true}) {
            String text = new TerminalWaterfall(120, color, true, Integer.MAX_VALUE).render(trace);
            // Colour codes are the waterfall's own; everything else is the trace's text, made visible.
            String withoutOwnCodes = text.replaceAll("\u001b\\[[0-9;]*m", "");
            for (char c : withoutOwnCodes.toCharArray()) {
                assertThat(c != '\n' && dev.xraybatch.agent.trace.Names.isControl(c))
                        .as("U+%04X in\n%s", (int) c, withoutOwnCodes).isFalse();
            }
            assertThat(withoutOwnCodes)
                    .contains("jobx\\x1b]0;pwned\\x07\\x1b[2J\\x0dover\\x08write\\u202eevil\\x00\\x9b")
                    .contains("app=namex\\x1b]0;");
        }
        assertThat(TerminalWaterfall.visible("plain ünïcödé 名前")).isEqualTo("plain ünïcödé 名前");
        // The page shows names as text; U+202E would still reverse them there, so they get the same escapes.
        String data = HtmlTimeline.data(java.util.Collections.singletonList(trace));
        String rows = data.substring(0, data.indexOf("\"docs\""));
        assertThat(rows).contains("jobx\\\\x1b]0;pwned\\\\x07").doesNotContain("\u202E");
    }

    @Test
    void thePageCarriesTheSameFacts() throws Exception {
        String data = HtmlTimeline.data(Docs.assemble(failedPySparkWrite()));
        @SuppressWarnings("unchecked")
        Map<String, Object> parsed = (Map<String, Object>) JsonReader.parse(data);
        @SuppressWarnings("unchecked")
        List<List<Object>> rows = (List<List<Object>>) ((Map<String, Object>) ((List<Object>) parsed.get("traces"))
                .get(0)).get("rows");

        assertThat(extra(rows, "etl").get("failure")).isEqualTo(Arrays.asList(
                "ZeroDivisionError: division by zero at job.py:12",
                "raised as py4j.protocol.Py4JJavaError: An error occurred while calling o90.parquet."));
        assertThat(rows).anySatisfy(r -> assertThat(r.get(2))
                .isEqualTo("stage 6 (skipped: its output was already there)"));
        assertThat(extra(rows, "stage 7").get("python")).isEqualTo("python udf ratio: 14.95 s in 2 tasks");
        assertThat(rows.stream().filter(r -> "python udf".equals(r.get(2)) && r.get(7) instanceof Map
                && ((Map<?, ?>) r.get(7)).containsKey("raisedHere")).count()).isEqualTo(1);
    }

    /**
     * A trace captured from a real run: PySpark 3.5.2, {@code spark-submit --master local[2]} with the agent on the
     * driver and the file exporter, of a job whose UDF {@code ratio} returns {@code 1 / (value - 3)} while
     * {@code .write.parquet(...)} runs (line 10 of parquet_job.py): the driver saw Py4JJavaError, whose message
     * holds the traceback only past its first 1,000 characters.
     */
    @Test
    void aRealFailedPySparkWriteReadsAsThePythonException() throws Exception {
        TraceAssembler assembler = new TraceAssembler();
        TraceFile.read(java.nio.file.Paths.get(RowFactsTest.class.getResource("pyspark-udf-failure.jsonl").toURI()),
                assembler);
        List<String> lines = render(assembler.assemble().get(0), 150);

        int root = index(lines, "pyspark-parquet-failing");
        assertThat(lines.get(root + 1)).endsWith("✗ ZeroDivisionError: division by zero at parquet_job.py:10");
        assertThat(lines.get(root + 2)).endsWith(
                "raised as py4j.protocol.Py4JJavaError: An error occurred while calling o50.parquet.");
        assertThat(lines).anyMatch(l -> l.matches(".*└─ python udf .* RAISED .*"));
        assertThat(lines).anyMatch(l -> l.endsWith(
                "✗ raised here: ZeroDivisionError: division by zero at parquet_job.py:10"));
        assertThat(lines).anyMatch(l -> l.endsWith("python udf ratio: 12.50 s in 2 tasks"));
    }

    @Test
    void tracebacksAreReadToTheirLastCompleteException() {
        assertThat(RowFacts.fromTraceback(TRACEBACK)).isEqualTo("ZeroDivisionError: division by zero at job.py:12");
        // Chained: the exception raised while handling another is the one that ended the job.
        assertThat(RowFacts.fromTraceback(TRACEBACK + "\nDuring handling of the above exception, another exception"
                + " occurred:\n\nTraceback (most recent call last):\n  File \"/home/me/lib/io.py\", line 4, in save\n"
                + "    raise OSError(\"no space\")\nOSError: no space\n")).isEqualTo("OSError: no space at io.py:4");
        // A message cut inside the traceback (a 1,000-character cause message) gives nothing rather than a guess.
        assertThat(RowFacts.fromTraceback("Lost task 1.0: PythonException: Traceback (most recent call last):"))
                .isNull();
        assertThat(RowFacts.fromTraceback("Traceback (most recent call last):\n  File \"a.py\", line 3, in f\n"
                + "    g(")).isNull();
    }

    private static Map<?, ?> extra(List<List<Object>> rows, String name) {
        return rows.stream().filter(r -> name.equals(r.get(2))).map(r -> (Map<?, ?>) r.get(7)).findFirst()
                .orElseThrow(() -> new AssertionError("no row " + name));
    }

    private static ExceptionDoc exception(String id, String type, String message, String path, long line) {
        return new ExceptionDoc(map("id", id, "type", type, "message", message, "stack",
                list(map("path", path, "line", line, "label", "frame"))));
    }

    private static Map<String, Object> causeOf(ExceptionDoc exception) {
        return map("working_directory", "/app", "exceptions", list(exception.fields));
    }

    private static List<Object> list(Object... values) {
        return new ArrayList<>(Arrays.asList(values));
    }

    private static final class ExceptionDoc {
        final Map<String, Object> fields;

        ExceptionDoc(Map<String, Object> fields) {
            this.fields = fields;
        }

        ExceptionDoc with(String key, Object value) {
            fields.put(key, value);
            return this;
        }
    }

    private static List<String> render(Trace trace, int width) {
        return Arrays.asList(new TerminalWaterfall(width, false, true, Integer.MAX_VALUE).render(trace).split("\n"));
    }

    private static int index(List<String> lines, String start) {
        for (int i = 0; i < lines.size(); i++) {
            String bare = lines.get(i).replaceAll("^[│├└─ ]+", "");
            if (lines.get(i).startsWith(start) || bare.startsWith(start.replaceAll("^[│├└─ ]+", ""))) {
                return i;
            }
        }
        throw new AssertionError("no line starting with '" + start + "' in\n" + String.join("\n", lines));
    }

    /** The n-th row (0-based) whose name, without the tree, starts with {@code name}. */
    private static String row(List<String> lines, String name, int n) {
        int seen = 0;
        for (String line : lines) {
            boolean isRow = line.matches(".*\\s\\+\\d.*") && !line.contains("✗");
            if (isRow && line.replaceAll("^[│├└─ ]+", "").startsWith(name) && seen++ == n) {
                return line;
            }
        }
        throw new AssertionError("no row " + n + " named '" + name + "' in\n" + String.join("\n", lines));
    }
}
