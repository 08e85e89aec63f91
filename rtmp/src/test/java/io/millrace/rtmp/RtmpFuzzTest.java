package io.millrace.rtmp;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.millrace.rtmp.chunk.ChunkDecoder;
import io.millrace.rtmp.chunk.ChunkEncoder;
import io.millrace.rtmp.chunk.ChunkStreamState;
import io.millrace.rtmp.command.CommandDecoder;
import io.millrace.rtmp.handshake.ClientHandshake;
import io.millrace.rtmp.handshake.HandshakeCompleteEvent;
import io.millrace.rtmp.handshake.ServerHandshake;
import io.millrace.rtmp.handshake.ServerHandshakeHandler;
import io.millrace.rtmp.message.RtmpMessage;
import io.millrace.testkit.TrackingAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Fuzz targets for the server side of the RTMP wire protocol (Jazzer): the handshake, and the chunk
 * stream with the control and command messages it carries, in an {@code EmbeddedChannel} with the
 * server's handlers in the server's order. Each input's corpus lives in
 * {@code src/test/resources/io/millrace/rtmp/RtmpFuzzTestInputs/<method>/}.
 *
 * <p>Properties: bytes from the peer produce messages or a {@link RtmpProtocolException} (which
 * closes the connection), never another exception; the handshake answers exactly once when C0+C1
 * are complete; no message is larger than the maximum message size; every buffer is released.
 *
 * <p>The first input byte chooses how the rest is cut into reads (0: one read, else pieces of that
 * many bytes), since decoders must not care where reads end.
 */
class RtmpFuzzTest {

    /** Small, so that lengths from the wire meet the bound often. */
    private static final int MAX_MESSAGE_SIZE = 4096;
    private static final int MAX_CHUNK_STREAMS = 8;

    /**
     * Raw bytes as the first bytes of a connection (byte 1 onward: C0, C1, C2 and whatever follows).
     * With byte 1 = 0xFF, a real digest C0+C1 (scheme from byte 2) goes first instead, then the rest.
     */
    @FuzzTest(maxDuration = "30s")
    void handshake(byte[] data) {
        if (data.length < 2) {
            return;
        }
        int piece = data[0] & 0xFF;
        byte[] stream = Arrays.copyOfRange(data, 1, data.length);
        if (data[1] == (byte) 0xFF && data.length > 2) {
            ClientHandshake client = ClientHandshake.digest(data[2] & 1, new byte[] {10, 0, 32, 2},
                    new Random(data.length), 0);
            stream = concat(client.c0c1(), Arrays.copyOfRange(data, 3, data.length));
        }
        Connection c = new Connection(true);
        c.feed(stream, piece);
        int outbound = c.drainOutbound();
        boolean refused = stream[0] != 3;
        if (refused) {
            c.expectProtocolError("a bad C0");
            if (outbound != 0) {
                throw new AssertionError("answered a refused handshake");
            }
        } else if (stream.length >= ServerHandshake.C0C1_LENGTH) {
            if (outbound != ServerHandshake.S0S1S2_LENGTH && !c.failed()) {
                throw new AssertionError("S0+S1+S2 expected, " + outbound + " bytes written");
            }
            boolean complete = stream.length >= ServerHandshake.C0C1_LENGTH + ServerHandshake.C2_LENGTH;
            if (c.handshakeDone ? !complete : complete && !c.failed()) {
                throw new AssertionError("handshake complete: " + c.handshakeDone + ", expected " + complete);
            }
        } else if (outbound != 0 || c.handshakeDone) {
            throw new AssertionError("answered before C0+C1 were complete");
        }
        c.finish();
    }

    /**
     * Bytes after a completed handshake, through the chunk decoder, its control message handling
     * and the command decoder (as in the server's pipeline).
     */
    @FuzzTest(maxDuration = "30s")
    void chunkStream(byte[] data) {
        if (data.length < 1) {
            return;
        }
        Connection c = new Connection(false);
        c.feed(Arrays.copyOfRange(data, 1, data.length), data[0] & 0xFF);
        c.drainOutbound();
        c.finish();
    }

    /**
     * A shared object message body (type 19 when the first byte is even, 16 when odd), as a client may send
     * one: it reads as a message or fails with a protocol or AMF error, nothing else; what it read is written
     * and read again to the same message.
     */
    @FuzzTest(maxDuration = "30s")
    void sharedObject(byte[] data) {
        if (data.length < 1) {
            return;
        }
        boolean amf3 = (data[0] & 1) == 1;
        ByteBuf in = io.netty.buffer.Unpooled.wrappedBuffer(data, 1, data.length - 1);
        io.millrace.rtmp.so.SharedObjectMessage m;
        try {
            m = io.millrace.rtmp.so.SharedObjectCodec.decode(in, amf3);
        } catch (RtmpProtocolException | io.millrace.amf.AmfException e) {
            return;
        }
        ByteBuf out = io.netty.buffer.Unpooled.buffer();
        try {
            try {
                io.millrace.rtmp.so.SharedObjectCodec.encode(m, out);
            } catch (io.millrace.amf.AmfException e) {
                return; // a value the reader takes but AMF0 cannot write back (see AmfFuzzTest)
            }
            io.millrace.rtmp.so.SharedObjectMessage again;
            try {
                again = io.millrace.rtmp.so.SharedObjectCodec.decode(out, amf3);
            } catch (io.millrace.amf.AmfException e) {
                return; // AMF values whose written form the reader refuses (dictionary keys it will not hash)
            }
            if (!again.name().equals(m.name()) || again.version() != m.version() || again.persistent() != m.persistent()
                    || again.events().size() != m.events().size()) {
                throw new AssertionError("written and read again: " + again + " is not " + m);
            }
            for (int k = 0; k < m.events().size(); k++) {
                if (again.events().get(k).type() != m.events().get(k).type()) {
                    throw new AssertionError("event " + k + " changed type");
                }
            }
        } finally {
            out.release();
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** One server connection in an EmbeddedChannel, allocating from a {@link TrackingAllocator}. */
    private static final class Connection {
        final TrackingAllocator alloc = new TrackingAllocator();
        final EmbeddedChannel channel = new EmbeddedChannel();
        final List<Throwable> errors = new ArrayList<>();
        boolean handshakeDone;

        Connection(boolean withHandshake) {
            channel.config().setAllocator(alloc);
            if (withHandshake) {
                channel.pipeline().addLast(PipelineNames.HANDSHAKE, new ServerHandshakeHandler());
            }
            ChunkDecoder decoder = new ChunkDecoder(MAX_MESSAGE_SIZE, MAX_CHUNK_STREAMS, new ChunkStreamState());
            channel.pipeline().addLast(PipelineNames.CHUNK_ENCODER, new ChunkEncoder(decoder.state()));
            channel.pipeline().addLast(PipelineNames.CHUNK_DECODER, decoder);
            channel.pipeline().addLast(PipelineNames.COMMAND_DECODER, new CommandDecoder());
            channel.pipeline().addLast("sink", new Sink());
        }

        void feed(byte[] bytes, int piece) {
            int step = piece == 0 ? Math.max(1, bytes.length) : piece;
            for (int i = 0; i < bytes.length && channel.isOpen(); i += step) {
                int n = Math.min(step, bytes.length - i);
                ByteBuf buf = alloc.buffer(n).writeBytes(bytes, i, n);
                channel.writeInbound(buf);
            }
            channel.runPendingTasks();
            channel.checkException(); // anything that reached the tail unhandled
            for (Throwable t : errors) {
                if (!(t instanceof RtmpProtocolException)) {
                    throw new AssertionError("unexpected exception in the pipeline: " + t, t);
                }
            }
        }

        boolean failed() {
            return !errors.isEmpty();
        }

        void expectProtocolError(String why) {
            if (errors.isEmpty() || channel.isOpen()) {
                throw new AssertionError(why + " must fail the connection and close it");
            }
        }

        /** Bytes written to the peer (released here). */
        int drainOutbound() {
            int bytes = 0;
            Object out;
            while ((out = channel.readOutbound()) != null) {
                if (out instanceof ByteBuf b) {
                    bytes += b.readableBytes();
                }
                ReferenceCountUtil.release(out);
            }
            return bytes;
        }

        void finish() {
            channel.finishAndReleaseAll();
            alloc.assertAllReleased();
        }

        /** The session's place: checks what arrives, releases it, closes on errors as the session does. */
        private final class Sink extends ChannelInboundHandlerAdapter {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                try {
                    if (msg instanceof RtmpMessage m && m.length() > MAX_MESSAGE_SIZE) {
                        throw new AssertionError("message of " + m.length() + " bytes passed the bound");
                    }
                } finally {
                    ReferenceCountUtil.release(msg);
                }
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof HandshakeCompleteEvent) {
                    handshakeDone = true;
                }
                ReferenceCountUtil.release(evt);
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                // Recorded and checked by feed(): Netty would only log what is thrown from here.
                errors.add(cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause);
                ctx.close();
            }
        }
    }
}
