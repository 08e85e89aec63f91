package io.millrace.amf;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.util.Arrays;
import java.util.Collection;
import java.util.Date;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Writes AMF0 values. Use one instance per AMF message / packet (the AMF0 reference table spans the
 * values written through it).
 *
 * <p>Accepted values: null (05); {@link AmfUndefined} (06); Boolean (01); any Number as Number (00,
 * double); CharSequence or Character as String (02, or 0C when the UTF-8 form is longer than 65535
 * bytes); {@link AmfObject}: ECMA array (08, count = size) when {@link AmfObject#isEcmaArray()}, typed
 * object (10) when it has a className, else anonymous object (03); any other {@code Map} as anonymous
 * object with {@code String.valueOf} keys; {@code List}/{@code Collection} and {@code Object[]} as strict
 * array (0A); {@link Date} (0B, time zone 0); {@link AmfXml} with {@code e4x == false} as XML document
 * (0F). Types only AMF3 can express — {@code byte[]}, {@link AmfVector}, {@link AmfDictionary},
 * {@link AmfArray}, E4X {@link AmfXml} — go through the AVM+ switch ({@link #writeAvmPlus(Object)}).
 *
 * <p>References (07): by default the writer emits a reference only where it must, i.e. when a value
 * contains itself (a cycle); an instance that merely appears twice is written out twice, because
 * common AMF0 parsers (ffmpeg, librtmp) do not understand marker 07. {@link #useReferences(boolean)
 * useReferences(true)} references every repeated instance (identity), as BlazeDS does.
 *
 * <p>Empty or null property names, names or class names longer than 65535 bytes, unsupported types
 * and nesting deeper than 256 levels throw {@link AmfException}; the output then holds a partial value
 * and should be discarded.
 */
public final class Amf0Writer {

    private final ByteBuf out;
    /** Reference-table index of the latest inline occurrence of each complex value written. */
    private final Map<Object, Integer> written = new IdentityHashMap<>();
    /** Complex values currently being written (enclosing the current position). */
    private final Map<Object, Boolean> inProgress = new IdentityHashMap<>();
    private int nextIndex;
    private boolean references;
    private int depth;

    /**
     * The most one writer appends: RTMP's largest message. Without references, a value that shares its
     * parts is written out in full for each use, which a few hundred bytes read from the wire can turn into
     * gigabytes; past this the writer stops with an {@link AmfException}.
     */
    public static final int MAX_OUTPUT = 0xFFFFFF;

    private final int start;

    /** Appends to {@code out} (borrowed, not released) at its writer index. */
    public Amf0Writer(ByteBuf out) {
        this.out = Objects.requireNonNull(out, "out");
        this.start = out.writerIndex();
    }

    /**
     * Whether to write a reference (07) for every instance already written in this message, rather
     * than only for cycles. Off by default for compatibility with ffmpeg and librtmp.
     */
    public Amf0Writer useReferences(boolean on) {
        this.references = on;
        return this;
    }

    /** Writes one value. */
    public Amf0Writer write(Object value) {
        try {
            writeValue(value);
        } catch (StackOverflowError e) {
            throw new AmfException("AMF0 value too deeply nested to write", e);
        }
        return this;
    }

    /** Writes the values in order. */
    public Amf0Writer writeAll(Object... values) {
        for (Object v : values) {
            write(v);
        }
        return this;
    }

    /** Writes {@code 11} followed by the AMF3 encoding of {@code value}, with fresh AMF3 tables. */
    public Amf0Writer writeAvmPlus(Object value) {
        out.writeByte(0x11);
        try {
            new Amf3Writer(out, depth).write(value);
        } catch (StackOverflowError e) {
            throw new AmfException("AMF3 value too deeply nested to write", e);
        }
        return this;
    }

    private void writeValue(Object v) {
        if (out.writerIndex() - start > MAX_OUTPUT) {
            throw new AmfException("AMF0 output past " + MAX_OUTPUT + " bytes: a value too large to write (shared parts are "
                    + "written out in full)");
        }
        if (depth + 1 > Wire.MAX_DEPTH) {
            throw new AmfException("AMF0 value nested deeper than " + Wire.MAX_DEPTH + " levels cannot be written");
        }
        depth++;
        try {
            if (v == null) {
                out.writeByte(0x05);
            } else if (v == AmfUndefined.INSTANCE) {
                out.writeByte(0x06);
            } else if (v instanceof Boolean b) {
                out.writeByte(0x01);
                out.writeByte(b ? 1 : 0);
            } else if (v instanceof Number n) {
                out.writeByte(0x00);
                out.writeDouble(n.doubleValue());
            } else if (v instanceof CharSequence || v instanceof Character) {
                writeString(v.toString());
            } else if (v instanceof Date d) {
                out.writeByte(0x0B);
                out.writeDouble(d.getTime());
                out.writeShort(0);
            } else if (v instanceof AmfXml x && !x.e4x()) {
                out.writeByte(0x0F);
                out.writeInt(ByteBufUtil.utf8Bytes(x.xml()));
                ByteBufUtil.writeUtf8(out, x.xml());
            } else if (v instanceof AmfObject o) {
                if (o.isEcmaArray()) {
                    writeObject(o, 0x08, null);
                } else if (o.className() != null) {
                    writeObject(o, 0x10, o.className());
                } else {
                    writeObject(o, 0x03, null);
                }
            } else if (v instanceof Map<?, ?> m) {
                writeObject(m, 0x03, null);
            } else if (v instanceof Collection<?> c) {
                writeStrictArray(c, c);
            } else if (v instanceof Object[] a) {
                writeStrictArray(a, Arrays.asList(a));
            } else if (v instanceof byte[] || v instanceof AmfVector || v instanceof AmfDictionary
                    || v instanceof AmfArray || v instanceof AmfXml) {
                writeAvmPlus(v);
            } else {
                throw new AmfException("cannot encode " + v.getClass().getName() + " as AMF0");
            }
        } finally {
            depth--;
        }
    }

    private void writeString(String s) {
        int len = ByteBufUtil.utf8Bytes(s);
        if (len <= 0xFFFF) {
            out.writeByte(0x02);
            out.writeShort(len);
        } else {
            out.writeByte(0x0C);
            out.writeInt(len);
        }
        ByteBufUtil.writeUtf8(out, s);
    }

    /** UTF-8 with a U16 length, for property and class names. */
    private void writeShortUtf8(String s, String what) {
        int len = ByteBufUtil.utf8Bytes(s);
        if (len > 0xFFFF) {
            throw new AmfException("AMF0 " + what + " of " + len + " bytes is longer than 65535 bytes");
        }
        out.writeShort(len);
        ByteBufUtil.writeUtf8(out, s);
    }

    /**
     * Writes a reference instead of {@code v} when allowed (see class comment) and returns true; else
     * enters {@code v} in the table and returns false.
     */
    private boolean writeReference(Object v) {
        Integer index = written.get(v);
        if (index != null) {
            boolean cycle = inProgress.containsKey(v);
            if (cycle || references) {
                if (index > 0xFFFF) {
                    if (cycle) {
                        throw new AmfException("AMF0 cyclic value beyond reference index 65535 cannot be written");
                    }
                } else {
                    out.writeByte(0x07);
                    out.writeShort(index);
                    return true;
                }
            }
        }
        written.put(v, nextIndex++);
        return false;
    }

    private void writeObject(Map<?, ?> o, int marker, String className) {
        if (writeReference(o)) {
            return;
        }
        inProgress.put(o, Boolean.TRUE);
        out.writeByte(marker);
        if (marker == 0x08) {
            out.writeInt(o.size());
        } else if (marker == 0x10) {
            writeShortUtf8(className, "class name");
        }
        for (Map.Entry<?, ?> e : o.entrySet()) {
            Object key = e.getKey();
            if (key == null) {
                throw new AmfException("AMF0 property name is null");
            }
            String name = key.toString();
            if (name.isEmpty()) {
                throw new AmfException("AMF0 property name is empty (00 00 would end the object)");
            }
            writeShortUtf8(name, "property name");
            writeValue(e.getValue());
        }
        out.writeShort(0);
        out.writeByte(0x09);
        inProgress.remove(o);
    }

    private void writeStrictArray(Object identity, Collection<?> items) {
        if (writeReference(identity)) {
            return;
        }
        inProgress.put(identity, Boolean.TRUE);
        out.writeByte(0x0A);
        out.writeInt(items.size());
        for (Object item : items) {
            writeValue(item);
        }
        inProgress.remove(identity);
    }
}
