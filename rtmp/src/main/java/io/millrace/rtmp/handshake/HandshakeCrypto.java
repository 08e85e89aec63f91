package io.millrace.rtmp.handshake;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The HMAC-SHA256 arithmetic of the digest ("complex", Flash Player 9+) RTMP handshake.
 *
 * <p>Pure functions over 1536-byte C1/S1/C2/S2 packets (without the one-byte C0/S0). Nothing here
 * touches a channel or a buffer. Arrays passed in are never modified unless the method says it
 * writes, and arrays returned are fresh.
 *
 * <p>Key usage:
 * <ul>
 *   <li>{@link #clientDigestKey()} (first 30 bytes of the Flash Player key): digest of a C1;</li>
 *   <li>{@link #serverDigestKey()} (first 36 bytes of the Flash Media Server key): digest of an S1;</li>
 *   <li>the full 68-byte FMS key: S2 signing key, derived from the C1 digest
 *       ({@link #s2Signature});</li>
 *   <li>the full 62-byte FP key: C2 signing key, derived from the S1 digest
 *       ({@link #c2Signature}).</li>
 * </ul>
 */
public final class HandshakeCrypto {

    /** Size of C1, S1, C2 and S2. */
    public static final int PACKET_LENGTH = 1536;
    /** Size of an HMAC-SHA256 result, of a digest and of a signature. */
    public static final int DIGEST_LENGTH = 32;
    /** Where the signature of a C2/S2 starts; the signature covers bytes {@code [0, SIGNATURE_OFFSET)}. */
    public static final int SIGNATURE_OFFSET = PACKET_LENGTH - DIGEST_LENGTH;
    /** Scheme 0: key block at bytes 8..771, digest block at bytes 772..1535. */
    public static final int SCHEME_0 = 0;
    /** Scheme 1: digest block at bytes 8..771, key block at bytes 772..1535. */
    public static final int SCHEME_1 = 1;
    /** Returned by the scheme searches when no digest validates. */
    public static final int NO_SCHEME = -1;

    /** Length of the ASCII part of the Flash Player key ("Genuine Adobe Flash Player 001"). */
    public static final int FP_KEY_TEXT_LENGTH = 30;
    /** Length of the ASCII part of the FMS key ("Genuine Adobe Flash Media Server 001"). */
    public static final int FMS_KEY_TEXT_LENGTH = 36;

    private static final byte[] KEY_TAIL = {
        (byte) 0xF0, (byte) 0xEE, (byte) 0xC2, (byte) 0x4A, (byte) 0x80, (byte) 0x68, (byte) 0xBE, (byte) 0xE8,
        (byte) 0x2E, (byte) 0x00, (byte) 0xD0, (byte) 0xD1, (byte) 0x02, (byte) 0x9E, (byte) 0x7E, (byte) 0x57,
        (byte) 0x6E, (byte) 0xEC, (byte) 0x5D, (byte) 0x2D, (byte) 0x29, (byte) 0x80, (byte) 0x6F, (byte) 0xAB,
        (byte) 0x93, (byte) 0xB8, (byte) 0xE6, (byte) 0x36, (byte) 0xCF, (byte) 0xEB, (byte) 0x31, (byte) 0xAE,
    };

    private static final byte[] FP_KEY = concat("Genuine Adobe Flash Player 001", KEY_TAIL);
    private static final byte[] FMS_KEY = concat("Genuine Adobe Flash Media Server 001", KEY_TAIL);
    private static final byte[] FP_DIGEST_KEY = Arrays.copyOf(FP_KEY, FP_KEY_TEXT_LENGTH);
    private static final byte[] FMS_DIGEST_KEY = Arrays.copyOf(FMS_KEY, FMS_KEY_TEXT_LENGTH);

    /** Size of each of the two blocks after the 8-byte header. */
    private static final int BLOCK_LENGTH = 764;
    /** Digest offset modulus: 764 - 4 offset bytes - 32 digest bytes. */
    private static final int DIGEST_OFFSET_MODULUS = BLOCK_LENGTH - 4 - DIGEST_LENGTH;
    private static final int BLOCK_A = 8;
    private static final int BLOCK_B = BLOCK_A + BLOCK_LENGTH;

    private static final String HMAC_SHA256 = "HmacSHA256";
    private static final ThreadLocal<Mac> MAC = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance(HMAC_SHA256);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no " + HMAC_SHA256, e);
        }
    });

    private HandshakeCrypto() {
    }

    /** The 62-byte Genuine Flash Player key (30 ASCII bytes + the common 32-byte tail). */
    public static byte[] genuineFpKey() {
        return FP_KEY.clone();
    }

    /** The 68-byte Genuine Flash Media Server key (36 ASCII bytes + the common 32-byte tail). */
    public static byte[] genuineFmsKey() {
        return FMS_KEY.clone();
    }

    /** The first 30 bytes of the FP key: the key of a client's C1 digest (and of the SWF hash). */
    public static byte[] clientDigestKey() {
        return FP_DIGEST_KEY.clone();
    }

    /** The first 36 bytes of the FMS key: the key of a server's S1 digest. */
    public static byte[] serverDigestKey() {
        return FMS_DIGEST_KEY.clone();
    }

    /** HMAC-SHA256 of all of {@code data}. */
    public static byte[] hmacSha256(byte[] key, byte[] data) {
        return hmacSha256(key, data, 0, data.length);
    }

    /** HMAC-SHA256 of {@code data[offset, offset + length)}. */
    public static byte[] hmacSha256(byte[] key, byte[] data, int offset, int length) {
        Mac mac = initMac(key);
        mac.update(data, offset, length);
        return mac.doFinal();
    }

    /**
     * Where the 32 digest bytes sit in a C1/S1 for a scheme: for scheme 0
     * {@code (p[772]+p[773]+p[774]+p[775]) % 728 + 776}, for scheme 1
     * {@code (p[8]+p[9]+p[10]+p[11]) % 728 + 12} (bytes summed unsigned).
     */
    public static int digestPosition(byte[] packet, int scheme) {
        checkPacket(packet);
        int block = switch (scheme) {
            case SCHEME_0 -> BLOCK_B;
            case SCHEME_1 -> BLOCK_A;
            default -> throw new IllegalArgumentException("scheme must be 0 or 1: " + scheme);
        };
        int sum = (packet[block] & 0xFF) + (packet[block + 1] & 0xFF)
                + (packet[block + 2] & 0xFF) + (packet[block + 3] & 0xFF);
        return block + 4 + sum % DIGEST_OFFSET_MODULUS;
    }

    /**
     * HMAC-SHA256 with {@code key} over the packet without its 32 digest bytes at {@code position}:
     * {@code packet[0, position) || packet[position + 32, 1536)}.
     */
    public static byte[] computeDigest(byte[] packet, int position, byte[] key) {
        checkPacket(packet);
        if (position < 0 || position > PACKET_LENGTH - DIGEST_LENGTH) {
            throw new IllegalArgumentException("digest position out of range: " + position);
        }
        Mac mac = initMac(key);
        mac.update(packet, 0, position);
        mac.update(packet, position + DIGEST_LENGTH, PACKET_LENGTH - position - DIGEST_LENGTH);
        return mac.doFinal();
    }

    /** The 32 bytes at the digest position of {@code scheme}, whether or not they are a valid digest. */
    public static byte[] readDigest(byte[] packet, int scheme) {
        int position = digestPosition(packet, scheme);
        return Arrays.copyOfRange(packet, position, position + DIGEST_LENGTH);
    }

    /** Whether the bytes at the digest position of {@code scheme} are the digest of the packet under {@code key}. */
    public static boolean isDigestValid(byte[] packet, int scheme, byte[] key) {
        int position = digestPosition(packet, scheme);
        byte[] expected = computeDigest(packet, position, key);
        return MessageDigest.isEqual(expected,
                Arrays.copyOfRange(packet, position, position + DIGEST_LENGTH));
    }

    /**
     * Computes the digest at the position of {@code scheme} and writes it into {@code packet}
     * (the only bytes changed). Write everything else first: the digest covers the whole packet.
     *
     * @return a copy of the digest written
     */
    public static byte[] writeDigest(byte[] packet, int scheme, byte[] key) {
        int position = digestPosition(packet, scheme);
        byte[] digest = computeDigest(packet, position, key);
        System.arraycopy(digest, 0, packet, position, DIGEST_LENGTH);
        return digest;
    }

    /** The first scheme, trying 0 then 1, at which {@code packet} carries a valid digest under {@code key}, or {@link #NO_SCHEME}. */
    public static int findDigestScheme(byte[] packet, byte[] key) {
        if (isDigestValid(packet, SCHEME_0, key)) {
            return SCHEME_0;
        }
        if (isDigestValid(packet, SCHEME_1, key)) {
            return SCHEME_1;
        }
        return NO_SCHEME;
    }

    /** The scheme of a valid client digest in a C1 (key: FP key, 30 bytes), or {@link #NO_SCHEME}. */
    public static int findClientDigestScheme(byte[] c1) {
        return findDigestScheme(c1, FP_DIGEST_KEY);
    }

    /** The scheme of a valid server digest in an S1 (key: FMS key, 36 bytes), or {@link #NO_SCHEME}. */
    public static int findServerDigestScheme(byte[] s1) {
        return findDigestScheme(s1, FMS_DIGEST_KEY);
    }

    /** {@code HMAC-SHA256(fullKey, peerDigest)}: the key that signs the answer to a peer's digest. */
    public static byte[] signingKey(byte[] fullKey, byte[] peerDigest) {
        checkDigest(peerDigest);
        return hmacSha256(fullKey, peerDigest);
    }

    /**
     * {@code HMAC-SHA256(HMAC-SHA256(fullKey, peerDigest), packet[0, 1504))}: the 32 bytes that end a
     * signed C2/S2.
     */
    public static byte[] signature(byte[] fullKey, byte[] peerDigest, byte[] packet) {
        checkPacket(packet);
        return hmacSha256(signingKey(fullKey, peerDigest), packet, 0, SIGNATURE_OFFSET);
    }

    /** Signature of an S2 answering a C1 whose digest is {@code c1Digest} (key: full 68-byte FMS key). */
    public static byte[] s2Signature(byte[] c1Digest, byte[] s2) {
        return signature(FMS_KEY, c1Digest, s2);
    }

    /** Signature of a C2 answering an S1 whose digest is {@code s1Digest} (key: full 62-byte FP key). */
    public static byte[] c2Signature(byte[] s1Digest, byte[] c2) {
        return signature(FP_KEY, s1Digest, c2);
    }

    /** Writes the S2 signature into {@code s2[1504, 1536)}; bytes 0..1503 must already be final. */
    public static void signS2(byte[] s2, byte[] c1Digest) {
        System.arraycopy(s2Signature(c1Digest, s2), 0, s2, SIGNATURE_OFFSET, DIGEST_LENGTH);
    }

    /** Writes the C2 signature into {@code c2[1504, 1536)}; bytes 0..1503 must already be final. */
    public static void signC2(byte[] c2, byte[] s1Digest) {
        System.arraycopy(c2Signature(s1Digest, c2), 0, c2, SIGNATURE_OFFSET, DIGEST_LENGTH);
    }

    /** Whether {@code s2} ends with the signature derived from {@code c1Digest}. */
    public static boolean isS2SignatureValid(byte[] s2, byte[] c1Digest) {
        return MessageDigest.isEqual(s2Signature(c1Digest, s2),
                Arrays.copyOfRange(s2, SIGNATURE_OFFSET, PACKET_LENGTH));
    }

    /** Whether {@code c2} ends with the signature derived from {@code s1Digest}. */
    public static boolean isC2SignatureValid(byte[] c2, byte[] s1Digest) {
        return MessageDigest.isEqual(c2Signature(s1Digest, c2),
                Arrays.copyOfRange(c2, SIGNATURE_OFFSET, PACKET_LENGTH));
    }

    private static Mac initMac(byte[] key) {
        Objects.requireNonNull(key, "key");
        Mac mac = MAC.get();
        try {
            mac.init(new SecretKeySpec(key, HMAC_SHA256));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("unusable HMAC key", e);
        }
        return mac;
    }

    private static void checkPacket(byte[] packet) {
        Objects.requireNonNull(packet, "packet");
        if (packet.length != PACKET_LENGTH) {
            throw new IllegalArgumentException(
                    "handshake packet must be " + PACKET_LENGTH + " bytes, got " + packet.length);
        }
    }

    private static void checkDigest(byte[] digest) {
        Objects.requireNonNull(digest, "digest");
        if (digest.length != DIGEST_LENGTH) {
            throw new IllegalArgumentException(
                    "digest must be " + DIGEST_LENGTH + " bytes, got " + digest.length);
        }
    }

    private static byte[] concat(String ascii, byte[] tail) {
        byte[] head = ascii.getBytes(StandardCharsets.US_ASCII);
        byte[] key = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, key, head.length, tail.length);
        return key;
    }
}
