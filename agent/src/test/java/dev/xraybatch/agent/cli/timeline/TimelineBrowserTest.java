package dev.xraybatch.agent.cli.timeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The page in a real browser: headless Chromium (Debian package {@code chromium}) loads it from a file, runs its
 * script, and prints the resulting DOM ({@code --dump-dom}) or a screenshot. The URL fragment drives the page as a
 * click would ({@code #select=<id>} opens the detail panel, {@code #expand-all} presses the button). Skipped only
 * when no Chromium is installed. Screenshots stay in {@code target/timeline-browser/} for a human to look at.
 */
class TimelineBrowserTest {
    private static final Path SCREENSHOTS = Paths.get("target", "timeline-browser");
    private static final Pattern ROW = Pattern.compile("<div class=\"row[ \"]");
    private static final Pattern BAR = Pattern.compile("<div class=\"bar\"");
    private static String chromium;

    @TempDir
    static Path dir;

    @BeforeAll
    static void findChromium() {
        chromium = onPath("chromium", "chromium-browser", "google-chrome");
    }

    /** Per test, so that each one is reported as skipped. */
    @BeforeEach
    void needsChromium() {
        assumeTrue(chromium != null, "no chromium on PATH (Debian: apt-get install -y chromium): browser test skipped");
    }

    @Test
    void showsEveryRowWithItsBarAndMarksAndOpensTheDetailsOfASelectedRow() throws Exception {
        Path page = write("rich.html", Docs.assemble(Docs.richJob()));

        String dom = dumpDom(page, "#select=b000000000000003");

        assertThat(count(ROW, dom)).isEqualTo(9);
        assertThat(count(BAR, dom)).isEqualTo(9);
        assertThat(dom).contains("<span class=\"badge fault\">fault</span>",
                "<span class=\"badge throttle\">throttle</span>", "<span class=\"badge error\">error</span>",
                "<span class=\"badge running\">in progress</span>",
                "<span class=\"badge summary\">Σ summary ×1,204</span>", "<span class=\"badge orphan\">orphan</span>");
        assertThat(dom).containsPattern("<div class=\"row throttle\" data-row=\"4\" data-id=\"c000000000000002\">");
        assertThat(dom).containsPattern("<div class=\"row running\" data-row=\"8\"[^>]*>.*?≥ 1.00 s");
        // The selected row and its details: the exception with its stack.
        assertThat(dom).contains("<div class=\"row fault selected\" data-row=\"5\" data-id=\"b000000000000003\">");
        assertThat(dom).contains("<main id=\"main\" class=\"with-detail\">");
        String detail = dom.substring(dom.indexOf("<aside id=\"detail\">"));
        assertThat(detail).contains("<h2>convert in/b.json</h2>",
                "org.apache.avro.AvroTypeException: Expected long, got \"x\"",
                "<li>JsonDecoder.readLong (Convert.java:42)</li>", "working directory: /app");
        // A name that is markup stays text.
        assertThat(dom).contains("late &lt;img src=x onerror=alert(1)&gt;&lt;/script&gt;").doesNotContain("<img");
    }

    @Test
    void showsAFailedPySparkJobsHeadlineTheRaisingUdfSkippedStagesAndPythonTime() throws Exception {
        Path page = write("pyspark.html", Docs.assemble(RowFactsTest.failedPySparkWrite()));

        String dom = dumpDom(page, "#expand-all");

        assertThat(dom).contains("<span class=\"operation failure\">✗ ZeroDivisionError: division by zero at"
                + " job.py:12</span>", "<span class=\"badge fault\">raised here</span>",
                "<span class=\"label\">stage 6 (skipped: its output was already there)</span>",
                "<span class=\"operation\">python udf ratio: 14.95 s in 2 tasks</span>");
        String root = dumpDom(page, "#select=a000000000000001");
        String detail = root.substring(root.indexOf("<aside id=\"detail\">"));
        assertThat(detail).contains("<h3>Failure</h3>", "ZeroDivisionError: division by zero at job.py:12",
                "raised as py4j.protocol.Py4JJavaError: An error occurred while calling o90.parquet.");
    }

    @Test
    void showsAnnotationsSummaryAndMetadataOfTheRowsItIsAskedFor() throws Exception {
        Path page = write("rich.html", Docs.assemble(Docs.richJob()));

        String summary = dumpDom(page, "#select=b000000000000004");
        String detail = summary.substring(summary.indexOf("<aside id=\"detail\">"));
        assertThat(detail).contains("<h3>Summary</h3>", "<td>count</td><td>1204</td>", "<td>max</td><td>140 ms</td>",
                "REQ123", "<h3>AWS</h3>", "GetObject");

        String orphan = dumpDom(page, "?select=b000000000000005");
        String orphanDetail = orphan.substring(orphan.indexOf("<aside id=\"detail\">"));
        assertThat(orphanDetail).contains("<h3>Annotations</h3>", "<td>note</td><td>&lt;b&gt;bold&lt;/b&gt; &amp; \"quoted\"</td>",
                "ffffffffffffffff (not received; shown under the root)");
    }

    @Test
    void opensATenThousandSubsegmentTraceCollapsedAndExpandsOnRequest() throws Exception {
        Path page = write("big.html", Docs.assemble(Docs.bigJob(10_000)));

        String collapsed = dumpDom(page, "");
        // The root and its 100 stages; each stage closed over its 99 calls.
        assertThat(count(ROW, collapsed)).isEqualTo(101);
        assertThat(collapsed).contains("<span class=\"tw\">▸</span>")
                .containsPattern("<span class=\"badge hidden-count\" title=\"[^\"]+\">99</span>");

        String expanded = dumpDom(page, "#expand-all");
        assertThat(count(ROW, expanded)).isEqualTo(10_001);
        assertThat(count(BAR, expanded)).isEqualTo(10_001);
        assertThat(count(Pattern.compile("<div class=\"row error\""), expanded)).isEqualTo(103);

        // Selecting a call inside a closed stage opens just that stage.
        String selected = dumpDom(page, "#select=" + String.format("%016x", 0x200000L + 4321));
        assertThat(count(ROW, selected)).isEqualTo(101 + 99);
        assertThat(selected).contains("data-id=\"" + String.format("%016x", 0x200000L + 4321) + "\">")
                .contains("<h2>call 4321</h2>");
    }

    @Test
    void showsTheTraceThatHoldsTheSelectedSegmentOrTheOneNamed() throws Exception {
        Path page = write("two.html", Docs.assemble(Docs.segment("first job", "a000000000000001", 0, 1),
                Docs.segment("second job", "a000000000000002", 5, 6).put("trace_id", Docs.OTHER_TRACE)));

        String first = dumpDom(page, "");
        assertThat(first).contains("<h1 id=\"trace-title\">Trace " + Docs.TRACE + "</h1>");
        assertThat(shownRows(first)).contains("first job").doesNotContain("second job");
        assertThat(dumpDom(page, "#select=a000000000000002")).contains("<h2>second job</h2>");
        String named = dumpDom(page, "#trace=" + Docs.OTHER_TRACE);
        assertThat(named).contains("<h1 id=\"trace-title\">Trace " + Docs.OTHER_TRACE + "</h1>");
        assertThat(shownRows(named)).contains("second job").doesNotContain("first job");
    }

    @Test
    void takesScreenshotsForAHumanToCheck() throws Exception {
        Files.createDirectories(SCREENSHOTS);
        Path rich = write("rich.html", Docs.assemble(Docs.richJob()));
        Path big = write("big.html", Docs.assemble(Docs.bigJob(10_000)));

        for (Object[] shot : new Object[][] {{rich, "#select=b000000000000003", "rich.png"}, {big, "", "big.png"}}) {
            Path png = SCREENSHOTS.resolve((String) shot[2]).toAbsolutePath();
            Files.deleteIfExists(png);
            chromium((Path) shot[0], (String) shot[1], "--screenshot=" + png, "--window-size=1400,800");
            byte[] bytes = Files.readAllBytes(png);
            assertThat(Arrays.copyOf(bytes, 8)).isEqualTo(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
            assertThat(bytes.length).isGreaterThan(10_000);
        }
    }

    private static Path write(String name, List<Trace> traces) throws IOException {
        return Files.write(dir.resolve(name), HtmlTimeline.render(traces).getBytes(StandardCharsets.UTF_8));
    }

    private static String dumpDom(Path page, String suffix) throws Exception {
        return chromium(page, suffix, "--dump-dom");
    }

    /** Runs Chromium once with a fresh profile and returns what it printed on stdout. */
    private static String chromium(Path page, String urlSuffix, String... extra) throws Exception {
        Path profile = Files.createTempDirectory(dir, "profile");
        Path stdout = Files.createTempFile(dir, "chromium", ".out");
        Path stderr = Files.createTempFile(dir, "chromium", ".err");
        List<String> command = new ArrayList<>(Arrays.asList(chromium, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile));
        command.addAll(Arrays.asList(extra));
        command.add(page.toUri() + urlSuffix);
        Process process = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile())
                .start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("chromium did not finish in 120 s: " + command);
        }
        assertThat(process.exitValue()).as("chromium exit; stderr:\n%s",
                new String(Files.readAllBytes(stderr), StandardCharsets.UTF_8)).isZero();
        return new String(Files.readAllBytes(stdout), StandardCharsets.UTF_8);
    }

    /** The rendered rows only, not the embedded data. */
    private static String shownRows(String dom) {
        return dom.substring(dom.indexOf("<div id=\"rows\">"), dom.indexOf("<aside id=\"detail\""));
    }

    private static long count(Pattern pattern, String text) {
        return pattern.matcher(text).results().count();
    }

    private static String onPath(String... names) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String name : names) {
            for (String directory : path.split(File.pathSeparator)) {
                File candidate = new File(directory, name);
                if (candidate.isFile() && candidate.canExecute()) {
                    return candidate.getPath();
                }
            }
        }
        return null;
    }
}
