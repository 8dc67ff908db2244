package dev.xraybatch.agent.instrument.http;

import java.net.URI;
import java.util.Locale;

/**
 * A request's URL as a trace shows it: scheme, host, port and path. The query string and fragment (tokens,
 * signatures, search terms, ids) and the user info (credentials) never reach a document.
 */
public final class HttpUrls {
    private static final int MAX_URL = 1000;

    private HttpUrls() {
    }

    /** {@code scheme://host[:port]/path}, or null when the URI names no host. */
    public static String safeUrl(URI uri) {
        if (uri == null) {
            return null;
        }
        String host = host(uri);
        if (host == null) {
            return null;
        }
        String scheme = uri.getScheme() == null ? "http" : uri.getScheme().toLowerCase(Locale.ROOT);
        StringBuilder b = new StringBuilder(scheme).append("://");
        b.append(host.indexOf(':') >= 0 ? "[" + host + "]" : host);
        int port = uri.getPort();
        if (port >= 0) {
            b.append(':').append(port);
        }
        // The raw path: as sent, percent-escapes included (a decoded path could hold a '?').
        String path = uri.getRawPath();
        b.append(path == null || path.isEmpty() ? "/" : path);
        return b.length() > MAX_URL ? b.substring(0, MAX_URL) : b.toString();
    }

    /** The host the request goes to (IPv6 without brackets), or null. */
    public static String host(URI uri) {
        if (uri == null) {
            return null;
        }
        String host = uri.getHost();
        if (host == null) {
            // Hosts with '_' (legal in DNS, not in RFC 2396) leave getHost() null: take the authority's host part.
            String authority = uri.getRawAuthority();
            if (authority == null) {
                return null;
            }
            int at = authority.lastIndexOf('@');
            host = authority.substring(at + 1);
            int colon = host.lastIndexOf(':');
            if (colon > 0 && !host.endsWith("]")) {
                host = host.substring(0, colon);
            }
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return host.isEmpty() ? null : host.toLowerCase(Locale.ROOT);
    }

    /**
     * Text that may quote a URL (an exception's message: HttpURLConnection's FileNotFoundException is the URL)
     * with its query strings, fragments and user info cut out.
     */
    static String withoutQueries(String text) {
        if (text == null || (text.indexOf("://") < 0)) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        int n = text.length();
        while (i < n) {
            int scheme = text.indexOf("://", i);
            if (scheme < 0) {
                out.append(text, i, n);
                break;
            }
            int urlEnd = scheme + 3;
            while (urlEnd < n && !Character.isWhitespace(text.charAt(urlEnd)) && text.charAt(urlEnd) != '"'
                    && text.charAt(urlEnd) != '\'' && text.charAt(urlEnd) != '>') {
                urlEnd++;
            }
            out.append(text, i, scheme + 3);
            String rest = text.substring(scheme + 3, urlEnd);
            int slash = rest.indexOf('/');
            String authority = slash < 0 ? rest : rest.substring(0, slash);
            int at = authority.lastIndexOf('@');
            if (at >= 0) {
                rest = rest.substring(at + 1);
            }
            int cut = rest.length();
            int q = rest.indexOf('?');
            int f = rest.indexOf('#');
            if (q >= 0) {
                cut = q;
            }
            if (f >= 0 && f < cut) {
                cut = f;
            }
            out.append(rest, 0, cut);
            i = urlEnd;
        }
        return out.toString();
    }
}
