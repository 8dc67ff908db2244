package dev.xraybatch.agent.cli.timeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.xraybatch.agent.json.JsonReader;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

class HtmlTimelineTest {
    private static final Pattern DATA = Pattern.compile(
            "<script type=\"application/json\" id=\"timeline-data\">(.*?)</script>", Pattern.DOTALL);

    @Test
    void isOneSelfContainedPageWithNothingFetched() throws Exception {
        String page = HtmlTimeline.render(Docs.assemble(Docs.richJob()));

        assertThat(page).startsWith("<!DOCTYPE html>").contains("<title>Trace " + Docs.TRACE + "</title>");
        assertThat(page).doesNotContain("/*DATA*/", "/*TITLE*/");
        assertThat(page).doesNotContainPattern("(?i)<(script|link|img|iframe)[^>]*\\s(src|href)\\s*=");
        assertThat(page).doesNotContainPattern("(?i)(https?:)?//[a-z0-9.-]+\\.[a-z]{2,}/");
        assertThat(page).doesNotContain("@import", "url(");
    }

    @Test
    void userTextCannotBecomeMarkup() throws Exception {
        String page = HtmlTimeline.render(Docs.assemble(Docs.richJob()));

        assertThat(page).doesNotContain("<img", "<b>bold", "</script><");
        assertThat(page).contains("\\u003cimg src=x onerror=alert(1)\\u003e\\u003c/script\\u003e");
        // The only script elements are the data and the page's own code.
        assertThat(Pattern.compile("<script").matcher(page).results().count()).isEqualTo(2);
        assertThat(HtmlTimeline.escapeHtml("<a href=\"x\">'&'</a>"))
                .isEqualTo("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    }

    @Test
    @SuppressWarnings("unchecked")
    void embedsRowsInDisplayOrderWithFlagsAndTheDocumentsForTheDetailPanel() throws Exception {
        String page = HtmlTimeline.render(Docs.assemble(Docs.richJob()));
        Map<String, Object> data = (Map<String, Object>) JsonReader.parse(embeddedData(page));
        Map<String, Object> trace = (Map<String, Object>) ((List<Object>) data.get("traces")).get(0);
        List<List<Object>> rows = (List<List<Object>>) trace.get("rows");
        List<Map<String, Object>> docs = (List<Map<String, Object>>) trace.get("docs");

        assertThat(trace.get("id")).isEqualTo(Docs.TRACE);
        assertThat(trace.get("duration")).isEqualTo(8.0);
        assertThat(rows).hasSize(9).hasSameSizeAs(docs);
        assertThat(rows).extracting(r -> r.get(2)).containsExactly("convert-json-to-avro", "S3", "convert in/a.json",
                "S3", "S3", "convert in/b.json", "S3", "late <img src=x onerror=alert(1)></script>", "upload");
        assertThat(rows.get(4)).startsWith(2L, 2L, "S3", 1.8);
        assertThat(flags(rows.get(4))).isEqualTo(HtmlTimeline.ERROR | HtmlTimeline.THROTTLE);
        assertThat(flags(rows.get(5))).isEqualTo(HtmlTimeline.FAULT);
        assertThat(flags(rows.get(6))).isEqualTo(HtmlTimeline.ERROR | HtmlTimeline.SUMMARY);
        assertThat(flags(rows.get(7))).isEqualTo(HtmlTimeline.ORPHAN);
        assertThat(flags(rows.get(8))).isEqualTo(HtmlTimeline.RUNNING);
        assertThat(flags(rows.get(0))).isEqualTo(HtmlTimeline.SEGMENT);
        assertThat((Map<String, Object>) rows.get(6).get(7)).containsEntry("count", 1204L).containsKey("summary");
        assertThat((Map<String, Object>) rows.get(7).get(7)).containsEntry("missingParent", "ffffffffffffffff");
        assertThat(rows.get(8).get(4)).isEqualTo(1.0);
        assertThat(docs.get(2)).doesNotContainKey("subsegments");
        assertThat(docs.get(5)).containsKey("cause");
        assertThat((Map<String, Object>) docs.get(7).get("annotations"))
                .containsEntry("note", "<b>bold</b> & \"quoted\"");
    }

    @Test
    void holdsEveryTraceOfTheFile() throws Exception {
        String page = HtmlTimeline.render(Docs.assemble(Docs.segment("one", "a000000000000001", 0, 1),
                Docs.segment("two", "a000000000000002", 5, 6).put("trace_id", Docs.OTHER_TRACE)));

        assertThat(page).contains("<title>2 traces</title>", Docs.TRACE, Docs.OTHER_TRACE);
    }

    @Test
    void writesTenThousandSubsegmentsAsOneRowEach() throws Exception {
        String page = HtmlTimeline.render(Docs.assemble(Docs.bigJob(10_000)));
        @SuppressWarnings("unchecked")
        Map<String, Object> trace = (Map<String, Object>) ((List<Object>) ((Map<String, Object>) JsonReader.parse(
                embeddedData(page))).get("traces")).get(0);

        assertThat((List<?>) trace.get("rows")).hasSize(10_001);
        assertThat(page.length()).isLessThan(10_001 * 500);
    }

    static String embeddedData(String page) {
        Matcher m = DATA.matcher(page);
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    private static long flags(List<Object> row) {
        return (Long) row.get(5);
    }
}
