package io.millrace.server.http;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The web dashboard under {@code /dashboard/}: a page, a script and a style sheet from the classpath
 * ({@code io/millrace/server/http/dashboard/}) that poll the JSON API ({@link JsonApi}) and draw its
 * figures. Only the files of a fixed list are served, each read once when the server is built (a missing
 * one fails the start), so no request can reach anything else. Credentials are checked by
 * {@link AdminHttpHandler} before this class is reached, as for {@code /api}.
 *
 * <p>Every file goes out with a Content-Security-Policy that allows only this server as the source of
 * scripts, styles, images and requests (no inline script, no other site), and may not be framed.
 */
final class Dashboard {

    static final String PREFIX = "/dashboard/";

    /** Nothing but this origin, and the page may not be framed or post forms anywhere. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
            + "frame-ancestors 'none'";

    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml");

    /** Every file served; the empty name (the folder itself) is index.html. */
    private static final List<String> FILES = List.of("index.html", "dashboard.js", "dashboard.css", "favicon.svg");

    private final Map<String, HttpReply> files = new LinkedHashMap<>();

    Dashboard() {
        for (String name : FILES) {
            String type = TYPES.get(name.substring(name.lastIndexOf('.') + 1));
            files.put(name, new HttpReply(HttpResponseStatus.OK, type, load(name), Map.of())
                    .withHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                    .withHeader("X-Frame-Options", "DENY")
                    .withHeader("Referrer-Policy", "no-referrer"));
        }
    }

    private static byte[] load(String name) {
        try (InputStream in = Dashboard.class.getResourceAsStream("dashboard/" + name)) {
            if (in == null) {
                throw new IllegalStateException("dashboard file missing from the classpath: dashboard/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dashboard/" + name, e);
        }
    }

    /** A 302 to the dashboard's folder (from {@code /} and from {@code /dashboard} without the slash). */
    static HttpReply redirect(AdminRequest r) {
        if (!r.method().equals(HttpMethod.GET)) {
            return notGet(r);
        }
        return HttpReply.text(HttpResponseStatus.FOUND, "text/plain; charset=utf-8", "see " + PREFIX + "\n")
                .withHeader("Location", PREFIX);
    }

    /**
     * Answers {@code /dashboard/} and {@code /dashboard/<file>}; {@code request.segments()} starts with
     * "dashboard".
     */
    HttpReply handle(AdminRequest r) {
        if (!r.method().equals(HttpMethod.GET)) {
            return notGet(r);
        }
        List<String> s = r.segments();
        String name = s.size() == 1 ? "index.html" : s.size() == 2 ? s.get(1) : null;
        HttpReply file = name == null ? null : files.get(name);
        if (file == null) {
            return HttpReply.jsonError(HttpResponseStatus.NOT_FOUND, "no such dashboard file: " + r.path());
        }
        return file;
    }

    private static HttpReply notGet(AdminRequest r) {
        return HttpReply.jsonError(HttpResponseStatus.METHOD_NOT_ALLOWED,
                "method " + r.method() + " not allowed here (allowed: GET)").withHeader("Allow", "GET");
    }

    /** The answer to a browser whose credentials were refused (401) or while the admin API is off (403). */
    static HttpReply rejected(AdminAuth.Outcome outcome) {
        return outcome == AdminAuth.Outcome.DISABLED
                ? HttpReply.text(HttpResponseStatus.FORBIDDEN, "text/plain; charset=utf-8",
                        "The Millrace dashboard is disabled, like the admin API: set http.adminPassword in the "
                                + "configuration to enable it.\n")
                : HttpReply.text(HttpResponseStatus.UNAUTHORIZED, "text/plain; charset=utf-8",
                        "The Millrace dashboard needs the admin credentials (http.adminUser and http.adminPassword).\n");
    }
}
