package dev.xraybatch.agent.cli.timeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

class TerminalWaterfallTest {
    private static final Trace RICH = Docs.assemble(Docs.richJob()).get(0);

    @Test
    void drawsTheTreeWithOffsetsDurationsAndStatus() {
        List<String> lines = lines(new TerminalWaterfall(100, false, true, Integer.MAX_VALUE).render(RICH));

        assertThat(lines.get(0)).startsWith("Trace " + Docs.TRACE).contains("8.00 s", "1 segment, 8 subsegments");
        assertThat(row(lines, "convert-json-to-avro")).contains("+0.00 ms", "8.00 s");
        assertThat(row(lines, "├─ S3 ListObjectsV2")).contains("+100 ms", "250 ms");
        assertThat(row(lines, "│  └─ S3 PutObject")).contains("+1.80 s", "150 ms", "THROTTLE");
        assertThat(row(lines, "├─ convert in/b.json")).contains("FAULT");
        assertThat(row(lines, "└─ upload")).contains("+7.00 s", "…1.00 s", "RUNNING", "░");
        assertThat(lines).anyMatch(l -> l.contains("✗ org.apache.avro.AvroTypeException: Expected long, got \"x\""));
        assertThat(lines).anyMatch(l -> l.contains("job_id=batch-1  files=2"));
    }

    @Test
    void marksSummariesWithTheirStatisticsAndOrphansWithTheMissingParent() {
        List<String> lines = lines(new TerminalWaterfall(120, false, true, Integer.MAX_VALUE).render(RICH));

        assertThat(row(lines, "├─ Σ S3 GetObject ×1,204")).contains("+3.00 s", "3.00 s", "ERROR");
        assertThat(lines).anyMatch(l -> l.contains(
                "summary: 1,204 calls, 3 errors, total 2.95 s, avg 2.45 ms, min 0.80 ms, max 140 ms"));
        assertThat(row(lines, "├─ ⚠ late <img")).contains("+6.40 s", "500 ms");
        assertThat(lines).anyMatch(l -> l.contains("parent ffffffffffffffff not received; shown under the root"));
    }

    @Test
    void scalesBarsToTheTraceAndTheWidth() {
        int width = 100;
        List<String> lines = lines(new TerminalWaterfall(width, false, true, Integer.MAX_VALUE).render(RICH));

        String root = row(lines, "convert-json-to-avro");
        String first = row(lines, "├─ S3 ListObjectsV2");
        String upload = row(lines, "└─ upload");
        int barStart = root.indexOf('█');
        assertThat(root.length()).isEqualTo(width);
        assertThat(root.substring(barStart)).matches("█+");
        int barWidth = width - barStart;
        // 0.1 s into an 8 s trace starts in the first cell; 0.25 s long fills one cell or two.
        assertThat(first.indexOf('█')).isEqualTo(barStart);
        assertThat(first.substring(barStart).trim()).matches("█{1,2}");
        // In progress from 7 s: drawn to the end of the trace.
        assertThat(upload.indexOf('░')).isEqualTo(barStart + (int) Math.floor(7.0 / 8 * barWidth));
        assertThat(upload).endsWith("░");
        for (String line : lines.subList(1, lines.size())) {
            assertThat(line.length()).as(line).isLessThanOrEqualTo(width);
        }
    }

    @Test
    void colouresOnlyWhenAsked() {
        String plain = new TerminalWaterfall(100, false, true, Integer.MAX_VALUE).render(RICH);
        String coloured = new TerminalWaterfall(100, true, true, Integer.MAX_VALUE).render(RICH);

        assertThat(plain).doesNotContain("\u001b[");
        assertThat(coloured).contains("\u001b[31mFAULT\u001b[0m", "\u001b[35mTHROTTLE\u001b[0m",
                "\u001b[36mRUNNING\u001b[0m");
        assertThat(coloured.replaceAll("\u001b\\[[0-9;]*m", "")).isEqualTo(plain);
    }

    @Test
    void fallsBackToAsciiForTerminalsThatAreNotUtf8() {
        String ascii = new TerminalWaterfall(100, false, false, Integer.MAX_VALUE).render(RICH);

        assertThat(ascii.chars()).allMatch(c -> c < 128);
        assertThat(ascii).contains("|- S3 ListObjectsV2", "`- upload", "S S3 GetObject x1,204", "! late", "###");
    }

    @Test
    void cutsLongTracesWithANoteAndKeepsNarrowNamesAligned() {
        Trace big = Docs.assemble(Docs.bigJob(10_000)).get(0);
        String text = new TerminalWaterfall(100, false, true, TerminalWaterfall.DEFAULT_MAX_ROWS).render(big);
        List<String> lines = lines(text);

        assertThat(lines.get(lines.size() - 1)).isEqualTo(
                "… 9,601 more rows not shown: --all prints every row, --html out.html writes a page to explore them");
        assertThat(lines.stream().filter(l -> l.contains("call ")).count()).isGreaterThan(300);
        String all = new TerminalWaterfall(60, false, true, Integer.MAX_VALUE).render(big);
        assertThat(lines(all)).hasSize(2 + 10_001);
        assertThat(all).contains("call 9899 ");
    }

    @Test
    void summaryTextSkipsNestedValuesAndKeepsUnknownScalars() {
        assertThat(TerminalWaterfall.summaryText(Docs.map("count", 1L, "faults", 1L, "p99_ms", 12.5,
                "slowest", Docs.map("a", 1L), "unit", "rows")))
                .isEqualTo("1 call, 1 fault, p99 12.5 ms, unit=rows");
    }

    @Test
    void anUploadSummarySaysWhatItSentAndNoSizeIsShownAsZero() {
        assertThat(TerminalWaterfall.summaryText(Docs.map("count", 80L, "total_ms", 800.0, "bytes", 0L,
                "bytes_sent", 12_400_000L)))
                .isEqualTo("80 calls, total 800 ms, avg 10.0 ms, sent 12.4 MB");
        assertThat(TerminalWaterfall.summaryText(Docs.map("count", 2L, "bytes", 512L, "bytes_sent", 0L)))
                .isEqualTo("2 calls, received 512 B");
    }

    private static List<String> lines(String text) {
        return Arrays.asList(text.split("\n"));
    }

    private static String row(List<String> lines, String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no row starting with '" + prefix + "' in\n"
                        + String.join("\n", lines)));
    }
}
