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
        AmfObject copy = new AmfObject(className, ecmaArray);
        forEach((k, v) -> copy.put(k, deepCopyValue(v)));
        return copy;
    }

    private static Object deepCopyValue(Object value) {
        if (value instanceof AmfObject o) {
            return o.deepCopy();
        }
        if (value instanceof java.util.List<?> list) {
            java.util.List<Object> copy = new java.util.ArrayList<>(list.size());
            list.forEach(v -> copy.add(deepCopyValue(v)));
            return copy;
        }
        if (value instanceof java.util.Date d) {
            return new java.util.Date(d.getTime());
        }
        if (value instanceof byte[] b) {
            return b.clone();
        }
        return value;
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
