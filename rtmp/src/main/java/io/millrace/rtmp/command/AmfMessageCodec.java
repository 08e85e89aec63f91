package io.millrace.rtmp.command;

import io.millrace.amf.Amf0Reader;
import io.millrace.amf.Amf0Writer;
import io.millrace.amf.AmfEncoding;
import io.millrace.amf.AmfException;
import io.millrace.rtmp.RtmpProtocolException;
import io.millrace.rtmp.message.MessageType;
import io.millrace.rtmp.message.RtmpMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.util.ArrayList;
import java.util.List;

/**
 * Command and data messages to and from their AMF bodies.
 *
 * <p>AMF0 messages (20, 18) are AMF0 values back to back. The AMF3 envelope (17, 15) starts with a
 * format byte 00, followed by AMF0 values in which any AMF3 value is introduced by the AVM+ marker 11.
 * When writing the AMF3 envelope, the name and transaction id stay AMF0 and every other non-null value
 * is written as AVM+ (11) followed by its AMF3 form, as Flash Player does.
 */
public final class AmfMessageCodec {

    private AmfMessageCodec() {
    }

    public static boolean isCommand(int typeId) {
        return typeId == MessageType.COMMAND_AMF0 || typeId == MessageType.COMMAND_AMF3;
    }

    public static boolean isData(int typeId) {
        return typeId == MessageType.DATA_AMF0 || typeId == MessageType.DATA_AMF3;
    }

    /** Decodes a command message; borrows {@code msg}. Malformed bodies raise RtmpProtocolException. */
    public static Command decodeCommand(RtmpMessage msg) {
        List<Object> values = readValues(msg);
        if (values.size() < 2 || !(values.get(0) instanceof String name)) {
            throw new RtmpProtocolException("command message without a command name (" + values.size() + " values)");
        }
        if (!(values.get(1) instanceof Number tid)) {
            throw new RtmpProtocolException("command '" + name + "' without a transaction id");
        }
        Object commandObject = values.size() > 2 ? values.get(2) : null;
        List<Object> args = values.size() > 3 ? values.subList(3, values.size()) : List.of();
        return new Command(name, tid.doubleValue(), commandObject, args, msg.streamId(), msg.timestamp());
    }

    /** Decodes a data message; borrows {@code msg}. */
    public static DataMessage decodeData(RtmpMessage msg) {
        List<Object> values = readValues(msg);
        if (values.isEmpty() || !(values.get(0) instanceof String name)) {
            throw new RtmpProtocolException("data message without a handler name");
        }
        return new DataMessage(name, values.subList(1, values.size()), msg.streamId(), msg.timestamp());
    }

    private static List<Object> readValues(RtmpMessage msg) {
        ByteBuf body = msg.content().duplicate();
        if ((msg.typeId() == MessageType.COMMAND_AMF3 || msg.typeId() == MessageType.DATA_AMF3)
                && body.isReadable() && body.getByte(body.readerIndex()) == 0) {
            body.skipBytes(1); // AMF3 envelope format selector
        }
        try {
            return new Amf0Reader(body).readAll();
        } catch (AmfException e) {
            throw new RtmpProtocolException("malformed AMF in " + MessageType.name(msg.typeId()) + ": " + e.getMessage(), e);
        }
    }

    /** Encodes a command in the given encoding. The returned message is the caller's to send or release. */
    public static RtmpMessage encode(Command cmd, AmfEncoding encoding, ByteBufAllocator alloc) {
        List<Object> values = new ArrayList<>(cmd.arguments().size() + 1);
        values.add(cmd.commandObject());
        values.addAll(cmd.arguments());
        return encode(encoding == AmfEncoding.AMF3 ? MessageType.COMMAND_AMF3 : MessageType.COMMAND_AMF0,
                cmd.name(), cmd.transactionId(), values, cmd.timestamp(), cmd.streamId(), alloc);
    }

    /** Encodes a data message in the given encoding. */
    public static RtmpMessage encode(DataMessage data, AmfEncoding encoding, ByteBufAllocator alloc) {
        return encode(encoding == AmfEncoding.AMF3 ? MessageType.DATA_AMF3 : MessageType.DATA_AMF0,
                data.name(), null, data.values(), data.timestamp(), data.streamId(), alloc);
    }

    /**
     * The body of a command (with a transaction id) or data message (without): name and transaction
     * id as AMF0, then the values; in the AMF3 envelope a leading 00 and every non-null value as AVM+.
     */
    private static RtmpMessage encode(int typeId, String name, Double transactionId, List<Object> values,
                                      long timestamp, int streamId, ByteBufAllocator alloc) {
        boolean amf3 = typeId == MessageType.COMMAND_AMF3 || typeId == MessageType.DATA_AMF3;
        ByteBuf body = alloc.buffer(128);
        try {
            Amf0Writer w = new Amf0Writer(body);
            if (amf3) {
                body.writeByte(0);
            }
            w.write(name);
            if (transactionId != null) {
                w.write(transactionId);
            }
            for (Object v : values) {
                writeValue(w, v, amf3);
            }
            return new RtmpMessage(typeId, timestamp, streamId, body);
        } catch (RuntimeException e) {
            body.release();
            throw e;
        }
    }

    private static void writeValue(Amf0Writer w, Object value, boolean amf3) {
        if (amf3 && value != null) {
            w.writeAvmPlus(value);
        } else {
            w.write(value);
        }
    }

    /** Reads all AMF0 values of a body (tests, tools); borrows {@code body}. */
    public static List<Object> readAll(ByteBuf body) {
        return new ArrayList<>(new Amf0Reader(body.duplicate()).readAll());
    }
}
