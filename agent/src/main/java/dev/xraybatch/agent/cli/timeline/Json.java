package dev.xraybatch.agent.cli.timeline;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict JSON reader and writer for segment documents (RFC 8259).
 *
 * <p>Why not a library: the agent jar should not grow one for a command-line view, and the SDK's bundled
 * jackson-core is an internal, relocated artifact of the SDK that may change shape with any SDK release.
 *
 * <p>Values map to: {@code Map<String,Object>} (insertion order kept), {@code List<Object>}, {@code String},
 * {@code Long} / {@code BigInteger} (integers), {@code Double} (other numbers; {@code BigDecimal} beyond double
 * range), {@code Boolean}, and {@code null}.
 */
final class Json {
    /** Deeper documents are refused rather than overflowing the stack; X-Ray documents are at most 64 kB. */
    static final int MAX_DEPTH = 512;

    private final String text;
    private int pos;

    private Json(String text) {
        this.text = text;
    }

    /** Parses one JSON value that must fill the whole text (surrounding whitespace allowed). */
    static Object parse(String text) {
        Json reader = new Json(text);
        reader.skipWhitespace();
        Object value = reader.readValue(0);
        reader.skipWhitespace();
        if (reader.pos < text.length()) {
            throw reader.error("unexpected '" + text.charAt(reader.pos) + "' after the JSON value");
        }
        return value;
    }

    private Object readValue(int depth) {
        if (pos >= text.length()) {
            throw error("unexpected end of input");
        }
        char c = text.charAt(pos);
        switch (c) {
            case '{':
                return readObject(depth + 1);
            case '[':
                return readArray(depth + 1);
            case '"':
                return readString();
            case 't':
                expectWord("true");
                return Boolean.TRUE;
            case 'f':
                expectWord("false");
                return Boolean.FALSE;
            case 'n':
                expectWord("null");
                return null;
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return readNumber();
                }
                throw error("unexpected '" + c + "'");
        }
    }

    private Map<String, Object> readObject(int depth) {
        checkDepth(depth);
        pos++; // '{'
        Map<String, Object> object = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            return object;
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') {
                throw error("expected a member name in double quotes");
            }
            String name = readString();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            object.put(name, readValue(depth));
            skipWhitespace();
            char c = next("',' or '}'");
            if (c == '}') {
                return object;
            }
            if (c != ',') {
                throw errorAt(pos - 1, "expected ',' or '}' but found '" + c + "'");
            }
        }
    }

    private List<Object> readArray(int depth) {
        checkDepth(depth);
        pos++; // '['
        List<Object> array = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            return array;
        }
        while (true) {
            skipWhitespace();
            array.add(readValue(depth));
            skipWhitespace();
            char c = next("',' or ']'");
            if (c == ']') {
                return array;
            }
            if (c != ',') {
                throw errorAt(pos - 1, "expected ',' or ']' but found '" + c + "'");
            }
        }
    }

    private String readString() {
        pos++; // opening quote
        StringBuilder out = null;
        int runStart = pos;
        while (true) {
            if (pos >= text.length()) {
                throw error("unterminated string");
            }
            char c = text.charAt(pos);
            if (c == '"') {
                String run = text.substring(runStart, pos++);
                return out == null ? run : out.append(run).toString();
            }
            if (c < 0x20) {
                throw error("control character U+" + hex4(c) + " must be escaped in a string");
            }
            if (c != '\\') {
                pos++;
                continue;
            }
            if (out == null) {
                out = new StringBuilder();
            }
            out.append(text, runStart, pos);
            pos++;
            char escape = next("an escape character");
            switch (escape) {
                case '"': out.append('"'); break;
                case '\\': out.append('\\'); break;
                case '/': out.append('/'); break;
                case 'b': out.append('\b'); break;
                case 'f': out.append('\f'); break;
                case 'n': out.append('\n'); break;
                case 'r': out.append('\r'); break;
                case 't': out.append('\t'); break;
                // A surrogate pair arrives as two \\u escapes; appending both code units in turn rebuilds it.
                case 'u': out.append(readHex4()); break;
                default: throw errorAt(pos - 1, "invalid escape '\\" + escape + "'");
            }
            runStart = pos;
        }
    }

    private char readHex4() {
        if (pos + 4 > text.length()) {
            throw error("incomplete \\u escape");
        }
        int value = 0;
        for (int i = 0; i < 4; i++) {
            int digit = Character.digit(text.charAt(pos + i), 16);
            if (digit < 0) {
                throw errorAt(pos + i, "invalid hex digit in \\u escape");
            }
            value = value * 16 + digit;
        }
        pos += 4;
        return (char) value;
    }

    private Object readNumber() {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
        } else if (isDigit(peek())) {
            skipDigits();
        } else {
            throw error("expected a digit");
        }
        boolean integer = true;
        if (peek() == '.') {
            integer = false;
            pos++;
            if (!isDigit(peek())) {
                throw error("expected a digit after '.'");
            }
            skipDigits();
        }
        if (peek() == 'e' || peek() == 'E') {
            integer = false;
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (!isDigit(peek())) {
                throw error("expected a digit in the exponent");
            }
            skipDigits();
        }
        String literal = text.substring(start, pos);
        if (integer) {
            return literal.length() < 19 ? (Object) Long.valueOf(literal) : narrow(new BigInteger(literal));
        }
        double value = Double.parseDouble(literal);
        return Double.isInfinite(value) ? new BigDecimal(literal) : (Object) value;
    }

    private static Object narrow(BigInteger value) {
        return value.bitLength() < 64 ? (Object) value.longValue() : value;
    }

    private void skipDigits() {
        while (isDigit(peek())) {
            pos++;
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private void expectWord(String word) {
        if (!text.startsWith(word, pos)) {
            throw error("unexpected '" + text.charAt(pos) + "'");
        }
        pos += word.length();
    }

    private void expect(char wanted) {
        char c = next("'" + wanted + "'");
        if (c != wanted) {
            throw errorAt(pos - 1, "expected '" + wanted + "' but found '" + c + "'");
        }
    }

    private char next(String wanted) {
        if (pos >= text.length()) {
            throw error("unexpected end of input, expected " + wanted);
        }
        return text.charAt(pos++);
    }

    /** The next character, or NUL at the end (NUL cannot appear unescaped in valid JSON outside strings). */
    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void skipWhitespace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private void checkDepth(int depth) {
        if (depth > MAX_DEPTH) {
            throw error("nested deeper than " + MAX_DEPTH + " levels");
        }
    }

    private ParseException error(String message) {
        return errorAt(pos, message);
    }

    private ParseException errorAt(int at, String message) {
        return new ParseException(message + " at column " + (at + 1), at);
    }

    // ---- writing ----

    /** Compact JSON for any value this class reads; other objects are written as their string form. */
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
            writeString((String) value, out);
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
                writeString(entry.getKey(), out);
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
            writeString(String.valueOf(value), out);
        }
    }

    /**
     * Writes a JSON string that is also safe inside an HTML {@code <script>} element: {@code < > &} and the
     * JavaScript line separators are escaped, so no user text can close the element or start a comment.
     */
    static void writeString(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': out.append("\\\""); break;
                case '\\': out.append("\\\\"); break;
                case '\n': out.append("\\n"); break;
                case '\r': out.append("\\r"); break;
                case '\t': out.append("\\t"); break;
                case '<': case '>': case '&': case '\u2028': case '\u2029':
                    out.append("\\u").append(hex4(c));
                    break;
                default:
                    if (c < 0x20) {
                        out.append("\\u").append(hex4(c));
                    } else {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }

    private static String hex4(char c) {
        String hex = Integer.toHexString(c);
        return "0000".substring(hex.length()) + hex;
    }

    /** Malformed JSON; {@link #offset} is the 0-based character index of the problem. */
    static final class ParseException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int offset;

        ParseException(String message, int offset) {
            super(message);
            this.offset = offset;
        }
    }
}
