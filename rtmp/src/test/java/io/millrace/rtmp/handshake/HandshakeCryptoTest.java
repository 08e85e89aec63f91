package io.millrace.rtmp.handshake;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static io.millrace.rtmp.handshake.HandshakeTestData.hex;
import static io.millrace.rtmp.handshake.HandshakeTestData.noteC1;
import static io.millrace.rtmp.handshake.HandshakeTestData.noteS2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Test vectors from handshake.md §5.1 and §7; the expected values come from the note. */
class HandshakeCryptoTest {

    private static final String TAIL =
            "F0EEC24A8068BEE82E00D0D1029E7E576EEC5D2D29806FAB93B8E636CFEB31AE";

    @Test
    void fpKeyIsTheAsciiTextPlusTheCommonTail() {
        byte[] key = HandshakeCrypto.genuineFpKey();
        assertThat(key).hasSize(62);
        assertThat(key).isEqualTo(hex(
                "47656E75696E652041646F626520466C61736820506C61796572203030 31" + TAIL));
        assertThat(new String(key, 0, 30, StandardCharsets.US_ASCII)).isEqualTo("Genuine Adobe Flash Player 001");
        assertThat(HandshakeCrypto.clientDigestKey()).isEqualTo(Arrays.copyOf(key, 30));
    }

    @Test
    void fmsKeyIsTheAsciiTextPlusTheCommonTail() {
        byte[] key = HandshakeCrypto.genuineFmsKey();
        assertThat(key).hasSize(68);
        assertThat(key).isEqualTo(hex(
                "47656E75696E652041646F626520466C617368204D6564696120536572766572203030 31" + TAIL));
        assertThat(new String(key, 0, 36, StandardCharsets.US_ASCII))
                .isEqualTo("Genuine Adobe Flash Media Server 001");
        assertThat(HandshakeCrypto.serverDigestKey()).isEqualTo(Arrays.copyOf(key, 36));
    }

    @Test
    void keyAccessorsReturnCopies() {
        HandshakeCrypto.genuineFpKey()[0] = 0;
        HandshakeCrypto.clientDigestKey()[0] = 0;
        assertThat(HandshakeCrypto.genuineFpKey()[0]).isEqualTo((byte) 'G');
        assertThat(HandshakeCrypto.clientDigestKey()[0]).isEqualTo((byte) 'G');
    }

    @Test
    void digestPositionsOfTheNoteC1() {
        byte[] c1 = noteC1();
        assertThat(HandshakeCrypto.digestPosition(c1, 1)).isEqualTo(290);
        assertThat(HandshakeCrypto.digestPosition(c1, 0)).isEqualTo(942);
    }

    @ParameterizedTest(name = "scheme {0}")
    @CsvSource({
        "1, 290, 0b441119ef46c4660e578ac88d3bf4c2d8901ff9a39c94bb92cb345f63928860",
        "0, 942, 8e211aefe949d44221d8905aa6154973bcab5ecb43dc582f65b1de1c2f94e4d5",
    })
    void clientDigestOfTheNoteC1(int scheme, int position, String digestHex) {
        byte[] c1 = noteC1();
        byte[] expected = hex(digestHex);

        assertThat(HandshakeCrypto.computeDigest(c1, position, HandshakeCrypto.clientDigestKey())).isEqualTo(expected);
        byte[] before = c1.clone();
        assertThat(HandshakeCrypto.writeDigest(c1, scheme, HandshakeCrypto.clientDigestKey())).isEqualTo(expected);
        assertThat(Arrays.copyOfRange(c1, position, position + 32)).isEqualTo(expected);
        // only the 32 digest bytes changed
        System.arraycopy(before, position, c1, position, 32);
        assertThat(c1).isEqualTo(before);
    }

    @ParameterizedTest(name = "scheme {0}")
    @CsvSource({"0", "1"})
    void writtenDigestValidatesAtItsSchemeOnly(int scheme) {
        byte[] c1 = noteC1();
        HandshakeCrypto.writeDigest(c1, scheme, HandshakeCrypto.clientDigestKey());

        assertThat(HandshakeCrypto.isDigestValid(c1, scheme, HandshakeCrypto.clientDigestKey())).isTrue();
        assertThat(HandshakeCrypto.isDigestValid(c1, 1 - scheme, HandshakeCrypto.clientDigestKey())).isFalse();
        assertThat(HandshakeCrypto.findClientDigestScheme(c1)).isEqualTo(scheme);
        // wrong key: a C1 digest is not a server digest
        assertThat(HandshakeCrypto.findServerDigestScheme(c1)).isEqualTo(HandshakeCrypto.NO_SCHEME);
        assertThat(HandshakeCrypto.readDigest(c1, scheme))
                .isEqualTo(HandshakeCrypto.computeDigest(c1, HandshakeCrypto.digestPosition(c1, scheme),
                        HandshakeCrypto.clientDigestKey()));
    }

    @ParameterizedTest(name = "scheme {0}")
    @CsvSource({"0", "1"})
    void anyChangedByteOutsideTheDigestInvalidatesIt(int scheme) {
        byte[] c1 = noteC1();
        HandshakeCrypto.writeDigest(c1, scheme, HandshakeCrypto.clientDigestKey());
        int position = HandshakeCrypto.digestPosition(c1, scheme);
        for (int i : new int[] {0, 4, 7, 100, position - 1, position + 32, 1535}) {
            byte[] tampered = c1.clone();
            tampered[i] ^= 0x01;
            if (HandshakeCrypto.digestPosition(tampered, scheme) != position) {
                continue; // moved the digest itself; covered by the flip below
            }
            assertThat(HandshakeCrypto.isDigestValid(tampered, scheme, HandshakeCrypto.clientDigestKey()))
                    .as("byte %d flipped", i).isFalse();
        }
        byte[] tampered = c1.clone();
        tampered[position + 5] ^= 0x01;
        assertThat(HandshakeCrypto.findClientDigestScheme(tampered)).isEqualTo(HandshakeCrypto.NO_SCHEME);
    }

    @ParameterizedTest(name = "scheme {0}")
    @CsvSource({
        "1, 0b441119ef46c4660e578ac88d3bf4c2d8901ff9a39c94bb92cb345f63928860,"
                + " c9b4bfa8650743a87fbcce8ea87abcef69670756c531d6476d141e04ce15331f,"
                + " 88ea9f2c029023336be13026f93974ba035211b86318d691201905a82323f5d8",
        "0, 8e211aefe949d44221d8905aa6154973bcab5ecb43dc582f65b1de1c2f94e4d5,"
                + " be47901e0f17614f341c5874d282e921437abf14d7abc7583e1256bcde1e410c,"
                + " 0c2efad3fa4045ba24d42584c1bd6654c2e3d284f2f5f3c3b9fdfd4250bd5bfe",
    })
    void s2SigningKeyAndSignature(int scheme, String c1DigestHex, String kHex, String signatureHex) {
        byte[] c1Digest = hex(c1DigestHex);
        byte[] s2 = noteS2();

        assertThat(HandshakeCrypto.signingKey(HandshakeCrypto.genuineFmsKey(), c1Digest)).isEqualTo(hex(kHex));
        assertThat(HandshakeCrypto.hmacSha256(HandshakeCrypto.genuineFmsKey(), c1Digest)).isEqualTo(hex(kHex));
        assertThat(HandshakeCrypto.s2Signature(c1Digest, s2)).isEqualTo(hex(signatureHex));

        HandshakeCrypto.signS2(s2, c1Digest);
        assertThat(Arrays.copyOfRange(s2, 1504, 1536)).isEqualTo(hex(signatureHex));
        assertThat(Arrays.copyOf(s2, 1504)).isEqualTo(Arrays.copyOf(noteS2(), 1504));
        assertThat(HandshakeCrypto.isS2SignatureValid(s2, c1Digest)).isTrue();

        s2[17] ^= 0x40;
        assertThat(HandshakeCrypto.isS2SignatureValid(s2, c1Digest)).isFalse();
    }

    @Test
    void s2SignatureIgnoresTheSignatureBytesThemselves() {
        byte[] c1Digest = hex("0b441119ef46c4660e578ac88d3bf4c2d8901ff9a39c94bb92cb345f63928860");
        byte[] s2 = noteS2();
        Arrays.fill(s2, 1504, 1536, (byte) 0x77);
        assertThat(HandshakeCrypto.s2Signature(c1Digest, s2))
                .isEqualTo(hex("88ea9f2c029023336be13026f93974ba035211b86318d691201905a82323f5d8"));
    }

    @Test
    void c2SignatureUsesTheFullFpKey() {
        byte[] s1Digest = hex("8e211aefe949d44221d8905aa6154973bcab5ecb43dc582f65b1de1c2f94e4d5");
        byte[] c2 = noteS2();
        HandshakeCrypto.signC2(c2, s1Digest);

        byte[] k = HandshakeCrypto.hmacSha256(HandshakeCrypto.genuineFpKey(), s1Digest);
        assertThat(Arrays.copyOfRange(c2, 1504, 1536)).isEqualTo(HandshakeCrypto.hmacSha256(k, c2, 0, 1504));
        assertThat(HandshakeCrypto.isC2SignatureValid(c2, s1Digest)).isTrue();
        // an S2 signature is not a C2 signature
        assertThat(HandshakeCrypto.isS2SignatureValid(c2, s1Digest)).isFalse();
    }

    @Test
    void digestPositionStaysInsideItsBlockForEveryOffsetSum() {
        byte[] p = new byte[1536];
        for (int v = 0; v < 256; v++) {
            Arrays.fill(p, 8, 12, (byte) v);
            Arrays.fill(p, 772, 776, (byte) v);
            int pos1 = HandshakeCrypto.digestPosition(p, 1);
            int pos0 = HandshakeCrypto.digestPosition(p, 0);
            assertThat(pos1).isBetween(12, 772 - 32);
            assertThat(pos0).isBetween(776, 1536 - 32);
            assertThat(pos1).isEqualTo(4 * v % 728 + 12);
            assertThat(pos0).isEqualTo(4 * v % 728 + 776);
        }
        Arrays.fill(p, 8, 12, (byte) 0xFF);
        assertThat(HandshakeCrypto.digestPosition(p, 1)).isEqualTo(1020 % 728 + 12);
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> HandshakeCrypto.digestPosition(new byte[1535], 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HandshakeCrypto.digestPosition(new byte[1536], 2))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HandshakeCrypto.computeDigest(new byte[1536], 1505, new byte[] {1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HandshakeCrypto.s2Signature(new byte[31], new byte[1536]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
