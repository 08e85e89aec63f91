package io.millrace.amf;

import io.netty.buffer.ByteBuf;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static io.millrace.amf.Wire.hex;
import static io.millrace.amf.Wire.need;
import static io.millrace.amf.Wire.needCount;
import static io.millrace.amf.Wire.utf8;

/**
 * Reads AMF3 values. One instance is one AMF3 context: its string, object and traits reference tables
 * span every value read through it. Inside AMF0 (marker 11) each AMF3 value gets a fresh reader.
 *
 * <p>Values produced: undefined {@link AmfUndefined#INSTANCE}; null; Boolean; integer {@code Integer}
 * (signed 29 bit); double {@code Double}; String; XMLDocument / XML {@link AmfXml} (e4x false / true);
 * Date {@link Date}; Array: {@code List<Object>} when the associative part is empty, otherwise
 * {@link AmfArray}; Object {@link AmfObject} (sealed then dynamic members, className null when
 * anonymous); externalizable objects via {@link AmfExternalizers}; ByteArray {@code byte[]}; Vectors
 * {@link AmfVector}; Dictionary {@link AmfDictionary}. A reference yields the very instance read
 * earlier (so self references produce cyclic structures; compare them by identity).
 *
 * <p>Errors (all {@link AmfException}, with the offset): unknown markers (0x12 and up), references
 * outside a table, lengths or counts larger than the remaining bytes, unknown externalizable classes,
 * U29 values that run past the buffer, nesting deeper than 256 levels, dictionary keys that cannot be
 * hashed because they contain themselves or would cost too much to hash (see below).
 *
 * <p>Dictionary keys are Java map keys, so reading one hashes it, and hashing walks the value as a tree:
 * a key that reuses a value through references (each level referring twice to the one below) costs
 * 2^depth steps to hash while taking a few bytes per level to send. Hashing keys (and comparing keys
 * with equal hashes) may therefore visit at most {@value #KEY_WORK_PER_BYTE} values per byte this reader
 * has consumed; a dictionary that needs more fails.
 */
public final class Amf3Reader {

    private static final String CODEC = "AMF3";
    /** Values that hashing and comparing dictionary keys may visit, per byte consumed by this reader. */
    static final int KEY_WORK_PER_BYTE = 16;

    private record Traits(String className, boolean dynamic, boolean externalizable, List<String> members) {
    }

    private final ByteBuf in;
    private final List<String> strings = new ArrayList<>();
    private final List<Object> objects = new ArrayList<>();
    private final List<Traits> traits = new ArrayList<>();
    private final int startIndex;
    /** Values visited so far to hash and compare dictionary keys. */
    private long keyWork;
    private int depth;

    /** Reads from {@code in} (borrowed, not released) starting at its reader index, advancing it. */
    public Amf3Reader(ByteBuf in) {
        this(in, 0);
    }

    Amf3Reader(ByteBuf in, int depth) {
        this.in = Objects.requireNonNull(in, "in");
        this.depth = depth;
        this.startIndex = in.readerIndex();
    }

    /** True while bytes remain to be read. */
    public boolean hasMore() {
        return in.isReadable();
    }

    /** The buffer being read, for {@link AmfExternalizers.Reader}s with a custom byte format. */
    public ByteBuf buffer() {
        return in;
    }

    /** Reads one value. */
    public Object read() {
        int start = in.readerIndex();
        if (!in.isReadable()) {
            throw new AmfException("AMF3 value expected at offset " + start + " but the buffer is empty");
        }
        try {
            return readValue();
        } catch (AmfException e) {
            throw e;
        } catch (RuntimeException e) {
            throw Wire.wrap(CODEC, e, in.readerIndex());
        } catch (StackOverflowError e) {
            throw new AmfException("AMF3 value at offset " + start + " is too deeply nested to read", e);
        }
    }

    /** Reads an unsigned 29-bit variable-length integer (1 to 4 bytes). */
    int readU29(String what) {
        int start = in.readerIndex();
        int v = 0;
        for (int i = 0; i < 3; i++) {
            need(in, 1, what + " (U29)", start);
            int b = in.readUnsignedByte();
            if ((b & 0x80) == 0) {
                return (v << 7) | b;
            }
            v = (v << 7) | (b & 0x7F);
        }
        need(in, 1, what + " (U29)", start);
        return (v << 8) | in.readUnsignedByte();
    }

    private Object readValue() {
        int start = in.readerIndex();
        need(in, 1, "AMF3 value marker", start);
        if (depth + 1 > Wire.MAX_DEPTH) {
            throw Wire.depthExceeded(CODEC, start);
        }
        depth++;
        try {
            int marker = in.readUnsignedByte();
            switch (marker) {
                case 0x00:
                    return AmfUndefined.INSTANCE;
                case 0x01:
                    return null;
                case 0x02:
                    return Boolean.FALSE;
                case 0x03:
                    return Boolean.TRUE;
                case 0x04: {
                    int u = readU29("AMF3 integer");
                    return (u << 3) >> 3; // sign-extend 29 bits
                }
                case 0x05:
                    need(in, 8, "AMF3 double", start);
                    return in.readDouble();
                case 0x06:
                    return readString("AMF3 string");
                case 0x07:
                case 0x0B:
                    return readXml(marker == 0x0B, start);
                case 0x08:
                    return readDate(start);
                case 0x09:
                    return readArray(start);
                case 0x0A:
                    return readObject(start);
                case 0x0C:
                    return readByteArray(start);
                case 0x0D:
                    return readNumberVector(AmfVector.Kind.INT, start);
                case 0x0E:
                    return readNumberVector(AmfVector.Kind.UINT, start);
                case 0x0F:
                    return readNumberVector(AmfVector.Kind.DOUBLE, start);
                case 0x10:
                    return readObjectVector(start);
                case 0x11:
                    return readDictionary(start);
                default:
                    throw new AmfException("unknown AMF3 marker " + hex(marker) + " at offset " + start);
            }
        } finally {
            depth--;
        }
    }

    /** UTF-8-vr: a string literal (added to the string table unless empty) or a string reference. */
    private String readString(String what) {
        int start = in.readerIndex();
        int header = readU29(what + " header");
        int value = header >>> 1;
        if ((header & 1) == 0) {
            if (value >= strings.size()) {
                throw new AmfException(what + " reference " + value + " at offset " + start
                        + " is outside the string table (size " + strings.size() + ")");
            }
            return strings.get(value);
        }
        if (value == 0) {
            return "";
        }
        String s = utf8(in, value, what, start);
        strings.add(s);
        return s;
    }

    /** Reads a U29O header; returns -1 after resolving a reference into {@code ref[0]}. */
    private int readObjectHeader(String what, int start, Object[] ref) {
        int header = readU29(what + " header");
        if ((header & 1) == 0) {
            int index = header >>> 1;
            if (index >= objects.size()) {
                throw new AmfException(what + " reference " + index + " at offset " + start
                        + " is outside the object table (size " + objects.size() + ")");
            }
            ref[0] = objects.get(index);
            return -1;
        }
        return header >>> 1;
    }

    private Object readXml(boolean e4x, int start) {
        String what = e4x ? "AMF3 XML" : "AMF3 XMLDocument";
        Object[] ref = new Object[1];
        int len = readObjectHeader(what, start, ref);
        if (len < 0) {
            return ref[0];
        }
        AmfXml xml = new AmfXml(utf8(in, len, what, start), e4x);
        objects.add(xml);
        return xml;
    }

    private Object readDate(int start) {
        Object[] ref = new Object[1];
        if (readObjectHeader("AMF3 date", start, ref) < 0) {
            return ref[0];
        }
        need(in, 8, "AMF3 date", start);
        Date date = new Date((long) in.readDouble());
        objects.add(date);
        return date;
    }

    private Object readByteArray(int start) {
        Object[] ref = new Object[1];
        int len = readObjectHeader("AMF3 ByteArray", start, ref);
        if (len < 0) {
            return ref[0];
        }
        need(in, len, "AMF3 ByteArray", start);
        byte[] bytes = new byte[len];
        in.readBytes(bytes);
        objects.add(bytes);
        return bytes;
    }

    private Object readArray(int start) {
        Object[] ref = new Object[1];
        int denseCount = readObjectHeader("AMF3 array", start, ref);
        if (denseCount < 0) {
            return ref[0];
        }
        int slot = objects.size();
        objects.add(null); // the array enters the table when it starts; filled in below
        String key = readString("AMF3 array key");
        if (key.isEmpty()) {
            needCount(in, denseCount, 1, "AMF3 array", start);
            List<Object> list = new ArrayList<>(Math.min(denseCount, 1024));
            objects.set(slot, list);
            for (int i = 0; i < denseCount; i++) {
                list.add(readValue());
            }
            return list;
        }
        AmfObject associative = new AmfObject(null, true);
        List<Object> dense = new ArrayList<>();
        AmfArray array = new AmfArray(dense, associative);
        objects.set(slot, array);
        while (!key.isEmpty()) {
            associative.put(key, readValue());
            key = readString("AMF3 array key");
        }
        needCount(in, denseCount, 1, "AMF3 array", start);
        for (int i = 0; i < denseCount; i++) {
            dense.add(readValue());
        }
        return array;
    }

    private Object readObject(int start) {
        int header = readU29("AMF3 object header");
        if ((header & 1) == 0) {
            int index = header >>> 1;
            if (index >= objects.size()) {
                throw new AmfException("AMF3 object reference " + index + " at offset " + start
                        + " is outside the object table (size " + objects.size() + ")");
            }
            return objects.get(index);
        }
        Traits t;
        if ((header & 2) == 0) {
            int index = header >>> 2;
            if (index >= traits.size()) {
                throw new AmfException("AMF3 traits reference " + index + " at offset " + start
                        + " is outside the traits table (size " + traits.size() + ")");
            }
            t = traits.get(index);
        } else if ((header & 4) != 0) {
            String className = readString("AMF3 externalizable class name");
            t = new Traits(className, false, true, List.of());
            traits.add(t);
        } else {
            boolean dynamic = (header & 8) != 0;
            int count = header >>> 4;
            String className = readString("AMF3 class name");
            needCount(in, count, 1, "AMF3 traits member list", start);
            List<String> members = new ArrayList<>(Math.min(count, 1024));
            for (int i = 0; i < count; i++) {
                members.add(readString("AMF3 trait member name"));
            }
            t = new Traits(className, dynamic, false, List.copyOf(members));
            traits.add(t);
        }

        if (t.externalizable()) {
            AmfExternalizers.Reader reader = AmfExternalizers.reader(t.className());
            if (reader == null) {
                throw new AmfException("unknown externalizable class " + t.className()
                        + ": cannot parse further (AMF3 object at offset " + start + ")");
            }
            int slot = objects.size();
            objects.add(null);
            Object value = reader.read(t.className(), this);
            objects.set(slot, value);
            return value;
        }

        AmfObject o = new AmfObject(t.className(), false);
        objects.add(o);
        for (String member : t.members()) {
            o.put(member, readValue());
        }
        if (t.dynamic()) {
            for (String key = readString("AMF3 dynamic member name"); !key.isEmpty();
                    key = readString("AMF3 dynamic member name")) {
                o.put(key, readValue());
            }
        }
        return o;
    }

    private Object readNumberVector(AmfVector.Kind kind, int start) {
        String what = "AMF3 Vector<" + kind.name().toLowerCase(java.util.Locale.ROOT) + ">";
        Object[] ref = new Object[1];
        int count = readObjectHeader(what, start, ref);
        if (count < 0) {
            return ref[0];
        }
        need(in, 1, what + " fixed flag", start);
        boolean fixed = in.readUnsignedByte() != 0;
        int size = kind == AmfVector.Kind.DOUBLE ? 8 : 4;
        needCount(in, count, size, what, start);
        List<Object> items = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            switch (kind) {
                case INT -> items.add(in.readInt());
                case UINT -> items.add(in.readUnsignedInt());
                default -> items.add(in.readDouble());
            }
        }
        AmfVector vector = new AmfVector(kind, fixed, null, items);
        objects.add(vector);
        return vector;
    }

    private Object readObjectVector(int start) {
        String what = "AMF3 Vector<Object>";
        Object[] ref = new Object[1];
        int count = readObjectHeader(what, start, ref);
        if (count < 0) {
            return ref[0];
        }
        need(in, 1, what + " fixed flag", start);
        boolean fixed = in.readUnsignedByte() != 0;
        String typeName = readString(what + " type name");
        needCount(in, count, 1, what, start);
        List<Object> items = new ArrayList<>(Math.min(count, 1024));
        AmfVector vector = new AmfVector(AmfVector.Kind.OBJECT, fixed, typeName, items);
        objects.add(vector);
        for (int i = 0; i < count; i++) {
            items.add(readValue());
        }
        return vector;
    }

    private Object readDictionary(int start) {
        String what = "AMF3 Dictionary";
        Object[] ref = new Object[1];
        int count = readObjectHeader(what, start, ref);
        if (count < 0) {
            return ref[0];
        }
        need(in, 1, what + " weak-keys flag", start);
        boolean weak = in.readUnsignedByte() != 0;
        needCount(in, count, 2, what, start);
        Map<Object, Object> entries = new LinkedHashMap<>();
        AmfDictionary dictionary = new AmfDictionary(weak, entries);
        objects.add(dictionary);
        // How many entries have each hash (equal keys collapse into one entry).
        Map<Integer, Integer> keysPerHash = new HashMap<>();
        for (int i = 0; i < count; i++) {
            int keyStart = in.readerIndex();
            Object key = readValue();
            Object value = readValue();
            try {
                long size = treeSize(key, keyBudget() + 1);
                spendKeyWork(size, what, keyStart);
                int hash = Objects.hashCode(key);
                // The map compares the key with each entry of the same hash, at most size steps each.
                spendKeyWork(size * keysPerHash.getOrDefault(hash, 0), what, keyStart);
                int before = entries.size();
                entries.put(key, value);
                if (entries.size() > before) {
                    keysPerHash.merge(hash, 1, Integer::sum);
                }
            } catch (StackOverflowError e) {
                throw new AmfException(what + " key at offset " + keyStart
                        + " contains itself and cannot be used as a map key", e);
            }
        }
        return dictionary;
    }

    /** What is left of the key budget: {@value #KEY_WORK_PER_BYTE} per byte consumed, less what was spent. */
    private long keyBudget() {
        return KEY_WORK_PER_BYTE * (long) (in.readerIndex() - startIndex) - keyWork;
    }

    private void spendKeyWork(long work, String what, int keyStart) {
        keyWork += work;
        if (keyBudget() < 0) {
            throw new AmfException(what + " key at offset " + keyStart + " is too costly to hash or compare"
                    + " (it contains itself, references expand it, or many keys share its hash)");
        }
    }

    /**
     * The number of values that hashing {@code root} visits (shared values count once per use, as
     * {@code hashCode} walks them), or a number above {@code limit} once it passes it.
     */
    static long treeSize(Object root, long limit) {
        ArrayDeque<Object> pending = new ArrayDeque<>();
        pending.push(root == null ? AmfUndefined.INSTANCE : root);
        long visited = 1;
        while (!pending.isEmpty()) {
            if (visited > limit) {
                return visited;
            }
            Object v = pending.pop();
            Collection<?> children;
            if (v instanceof Map<?, ?> m) {
                List<Object> both = new ArrayList<>(2 * m.size());
                m.forEach((k, x) -> {
                    both.add(k);
                    both.add(x);
                });
                children = both;
            } else if (v instanceof Collection<?> c) {
                children = c;
            } else if (v instanceof AmfArray a) {
                children = List.of(a.dense(), a.associative());
            } else if (v instanceof AmfVector vector) {
                children = vector.items();
            } else if (v instanceof AmfDictionary d) {
                children = List.of(d.entries());
            } else {
                continue; // scalars, strings, dates, byte arrays (hashed by identity)
            }
            visited += children.size();
            if (visited > limit) {
                return visited;
            }
            for (Object child : children) {
                if (child != null) {
                    pending.push(child);
                }
            }
        }
        return visited;
    }
}
