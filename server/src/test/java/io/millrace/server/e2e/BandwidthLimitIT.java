package io.millrace.server.e2e;

import io.millrace.rtmp.client.ClientEvent;
import io.millrace.rtmp.client.RtmpClient;
import io.millrace.rtmp.command.Command;
import io.millrace.server.monitor.ClientStats;
import io.millrace.server.monitor.Monitoring;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Per-client bandwidth limits (FMS's Client.setBandwidthLimit), from the configuration and set at run time,
 * measured by the clients: the server's own bandwidth detection for server-to-client, ffmpeg publishing as
 * fast as it can for client-to-server.
 */
class BandwidthLimitIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private TestServer server;
    private RtmpClient client;

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static <T> T await(String what, Supplier<Optional<T>> probe) throws InterruptedException {
        return Await.until(what, probe);
    }

    /** Runs checkBandwidth on the connected client and returns kbitDown. */
    private double measure() throws Exception {
        client.send("checkBandwidth", null);
        Command done = ((ClientEvent.CommandEvent) client.await(e -> e instanceof ClientEvent.CommandEvent c
                && c.name().equals("onBWDone") && !c.command().arguments().isEmpty(), WAIT)).command();
        return (Double) done.arg(0);
    }

    @Test
    void aLimitSetAtRunTimePacesWhatTheClientIsSent() throws Exception {
        server = TestServer.start();
        Monitoring m = server.monitoring();
        client = RtmpClient.open("127.0.0.1", server.port(), RtmpClient.Options.flashPlayer());
        client.answer("onBWCheck", c -> 0.0);
        client.sendConnect("vod", server.url("vod"));
        ClientStats c = await("the client", () -> m.clients(null, null).stream().findFirst());
        assertThat(c.bandwidthLimitOut()).isZero();
        assertThat(measure()).as("unlimited on loopback").isGreaterThan(20_000.0);

        // 250,000 bytes/s = 2000 kbit/s server to client.
        assertThat(m.setBandwidthLimit(c.clientId(), 250_000, -1)).isTrue();
        await("the limit in the stats", () -> m.client(c.clientId()).filter(x -> x.bandwidthLimitOut() == 250_000));
        assertThat(measure()).as("kbitDown under a 2000 kbit/s limit").isBetween(1000.0, 4000.0);
        assertThat(m.client(c.clientId()).orElseThrow().bandwidthLimitIn()).as("in kept as it was").isZero();

        // 0 lifts it.
        assertThat(m.setBandwidthLimit(c.clientId(), 0, -1)).isTrue();
        await("no limit", () -> m.client(c.clientId()).filter(x -> x.bandwidthLimitOut() == 0));
        assertThat(measure()).isGreaterThan(20_000.0);
        assertThat(m.setBandwidthLimit("no-such-client", 1, 1)).isFalse();
    }

    @Test
    void aConfiguredInboundLimitSlowsAPublisherThatSendsAsFastAsItCan() throws Exception {
        // 40,000 bytes/s in: the 360 KB sample, which ffmpeg without -re sends in well under a second, takes 9 s,
        // less what the socket buffers hold: the server reads a closing socket to its end at once.
        server = TestServer.start("clients:\n  bandwidthLimitIn: 40000\n");
        Monitoring m = server.monitoring();
        long t0 = System.nanoTime();
        CompletableFuture<RealClients.Result> publish = RealClients.async(60, RealClients.require("ffmpeg"),
                "-hide_banner", "-loglevel", "error", "-i", TestServer.sampleFlv().toString(), "-c", "copy", "-f", "flv",
                server.url("live/fast"));
        // Twice, 2 s apart: bwIn is the rate over the last 5 s (Netty's ChannelTrafficShapingHandler averaged 75 KB/s here).
        for (int seconds : new int[] {3, 5}) {
            ClientStats c = await("the publisher after " + seconds + " s", () -> m.clients("live", null).stream()
                    .findFirst().filter(x -> System.currentTimeMillis() - x.connectTimeMillis() >= seconds * 1000L));
            assertThat(c.bandwidthLimitIn()).isEqualTo(40_000);
            assertThat(c.bwIn()).as("bytes/s the publisher got through after %d s", seconds).isBetween(32_000L, 48_000L);
        }
        String id = m.clients("live", null).get(0).clientId();
        RealClients.Result r = publish.get();
        assertThat(r.exitCode()).as("ffmpeg: %s", r).isZero();
        // ffmpeg is done once the socket buffers take the rest; the server reads it at the limit's pace.
        await("the publisher's disconnect", () -> m.client(id).isEmpty() ? Optional.of(true) : Optional.empty());
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(seconds).as("370 KB (the file and RTMP's headers) at 40 KB/s, less the socket buffer read at the end")
                .isBetween(5.5, 20.0);
    }

    @Test
    void anInboundLimitSetAtRunTimePacesAPublisherAlreadySendingAtFullSpeed() throws Exception {
        server = TestServer.start();
        Monitoring m = server.monitoring();
        // The sample 30 times over (about 11 MB), as fast as ffmpeg can send it.
        CompletableFuture<RealClients.Result> publish = RealClients.async(60, RealClients.require("ffmpeg"),
                "-hide_banner", "-loglevel", "error", "-stream_loop", "30", "-i", TestServer.sampleFlv().toString(),
                "-c", "copy", "-f", "flv", server.url("live/loop"));
        ClientStats c = await("the publisher", () -> m.clients("live", null).stream().findFirst());
        assertThat(m.setBandwidthLimit(c.clientId(), -1, 40_000)).isTrue();
        long set = System.nanoTime();
        ClientStats later = await("6 s under the limit", () -> System.nanoTime() - set > 6_000_000_000L
                ? m.client(c.clientId()) : Optional.empty());
        assertThat(later.bandwidthLimitIn()).isEqualTo(40_000);
        assertThat(later.bwIn()).as("bytes/s over the last 5 s").isBetween(32_000L, 48_000L);
        assertThat(m.kick(c.clientId())).isTrue();
        publish.get();
    }
}
