package dev.xraybatch.agent.cli.timeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void readsNestedObjectsAndArraysKeepingMemberOrder() {
        Object value = Json.parse(" {\"b\": [1, {\"c\": null}, true, false], \"a\": {}, \"e\": []} ");

        assertThat(value).isInstanceOf(Map.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> object = (Map<String, Object>) value;
        assertThat(object.keySet()).containsExactly("b", "a", "e");
        @SuppressWarnings("unchecked")
        List<Object> b = (List<Object>) object.get("b");
        assertThat(b).hasSize(4);
        assertThat(b.get(0)).isEqualTo(1L);
        assertThat(b.get(1)).isEqualTo(java.util.Collections.singletonMap("c", null));
        assertThat(b.subList(2, 4)).containsExactly(true, false);
        assertThat((Map<?, ?>) object.get("a")).isEmpty();
        assertThat((List<?>) object.get("e")).isEmpty();
    }

    @Test
    void readsEveryEscape() {
        assertThat(Json.parse("\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u00e9\\u0041\""))
                .isEqualTo("q\" b\\ s/ \b\f\n\r\t éA");
    }

    @Test
    void rebuildsSurrogatePairsFromEscapesAndKeepsRawOnes() {
        String clef = new String(Character.toChars(0x1D11E));
        assertThat(Json.parse("\"\\ud834\\udd1e\"")).isEqualTo(clef);
        assertThat(Json.parse("\"" + clef + " 😀\"")).isEqualTo(clef + " 😀");
        assertThat(((String) Json.parse("\"\\uD83D\\uDE00\"")).codePointAt(0)).isEqualTo(0x1F600);
    }

    @Test
    void readsNumbersAsLongDoubleOrBigValues() {
        assertThat(Json.parse("0")).isEqualTo(0L);
        assertThat(Json.parse("-42")).isEqualTo(-42L);
        assertThat(Json.parse("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
        assertThat(Json.parse("92233720368547758070")).isEqualTo(new BigInteger("92233720368547758070"));
        assertThat(Json.parse("1705053072.123456")).isEqualTo(1705053072.123456);
        assertThat(Json.parse("-1.5e3")).isEqualTo(-1500.0);
        assertThat(Json.parse("2E-2")).isEqualTo(0.02);
        assertThat(Json.parse("1e400")).isEqualTo(new BigDecimal("1e400"));
    }

    @Test
    void refusesMalformedInputWithThePlace() {
        for (String bad : Arrays.asList("", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "01", "1.", "-",
                "1e", "\"open", "\"bad \\x escape\"", "\"\\u12G4\"", "\"tab\there\"", "tru", "nul", "[1 2]",
                "{} {}", "'single'", "NaN")) {
            assertThatThrownBy(() -> Json.parse(bad)).as(bad).isInstanceOf(Json.ParseException.class)
                    .hasMessageContaining("column");
        }
        assertThatThrownBy(() -> Json.parse("[1, 2, x]")).hasMessage("unexpected 'x' at column 8");
    }

    @Test
    void refusesNestingDeeperThanTheLimitInsteadOfOverflowingTheStack() {
        StringBuilder deep = new StringBuilder();
        for (int i = 0; i < 100_000; i++) {
            deep.append('[');
        }
        assertThatThrownBy(() -> Json.parse(deep.toString())).isInstanceOf(Json.ParseException.class)
                .hasMessageContaining("nested deeper than " + Json.MAX_DEPTH);
        StringBuilder allowed = new StringBuilder();
        for (int i = 0; i < Json.MAX_DEPTH; i++) {
            allowed.append('[');
        }
        for (int i = 0; i < Json.MAX_DEPTH; i++) {
            allowed.append(']');
        }
        assertThat(Json.parse(allowed.toString())).isInstanceOf(List.class);
    }

    @Test
    void writesWhatItReadsBackToTheSameValue() {
        String text = "{\"name\":\"a \\\"b\\\" \\\\ c\\n\",\"n\":[1,-2.5,1.0E10,true,null],\"o\":{\"k\":\"\\u0001\"},"
                + "\"u\":\"é😀\"}";
        Object value = Json.parse(text);
        assertThat(Json.parse(Json.write(value))).isEqualTo(value);
    }

    @Test
    void writtenStringsCannotCloseAScriptElementOrBreakJavaScript() {
        String hostile = "</script><script>alert(1)</script><!-- & \u2028\u2029";
        String written = Json.write(hostile);

        assertThat(written).doesNotContain("<", ">", "&", "\u2028", "\u2029");
        assertThat(Json.parse(written)).isEqualTo(hostile);
    }
}
