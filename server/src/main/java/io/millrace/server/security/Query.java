package io.millrace.server.security;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** Reading one parameter of a URL query ({@code a=1&b=2}); values are percent-decoded. */
final class Query {
    private Query() {
    }

    /** The first value of {@code name} in {@code query}, or null. A malformed escape leaves the value raw. */
    static String param(String query, String name) {
        String v = raw(query, name);
        if (v == null) {
            return null;
        }
        try {
            return URLDecoder.decode(v, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return v;
        }
    }

    /** The first value of {@code name} as it is written (Adobe's auth puts base64 with '+' there, unescaped). */
    static String raw(String query, String name) {
        if (query == null || query.isEmpty()) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            if (k.equals(name)) {
                return eq < 0 ? "" : pair.substring(eq + 1);
            }
        }
        return null;
    }
}
