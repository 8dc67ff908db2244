package dev.xraybatch.agent.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class JsonReaderTest {

    @Test
    void readsNestedObjectsAndArraysKeepingMemberOrder() {
        Object value = JsonReader.parse(" {\"b\": [1, {\"c\": null}, true, false], \"a\": {}, \"e\": []} ");

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
        assertThat(JsonReader.parse("\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u00e9\\u0041\""))
                .isEqualTo("q\" b\\ s/ \b\f\n\r\t éA");
    }

    @Test
    void rebuildsSurrogatePairsFromEscapesAndKeepsRawOnes() {
        String clef = new String(Character.toChars(0x1D11E));
        assertThat(JsonReader.parse("\"\\ud834\\udd1e\"")).isEqualTo(clef);
        assertThat(JsonReader.parse("\"" + clef + " 😀\"")).isEqualTo(clef + " 😀");
        assertThat(((String) JsonReader.parse("\"\\uD83D\\uDE00\"")).codePointAt(0)).isEqualTo(0x1F600);
    }

    @Test
    void readsNumbersAsLongDoubleOrBigValues() {
        assertThat(JsonReader.parse("0")).isEqualTo(0L);
        assertThat(JsonReader.parse("-42")).isEqualTo(-42L);
        assertThat(JsonReader.parse("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
        assertThat(JsonReader.parse("92233720368547758070")).isEqualTo(new BigInteger("92233720368547758070"));
        assertThat(JsonReader.parse("1705053072.123456")).isEqualTo(1705053072.123456);
        assertThat(JsonReader.parse("-1.5e3")).isEqualTo(-1500.0);
        assertThat(JsonReader.parse("2E-2")).isEqualTo(0.02);
        assertThat(JsonReader.parse("1e400")).isEqualTo(new BigDecimal("1e400"));
    }

    @Test
    void refusesMalformedInputWithThePlace() {
        for (String bad : Arrays.asList("", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "01", "1.", "-",
                "1e", "\"open", "\"bad \\x escape\"", "\"\\u12G4\"", "\"tab\there\"", "tru", "nul", "[1 2]",
                "{} {}", "'single'", "NaN")) {
            assertThatThrownBy(() -> JsonReader.parse(bad)).as(bad).isInstanceOf(JsonReader.ParseException.class)
                    .hasMessageContaining("column");
        }
        assertThatThrownBy(() -> JsonReader.parse("[1, 2, x]")).hasMessage("unexpected 'x' at column 8");
    }

    @Test
    void refusesNestingDeeperThanTheLimitInsteadOfOverflowingTheStack() {
        StringBuilder deep = new StringBuilder();
        for (int i = 0; i < 100_000; i++) {
            deep.append('[');
        }
        assertThatThrownBy(() -> JsonReader.parse(deep.toString())).isInstanceOf(JsonReader.ParseException.class)
                .hasMessageContaining("nested deeper than " + JsonReader.MAX_DEPTH);
        StringBuilder allowed = new StringBuilder();
        for (int i = 0; i < JsonReader.MAX_DEPTH; i++) {
            allowed.append('[');
        }
        for (int i = 0; i < JsonReader.MAX_DEPTH; i++) {
            allowed.append(']');
        }
        assertThat(JsonReader.parse(allowed.toString())).isInstanceOf(List.class);
    }

    @Test
    void readsTheMembersOfTheSmallAnswersTheExporterGets() {
        Object reply = JsonReader.parse("{\"UnprocessedTraceSegments\":[{\"Id\":\"a1\",\"ErrorCode\":\"400\","
                + "\"Message\":\"bad \\u0022id\\u0022\"}],\"Count\":3}");

        Object entry = ((List<?>) ((Map<?, ?>) reply).get("UnprocessedTraceSegments")).get(0);
        assertThat(JsonReader.stringMember(entry, "Id")).isEqualTo("a1");
        assertThat(JsonReader.stringMember(entry, "Message")).isEqualTo("bad \"id\"");
        assertThat(JsonReader.stringMember(reply, "Count")).as("not a string").isNull();
        assertThat(JsonReader.stringMember(reply, "Missing")).isNull();
        assertThat(JsonReader.stringMember(Arrays.asList("Id"), "Id")).as("not an object").isNull();
        assertThat(JsonReader.stringMember(null, "Id")).isNull();
    }

    @Test
    void aMessageWithoutTextSaysWhereButNothingOfWhatTheBodyHeld() {
        // Each body breaks at a character of a secret; the message for a log must not carry it.
        for (String bad : Arrays.asList("{\"Token\": Z3cr3t}", "{\"Token\":\"a\" Z}", "[\"a\" Z]",
                "{\"Token\" Z}", "{\"Token\":\"\\Z\"}", "\"a\" Z", "{\"Token\":\"\u0007\"}")) {
            assertThatThrownBy(() -> JsonReader.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .satisfies(e -> assertThat(((JsonReader.ParseException) e).messageWithoutText())
                            .contains(" at column ").doesNotContain("Z", "0007"));
        }
        JsonReader.ParseException e = catchThrowableOfType(() -> JsonReader.parse("[1, 2, x]"),
                JsonReader.ParseException.class);
        assertThat(e.messageWithoutText()).isEqualTo("unexpected character at column 8");
        assertThat(e.offset).isEqualTo(7);
    }
}
