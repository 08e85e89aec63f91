package io.millrace.server.e2e;

import com.sun.net.httpserver.HttpServer;
import io.millrace.rtmp.client.ClientEvent;
import io.millrace.rtmp.client.RtmpClient;
import io.millrace.server.monitor.Monitoring;
import io.millrace.server.security.StreamTokens;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who may connect, publish and play, with real encoders: ffmpeg through the authmod=adobe challenge, signed
 * tokens in stream names, nginx-rtmp-style HTTP callbacks, address lists and FMS's allowed domains.
 */
class AccessControlIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private TestServer server;
    private HttpServer callbacks;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (callbacks != null) {
            callbacks.stop(0);
        }
    }

    /** ffmpeg publishing the sample (not in real time: a publish either starts and completes or is refused). */
    private static RealClients.Result publish(String url) throws Exception {
        return RealClients.run(60, RealClients.require("ffmpeg"), "-hide_banner", "-loglevel", "error",
                "-i", TestServer.sampleFlv().toString(), "-c", "copy", "-f", "flv", url);
    }

    private boolean wasLive(String name) throws Exception {
        // The access log has the publish line of every publication that started.
        Thread.sleep(300);
        return AccessLogFiles.events(server.data().resolve("logs")).stream().anyMatch(e -> e.get("x-event").equals("publish")
                && e.get("x-status").equals("200") && e.get("x-sname").equals(name));
    }

    @Test
    void ffmpegPassesTheAdobeChallengeWithTheRightPasswordOnly() throws Exception {
        server = TestServer.start("applications:\n  live:\n    type: live\n    security:\n      adobeUsers:\n"
                + "        encoder: s3cret\n");
        String host = "127.0.0.1:" + server.port();
        RealClients.Result good = publish("rtmp://encoder:s3cret@" + host + "/live/good");
        assertThat(good.exitCode()).as("ffmpeg with the right password: %s", good).isZero();
        assertThat(wasLive("good")).isTrue();

        RealClients.Result wrong = publish("rtmp://encoder:guess@" + host + "/live/wrong");
        assertThat(wrong.exitCode()).as("ffmpeg with a wrong password").isNotZero();
        assertThat(wrong.stderr()).contains("Incorrect username/password");
        RealClients.Result stranger = publish("rtmp://mallory:s3cret@" + host + "/live/stranger");
        assertThat(stranger.exitCode()).isNotZero();
        assertThat(stranger.stderr()).contains("Incorrect username");
        RealClients.Result none = publish("rtmp://" + host + "/live/none");
        assertThat(none.exitCode()).as("ffmpeg without credentials").isNotZero();
        assertThat(wasLive("wrong") || wasLive("stranger") || wasLive("none")).isFalse();

        // A player (not an encoder) connects without the challenge and plays.
        try (RtmpClient c = RtmpClient.open("127.0.0.1", server.port(), RtmpClient.Options.flashPlayer())) {
            c.sendConnect("live", server.url("live"));
            ClientEvent.CommandEvent r = (ClientEvent.CommandEvent) c.await(e -> e instanceof ClientEvent.CommandEvent x
                    && (x.name().equals("_result") || x.name().equals("_error")), WAIT);
            assertThat(r.code()).isEqualTo("NetConnection.Connect.Success");
        }
    }

    @Test
    void aSignedTokenPublishesUntilItExpiresAndAWrongOneNever() throws Exception {
        server = TestServer.start("applications:\n  live:\n    type: live\n    security:\n      publish:\n"
                + "        tokenSecret: t0ken-secret\n");
        long now = System.currentTimeMillis() / 1000;
        String fresh = "show?expires=" + (now + 300) + "&token=" + StreamTokens.sign("t0ken-secret", "publish", "live", "show", now + 300);
        RealClients.Result ok = publish(server.url("live/" + fresh));
        assertThat(ok.exitCode()).as("a fresh token: %s", ok).isZero();
        assertThat(wasLive("show")).isTrue();

        String expired = "old?expires=" + (now - 10) + "&token=" + StreamTokens.sign("t0ken-secret", "publish", "live", "old", now - 10);
        assertThat(publish(server.url("live/" + expired)).exitCode()).as("an expired token").isNotZero();
        String forged = "forged?expires=" + (now + 300) + "&token=" + StreamTokens.sign("other-secret", "publish", "live", "forged", now + 300);
        assertThat(publish(server.url("live/" + forged)).exitCode()).as("a token signed with another secret").isNotZero();
        assertThat(publish(server.url("live/bare")).exitCode()).as("no token").isNotZero();
        assertThat(wasLive("old") || wasLive("forged") || wasLive("bare")).isFalse();

        // What the client is told, with the reason.
        LivePeer p = LivePeer.connect(server, RtmpClient.Options.plain());
        try {
            p.publishFmle(expired, "live");
            ClientEvent.CommandEvent s = p.awaitStatus("NetStream.Publish.Denied");
            assertThat(s.info().getString("description")).contains("expired");
        } finally {
            p.client.close();
        }
    }

    @Test
    void callbacksAllowRenameAndRefuse() throws Exception {
        List<Map<String, String>> calls = new CopyOnWriteArrayList<>();
        callbacks = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        callbacks.createContext("/", ex -> {
            Map<String, String> f = form(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            f.put("path", ex.getRequestURI().getPath());
            calls.add(f);
            String name = f.getOrDefault("name", "");
            int code = 200;
            if (ex.getRequestURI().getPath().equals("/publish")) {
                if (name.equals("old")) {
                    ex.getResponseHeaders().add("Location", "renamed");
                    code = 302;
                } else if (name.equals("bad")) {
                    code = 403;
                } else if (name.equals("slow")) {
                    try {
                        Thread.sleep(3000); // past the 1 s timeout: refused (fail closed)
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
            ex.sendResponseHeaders(code, -1);
            ex.close();
        });
        callbacks.start();
        String base = "http://127.0.0.1:" + callbacks.getAddress().getPort();
        server = TestServer.start("security:\n  callbackTimeoutMillis: 1000\napplications:\n  live:\n    type: live\n"
                + "    security:\n      connect:\n        callback: " + base + "/connect\n      publish:\n        callback: "
                + base + "/publish\n      doneCallback: " + base + "/done\n");
        Monitoring m = server.monitoring();

        assertThat(publish(server.url("live/good?k=v")).exitCode()).isZero();
        assertThat(wasLive("good")).isTrue();
        assertThat(publish(server.url("live/old")).exitCode()).as("renamed, and published").isZero();
        assertThat(wasLive("renamed")).as("the 302's Location is the new name").isTrue();
        assertThat(wasLive("old")).isFalse();
        assertThat(publish(server.url("live/bad")).exitCode()).as("a 403").isNotZero();
        assertThat(publish(server.url("live/slow")).exitCode()).as("no answer in time").isNotZero();
        assertThat(wasLive("bad") || wasLive("slow")).isFalse();

        Map<String, String> first = calls.stream().filter(c -> c.get("path").equals("/publish")).findFirst().orElseThrow();
        assertThat(first).containsEntry("call", "publish").containsEntry("app", "live").containsEntry("name", "good")
                .containsEntry("args", "k=v").containsEntry("addr", "127.0.0.1");
        assertThat(first.get("flashver")).startsWith("FMLE/");
        assertThat(calls).anySatisfy(c -> assertThat(c).containsEntry("path", "/connect").containsEntry("call", "connect"));
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (calls.stream().noneMatch(c -> "publish_done".equals(c.get("call"))) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(calls).anySatisfy(c -> assertThat(c).containsEntry("path", "/done").containsEntry("call", "publish_done")
                .containsEntry("name", "good"));
        assertThat(m.liveStreams("live", null)).isEmpty();
    }

    private static Map<String, String> form(String body) {
        return java.util.Arrays.stream(body.split("&")).filter(p -> !p.isEmpty()).map(p -> p.split("=", 2))
                .collect(Collectors.toMap(p -> URLDecoder.decode(p[0], StandardCharsets.UTF_8),
                        p -> p.length > 1 ? URLDecoder.decode(p[1], StandardCharsets.UTF_8) : "",
                        (a, b) -> a, java.util.LinkedHashMap::new));
    }

    @Test
    void addressListsAndDomainsRefuseWithAClearStatus() throws Exception {
        server = TestServer.start("applications:\n  vod:\n    type: vod\n    security:\n      allowedHtmlDomains: example.com\n"
                + "  live:\n    type: live\n    security:\n      play:\n        deny: 127.0.0.0/8\n");
        // vod: a page from another site is refused at connect, one from example.com (a subdomain) is not.
        assertThat(connect("vod", "http://evil.org/player.html").code()).isEqualTo("NetConnection.Connect.Rejected");
        assertThat(connect("vod", "http://www.example.com/player.html").code()).isEqualTo("NetConnection.Connect.Success");
        // live: connecting is fine, playing from loopback is not; rtmpdump gets Play.Failed and gives up.
        assertThat(connect("live", null).code()).isEqualTo("NetConnection.Connect.Success");
        RealClients.Result r = RealClients.run(30, RealClients.require("rtmpdump"), "-r", server.url("live/any"), "-v",
                "-o", server.data().resolve("x.flv").toString());
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.stderr()).contains("NetStream.Play.Failed");
    }

    private ClientEvent.CommandEvent connect(String app, String pageUrl) throws Exception {
        RtmpClient.Options o = RtmpClient.Options.flashPlayer();
        if (pageUrl != null) {
            o = new RtmpClient.Options(o.digestHandshake(), o.objectEncoding(), o.flashVer(), o.swfUrl(), pageUrl, o.timeout());
        }
        try (RtmpClient c = RtmpClient.open("127.0.0.1", server.port(), o)) {
            c.sendConnect(app, server.url(app));
            ClientEvent.CommandEvent r = (ClientEvent.CommandEvent) c.await(e -> e instanceof ClientEvent.CommandEvent x
                    && (x.name().equals("_result") || x.name().equals("_error")), WAIT);
            if (r.name().equals("_error")) {
                assertThat(r.info().getString("description")).isNotBlank();
            }
            return r;
        } catch (IOException e) {
            throw e;
        }
    }
}
