package io.millrace.server.app;

import io.millrace.amf.AmfArray;
import io.millrace.amf.AmfObject;
import io.millrace.amf.AmfUndefined;
import io.millrace.amf.AmfVector;

import java.util.ArrayList;
import java.util.Date;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AMF values as the application API shows them (plain Java, see {@code io.millrace.api}'s package
 * documentation), and back. Copies, so that an application never shares a mutable value with the wire.
 */
public final class AmfValues {
    /** Nesting beyond this is refused (a value built by an application with a cycle, or absurdly deep). */
    static final int MAX_DEPTH = 64;

    private AmfValues() {
    }

    /**
     * Values one conversion from the wire may make: AMF references let a small message name the same parts
     * over and over, which a copy would multiply.
     */
    static final int MAX_VALUES = 100_000;

    /**
     * What a value read from the wire is to an application. Throws IllegalArgumentException for a value nested
     * more than {@value #MAX_DEPTH} deep or whose copy would hold more than {@value #MAX_VALUES} values.
     */
    public static Object toJava(Object v) {
        return toJava(v, 0, new int[] {MAX_VALUES});
    }

    private static Object toJava(Object v, int depth, int[] budget) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("value nested more than " + MAX_DEPTH + " deep");
        }
        if (--budget[0] < 0) {
            throw new IllegalArgumentException("value holds more than " + MAX_VALUES + " values");
        }
        if (v == null || v instanceof AmfUndefined) {
            return null;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof String || v instanceof Boolean) {
            return v;
        }
        if (v instanceof Date d) {
            return new Date(d.getTime());
        }
        if (v instanceof byte[] b) {
            return b.clone();
        }
        if (v instanceof AmfArray a) {
            if (a.associative().isEmpty()) {
                return toJava(a.dense(), depth, budget);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            for (int i = 0; i < a.dense().size(); i++) {
                m.put(Integer.toString(i), toJava(a.dense().get(i), depth + 1, budget));
            }
            a.associative().forEach((k, x) -> m.put(k, toJava(x, depth + 1, budget)));
            return m;
        }
        if (v instanceof AmfVector vec) {
            return toJava(vec.items(), depth, budget);
        }
        if (v instanceof Map<?, ?> map) {
            Map<String, Object> m = new LinkedHashMap<>();
            map.forEach((k, x) -> m.put(String.valueOf(k), toJava(x, depth + 1, budget)));
            return m;
        }
        if (v instanceof List<?> list) {
            List<Object> l = new ArrayList<>(list.size());
            for (Object x : list) {
                l.add(toJava(x, depth + 1, budget));
            }
            return l;
        }
        return v.toString(); // XML documents and other rarities: their text
    }

    /**
     * What an application's value is on the wire: numbers become doubles, maps anonymous AMF objects, arrays
     * and lists strict arrays; records become objects of their components. Anything else is refused with an
     * IllegalArgumentException naming its class.
     */
    public static Object toAmf(Object v) {
        return toAmf(v, 0, new IdentityHashMap<>());
    }

    private static Object toAmf(Object v, int depth, IdentityHashMap<Object, Boolean> path) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("value nested more than " + MAX_DEPTH + " deep (a cycle?)");
        }
        if (v == null || v instanceof String || v instanceof Boolean) {
            return v;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof Character c) {
            return c.toString();
        }
        if (v instanceof Enum<?> e) {
            return e.name();
        }
        if (v instanceof Date d) {
            return new Date(d.getTime());
        }
        if (v instanceof java.time.Instant t) {
            return new Date(t.toEpochMilli());
        }
        if (v instanceof byte[] b) {
            return b.clone();
        }
        if (path.put(v, Boolean.TRUE) != null) {
            throw new IllegalArgumentException("value refers to itself (" + v.getClass().getSimpleName() + ")");
        }
        try {
            if (v instanceof Map<?, ?> map) {
                AmfObject o = new AmfObject();
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    o.put(String.valueOf(e.getKey()), toAmf(e.getValue(), depth + 1, path));
                }
                return o;
            }
            if (v instanceof Iterable<?> it) {
                List<Object> l = new ArrayList<>();
                for (Object x : it) {
                    l.add(toAmf(x, depth + 1, path));
                }
                return l;
            }
            if (v instanceof Object[] arr) {
                List<Object> l = new ArrayList<>(arr.length);
                for (Object x : arr) {
                    l.add(toAmf(x, depth + 1, path));
                }
                return l;
            }
            if (v.getClass().isArray()) {
                int n = java.lang.reflect.Array.getLength(v);
                List<Object> l = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    l.add(toAmf(java.lang.reflect.Array.get(v, i), depth + 1, path));
                }
                return l;
            }
            if (v instanceof Record r) {
                AmfObject o = new AmfObject();
                for (var c : r.getClass().getRecordComponents()) {
                    try {
                        c.getAccessor().setAccessible(true);
                        o.put(c.getName(), toAmf(c.getAccessor().invoke(r), depth + 1, path));
                    } catch (ReflectiveOperationException e) {
                        throw new IllegalArgumentException("cannot read " + r.getClass().getSimpleName() + "."
                                + c.getName() + ": " + e.getMessage());
                    }
                }
                return o;
            }
        } finally {
            path.remove(v);
        }
        throw new IllegalArgumentException("cannot send a " + v.getClass().getName()
                + " (send null, Boolean, Number, String, Map, List, array, record, Date or byte[])");
    }
}
