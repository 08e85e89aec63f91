package io.millrace.server.security;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Callbacks as nginx-rtmp's on_connect / on_publish / on_play / on_done: a POST of the event's fields,
 * form-encoded ({@code call=publish&app=live&name=show&addr=...}), to a configured URL. A 2xx answer allows,
 * a 3xx renames the stream to its Location (its last path segment; for connect a 3xx is a refusal), anything
 * else refuses. No answer within the timeout, or no connection, refuses too, unless the server is told to
 * fail open. Redirects are not followed. The requests run on a small pool of their own; the result
 * completes there and the caller hands it back to its event loop.
 */
public final class HttpCallbacks implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpCallbacks.class);

    /** The decision a callback gave. */
    public record Decision(boolean allowed, String newName, String reason) {
        public static final Decision ALLOW = new Decision(true, null, null);

        static Decision refuse(String reason) {
            return new Decision(false, null, reason);
        }
    }

    private final Duration timeout;
    private final boolean failOpen;
    private final ExecutorService executor;
    private final HttpClient client;

    public HttpCallbacks(long timeoutMillis, boolean failOpen) {
        this.timeout = Duration.ofMillis(timeoutMillis);
        this.failOpen = failOpen;
        this.executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "millrace-callbacks");
            t.setDaemon(true);
            return t;
        });
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER)
                .executor(executor).build();
    }

    /**
     * POSTs {@code fields} to {@code url}. Never completes exceptionally.
     *
     * @param renames whether a 3xx renames (publish, play) or refuses (connect)
     */
    public CompletableFuture<Decision> ask(String url, Map<String, String> fields, boolean renames) {
        StringJoiner body = new StringJoiner("&");
        fields.forEach((k, v) -> body.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(v == null ? "" : v, StandardCharsets.UTF_8)));
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(failure("bad callback URL " + url + ": " + e.getMessage()));
        }
        // The request's own timeout ends with the headers; this one covers a body that trickles too.
        return client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                .thenApply(r -> decide(r, renames))
                .exceptionally(e -> failure("callback " + url + " failed: " + rootCause(e)))
                .completeOnTimeout(failure("callback " + url + " did not answer within " + timeout.toMillis() + " ms"),
                        timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Tells the callback that something ended (on_done); the answer is not waited for. */
    public void notify(String url, Map<String, String> fields) {
        ask(url, fields, false).thenAccept(d -> {
            if (!d.allowed() && LOG.isDebugEnabled()) {
                LOG.debug("on_done callback {}: {}", url, d.reason());
            }
        });
    }

    private Decision failure(String reason) {
        return failOpen ? Decision.ALLOW : Decision.refuse(reason);
    }

    private static Decision decide(HttpResponse<Void> r, boolean renames) {
        int code = r.statusCode();
        if (code >= 200 && code < 300) {
            return Decision.ALLOW;
        }
        if (code >= 300 && code < 400 && renames) {
            String location = r.headers().firstValue("Location").orElse("");
            String name = location;
            int q = name.indexOf('?');
            String query = q < 0 ? "" : name.substring(q);
            name = q < 0 ? name : name.substring(0, q);
            while (name.endsWith("/")) {
                name = name.substring(0, name.length() - 1);
            }
            name = name.substring(name.lastIndexOf('/') + 1);
            if (name.isEmpty()) {
                return Decision.refuse("callback answered " + code + " without a usable Location");
            }
            return new Decision(true, name + query, null);
        }
        return Decision.refuse("callback answered " + code);
    }

    private static String rootCause(Throwable e) {
        Throwable c = e;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        return c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage());
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
