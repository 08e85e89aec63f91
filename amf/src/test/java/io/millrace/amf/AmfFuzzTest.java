package io.millrace.amf;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Fuzz targets for the AMF0 and AMF3 readers (Jazzer). In a normal test run each target replays its
 * inputs in {@code src/test/resources/io/millrace/amf/AmfFuzzTestInputs/<method>/}; with
 * {@code JAZZER_FUZZ=1} Jazzer fuzzes one target (see the README's testing section).
 *
 * <p>Properties: reading arbitrary bytes either yields values or fails with a plain
 * {@link AmfException} (one that does not merely wrap an unexpected runtime exception); it never
 * hangs or runs out of memory; and what was read, once written and read again, is the same value.
 */
class AmfFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void amf0(byte[] data) {
        List<Object> first = read(data, in -> new Amf0Reader(in).readAll());
        if (first == null) {
            return;
        }
        // References on: by default the writer writes a shared value (07 references on input) once per
        // use, so a few bytes of nested sharing would expand exponentially.
        byte[] written = write(buf -> {
            Amf0Writer w = new Amf0Writer(buf).useReferences(true);
            first.forEach(w::write);
        });
        if (written == null) {
            return;
        }
        List<Object> again = readAgain(written, in -> new Amf0Reader(in).readAll());
        if (again == null) {
            return;
        }
        // An AMF3 integer read through AVM+ (marker 11) comes back as an AMF0 number (a Double).
        new DeepEquals(true).check(first, again);
    }

    @FuzzTest(maxDuration = "30s")
    void amf3(byte[] data) {
        List<Object> first = read(data, AmfFuzzTest::readAllAmf3);
        if (first == null) {
            return;
        }
        byte[] written = write(buf -> {
            Amf3Writer w = new Amf3Writer(buf);
            first.forEach(w::write);
        });
        if (written == null) {
            return;
        }
        List<Object> again = readAgain(written, AmfFuzzTest::readAllAmf3);
        if (again == null) {
            return;
        }
        new DeepEquals(false).check(first, again);
    }

    private static List<Object> readAllAmf3(ByteBuf in) {
        Amf3Reader reader = new Amf3Reader(in);
        List<Object> values = new ArrayList<>();
        while (reader.hasMore()) {
            values.add(reader.read());
        }
        return values;
    }

    /** The values read, or null when the reader refused the input in the documented way. */
    private static List<Object> read(byte[] data, Function<ByteBuf, List<Object>> reader) {
        ByteBuf in = Unpooled.wrappedBuffer(data);
        try {
            return reader.apply(in);
        } catch (AmfException e) {
            requirePlain(e);
            return null;
        } finally {
            in.release();
        }
    }

    /**
     * Reads the writer's output, which must succeed, except for dictionary keys: the reader hashes a
     * key when it reads it, and may have accepted a key that contained its own dictionary while that
     * was still empty, or that fitted a budget measured in input bytes that the writer's (shorter)
     * form does not give. Then null.
     */
    private static List<Object> readAgain(byte[] data, Function<ByteBuf, List<Object>> reader) {
        ByteBuf in = Unpooled.wrappedBuffer(data);
        try {
            return reader.apply(in);
        } catch (AmfException e) {
            if (e.getMessage().contains("Dictionary key")) {
                return null;
            }
            throw new AssertionError("the writer's output is not readable: " + e.getMessage(), e);
        } finally {
            in.release();
        }
    }

    /**
     * The readers turn any unexpected runtime exception into an AmfException carrying it as the
     * cause, so that callers see one type. For the fuzzer such a wrapped exception is a bug.
     */
    private static void requirePlain(AmfException e) {
        Throwable cause = e.getCause();
        if (cause == null || cause instanceof AmfException) {
            return;
        }
        if (cause instanceof StackOverflowError && e.getMessage().contains("contains itself")) {
            return; // documented: a dictionary key that contains itself cannot be hashed
        }
        throw new AssertionError("reader failed with an unexpected exception: " + e.getMessage(), e);
    }

    /** The bytes written, or null when the writer refused a value read in the documented way. */
    private static byte[] write(java.util.function.Consumer<ByteBuf> writer) {
        ByteBuf out = Unpooled.buffer();
        try {
            writer.accept(out);
            byte[] bytes = new byte[out.readableBytes()];
            out.readBytes(bytes);
            return bytes;
        } catch (AmfException e) {
            String m = e.getMessage();
            // What the reader accepts but the writer cannot express: an empty AMF3 sealed member
            // name, or an AMF0 name longer than 65535 bytes once re-encoded (an AMF3 string, or
            // invalid UTF-8 that became U+FFFD).
            if (e.getCause() == null && (m.contains("empty") || m.contains("longer than 65535"))) {
                return null;
            }
            throw new AssertionError("writer failed on a value the reader produced: " + m, e);
        } finally {
            out.release();
        }
    }

    /**
     * Structural equality of AMF values as the readers produce them, tolerant of cycles and shared
     * values: a pair of instances met again is assumed equal (bisimulation), which also keeps the
     * comparison linear on values that share sub-values.
     */
    static final class DeepEquals {
        private final boolean looseNumbers;
        private final Map<Object, List<Object>> pairs = new IdentityHashMap<>();

        DeepEquals(boolean looseNumbers) {
            this.looseNumbers = looseNumbers;
        }

        void check(Object a, Object b) {
            String difference = compare(a, b, "$");
            if (difference != null) {
                throw new AssertionError("round trip changed the value: " + difference);
            }
        }

        /** Null when equal, else where and how they differ. */
        private String compare(Object a, Object b, String path) {
            if (a == b) {
                return null;
            }
            if (a == null || b == null) {
                return path + ": " + kind(a) + " vs " + kind(b);
            }
            if (a instanceof Number x && b instanceof Number y) {
                if (!looseNumbers && x.getClass() != y.getClass()) {
                    return path + ": " + kind(a) + " vs " + kind(b);
                }
                return Double.compare(x.doubleValue(), y.doubleValue()) == 0 ? null : path + ": " + x + " vs " + y;
            }
            if (a.getClass() != b.getClass() && !(a instanceof List && b instanceof List)) {
                return path + ": " + kind(a) + " vs " + kind(b);
            }
            if (a instanceof String || a instanceof Boolean || a instanceof AmfXml || a == AmfUndefined.INSTANCE) {
                return a.equals(b) ? null : path + ": values differ";
            }
            if (a instanceof Date x) {
                return x.getTime() == ((Date) b).getTime() ? null : path + ": dates differ";
            }
            if (a instanceof byte[] x) {
                return Arrays.equals(x, (byte[]) b) ? null : path + ": byte arrays differ";
            }
            if (!enter(a, b)) {
                return null; // already being compared (a cycle) or compared before
            }
            if (a instanceof AmfObject x) {
                AmfObject y = (AmfObject) b;
                if (!java.util.Objects.equals(x.className(), y.className()) || x.isEcmaArray() != y.isEcmaArray()) {
                    return path + ": class name or ECMA flag differs";
                }
                if (AmfExternalizers.writer(x.className()) != null) {
                    // The AMF3 writer sends these in externalizable form, which carries "source" only
                    // (even when the object arrived as a plain typed object).
                    return compare(x.get(AmfExternalizers.SOURCE), y.get(AmfExternalizers.SOURCE), path + ".source");
                }
                return compareEntries(new ArrayList<>(x.entrySet()), new ArrayList<>(y.entrySet()), path, false);
            }
            if (a instanceof List<?> x) {
                List<?> y = (List<?>) b;
                if (x.size() != y.size()) {
                    return path + ": list of " + x.size() + " vs " + y.size();
                }
                for (int i = 0; i < x.size(); i++) {
                    String d = compare(x.get(i), y.get(i), path + "[" + i + "]");
                    if (d != null) {
                        return d;
                    }
                }
                return null;
            }
            if (a instanceof AmfArray x) {
                AmfArray y = (AmfArray) b;
                String d = compare(x.dense(), y.dense(), path + ".dense");
                return d != null ? d : compare(x.associative(), y.associative(), path + ".associative");
            }
            if (a instanceof AmfVector x) {
                AmfVector y = (AmfVector) b;
                if (x.kind() != y.kind() || x.fixed() != y.fixed()
                        || !java.util.Objects.equals(typeName(x), typeName(y))) {
                    return path + ": vector header differs";
                }
                return compare(x.items(), y.items(), path + ".items");
            }
            if (a instanceof AmfDictionary x) {
                AmfDictionary y = (AmfDictionary) b;
                if (x.weakKeys() != y.weakKeys()) {
                    return path + ": weak-keys flag differs";
                }
                List<Map.Entry<Object, Object>> xs = normalizedKeys(x.entries());
                if (xs.size() > y.entries().size()) {
                    // Documented: keys that differ only in what the writer does not carry (an externalizable
                    // collection's members besides "source") become equal when read back, and merge.
                    return null;
                }
                return compareEntries(xs, new ArrayList<>(y.entries().entrySet()), path, true);
            }
            return path + ": unexpected value type " + a.getClass().getName();
        }

        private String compareEntries(List<? extends Map.Entry<?, ?>> x, List<? extends Map.Entry<?, ?>> y,
                                      String path, boolean compareKeys) {
            if (x.size() != y.size()) {
                return path + ": " + x.size() + " vs " + y.size() + " entries";
            }
            Iterator<? extends Map.Entry<?, ?>> i = x.iterator();
            Iterator<? extends Map.Entry<?, ?>> j = y.iterator();
            for (int n = 0; i.hasNext(); n++) {
                Map.Entry<?, ?> e = i.next();
                Map.Entry<?, ?> f = j.next();
                String d = compareKeys ? compare(e.getKey(), f.getKey(), path + "{key " + n + "}")
                        : e.getKey().equals(f.getKey()) ? null : path + ": key " + n + " differs";
                if (d == null) {
                    d = compare(e.getValue(), f.getValue(), path + "." + (compareKeys ? "{value " + n + "}" : e.getKey()));
                }
                if (d != null) {
                    return d;
                }
            }
            return null;
        }

        /**
         * The writer sends integer dictionary keys as strings (AMF3 convention), so they come back as
         * strings and merge with an equal string key. Keys are not hashed here: a dictionary key read
         * while its own dictionary was incomplete may contain that dictionary and hash forever.
         */
        private static List<Map.Entry<Object, Object>> normalizedKeys(Map<Object, Object> entries) {
            List<Map.Entry<Object, Object>> normalized = new ArrayList<>();
            Map<String, Integer> stringKeys = new HashMap<>();
            entries.forEach((k, v) -> {
                Object key = k instanceof Integer || k instanceof Long || k instanceof Short || k instanceof Byte
                        ? k.toString() : k;
                Integer earlier = key instanceof String s ? stringKeys.get(s) : null;
                if (earlier != null) {
                    normalized.set(earlier, new AbstractMap.SimpleEntry<>(key, v));
                } else {
                    if (key instanceof String s) {
                        stringKeys.put(s, normalized.size());
                    }
                    normalized.add(new AbstractMap.SimpleEntry<>(key, v));
                }
            });
            return normalized;
        }

        private static String typeName(AmfVector v) {
            return v.kind() == AmfVector.Kind.OBJECT && v.objectTypeName() == null ? "*" : v.objectTypeName();
        }

        /** Records the pair; false when it was recorded before. */
        private boolean enter(Object a, Object b) {
            List<Object> partners = pairs.computeIfAbsent(a, k -> new ArrayList<>(1));
            for (Object p : partners) {
                if (p == b) {
                    return false;
                }
            }
            partners.add(b);
            return true;
        }

        private static String kind(Object v) {
            return v == null ? "null" : v.getClass().getSimpleName();
        }
    }
}
