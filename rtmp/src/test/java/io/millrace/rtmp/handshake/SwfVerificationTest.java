package io.millrace.rtmp.handshake;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The test vector of swf-verification.md §5 and the proof's checks. */
class SwfVerificationTest {
    private static final HexFormat HEX = HexFormat.ofDelimiter(" ");
    private static final byte[] SWF = HEX.parseHex("46 57 53 0A 10 00 00 00 00 01 02 03 04 05 06 07");
    private static final String SWF_HASH = "536e57d6f85e90115c11f3624239d5d2f1fb2ff290bc0bf4717383341f09297e";
    private static final String PROOF = "01 01 00 00 00 10 00 00 00 10 7a 92 25 9c 6a d6 1d 6e 0a 62 f0 bc 77 fe 43 c1"
            + " eb 94 11 03 a4 20 69 7f 57 6e eb 5f 99 e2 ed 90";

    private static byte[] s1Tail() {
        byte[] k = new byte[32];
        for (int i = 0; i < 32; i++) {
            k[i] = (byte) (i * 11 + 1);
        }
        return k;
    }

    @Test
    void swfHashOfTheVector() {
        assertThat(HexFormat.of().formatHex(SwfVerification.swfHash(SWF))).isEqualTo(SWF_HASH);
        // The streaming form gives the same.
        javax.crypto.Mac mac = SwfVerification.newSwfHashMac();
        mac.update(SWF, 0, 5);
        mac.update(SWF, 5, SWF.length - 5);
        assertThat(HexFormat.of().formatHex(mac.doFinal())).isEqualTo(SWF_HASH);
    }

    @Test
    void proofOfTheVector() {
        byte[] proof = SwfVerification.response(SwfVerification.swfHash(SWF), SWF.length, s1Tail());
        assertThat(HEX.formatHex(proof)).isEqualTo(PROOF);
        assertThat(proof).hasSize(SwfVerification.RESPONSE_LENGTH);
        assertThat(SwfVerification.declaredSize(proof)).isEqualTo(16);
        assertThat(SwfVerification.matches(proof, SwfVerification.swfHash(SWF), 16, s1Tail())).isTrue();
    }

    @Test
    void anyDifferenceFailsTheMatch() {
        byte[] hash = SwfVerification.swfHash(SWF);
        byte[] proof = HEX.parseHex(PROOF);
        assertThat(SwfVerification.matches(proof, hash, 17, s1Tail())).as("other size").isFalse();
        byte[] otherKey = s1Tail();
        otherKey[31] ^= 1;
        assertThat(SwfVerification.matches(proof, hash, 16, otherKey)).as("other S1").isFalse();
        byte[] otherHash = hash.clone();
        otherHash[0] ^= 1;
        assertThat(SwfVerification.matches(proof, otherHash, 16, s1Tail())).as("other SWF").isFalse();
        for (int i : new int[] {0, 1, 5, 9, 10, 41}) {
            byte[] bad = proof.clone();
            bad[i] ^= 0x40;
            assertThat(SwfVerification.matches(bad, hash, 16, s1Tail())).as("byte %d changed", i).isFalse();
        }
        assertThat(SwfVerification.declaredSize(new byte[41])).isEqualTo(-1);
        assertThat(SwfVerification.declaredSize(null)).isEqualTo(-1);
        byte[] sizesDiffer = proof.clone();
        sizesDiffer[9] = 0x11;
        assertThat(SwfVerification.declaredSize(sizesDiffer)).isEqualTo(-1);
    }

    @Test
    void argumentsAreChecked() {
        assertThatThrownBy(() -> SwfVerification.response(new byte[31], 1, new byte[32]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SwfVerification.response(new byte[32], 1, new byte[33]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SwfVerification.response(new byte[32], 0x1_0000_0000L, new byte[32]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
