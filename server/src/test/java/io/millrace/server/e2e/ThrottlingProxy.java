package io.millrace.server.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on loopback that passes client-to-server bytes as they come and server-to-client bytes at no
 * more than a set rate: the client's downstream link, narrowed. It reads from the server only as fast as it
 * forwards, so the server sees the back-pressure of a slow link, not a fast one with a big buffer behind it.
 */
final class ThrottlingProxy implements AutoCloseable {
    /** Bytes forwarded per write: small enough that the rate holds over a few milliseconds. */
    private static final int SLICE = 1460;

    private final ServerSocket listener;
    private final int targetPort;
    private final long downBytesPerSecond;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    ThrottlingProxy(int targetPort, long downKbitPerSecond) throws IOException {
        this.targetPort = targetPort;
        this.downBytesPerSecond = downKbitPerSecond * 1000 / 8;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::acceptLoop, "throttling-proxy-accept");
        accept.setDaemon(true);
        accept.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket();
                server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(server);
                pump(client, server, 0, "up");
                pump(server, client, downBytesPerSecond, "down");
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void pump(Socket from, Socket to, long bytesPerSecond, String name) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[SLICE];
            long start = System.nanoTime();
            long sent = 0;
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    if (bytesPerSecond > 0) {
                        // Wait until these bytes are due at the rate; an idle link does not save up credit.
                        long now = System.nanoTime();
                        long due = start + (sent + n) * 1_000_000_000L / bytesPerSecond;
                        if (due < now - 50_000_000L) {
                            start = now - (sent + n) * 1_000_000_000L / bytesPerSecond;
                            due = now;
                        }
                        long wait = due - now;
                        if (wait > 0) {
                            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                        }
                    }
                    out.write(buf, 0, n);
                    sent += n;
                }
            } catch (IOException | InterruptedException e) {
                // one side closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "throttling-proxy-" + name);
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : sockets) {
            closeQuietly(s);
        }
    }
}
