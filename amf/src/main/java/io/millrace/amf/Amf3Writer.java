package io.millrace.amf;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes AMF3 values. One instance is one AMF3 context: string, object and traits references are
 * emitted across every value written through it (strings by equality, traits by class name + member
 * list, objects by identity). Inside AMF0 use {@link Amf0Writer#writeAvmPlus(Object)}, which uses a
 * fresh writer per value.
 *
 * <p>Accepted values: null (01), {@link AmfUndefined} (00), Boolean (02/03); Integer, Long, Short and
 * Byte within -2^28..2^28-1 as integer (04), every other Number as double (05); CharSequence and
 * Character as String (06); {@link Date} (08); {@link AmfXml} (07 / 0B); {@code byte[]} (0C);
 * {@link AmfVector} (0D-10); {@link AmfDictionary} (11); {@link AmfArray} and ECMA-array
 * {@link AmfObject}s as Array with an associative part (09); {@code List}/{@code Collection} and
 * {@code Object[]} as dense Array (09 ... 01); anonymous {@link AmfObject} or any other {@code Map}
 * as dynamic object with no sealed members (first {@code 0A 0B 01}, later ones reuse the traits);
 * typed {@link AmfObject} as sealed object with every property a sealed member, or in externalizable
 * form if {@link AmfExternalizers#writer(String)} knows the class.
 *
 * <p>Anything else, property names that are empty or null, lengths over 2^28-1 and nesting deeper
 * than 256 levels throw {@link AmfException}; the output buffer then holds a partial value and
 * should be discarded.
 */
public final class Amf3Writer {

    private record TraitsKey(String className, boolean dynamic, boolean externalizable, List<String> members) {
    }

    private static final TraitsKey ANONYMOUS = new TraitsKey("", true, false, List.of());
    private static final int MAX_U29 = 0x1FFFFFFF;
    private static final int MAX_LENGTH = 0x0FFFFFFF;
    private static final int INT_MIN = -(1 << 28);
    private static final int INT_MAX = (1 << 28) - 1;

    private final ByteBuf out;
    private final Map<String, Integer> strings = new HashMap<>();
    private final Map<Object, Integer> objects = new IdentityHashMap<>();
    private final Map<TraitsKey, Integer> traits = new HashMap<>();
    private int depth;

    /** Appends to {@code out} (borrowed, not released) at its writer index. */
    public Amf3Writer(ByteBuf out) {
        this(out, 0);
    }

    Amf3Writer(ByteBuf out, int depth) {
        this.out = Objects.requireNonNull(out, "out");
        this.depth = depth;
    }

    /** The buffer being written, for {@link AmfExternalizers.Writer}s with a custom byte format. */
    public ByteBuf buffer() {
        return out;
    }

    /** Writes one value. */
    public Amf3Writer write(Object value) {
        try {
            writeValue(value);
        } catch (StackOverflowError e) {
            throw new AmfException("AMF3 value too deeply nested to write", e);
        }
        return this;
    }

    /** Writes an unsigned 29-bit variable-length integer. */
    static void writeU29(ByteBuf out, int v) {
        if (v < 0 || v > MAX_U29) {
            throw new AmfException("U29 value " + v + " outside 0.." + MAX_U29);
        }
        if (v < 0x80) {
            out.writeByte(v);
        } else if (v < 0x4000) {
            out.writeByte(0x80 | (v >> 7));
            out.writeByte(v & 0x7F);
        } else if (v < 0x200000) {
            out.writeByte(0x80 | (v >> 14));
            out.writeByte(0x80 | ((v >> 7) & 0x7F));
            out.writeByte(v & 0x7F);
        } else {
            out.writeByte(0x80 | ((v >> 22) & 0x7F));
            out.writeByte(0x80 | ((v >> 15) & 0x7F));
            out.writeByte(0x80 | ((v >> 8) & 0x7F));
            out.writeByte(v & 0xFF);
        }
    }

    private void writeValue(Object v) {
        if (depth + 1 > Wire.MAX_DEPTH) {
            throw new AmfException("AMF3 value nested deeper than " + Wire.MAX_DEPTH + " levels cannot be written");
        }
        depth++;
        try {
            if (v == null) {
                out.writeByte(0x01);
            } else if (v == AmfUndefined.INSTANCE) {
                out.writeByte(0x00);
            } else if (v instanceof Boolean b) {
                out.writeByte(b ? 0x03 : 0x02);
            } else if (v instanceof Number n) {
                writeNumber(n);
            } else if (v instanceof CharSequence || v instanceof Character) {
                out.writeByte(0x06);
                writeString(v.toString(), "string");
            } else if (v instanceof Date d) {
                out.writeByte(0x08);
                if (!writeReference(d)) {
                    out.writeByte(0x01);
                    out.writeDouble(d.getTime());
                }
            } else if (v instanceof AmfXml x) {
                out.writeByte(x.e4x() ? 0x0B : 0x07);
                if (!writeReference(x)) {
                    int len = ByteBufUtil.utf8Bytes(x.xml());
                    writeU29(out, (checkLength(len, "XML") << 1) | 1);
                    ByteBufUtil.writeUtf8(out, x.xml());
                }
            } else if (v instanceof byte[] bytes) {
                out.writeByte(0x0C);
                if (!writeReference(bytes)) {
                    writeU29(out, (checkLength(bytes.length, "ByteArray") << 1) | 1);
                    out.writeBytes(bytes);
                }
            } else if (v instanceof AmfVector vector) {
                writeVector(vector);
            } else if (v instanceof AmfDictionary dictionary) {
                writeDictionary(dictionary);
            } else if (v instanceof AmfArray array) {
                writeAssociativeArray(array, array.associative(), array.dense());
            } else if (v instanceof AmfObject o) {
                if (o.isEcmaArray()) {
                    writeAssociativeArray(o, o, List.of());
                } else {
                    writeObject(o, o.className());
                }
            } else if (v instanceof Map<?, ?> m) {
                writeObject(m, null);
            } else if (v instanceof Collection<?> c) {
                writeDenseArray(c, c);
            } else if (v instanceof Object[] a) {
                writeDenseArray(a, Arrays.asList(a));
            } else {
                throw new AmfException("cannot encode " + v.getClass().getName() + " as AMF3");
            }
        } finally {
            depth--;
        }
    }

    private void writeNumber(Number n) {
        if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte) {
            long l = n.longValue();
            if (l >= INT_MIN && l <= INT_MAX) {
                out.writeByte(0x04);
                writeU29(out, (int) l & MAX_U29);
                return;
            }
        }
        out.writeByte(0x05);
        out.writeDouble(n.doubleValue());
    }

    /** UTF-8-vr: empty string literal, string reference, or new literal entered in the table. */
    private void writeString(String s, String what) {
        if (s.isEmpty()) {
            out.writeByte(0x01);
            return;
        }
        Integer index = strings.get(s);
        if (index != null) {
            writeU29(out, index << 1);
            return;
        }
        int len = ByteBufUtil.utf8Bytes(s);
        writeU29(out, (checkLength(len, what) << 1) | 1);
        ByteBufUtil.writeUtf8(out, s);
        strings.put(s, strings.size());
    }

    private void writeName(Object key, String what) {
        if (key == null) {
            throw new AmfException("AMF3 " + what + " name is null");
        }
        String name = key.toString();
        if (name.isEmpty()) {
            throw new AmfException("AMF3 " + what + " name is empty (the empty string ends the member list)");
        }
        writeString(name, what + " name");
    }

    /** Writes an object reference and returns true when {@code v} was written before; else enters it. */
    private boolean writeReference(Object v) {
        Integer index = objects.get(v);
        if (index != null) {
            writeU29(out, index << 1);
            return true;
        }
        objects.put(v, objects.size());
        return false;
    }

    private static int checkLength(int len, String what) {
        if (len > MAX_LENGTH) {
            throw new AmfException("AMF3 " + what + " of " + len + " bytes/items exceeds the limit " + MAX_LENGTH);
        }
        return len;
    }

    private void writeDenseArray(Object identity, Collection<?> items) {
        out.writeByte(0x09);
        if (writeReference(identity)) {
            return;
        }
        writeU29(out, (checkLength(items.size(), "array") << 1) | 1);
        out.writeByte(0x01);
        for (Object item : items) {
            writeValue(item);
        }
    }

    private void writeAssociativeArray(Object identity, Map<?, ?> associative, List<?> dense) {
        out.writeByte(0x09);
        if (writeReference(identity)) {
            return;
        }
        writeU29(out, (checkLength(dense.size(), "array") << 1) | 1);
        for (Map.Entry<?, ?> e : associative.entrySet()) {
            writeName(e.getKey(), "array key");
            writeValue(e.getValue());
        }
        out.writeByte(0x01);
        for (Object item : dense) {
            writeValue(item);
        }
    }

    private void writeObject(Map<?, ?> o, String className) {
        out.writeByte(0x0A);
        if (writeReference(o)) {
            return;
        }
        if (className == null) {
            if (!writeTraitsReference(ANONYMOUS)) {
                out.writeByte(0x0B);
                out.writeByte(0x01);
            }
            for (Map.Entry<?, ?> e : o.entrySet()) {
                writeName(e.getKey(), "dynamic member");
                writeValue(e.getValue());
            }
            out.writeByte(0x01);
            return;
        }
        AmfExternalizers.Writer externalizer = o instanceof AmfObject ? AmfExternalizers.writer(className) : null;
        if (externalizer != null) {
            TraitsKey key = new TraitsKey(className, false, true, List.of());
            if (!writeTraitsReference(key)) {
                out.writeByte(0x07);
                writeString(className, "class name");
            }
            externalizer.write((AmfObject) o, this);
            return;
        }
        List<String> members = new ArrayList<>(o.size());
        for (Object k : o.keySet()) {
            if (k == null || k.toString().isEmpty()) {
                throw new AmfException("AMF3 sealed member name of class " + className + " is null or empty");
            }
            members.add(k.toString());
        }
        TraitsKey key = new TraitsKey(className, false, false, List.copyOf(members));
        if (!writeTraitsReference(key)) {
            if (members.size() > (MAX_U29 >> 4)) {
                throw new AmfException("AMF3 object of class " + className + " has too many members: " + members.size());
            }
            writeU29(out, (members.size() << 4) | 0x03);
            writeString(className, "class name");
            for (String m : members) {
                writeString(m, "sealed member name");
            }
        }
        for (Object value : o.values()) {
            writeValue(value);
        }
    }

    /** Writes a traits reference header and returns true when the traits were sent before; else enters them. */
    private boolean writeTraitsReference(TraitsKey key) {
        Integer index = traits.get(key);
        if (index != null) {
            writeU29(out, (index << 2) | 1);
            return true;
        }
        traits.put(key, traits.size());
        return false;
    }

    private void writeVector(AmfVector v) {
        int marker = switch (v.kind()) {
            case INT -> 0x0D;
            case UINT -> 0x0E;
            case DOUBLE -> 0x0F;
            case OBJECT -> 0x10;
        };
        out.writeByte(marker);
        if (writeReference(v)) {
            return;
        }
        List<Object> items = v.items();
        writeU29(out, (checkLength(items.size(), "vector") << 1) | 1);
        out.writeByte(v.fixed() ? 1 : 0);
        if (v.kind() == AmfVector.Kind.OBJECT) {
            writeString(v.objectTypeName() == null ? "*" : v.objectTypeName(), "vector type name");
            for (Object item : items) {
                writeValue(item);
            }
            return;
        }
        for (Object item : items) {
            if (!(item instanceof Number n)) {
                throw new AmfException("AMF3 " + v.kind() + " vector item is not a number: "
                        + (item == null ? "null" : item.getClass().getName()));
            }
            if (v.kind() == AmfVector.Kind.DOUBLE) {
                out.writeDouble(n.doubleValue());
            } else {
                out.writeInt((int) n.longValue());
            }
        }
    }

    private void writeDictionary(AmfDictionary d) {
        out.writeByte(0x11);
        if (writeReference(d)) {
            return;
        }
        Map<Object, Object> entries = d.entries();
        writeU29(out, (checkLength(entries.size(), "dictionary") << 1) | 1);
        out.writeByte(d.weakKeys() ? 1 : 0);
        for (Map.Entry<Object, Object> e : entries.entrySet()) {
            Object key = e.getKey();
            if (key instanceof Integer || key instanceof Long || key instanceof Short || key instanceof Byte) {
                key = key.toString(); // AMF3 convention: integer keys travel as strings
            }
            writeValue(key);
            writeValue(e.getValue());
        }
    }
}
