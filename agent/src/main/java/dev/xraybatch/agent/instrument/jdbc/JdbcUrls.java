package dev.xraybatch.agent.instrument.jdbc;

import java.util.Locale;

/**
 * A JDBC URL as a trace may show it, and the host it names. URLs carry credentials in many ways: user info
 * ({@code jdbc:mysql://u:p@host}, Oracle's {@code jdbc:oracle:thin:u/p@host}), parameters
 * ({@code ?password=}, {@code ;password=}, {@code (password=...)}), driver-specific keys (sslpassword, secret,
 * token, access keys). All of them go; every other parameter stays, as it says how the job connects.
 */
public final class JdbcUrls {
    private JdbcUrls() {
    }

    /** The URL without user info and without any parameter whose name speaks of a credential. */
    public static String withoutCredentials(String url) {
        if (url == null) {
            return null;
        }
        int cut = firstParameterSeparator(url);
        String head = cut >= 0 ? url.substring(0, cut) : url;
        return withoutSecretParameters(withoutUserInfo(head) + (cut >= 0 ? url.substring(cut) : ""));
    }

    /** The first host the URL names (without port, user info or brackets), or null for an embedded database. */
    public static String host(String url) {
        if (url == null) {
            return null;
        }
        String head = withoutUserInfo(url);
        int cut = firstParameterSeparator(head);
        if (cut >= 0) {
            head = head.substring(0, cut);
        }
        int slashes = head.indexOf("//");
        String authority;
        if (slashes >= 0) {
            authority = head.substring(slashes + 2);
        } else {
            int at = head.indexOf('@');
            if (at < 0) {
                return null;
            }
            authority = head.substring(at + 1);
            if (authority.startsWith("//")) {
                authority = authority.substring(2);
            }
        }
        int end = authority.length();
        for (char stop : new char[] {'/', ',', '?', ';'}) {
            int at = authority.indexOf(stop);
            if (at >= 0 && at < end) {
                end = at;
            }
        }
        String host = authority.substring(0, end);
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            return close > 1 ? host.substring(1, close) : null;
        }
        int colon = host.indexOf(':');
        if (colon >= 0) {
            host = host.substring(0, colon);
        }
        // (host=..., port=...) address lists and TNS descriptors: no plain host to show.
        if (host.isEmpty() || host.indexOf('(') >= 0 || host.indexOf('=') >= 0) {
            return null;
        }
        return host;
    }

    /** Where the parameters begin: the first {@code ?} or {@code ;}, else -1. */
    private static int firstParameterSeparator(String url) {
        int q = url.indexOf('?');
        int s = url.indexOf(';');
        if (q < 0) {
            return s;
        }
        return s < 0 ? q : Math.min(q, s);
    }

    /** {@code //user:pass@host} and {@code thin:user/pass@host}: everything between the prefix and the '@'. */
    private static String withoutUserInfo(String head) {
        int at = head.lastIndexOf('@');
        if (at < 0) {
            return head;
        }
        int slashes = head.indexOf("//");
        if (slashes >= 0 && slashes < at) {
            return head.substring(0, slashes + 2) + head.substring(at + 1);
        }
        // Oracle's thin syntax keeps its '@' (jdbc:oracle:thin:@host...).
        return head.substring(0, head.lastIndexOf(':', at) + 1) + head.substring(at);
    }

    /**
     * Parameters are {@code key=value} after one of {@code ? & ; ( ,} (URL query, SQL Server's and H2's
     * {@code ;key=value}, MySQL's {@code (host=..,password=..)}); credential ones are removed whole. When the
     * first of a {@code ?} or {@code (} list goes, the next one takes its opening character.
     */
    private static String withoutSecretParameters(String url) {
        StringBuilder out = new StringBuilder(url.length());
        int n = url.length();
        int i = 0;
        char pendingOpen = 0;
        while (i < n) {
            char c = url.charAt(i);
            if ("?&;(,".indexOf(c) < 0) {
                if (pendingOpen == '(') {
                    out.append(pendingOpen);
                }
                pendingOpen = 0;
                out.append(c);
                i++;
                continue;
            }
            int end = i + 1;
            while (end < n && "?&;(),".indexOf(url.charAt(end)) < 0) {
                end++;
            }
            String pair = url.substring(i + 1, end);
            int eq = pair.indexOf('=');
            if (eq >= 0 && isSecret(pair.substring(0, eq))) {
                if (c == '?' || c == '(') {
                    pendingOpen = c;
                }
            } else {
                char sep = c;
                if (pendingOpen != 0) {
                    if (c == '&' || c == ',') {
                        sep = pendingOpen;
                    } else if (pendingOpen == '(') {
                        out.append(pendingOpen);
                    }
                    pendingOpen = 0;
                }
                out.append(sep).append(url, i + 1, end);
            }
            i = end;
        }
        if (pendingOpen == '(') {
            out.append(pendingOpen);
        }
        return out.toString();
    }

    static boolean isSecret(String key) {
        String k = key.trim().toLowerCase(Locale.ROOT);
        return k.contains("password") || k.contains("passwd") || k.contains("pwd") || k.contains("secret")
                || k.contains("token") || k.contains("credential") || k.contains("key") || k.contains("auth");
    }
}
