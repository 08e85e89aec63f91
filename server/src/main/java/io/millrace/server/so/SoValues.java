package io.millrace.server.so;

import io.millrace.amf.AmfArray;
import io.millrace.amf.AmfDictionary;
import io.millrace.amf.AmfObject;
import io.millrace.amf.AmfUndefined;
import io.millrace.amf.AmfVector;
import io.millrace.amf.AmfXml;
import io.netty.buffer.ByteBufUtil;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Shared object values: what is stored and sent is a private copy in the API's value model, made once when a
 * value comes in (from a client or from the application), with its AMF0 size estimated on the way.
 *
 * <p>The stored form: null, Boolean, Double (any number; AMF3 integers too), String, Date, byte[],
 * {@link AmfObject} (objects, typed objects and ECMA arrays, keeping class name and kind; any other Map
 * becomes an anonymous one), {@code List<Object>} (arrays, vectors), {@link AmfXml}. AMF3 arrays with named
 * entries become ECMA arrays (indices as keys, then the names); dictionaries become objects keyed by
 * {@code String.valueOf(key)}; undefined becomes null. Stored values are never changed after they are made,
 * so they may be read (and written to the wire) from any thread; the application gets {@link #copy copies}.
 */
final class SoValues {
    /** Nesting deeper than this is refused (the AMF readers stop at 256). */
    static final int MAX_DEPTH = 256;

    private SoValues() {
    }

    /** A value too large, of a type AMF cannot carry, nested too deep or containing itself. */
    static final class Refused extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    /** What a copy may still take, in estimated AMF0 bytes. */
    static final class Budget {
        private final long limit;
        private long used;

        Budget(long limit) {
            this.limit = limit;
        }

        void spend(long n) {
            used += n;
            if (used > limit) {
                throw new Refused("value larger than " + limit + " bytes");
            }
        }

        long used() {
            return used;
        }
    }

    /** The stored form of {@code value}, its size spent from {@code budget}. */
    static Object normalize(Object value, Budget budget) {
        return normalize(value, budget, 0, new IdentityHashMap<>());
    }

    private static Object normalize(Object v, Budget b, int depth, IdentityHashMap<Object, Boolean> path) {
        if (depth > MAX_DEPTH) {
            throw new Refused("value nested deeper than " + MAX_DEPTH + " levels");
        }
        if (v == null || v == AmfUndefined.INSTANCE) {
            b.spend(1);
            return null;
        }
        if (v instanceof Boolean) {
            b.spend(2);
            return v;
        }
        if (v instanceof Number n) {
            b.spend(9);
            return n.doubleValue();
        }
        if (v instanceof CharSequence || v instanceof Character) {
            String s = v.toString();
            b.spend(s.length()); // before measuring, so a huge string is refused cheaply
            b.spend(5 + ByteBufUtil.utf8Bytes(s) - s.length());
            return s;
        }
        if (v instanceof Date d) {
            b.spend(11);
            return new Date(d.getTime());
        }
        if (v instanceof byte[] bytes) {
            b.spend(6 + bytes.length);
            return bytes.clone();
        }
        if (v instanceof AmfXml x) {
            b.spend(5 + x.xml().length());
            return x;
        }
        if (path.put(v, Boolean.TRUE) != null) {
            throw new Refused("a value that contains itself");
        }
        try {
            if (v instanceof AmfObject o) {
                if (o.className() != null && ByteBufUtil.utf8Bytes(o.className()) > 0xFFFF) {
                    throw new Refused("class name longer than 65535 bytes");
                }
                AmfObject copy = new AmfObject(o.className(), o.isEcmaArray());
                b.spend(4 + (o.className() == null ? 0 : o.className().length()));
                for (Map.Entry<String, Object> e : o.entrySet()) {
                    put(copy, e.getKey(), e.getValue(), b, depth, path);
                }
                return copy;
            }
            if (v instanceof Map<?, ?> m) {
                AmfObject copy = new AmfObject();
                b.spend(4);
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (e.getKey() == null) {
                        throw new Refused("a map with a null key");
                    }
                    put(copy, String.valueOf(e.getKey()), e.getValue(), b, depth, path);
                }
                return copy;
            }
            if (v instanceof AmfArray a) {
                AmfObject copy = new AmfObject(null, true);
                b.spend(8);
                for (int i = 0; i < a.dense().size(); i++) {
                    put(copy, Integer.toString(i), a.dense().get(i), b, depth, path);
                }
                for (Map.Entry<String, Object> e : a.associative().entrySet()) {
                    put(copy, e.getKey(), e.getValue(), b, depth, path);
                }
                return copy;
            }
            if (v instanceof AmfDictionary d) {
                AmfObject copy = new AmfObject();
                b.spend(4);
                for (Map.Entry<Object, Object> e : d.entries().entrySet()) {
                    put(copy, String.valueOf(e.getKey()), e.getValue(), b, depth, path);
                }
                return copy;
            }
            if (v instanceof AmfVector vec) {
                return list(vec.items(), b, depth, path);
            }
            if (v instanceof Collection<?> c) {
                return list(c, b, depth, path);
            }
            if (v instanceof Object[] array) {
                return list(java.util.Arrays.asList(array), b, depth, path);
            }
            throw new Refused("a " + v.getClass().getName() + " cannot be a shared object value");
        } finally {
            path.remove(v);
        }
    }

    private static void put(AmfObject copy, String key, Object value, Budget b, int depth,
                            IdentityHashMap<Object, Boolean> path) {
        if (key.isEmpty()) {
            throw new Refused("an object with an empty property name"); // AMF0 cannot write it
        }
        b.spend(key.length());
        int len = ByteBufUtil.utf8Bytes(key);
        if (len > 0xFFFF) {
            throw new Refused("a property name longer than 65535 bytes");
        }
        b.spend(2 + len - key.length());
        copy.put(key, normalize(value, b, depth + 1, path));
    }

    private static List<Object> list(Collection<?> items, Budget b, int depth, IdentityHashMap<Object, Boolean> path) {
        b.spend(5);
        List<Object> copy = new ArrayList<>(Math.min(items.size(), 1024));
        for (Object item : items) {
            copy.add(normalize(item, b, depth + 1, path));
        }
        return copy;
    }

    /** A copy of a stored value that the application may change (immutable parts are shared). */
    static Object copy(Object stored) {
        if (stored instanceof AmfObject o) {
            AmfObject c = new AmfObject(o.className(), o.isEcmaArray());
            o.forEach((k, v) -> c.put(k, copy(v)));
            return c;
        }
        if (stored instanceof List<?> list) {
            List<Object> c = new ArrayList<>(list.size());
            list.forEach(v -> c.add(copy(v)));
            return c;
        }
        if (stored instanceof Date d) {
            return new Date(d.getTime());
        }
        if (stored instanceof byte[] bytes) {
            return bytes.clone();
        }
        return stored;
    }

    /** Copies of stored values, as a list the application may change. */
    static List<Object> copyAll(List<Object> stored) {
        List<Object> c = new ArrayList<>(stored.size());
        stored.forEach(v -> c.add(copy(v)));
        return c;
    }

    /**
     * Whether setting {@code b} over {@code a} changes nothing: equal nulls, booleans, numbers or strings.
     * Anything else counts as a change (objects compare their class names and kinds too, which Map.equals
     * would not).
     */
    static boolean same(Object a, Object b) {
        if (a == null || a instanceof Boolean || a instanceof Double || a instanceof String) {
            return java.util.Objects.equals(a, b);
        }
        return false;
    }
}
