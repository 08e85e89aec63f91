package io.millrace.amf;

import io.netty.buffer.ByteBuf;

import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;

import static io.millrace.amf.Wire.hex;
import static io.millrace.amf.Wire.need;
import static io.millrace.amf.Wire.needCount;
import static io.millrace.amf.Wire.utf8;

/**
 * Reads AMF0 values from a buffer. Use one instance per AMF message / packet: it owns the AMF0
 * reference table (marker 07), which spans all values read through it.
 *
 * <p>Values produced: Number {@code Double}; Boolean; String and long string {@code String}; null;
 * undefined {@link AmfUndefined#INSTANCE}; anonymous object, typed object (className set) and ECMA
 * array ({@link AmfObject#isEcmaArray()}) as {@link AmfObject}; strict array {@code List<Object>}; Date
 * {@link Date} (time zone ignored); XML document {@link AmfXml} with {@code e4x == false}; marker 11
 * one AMF3 value read with a fresh {@link Amf3Reader} (see there for its value model).
 *
 * <p>Leniency: marker 0D (unsupported) is read as {@link AmfUndefined#INSTANCE}; the ECMA array count
 * is ignored (properties are read until {@code 00 00 09}); when the <em>top-level</em> value is an
 * anonymous object or ECMA array, running out of buffer where the next key (or the 09 after
 * {@code 00 00}) would start ends it, as some FLV writers omit the terminator.
 *
 * <p>Errors: MovieClip (04), RecordSet (0E), a stray object end (09), unknown markers, references
 * outside the table, lengths larger than the remaining bytes, nesting deeper than 256 levels and
 * truncated input all throw {@link AmfException} naming the offending item and its buffer offset.
 * No other exception escapes {@link #read()}. After an exception the reader position is unspecified.
 */
public final class Amf0Reader {

    private static final String CODEC = "AMF0";

    private final ByteBuf in;
    private final List<Object> references = new ArrayList<>();
    private int depth;

    /** Reads from {@code in} (borrowed, not released) starting at its reader index, advancing it. */
    public Amf0Reader(ByteBuf in) {
        this.in = Objects.requireNonNull(in, "in");
    }

    /** True while bytes remain to be read. */
    public boolean hasMore() {
        return in.isReadable();
    }

    /** Reads one value. */
    public Object read() {
        int start = in.readerIndex();
        if (!in.isReadable()) {
            throw new AmfException("AMF0 value expected at offset " + start + " but the buffer is empty");
        }
        try {
            return readValue(true);
        } catch (AmfException e) {
            throw e;
        } catch (RuntimeException e) {
            throw Wire.wrap(CODEC, e, in.readerIndex());
        } catch (StackOverflowError e) {
            throw new AmfException("AMF0 value at offset " + start + " is too deeply nested to read", e);
        }
    }

    /** Reads values until the buffer is empty. */
    public List<Object> readAll() {
        List<Object> values = new ArrayList<>();
        while (in.isReadable()) {
            values.add(read());
        }
        return values;
    }

    private Object readValue(boolean topLevel) {
        int start = in.readerIndex();
        need(in, 1, "AMF0 value marker", start);
        if (depth + 1 > Wire.MAX_DEPTH) {
            throw Wire.depthExceeded(CODEC, start);
        }
        depth++;
        try {
            int marker = in.readUnsignedByte();
            switch (marker) {
                case 0x00:
                    need(in, 8, "AMF0 number", start);
                    return in.readDouble();
                case 0x01:
                    need(in, 1, "AMF0 boolean", start);
                    return in.readUnsignedByte() != 0;
                case 0x02:
                    return readShortUtf8("AMF0 string", start);
                case 0x03: {
                    AmfObject o = new AmfObject();
                    references.add(o);
                    readProperties(o, topLevel, "AMF0 object", start);
                    return o;
                }
                case 0x04:
                    throw new AmfException("AMF0 MovieClip marker 0x04 at offset " + start + " is reserved and not supported");
                case 0x05:
                    return null;
                case 0x06:
                case 0x0D: // "unsupported": no payload, read as undefined
                    return AmfUndefined.INSTANCE;
                case 0x07: {
                    need(in, 2, "AMF0 reference", start);
                    int index = in.readUnsignedShort();
                    if (index >= references.size()) {
                        throw new AmfException("AMF0 reference " + index + " at offset " + start
                                + " is outside the reference table (size " + references.size() + ")");
                    }
                    return references.get(index);
                }
                case 0x08: {
                    need(in, 4, "AMF0 ECMA array count", start);
                    in.skipBytes(4); // advisory only
                    AmfObject o = new AmfObject(null, true);
                    references.add(o);
                    readProperties(o, topLevel, "AMF0 ECMA array", start);
                    return o;
                }
                case 0x09:
                    throw new AmfException("AMF0 object end marker 0x09 at offset " + start + " outside an object");
                case 0x0A: {
                    need(in, 4, "AMF0 strict array count", start);
                    long count = in.readUnsignedInt();
                    needCount(in, count, 1, "AMF0 strict array", start);
                    List<Object> list = new ArrayList<>((int) Math.min(count, 1024));
                    references.add(list);
                    for (long i = 0; i < count; i++) {
                        list.add(readValue(false));
                    }
                    return list;
                }
                case 0x0B: {
                    need(in, 10, "AMF0 date", start);
                    double ms = in.readDouble();
                    in.skipBytes(2); // time zone: ignored
                    return new Date((long) ms);
                }
                case 0x0C:
                    return readLongUtf8("AMF0 long string", start);
                case 0x0E:
                    throw new AmfException("AMF0 RecordSet marker 0x0E at offset " + start + " is reserved and not supported");
                case 0x0F:
                    return new AmfXml(readLongUtf8("AMF0 XML document", start), false);
                case 0x10: {
                    String className = readShortUtf8("AMF0 typed object class name", start);
                    AmfObject o = new AmfObject(className, false);
                    references.add(o);
                    readProperties(o, false, "AMF0 typed object", start);
                    return o;
                }
                case 0x11:
                    // One AMF3 value with its own, fresh reference tables; nesting depth carries over.
                    return new Amf3Reader(in, depth).read();
                default:
                    throw new AmfException("unknown AMF0 marker " + hex(marker) + " at offset " + start);
            }
        } finally {
            depth--;
        }
    }

    private void readProperties(AmfObject o, boolean lenientEnd, String what, int start) {
        while (true) {
            if (lenientEnd && !in.isReadable()) {
                return; // missing terminator at the end of the buffer
            }
            int keyStart = in.readerIndex();
            need(in, 2, what + " property name", keyStart);
            int len = in.readUnsignedShort();
            if (len == 0) {
                if (lenientEnd && !in.isReadable()) {
                    return; // "00 00" without the 09
                }
                need(in, 1, what + " end marker", keyStart);
                int end = in.readUnsignedByte();
                if (end == 0x09) {
                    return;
                }
                throw new AmfException(what + " starting at offset " + start + ": empty property name at offset "
                        + keyStart + " followed by " + hex(end) + " instead of the object end marker 0x09");
            }
            String key = utf8(in, len, what + " property name", keyStart);
            o.put(key, readValue(false));
        }
    }

    private String readShortUtf8(String what, int start) {
        need(in, 2, what + " length", start);
        int len = in.readUnsignedShort();
        return utf8(in, len, what, start);
    }

    private String readLongUtf8(String what, int start) {
        need(in, 4, what + " length", start);
        long len = in.readUnsignedInt();
        return utf8(in, len, what, start);
    }
}
