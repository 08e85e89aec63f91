package io.millrace.server.e2e;

import io.millrace.amf.AmfObject;
import io.millrace.rtmp.client.ClientEvent;
import io.millrace.rtmp.client.RtmpClient;
import io.millrace.rtmp.message.MessageType;
import io.millrace.rtmp.message.RtmpMessage;
import io.netty.buffer.ByteBuf;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * An {@link RtmpClient} as a live publisher or viewer in tests: the FMLE/OBS command sequence, synthetic
 * H.264/AAC frames (FLV tag bodies with a valid shape), and waits for statuses.
 */
final class LivePeer implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(10);
    final RtmpClient client;
    final TestServer server;
    int streamId;

    private LivePeer(TestServer server, RtmpClient client) {
        this.server = server;
        this.client = client;
    }

    static LivePeer connect(TestServer server, RtmpClient.Options options) throws Exception {
        LivePeer p = new LivePeer(server, RtmpClient.open("127.0.0.1", server.port(), options));
        p.client.sendConnect("live", server.url("live"));
        p.await(e -> e instanceof ClientEvent.CommandEvent c && "_result".equals(c.name()));
        return p;
    }

    ClientEvent await(Predicate<ClientEvent> match) throws InterruptedException, TimeoutException {
        return client.await(match, WAIT);
    }

    /** The next onStatus (or onFCPublish-like call) whose code is {@code code}; fails on timeout. */
    ClientEvent.CommandEvent awaitStatus(String code) throws InterruptedException, TimeoutException {
        return (ClientEvent.CommandEvent) await(e -> e instanceof ClientEvent.CommandEvent c && code.equals(c.code()));
    }

    int createStream() throws Exception {
        double tid = client.send("createStream", null);
        ClientEvent.CommandEvent r = (ClientEvent.CommandEvent) await(e -> e instanceof ClientEvent.CommandEvent c
                && "_result".equals(c.name()) && c.command().transactionId() == tid);
        streamId = ((Number) r.command().arg(0)).intValue();
        return streamId;
    }

    /** The FMLE/ffmpeg/OBS sequence: releaseStream, FCPublish, createStream, publish. */
    void publishFmle(String name, String type) throws Exception {
        client.send("releaseStream", null, name);
        client.send("FCPublish", null, name);
        createStream();
        client.sendOnStream(streamId, "publish", null, name, type);
    }

    void play(String name, double start) throws Exception {
        createStream();
        client.setBufferLength(streamId, 100);
        client.sendOnStream(streamId, "play", null, name, start);
    }

    void metadata(AmfObject meta) {
        // A data message (type 18), as ffmpeg and OBS send it: NetStream.send("@setDataFrame", ...).
        client.channel().writeAndFlush(new io.millrace.rtmp.command.DataMessage("@setDataFrame",
                List.of("onMetaData", meta), streamId, 0));
    }

    void send(int type, long ts, byte[] head, int size) {
        ByteBuf b = client.channel().alloc().buffer(size);
        b.writeBytes(head, 0, Math.min(head.length, size));
        // One bulk write: per-byte writes are slow under paranoid leak detection (a stack trace each).
        b.writeZero(size - b.readableBytes());
        client.channel().writeAndFlush(new RtmpMessage(type, ts, streamId, b));
    }

    void videoConfig(long ts) {
        // AVCDecoderConfigurationRecord: version 1, High profile 640x360-ish, one SPS and one PPS.
        send(MessageType.VIDEO, ts, new byte[] {0x17, 0, 0, 0, 0, 1, 0x64, 0, 0x1E, (byte) 0xFF, (byte) 0xE1, 0, 4,
                0x67, 0x64, 0, 0x1E, 1, 0, 2, 0x68, (byte) 0xEE}, 22);
    }

    void audioConfig(long ts) {
        send(MessageType.AUDIO, ts, new byte[] {(byte) 0xAF, 0, 0x11, (byte) 0x90}, 4);
    }

    void keyframe(long ts, int size) {
        send(MessageType.VIDEO, ts, new byte[] {0x17, 1, 0, 0, 0}, size);
    }

    void interframe(long ts, int size) {
        send(MessageType.VIDEO, ts, new byte[] {0x27, 1, 0, 0, 0}, size);
    }

    void audio(long ts, int size) {
        send(MessageType.AUDIO, ts, new byte[] {(byte) 0xAF, 1}, size);
    }

    /** The media messages received so far (history), in order. */
    List<ClientEvent.Media> media() {
        return client.history().stream().filter(e -> e instanceof ClientEvent.Media)
                .map(e -> (ClientEvent.Media) e).toList();
    }

    List<String> codes() {
        return client.history().stream().filter(e -> e instanceof ClientEvent.CommandEvent c && c.code() != null)
                .map(e -> ((ClientEvent.CommandEvent) e).code()).toList();
    }

    @Override
    public void close() {
        client.close();
    }
}
