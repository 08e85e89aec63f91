package io.millrace.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpMethod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import static io.millrace.server.http.HttpTestServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The JSON API: records as JSON, filters, kick and stop reaching the {@link FakeMonitoring}, errors. */
class JsonApiTest {

    private HttpTestServer http;

    @BeforeEach
    void start() throws Exception {
        http = HttpTestServer.start();
    }

    @AfterEach
    void stop() {
        http.close();
    }

    private JsonNode ok(String pathAndQuery) {
        HttpResponse<String> r = http.getAuth(pathAndQuery);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/json; charset=utf-8");
        return json(r);
    }

    private String error(HttpResponse<String> r, int status) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode body = json(r);
        assertThat(body.get("status").asInt()).isEqualTo(status);
        assertThat(body.get("error").asText()).isNotEmpty();
        return body.get("message").asText();
    }

    private static List<String> field(JsonNode array, String name) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.get(name).asText()));
        return out;
    }

    @Test
    void server() {
        JsonNode s = ok("/api/server");
        assertThat(s.get("version").asText()).isEqualTo("0.1.0-test");
        assertThat(s.get("connections").asInt()).isEqualTo(3);
        assertThat(s.get("totalConnects").asLong()).isEqualTo(42);
        assertThat(s.get("bytesIn").asLong()).isEqualTo(123_456_789L);
        assertThat(s.get("bwOut").asLong()).isEqualTo(250_000);
        assertThat(s.get("cpuUsage").asDouble()).isEqualTo(0.25);
        assertThat(s.get("launchTimeMillis").asLong()).isEqualTo(FakeMonitoring.T0);
        assertThat(error(http.getAuth("/api/server?verbose=1"), 400)).contains("verbose");
    }

    @Test
    void appsAndInstances() {
        assertThat(field(ok("/api/apps"), "name")).containsExactly("live", "vod");
        JsonNode live = ok("/api/apps/live");
        assertThat(live.get("accepted").asLong()).isEqualTo(10);
        assertThat(live.get("liveStreams").asInt()).isEqualTo(2);
        assertThat(error(http.getAuth("/api/apps/nope"), 404)).contains("nope");

        JsonNode instances = ok("/api/apps/live/instances");
        assertThat(field(instances, "instance")).containsExactly("_definst_");
        assertThat(ok("/api/apps/live/instances/_definst_").get("connections").asInt()).isEqualTo(2);
        assertThat(error(http.getAuth("/api/apps/nope/instances"), 404)).contains("nope");
        assertThat(error(http.getAuth("/api/apps/live/instances/other"), 404)).contains("live/other");
        assertThat(http.getAuth("/api/apps/live/other").statusCode()).isEqualTo(404);
    }

    @Test
    void clientsWithFilters() {
        assertThat(field(ok("/api/clients"), "clientId")).containsExactly("1", "2", "3");
        assertThat(field(ok("/api/clients?app=live"), "clientId")).containsExactly("1", "2");
        assertThat(field(ok("/api/clients?app=vod&instance=_definst_"), "clientId")).containsExactly("3");
        assertThat(ok("/api/clients?instance=other")).isEmpty();

        JsonNode c = ok("/api/clients/2");
        assertThat(c.get("ip").asText()).isEqualTo("10.0.0.6");
        assertThat(c.get("bwOut").asLong()).isEqualTo(250_000);
        assertThat(c.get("pingRttMillis").asLong()).isEqualTo(35);
        assertThat(c.get("flashVer").asText()).isEqualTo("LNX 9,0,124,2");

        assertThat(error(http.getAuth("/api/clients/99"), 404)).contains("99");
        assertThat(error(http.getAuth("/api/clients?ap=live"), 400)).contains("ap");
        assertThat(error(http.getAuth("/api/clients?app=live&app=vod"), 400)).contains("app");
        assertThat(error(http.getAuth("/api/clients?app="), 400)).contains("app");
    }

    @Test
    void applicationsReloadAndInstancesUnloadAndListTheirSharedObjects() {
        HttpResponse<String> r = http.postAuth("/api/apps/live/reload");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json(r).get("reloaded").asBoolean()).isTrue();
        assertThat(http.monitoring.reloaded).containsExactly("live");
        assertThat(error(http.postAuth("/api/apps/nope/reload"), 404)).contains("nope");
        assertThat(error(http.getAuth("/api/apps/live/reload"), 405)).contains("POST");
        assertThat(http.monitoring.reloaded).containsExactly("live");

        JsonNode so = ok("/api/apps/live/instances/_definst_/sharedobjects");
        assertThat(field(so, "name")).containsExactly("users");
        assertThat(so.get(0).get("version").asLong()).isEqualTo(7);
        assertThat(error(http.getAuth("/api/apps/live/instances/other/sharedobjects"), 404)).contains("live/other");

        HttpResponse<String> u = http.postAuth("/api/apps/live/instances/_definst_/unload");
        assertThat(u.statusCode()).as(u.body()).isEqualTo(200);
        assertThat(json(u).get("instance").asText()).isEqualTo("_definst_");
        assertThat(error(http.postAuth("/api/apps/live/instances/a/b/unload"), 404)).contains("live/a/b");
        assertThat(http.monitoring.unloaded).containsExactly("live/_definst_", "live/a/b");
    }

    @Test
    void kickCallsMonitoring() {
        HttpResponse<String> r = http.postAuth("/api/clients/2/kick");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json(r).get("clientId").asText()).isEqualTo("2");
        assertThat(json(r).get("kicked").asBoolean()).isTrue();
        assertThat(http.monitoring.kicked).containsExactly("2");

        assertThat(error(http.postAuth("/api/clients/2/kick"), 404)).contains("2");
        assertThat(http.monitoring.kicked).containsExactly("2", "2");

        HttpResponse<String> get = http.getAuth("/api/clients/1/kick");
        assertThat(error(get, 405)).contains("POST");
        assertThat(get.headers().firstValue("Allow")).contains("POST");
        assertThat(http.monitoring.kicked).containsExactly("2", "2");
    }

    @Test
    void bandwidthLimitsAreSetPerClientEachWay() {
        HttpResponse<String> r = http.postAuth("/api/clients/2/bandwidth?out=250000&in=0");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json(r).get("bandwidthLimitOut").asLong()).isEqualTo(250_000);
        assertThat(json(r).get("bandwidthLimitIn").asLong()).isZero();
        HttpResponse<String> keep = http.postAuth("/api/clients/2/bandwidth?in=64000");
        assertThat(json(keep).get("bandwidthLimitOut").asLong()).as("absent: unchanged").isEqualTo(-1);
        assertThat(http.monitoring.limits).containsExactly("2|250000|0", "2|-1|64000");

        assertThat(error(http.postAuth("/api/clients/99/bandwidth?out=1"), 404)).contains("99");
        assertThat(error(http.postAuth("/api/clients/2/bandwidth?out=-5"), 400)).contains("out");
        assertThat(error(http.postAuth("/api/clients/2/bandwidth?out=fast"), 400)).contains("out");
        assertThat(error(http.postAuth("/api/clients/2/bandwidth?up=1"), 400)).contains("up");
        assertThat(error(http.getAuth("/api/clients/2/bandwidth?out=1"), 405)).contains("POST");
        assertThat(http.monitoring.limits).hasSize(3); // the unknown client was asked; the bad requests were not
    }

    @Test
    void crossOriginPostIsRefused() {
        HttpResponse<String> r = http.postAuth("/api/clients/1/kick", "Origin", "http://evil.example");
        assertThat(error(r, 403)).contains("evil.example");
        assertThat(http.monitoring.kicked).isEmpty();

        HttpResponse<String> same = http.postAuth("/api/clients/1/kick", "Origin",
                "http://127.0.0.1:" + http.server.port());
        assertThat(same.statusCode()).as(same.body()).isEqualTo(200);
        assertThat(http.monitoring.kicked).containsExactly("1");
    }

    @Test
    void liveStreamsWithEncodedNames() {
        JsonNode all = ok("/api/streams");
        assertThat(field(all, "name")).containsExactly("cam one", "a/b&c<d>");
        assertThat(ok("/api/streams?app=vod")).isEmpty();

        JsonNode cam = ok("/api/streams/live/_definst_/cam%20one");
        assertThat(cam.get("publisherClientId").asText()).isEqualTo("1");
        assertThat(cam.get("videoCodec").asText()).isEqualTo("H.264");
        assertThat(cam.get("frameRate").asDouble()).isEqualTo(29.97);
        assertThat(cam.get("viewerClientIds").get(0).asText()).isEqualTo("2");

        // A slash in a name: encoded as %2F, or as further path segments.
        assertThat(ok("/api/streams/live/_definst_/a%2Fb%26c%3Cd%3E").get("name").asText()).isEqualTo("a/b&c<d>");
        assertThat(ok("/api/streams/live/_definst_/a/b%26c%3Cd%3E").get("name").asText()).isEqualTo("a/b&c<d>");
        assertThat(ok("/api/streams/live/_definst_/a/b%26c%3Cd%3E").get("publisherClientId").isNull()).isTrue();

        assertThat(error(http.getAuth("/api/streams/live/_definst_/gone"), 404)).contains("gone");
        assertThat(http.getAuth("/api/streams/live").statusCode()).isEqualTo(404);
        assertThat(http.getAuth("/api/streams/live/_definst_").statusCode()).isEqualTo(404);
    }

    @Test
    void stopCallsMonitoring() {
        HttpResponse<String> r = http.postAuth("/api/streams/live/_definst_/cam%20one/stop");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json(r).get("name").asText()).isEqualTo("cam one");
        assertThat(json(r).get("stopped").asBoolean()).isTrue();
        assertThat(http.monitoring.stopped).containsExactly("live|_definst_|cam one");

        assertThat(error(http.postAuth("/api/streams/live/_definst_/cam%20one/stop"), 404)).contains("cam one");
        // GET on the action is a 405 naming POST; POST on a stream without the action too.
        assertThat(http.getAuth("/api/streams/live/_definst_/x/stop").statusCode()).isEqualTo(405);
        assertThat(http.postAuth("/api/streams/live/_definst_/x").statusCode()).isEqualTo(405);
        assertThat(http.monitoring.stopped).containsExactly("live|_definst_|cam one", "live|_definst_|cam one");
    }

    @Test
    void netStreams() {
        JsonNode all = ok("/api/netstreams");
        assertThat(all).hasSize(3);
        JsonNode vod = ok("/api/netstreams?app=vod");
        assertThat(vod).hasSize(1);
        assertThat(vod.get(0).get("mode").asText()).isEqualTo("play");
        assertThat(vod.get(0).get("type").asText()).isEqualTo("vod");
        assertThat(vod.get(0).get("streamId").asInt()).isEqualTo(2);
        assertThat(vod.get(0).get("clientIp").asText()).isEqualTo("10.0.0.7");
    }

    @Test
    void unknownResourcesAndMethods() {
        assertThat(http.getAuth("/api").statusCode()).isEqualTo(404);
        assertThat(http.getAuth("/api/").statusCode()).isEqualTo(404);
        assertThat(http.getAuth("/api/things").statusCode()).isEqualTo(404);
        assertThat(http.getAuth("/api/server/extra").statusCode()).isEqualTo(404);
        HttpResponse<String> delete = http.methodAuth("DELETE", "/api/clients/1");
        assertThat(error(delete, 405)).contains("DELETE");
        assertThat(http.monitoring.kicked).isEmpty();
    }

    @Test
    void historyOldestFirstAndAfterASeq() {
        JsonNode all = ok("/api/history");
        assertThat(all.get("intervalMillis").asLong()).isEqualTo(1000);
        assertThat(all.get("capacity").asInt()).isEqualTo(600);
        JsonNode samples = all.get("samples");
        assertThat(field(samples, "seq")).containsExactly("7", "8", "9");
        JsonNode last = samples.get(2);
        assertThat(last.get("timeMillis").asLong()).isEqualTo(FakeMonitoring.T0 + 3_600_000);
        assertThat(last.get("connections").asInt()).isEqualTo(3);
        assertThat(last.get("bwIn").asLong()).isEqualTo(1_500);
        assertThat(last.get("bwOut").asLong()).isEqualTo(250_000);
        assertThat(last.get("cpuUsage").asDouble()).isEqualTo(-1);
        assertThat(last.get("liveStreams").asInt()).isEqualTo(2);
        assertThat(last.get("liveBitrateIn").asLong()).isEqualTo(2_500_000);
        assertThat(last.get("viewers").asInt()).isEqualTo(1);

        assertThat(field(ok("/api/history?after=0").get("samples"), "seq")).containsExactly("7", "8", "9");
        assertThat(field(ok("/api/history?after=7").get("samples"), "seq")).containsExactly("8", "9");
        assertThat(ok("/api/history?after=9").get("samples")).isEmpty();
        assertThat(ok("/api/history?after=123456789012").get("samples")).isEmpty();

        assertThat(error(http.getAuth("/api/history?after=-1"), 400)).contains("after");
        assertThat(error(http.getAuth("/api/history?after=seven"), 400)).contains("seven");
        assertThat(error(http.getAuth("/api/history?after=1&after=2"), 400)).contains("after");
        assertThat(error(http.getAuth("/api/history?since=1"), 400)).contains("since");
        assertThat(error(http.postAuth("/api/history"), 405)).contains("POST");
        assertThat(http.getAuth("/api/history/extra").statusCode()).isEqualTo(404);
        assertThat(http.get("/api/history").statusCode()).as("credentials required").isEqualTo(401);
    }

    @Test
    void pathSegmentsAreDecodedStrictly() {
        assertThat(AdminRequest.segments("/api/streams/a+b/c%20d/e%2Ff/")).containsExactly("api", "streams", "a+b", "c d", "e/f");
        assertThat(AdminRequest.decodeSegment("%C3%A9t%C3%A9")).isEqualTo("\u00e9t\u00e9");
        assertThatThrownBy(() -> AdminRequest.decodeSegment("%")).isInstanceOf(ApiError.class);
        assertThatThrownBy(() -> AdminRequest.decodeSegment("%4")).isInstanceOf(ApiError.class);
        assertThatThrownBy(() -> AdminRequest.decodeSegment("%FF")).isInstanceOf(ApiError.class);
        AdminRequest r = AdminRequestsForTest.request(HttpMethod.GET, "/x?a=1;2&B=3");
        assertThat(r.param("a")).isEqualTo("1;2");
        assertThat(r.param("b")).isEqualTo("3");
    }

    @Test
    void sameOriginCheck() {
        assertThat(JsonApi.sameOrigin("http://127.0.0.1:8086", "127.0.0.1:8086")).isTrue();
        assertThat(JsonApi.sameOrigin("http://localhost", "localhost:80")).isTrue();
        assertThat(JsonApi.sameOrigin("http://localhost", "localhost")).isTrue();
        assertThat(JsonApi.sameOrigin("http://localhost:8087", "localhost:8086")).isFalse();
        assertThat(JsonApi.sameOrigin("null", "localhost:8086")).isFalse();
        assertThat(JsonApi.sameOrigin("http://localhost:8086", null)).isFalse();
    }
}
