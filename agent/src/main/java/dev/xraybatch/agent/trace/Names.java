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
        if (Character.isLetterOrDigit(c) || Character.isWhitespace(c)) {
            return c != '\n' && c != '\r' && c != '\t' || c == ' ';
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
