package dev.xraybatch.agent.cli.timeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.xraybatch.agent.json.JsonReader;

import org.junit.jupiter.api.Test;

class ScriptJsonTest {

    @Test
    void writesWhatItReadsBackToTheSameValue() {
        String text = "{\"name\":\"a \\\"b\\\" \\\\ c\\n\",\"n\":[1,-2.5,1.0E10,true,null],\"o\":{\"k\":\"\\u0001\"},"
                + "\"u\":\"é😀\"}";
        Object value = JsonReader.parse(text);
        assertThat(JsonReader.parse(ScriptJson.write(value))).isEqualTo(value);
    }

    @Test
    void writtenStringsCannotCloseAScriptElementOrBreakJavaScript() {
        String hostile = "</script><script>alert(1)</script><!-- & \u2028\u2029";
        String written = ScriptJson.write(hostile);

        assertThat(written).doesNotContain("<", ">", "&", "\u2028", "\u2029");
        assertThat(JsonReader.parse(written)).isEqualTo(hostile);
    }
}
