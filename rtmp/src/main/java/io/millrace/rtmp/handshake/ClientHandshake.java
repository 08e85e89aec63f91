package io.millrace.rtmp.handshake;

import io.millrace.rtmp.RtmpProtocolException;

import java.util.Arrays;
import java.util.Objects;
import java.util.Random;

import static io.millrace.rtmp.handshake.HandshakeCrypto.NO_SCHEME;
import static io.millrace.rtmp.handshake.HandshakeCrypto.PACKET_LENGTH;
import static io.millrace.rtmp.handshake.HandshakeCrypto.SCHEME_0;
import static io.millrace.rtmp.handshake.HandshakeCrypto.SCHEME_1;
import static io.millrace.rtmp.handshake.HandshakeCrypto.SIGNATURE_OFFSET;

/**
 * The client side of one RTMP handshake, without any I/O: {@code write C0+C1 -> read S0+S1+S2 ->
 * write C2}.
 *
 * <p>A {@linkplain #plain() plain} C1 has version bytes zero (like librtmp without RTMPE or
 * {@code --swfVfy}); the C2 is an echo of S1 and nothing is validated. A {@linkplain #digest()
 * digest} C1 looks like Flash Player's (version {@code 0A 00 2D 02}, client digest at scheme 1 by
 * default). Then, like librtmp: an S1 whose byte 4 is zero means the server only speaks the simple
 * handshake (C2 = echo of S1); otherwise the S1 digest must validate at either scheme and S2 must
 * carry the signature derived from our C1 digest, and C2 is signed with a key derived from the S1
 * digest.
 *
 * <p>Single use, not thread-safe.
 */
public final class ClientHandshake {

    /** C0 + C1. */
    public static final int C0C1_LENGTH = 1 + PACKET_LENGTH;
    /** S0 + S1 + S2. */
    public static final int S0S1S2_LENGTH = 1 + 2 * PACKET_LENGTH;
    /** C2. */
    public static final int C2_LENGTH = PACKET_LENGTH;

    /** Flash Player 10.0.45.2, the version librtmp announces in a digest C1. */
    private static final byte[] FLASH_VERSION = {0x0A, 0x00, 0x2D, 0x02};

    private enum State { NEW, AWAIT_S0S1S2, DONE }

    private final boolean digestRequested;
    private final int requestedScheme;
    private final byte[] version;
    private final Random random;
    private final long clientTime;

    private State state = State.NEW;
    private byte[] c1;
    private byte[] c1Digest;
    private byte[] s1;
    private byte[] s2;
    private int scheme = NO_SCHEME;
    private boolean serverEchoedC1;

    private ClientHandshake(boolean digestRequested, int scheme, byte[] version, Random random, long clientTime) {
        this.digestRequested = digestRequested;
        this.requestedScheme = scheme;
        this.version = version;
        this.random = random;
        this.clientTime = clientTime & 0xFFFFFFFFL;
    }

    /** Simple handshake: C1 version bytes zero, time 0. */
    public static ClientHandshake plain() {
        return plain(null, 0L);
    }

    /**
     * Simple handshake.
     *
     * @param random     filler source; null for the calling thread's random generator
     * @param clientTime our epoch, written into C1 bytes 0..3
     */
    public static ClientHandshake plain(Random random, long clientTime) {
        return new ClientHandshake(false, NO_SCHEME, new byte[4], random, clientTime);
    }

    /** Flash-like digest handshake at scheme 1, version {@code 0A 00 2D 02}, time 0. */
    public static ClientHandshake digest() {
        return digest(SCHEME_1);
    }

    /** Flash-like digest handshake at the given scheme (0 or 1). */
    public static ClientHandshake digest(int scheme) {
        return digest(scheme, FLASH_VERSION, null, 0L);
    }

    /**
     * Digest handshake.
     *
     * @param scheme     where to put the C1 digest: 0 or 1
     * @param version    C1 bytes 4..7 (the Flash Player version); should not start with 0
     * @param random     filler source; null for the calling thread's random generator
     * @param clientTime our epoch, written into C1 bytes 0..3
     */
    public static ClientHandshake digest(int scheme, byte[] version, Random random, long clientTime) {
        if (scheme != SCHEME_0 && scheme != SCHEME_1) {
            throw new IllegalArgumentException("scheme must be 0 or 1: " + scheme);
        }
        return new ClientHandshake(true, scheme, HandshakeBytes.checkVersion(version, "version"), random, clientTime);
    }

    /** Whether our C1 carries a digest. */
    public boolean isDigestRequested() {
        return digestRequested;
    }

    /** The scheme of our C1 digest, or -1 for a plain C1. */
    public int requestedScheme() {
        return requestedScheme;
    }

    /**
     * C0+C1 to send first. Built on the first call; later calls return the same bytes.
     *
     * @return a fresh array of {@value #C0C1_LENGTH} bytes
     */
    public byte[] c0c1() {
        if (c1 == null) {
            c1 = new byte[PACKET_LENGTH];
            HandshakeBytes.writeUint32(c1, 0, clientTime);
            System.arraycopy(version, 0, c1, 4, 4);
            HandshakeBytes.fillRandom(random, c1, 8, PACKET_LENGTH - 8);
            if (digestRequested) {
                c1Digest = HandshakeCrypto.writeDigest(c1, requestedScheme, HandshakeCrypto.clientDigestKey());
            }
            state = State.AWAIT_S0S1S2;
        }
        byte[] c0c1 = new byte[C0C1_LENGTH];
        c0c1[0] = HandshakeBytes.RTMP_VERSION;
        System.arraycopy(c1, 0, c0c1, 1, PACKET_LENGTH);
        return c0c1;
    }

    /**
     * Checks an S0 byte (unsigned).
     *
     * @throws RtmpProtocolException unless it is 3
     */
    public static void checkS0(int s0) {
        String problem = HandshakeBytes.versionProblem(s0 & 0xFF);
        if (problem != null) {
            throw new RtmpProtocolException("server handshake: " + problem);
        }
    }

    /**
     * Reads the server's answer and builds C2.
     *
     * @param s0s1s2 exactly {@value #S0S1S2_LENGTH} bytes; not modified
     * @return C2, {@value #C2_LENGTH} bytes
     * @throws RtmpProtocolException if S0 is not 3, or (digest C1 and a digest-speaking server) the
     *                               S1 digest or the S2 signature is wrong
     */
    public byte[] handleS0S1S2(byte[] s0s1s2) {
        Objects.requireNonNull(s0s1s2, "s0s1s2");
        if (s0s1s2.length != S0S1S2_LENGTH) {
            throw new IllegalArgumentException("S0+S1+S2 must be " + S0S1S2_LENGTH + " bytes, got " + s0s1s2.length);
        }
        if (state != State.AWAIT_S0S1S2) {
            throw new IllegalStateException(state == State.NEW ? "C0+C1 not built yet" : "S0+S1+S2 already handled");
        }
        checkS0(s0s1s2[0]);
        s1 = Arrays.copyOfRange(s0s1s2, 1, 1 + PACKET_LENGTH);
        s2 = Arrays.copyOfRange(s0s1s2, 1 + PACKET_LENGTH, S0S1S2_LENGTH);
        serverEchoedC1 = Arrays.equals(s2, c1);

        byte[] c2;
        if (digestRequested && s1[4] != 0) {
            scheme = findServerScheme();
            if (scheme == NO_SCHEME) {
                throw new RtmpProtocolException("server S1 digest does not validate at scheme 0 or 1 (server version "
                        + HandshakeBytes.versionString(serverVersion()) + ")");
            }
            if (!HandshakeCrypto.isS2SignatureValid(s2, c1Digest)) {
                throw new RtmpProtocolException("server handshake signature mismatch");
            }
            c2 = new byte[PACKET_LENGTH];
            HandshakeBytes.fillRandom(random, c2, 0, SIGNATURE_OFFSET);
            HandshakeCrypto.signC2(c2, HandshakeCrypto.readDigest(s1, scheme));
        } else {
            c2 = s1.clone();
        }
        state = State.DONE;
        return c2;
    }

    /** Whether S0+S1+S2 has been handled and C2 built. */
    public boolean isComplete() {
        return state == State.DONE;
    }

    /** Whether the digest handshake was completed (digest C1 and a validated digest S1 and S2). */
    public boolean isDigest() {
        requireComplete();
        return scheme != NO_SCHEME;
    }

    /** Scheme at which the server's S1 digest validated; -1 after a simple handshake. */
    public int scheme() {
        requireComplete();
        return scheme;
    }

    /** Our C1 digest; null for a plain C1. */
    public byte[] clientDigest() {
        return c1Digest == null ? null : c1Digest.clone();
    }

    /** The server's S1 digest; null after a simple handshake. */
    public byte[] serverDigest() {
        requireComplete();
        return isDigest() ? HandshakeCrypto.readDigest(s1, scheme) : null;
    }

    /** A copy of the S1 received. */
    public byte[] serverS1() {
        requireComplete();
        return s1.clone();
    }

    /** A copy of the S2 received. */
    public byte[] serverS2() {
        requireComplete();
        return s2.clone();
    }

    /** S1 bytes 4..7. */
    public byte[] serverVersion() {
        if (s1 == null) {
            throw new IllegalStateException("S1 not received yet");
        }
        return Arrays.copyOfRange(s1, 4, 8);
    }

    /** The server's epoch: S1 bytes 0..3, unsigned. */
    public long serverTime() {
        requireComplete();
        return HandshakeBytes.readUint32(s1, 0);
    }

    /** Our epoch, written into C1 bytes 0..3. */
    public long clientTime() {
        return clientTime;
    }

    /** Whether S2 was a byte-for-byte echo of our C1 (what simple-handshake servers send). */
    public boolean serverEchoedC1() {
        requireComplete();
        return serverEchoedC1;
    }

    /** The HMAC key of a SWF verification proof: the last 32 bytes of S1. */
    public byte[] swfVerificationKey() {
        requireComplete();
        return Arrays.copyOfRange(s1, SIGNATURE_OFFSET, PACKET_LENGTH);
    }

    /** The event to fire once C2 is written. */
    public HandshakeCompleteEvent completeEvent() {
        requireComplete();
        boolean digest = isDigest();
        return new HandshakeCompleteEvent(digest, scheme, digest ? c1Digest : null, s1, s2,
                version, clientTime, serverTime());
    }

    /** Our scheme first (librtmp's order), then the other one. */
    private int findServerScheme() {
        byte[] key = HandshakeCrypto.serverDigestKey();
        if (HandshakeCrypto.isDigestValid(s1, requestedScheme, key)) {
            return requestedScheme;
        }
        int other = 1 - requestedScheme;
        return HandshakeCrypto.isDigestValid(s1, other, key) ? other : NO_SCHEME;
    }

    private void requireComplete() {
        if (state != State.DONE) {
            throw new IllegalStateException("handshake not complete");
        }
    }
}
