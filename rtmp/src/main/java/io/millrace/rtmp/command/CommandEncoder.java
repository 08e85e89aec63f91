package io.millrace.rtmp.command;

import io.millrace.amf.AmfEncoding;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;

import java.util.List;

/**
 * Outbound: {@link Command}s become RTMP messages in the connection's object encoding (AMF0 type 20
 * until {@link #setEncoding} says AMF3, then the type 17 envelope). {@link DataMessage}s always go out
 * as AMF0 data (type 18), as FMS sends file data and notifications to AMF0 and AMF3 clients alike.
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
        return msg instanceof Command || msg instanceof DataMessage;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) {
        if (msg instanceof Command c) {
            out.add(AmfMessageCodec.encode(c, encoding, ctx.alloc()));
        } else {
            out.add(AmfMessageCodec.encode((DataMessage) msg, AmfEncoding.AMF0, ctx.alloc()));
        }
    }
}
