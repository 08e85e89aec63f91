package io.millrace.rtmp.handshake;

import io.millrace.rtmp.RtmpProtocolException;

import java.util.Arrays;
import java.util.Objects;
import java.util.Random;

import static io.millrace.rtmp.handshake.HandshakeCrypto.NO_SCHEME;
import static io.millrace.rtmp.handshake.HandshakeCrypto.PACKET_LENGTH;
import static io.millrace.rtmp.handshake.HandshakeCrypto.SIGNATURE_OFFSET;

/**
 * The server side of one RTMP handshake, without any I/O: {@code read C0+C1 (1537 bytes) ->
 * write S0+S1+S2 (3073 bytes) -> read C2 (1536 bytes)}.
 *
 * <p>If the C1 carries a valid client digest (tried at scheme 0, then scheme 1) the answer is a
 * digest handshake: S1 carries a non-zero server version and a server digest at the same scheme,
 * S2 is 1504 random bytes signed with a key derived from the C1 digest. Otherwise the answer is the
 * simple handshake: S1 version bytes zero (ffmpeg and librtmp validate S1 when they are not) and
 * S2 an exact copy of C1. C2 is looked at ({@link #c2Form()}) but never enforced, because ffmpeg
 * publishers answer a digest S1 with an unsigned echo.
 *
 * <p>Single use, not thread-safe: one instance per connection, called from its event loop.
 */
public final class ServerHandshake {

    /** C0 + C1. */
    public static final int C0C1_LENGTH = 1 + PACKET_LENGTH;
    /** S0 + S1 + S2. */
    public static final int S0S1S2_LENGTH = 1 + 2 * PACKET_LENGTH;
    /** C2. */
    public static final int C2_LENGTH = PACKET_LENGTH;

    /** The version S1 announces in a digest handshake: FMS-like 4.5.0.1 (first byte >= 3 so ffmpeg verifies). */
    private static final byte[] DEFAULT_SERVER_VERSION = {4, 5, 0, 1};

    /** What the client sent as C2, as far as the server can tell. Informational only. */
    public enum C2Form {
        /** A digest-handshake C2 whose signature matches the S1 digest (Flash Player, librtmp). */
        SIGNED,
        /** Bytes 8..1535 echo S1 (simple handshake clients, ffmpeg publishing). */
        ECHO,
        /** Neither: some clients send anything. Still accepted. */
        UNRECOGNISED
    }

    private enum State { AWAIT_C0C1, AWAIT_C2, DONE }

    private final Random random;
    private final long serverTime;
    private final byte[] serverVersion;

    private State state = State.AWAIT_C0C1;
    private byte[] c1;
    private int scheme = NO_SCHEME;
    private byte[] clientDigest;
    private byte[] s1;
    private byte[] s2;
    private C2Form c2Form;

    /** Server time 0, version 4.5.0.1, filler from the calling thread's random generator. */
    public ServerHandshake() {
        this(null, 0L);
    }

    /**
     * @param random     source of the filler bytes; null for the calling thread's
     *                   {@link java.util.concurrent.ThreadLocalRandom}
     * @param serverTime the server's epoch written into S1 bytes 0..3 (low 32 bits)
     */
    public ServerHandshake(Random random, long serverTime) {
        this(random, serverTime, DEFAULT_SERVER_VERSION);
    }

    /**
     * @param serverVersion 4 bytes for S1 bytes 4..7 of a digest handshake; the first must be at
     *                      least 3, otherwise ffmpeg skips validation and librtmp may not see a
     *                      Flash Player 9 server
     */
    public ServerHandshake(Random random, long serverTime, byte[] serverVersion) {
        this.random = random;
        this.serverTime = serverTime & 0xFFFFFFFFL;
        this.serverVersion = HandshakeBytes.checkVersion(serverVersion, "serverVersion");
        if ((this.serverVersion[0] & 0xFF) < 3) {
            throw new IllegalArgumentException("serverVersion must start with a byte >= 3");
        }
    }

    /**
     * Checks a C0 byte (unsigned). Lets a decoder refuse HTTP, TLS or RTMPE after one byte instead
     * of waiting for 1537.
     *
     * @throws RtmpProtocolException unless it is 3
     */
    public static void checkC0(int c0) {
        String problem = HandshakeBytes.versionProblem(c0 & 0xFF);
        if (problem != null) {
            throw new RtmpProtocolException(problem);
        }
    }

    /**
     * Reads C0+C1 and builds the answer.
     *
     * @param c0c1 exactly {@value #C0C1_LENGTH} bytes; not modified
     * @return S0+S1+S2, {@value #S0S1S2_LENGTH} bytes, to be written in one go
     * @throws RtmpProtocolException if C0 is not 3
     */
    public byte[] handleC0C1(byte[] c0c1) {
        Objects.requireNonNull(c0c1, "c0c1");
        if (c0c1.length != C0C1_LENGTH) {
            throw new IllegalArgumentException("C0+C1 must be " + C0C1_LENGTH + " bytes, got " + c0c1.length);
        }
        if (state != State.AWAIT_C0C1) {
            throw new IllegalStateException("C0+C1 already handled");
        }
        checkC0(c0c1[0]);
        c1 = Arrays.copyOfRange(c0c1, 1, C0C1_LENGTH);

        scheme = HandshakeCrypto.findClientDigestScheme(c1);
        if (scheme != NO_SCHEME) {
            clientDigest = HandshakeCrypto.readDigest(c1, scheme);
            s1 = digestS1(scheme);
            s2 = signedS2(clientDigest);
        } else {
            s1 = simpleS1();
            s2 = c1.clone();
        }

        byte[] answer = new byte[S0S1S2_LENGTH];
        answer[0] = HandshakeBytes.RTMP_VERSION;
        System.arraycopy(s1, 0, answer, 1, PACKET_LENGTH);
        System.arraycopy(s2, 0, answer, 1 + PACKET_LENGTH, PACKET_LENGTH);
        state = State.AWAIT_C2;
        return answer;
    }

    /**
     * Reads C2 and records what it looked like. Never fails on content: see {@link C2Form}.
     *
     * @param c2 exactly {@value #C2_LENGTH} bytes; not modified
     * @return how the C2 relates to S1
     */
    public C2Form handleC2(byte[] c2) {
        Objects.requireNonNull(c2, "c2");
        if (c2.length != C2_LENGTH) {
            throw new IllegalArgumentException("C2 must be " + C2_LENGTH + " bytes, got " + c2.length);
        }
        if (state != State.AWAIT_C2) {
            throw new IllegalStateException(state == State.DONE ? "C2 already handled" : "C0+C1 not handled yet");
        }
        if (isDigest() && HandshakeCrypto.isC2SignatureValid(c2, serverDigest())) {
            c2Form = C2Form.SIGNED;
        } else if (Arrays.equals(c2, 8, PACKET_LENGTH, s1, 8, PACKET_LENGTH)) {
            c2Form = C2Form.ECHO;
        } else {
            c2Form = C2Form.UNRECOGNISED;
        }
        state = State.DONE;
        return c2Form;
    }

    /** Whether C0+C1 has been answered. */
    public boolean isAnswered() {
        return state != State.AWAIT_C0C1;
    }

    /** Whether C2 has been read and the handshake is over. */
    public boolean isComplete() {
        return state == State.DONE;
    }

    /** Whether the client's C1 had a valid digest and was answered with the digest handshake. */
    public boolean isDigest() {
        requireAnswered();
        return scheme != NO_SCHEME;
    }

    /** Scheme (0 or 1) of the client's C1 digest and of the server's S1 digest; -1 for simple. */
    public int scheme() {
        requireAnswered();
        return scheme;
    }

    /** The client's 32 C1 digest bytes; null for the simple handshake. */
    public byte[] clientDigest() {
        requireAnswered();
        return clientDigest == null ? null : clientDigest.clone();
    }

    /** The server's 32 S1 digest bytes; null for the simple handshake. */
    public byte[] serverDigest() {
        requireAnswered();
        return isDigest() ? HandshakeCrypto.readDigest(s1, scheme) : null;
    }

    /** A copy of the client's C1. */
    public byte[] clientC1() {
        requireAnswered();
        return c1.clone();
    }

    /** Bytes 4..7 of the client's C1 (its Flash Player version in a digest C1). */
    public byte[] clientVersion() {
        requireAnswered();
        return Arrays.copyOfRange(c1, 4, 8);
    }

    /** The client's epoch: C1 bytes 0..3, unsigned. */
    public long clientTime() {
        requireAnswered();
        return HandshakeBytes.readUint32(c1, 0);
    }

    /** The server's epoch written into S1. */
    public long serverTime() {
        return serverTime;
    }

    /** A copy of the S1 sent. */
    public byte[] serverS1() {
        requireAnswered();
        return s1.clone();
    }

    /** A copy of the S2 sent. */
    public byte[] serverS2() {
        requireAnswered();
        return s2.clone();
    }

    /**
     * The last 32 bytes of the S1 sent: the HMAC key of the client's SWF verification proof
     * (swf-verification.md §3; librtmp and ffmpeg both key it with S1, not S2).
     */
    public byte[] swfVerificationKey() {
        requireAnswered();
        return Arrays.copyOfRange(s1, SIGNATURE_OFFSET, PACKET_LENGTH);
    }

    /** How the C2 looked; null until {@link #handleC2} was called. */
    public C2Form c2Form() {
        return c2Form;
    }

    /** The event to fire once the handshake is over. */
    public HandshakeCompleteEvent completeEvent() {
        requireAnswered();
        return new HandshakeCompleteEvent(isDigest(), scheme, clientDigest, s1, s2,
                clientVersion(), clientTime(), serverTime);
    }

    private byte[] digestS1(int digestScheme) {
        byte[] packet = new byte[PACKET_LENGTH];
        HandshakeBytes.writeUint32(packet, 0, serverTime);
        System.arraycopy(serverVersion, 0, packet, 4, 4);
        HandshakeBytes.fillRandom(random, packet, 8, PACKET_LENGTH - 8);
        HandshakeCrypto.writeDigest(packet, digestScheme, HandshakeCrypto.serverDigestKey());
        return packet;
    }

    private byte[] simpleS1() {
        byte[] packet = new byte[PACKET_LENGTH];
        HandshakeBytes.writeUint32(packet, 0, serverTime);
        // bytes 4..7 stay zero: a non-zero version makes ffmpeg/librtmp validate a digest that is not there
        HandshakeBytes.fillRandom(random, packet, 8, PACKET_LENGTH - 8);
        return packet;
    }

    private byte[] signedS2(byte[] c1Digest) {
        byte[] packet = new byte[PACKET_LENGTH];
        HandshakeBytes.fillRandom(random, packet, 0, SIGNATURE_OFFSET);
        HandshakeCrypto.signS2(packet, c1Digest);
        return packet;
    }

    private void requireAnswered() {
        if (state == State.AWAIT_C0C1) {
            throw new IllegalStateException("C0+C1 not handled yet");
        }
    }
}
