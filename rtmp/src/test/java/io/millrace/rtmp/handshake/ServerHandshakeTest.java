package io.millrace.rtmp.handshake;

import io.millrace.rtmp.RtmpProtocolException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.Random;

import static io.millrace.rtmp.handshake.HandshakeTestData.ffmpegC1;
import static io.millrace.rtmp.handshake.HandshakeTestData.hex;
import static io.millrace.rtmp.handshake.HandshakeTestData.librtmpPlainC1;
import static io.millrace.rtmp.handshake.HandshakeTestData.noteC1;
import static io.millrace.rtmp.handshake.HandshakeTestData.prefix;
import static io.millrace.rtmp.handshake.HandshakeTestData.slice;
import static io.millrace.rtmp.handshake.HandshakeTestData.withC0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServerHandshakeTest {

    /** Fills the first nextBytes call (S1 filler) with one pattern and the second (S2 filler) with the note's S2 pattern. */
    private static final class NotePatternRandom extends Random {
        private static final long serialVersionUID = 1L;
        private int calls;

        @Override
        public void nextBytes(byte[] bytes) {
            calls++;
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = calls == 2 ? (byte) ((i * 13 + 5) & 0xFF) : (byte) ((i * 31 + 7) & 0xFF);
            }
        }
    }

    @ParameterizedTest(name = "scheme {0}")
    @CsvSource({"0", "1"})
    void answersADigestC1WithADigestS1AndASignedS2(int scheme) {
        byte[] c1 = noteC1();
        byte[] c1Digest = HandshakeCrypto.writeDigest(c1, scheme, HandshakeCrypto.clientDigestKey());
        ServerHandshake server = new ServerHandshake(new Random(1), 0x01020304L);

        byte[] answer = server.handleC0C1(withC0(c1));

        assertThat(answer).hasSize(3073);
        assertThat(answer[0]).isEqualTo((byte) 3);
        byte[] s1 = slice(answer, 1, 1537);
        byte[] s2 = slice(answer, 1537, 3073);
        assertThat(slice(s1, 0, 4)).isEqualTo(hex("01020304"));
        assertThat(slice(s1, 4, 8)).isEqualTo(hex("04050001"));
        assertThat(s1[4] & 0xFF).as("ffmpeg validates only when S1[4] >= 3").isGreaterThanOrEqualTo(3);
        assertThat(HandshakeCrypto.isDigestValid(s1, scheme, HandshakeCrypto.serverDigestKey())).isTrue();
        assertThat(HandshakeCrypto.findServerDigestScheme(s1)).isEqualTo(scheme);
        assertThat(HandshakeCrypto.isS2SignatureValid(s2, c1Digest)).isTrue();

        assertThat(server.isDigest()).isTrue();
        assertThat(server.scheme()).isEqualTo(scheme);
        assertThat(server.clientDigest()).isEqualTo(c1Digest);
        assertThat(server.serverDigest()).isEqualTo(HandshakeCrypto.readDigest(s1, scheme));
        assertThat(server.serverS1()).isEqualTo(s1);
        assertThat(server.serverS2()).isEqualTo(s2);
        assertThat(server.clientVersion()).isEqualTo(hex("80000702"));
        assertThat(server.clientTime()).isZero();
        assertThat(server.clientC1()).isEqualTo(c1);
        assertThat(server.swfVerificationKey()).isEqualTo(slice(s1, 1504, 1536));
    }

    @ParameterizedTest(name = "scheme {0}")
    @CsvSource({
        "1, 88ea9f2c029023336be13026f93974ba035211b86318d691201905a82323f5d8",
        "0, 0c2efad3fa4045ba24d42584c1bd6654c2e3d284f2f5f3c3b9fdfd4250bd5bfe",
    })
    void s2MatchesTheNoteVectorWhenItsFillerIsTheNotePattern(int scheme, String signatureHex) {
        byte[] c1 = noteC1();
        HandshakeCrypto.writeDigest(c1, scheme, HandshakeCrypto.clientDigestKey());
        ServerHandshake server = new ServerHandshake(new NotePatternRandom(), 0);

        server.handleC0C1(withC0(c1));

        byte[] s2 = server.serverS2();
        assertThat(slice(s2, 0, 1504)).isEqualTo(slice(HandshakeTestData.noteS2(), 0, 1504));
        assertThat(slice(s2, 1504, 1536)).isEqualTo(hex(signatureHex));
    }

    @Test
    void answersAPlainC1WithZeroVersionAndAnEchoOfC1() {
        byte[] c1 = librtmpPlainC1();
        ServerHandshake server = new ServerHandshake(new Random(2), 77);

        byte[] answer = server.handleC0C1(withC0(c1));

        byte[] s1 = slice(answer, 1, 1537);
        assertThat(answer[0]).isEqualTo((byte) 3);
        assertThat(slice(s1, 0, 4)).isEqualTo(hex("0000004D"));
        assertThat(slice(s1, 4, 8)).isEqualTo(new byte[4]);
        assertThat(slice(answer, 1537, 3073)).isEqualTo(c1);
        assertThat(server.isDigest()).isFalse();
        assertThat(server.scheme()).isEqualTo(-1);
        assertThat(server.clientDigest()).isNull();
        assertThat(server.serverDigest()).isNull();
        assertThat(server.clientVersion()).isEqualTo(new byte[4]);
        assertThat(server.clientTime()).isEqualTo(2_000_000L);
    }

    @Test
    void ffmpegStyleC1IsADigestHandshakeAtScheme1() {
        ServerHandshake server = new ServerHandshake();
        byte[] answer = server.handleC0C1(withC0(ffmpegC1()));

        assertThat(server.isDigest()).isTrue();
        assertThat(server.scheme()).isEqualTo(1);
        assertThat(server.clientVersion()).isEqualTo(hex("09007C02"));
        // what ffmpeg's rtmp_handshake checks when playing: S1[4] >= 3, digest at 772 then 8, then S2 signature
        byte[] s1 = slice(answer, 1, 1537);
        assertThat(s1[4] & 0xFF).isGreaterThanOrEqualTo(3);
        assertThat(HandshakeCrypto.findServerDigestScheme(s1)).isEqualTo(1);
        assertThat(HandshakeCrypto.isS2SignatureValid(slice(answer, 1537, 3073), server.clientDigest())).isTrue();
    }

    @Test
    void nonZeroVersionWithoutAValidDigestFallsBackToSimple() {
        byte[] c1 = noteC1(); // version 80 00 07 02 but no digest written
        ServerHandshake server = new ServerHandshake();

        byte[] answer = server.handleC0C1(withC0(c1));

        assertThat(server.isDigest()).isFalse();
        assertThat(slice(answer, 5, 9)).as("S1 version must stay zero").isEqualTo(new byte[4]);
        assertThat(slice(answer, 1537, 3073)).isEqualTo(c1);
    }

    @Test
    void c2IsObservedButNeverEnforced() {
        // digest client that signs C2 (Flash Player, librtmp)
        ClientHandshake client = ClientHandshake.digest(1);
        ServerHandshake server = new ServerHandshake();
        byte[] c2 = client.handleS0S1S2(server.handleC0C1(client.c0c1()));
        assertThat(server.handleC2(c2)).isEqualTo(ServerHandshake.C2Form.SIGNED);
        assertThat(server.isComplete()).isTrue();

        // digest C1 but C2 = echo of S1 (ffmpeg publishing)
        ServerHandshake server2 = new ServerHandshake();
        byte[] answer = server2.handleC0C1(withC0(ffmpegC1()));
        assertThat(server2.handleC2(slice(answer, 1, 1537))).isEqualTo(ServerHandshake.C2Form.ECHO);

        // garbage
        ServerHandshake server3 = new ServerHandshake();
        server3.handleC0C1(withC0(librtmpPlainC1()));
        assertThat(server3.handleC2(new byte[1536])).isEqualTo(ServerHandshake.C2Form.UNRECOGNISED);
        assertThat(server3.c2Form()).isEqualTo(ServerHandshake.C2Form.UNRECOGNISED);
    }

    @ParameterizedTest(name = "C0 = {0}")
    @ValueSource(ints = {6, 8, 9})
    void rtmpeIsRefused(int version) {
        assertThatThrownBy(() -> new ServerHandshake().handleC0C1(prefix((byte) version, noteC1())))
                .isInstanceOf(RtmpProtocolException.class)
                .hasMessage("unsupported RTMP version " + version + " (RTMPE is not supported)");
    }

    @Test
    void httpIsRecognisedFromTheFirstByte() {
        assertThatThrownBy(() -> ServerHandshake.checkC0('G'))
                .isInstanceOf(RtmpProtocolException.class)
                .hasMessage("not RTMP (first byte 0x47: looks like HTTP)");
        assertThatThrownBy(() -> ServerHandshake.checkC0('P'))
                .hasMessageContaining("looks like HTTP");
        assertThatThrownBy(() -> ServerHandshake.checkC0(0xFF))
                .isInstanceOf(RtmpProtocolException.class)
                .hasMessageStartingWith("not RTMP (first byte 0xFF");
        assertThatThrownBy(() -> ServerHandshake.checkC0(0x16))
                .isInstanceOf(RtmpProtocolException.class)
                .hasMessageContaining("TLS");
    }

    @ParameterizedTest(name = "C0 = {0}")
    @ValueSource(ints = {0, 1, 2, 4, 5, 7, 10, 31})
    void otherVersionsAreRefused(int version) {
        assertThatThrownBy(() -> ServerHandshake.checkC0(version))
                .isInstanceOf(RtmpProtocolException.class)
                .hasMessageStartingWith("unsupported RTMP version " + version);
        ServerHandshake.checkC0(3);
    }

    @Test
    void randomFillerDiffersBetweenConnections() {
        byte[] c0c1 = withC0(ffmpegC1());
        ServerHandshake a = new ServerHandshake();
        ServerHandshake b = new ServerHandshake();
        assertThat(a.handleC0C1(c0c1)).isNotEqualTo(b.handleC0C1(c0c1));
    }

    @Test
    void completeEventDescribesTheExchange() {
        ServerHandshake server = new ServerHandshake(new Random(3), 0xFFFFFFFFL);
        byte[] answer = server.handleC0C1(withC0(ffmpegC1()));
        server.handleC2(slice(answer, 1, 1537));

        HandshakeCompleteEvent event = server.completeEvent();

        assertThat(event.digest()).isTrue();
        assertThat(event.scheme()).isEqualTo(1);
        assertThat(event.clientDigest()).isEqualTo(server.clientDigest());
        assertThat(event.serverS1()).isEqualTo(slice(answer, 1, 1537));
        assertThat(event.serverS2()).isEqualTo(slice(answer, 1537, 3073));
        assertThat(event.serverDigest()).isEqualTo(server.serverDigest());
        assertThat(event.serverVersion()).isEqualTo(hex("04050001"));
        assertThat(event.clientVersion()).isEqualTo(hex("09007C02"));
        assertThat(event.clientTime()).isZero();
        assertThat(event.serverTime()).isEqualTo(0xFFFFFFFFL);
        assertThat(event.swfVerificationKey()).isEqualTo(slice(answer, 1 + 1504, 1 + 1536));
        assertThat(event.toString()).contains("digest, scheme 1", "9.0.124.2");
    }

    @Test
    void customServerVersion() {
        ServerHandshake server = new ServerHandshake(null, 0, hex("03050101"));
        byte[] answer = server.handleC0C1(withC0(ffmpegC1()));
        assertThat(slice(answer, 5, 9)).isEqualTo(hex("03050101"));
        assertThatThrownBy(() -> new ServerHandshake(null, 0, hex("01000504")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ServerHandshake(null, 0, hex("040500")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void usedOutOfOrderOrTwice() {
        ServerHandshake server = new ServerHandshake();
        assertThatThrownBy(() -> server.handleC2(new byte[1536])).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(server::isDigest).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> server.handleC0C1(new byte[1536])).isInstanceOf(IllegalArgumentException.class);
        server.handleC0C1(withC0(librtmpPlainC1()));
        assertThatThrownBy(() -> server.handleC0C1(withC0(librtmpPlainC1()))).isInstanceOf(IllegalStateException.class);
        server.handleC2(new byte[1536]);
        assertThatThrownBy(() -> server.handleC2(new byte[1536])).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void inputIsNotModifiedAndOutputsAreCopies() {
        byte[] c0c1 = withC0(ffmpegC1());
        byte[] copy = c0c1.clone();
        ServerHandshake server = new ServerHandshake();
        server.handleC0C1(c0c1);
        assertThat(c0c1).isEqualTo(copy);
        server.serverS1()[0] = 99;
        server.clientDigest()[0] ^= 1;
        assertThat(server.serverS1()[0]).isZero();
        assertThat(HandshakeCrypto.isS2SignatureValid(server.serverS2(), server.clientDigest())).isTrue();
        assertThat(Arrays.equals(server.clientC1(), slice(copy, 1, 1537))).isTrue();
    }
}
