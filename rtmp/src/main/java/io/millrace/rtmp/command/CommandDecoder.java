package io.millrace.rtmp.command;

import io.millrace.rtmp.message.RtmpMessage;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;

import java.util.List;

/**
 * Inbound: command messages become {@link NetCommand}s (server side) or stay {@link Command}s in wire
 * form (client side, {@link #wireForm()}), data messages become {@link DataMessage}s; every other
 * message (audio, video, shared objects, aggregates) passes through untouched.
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
        } else {
            out.add(msg.retain());
        }
    }
}
