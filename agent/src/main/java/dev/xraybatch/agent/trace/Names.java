package dev.xraybatch.agent.trace;

/** X-Ray's rules for names, annotation keys and string lengths: sanitize, never reject. */
public final class Names {
    public static final int MAX_NAME = 200;
    public static final int MAX_STRING = 250;
    public static final int MAX_ANNOTATION_VALUE = 1000;
    public static final int MAX_ANNOTATION_KEY = 500;

    private Names() {
    }

    /** Keeps Unicode letters, digits, whitespace and {@code _ . : / % & # = + \ - @}; at most 200 chars. */
    public static String segmentName(String name) {
        if (name == null) {
            return "unnamed";
        }
        StringBuilder out = null;
        int n = name.length();
        for (int i = 0; i < n; i++) {
            char c = name.charAt(i);
            if (!allowedInName(c)) {
                if (out == null) {
                    out = new StringBuilder(n).append(name, 0, i);
                }
            } else if (out != null) {
                out.append(c);
            }
        }
        String clean = out == null ? name : out.toString();
        clean = clean.trim();
        if (clean.isEmpty()) {
            return "unnamed";
        }
        return truncate(clean, MAX_NAME);
    }

    private static boolean allowedInName(char c) {
        if (Character.isISOControl(c)) {
            // Java counts VT, FF and the separators FS..US as whitespace: they are controls all the same.
            return false;
        }
        if (Character.isLetterOrDigit(c) || Character.isWhitespace(c)) {
            return true;
        }
        switch (c) {
            case '_': case '.': case ':': case '/': case '%': case '&': case '#': case '=': case '+': case '\\':
            case '-': case '@':
                return true;
            default:
                return false;
        }
    }

    /** Annotation keys: {@code [A-Za-z0-9_]{1,500}}; anything else becomes '_' (X-Ray silently drops bad keys). */
    public static String annotationKey(String key) {
        if (key == null || key.isEmpty()) {
            return "_";
        }
        int n = Math.min(key.length(), MAX_ANNOTATION_KEY);
        char[] out = new char[n];
        for (int i = 0; i < n; i++) {
            char c = key.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
            out[i] = ok ? c : '_';
        }
        return new String(out);
    }

    /**
     * A string value (annotation value, metadata string, exception message) without the characters that would act
     * on a terminal or a viewer rather than show: C0 and C1 controls (NUL, BEL, ESC, BS, CR...), DEL, and the bidi
     * controls that reorder what follows (U+202A..U+202E, U+2066..U+2069, U+200E, U+200F, U+061C). With
     * {@code keepLineBreaks}, LF and TAB stay (a traceback keeps its lines); otherwise they become spaces.
     * Returns the same instance when there is nothing to clean, so the common case costs one scan.
     */
    public static String cleanText(String s, boolean keepLineBreaks) {
        if (s == null) {
            return null;
        }
        StringBuilder out = null;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            boolean lineBreak = c == '\n' || c == '\t';
            boolean drop = isControl(c) && !(keepLineBreaks && lineBreak);
            if (drop && out == null) {
                out = new StringBuilder(n).append(s, 0, i);
            }
            if (out != null) {
                if (!drop) {
                    out.append(c);
                } else if (lineBreak) {
                    out.append(' ');
                }
            }
        }
        return out == null ? s : out.toString();
    }

    /** A control character of any kind: C0, DEL, C1, or a bidi control (format characters that reorder text). */
    public static boolean isControl(char c) {
        return Character.isISOControl(c) || isBidiControl(c);
    }

    private static boolean isBidiControl(char c) {
        return (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069') || c == '\u200E'
                || c == '\u200F' || c == '\u061C';
    }

    public static String truncate(String s, int max) {
        if (s == null || s.length() <= max) {
            return s;
        }
        // Do not cut a surrogate pair in half: the document must stay valid UTF-8.
        int end = max;
        if (Character.isHighSurrogate(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end);
    }
}
