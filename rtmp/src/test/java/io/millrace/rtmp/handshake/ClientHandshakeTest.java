package io.millrace.rtmp.handshake;

import io.millrace.rtmp.RtmpProtocolException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static io.millrace.rtmp.handshake.HandshakeTestData.hex;
import static io.millrace.rtmp.handshake.HandshakeTestData.slice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClientHandshakeTest {

    @ParameterizedTest(name = "scheme {0}")
    @CsvSource({"0", "1"})
    void digestC1LooksLikeFlashPlayer(int scheme) {
        ClientHandshake client = ClientHandshake.digest(scheme);
        byte[] c0c1 = client.c0c1();

        assertThat(c0c1).hasSize(1537);
        assertThat(c0c1[0]).isEqualTo((byte) 3);
        byte[] c1 = slice(c0c1, 1, 1537);
        assertThat(slice(c1, 0, 4)).isEqualTo(new byte[4]);
        assertThat(slice(c1, 4, 8)).isEqualTo(hex("0A002D02"));
        assertThat(HandshakeCrypto.findClientDigestScheme(c1)).isEqualTo(scheme);
        assertThat(client.clientDigest()).isEqualTo(HandshakeCrypto.readDigest(c1, scheme));
        assertThat(client.c0c1()).as("same bytes on every call").isEqualTo(c0c1);
    }

    @Test
    void defaultDigestSchemeIs1() {
        ClientHandshake client = ClientHandshake.digest();
        assertThat(client.requestedScheme()).isEqualTo(1);
        assertThat(HandshakeCrypto.findClientDigestScheme(slice(client.c0c1(), 1, 1537))).isEqualTo(1);
    }

    @Test
    void plainC1HasZeroVersionAndNoDigest() {
        ClientHandshake client = ClientHandshake.plain(new Random(5), 1234);
        byte[] c1 = slice(client.c0c1(), 1, 1537);
        assertThat(slice(c1, 0, 4)).isEqualTo(hex("000004D2"));
        assertThat(slice(c1, 4, 8)).isEqualTo(new byte[4]);
        assertThat(HandshakeCrypto.findClientDigestScheme(c1)).isEqualTo(-1);
        assertThat(client.clientDigest()).isNull();
        assertThat(client.isDigestRequested()).isFalse();
    }

    @ParameterizedTest(name = "scheme {0}")
    @CsvSource({"0", "1"})
    void digestAgainstServerHandshake(int scheme) {
        ClientHandshake client = ClientHandshake.digest(scheme, hex("0A002D02"), new Random(7), 999);
        ServerHandshake server = new ServerHandshake(new Random(8), 555);

        byte[] c2 = client.handleS0S1S2(server.handleC0C1(client.c0c1()));

        assertThat(c2).hasSize(1536);
        assertThat(client.isDigest()).isTrue();
        assertThat(client.scheme()).isEqualTo(scheme);
        assertThat(client.serverDigest()).isEqualTo(server.serverDigest());
        assertThat(client.serverVersion()).isEqualTo(hex("04050001"));
        assertThat(client.serverTime()).isEqualTo(555);
        assertThat(HandshakeCrypto.isC2SignatureValid(c2, server.serverDigest())).isTrue();
        assertThat(server.handleC2(c2)).isEqualTo(ServerHandshake.C2Form.SIGNED);
        assertThat(client.completeEvent()).isEqualTo(server.completeEvent());
        assertThat(client.swfVerificationKey()).isEqualTo(server.swfVerificationKey());
    }

    @Test
    void plainAgainstServerHandshake() {
        ClientHandshake client = ClientHandshake.plain(new Random(9), 42);
        ServerHandshake server = new ServerHandshake(new Random(10), 0);

        byte[] answer = server.handleC0C1(client.c0c1());
        byte[] c2 = client.handleS0S1S2(answer);

        assertThat(c2).isEqualTo(slice(answer, 1, 1537));
        assertThat(client.isDigest()).isFalse();
        assertThat(client.scheme()).isEqualTo(-1);
        assertThat(client.serverEchoedC1()).isTrue();
        assertThat(server.handleC2(c2)).isEqualTo(ServerHandshake.C2Form.ECHO);
        assertThat(client.completeEvent()).isEqualTo(server.completeEvent());
        assertThat(client.completeEvent().clientTime()).isEqualTo(42);
    }

    @ParameterizedTest(name = "scheme {0}")
    @CsvSource({"0", "1"})
    void tamperedS2IsRejected(int scheme) {
        ClientHandshake client = ClientHandshake.digest(scheme);
        byte[] answer = new ServerHandshake().handleC0C1(client.c0c1());
        answer[1 + 1536 + 100] ^= 0x01;

        assertThatThrownBy(() -> client.handleS0S1S2(answer))
                .isInstanceOf(RtmpProtocolException.class)
                .hasMessage("server handshake signature mismatch");
    }

    @Test
    void s2SignedForAnotherC1IsRejected() {
        ClientHandshake client = ClientHandshake.digest(1);
        byte[] answer = new ServerHandshake().handleC0C1(client.c0c1());
        byte[] otherAnswer = new ServerHandshake().handleC0C1(ClientHandshake.digest(1).c0c1());
        System.arraycopy(otherAnswer, 1537, answer, 1537, 1536);

        assertThatThrownBy(() -> client.handleS0S1S2(answer))
                .isInstanceOf(RtmpProtocolException.class)
                .hasMessage("server handshake signature mismatch");
    }

    @Test
    void tamperedS1DigestIsRejected() {
        ClientHandshake client = ClientHandshake.digest(0);
        byte[] answer = new ServerHandshake().handleC0C1(client.c0c1());
        answer[1 + 1000] ^= 0x01;

        assertThatThrownBy(() -> client.handleS0S1S2(answer))
                .isInstanceOf(RtmpProtocolException.class)
                .hasMessageStartingWith("server S1 digest does not validate");
    }

    @Test
    void serverAnsweringAtTheOtherSchemeIsAccepted() {
        ClientHandshake client = ClientHandshake.digest(1);
        client.c0c1();
        byte[] c1Digest = client.clientDigest();
        byte[] s1 = new byte[1536];
        new Random(11).nextBytes(s1);
        s1[4] = 3;
        HandshakeCrypto.writeDigest(s1, 0, HandshakeCrypto.serverDigestKey());
        byte[] s2 = new byte[1536];
        HandshakeCrypto.signS2(s2, c1Digest);

        byte[] c2 = client.handleS0S1S2(HandshakeTestData.concat(new byte[] {3}, s1, s2));

        assertThat(client.scheme()).isEqualTo(0);
        assertThat(HandshakeCrypto.isC2SignatureValid(c2, HandshakeCrypto.readDigest(s1, 0))).isTrue();
    }

    @Test
    void digestClientFallsBackToSimpleWhenS1VersionIsZero() {
        ClientHandshake client = ClientHandshake.digest(1);
        byte[] c1 = slice(client.c0c1(), 1, 1537);
        byte[] s1 = new byte[1536];
        new Random(12).nextBytes(s1);
        s1[4] = 0;

        byte[] c2 = client.handleS0S1S2(HandshakeTestData.concat(new byte[] {3}, s1, c1));

        assertThat(client.isDigest()).isFalse();
        assertThat(c2).isEqualTo(s1);
        assertThat(client.serverEchoedC1()).isTrue();
        assertThat(client.completeEvent().clientDigest()).isNull();
    }

    @Test
    void badS0IsRejected() {
        ClientHandshake client = ClientHandshake.plain();
        byte[] answer = new ServerHandshake().handleC0C1(client.c0c1());
        answer[0] = 'H';
        assertThatThrownBy(() -> client.handleS0S1S2(answer))
                .isInstanceOf(RtmpProtocolException.class)
                .hasMessage("server handshake: not RTMP (first byte 0x48: looks like HTTP)");
    }

    @Test
    void usedOutOfOrder() {
        ClientHandshake client = ClientHandshake.plain();
        assertThatThrownBy(() -> client.handleS0S1S2(new byte[3073])).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(client::completeEvent).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> ClientHandshake.digest(2)).isInstanceOf(IllegalArgumentException.class);
        byte[] answer = new ServerHandshake().handleC0C1(client.c0c1());
        client.handleS0S1S2(answer);
        assertThatThrownBy(() -> client.handleS0S1S2(answer)).isInstanceOf(IllegalStateException.class);
    }
}
