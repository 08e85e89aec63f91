package io.millrace.rtmp.so;

import io.millrace.amf.Amf0Reader;
import io.millrace.amf.Amf0Writer;
import io.millrace.amf.AmfException;
import io.millrace.rtmp.RtmpProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes shared object messages. The body: the object's name (UTF-8 with a U16 length), its
 * version (U32), flags (U32, 2 = persistent, then 4 unused bytes), then events {@code type(1) length(U32)
 * data}. Type 16 starts with a format byte (0). Property names are UTF-8 with a U16 length; values are AMF0
 * (which switches to AMF3 with its 0x11 marker).
 *
 * <p>Every length read from the wire is checked against what is left of the message before it is used;
 * an event's data must be consumed exactly; at most {@link #MAX_EVENTS} events. A malformed message is an
 * {@link RtmpProtocolException} (or the {@link AmfException} of a bad value), nothing else.
 */
public final class SharedObjectCodec {
    /** Most events one message may carry (a message is at most 16 MiB; an empty event takes 5 bytes). */
    public static final int MAX_EVENTS = 65_536;
    private static final int PERSISTENT = 2;

    private SharedObjectCodec() {
    }

    /** Reads the message in {@code payload} (borrowed; its reader index is moved to its end). */
    public static SharedObjectMessage decode(ByteBuf payload, boolean amf3) {
        if (amf3) {
            need(payload, 1, "format byte");
            payload.skipBytes(1); // 0: the rest is in the AMF0 layout, values switching to AMF3 where marked
        }
        String name = utf8(payload, "object name");
        need(payload, 12, "version and flags");
        long version = payload.readUnsignedInt();
        long flags = payload.readUnsignedInt();
        payload.skipBytes(4);
        List<SharedObjectEvent> events = new ArrayList<>();
        while (payload.isReadable()) {
            if (events.size() >= MAX_EVENTS) {
                throw new RtmpProtocolException("shared object message with more than " + MAX_EVENTS + " events");
            }
            need(payload, 5, "event header");
            int type = payload.readUnsignedByte();
            long length = payload.readUnsignedInt();
            if (length > payload.readableBytes()) {
                throw new RtmpProtocolException("shared object event of " + length + " bytes, only "
                        + payload.readableBytes() + " left in the message");
            }
            ByteBuf data = payload.readSlice((int) length);
            events.add(event(type, data));
            if (data.isReadable()) {
                throw new RtmpProtocolException("shared object event " + type + " has " + data.readableBytes()
                        + " bytes past its data");
            }
        }
        return new SharedObjectMessage(name, version, flags == PERSISTENT, events, amf3);
    }

    private static SharedObjectEvent event(int type, ByteBuf d) {
        return switch (type) {
            case 1 -> new SharedObjectEvent.Use();
            case 2 -> new SharedObjectEvent.Release();
            case 3 -> new SharedObjectEvent.RequestChange(utf8(d, "property name"), value(d));
            case 4 -> new SharedObjectEvent.Change(utf8(d, "property name"), value(d));
            case 5 -> new SharedObjectEvent.Success(utf8(d, "property name"));
            case 6 -> sendMessage(d);
            case 7 -> new SharedObjectEvent.Status(utf8(d, "status code"), utf8(d, "status level"));
            case 8 -> new SharedObjectEvent.Clear();
            case 9 -> new SharedObjectEvent.Remove(utf8(d, "property name"));
            case 10 -> new SharedObjectEvent.RequestRemove(utf8(d, "property name"));
            case 11 -> new SharedObjectEvent.UseSuccess();
            default -> throw new RtmpProtocolException("unknown shared object event type " + type);
        };
    }

    /** SendMessage: the handler's name (an AMF0 string), then its arguments. */
    private static SharedObjectEvent sendMessage(ByteBuf d) {
        Amf0Reader r = new Amf0Reader(d);
        Object handler = r.read();
        if (!(handler instanceof String h)) {
            throw new RtmpProtocolException("shared object SendMessage without a handler name");
        }
        List<Object> args = new ArrayList<>();
        while (r.hasMore()) {
            args.add(r.read());
        }
        return new SharedObjectEvent.SendMessage(h, args);
    }

    /** A property's value: one AMF value, or none (an empty value reads as null). */
    private static Object value(ByteBuf d) {
        if (!d.isReadable()) {
            return null;
        }
        return new Amf0Reader(d).read();
    }

    private static String utf8(ByteBuf in, String what) {
        need(in, 2, what + " length");
        int len = in.readUnsignedShort();
        need(in, len, what);
        String s = in.toString(in.readerIndex(), len, StandardCharsets.UTF_8);
        in.skipBytes(len);
        return s;
    }

    private static void need(ByteBuf in, int n, String what) {
        if (in.readableBytes() < n) {
            throw new RtmpProtocolException("shared object message cut short in its " + what + " (" + n
                    + " bytes needed, " + in.readableBytes() + " left)");
        }
    }

    /** Appends the message to {@code out} (borrowed). */
    public static void encode(SharedObjectMessage m, ByteBuf out) {
        if (m.amf3()) {
            out.writeByte(0);
        }
        writeUtf8(out, m.name());
        out.writeInt((int) m.version());
        out.writeInt(m.persistent() ? PERSISTENT : 0);
        out.writeInt(0);
        for (SharedObjectEvent e : m.events()) {
            out.writeByte(e.type());
            int lengthAt = out.writerIndex();
            out.writeInt(0);
            int start = out.writerIndex();
            if (e instanceof SharedObjectEvent.RequestChange c) {
                writeUtf8(out, c.property());
                new Amf0Writer(out).write(c.value());
            } else if (e instanceof SharedObjectEvent.Change c) {
                writeUtf8(out, c.property());
                new Amf0Writer(out).write(c.value());
            } else if (e instanceof SharedObjectEvent.Success s) {
                writeUtf8(out, s.property());
            } else if (e instanceof SharedObjectEvent.SendMessage s) {
                Amf0Writer w = new Amf0Writer(out).write(s.handler());
                s.arguments().forEach(w::write);
            } else if (e instanceof SharedObjectEvent.Status s) {
                writeUtf8(out, s.code());
                writeUtf8(out, s.level());
            } else if (e instanceof SharedObjectEvent.Remove r) {
                writeUtf8(out, r.property());
            } else if (e instanceof SharedObjectEvent.RequestRemove r) {
                writeUtf8(out, r.property());
            }
            out.setInt(lengthAt, out.writerIndex() - start);
        }
    }

    private static void writeUtf8(ByteBuf out, String s) {
        int len = ByteBufUtil.utf8Bytes(s);
        if (len > 0xFFFF) {
            throw new AmfException("a shared object name of " + len + " bytes is longer than 65535 bytes");
        }
        out.writeShort(len);
        ByteBufUtil.writeUtf8(out, s);
    }
}
