package io.millrace.server.session;

import java.net.URI;

/**
 * Where a client asked to connect: {@code rtmp://host[:port]/app[/instance][?query]}, from the connect
 * command's {@code app} property (or, when that is empty, from {@code tcUrl}). The default instance is
 * FMS's {@code _definst_}.
 */
public record ConnectTarget(String app, String instance, String query) {
    public static final String DEFAULT_INSTANCE = "_definst_";

    public static ConnectTarget parse(String appProperty, String tcUrl) {
        String path = appProperty;
        if (path == null || path.isBlank()) {
            path = pathOf(tcUrl);
        }
        if (path == null) {
            path = "";
        }
        String query = null;
        int q = path.indexOf('?');
        if (q >= 0) {
            query = path.substring(q + 1);
            path = path.substring(0, q);
        }
        while (path.startsWith("/")) {
            path = path.substring(1);
        }
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        int slash = path.indexOf('/');
        String app = slash < 0 ? path : path.substring(0, slash);
        String instance = slash < 0 ? DEFAULT_INSTANCE : path.substring(slash + 1);
        if (instance.isEmpty()) {
            instance = DEFAULT_INSTANCE;
        }
        return new ConnectTarget(app, instance, query);
    }

    private static String pathOf(String tcUrl) {
        if (tcUrl == null || tcUrl.isBlank()) {
            return null;
        }
        try {
            URI u = URI.create(tcUrl.trim());
            String p = u.getRawPath();
            return u.getRawQuery() != null ? p + "?" + u.getRawQuery() : p;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** "app/instance" as FMS logs and admin tools name it. */
    public String appInstance() {
        return app + "/" + instance;
    }
}
