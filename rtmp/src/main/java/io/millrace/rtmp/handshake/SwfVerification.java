package io.millrace.rtmp.handshake;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;

/**
 * The arithmetic of SWF verification (swf-verification.md), shared by the server, which checks, and
 * the test client, which answers:
 *
 * <ul>
 *   <li>the SWF hash: HMAC-SHA256 keyed with the 30 ASCII bytes {@code "Genuine Adobe Flash Player 001"}
 *       over the uncompressed ({@code FWS}) form of the SWF;</li>
 *   <li>the 42-byte proof a client sends in user control event 27:
 *       {@code 01 01 <size BE32> <size BE32> HMAC-SHA256(key = last 32 bytes of S1, msg = swfHash)}.</li>
 * </ul>
 *
 * <p>No I/O and no decompression here: turning a CWS/ZWS file into its FWS form is the server's business.
 */
public final class SwfVerification {

    /** Length of a SWF hash and of the HMAC in the proof. */
    public static final int HASH_LENGTH = 32;
    /** Length of the proof (user control event 27's data). */
    public static final int RESPONSE_LENGTH = 42;
    /** Length of the proof's key: the last 32 bytes of S1. */
    public static final int KEY_LENGTH = 32;
    /** Where the HMAC starts in the proof. */
    private static final int HMAC_OFFSET = 10;

    private static final String HMAC_SHA256 = "HmacSHA256";

    private SwfVerification() {
    }

    /** A fresh HMAC-SHA256 keyed for the SWF hash; feed it the FWS form of the SWF, then {@code doFinal()}. */
    public static Mac newSwfHashMac() {
        return mac(HandshakeCrypto.clientDigestKey());
    }

    /** The SWF hash of an already uncompressed (FWS) SWF. */
    public static byte[] swfHash(byte[] uncompressedSwf) {
        Objects.requireNonNull(uncompressedSwf, "uncompressedSwf");
        Mac m = newSwfHashMac();
        m.update(uncompressedSwf);
        return m.doFinal();
    }

    /**
     * The 42-byte proof for a SWF.
     *
     * @param swfHash 32 bytes, {@link #swfHash}
     * @param swfSize the uncompressed SWF's length (unsigned 32-bit)
     * @param s1Tail  the last 32 bytes of the server's S1
     */
    public static byte[] response(byte[] swfHash, long swfSize, byte[] s1Tail) {
        checkLength(swfHash, HASH_LENGTH, "swfHash");
        checkLength(s1Tail, KEY_LENGTH, "s1Tail");
        if (swfSize < 0 || swfSize > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("swfSize must be an unsigned 32-bit value, got " + swfSize);
        }
        byte[] out = new byte[RESPONSE_LENGTH];
        out[0] = 1;
        out[1] = 1;
        HandshakeBytes.writeUint32(out, 2, swfSize);
        HandshakeBytes.writeUint32(out, 6, swfSize);
        System.arraycopy(proofHmac(swfHash, s1Tail), 0, out, HMAC_OFFSET, HASH_LENGTH);
        return out;
    }

    /**
     * The SWF size a proof declares, or -1 if the proof is not 42 bytes of the expected layout
     * ({@code 01 01}, then the same size twice).
     */
    public static long declaredSize(byte[] response) {
        if (response == null || response.length != RESPONSE_LENGTH || response[0] != 1 || response[1] != 1) {
            return -1;
        }
        long a = HandshakeBytes.readUint32(response, 2);
        long b = HandshakeBytes.readUint32(response, 6);
        return a == b ? a : -1;
    }

    /**
     * Whether {@code response} proves the SWF ({@code swfHash}, {@code swfSize}) for a connection whose S1
     * ended with {@code s1Tail}. The HMAC is compared in constant time.
     */
    public static boolean matches(byte[] response, byte[] swfHash, long swfSize, byte[] s1Tail) {
        checkLength(swfHash, HASH_LENGTH, "swfHash");
        checkLength(s1Tail, KEY_LENGTH, "s1Tail");
        if (declaredSize(response) != swfSize) {
            return false;
        }
        byte[] expected = proofHmac(swfHash, s1Tail);
        return MessageDigest.isEqual(expected, Arrays.copyOfRange(response, HMAC_OFFSET, RESPONSE_LENGTH));
    }

    private static byte[] proofHmac(byte[] swfHash, byte[] s1Tail) {
        Mac m = mac(s1Tail);
        m.update(swfHash);
        return m.doFinal();
    }

    private static Mac mac(byte[] key) {
        try {
            Mac m = Mac.getInstance(HMAC_SHA256);
            m.init(new SecretKeySpec(key, HMAC_SHA256));
            return m;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no " + HMAC_SHA256, e);
        }
    }

    private static void checkLength(byte[] b, int length, String name) {
        Objects.requireNonNull(b, name);
        if (b.length != length) {
            throw new IllegalArgumentException(name + " must be " + length + " bytes, got " + b.length);
        }
    }
}
