package io.millrace.server.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A hand-driven RTMP peer on a plain {@link Socket}: writes whatever bytes a test wants (a valid plain
 * handshake, chunks built by hand, garbage) and tells how the server ended the connection.
 */
final class RawPeer implements AutoCloseable {
    static final int PACKET = 1536;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawPeer(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    static RawPeer connect(int port) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setTcpNoDelay(true);
        s.setSoTimeout(10_000);
        return new RawPeer(s);
    }

    /**
     * Connects from {@code localAddress} (any 127.x.y.z: Linux routes all of 127/8 to the loopback
     * interface), so that one test can be many clients as far as per-address limits go.
     */
    static RawPeer connectFrom(String localAddress, int port) throws IOException {
        Socket s = new Socket();
        s.bind(new java.net.InetSocketAddress(localAddress, 0));
        s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 10_000);
        s.setTcpNoDelay(true);
        s.setSoTimeout(10_000);
        return new RawPeer(s);
    }

    /** Whether the server still has the connection open: nothing to read within {@code millis} and no EOF. */
    boolean stillOpenAfter(int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            return in.read() >= 0;
        } catch (SocketTimeoutException e) {
            return true;
        } catch (SocketException e) {
            return false;
        } finally {
            socket.setSoTimeout(10_000);
        }
    }

    /** A Set Chunk Size message (protocol control, csid 2). */
    static byte[] setChunkSize(int size) {
        return fmt0Chunk(2, 0, 4, 1, 0, ByteBuffer.allocate(4).putInt(size).array());
    }

    /** The peer's port: what the server sees as the client's (remote) port. */
    int localPort() {
        return socket.getLocalPort();
    }

    RawPeer write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** C0 = 3 and C1 = time, four zero bytes (simple handshake), random filler. */
    static byte[] c0c1() {
        byte[] b = new byte[1 + PACKET];
        ThreadLocalRandom.current().nextBytes(b);
        b[0] = 3;
        ByteBuffer.wrap(b, 1, 8).putInt((int) (System.currentTimeMillis() & 0x7FFFFFFF)).putInt(0);
        return b;
    }

    /** The plain handshake: C0+C1, read S0+S1+S2, answer S1 as C2. */
    RawPeer handshake() throws IOException {
        write(c0c1());
        byte[] s0s1s2 = in.readNBytes(1 + 2 * PACKET);
        if (s0s1s2.length != 1 + 2 * PACKET) {
            throw new IOException("server closed during the handshake after " + s0s1s2.length + " bytes");
        }
        if (s0s1s2[0] != 3) {
            throw new IOException("S0 is " + s0s1s2[0] + ", not 3");
        }
        byte[] c2 = new byte[PACKET];
        System.arraycopy(s0s1s2, 1, c2, 0, PACKET);
        return write(c2);
    }

    /**
     * One chunk with a fmt-0 basic + message header (chunking.md §3) on csid 2..63 announcing
     * {@code length}, followed by {@code payload} (which may be shorter than announced; must fit one
     * 128-byte chunk).
     */
    static byte[] fmt0Chunk(int csid, long timestamp, int length, int typeId, int streamId, byte[] payload) {
        if (csid < 2 || csid > 63 || payload.length > 128) {
            throw new IllegalArgumentException("csid 2..63 and one 128-byte chunk only");
        }
        ByteBuffer b = ByteBuffer.allocate(12 + payload.length);
        b.put((byte) csid);
        putMedium(b, (int) timestamp);
        putMedium(b, length);
        b.put((byte) typeId);
        b.order(ByteOrder.LITTLE_ENDIAN).putInt(streamId).order(ByteOrder.BIG_ENDIAN);
        b.put(payload);
        return b.array();
    }

    /** A whole AMF0 command message (type 20) on csid 3, msid 0. */
    static byte[] command(byte[] amf0Body) {
        return fmt0Chunk(3, 0, amf0Body.length, 20, 0, amf0Body);
    }

    private static void putMedium(ByteBuffer b, int v) {
        b.put((byte) (v >>> 16)).put((byte) (v >>> 8)).put((byte) v);
    }

    /** Builds AMF0 bytes by hand. */
    static final class Amf0 {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        Amf0 string(String s) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            bytes.write(0x02);
            bytes.write(utf8.length >>> 8);
            bytes.write(utf8.length);
            bytes.writeBytes(utf8);
            return this;
        }

        Amf0 number(double d) {
            bytes.write(0x00);
            bytes.writeBytes(ByteBuffer.allocate(8).putDouble(d).array());
            return this;
        }

        Amf0 nul() {
            bytes.write(0x05);
            return this;
        }

        Amf0 raw(int... b) {
            for (int x : b) {
                bytes.write(x);
            }
            return this;
        }

        byte[] bytes() {
            return bytes.toByteArray();
        }
    }

    /**
     * Reads (and discards) until the server ends the connection: "EOF" for an orderly close, "reset"
     * when the server's close reset the connection. Fails if the connection is still open after
     * {@code max}.
     */
    String awaitClosedByServer(Duration max) throws IOException {
        long deadline = System.nanoTime() + max.toNanos();
        byte[] sink = new byte[8192];
        while (true) {
            long leftMs = (deadline - System.nanoTime()) / 1_000_000;
            if (leftMs <= 0) {
                throw new AssertionError("connection from port " + localPort() + " still open after " + max.toMillis() + " ms");
            }
            socket.setSoTimeout((int) leftMs);
            try {
                if (in.read(sink) < 0) {
                    return "EOF";
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("connection from port " + localPort() + " still open after " + max.toMillis() + " ms");
            } catch (SocketException e) {
                return "reset (" + e.getMessage() + ")";
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
