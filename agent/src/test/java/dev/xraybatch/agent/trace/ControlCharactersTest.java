package dev.xraybatch.agent.trace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.xraybatch.agent.export.Emittable;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Names, annotation values, metadata strings and exception messages come from the traced job (file names, SQL,
 * app names, exception text): control characters in them must not reach a document, where a viewer or a terminal
 * would act on them (ESC retitles a terminal, U+202E reverses what follows).
 */
class ControlCharactersTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** NUL, BEL, BS, VT, FF, CR, ESC, the FS..US separators Java counts as whitespace, DEL, a C1 control, bidi. */
    private static final String HOSTILE = "a\u0000b\u0007c\bd\u000be\u000cf\rg\u001b]0;owned\u0007h\u001ci\u001fj"
            + "\u007fk\u0085l\u009bm\u202En\u2066o\u200Fp";

    private final List<Emittable> exported = Collections.synchronizedList(new ArrayList<>());
    private final Tracer tracer = new Tracer(Ids.newTraceId(System.currentTimeMillis()), "job" + HOSTILE,
            Clock.nowMicros(), null, new DocumentRenderer.AgentInfo("xray-batch-agent", "test"), exported::add);

    @Test
    void noControlCharacterReachesADocument() throws Exception {
        tracer.root().annotate("app", "name" + HOSTILE);
        Subsegment work = tracer.begin("step" + HOSTILE);
        work.annotate("sql", "select 1" + HOSTILE);
        work.putMetadata("spark", "call_site", "count at job.py:6" + HOSTILE);
        tracer.end(work, new IllegalStateException("line one" + HOSTILE + "\n\tline two"));
        tracer.closeRoot(Clock.nowMicros());

        List<String> strings = new ArrayList<>();
        for (String document : rendered()) {
            collect(JSON.readTree(document), "", strings);
        }
        assertThat(String.join("|", strings)).contains("step").contains("select 1").contains("count at job.py:6")
                .contains("line one");
        for (String string : strings) {
            boolean message = string.startsWith("message=");
            for (int i = 0; i < string.length(); i++) {
                char c = string.charAt(i);
                boolean lineBreak = message && (c == '\n' || c == '\t');
                assertThat(Names.isControl(c) && !lineBreak).as("U+%04X in %s", (int) c, string).isFalse();
            }
        }
        // A traceback keeps its lines.
        assertThat(strings).anySatisfy(s -> assertThat(s).endsWith("\n\tline two"));
    }

    /** Every field name and string value of the document, each as "field=value". */
    private static void collect(JsonNode node, String field, List<String> out) {
        if (node.isTextual()) {
            out.add(field + "=" + node.asText());
        } else if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                out.add(e.getKey());
                collect(e.getValue(), e.getKey(), out);
            });
        } else if (node.isArray()) {
            node.forEach(element -> collect(element, field, out));
        }
    }

    @Test
    void cleaningKeepsOrdinaryTextAsItIs() {
        String text = "ünïcödé 名前 count at job.py:6 — 100% done";
        assertThat(Names.cleanText(text, false)).isSameAs(text);
        assertThat(Names.cleanText("a\tb\nc", false)).isEqualTo("a b c");
        assertThat(Names.cleanText("a\tb\nc", true)).isEqualTo("a\tb\nc");
        assertThat(Names.segmentName("x\u000by\u001cz\u0007\u202E")).isEqualTo("xyz");
    }

    private List<String> rendered() {
        List<String> documents = new ArrayList<>();
        synchronized (exported) {
            for (Emittable e : exported) {
                e.render(documents::add);
            }
        }
        return documents;
    }
}
