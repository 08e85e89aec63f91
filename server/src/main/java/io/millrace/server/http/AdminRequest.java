package io.millrace.server.http;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One HTTP request as the endpoints see it: method, the path split into percent-decoded segments, and the
 * query parameters.
 *
 * <p>Segments are split on {@code /} before decoding, so {@code %2F} inside a segment stays a slash
 * within that segment, and {@code +} in a path is a plus (only the query decodes {@code +} as a space).
 * Invalid percent escapes or invalid UTF-8 are a 400. Query parameter names are matched without regard to
 * case ({@code appInst}, {@code appinst}); {@code ;} is an ordinary character, not a separator. A trailing
 * slash is ignored.
 *
 * @param path     the raw path, for logs (never the query: it may hold {@code apswd})
 * @param segments the decoded path segments, without the leading empty one
 * @param params   query parameters by lower-cased name, each with its values in order
 */
record AdminRequest(HttpMethod method, String path, List<String> segments, Map<String, List<String>> params,
                    HttpHeaders headers) {

    static AdminRequest parse(FullHttpRequest request) {
        QueryStringDecoder decoder = new QueryStringDecoder(request.uri(), StandardCharsets.UTF_8, true, 256, true);
        String rawPath = decoder.rawPath();
        Map<String, List<String>> params = new LinkedHashMap<>();
        try {
            decoder.parameters().forEach((name, values) ->
                    params.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).addAll(values));
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("malformed query string: " + e.getMessage());
        }
        return new AdminRequest(request.method(), rawPath, segments(rawPath), Collections.unmodifiableMap(params),
                request.headers());
    }

    /** The single value of a parameter, or null when absent; 400 when it is given twice or empty. */
    String param(String name) {
        List<String> values = params.get(name.toLowerCase(Locale.ROOT));
        if (values == null) {
            return null;
        }
        if (values.size() != 1) {
            throw ApiError.badRequest("parameter " + name + " given " + values.size() + " times");
        }
        String value = values.get(0);
        if (value.isEmpty()) {
            throw ApiError.badRequest("parameter " + name + " is empty");
        }
        return value;
    }

    /** Like {@link #param} but absent is a 400 naming the parameter. */
    String required(String name) {
        String value = param(name);
        if (value == null) {
            throw ApiError.badRequest("missing parameter: " + name);
        }
        return value;
    }

    /** 400 if a parameter other than {@code allowed} (lower case) or the credentials is present. */
    void onlyParams(Set<String> allowed) {
        for (String name : params.keySet()) {
            if (!allowed.contains(name) && !AdminAuth.QUERY_PARAMS.contains(name)) {
                throw ApiError.badRequest("unknown query parameter: " + name
                        + (allowed.isEmpty() ? " (this resource takes none)" : " (allowed: " + String.join(", ", allowed) + ")"));
            }
        }
    }

    static List<String> segments(String rawPath) {
        List<String> out = new ArrayList<>();
        if (rawPath.isEmpty() || rawPath.equals("/")) {
            return out;
        }
        String p = rawPath.startsWith("/") ? rawPath.substring(1) : rawPath;
        if (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        for (String s : p.split("/", -1)) {
            out.add(decodeSegment(s));
        }
        return Collections.unmodifiableList(out);
    }

    /** Strict percent-decoding of one path segment as UTF-8; {@code +} stays a plus. */
    static String decodeSegment(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteBuffer bytes = ByteBuffer.allocate(s.length() * 4);
        for (int i = 0; i < s.length(); ) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    throw ApiError.badRequest("bad percent escape in path");
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw ApiError.badRequest("bad percent escape in path");
                }
                bytes.put((byte) (hi << 4 | lo));
                i += 3;
            } else if (c <= 0xFF) {
                // Netty reads the request line byte by byte (ISO-8859-1): a raw byte maps back exactly.
                bytes.put((byte) c);
                i++;
            } else {
                bytes.put(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
                i++;
            }
        }
        bytes.flip();
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes);
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw ApiError.badRequest("path is not valid UTF-8 after percent-decoding");
        }
    }
}
