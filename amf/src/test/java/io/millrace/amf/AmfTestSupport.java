package io.millrace.amf;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.ByteBufAllocator;

import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Buffers come from the pooled default allocator, which Netty leak detection tracks (unpooled heap
 * buffers are not tracked). Hex helpers, buffer helpers that always release, and a type-exact dump for comparing AMF values. */
final class AmfTestSupport {

    private AmfTestSupport() {
    }

    /** Marks a value the AMF0 side of a test case must write with {@link Amf0Writer#writeAvmPlus}. */
    record Avm(Object value) {
    }

    static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("\\s+", ""));
    }

    static String hex(byte[] b) {
        return HexFormat.ofDelimiter(" ").withUpperCase().formatHex(b);
    }

    static String normalizeHex(String hex) {
        return hex(bytes(hex));
    }

    /** Runs {@code f} on a buffer holding {@code data}, releasing it afterwards. */
    static <T> T withInput(byte[] data, Function<ByteBuf, T> f) {
        ByteBuf buf = ByteBufAllocator.DEFAULT.buffer(data.length);
        try {
            buf.writeBytes(data);
            return f.apply(buf);
        } finally {
            buf.release();
        }
    }

    /** Runs {@code f} on a fresh buffer and returns the bytes it wrote, releasing the buffer. */
    static byte[] encode(Consumer<ByteBuf> f) {
        ByteBuf buf = ByteBufAllocator.DEFAULT.buffer();
        try {
            f.accept(buf);
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    static List<Object> readAllAmf0(byte[] data) {
        return withInput(data, buf -> new Amf0Reader(buf).readAll());
    }

    static List<Object> readAllAmf3(byte[] data) {
        return withInput(data, buf -> {
            Amf3Reader r = new Amf3Reader(buf);
            List<Object> out = new ArrayList<>();
            while (r.hasMore()) {
                out.add(r.read());
            }
            return out;
        });
    }

    static Object readAmf0(String hex) {
        return withInput(bytes(hex), buf -> new Amf0Reader(buf).read());
    }

    static Object readAmf3(String hex) {
        return withInput(bytes(hex), buf -> new Amf3Reader(buf).read());
    }

    static String writeAmf0(Object... values) {
        return hex(encode(buf -> new Amf0Writer(buf).writeAll(values)));
    }

    static String writeAmf3(Object... values) {
        return hex(encode(buf -> {
            Amf3Writer w = new Amf3Writer(buf);
            for (Object v : values) {
                w.write(v);
            }
        }));
    }

    /** A string that shows type and content, so Integer 1 and Double 1.0 (or className) differ. */
    static String dump(Object v) {
        return dump(v, new IdentityHashMap<>());
    }

    private static String dump(Object v, IdentityHashMap<Object, Boolean> seen) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Avm a) {
            return dump(a.value(), seen);
        }
        if (v == AmfUndefined.INSTANCE) {
            return "undefined";
        }
        if (v instanceof Double || v instanceof Integer || v instanceof Long || v instanceof Boolean) {
            return v.getClass().getSimpleName() + "(" + v + ")";
        }
        if (v instanceof String s) {
            return s.length() > 64 ? "String(len " + s.length() + ", hash " + s.hashCode() + ")" : "String(\"" + s + "\")";
        }
        if (v instanceof Date d) {
            return "Date(" + d.getTime() + ")";
        }
        if (v instanceof byte[] b) {
            return "Bytes(" + hex(b) + ")";
        }
        if (v instanceof AmfXml x) {
            return "Xml(" + x.e4x() + ", " + x.xml() + ")";
        }
        if (seen.containsKey(v)) {
            return "<cycle>";
        }
        seen.put(v, true);
        try {
            if (v instanceof AmfObject o) {
                return (o.isEcmaArray() ? "Ecma" : "Object") + "[" + o.className() + "]" + dumpMap(o, seen);
            }
            if (v instanceof Map<?, ?> m) {
                return "Map" + dumpMap(m, seen);
            }
            if (v instanceof List<?> l) {
                StringJoiner j = new StringJoiner(", ", "List[", "]");
                for (Object o : l) {
                    j.add(dump(o, seen));
                }
                return j.toString();
            }
            if (v instanceof AmfArray a) {
                return "Array(" + dump(a.dense(), seen) + ", " + dump(a.associative(), seen) + ")";
            }
            if (v instanceof AmfVector vec) {
                return "Vector(" + vec.kind() + ", " + vec.fixed() + ", " + vec.objectTypeName() + ", "
                        + dump(vec.items(), seen) + ")";
            }
            if (v instanceof AmfDictionary d) {
                return "Dictionary(" + d.weakKeys() + ", " + dumpMap(d.entries(), seen) + ")";
            }
            return v.getClass().getName() + "(" + v + ")";
        } finally {
            seen.remove(v);
        }
    }

    private static String dumpMap(Map<?, ?> m, IdentityHashMap<Object, Boolean> seen) {
        StringJoiner j = new StringJoiner(", ", "{", "}");
        for (Map.Entry<?, ?> e : m.entrySet()) {
            j.add(dump(e.getKey(), seen) + "=" + dump(e.getValue(), seen));
        }
        return j.toString();
    }

    static AmfObject typed(String className, Object... keyValues) {
        AmfObject o = new AmfObject(className, false);
        o.putAll(AmfObject.of(keyValues));
        return o;
    }

    static AmfObject ecma(Object... keyValues) {
        AmfObject o = new AmfObject(null, true);
        o.putAll(AmfObject.of(keyValues));
        return o;
    }

    /** Hex of the ASCII/UTF-8 bytes of {@code s}. */
    static String ascii(String s) {
        return hex(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
