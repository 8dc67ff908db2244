package dev.xraybatch.agent.trace;

import java.lang.reflect.Array;
import java.util.Collection;
import java.util.Map;

/**
 * A small JSON writer for segment documents: the agent keeps no JSON library of its own, and documents are
 * simple (strings, numbers, booleans, maps, lists). Unknown objects are written as their string form.
 */
final class JsonWriter {
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final int MAX_DEPTH = 32;

    private final StringBuilder out;
    private boolean needComma;

    JsonWriter(StringBuilder out) {
        this.out = out;
    }

    JsonWriter beginObject() {
        comma();
        out.append('{');
        needComma = false;
        return this;
    }

    JsonWriter endObject() {
        out.append('}');
        needComma = true;
        return this;
    }

    JsonWriter beginArray() {
        comma();
        out.append('[');
        needComma = false;
        return this;
    }

    JsonWriter endArray() {
        out.append(']');
        needComma = true;
        return this;
    }

    JsonWriter name(String name) {
        comma();
        string(name);
        out.append(':');
        needComma = false;
        return this;
    }

    JsonWriter field(String name, String value) {
        return name(name).value(value);
    }

    JsonWriter field(String name, boolean value) {
        name(name);
        out.append(value);
        needComma = true;
        return this;
    }

    /** Epoch seconds with exactly six decimals, written from integer microseconds (no rounding surprises). */
    JsonWriter timeField(String name, long epochMicros) {
        name(name);
        out.append(epochMicros / 1_000_000L).append('.');
        long fraction = epochMicros % 1_000_000L;
        for (long scale = 100_000L; scale > 0; scale /= 10) {
            out.append((char) ('0' + (fraction / scale) % 10));
        }
        needComma = true;
        return this;
    }

    JsonWriter value(String value) {
        comma();
        if (value == null) {
            out.append("null");
        } else {
            string(value);
        }
        needComma = true;
        return this;
    }

    JsonWriter value(Object value) {
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
                string(String.valueOf(d));
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

    private void string(String s) {
        out.append('"');
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                default:
                    if (Character.isSurrogate(c) && !validPair(s, i)) {
                        out.append("\\ufffd");
                    } else if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        out.append("\\u").append(HEX[(c >> 12) & 0xf]).append(HEX[(c >> 8) & 0xf])
                                .append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
                    } else {
                        out.append(c);
                    }
            }
        }
        out.append('"');
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
    static int utf8Length(CharSequence s) {
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
