package io.millrace.server.e2e;

import io.millrace.amf.AmfObject;
import io.millrace.rtmp.client.ClientEvent;
import io.millrace.rtmp.client.RtmpClient;
import io.millrace.rtmp.control.StreamBegin;
import io.millrace.rtmp.control.StreamEof;
import io.millrace.rtmp.control.StreamIsRecorded;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client built on Millrace's own rtmp module that behaves as Flash Player does (digest handshake,
 * objectEncoding 3, AMF3 command envelope) asserts, message by message, what the server answers for
 * connect, createStream, play, seek, pause, unpause and the end of the file.
 */
class FlashPlayerSequenceIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private TestServer server;
    private RtmpClient client;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start();
        client = RtmpClient.open("127.0.0.1", server.port(), RtmpClient.Options.flashPlayer());
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void connectPlaySeekPauseUnpauseAndComplete() throws Exception {
        assertThat(client.handshakeResult().digest()).as("digest handshake answered in kind").isTrue();

        // connect: StreamBegin(0), then _result with the FMS properties and info, then onBWDone.
        double connectTid = client.sendConnect("vod", server.url("vod"));
        assertThat(userControl(next())).isEqualTo(new StreamBegin(0));
        ClientEvent.CommandEvent result = command(next());
        assertThat(result.name()).isEqualTo("_result");
        assertThat(result.command().transactionId()).isEqualTo(connectTid);
        AmfObject props = (AmfObject) result.command().commandObject();
        assertThat(props.getString("fmsVer")).startsWith("FMS/");
        assertThat(props.getNumber("capabilities", 0)).isEqualTo(31);
        assertThat(props.getNumber("mode", 0)).isEqualTo(1);
        AmfObject info = result.info();
        assertThat(info.getString("level")).isEqualTo("status");
        assertThat(info.getString("code")).isEqualTo("NetConnection.Connect.Success");
        assertThat(info.getString("description")).isNotBlank();
        assertThat(((Number) info.get("objectEncoding")).intValue()).isEqualTo(3);
        // An AMF0 ECMA array travels in AMF3 as an Array with only an associative part.
        assertThat(info.get("data")).isInstanceOf(io.millrace.amf.AmfArray.class);
        assertThat(((io.millrace.amf.AmfArray) info.get("data")).associative().get("version")).isEqualTo("3,5,7,7009");
        assertThat(command(next()).name()).isEqualTo("onBWDone");

        // createStream -> _result with stream id 1
        double csTid = client.send("createStream", null);
        ClientEvent.CommandEvent created = command(next());
        assertThat(created.name()).isEqualTo("_result");
        assertThat(created.command().transactionId()).isEqualTo(csTid);
        assertThat(((Number) created.command().arg(0)).intValue()).isEqualTo(1);

        // play: the FMS start sequence, then media from a keyframe at 0.
        client.setBufferLength(1, 2000);
        client.notify(1, "play", "sample", -2.0, -1.0, true);
        assertThat(userControl(next())).isEqualTo(new StreamIsRecorded(1));
        assertThat(userControl(next())).isEqualTo(new StreamBegin(1));
        assertStatus(next(), "NetStream.Play.Reset", 1);
        ClientEvent.CommandEvent playStart = assertStatus(next(), "NetStream.Play.Start", 1);
        assertThat(playStart.info().getString("details")).isEqualTo("sample");
        assertThat(data(next()).name()).isEqualTo("|RtmpSampleAccess");
        ClientEvent.Data dataStart = data(next());
        assertThat(dataStart.data().name()).isEqualTo("onStatus");
        assertThat(((AmfObject) dataStart.data().value(0)).getString("code")).isEqualTo("NetStream.Data.Start");
        ClientEvent.Data meta = data(next());
        assertThat(meta.data().name()).isEqualTo("onMetaData");
        java.util.Map<?, ?> metadata = (java.util.Map<?, ?>) meta.data().value(0);
        assertThat(((Number) metadata.get("duration")).doubleValue()).isCloseTo(10.0, org.assertj.core.data.Offset.offset(0.1));
        assertThat(((Number) metadata.get("width")).intValue()).isEqualTo(640);
        assertThat(((Number) metadata.get("height")).intValue()).isEqualTo(360);
        ClientEvent.Media videoConfig = media(next());
        assertThat(videoConfig.isVideo() && videoConfig.isSequenceHeader()).isTrue();
        ClientEvent.Media audioConfig = media(next());
        assertThat(audioConfig.isAudio() && audioConfig.isSequenceHeader()).isTrue();
        List<ClientEvent.Media> firstMedia = new ArrayList<>();
        ClientEvent.Media m;
        do {
            m = media(next());
            firstMedia.add(m);
        } while (m.timestamp() < 1500);
        ClientEvent.Media firstVideo = firstMedia.stream().filter(ClientEvent.Media::isVideo).findFirst().orElseThrow();
        assertThat(firstVideo.isKeyframe()).isTrue();
        assertThat(firstVideo.timestamp()).isZero();
        assertMonotonic(firstMedia);

        // seek(5000): Seek.Notify, Play.Start, onMetaData again, headers, media from the keyframe at 4 s.
        client.notify(1, "seek", 5000.0);
        client.await(e -> e instanceof ClientEvent.CommandEvent c && "NetStream.Seek.Notify".equals(c.code()), WAIT);
        assertStatus(next(), "NetStream.Play.Start", 1);
        assertThat(data(next()).name()).isEqualTo("onMetaData");
        ClientEvent.Media seekVideoConfig = media(next());
        assertThat(seekVideoConfig.isSequenceHeader()).isTrue();
        assertThat(seekVideoConfig.timestamp()).isEqualTo(4000);
        assertThat(media(next()).isSequenceHeader()).isTrue();
        List<ClientEvent.Media> afterSeek = new ArrayList<>();
        do {
            m = media(next());
            afterSeek.add(m);
        } while (m.timestamp() < 6000);
        ClientEvent.Media firstAfterSeek = afterSeek.stream().filter(ClientEvent.Media::isVideo).findFirst().orElseThrow();
        assertThat(firstAfterSeek.isKeyframe()).isTrue();
        assertThat(firstAfterSeek.timestamp()).isEqualTo(4000);
        assertThat(afterSeek.stream().mapToLong(ClientEvent.Media::timestamp).min().orElseThrow()).isGreaterThanOrEqualTo(3900);

        // pause: Pause.Notify, then no more media.
        client.notify(1, "pause", true, 6000.0);
        client.await(e -> e instanceof ClientEvent.CommandEvent c && "NetStream.Pause.Notify".equals(c.code()), WAIT);
        long lastBeforePause = lastMediaTimestamp();
        Thread.sleep(1500);
        assertThat(client.history().stream().skip(client.history().size() - 1).toList())
                .as("nothing after Pause.Notify").allMatch(e -> e instanceof ClientEvent.CommandEvent);
        assertThat(lastMediaTimestamp()).isEqualTo(lastBeforePause);

        // unpause: StreamBegin, Unpause.Notify, media resumes after where it stopped.
        client.notify(1, "pause", false, 6000.0);
        assertThat(userControl(next())).isEqualTo(new StreamBegin(1));
        assertStatus(next(), "NetStream.Unpause.Notify", 1);
        ClientEvent.Media resumed = media(next());
        assertThat(resumed.timestamp()).isGreaterThanOrEqualTo(lastBeforePause);

        // The end: onPlayStatus Play.Complete, StreamEOF, Play.Stop.
        ClientEvent complete = client.await(e -> e instanceof ClientEvent.Data d && d.data().name().equals("onPlayStatus"), Duration.ofSeconds(30));
        AmfObject completeInfo = (AmfObject) ((ClientEvent.Data) complete).data().value(0);
        assertThat(completeInfo.getString("code")).isEqualTo("NetStream.Play.Complete");
        assertThat(completeInfo.getString("level")).isEqualTo("status");
        assertThat(completeInfo.getNumber("bytes", 0)).isPositive();
        assertThat(completeInfo.getNumber("duration", 0)).isGreaterThan(9000);
        assertThat(userControl(next())).isEqualTo(new StreamEof(1));
        assertStatus(next(), "NetStream.Play.Stop", 1);

        // A method the application lacks: _error NetConnection.Call.Failed naming it; the connection stays up.
        double badTid = client.send("noSuchMethod", null, "x");
        ClientEvent.CommandEvent error = command(next());
        assertThat(error.name()).isEqualTo("_error");
        assertThat(error.command().transactionId()).isEqualTo(badTid);
        assertThat(error.code()).isEqualTo("NetConnection.Call.Failed");
        assertThat(error.info().getString("level")).isEqualTo("error");
        assertThat(error.info().getString("description")).contains("noSuchMethod");
        double pageTid = client.send("getPageUrl", null);
        ClientEvent.CommandEvent page = command(next());
        assertThat(page.command().transactionId()).isEqualTo(pageTid);
        assertThat(page.command().arg(0)).isEqualTo("http://player.example/watch.html");
        client.send("getReferrer", null);
        assertThat(command(next()).command().arg(0)).isEqualTo("http://player.example/player.swf");
        double lenTid = client.send("getStreamLength", null, "sample");
        ClientEvent.CommandEvent length = command(next());
        assertThat(length.name()).isEqualTo("_result");
        assertThat(length.command().transactionId()).isEqualTo(lenTid);
        assertThat(((Number) length.command().arg(0)).doubleValue()).isCloseTo(10.0, org.assertj.core.data.Offset.offset(0.1));
        assertThat(client.isOpen()).isTrue();
    }

    @Test
    void missingStreamAndUnknownApplication() throws Exception {
        client.sendConnect("vod", server.url("vod"));
        client.await(e -> e instanceof ClientEvent.CommandEvent c && c.name().equals("onBWDone"), WAIT);
        client.send("createStream", null);
        command(next());
        client.notify(1, "play", "nothere");
        ClientEvent.CommandEvent notFound = command(client.await(e -> e instanceof ClientEvent.CommandEvent, WAIT));
        assertThat(notFound.code()).isEqualTo("NetStream.Play.StreamNotFound");
        assertThat(notFound.info().getString("level")).isEqualTo("error");
        assertThat(notFound.info().getString("description")).contains("nothere");

        try (RtmpClient other = RtmpClient.open("127.0.0.1", server.port(), RtmpClient.Options.plain())) {
            other.sendConnect("nosuchapp", server.url("nosuchapp"));
            ClientEvent.CommandEvent rejected = command(other.next(WAIT));
            assertThat(rejected.name()).isEqualTo("_error");
            assertThat(rejected.code()).isEqualTo("NetConnection.Connect.InvalidApp");
            assertThat(rejected.info().getString("level")).isEqualTo("error");
            assertThat(rejected.info().getString("description")).contains("nosuchapp");
            assertThat(other.next(WAIT)).isInstanceOf(ClientEvent.Closed.class);
        }
    }

    private ClientEvent next() throws InterruptedException, TimeoutException {
        return client.next(WAIT);
    }

    private long lastMediaTimestamp() {
        List<ClientEvent> h = client.history();
        for (int i = h.size() - 1; i >= 0; i--) {
            if (h.get(i) instanceof ClientEvent.Media media) {
                return media.timestamp();
            }
        }
        return -1;
    }

    private static void assertMonotonic(List<ClientEvent.Media> media) {
        long lastVideo = -1;
        for (ClientEvent.Media m : media) {
            if (m.isVideo()) {
                assertThat(m.timestamp()).isGreaterThanOrEqualTo(lastVideo);
                lastVideo = m.timestamp();
            }
        }
    }

    private static ClientEvent.CommandEvent assertStatus(ClientEvent e, String code, int streamId) {
        ClientEvent.CommandEvent c = command(e);
        assertThat(c.name()).isEqualTo("onStatus");
        assertThat(c.code()).isEqualTo(code);
        assertThat(c.command().streamId()).isEqualTo(streamId);
        assertThat(c.info().getString("level")).isEqualTo("status");
        return c;
    }

    private static ClientEvent.CommandEvent command(ClientEvent e) {
        assertThat(e).isInstanceOf(ClientEvent.CommandEvent.class);
        return (ClientEvent.CommandEvent) e;
    }

    private static ClientEvent.Data data(ClientEvent e) {
        assertThat(e).isInstanceOf(ClientEvent.Data.class);
        return (ClientEvent.Data) e;
    }

    private static ClientEvent.Media media(ClientEvent e) {
        assertThat(e).as("expected media, got %s", e).isInstanceOf(ClientEvent.Media.class);
        return (ClientEvent.Media) e;
    }

    private static Object userControl(ClientEvent e) {
        assertThat(e).as("expected a user control event, got %s", e).isInstanceOf(ClientEvent.UserControl.class);
        return ((ClientEvent.UserControl) e).event();
    }
}
