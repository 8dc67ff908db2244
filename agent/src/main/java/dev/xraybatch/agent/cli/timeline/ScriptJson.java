package dev.xraybatch.agent.cli.timeline;

import dev.xraybatch.agent.json.JsonWriter;

import java.util.List;
import java.util.Map;

/**
 * Compact JSON for the data the HTML timeline embeds in a {@code <script>} element: the values
 * {@link dev.xraybatch.agent.json.JsonReader} reads, written back so that they read back equal, with strings
 * escaped so that no text can close the element.
 */
final class ScriptJson {
    private ScriptJson() {
    }

    /** Any value the reader returns; other objects are written as their string form. */
    static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    @SuppressWarnings("unchecked")
    static void write(Object value, StringBuilder out) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof String) {
            JsonWriter.appendScriptSafeString((String) value, out);
        } else if (value instanceof Boolean) {
            out.append(value);
        } else if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            // JSON has no NaN or Infinity; null is what JavaScript's JSON.stringify writes too.
            out.append(Double.isNaN(d) || Double.isInfinite(d) ? "null" : String.valueOf(value));
        } else if (value instanceof Number) {
            out.append(value);
        } else if (value instanceof Map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<String, Object> entry : ((Map<String, Object>) value).entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                JsonWriter.appendScriptSafeString(entry.getKey(), out);
                out.append(':');
                write(entry.getValue(), out);
            }
            out.append('}');
        } else if (value instanceof List) {
            out.append('[');
            boolean first = true;
            for (Object element : (List<Object>) value) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                write(element, out);
            }
            out.append(']');
        } else {
            JsonWriter.appendScriptSafeString(String.valueOf(value), out);
        }
    }
}
