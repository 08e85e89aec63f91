package io.millrace.amf;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An AMF object, ECMA array or typed object: ordered properties plus what the wire said about them.
 *
 * <p>Property order is kept on read and write. {@link #className()} is {@code null} for anonymous
 * objects. {@link #isEcmaArray()} marks an AMF0 ECMA array (marker 08); writers emit 08 for it and
 * 03/10 otherwise.
 */
public class AmfObject extends LinkedHashMap<String, Object> {
    private static final long serialVersionUID = 1L;

    private final String className;
    private final boolean ecmaArray;

    public AmfObject() {
        this(null, false);
    }

    public AmfObject(String className, boolean ecmaArray) {
        this.className = className == null || className.isEmpty() ? null : className;
        this.ecmaArray = ecmaArray;
    }

    /** An anonymous object with the given properties, in iteration order. */
    public static AmfObject of(Map<String, ?> properties) {
        AmfObject o = new AmfObject();
        o.putAll(properties);
        return o;
    }

    /** An anonymous object from alternating key, value arguments. */
    public static AmfObject of(Object... keyValues) {
        if (keyValues.length % 2 != 0) {
            throw new IllegalArgumentException("key/value pairs expected");
        }
        AmfObject o = new AmfObject();
        for (int i = 0; i < keyValues.length; i += 2) {
            o.put((String) keyValues[i], keyValues[i + 1]);
        }
        return o;
    }

    /** An ECMA array (AMF0 marker 08) with the given properties. */
    public static AmfObject ecmaArray(Map<String, ?> properties) {
        AmfObject o = new AmfObject(null, true);
        o.putAll(properties);
        return o;
    }

    public String className() {
        return className;
    }

    public boolean isEcmaArray() {
        return ecmaArray;
    }

    /**
     * A deep copy: nested objects, lists, dates and byte arrays are copied too, so the copy can be handed
     * to a caller who may change it. Other values (strings, numbers, booleans, records) are immutable.
     */
    public AmfObject deepCopy() {
        return (AmfObject) deepCopyValue(this, new long[] {COPY_BUDGET}, new java.util.IdentityHashMap<>());
    }

    /**
     * What a copy may hold, counting one per value and one per character of keys and strings. A value read
     * from the wire may share its parts or refer to itself (AMF0 references, AMF3 tables): a copy writes
     * each use out in full, so without a bound a few hundred bytes would become gigabytes.
     */
    static final long COPY_BUDGET = 16L << 20;

    private static Object deepCopyValue(Object value, long[] budget, java.util.Map<Object, Boolean> path) {
        spend(budget, 1);
        if (value instanceof String s) {
            spend(budget, s.length());
            return s;
        }
        if (value instanceof AmfObject o) {
            if (path.put(o, Boolean.TRUE) != null) {
                throw new AmfException("cannot copy a value that contains itself");
            }
            AmfObject copy = new AmfObject(o.className, o.ecmaArray);
            o.forEach((k, v) -> {
                spend(budget, k.length());
                copy.put(k, deepCopyValue(v, budget, path));
            });
            path.remove(o);
            return copy;
        }
        if (value instanceof java.util.List<?> list) {
            if (path.put(list, Boolean.TRUE) != null) {
                throw new AmfException("cannot copy a value that contains itself");
            }
            java.util.List<Object> copy = new java.util.ArrayList<>(list.size());
            list.forEach(v -> copy.add(deepCopyValue(v, budget, path)));
            path.remove(list);
            return copy;
        }
        if (value instanceof java.util.Date d) {
            return new java.util.Date(d.getTime());
        }
        if (value instanceof byte[] b) {
            spend(budget, b.length);
            return b.clone();
        }
        return value;
    }

    private static void spend(long[] budget, long n) {
        budget[0] -= n;
        if (budget[0] < 0) {
            throw new AmfException("value too large to copy (past " + COPY_BUDGET + " values and characters; "
                    + "its shared parts are copied in full)");
        }
    }

    /** This object's property as a string, or null. */
    public String getString(String key) {
        Object v = get(key);
        return v instanceof String s ? s : null;
    }

    /** This object's property as a number, or the fallback when absent or not a number. */
    public double getNumber(String key, double fallback) {
        Object v = get(key);
        return v instanceof Number n ? n.doubleValue() : fallback;
    }
}
