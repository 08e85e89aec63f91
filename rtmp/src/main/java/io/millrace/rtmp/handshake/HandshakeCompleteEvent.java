package io.millrace.rtmp.handshake;

import java.util.Arrays;
import java.util.Objects;

/**
 * User event fired by {@link ServerHandshakeHandler} and {@link ClientHandshakeHandler} once C2 has
 * been read (server) or written (client). The next inbound handler receives it before any bytes
 * that followed the handshake. Both sides describe the same exchange, so the field names say
 * whose packet each one is.
 *
 * <p>Immutable: arrays are copied in and out.
 *
 * @param digest        true for the digest (Flash Player 9+) handshake: the C1 carried a valid
 *                      client digest and the S1 a valid server digest with a signed S2
 * @param scheme        scheme (0 or 1) of the server's S1 digest, which a Millrace server always
 *                      puts at the scheme of the client's C1 digest; -1 for the simple handshake
 * @param clientDigest  the 32 digest bytes of the client's C1; null for the simple handshake
 * @param serverS1      the server's S1 (1536 bytes); its last 32 bytes key the SWF verification
 *                      proof, see {@link #swfVerificationKey()}
 * @param serverS2      the server's S2 (1536 bytes)
 * @param clientVersion bytes 4..7 of the client's C1 (e.g. {@code 09 00 7C 02} for ffmpeg,
 *                      {@code 00 00 00 00} for a simple C1)
 * @param clientTime    the client's epoch, C1 bytes 0..3 as an unsigned 32-bit value
 * @param serverTime    the server's epoch, S1 bytes 0..3 as an unsigned 32-bit value
 */
public record HandshakeCompleteEvent(
        boolean digest,
        int scheme,
        byte[] clientDigest,
        byte[] serverS1,
        byte[] serverS2,
        byte[] clientVersion,
        long clientTime,
        long serverTime) {

    public HandshakeCompleteEvent {
        if (digest) {
            if (scheme != HandshakeCrypto.SCHEME_0 && scheme != HandshakeCrypto.SCHEME_1) {
                throw new IllegalArgumentException("digest handshake needs scheme 0 or 1, got " + scheme);
            }
            Objects.requireNonNull(clientDigest, "clientDigest");
            if (clientDigest.length != HandshakeCrypto.DIGEST_LENGTH) {
                throw new IllegalArgumentException("clientDigest must be 32 bytes");
            }
            clientDigest = clientDigest.clone();
        } else {
            if (scheme != HandshakeCrypto.NO_SCHEME) {
                throw new IllegalArgumentException("simple handshake has scheme -1, got " + scheme);
            }
            clientDigest = null;
        }
        serverS1 = checkPacket(serverS1, "serverS1");
        serverS2 = checkPacket(serverS2, "serverS2");
        clientVersion = HandshakeBytes.checkVersion(clientVersion, "clientVersion");
        clientTime &= 0xFFFFFFFFL;
        serverTime &= 0xFFFFFFFFL;
    }

    /** A copy of the client's C1 digest, or null for the simple handshake. */
    @Override
    public byte[] clientDigest() {
        return clientDigest == null ? null : clientDigest.clone();
    }

    /** A copy of the server's S1. */
    @Override
    public byte[] serverS1() {
        return serverS1.clone();
    }

    /** A copy of the server's S2. */
    @Override
    public byte[] serverS2() {
        return serverS2.clone();
    }

    /** A copy of bytes 4..7 of the client's C1. */
    @Override
    public byte[] clientVersion() {
        return clientVersion.clone();
    }

    /** Bytes 4..7 of the server's S1 ({@code 00 00 00 00} for the simple handshake). */
    public byte[] serverVersion() {
        return Arrays.copyOfRange(serverS1, 4, 8);
    }

    /** The 32 digest bytes of the server's S1, or null for the simple handshake. */
    public byte[] serverDigest() {
        return digest ? HandshakeCrypto.readDigest(serverS1, scheme) : null;
    }

    /**
     * The HMAC key of the client's 42-byte SWF verification proof: the last 32 bytes of S1
     * (librtmp and ffmpeg take {@code serversig[1536 - 32 ..]} right after reading S1). Only
     * meaningful after a digest handshake; a simple-handshake client cannot do SWF verification.
     */
    public byte[] swfVerificationKey() {
        return Arrays.copyOfRange(serverS1, HandshakeCrypto.SIGNATURE_OFFSET, HandshakeCrypto.PACKET_LENGTH);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HandshakeCompleteEvent e
                && digest == e.digest
                && scheme == e.scheme
                && Arrays.equals(clientDigest, e.clientDigest)
                && Arrays.equals(serverS1, e.serverS1)
                && Arrays.equals(serverS2, e.serverS2)
                && Arrays.equals(clientVersion, e.clientVersion)
                && clientTime == e.clientTime
                && serverTime == e.serverTime;
    }

    @Override
    public int hashCode() {
        int h = Boolean.hashCode(digest);
        h = 31 * h + scheme;
        h = 31 * h + Arrays.hashCode(clientDigest);
        h = 31 * h + Arrays.hashCode(serverS1);
        h = 31 * h + Arrays.hashCode(serverS2);
        h = 31 * h + Arrays.hashCode(clientVersion);
        h = 31 * h + Long.hashCode(clientTime);
        return 31 * h + Long.hashCode(serverTime);
    }

    @Override
    public String toString() {
        return "HandshakeCompleteEvent[" + (digest ? "digest, scheme " + scheme : "simple")
                + ", clientVersion " + HandshakeBytes.versionString(clientVersion)
                + ", clientTime " + clientTime
                + ", serverTime " + serverTime
                + (digest ? ", clientDigest " + HandshakeBytes.hex(clientDigest) : "")
                + "]";
    }

    private static byte[] checkPacket(byte[] packet, String name) {
        Objects.requireNonNull(packet, name);
        if (packet.length != HandshakeCrypto.PACKET_LENGTH) {
            throw new IllegalArgumentException(name + " must be 1536 bytes, got " + packet.length);
        }
        return packet.clone();
    }
}
