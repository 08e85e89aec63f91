package io.millrace.rtmp.command;

import io.millrace.amf.AmfEncoding;
import io.millrace.rtmp.message.MessageType;
import io.millrace.rtmp.message.RtmpMessage;
import io.millrace.rtmp.so.SharedObjectCodec;
import io.millrace.rtmp.so.SharedObjectMessage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;

import java.util.List;

/**
 * Outbound: {@link Command}s become RTMP messages in the connection's object encoding (AMF0 type 20
 * until {@link #setEncoding} says AMF3, then the type 17 envelope). {@link DataMessage}s always go out
 * as AMF0 data (type 18), as FMS sends file data and notifications to AMF0 and AMF3 clients alike.
 * {@link SharedObjectMessage}s go out on message stream 0 as type 19, or 16 when their {@code amf3} flag
 * says so (each subscriber gets its own encoding, whatever the connection's command encoding), with
 * timestamp 0; like NetConnection commands they travel on chunk stream 3 ({@code ChunkStreams.COMMAND}).
 */
public final class CommandEncoder extends MessageToMessageEncoder<Object> {
    private volatile AmfEncoding encoding = AmfEncoding.AMF0;

    public void setEncoding(AmfEncoding encoding) {
        this.encoding = encoding;
    }

    public AmfEncoding encoding() {
        return encoding;
    }

    @Override
    public boolean acceptOutboundMessage(Object msg) {
        return msg instanceof Command || msg instanceof DataMessage || msg instanceof SharedObjectMessage;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) {
        if (msg instanceof Command c) {
            out.add(AmfMessageCodec.encode(c, encoding, ctx.alloc()));
        } else if (msg instanceof SharedObjectMessage so) {
            ByteBuf body = ctx.alloc().buffer(64);
            try {
                SharedObjectCodec.encode(so, body);
                out.add(new RtmpMessage(so.amf3() ? MessageType.SHARED_OBJECT_AMF3 : MessageType.SHARED_OBJECT_AMF0,
                        0, 0, body));
            } catch (RuntimeException e) {
                body.release();
                throw e;
            }
        } else {
            out.add(AmfMessageCodec.encode((DataMessage) msg, AmfEncoding.AMF0, ctx.alloc()));
        }
    }
}
