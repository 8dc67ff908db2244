package dev.xraybatch.agent.json;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JsonWriterTest {

    private static String string(String s) {
        StringBuilder out = new StringBuilder();
        JsonWriter.appendString(s, out);
        return out.toString();
    }

    private static String scriptSafe(String s) {
        StringBuilder out = new StringBuilder();
        JsonWriter.appendScriptSafeString(s, out);
        return out.toString();
    }

    @Test
    void escapesWhatJsonRequiresAndTheJavaScriptLineSeparators() {
        assertThat(string("q\" b\\ n\n r\r t\t bell\u0007 nul\u0000 \u2028\u2029 é <a&b>"))
                .isEqualTo("\"q\\\" b\\\\ n\\n r\\r t\\t bell\\u0007 nul\\u0000 \\u2028\\u2029 é <a&b>\"");
        assertThat(string("")).isEqualTo("\"\"");
    }

    @Test
    void keepsSurrogatePairsAndReplacesLoneSurrogatesThatUtf8CannotEncode() {
        String clef = new String(Character.toChars(0x1D11E));
        assertThat(string(clef + "x")).isEqualTo("\"" + clef + "x\"");
        assertThat(string("a\ud834b")).isEqualTo("\"a\\ufffdb\"");
        assertThat(string("\udd1e")).isEqualTo("\"\\ufffd\"");
        assertThat(string("\ud834")).isEqualTo("\"\\ufffd\"");
    }

    @Test
    void theScriptSafeFormAlsoEscapesWhatCouldCloseAScriptElement() {
        String hostile = "</script><!-- & \"x\"";
        String written = scriptSafe(hostile);

        assertThat(written).isEqualTo("\"\\u003c/script\\u003e\\u003c!-- \\u0026 \\\"x\\\"\"");
        assertThat(JsonReader.parse(written)).isEqualTo(hostile);
    }

    @Test
    void whatItWritesReadsBackToTheSameString() {
        String text = "{\"doc\":\"a \\\"b\\\"\"}\n\t\u0001 é😀 \u2028";
        assertThat(JsonReader.parse(string(text))).isEqualTo(text);
    }

    @Test
    void writesADocumentWithFieldsValuesAndTimes() {
        StringBuilder out = new StringBuilder();
        new JsonWriter(out).beginObject().field("name", "job \"x\"").field("in_progress", false)
                .timeField("start_time", 1_705_053_072_000_001L).name("annotations").value((Object) java.util.Arrays
                        .asList(1, 2.5, 3.0, null, "s")).endObject();

        assertThat(out.toString()).isEqualTo("{\"name\":\"job \\\"x\\\"\",\"in_progress\":false,"
                + "\"start_time\":1705053072.000001,\"annotations\":[1,2.5,3,null,\"s\"]}");
    }
}
