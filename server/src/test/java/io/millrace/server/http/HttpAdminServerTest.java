package io.millrace.server.http;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.millrace.server.config.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.util.List;

import static io.millrace.server.http.HttpTestServer.basic;
import static io.millrace.server.http.HttpTestServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The listener itself: lifecycle, authentication, routing errors, keep-alive, bad input, logging. */
class HttpAdminServerTest {

    private HttpTestServer http;

    @BeforeEach
    void start() throws Exception {
        http = HttpTestServer.start();
    }

    @AfterEach
    void stop() {
        http.close();
    }

    @Test
    void bindsAFreePortAndStopsIdempotently() throws Exception {
        int port = http.server.port();
        assertThat(port).isPositive();
        http.server.stop();
        http.server.stop();
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
        assertThatThrownBy(() -> http.server.start()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void failedBindThrowsAndLeavesNothingRunning() {
        int taken = http.server.port();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        HttpAdminServer second = new HttpAdminServer(new ServerConfig.Http("127.0.0.1", taken, "admin", "x"),
                new FakeMonitoring(), registry);
        assertThatThrownBy(second::start).isInstanceOf(Exception.class);
        second.stop();
        registry.close();
    }

    // ---- authentication ----------------------------------------------------------------------------

    @Test
    void noCredentialsIs401WithBasicChallengeInFmsShape() {
        HttpResponse<String> r = http.get("/admin/ping");
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).get().asString().startsWith("Basic realm=\"Millrace\"");
        assertThat(r.headers().firstValue("Content-Type")).contains(HttpReply.JSON);
        JsonNode body = json(r);
        assertThat(body.get("level").asText()).isEqualTo("error");
        assertThat(body.get("code").asText()).isEqualTo("NetConnection.Connect.Rejected");
        assertThat(body.get("description").asText()).contains("user name and password");
        assertThat(body.has("data")).isFalse();

        HttpResponse<String> api = http.get("/api/server");
        assertThat(api.statusCode()).isEqualTo(401);
        assertThat(api.headers().firstValue("WWW-Authenticate")).get().asString().startsWith("Basic realm=\"Millrace\"");
        assertThat(json(api).get("status").asInt()).isEqualTo(401);
        // Unknown paths under /api are not revealed before authentication either.
        assertThat(http.get("/api/nothing-here").statusCode()).isEqualTo(401);
    }

    @Test
    void wrongCredentialsAre401() {
        assertThat(http.get("/admin/ping", "Authorization", basic("admin", "wrong")).statusCode()).isEqualTo(401);
        assertThat(http.get("/admin/ping", "Authorization", basic("root", HttpTestServer.PASSWORD)).statusCode()).isEqualTo(401);
        assertThat(http.get("/admin/ping", "Authorization", "Basic !!!not-base64").statusCode()).isEqualTo(401);
        assertThat(http.get("/admin/ping", "Authorization", "Bearer abc").statusCode()).isEqualTo(401);
        assertThat(http.get("/admin/ping?auser=admin&apswd=wrong").statusCode()).isEqualTo(401);
        assertThat(http.get("/admin/ping?auser=admin").statusCode()).isEqualTo(401);
        assertThat(http.get("/api/server?auser=admin&apswd=").statusCode()).isEqualTo(401);
    }

    @Test
    void basicOrFmsQueryCredentialsAreAccepted() {
        HttpResponse<String> basic = http.getAuth("/admin/ping");
        assertThat(basic.statusCode()).isEqualTo(200);
        assertThat(json(basic).get("code").asText()).isEqualTo("NetConnection.Call.Success");

        // The password has a space, a colon and a non-ASCII letter: percent-encoded as UTF-8.
        HttpResponse<String> query = http.get("/admin/ping?auser=admin&apswd=s3cret%20pa%3Ass%C3%A9");
        assertThat(query.statusCode()).isEqualTo(200);
        HttpResponse<String> api = http.get("/api/server?auser=admin&apswd=s3cret+pa%3Ass%C3%A9");
        assertThat(api.statusCode()).isEqualTo(200);
        assertThat(json(api).get("connections").asInt()).isEqualTo(3);
        // A wrong Basic header does not spoil valid query credentials (either one is enough).
        assertThat(http.get("/admin/ping?auser=admin&apswd=s3cret%20pa%3Ass%C3%A9",
                "Authorization", basic("admin", "nope")).statusCode()).isEqualTo(200);
    }

    @Test
    void adminDisabledWithoutPasswordIs403ButMetricsWork() throws Exception {
        try (HttpTestServer off = HttpTestServer.startWithPassword("")) {
            HttpResponse<String> admin = off.get("/admin/ping?auser=admin&apswd=");
            assertThat(admin.statusCode()).isEqualTo(403);
            assertThat(admin.headers().firstValue("WWW-Authenticate")).isEmpty();
            assertThat(json(admin).get("description").asText()).contains("http.adminPassword");
            assertThat(json(admin).get("code").asText()).isEqualTo("NetConnection.Connect.Rejected");

            HttpResponse<String> api = off.get("/api/server", "Authorization", basic("admin", ""));
            assertThat(api.statusCode()).isEqualTo(403);
            assertThat(json(api).get("message").asText()).contains("http.adminPassword");

            HttpResponse<String> metrics = off.get("/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("millrace_connections 3.0");
        }
    }

    @Test
    void credentialsComparisonIgnoresNothingButIsExact() {
        AdminAuth auth = new AdminAuth(new ServerConfig.Http("127.0.0.1", 0, "admin", "pw"));
        assertThat(AdminRequestsForTest.check(auth, "Authorization", basic("admin", "pw"))).isEqualTo(AdminAuth.Outcome.OK);
        assertThat(AdminRequestsForTest.check(auth, "Authorization", "basic " + basic("admin", "pw").substring(6)))
                .isEqualTo(AdminAuth.Outcome.OK);
        assertThat(AdminRequestsForTest.check(auth, "Authorization", basic("admin", "pw "))).isEqualTo(AdminAuth.Outcome.DENIED);
        assertThat(AdminRequestsForTest.check(auth, "Authorization", basic("admin", "p"))).isEqualTo(AdminAuth.Outcome.DENIED);
        assertThat(AdminRequestsForTest.check(auth, "Authorization", basic("Admin", "pw"))).isEqualTo(AdminAuth.Outcome.DENIED);
        assertThat(AdminRequestsForTest.check(auth, "Authorization", "Basic " + java.util.Base64.getEncoder()
                .encodeToString("adminpw".getBytes()))).isEqualTo(AdminAuth.Outcome.DENIED);
    }

    // ---- routing errors ----------------------------------------------------------------------------

    @Test
    void unknownPathIs404WithShortJson() {
        HttpResponse<String> r = http.get("/nothing/here");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/json; charset=utf-8");
        assertThat(r.headers().firstValue("Content-Length")).contains(Integer.toString(r.body().length()));
        JsonNode body = json(r);
        assertThat(body.get("status").asInt()).isEqualTo(404);
        assertThat(body.get("message").asText()).contains("/nothing/here");
        assertThat(http.get("/metrics/extra").statusCode()).isEqualTo(404);
    }

    @Test
    void wrongMethodIs405WithAllow() {
        HttpResponse<String> metrics = http.methodAuth("POST", "/metrics");
        assertThat(metrics.statusCode()).isEqualTo(405);
        assertThat(metrics.headers().firstValue("Allow")).contains("GET");

        HttpResponse<String> admin = http.methodAuth("DELETE", "/admin/ping");
        assertThat(admin.statusCode()).isEqualTo(405);
        assertThat(admin.headers().firstValue("Allow")).contains("GET");
        assertThat(json(admin).get("level").asText()).isEqualTo("error");

        HttpResponse<String> api = http.methodAuth("PUT", "/api/server");
        assertThat(api.statusCode()).isEqualTo(405);
        assertThat(api.headers().firstValue("Allow")).contains("GET");
    }

    // ---- connections -------------------------------------------------------------------------------

    @Test
    void keepAliveServesSeveralRequestsOnOneConnection() throws Exception {
        try (Socket s = http.socket()) {
            HttpTestServer.write(s, "GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n");
            HttpTestServer.RawResponse first = HttpTestServer.read(s);
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.body()).contains("millrace_connections 3.0");

            HttpTestServer.write(s, "GET /admin/ping HTTP/1.1\r\nHost: localhost\r\nAuthorization: "
                    + basic("admin", HttpTestServer.PASSWORD) + "\r\n\r\n");
            HttpTestServer.RawResponse second = HttpTestServer.read(s);
            assertThat(second.status()).isEqualTo(200);
            assertThat(second.body()).contains("NetConnection.Call.Success");

            // Two pipelined requests, answered in order; the second asks to close.
            HttpTestServer.write(s, "GET /nope HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    + "GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            assertThat(HttpTestServer.read(s).status()).isEqualTo(404);
            HttpTestServer.RawResponse last = HttpTestServer.read(s);
            assertThat(last.status()).isEqualTo(200);
            assertThat(last.headers().get("connection")).isEqualToIgnoringCase("close");
            assertThat(HttpTestServer.closedByServer(s)).isTrue();
        }
    }

    @Test
    void http10ClosesUnlessKeepAliveIsAsked() throws Exception {
        try (Socket s = http.socket()) {
            HttpTestServer.write(s, "GET /metrics HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            HttpTestServer.RawResponse r = HttpTestServer.read(s);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.headers().get("connection")).isEqualToIgnoringCase("keep-alive");
            HttpTestServer.write(s, "GET /metrics HTTP/1.0\r\n\r\n");
            assertThat(HttpTestServer.read(s).status()).isEqualTo(200);
            assertThat(HttpTestServer.closedByServer(s)).isTrue();
        }
    }

    @Test
    void badInputGets4xxAndAtMostOneQuietLogLine() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger("io.millrace.server.http");
        Level before = logger.getLevel();
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
        appender.start();
        logger.addAppender(appender);
        logger.setLevel(Level.DEBUG);
        try {
            int requests = 0;
            // Bad percent escape in the path, and invalid UTF-8 behind a valid one.
            assertThat(raw("GET /api/clients/%zz HTTP/1.1\r\nHost: x\r\nAuthorization: "
                    + basic("admin", HttpTestServer.PASSWORD) + "\r\n\r\n").status()).isEqualTo(400);
            requests++;
            assertThat(raw("GET /api/clients/%C3%28 HTTP/1.1\r\nHost: x\r\nAuthorization: "
                    + basic("admin", HttpTestServer.PASSWORD) + "\r\n\r\n").status()).isEqualTo(400);
            requests++;
            // Bad escape in the query (the credentials are in the query too, and must not be logged).
            HttpTestServer.RawResponse badQuery = raw("GET /admin/getAppStats?auser=admin&apswd=s3cret%20pa%3Ass%C3%A9&app=%G0 HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(badQuery.status()).isEqualTo(400);
            requests++;
            // A request line far beyond the codec's limit.
            HttpTestServer.RawResponse tooLong = raw("GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(tooLong.status()).isEqualTo(400);
            requests++;
            // A body over the 64 KB limit is refused by the aggregator before it is read.
            HttpTestServer.RawResponse tooBig = raw("POST /api/clients/1/kick HTTP/1.1\r\nHost: x\r\n"
                    + "Content-Length: 100000\r\nConnection: close\r\n\r\n");
            assertThat(tooBig.status()).isEqualTo(413);
            assertThat(http.monitoring.kicked).isEmpty();
            // Unknown command, missing parameter, wrong password.
            assertThat(http.getAuth("/admin/noSuchCommand").statusCode()).isEqualTo(404);
            requests++;
            assertThat(http.getAuth("/admin/getAppStats").statusCode()).isEqualTo(400);
            requests++;
            assertThat(http.get("/admin/ping?auser=admin&apswd=guess").statusCode()).isEqualTo(401);
            requests++;

            List<ILoggingEvent> events = List.copyOf(appender.list);
            assertThat(events).allSatisfy(e -> {
                assertThat(e.getLevel()).isEqualTo(Level.DEBUG);
                assertThat(e.getThrowableProxy()).isNull();
                assertThat(e.getFormattedMessage()).doesNotContain("s3cret").doesNotContain("guess")
                        .doesNotContain("apswd");
            });
            assertThat(events).hasSizeLessThanOrEqualTo(requests);
        } finally {
            logger.detachAppender(appender);
            logger.setLevel(before);
        }
    }

    @Test
    void everyResponseHasContentTypeAndLength() throws Exception {
        for (String path : List.of("/metrics", "/admin/ping", "/admin/getApps?format=xml", "/api/apps", "/nope")) {
            try (Socket s = http.socket()) {
                HttpTestServer.write(s, "GET " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: "
                        + basic("admin", HttpTestServer.PASSWORD) + "\r\n\r\n");
                HttpTestServer.RawResponse r = HttpTestServer.read(s);
                assertThat(r.headers()).containsKeys("content-type", "content-length");
                assertThat(r.headers().get("content-type")).contains("charset=utf-8");
                assertThat(r.body().getBytes(java.nio.charset.StandardCharsets.UTF_8)).hasSize(
                        Integer.parseInt(r.headers().get("content-length")));
            }
        }
    }

    private HttpTestServer.RawResponse raw(String request) throws IOException {
        try (Socket s = http.socket()) {
            HttpTestServer.write(s, request);
            return HttpTestServer.read(s);
        }
    }
}
