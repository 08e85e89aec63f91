package io.millrace.rtmp.command;

import io.millrace.amf.AmfException;
import io.millrace.rtmp.RtmpProtocolException;
import io.millrace.rtmp.message.MessageType;
import io.millrace.rtmp.message.RtmpMessage;
import io.millrace.rtmp.so.SharedObjectCodec;
import io.millrace.rtmp.so.SharedObjectMessage;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;

import java.util.List;

/**
 * Inbound: command messages become {@link NetCommand}s (server side) or stay {@link Command}s in wire
 * form (client side, {@link #wireForm()}), data messages become {@link DataMessage}s, shared object
 * messages (types 19 and 16) become {@link SharedObjectMessage}s (on both sides); every other message
 * (audio, video, aggregates) passes through untouched.
 *
 * <p>A malformed body is an {@link RtmpProtocolException} (wrapped in Netty's DecoderException): the
 * session closes the connection with one log line.
 */
public final class CommandDecoder extends MessageToMessageDecoder<RtmpMessage> {
    private final boolean typed;

    /** The server's decoder: commands are parsed into {@link NetCommand}s. */
    public CommandDecoder() {
        this(true);
    }

    private CommandDecoder(boolean typed) {
        this.typed = typed;
    }

    /** A client's decoder: commands are passed on as {@link Command}s. */
    public static CommandDecoder wireForm() {
        return new CommandDecoder(false);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, RtmpMessage msg, List<Object> out) {
        if (AmfMessageCodec.isCommand(msg.typeId())) {
            Command command = AmfMessageCodec.decodeCommand(msg);
            out.add(typed ? NetCommands.parse(command) : command);
        } else if (AmfMessageCodec.isData(msg.typeId())) {
            out.add(AmfMessageCodec.decodeData(msg));
        } else if (isSharedObject(msg.typeId())) {
            out.add(decodeSharedObject(msg));
        } else {
            out.add(msg.retain());
        }
    }

    public static boolean isSharedObject(int typeId) {
        return typeId == MessageType.SHARED_OBJECT_AMF0 || typeId == MessageType.SHARED_OBJECT_AMF3;
    }

    /** Decodes a shared object message; borrows {@code msg}. Malformed bodies raise RtmpProtocolException. */
    public static SharedObjectMessage decodeSharedObject(RtmpMessage msg) {
        try {
            return SharedObjectCodec.decode(msg.content().duplicate(), msg.typeId() == MessageType.SHARED_OBJECT_AMF3);
        } catch (AmfException e) {
            throw new RtmpProtocolException("malformed AMF in " + MessageType.name(msg.typeId()) + ": " + e.getMessage(), e);
        }
    }
}
