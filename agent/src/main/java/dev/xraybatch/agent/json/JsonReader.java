package dev.xraybatch.agent.json;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agent's one JSON reader, strict (RFC 8259): segment documents for the timeline command, and the small
 * answers of the X-Ray API and the container credentials endpoint.
 *
 * <p>Why not a library: the agent jar should not grow one, and the SDK's bundled jackson-core is an internal,
 * relocated artifact of the SDK that may change shape with any SDK release and must not load on the export path.
 *
 * <p>Values map to: {@code Map<String,Object>} (insertion order kept), {@code List<Object>}, {@code String},
 * {@code Long} / {@code BigInteger} (integers), {@code Double} (other numbers; {@code BigDecimal} beyond double
 * range), {@code Boolean}, and {@code null}.
 */
public final class JsonReader {
    /** Deeper documents are refused rather than overflowing the stack; X-Ray documents are at most 64 kB. */
    public static final int MAX_DEPTH = 512;

    private final String text;
    private int pos;

    private JsonReader(String text) {
        this.text = text;
    }

    /** Parses one JSON value that must fill the whole text (surrounding whitespace allowed). */
    public static Object parse(String text) {
        JsonReader reader = new JsonReader(text);
        reader.skipWhitespace();
        Object value = reader.readValue(0);
        reader.skipWhitespace();
        if (reader.pos < text.length()) {
            throw reader.errorQuoting(reader.pos, "unexpected '" + text.charAt(reader.pos) + "' after the JSON value",
                    "unexpected character after the JSON value");
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
                throw unexpectedCharacter();
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
                throw errorQuoting(pos - 1, "expected ',' or '}' but found '" + c + "'", "expected ',' or '}'");
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
                throw errorQuoting(pos - 1, "expected ',' or ']' but found '" + c + "'", "expected ',' or ']'");
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
                throw errorQuoting(pos, "control character U+" + hex4(c) + " must be escaped in a string",
                        "a control character must be escaped in a string");
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
                default: throw errorQuoting(pos - 1, "invalid escape '\\" + escape + "'", "invalid escape");
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
            throw unexpectedCharacter();
        }
        pos += word.length();
    }

    private void expect(char wanted) {
        char c = next("'" + wanted + "'");
        if (c != wanted) {
            throw errorQuoting(pos - 1, "expected '" + wanted + "' but found '" + c + "'", "expected '" + wanted + "'");
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

    private ParseException unexpectedCharacter() {
        return errorQuoting(pos, "unexpected '" + text.charAt(pos) + "'", "unexpected character");
    }

    private ParseException error(String message) {
        return errorAt(pos, message);
    }

    /** A message that names nothing of the text. */
    private ParseException errorAt(int at, String message) {
        return errorQuoting(at, message, message);
    }

    /** {@code message} quotes the text where it went wrong; {@code withoutText} says the same without it. */
    private ParseException errorQuoting(int at, String message, String withoutText) {
        String where = " at column " + (at + 1);
        return new ParseException(message + where, withoutText + where, at);
    }

    private static String hex4(char c) {
        String hex = Integer.toHexString(c);
        return "0000".substring(hex.length()) + hex;
    }

    /** The object's string member, or null when the value is not an object or the member is not a string. */
    public static String stringMember(Object json, String name) {
        if (json instanceof Map) {
            Object value = ((Map<?, ?>) json).get(name);
            return value instanceof String ? (String) value : null;
        }
        return null;
    }

    /** Malformed JSON; {@link #offset} is the 0-based character index of the problem. */
    public static final class ParseException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        public final int offset;
        private final String messageWithoutText;

        ParseException(String message, String messageWithoutText, int offset) {
            super(message);
            this.messageWithoutText = messageWithoutText;
            this.offset = offset;
        }

        /**
         * The message without the character it may quote: for bodies that can hold credentials, where a log
         * must say where the JSON broke, never what it held.
         */
        public String messageWithoutText() {
            return messageWithoutText;
        }
    }
}
