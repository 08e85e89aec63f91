package io.millrace.rtmp.handshake;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Sits after a handshake handler: records handshake events and, in order with them, that bytes
 * went by ("bytes"). Passes everything on unchanged.
 */
final class HandshakeRecorder extends ChannelInboundHandlerAdapter {

    final List<HandshakeCompleteEvent> events = new ArrayList<>();
    final List<String> sequence = new ArrayList<>();

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof HandshakeCompleteEvent e) {
            events.add(e);
            sequence.add("event");
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        sequence.add("bytes");
        super.channelRead(ctx, msg);
    }

    /** Writes {@code bytes} into the channel in pieces of {@code piece} bytes, each a fresh pooled buffer. */
    static void feed(EmbeddedChannel ch, byte[] bytes, int piece) {
        for (int at = 0; at < bytes.length; at += piece) {
            int n = Math.min(piece, bytes.length - at);
            ch.writeInbound(ch.alloc().buffer(n).writeBytes(bytes, at, n));
        }
    }

    /** Reads, concatenates and releases every buffer in the outbound queue; returns one array per message. */
    static List<byte[]> drainOutbound(EmbeddedChannel ch) {
        List<byte[]> out = new ArrayList<>();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            out.add(toBytesAndRelease(o));
        }
        return out;
    }

    /** Reads, concatenates and releases every buffer in the inbound queue. */
    static byte[] drainInbound(EmbeddedChannel ch) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (Object o; (o = ch.readInbound()) != null; ) {
            all.writeBytes(toBytesAndRelease(o));
        }
        return all.toByteArray();
    }

    private static byte[] toBytesAndRelease(Object o) {
        ByteBuf buf = (ByteBuf) o;
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }
}
