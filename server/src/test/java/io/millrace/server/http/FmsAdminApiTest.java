package io.millrace.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.millrace.server.http.HttpTestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

/** The FMS Administration API over HTTP: each command's JSON, a few in XML, and the errors. */
class FmsAdminApiTest {

    /** {@link HttpTestServer#NOW} as FMS on Linux wrote dates; T0 was a Tuesday, 22:13:20 UTC. */
    private static final String NOW_TEXT = "Tue 14 Nov 2023 11:13:20 PM UTC";

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
        JsonNode body = json(r);
        assertThat(body.get("level").asText()).isEqualTo("status");
        assertThat(body.get("code").asText()).isEqualTo("NetConnection.Call.Success");
        assertThat(body.get("timestamp").asText()).isEqualTo(NOW_TEXT);
        return body.get("data");
    }

    private JsonNode error(String pathAndQuery, int status, String code) {
        HttpResponse<String> r = http.getAuth(pathAndQuery);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode body = json(r);
        assertThat(body.get("level").asText()).isEqualTo("error");
        assertThat(body.get("code").asText()).isEqualTo(code);
        assertThat(body.get("timestamp").asText()).isEqualTo(NOW_TEXT);
        assertThat(body.has("data")).isFalse();
        return body.get("description");
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void ping() {
        HttpResponse<String> r = http.getAuth("/admin/ping");
        assertThat(json(r).fieldNames()).toIterable().containsExactly("level", "code", "timestamp");
        assertThat(ok("/admin/ping")).isNull();
    }

    @Test
    void getServerStats() {
        JsonNode d = ok("/admin/getServerStats");
        assertThat(d.get("launchTime").asText()).isEqualTo("Tue 14 Nov 2023 10:13:20 PM UTC");
        assertThat(d.get("up_time").asLong()).isEqualTo(3600);
        assertThat(d.get("cpu_Usage").asLong()).isEqualTo(25);
        assertThat(d.get("memory_Usage").asLong()).isEqualTo(10); // 100 MB of 1 GB
        assertThat(d.get("num_cores").asInt()).isEqualTo(2);
        assertThat(d.get("server_version").asText()).isEqualTo("0.1.0-test");
        assertThat(d.get("live_streams").asInt()).isEqualTo(2);
        JsonNode io = d.get("io");
        assertThat(io.get("bytes_in").asLong()).isEqualTo(123_456_789L);
        assertThat(io.get("bytes_out").asLong()).isEqualTo(987_654_321L);
        assertThat(io.get("bw_in").asLong()).isEqualTo(1_500);
        assertThat(io.get("bw_out").asLong()).isEqualTo(250_000);
        assertThat(io.get("msg_dropped").asLong()).isEqualTo(7);
        assertThat(io.get("connected").asInt()).isEqualTo(3);
        assertThat(io.get("total_connects").asLong()).isEqualTo(42);
        assertThat(io.get("total_disconnects").asLong()).isEqualTo(39);
        assertThat(io.get("rejected").asLong()).isEqualTo(5);
    }

    @Test
    void getAppsPlainAndVerbose() {
        assertThat(texts(ok("/admin/getApps"))).containsExactly("live", "vod");
        JsonNode verbose = ok("/admin/getApps?verbose=true");
        assertThat(verbose).hasSize(2);
        assertThat(verbose.get(1).get("name").asText()).isEqualTo("vod");
        assertThat(verbose.get(1).get("accepted").asLong()).isEqualTo(20);
        assertThat(error("/admin/getApps?verbose=maybe", 400, "NetConnection.Admin.CommandFailed").asText())
                .contains("verbose");
    }

    @Test
    void getAppStats() {
        JsonNode d = ok("/admin/getAppStats?app=live");
        assertThat(d.get("type").asText()).isEqualTo("live");
        assertThat(d.get("connected").asInt()).isEqualTo(2);
        assertThat(d.get("accepted").asLong()).isEqualTo(10);
        assertThat(d.get("rejected").asLong()).isEqualTo(1);
        assertThat(d.get("total_connects").asLong()).isEqualTo(11);
        assertThat(d.get("total_disconnects").asLong()).isEqualTo(8);
        assertThat(d.get("bytes_in").asLong()).isEqualTo(5_000);
        assertThat(d.get("bytes_out").asLong()).isEqualTo(70_000);
        assertThat(d.get("bw_in").asLong()).isEqualTo(100);
        assertThat(d.get("bw_out").asLong()).isEqualTo(2_000);
        assertThat(d.get("msg_in").asLong()).isEqualTo(50);
        assertThat(d.get("msg_out").asLong()).isEqualTo(60);
        assertThat(d.get("msg_dropped").asLong()).isEqualTo(4);
        assertThat(d.get("launch_time").asText()).isEqualTo("Tue 14 Nov 2023 10:13:21 PM UTC");
        assertThat(d.get("up_time").asLong()).isEqualTo(3599);
        assertThat(d.get("active_instances").asInt()).isEqualTo(1);
        assertThat(error("/admin/getAppStats", 400, "NetConnection.Admin.CommandFailed").asText())
                .isEqualTo("missing parameter: app");
        assertThat(error("/admin/getAppStats?app=nope", 404, "NetConnection.Admin.CommandFailed").asText())
                .contains("nope");
        assertThat(error("/admin/getAppStats?app=live&app=vod", 400, "NetConnection.Admin.CommandFailed").asText())
                .contains("app");
    }

    @Test
    void getActiveInstancesAndInstanceStats() {
        assertThat(texts(ok("/admin/getActiveInstances"))).containsExactly("live/_definst_", "vod/_definst_");
        JsonNode d = ok("/admin/getInstanceStats?appInst=vod/_definst_");
        assertThat(d.get("name").asText()).isEqualTo("vod/_definst_");
        assertThat(d.get("connected").asInt()).isEqualTo(1);
        assertThat(d.get("total_connects").asLong()).isEqualTo(24);
        assertThat(d.get("bytes_out").asLong()).isEqualTo(90_000);
        // A bare application name means its default instance, as in FMS; parameter names ignore case.
        assertThat(ok("/admin/getinstancestats?APPINST=vod").get("name").asText()).isEqualTo("vod/_definst_");
        assertThat(error("/admin/getInstanceStats?appInst=vod/other", 404, "NetConnection.Admin.CommandFailed")
                .asText()).contains("vod/other");
        assertThat(error("/admin/getInstanceStats?appInst=/x", 400, "NetConnection.Admin.CommandFailed")
                .asText()).contains("appInst");
        assertThat(error("/admin/getInstanceStats", 400, "NetConnection.Admin.CommandFailed").asText())
                .isEqualTo("missing parameter: appInst");
    }

    @Test
    void getLiveStreamsAndStats() {
        assertThat(texts(ok("/admin/getLiveStreams?appInst=live/_definst_"))).containsExactly("cam one", "a/b&c<d>");

        JsonNode d = ok("/admin/getLiveStreamStats?appInst=live&stream=" + enc("cam one"));
        JsonNode publisher = d.get("publisher");
        assertThat(publisher.get("name").asText()).isEqualTo("cam one");
        assertThat(publisher.get("type").asText()).isEqualTo("publishing");
        assertThat(publisher.get("client").asText()).isEqualTo("1");
        assertThat(publisher.get("stream_id").asInt()).isEqualTo(1);
        assertThat(publisher.get("client_type").asText()).isEqualTo("normal");
        assertThat(publisher.get("publish_time").asText()).isEqualTo("Tue 14 Nov 2023 10:13:30 PM UTC");
        assertThat(publisher.get("time").asText()).isEqualTo(publisher.get("publish_time").asText());
        assertThat(d.get("subscribers")).hasSize(1);
        assertThat(d.get("subscribers").get(0).get("client").asText()).isEqualTo("2");
        assertThat(d.get("subscribers").get(0).get("subscribe_time").asText()).isEqualTo("Tue 14 Nov 2023 10:13:40 PM UTC");
        assertThat(d.get("video_codec").asText()).isEqualTo("H.264");
        assertThat(d.get("width").asInt()).isEqualTo(1280);
        assertThat(d.get("frame_rate").asDouble()).isEqualTo(29.97);
        assertThat(d.get("bitrate_in").asLong()).isEqualTo(2_500_000);
        assertThat(d.get("viewers").asInt()).isEqualTo(1);

        JsonNode waiting = ok("/admin/getLiveStreamStats?appInst=live&stream=" + enc("a/b&c<d>"));
        assertThat(waiting.has("publisher")).isFalse();
        assertThat(waiting.get("subscribers")).isEmpty();

        assertThat(error("/admin/getLiveStreamStats?appInst=live", 400, "NetConnection.Admin.CommandFailed").asText())
                .isEqualTo("missing parameter: stream");
        assertThat(error("/admin/getLiveStreamStats?appInst=live&stream=gone", 404, "NetConnection.Admin.CommandFailed")
                .asText()).contains("gone");
    }

    @Test
    void getNetStreamsAndStats() {
        assertThat(texts(ok("/admin/getNetStreams?appInst=live/_definst_"))).containsExactly("1:1", "2:1");
        JsonNode all = ok("/admin/getNetStreamStats?appInst=live&streamids=-1");
        assertThat(all).hasSize(2);
        assertThat(all.get(0).get("id").asText()).isEqualTo("1:1");
        assertThat(all.get(0).get("type").asText()).isEqualTo("publishing");
        assertThat(all.get(1).get("type").asText()).isEqualTo("playing live");
        assertThat(all.get(1).get("client").asText()).isEqualTo("2");
        assertThat(all.get(1).get("streamid").asInt()).isEqualTo(1);
        assertThat(all.get(1).get("client_ip").asText()).isEqualTo("10.0.0.6");
        assertThat(all.get(1).get("time").asText()).isEqualTo("Tue 14 Nov 2023 10:13:40 PM UTC");

        JsonNode one = ok("/admin/getNetStreamStats?appInst=live&streamids=2:1,9:9");
        assertThat(one).hasSize(1);
        assertThat(one.get(0).get("name").asText()).isEqualTo("cam one");
        JsonNode vod = ok("/admin/getNetStreamStats?appInst=vod&streamids=" + enc("[3:2]"));
        assertThat(vod.get(0).get("type").asText()).isEqualTo("play recorded");

        assertThat(error("/admin/getNetStreamStats?appInst=live&streamids=abc", 400,
                "NetConnection.Admin.CommandFailed").asText()).contains("streamids");
        assertThat(error("/admin/getNetStreamStats?appInst=live", 400, "NetConnection.Admin.CommandFailed").asText())
                .isEqualTo("missing parameter: streamids");
    }

    @Test
    void getUsersAndUserStats() {
        assertThat(texts(ok("/admin/getUsers?appInst=live"))).containsExactly("1", "2");
        JsonNode d = ok("/admin/getUserStats?appInst=live/_definst_&userid=2");
        assertThat(d.get("client_id").asText()).isEqualTo("2");
        assertThat(d.get("connect_time").asText()).isEqualTo("Tue 14 Nov 2023 10:13:25 PM UTC");
        assertThat(d.get("protocol").asText()).isEqualTo("rtmp");
        assertThat(d.get("ip").asText()).isEqualTo("10.0.0.6");
        assertThat(d.get("bytes_in").asLong()).isEqualTo(2_000);
        assertThat(d.get("bytes_out").asLong()).isEqualTo(3_000_000);
        assertThat(d.get("msg_in").asLong()).isEqualTo(11);
        assertThat(d.get("msg_out").asLong()).isEqualTo(22);
        assertThat(d.get("msg_dropped").asLong()).isEqualTo(1);
        assertThat(d.get("ping_rtt").asLong()).isEqualTo(35);
        assertThat(d.get("bw_in").asLong()).isEqualTo(800);
        assertThat(d.get("bw_out").asLong()).isEqualTo(250_000);
        assertThat(d.get("msg_queue").get("audio").asLong()).isEqualTo(3);
        assertThat(d.get("msg_queue").get("video").asLong()).isEqualTo(4);
        assertThat(d.get("video_queue_bytes").asLong()).isEqualTo(4_000);
        assertThat(d.get("data_queue_bytes").asLong()).isEqualTo(512);
        assertThat(d.get("dropped_video_bytes").asLong()).isEqualTo(8_000);
        assertThat(d.get("bandwidth_limit_out").asLong()).isEqualTo(1_000_000);
        assertThat(d.get("flash_ver").asText()).isEqualTo("LNX 9,0,124,2");
        assertThat(d.get("stream_ids")).hasSize(1);
        assertThat(d.get("stream_ids").get(0).asInt()).isEqualTo(1);
        // The brief's spelling userId works too (parameter names ignore case).
        assertThat(ok("/admin/getUserStats?appInst=live&userId=1").get("client_id").asText()).isEqualTo("1");
        // Client 3 exists, but not in live/_definst_.
        assertThat(error("/admin/getUserStats?appInst=live&userid=3", 404, "NetConnection.Admin.CommandFailed")
                .asText()).contains("3");
        assertThat(error("/admin/getUserStats?appInst=live", 400, "NetConnection.Admin.CommandFailed").asText())
                .isEqualTo("missing parameter: userid");
    }

    @Test
    void unknownCommandAndBadFormat() {
        assertThat(error("/admin/reboot", 404, "NetConnection.Call.Failed").asText()).contains("reboot");
        assertThat(error("/admin", 404, "NetConnection.Call.Failed").asText()).contains("/admin/ping");
        assertThat(error("/admin/ping/more", 404, "NetConnection.Call.Failed").asText()).contains("ping/more");
        assertThat(error("/admin/ping?format=yaml", 400, "NetConnection.Admin.CommandFailed").asText()).contains("yaml");
    }

    // ---- XML ---------------------------------------------------------------------------------------

    private Element xml(String pathAndQuery, int status) throws Exception {
        HttpResponse<String> r = http.getAuth(pathAndQuery);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).contains("text/xml; charset=utf-8");
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(r.body().getBytes(StandardCharsets.UTF_8)));
        Element root = doc.getDocumentElement();
        assertThat(root.getTagName()).isEqualTo("result");
        return root;
    }

    private static Element child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e;
            }
        }
        return null;
    }

    private static List<String> childNames(Element parent) {
        List<String> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                out.add(e.getTagName());
            }
        }
        return out;
    }

    @Test
    void xmlArraysAreNumberedElementsAndTextIsEscaped() throws Exception {
        Element apps = xml("/admin/getApps?format=xml", 200);
        assertThat(childNames(apps)).containsExactly("level", "code", "timestamp", "data");
        assertThat(child(apps, "level").getTextContent()).isEqualTo("status");
        assertThat(child(apps, "code").getTextContent()).isEqualTo("NetConnection.Call.Success");
        assertThat(child(apps, "timestamp").getTextContent()).isEqualTo(NOW_TEXT);
        Element data = child(apps, "data");
        assertThat(childNames(data)).containsExactly("_0", "_1");
        assertThat(child(data, "_0").getTextContent()).isEqualTo("live");
        assertThat(child(data, "_1").getTextContent()).isEqualTo("vod");

        Element streams = xml("/admin/getLiveStreams?appInst=live&format=xml", 200);
        assertThat(child(child(streams, "data"), "_1").getTextContent()).isEqualTo("a/b&c<d>");
    }

    @Test
    void xmlNestedObjects() throws Exception {
        Element r = xml("/admin/getLiveStreamStats?appInst=live&stream=" + enc("cam one") + "&format=XML", 200);
        Element data = child(r, "data");
        Element publisher = child(data, "publisher");
        assertThat(child(publisher, "client").getTextContent()).isEqualTo("1");
        assertThat(child(publisher, "type").getTextContent()).isEqualTo("publishing");
        Element sub = child(child(data, "subscribers"), "_0");
        assertThat(child(sub, "client").getTextContent()).isEqualTo("2");
        assertThat(child(data, "frame_rate").getTextContent()).isEqualTo("29.97");

        Element server = xml("/admin/getServerStats?format=xml", 200);
        assertThat(child(child(child(server, "data"), "io"), "bytes_in").getTextContent()).isEqualTo("123456789");
    }

    @Test
    void xmlErrorsHaveDescriptionAndNoData() throws Exception {
        Element r = xml("/admin/getUserStats?appInst=live&format=xml", 400);
        assertThat(childNames(r)).containsExactly("level", "code", "description", "timestamp");
        assertThat(child(r, "level").getTextContent()).isEqualTo("error");
        assertThat(child(r, "description").getTextContent()).isEqualTo("missing parameter: userid");

        HttpResponse<String> denied = http.get("/admin/ping?format=xml&auser=admin&apswd=wrong");
        assertThat(denied.statusCode()).isEqualTo(401);
        assertThat(denied.body()).contains("<code>NetConnection.Connect.Rejected</code>");
    }
}
