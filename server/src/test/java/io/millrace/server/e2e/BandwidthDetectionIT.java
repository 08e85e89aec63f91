package io.millrace.server.e2e;

import io.millrace.rtmp.client.ClientEvent;
import io.millrace.rtmp.client.RtmpClient;
import io.millrace.rtmp.command.Command;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * FMS's native bandwidth detection as a Flash client sees it, through a link narrowed by
 * {@link ThrottlingProxy}: checkBandwidth, the onBWCheck rounds it must answer, onBWDone with four numbers.
 */
class BandwidthDetectionIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private TestServer server;
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** A Flash-like client whose NetConnection.client defines onBWCheck (returning 0) and onBWDone. */
    private RtmpClient flashClient(int port) throws Exception {
        RtmpClient c = RtmpClient.open("127.0.0.1", port, RtmpClient.Options.flashPlayer());
        open.add(0, c::close);
        c.answer("onBWCheck", cmd -> 0.0);
        return c;
    }

    private static Predicate<ClientEvent> named(String name) {
        return e -> e instanceof ClientEvent.CommandEvent c && c.name().equals(name);
    }

    /** Connects, then calls checkBandwidth; returns onBWDone's command and the onBWCheck calls before it. */
    private static Command checkBandwidth(RtmpClient c, String tcUrl, List<Command> checks) throws Exception {
        c.sendConnect("vod", tcUrl);
        Command plainDone = ((ClientEvent.CommandEvent) c.await(named("onBWDone"), WAIT)).command();
        assertThat(plainDone.arguments()).as("onBWDone after connect, without detection").isEmpty();
        double tid = c.send("checkBandwidth", null);
        while (true) {
            ClientEvent e = c.await(x -> x instanceof ClientEvent.CommandEvent, WAIT);
            Command cmd = ((ClientEvent.CommandEvent) e).command();
            if (cmd.name().equals("_result")) {
                assertThat(cmd.transactionId()).isEqualTo(tid);
            } else if (cmd.name().equals("onBWCheck")) {
                checks.add(cmd);
            } else if (cmd.name().equals("onBWDone")) {
                return cmd;
            }
        }
    }

    private static double number(Command cmd, int index) {
        assertThat(cmd.arg(index)).as("onBWDone argument %d", index).isInstanceOf(Double.class);
        return (Double) cmd.arg(index);
    }

    @Test
    void aClientWhoseDownstreamIs2000KbitMeasuresBetween1000And4000() throws Exception {
        server = TestServer.start();
        ThrottlingProxy proxy = new ThrottlingProxy(server.port(), 2000);
        open.add(proxy);
        RtmpClient c = flashClient(proxy.port());
        List<Command> checks = new ArrayList<>();
        long t0 = System.nanoTime();
        Command done = checkBandwidth(c, server.url("vod"), checks);
        double seconds = (System.nanoTime() - t0) / 1e9;

        assertThat(done.transactionId()).isZero();
        assertThat(done.arguments()).hasSize(4);
        double kbitDown = number(done, 0);
        double deltaDown = number(done, 1);
        double deltaTime = number(done, 2);
        double latency = number(done, 3);
        assertThat(kbitDown).as("kbitDown through a 2000 kbit/s link").isBetween(1000.0, 4000.0);
        assertThat(kbitDown).isEqualTo(Math.round(deltaDown / deltaTime));
        assertThat(latency).isBetween(10.0, 800.0);
        assertThat(deltaTime).as("MaxWait is 2 s; one more block may be under way").isBetween(1.0, 3.5);
        assertThat(seconds).isLessThan(6);
        // The rounds: "" and 16 KB back to back, then 32 KB, 48 KB...; every one was answered before onBWDone.
        assertThat(checks.size()).isGreaterThanOrEqualTo(4);
        assertThat(checks.get(0).arg(0)).isEqualTo("");
        for (int i = 1; i < checks.size(); i++) {
            assertThat(((String) checks.get(i).arg(0)).length()).as("block %d", i).isEqualTo(i * 16384);
        }
        long blockBytes = checks.stream().mapToLong(x -> ((String) x.arg(0)).length()).sum();
        assertThat(deltaDown * 1000 / 8).as("bytes counted: the blocks and their headers")
                .isBetween((double) blockBytes, blockBytes * 1.05 + 2000);

        // The same client without the narrowed link measures far more: the figure follows the link.
        RtmpClient direct = flashClient(server.port());
        Command fast = checkBandwidth(direct, server.url("vod"), new ArrayList<>());
        assertThat(number(fast, 0)).as("kbitDown on loopback").isGreaterThan(20_000.0);
    }

    @Test
    void detectionAtConnectReplacesThePlainOnBWDoneAndCheckbwIsAnswered() throws Exception {
        server = TestServer.start("bandwidthDetection:\n  onConnect: true\n  maxWaitMillis: 500\n");
        RtmpClient c = flashClient(server.port());
        c.sendConnect("live", server.url("live"));
        ClientEvent first = c.await(e -> e instanceof ClientEvent.CommandEvent x && !x.name().equals("_result"), WAIT);
        assertThat(((ClientEvent.CommandEvent) first).name()).isEqualTo("onBWCheck");
        Command done = ((ClientEvent.CommandEvent) c.await(named("onBWDone"), WAIT)).command();
        assertThat(done.arguments()).hasSize(4);
        assertThat(number(done, 0)).isPositive();
        assertThat(c.history()).filteredOn(named("onBWDone")).hasSize(1);

        // librtmp's and ffmpeg's _checkbw gets a _result in every application (not Call.Failed).
        double tid = c.send("_checkbw", null);
        ClientEvent answer = c.await(e -> e instanceof ClientEvent.CommandEvent x && x.command().transactionId() == tid, WAIT);
        assertThat(((ClientEvent.CommandEvent) answer).name()).isEqualTo("_result");
    }

    @Test
    void withDetectionOffCheckBandwidthGetsOnBWDoneWithoutArgumentsAtOnce() throws Exception {
        server = TestServer.start("bandwidthDetection:\n  enabled: false\n");
        RtmpClient c = flashClient(server.port());
        List<Command> checks = new ArrayList<>();
        Command done = checkBandwidth(c, server.url("vod"), checks);
        assertThat(done.arguments()).isEmpty();
        assertThat(checks).isEmpty();
    }
}
