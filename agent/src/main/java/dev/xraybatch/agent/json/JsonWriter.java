package dev.xraybatch.agent.json;

import java.lang.reflect.Array;
import java.util.Collection;
import java.util.Map;

/**
 * The agent's one JSON writer: segment documents, streamed (the agent keeps no JSON library of its own, and
 * documents are simple: strings, numbers, booleans, maps, lists; unknown objects are written as their string
 * form), and the string escaping every other piece of JSON the agent writes goes through.
 */
public final class JsonWriter {
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final int MAX_DEPTH = 32;

    private final StringBuilder out;
    private boolean needComma;

    public JsonWriter(StringBuilder out) {
        this.out = out;
    }

    public JsonWriter beginObject() {
        comma();
        out.append('{');
        needComma = false;
        return this;
    }

    public JsonWriter endObject() {
        out.append('}');
        needComma = true;
        return this;
    }

    public JsonWriter beginArray() {
        comma();
        out.append('[');
        needComma = false;
        return this;
    }

    public JsonWriter endArray() {
        out.append(']');
        needComma = true;
        return this;
    }

    public JsonWriter name(String name) {
        comma();
        appendString(name, out);
        out.append(':');
        needComma = false;
        return this;
    }

    public JsonWriter field(String name, String value) {
        return name(name).value(value);
    }

    public JsonWriter field(String name, boolean value) {
        name(name);
        out.append(value);
        needComma = true;
        return this;
    }

    /** Epoch seconds with exactly six decimals, written from integer microseconds (no rounding surprises). */
    public JsonWriter timeField(String name, long epochMicros) {
        name(name);
        out.append(epochMicros / 1_000_000L).append('.');
        long fraction = epochMicros % 1_000_000L;
        for (long scale = 100_000L; scale > 0; scale /= 10) {
            out.append((char) ('0' + (fraction / scale) % 10));
        }
        needComma = true;
        return this;
    }

    public JsonWriter value(String value) {
        comma();
        if (value == null) {
            out.append("null");
        } else {
            appendString(value, out);
        }
        needComma = true;
        return this;
    }

    public JsonWriter value(Object value) {
        return value(value, 0);
    }

    private JsonWriter value(Object value, int depth) {
        if (value == null) {
            comma();
            out.append("null");
            needComma = true;
        } else if (value instanceof String) {
            value((String) value);
        } else if (value instanceof Boolean) {
            comma();
            out.append(((Boolean) value).booleanValue());
            needComma = true;
        } else if (value instanceof Number) {
            number((Number) value);
        } else if (depth >= MAX_DEPTH) {
            value("...");
        } else if (value instanceof Map) {
            beginObject();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                name(String.valueOf(e.getKey()));
                value(e.getValue(), depth + 1);
            }
            endObject();
        } else if (value instanceof Collection) {
            beginArray();
            for (Object item : (Collection<?>) value) {
                value(item, depth + 1);
            }
            endArray();
        } else if (value.getClass().isArray()) {
            beginArray();
            int n = Array.getLength(value);
            for (int i = 0; i < n; i++) {
                value(Array.get(value, i), depth + 1);
            }
            endArray();
        } else {
            value(String.valueOf(value));
        }
        return this;
    }

    private void number(Number n) {
        comma();
        if (n instanceof Double || n instanceof Float) {
            double d = n.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                appendString(String.valueOf(d), out);
            } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                out.append((long) d);
            } else {
                out.append(d);
            }
        } else {
            out.append(n.toString());
        }
        needComma = true;
    }

    private void comma() {
        if (needComma) {
            out.append(',');
        }
    }

    /**
     * Appends {@code s} as a JSON string. Besides what JSON requires, U+2028 and U+2029 are escaped (JavaScript
     * before ES2019 reads them as line ends), and a lone surrogate becomes U+FFFD: it cannot be encoded as UTF-8
     * and would make the whole text invalid.
     */
    public static void appendString(String s, StringBuilder out) {
        appendString(s, out, false);
    }

    /**
     * {@link #appendString} that is also safe inside an HTML {@code <script>} element: {@code < > &} are escaped
     * too, so no text can close the element or start a comment.
     */
    public static void appendScriptSafeString(String s, StringBuilder out) {
        appendString(s, out, true);
    }

    private static void appendString(String s, StringBuilder out, boolean scriptSafe) {
        out.append('"');
        int n = s.length();
        int run = 0; // characters from here on are copied as they are, in one append
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            String escape = Character.isSurrogate(c)
                    ? (validPair(s, i) ? null : "\\ufffd")
                    : escape(c, scriptSafe);
            if (escape != null) {
                out.append(s, run, i).append(escape);
                run = i + 1;
            }
        }
        out.append(s, run, n).append('"');
    }

    /** The escape sequence for {@code c} (not a surrogate), or null when it is written as it is. */
    private static String escape(char c, boolean scriptSafe) {
        switch (c) {
            case '"':
                return "\\\"";
            case '\\':
                return "\\\\";
            case '\n':
                return "\\n";
            case '\r':
                return "\\r";
            case '\t':
                return "\\t";
            case '<':
            case '>':
            case '&':
                return scriptSafe ? unicodeEscape(c) : null;
            default:
                return c < 0x20 || c == 0x2028 || c == 0x2029 ? unicodeEscape(c) : null;
        }
    }

    private static String unicodeEscape(char c) {
        return new String(new char[] {'\\', 'u', HEX[(c >> 12) & 0xf], HEX[(c >> 8) & 0xf], HEX[(c >> 4) & 0xf],
                HEX[c & 0xf]});
    }

    /** A lone surrogate cannot be encoded as UTF-8: it would make the whole document invalid. */
    private static boolean validPair(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }

    /** UTF-8 length of a string without encoding it. */
    public static int utf8Length(CharSequence s) {
        int bytes = 0;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
