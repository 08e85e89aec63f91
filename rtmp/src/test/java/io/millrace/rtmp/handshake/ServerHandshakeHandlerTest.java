package io.millrace.rtmp.handshake;

import io.millrace.rtmp.PipelineNames;
import io.millrace.rtmp.RtmpProtocolException;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import static io.millrace.rtmp.handshake.HandshakeRecorder.drainInbound;
import static io.millrace.rtmp.handshake.HandshakeRecorder.drainOutbound;
import static io.millrace.rtmp.handshake.HandshakeRecorder.feed;
import static io.millrace.rtmp.handshake.HandshakeTestData.concat;
import static io.millrace.rtmp.handshake.HandshakeTestData.ffmpegC1;
import static io.millrace.rtmp.handshake.HandshakeTestData.hex;
import static io.millrace.rtmp.handshake.HandshakeTestData.librtmpPlainC1;
import static io.millrace.rtmp.handshake.HandshakeTestData.slice;
import static io.millrace.rtmp.handshake.HandshakeTestData.withC0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServerHandshakeHandlerTest {

    /** What a client sends right after C2: a type-0 chunk header on csid 3 and the start of "connect". */
    private static final byte[] FIRST_CHUNK = hex("030000000000be14000000000200 07636f6e6e656374");

    private final HandshakeRecorder recorder = new HandshakeRecorder();

    private EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast(PipelineNames.HANDSHAKE, new ServerHandshakeHandler());
        ch.pipeline().addLast("recorder", recorder);
        return ch;
    }

    @Test
    void c2AndTheFirstChunkInOneBuffer() {
        EmbeddedChannel ch = channel();
        ClientHandshake client = ClientHandshake.digest(1);
        byte[] c0c1 = client.c0c1();

        feed(ch, slice(c0c1, 0, 1536), 1536);
        assertThat(drainOutbound(ch)).as("nothing before the whole C1").isEmpty();
        feed(ch, slice(c0c1, 1536, 1537), 1);

        List<byte[]> written = drainOutbound(ch);
        assertThat(written).hasSize(1);
        assertThat(written.get(0)).hasSize(3073);
        assertThat(recorder.events).isEmpty();

        byte[] c2 = client.handleS0S1S2(written.get(0));
        feed(ch, concat(c2, FIRST_CHUNK), Integer.MAX_VALUE);

        assertThat(recorder.events).hasSize(1);
        assertThat(recorder.events.get(0)).isEqualTo(client.completeEvent());
        assertThat(recorder.sequence).containsExactly("event", "bytes");
        assertThat(drainInbound(ch)).isEqualTo(FIRST_CHUNK);
        assertThat(ch.pipeline().get(PipelineNames.HANDSHAKE)).isNull();
        assertThat(ch.pipeline().get(ServerHandshakeHandler.class)).isNull();
        assertThat(drainOutbound(ch)).isEmpty();
        assertThat(ch.isOpen()).isTrue();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest(name = "pieces of {0} bytes")
    @ValueSource(ints = {1, 2, 7, 100, 1537, 3000, Integer.MAX_VALUE})
    void wholeStreamInPiecesWithTrailingData(int piece) {
        EmbeddedChannel ch = channel();
        byte[] c1 = ffmpegC1();
        byte[] c2 = new byte[1536]; // ffmpeg publishing sends an unsigned C2; anything is accepted
        new Random(piece).nextBytes(c2);

        feed(ch, concat(withC0(c1), c2, FIRST_CHUNK), piece);

        List<byte[]> written = drainOutbound(ch);
        assertThat(written).hasSize(1);
        byte[] answer = written.get(0);
        assertThat(answer).hasSize(3073);
        assertThat(answer[0]).isEqualTo((byte) 3);
        assertThat(HandshakeCrypto.findServerDigestScheme(slice(answer, 1, 1537))).isEqualTo(1);
        assertThat(recorder.events).hasSize(1);
        HandshakeCompleteEvent event = recorder.events.get(0);
        assertThat(event.digest()).isTrue();
        assertThat(event.scheme()).isEqualTo(1);
        assertThat(event.clientVersion()).isEqualTo(hex("09007C02"));
        assertThat(HandshakeCrypto.isS2SignatureValid(slice(answer, 1537, 3073), event.clientDigest())).isTrue();
        assertThat(event.serverS1()).isEqualTo(slice(answer, 1, 1537));
        assertThat(event.serverS2()).isEqualTo(slice(answer, 1537, 3073));
        assertThat(recorder.sequence.get(0)).isEqualTo("event");
        assertThat(drainInbound(ch)).isEqualTo(FIRST_CHUNK);
        assertThat(ch.pipeline().get(ServerHandshakeHandler.class)).isNull();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void byteByByteDigestHandshakeWithRealClientLogic() {
        EmbeddedChannel ch = channel();
        ClientHandshake client = ClientHandshake.digest(0);

        feed(ch, client.c0c1(), 1);
        List<byte[]> written = drainOutbound(ch);
        assertThat(written).hasSize(1);
        byte[] c2 = client.handleS0S1S2(written.get(0));
        assertThat(client.isDigest()).isTrue();
        assertThat(client.scheme()).isZero();
        feed(ch, c2, 1);
        assertThat(recorder.events).containsExactly(client.completeEvent());
        assertThat(drainInbound(ch)).isEmpty();

        // after the handshake the bytes go straight through, no further events
        feed(ch, FIRST_CHUNK, 1);
        assertThat(drainInbound(ch)).isEqualTo(FIRST_CHUNK);
        assertThat(recorder.events).hasSize(1);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void plainClientGetsTheSimpleHandshake() {
        EmbeddedChannel ch = channel();
        byte[] c1 = librtmpPlainC1();

        feed(ch, withC0(c1), Integer.MAX_VALUE);
        byte[] answer = drainOutbound(ch).get(0);
        assertThat(slice(answer, 5, 9)).isEqualTo(new byte[4]);
        assertThat(slice(answer, 1537, 3073)).isEqualTo(c1);
        feed(ch, slice(answer, 1, 1537), Integer.MAX_VALUE); // librtmp echoes S1

        assertThat(recorder.events).hasSize(1);
        HandshakeCompleteEvent event = recorder.events.get(0);
        assertThat(event.digest()).isFalse();
        assertThat(event.scheme()).isEqualTo(-1);
        assertThat(event.clientDigest()).isNull();
        assertThat(event.clientTime()).isEqualTo(2_000_000L);
        assertThat(ch.pipeline().get(ServerHandshakeHandler.class)).isNull();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void httpRequestIsRefusedAtTheFirstByteAndTheChannelClosed() {
        EmbeddedChannel ch = channel();
        byte[] request = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

        assertThatThrownBy(() -> feed(ch, request, Integer.MAX_VALUE))
                .isInstanceOf(RtmpProtocolException.class)
                .hasMessage("not RTMP (first byte 0x47: looks like HTTP)");

        assertThat(ch.isOpen()).isFalse();
        assertThat(drainOutbound(ch)).isEmpty();
        assertThat(recorder.events).isEmpty();
        assertThat(drainInbound(ch)).isEmpty();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest(name = "C0 = {0}")
    @ValueSource(ints = {6, 8, 9})
    void rtmpeIsRefused(int version) {
        EmbeddedChannel ch = channel();
        byte[] c0c1 = withC0(ffmpegC1());
        c0c1[0] = (byte) version;

        assertThatThrownBy(() -> feed(ch, c0c1, Integer.MAX_VALUE))
                .isInstanceOf(RtmpProtocolException.class)
                .hasMessage("unsupported RTMP version " + version + " (RTMPE is not supported)");

        assertThat(ch.isOpen()).isFalse();
        assertThat(drainOutbound(ch)).isEmpty();
        assertThat(recorder.events).isEmpty();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void badC0ArrivingAloneIsRefusedWithoutWaitingForC1() {
        EmbeddedChannel ch = channel();
        assertThatThrownBy(() -> feed(ch, new byte[] {0x16}, 1))
                .isInstanceOf(RtmpProtocolException.class)
                .hasMessageContaining("TLS");
        assertThat(ch.isOpen()).isFalse();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void connectionClosedMidHandshakeFiresNothing() {
        EmbeddedChannel ch = channel();
        feed(ch, withC0(ffmpegC1()), Integer.MAX_VALUE);
        feed(ch, new byte[700], Integer.MAX_VALUE);
        assertThat(drainOutbound(ch)).hasSize(1);

        assertThat(ch.finishAndReleaseAll()).isFalse();
        assertThat(recorder.events).isEmpty();
    }
}
