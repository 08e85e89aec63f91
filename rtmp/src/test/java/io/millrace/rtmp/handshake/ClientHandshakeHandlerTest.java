package io.millrace.rtmp.handshake;

import io.millrace.rtmp.PipelineNames;
import io.millrace.rtmp.RtmpProtocolException;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static io.millrace.rtmp.handshake.HandshakeRecorder.drainInbound;
import static io.millrace.rtmp.handshake.HandshakeRecorder.drainOutbound;
import static io.millrace.rtmp.handshake.HandshakeRecorder.feed;
import static io.millrace.rtmp.handshake.HandshakeTestData.concat;
import static io.millrace.rtmp.handshake.HandshakeTestData.hex;
import static io.millrace.rtmp.handshake.HandshakeTestData.slice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClientHandshakeHandlerTest {

    /** Window Acknowledgement Size on csid 2, the first thing many servers send. */
    private static final byte[] SERVER_CHUNK = hex("02000000000004050000000000 2625a0");

    private final HandshakeRecorder recorder = new HandshakeRecorder();

    private EmbeddedChannel channel(ClientHandshakeHandler handler) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast(PipelineNames.HANDSHAKE, handler);
        ch.pipeline().addLast("recorder", recorder);
        return ch;
    }

    @Test
    void sendsC0C1OnceWhenAddedToAnActiveChannel() {
        EmbeddedChannel ch = channel(new ClientHandshakeHandler(false));
        List<byte[]> written = drainOutbound(ch);
        assertThat(written).hasSize(1);
        assertThat(written.get(0)).hasSize(1537);
        assertThat(written.get(0)[0]).isEqualTo((byte) 3);
        assertThat(slice(written.get(0), 5, 9)).isEqualTo(new byte[4]);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void sendsC0C1OnceWhenTheChannelBecomesActive() throws Exception {
        // handler added before registration: both handlerAdded and channelActive run
        EmbeddedChannel ch = new EmbeddedChannel(false, false, new ClientHandshakeHandler(true, 0));
        assertThat(drainOutbound(ch)).isEmpty();
        ch.register();
        List<byte[]> written = drainOutbound(ch);
        assertThat(written).hasSize(1);
        assertThat(HandshakeCrypto.findClientDigestScheme(slice(written.get(0), 1, 1537))).isZero();
        assertThat(slice(written.get(0), 5, 9)).isEqualTo(hex("0A002D02"));
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest(name = "digest={0} scheme {1}")
    @CsvSource({"true, 0", "true, 1", "false, 1"})
    void completesAgainstServerHandshakeAndPassesTrailingBytesOn(boolean digest, int scheme) {
        EmbeddedChannel ch = channel(new ClientHandshakeHandler(digest, scheme));
        ServerHandshake server = new ServerHandshake();
        byte[] answer = server.handleC0C1(drainOutbound(ch).get(0));

        feed(ch, concat(answer, SERVER_CHUNK), 1000);

        List<byte[]> written = drainOutbound(ch);
        assertThat(written).hasSize(1);
        byte[] c2 = written.get(0);
        assertThat(server.handleC2(c2))
                .isEqualTo(digest ? ServerHandshake.C2Form.SIGNED : ServerHandshake.C2Form.ECHO);
        assertThat(recorder.events).containsExactly(server.completeEvent());
        assertThat(recorder.events.get(0).digest()).isEqualTo(digest);
        assertThat(recorder.events.get(0).scheme()).isEqualTo(digest ? scheme : -1);
        assertThat(recorder.sequence).containsExactly("event", "bytes");
        assertThat(drainInbound(ch)).isEqualTo(SERVER_CHUNK);
        assertThat(ch.pipeline().get(ClientHandshakeHandler.class)).isNull();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void tamperedS2ClosesTheChannel() {
        EmbeddedChannel ch = channel(new ClientHandshakeHandler());
        byte[] answer = new ServerHandshake().handleC0C1(drainOutbound(ch).get(0));
        answer[3072] ^= 0x01;

        assertThatThrownBy(() -> feed(ch, answer, 1))
                .isInstanceOf(RtmpProtocolException.class)
                .hasMessage("server handshake signature mismatch");

        assertThat(ch.isOpen()).isFalse();
        assertThat(drainOutbound(ch)).as("no C2").isEmpty();
        assertThat(recorder.events).isEmpty();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void clientAndServerHandlersTalkToEachOther() {
        HandshakeRecorder serverRecorder = new HandshakeRecorder();
        EmbeddedChannel server = new EmbeddedChannel();
        server.pipeline().addLast(PipelineNames.HANDSHAKE, new ServerHandshakeHandler());
        server.pipeline().addLast("recorder", serverRecorder);
        EmbeddedChannel client = channel(new ClientHandshakeHandler(true, 1));

        // shuttle bytes until both sides are quiet
        boolean moved = true;
        while (moved) {
            moved = false;
            for (byte[] b : drainOutbound(client)) {
                feed(server, b, 500);
                moved = true;
            }
            for (byte[] b : drainOutbound(server)) {
                feed(client, b, 500);
                moved = true;
            }
        }

        assertThat(recorder.events).hasSize(1);
        assertThat(serverRecorder.events).containsExactlyElementsOf(recorder.events);
        assertThat(recorder.events.get(0).digest()).isTrue();
        assertThat(recorder.events.get(0).scheme()).isEqualTo(1);
        assertThat(server.pipeline().get(ServerHandshakeHandler.class)).isNull();
        assertThat(client.pipeline().get(ClientHandshakeHandler.class)).isNull();
        assertThat(server.finishAndReleaseAll()).isFalse();
        assertThat(client.finishAndReleaseAll()).isFalse();
    }
}
