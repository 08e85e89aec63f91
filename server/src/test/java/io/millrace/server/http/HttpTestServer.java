package io.millrace.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.millrace.server.config.ServerConfig;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Base64;

/**
 * An {@link HttpAdminServer} on 127.0.0.1, a free port, over a {@link FakeMonitoring}, with a fixed clock
 * one hour after {@link FakeMonitoring#T0} in UTC, plus small clients: java.net.http for ordinary calls,
 * a raw socket for what that client cannot send.
 */
final class HttpTestServer implements AutoCloseable {
    static final String USER = "admin";
    static final String PASSWORD = "s3cret pa:ss\u00e9";
    static final Instant NOW = Instant.ofEpochMilli(FakeMonitoring.T0 + 3_600_000);
    static final ObjectMapper JSON = new ObjectMapper();

    final FakeMonitoring monitoring = new FakeMonitoring();
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final HttpAdminServer server;
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private HttpTestServer(String password) throws Exception {
        server = new HttpAdminServer(new ServerConfig.Http("127.0.0.1", 0, USER, password), monitoring, registry,
                Clock.fixed(NOW, ZoneId.of("UTC")));
        server.start();
    }

    static HttpTestServer start() throws Exception {
        return new HttpTestServer(PASSWORD);
    }

    static HttpTestServer startWithPassword(String password) throws Exception {
        return new HttpTestServer(password);
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + server.port() + pathAndQuery);
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** GET without credentials; {@code headers} are name, value pairs. */
    HttpResponse<String> get(String pathAndQuery, String... headers) {
        return send(HttpRequest.newBuilder(uri(pathAndQuery)).GET(), headers);
    }

    /** GET with HTTP Basic credentials. */
    HttpResponse<String> getAuth(String pathAndQuery) {
        return get(pathAndQuery, "Authorization", basic(USER, PASSWORD));
    }

    HttpResponse<String> postAuth(String pathAndQuery, String... headers) {
        String[] all = new String[headers.length + 2];
        all[0] = "Authorization";
        all[1] = basic(USER, PASSWORD);
        System.arraycopy(headers, 0, all, 2, headers.length);
        return send(HttpRequest.newBuilder(uri(pathAndQuery)).POST(HttpRequest.BodyPublishers.noBody()), all);
    }

    HttpResponse<String> methodAuth(String method, String pathAndQuery) {
        return send(HttpRequest.newBuilder(uri(pathAndQuery)).method(method, HttpRequest.BodyPublishers.noBody()),
                "Authorization", basic(USER, PASSWORD));
    }

    private HttpResponse<String> send(HttpRequest.Builder b, String... headers) {
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            return client.send(b.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Opens a raw TCP connection to the server. */
    Socket socket() throws IOException {
        Socket s = new Socket("127.0.0.1", server.port());
        s.setSoTimeout(5_000);
        return s;
    }

    static void write(Socket s, String request) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** One raw response: status line, headers (lower-cased names) and body by Content-Length. */
    record RawResponse(int status, java.util.Map<String, String> headers, String body) {
    }

    static RawResponse read(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("connection closed after: " + head);
            }
            head.append((char) c);
        }
        String[] lines = head.toString().split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        int length = Integer.parseInt(headers.get("content-length"));
        byte[] body = in.readNBytes(length);
        return new RawResponse(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    /** True when the server closed the connection (read gives end of stream). */
    static boolean closedByServer(Socket s) throws IOException {
        try {
            return s.getInputStream().read() < 0;
        } catch (java.net.SocketException e) {
            return true; // reset
        }
    }

    @Override
    public void close() {
        server.stop();
        registry.close();
    }
}
