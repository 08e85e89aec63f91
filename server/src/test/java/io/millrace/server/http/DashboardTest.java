package io.millrace.server.http;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.net.http.HttpResponse;
import java.util.List;

import static io.millrace.server.http.HttpTestServer.basic;
import static io.millrace.server.http.HttpTestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

/** The dashboard's routes: redirect, credentials, the fixed list of files and their types, CSP, 404. */
class DashboardTest {

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
    void rootAndTheFolderWithoutSlashRedirectToTheDashboard() {
        for (String path : List.of("/", "/dashboard")) {
            HttpResponse<String> r = http.get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(302);
            assertThat(r.headers().firstValue("Location")).as(path).contains("/dashboard/");
        }
        // Only GET is redirected.
        HttpResponse<String> post = http.postAuth("/");
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).contains("GET");
    }

    @Test
    void theDashboardNeedsTheAdminCredentials() {
        for (String path : List.of("/dashboard/", "/dashboard/dashboard.js", "/dashboard/no-such-file")) {
            HttpResponse<String> r = http.get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate")).get().asString().startsWith("Basic realm=\"Millrace\"");
            assertThat(r.body()).as(path).contains("http.adminPassword").doesNotContain("<script");
        }
        assertThat(http.get("/dashboard/", "Authorization", basic("admin", "wrong")).statusCode()).isEqualTo(401);
        assertThat(http.get("/dashboard/?auser=admin&apswd=s3cret%20pa%3Ass%C3%A9").statusCode()).isEqualTo(200);
    }

    @Test
    void disabledAdminApiMeansADisabledDashboard() throws Exception {
        try (HttpTestServer off = HttpTestServer.startWithPassword("")) {
            HttpResponse<String> r = off.get("/dashboard/", "Authorization", basic("admin", ""));
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(r.headers().firstValue("WWW-Authenticate")).isEmpty();
            assertThat(r.headers().firstValue("Content-Type")).contains("text/plain; charset=utf-8");
            assertThat(r.body()).contains("dashboard is disabled").contains("http.adminPassword");
        }
    }

    @Test
    void servesEachFileWithItsTypeAndASecurityPolicy() {
        HttpResponse<String> index = http.getAuth("/dashboard/");
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
        assertThat(index.body()).contains("<title>Millrace dashboard</title>")
                .contains("<script src=\"dashboard.js\" defer></script>")
                .contains("id=\"streams\"").contains("id=\"clients\"").contains("id=\"chart-bwOut\"");
        assertThat(http.getAuth("/dashboard/index.html").body()).isEqualTo(index.body());

        assertFile("/dashboard/dashboard.js", "text/javascript; charset=utf-8", "/api/");
        assertFile("/dashboard/dashboard.css", "text/css; charset=utf-8", ".cards");
        assertFile("/dashboard/favicon.svg", "image/svg+xml", "<svg");

        String csp = index.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertThat(csp).startsWith("default-src 'self'").contains("script-src 'self'")
                .contains("frame-ancestors 'none'").doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
        assertThat(index.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        assertThat(index.headers().firstValue("X-Frame-Options")).contains("DENY");
    }

    private void assertFile(String path, String type, String content) {
        HttpResponse<String> r = http.getAuth(path);
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).as(path).contains(type);
        assertThat(r.headers().firstValue("Content-Security-Policy")).as(path).contains(Dashboard.CONTENT_SECURITY_POLICY);
        assertThat(r.body()).as(path).contains(content);
    }

    @Test
    void theHtmlHasNoInlineScriptAndNoOutsideAddress() {
        String index = http.getAuth("/dashboard/").body();
        assertThat(index.split("<script", -1)).as("one script element").hasSize(2);
        assertThat(index).doesNotContainPattern("<script[^>]*>[^<]+</script>")
                .as("no inline event handlers or styles").doesNotContainPattern("(?i)\\son[a-z]+=").doesNotContain("style=");
        for (String path : List.of("/dashboard/", "/dashboard/dashboard.js", "/dashboard/dashboard.css")) {
            assertThat(http.getAuth(path).body()).as(path).doesNotContainPattern("(?i)(https?:)?//[a-z0-9.-]+\\.[a-z]{2,}/")
                    .doesNotContain("@import").doesNotContain("innerHTML");
        }
    }

    @Test
    void anythingElseIsA404() throws Exception {
        for (String path : List.of("/dashboard/nope.js", "/dashboard/dashboard", "/dashboard/a/index.html",
                "/dashboard/..%2Fmetrics", "/dashboard/%2E%2E%2Fdashboard%2Findex.html", "/dashboard/Index.html",
                "/dashboard/DashboardTest.class", "/dashboard//")) {
            HttpResponse<String> r = http.getAuth(path);
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat(json(r).get("status").asInt()).isEqualTo(404);
        }
        // A raw ../ is not resolved by the server either.
        try (Socket s = http.socket()) {
            HttpTestServer.write(s, "GET /dashboard/../../io/millrace/server/http/Dashboard.class HTTP/1.1\r\nHost: x\r\n"
                    + "Authorization: " + basic(HttpTestServer.USER, HttpTestServer.PASSWORD) + "\r\n\r\n");
            assertThat(HttpTestServer.read(s).status()).isEqualTo(404);
        }
    }

    @Test
    void onlyGetIsAllowed() {
        HttpResponse<String> r = http.postAuth("/dashboard/");
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.headers().firstValue("Allow")).contains("GET");
        assertThat(http.methodAuth("PUT", "/dashboard/dashboard.js").statusCode()).isEqualTo(405);
    }
}
