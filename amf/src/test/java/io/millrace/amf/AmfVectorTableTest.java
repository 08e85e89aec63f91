package io.millrace.amf;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.millrace.amf.AmfTestSupport.Avm;
import static io.millrace.amf.AmfTestSupport.ascii;
import static io.millrace.amf.AmfTestSupport.bytes;
import static io.millrace.amf.AmfTestSupport.dump;
import static io.millrace.amf.AmfTestSupport.ecma;
import static io.millrace.amf.AmfTestSupport.encode;
import static io.millrace.amf.AmfTestSupport.hex;
import static io.millrace.amf.AmfTestSupport.normalizeHex;
import static io.millrace.amf.AmfTestSupport.readAllAmf0;
import static io.millrace.amf.AmfTestSupport.readAllAmf3;
import static io.millrace.amf.AmfTestSupport.typed;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shared table of (bytes, values) vectors: every vector of amf.md §7 plus every marker type.
 * {@link #ROUND_TRIP} cases are decoded and encoded (byte-exact); the few vectors whose bytes our
 * writer legitimately produces differently are {@link #DECODE_ONLY}; {@link #ENCODE_ONLY} covers Java
 * inputs that have no identical read-side form.
 */
class AmfVectorTableTest {

    enum Codec { AMF0, AMF0_WITH_REFERENCES, AMF3 }

    record Case(String name, Codec codec, String hex, List<Object> values) {
        @Override
        public String toString() {
            return codec + " " + name;
        }
    }

    static Case amf0(String name, String hex, Object... values) {
        return new Case(name, Codec.AMF0, hex, Arrays.asList(values));
    }

    static Case amf3(String name, String hex, Object... values) {
        return new Case(name, Codec.AMF3, hex, Arrays.asList(values));
    }

    static final String ARRAY_COLLECTION_HEX = "0A 07 43 " + ascii(AmfExternalizers.ARRAY_COLLECTION);
    static final String OBJECT_PROXY_HEX = "0A 07 3B " + ascii(AmfExternalizers.OBJECT_PROXY);

    static final List<Case> ROUND_TRIP = new ArrayList<>();
    static final List<Case> DECODE_ONLY = new ArrayList<>();
    static final List<Case> ENCODE_ONLY = new ArrayList<>();

    static {
        // ---- AMF0, amf.md §7 ----
        ROUND_TRIP.add(amf0("number 1.0", "00 3F F0 00 00 00 00 00 00", 1.0));
        ROUND_TRIP.add(amf0("number 0.0", "00 00 00 00 00 00 00 00 00", 0.0));
        ROUND_TRIP.add(amf0("number -1.5", "00 BF F8 00 00 00 00 00 00", -1.5));
        ROUND_TRIP.add(amf0("boolean true", "01 01", true));
        ROUND_TRIP.add(amf0("string connect", "02 00 07 63 6F 6E 6E 65 63 74", "connect"));
        ROUND_TRIP.add(amf0("null", "05", (Object) null));
        ROUND_TRIP.add(amf0("undefined", "06", AmfUndefined.INSTANCE));
        ROUND_TRIP.add(amf0("object {app:live}", "03 00 03 61 70 70 02 00 04 6C 69 76 65 00 00 09",
                AmfObject.of("app", "live")));
        ROUND_TRIP.add(amf0("ECMA array {duration:10.5}",
                "08 00 00 00 01 00 08 64 75 72 61 74 69 6F 6E 00 40 25 00 00 00 00 00 00 00 00 09",
                ecma("duration", 10.5)));
        ROUND_TRIP.add(amf0("strict array [1.0,a]", "0A 00 00 00 02 00 3F F0 00 00 00 00 00 00 02 00 01 61",
                List.of(1.0, "a")));
        ROUND_TRIP.add(amf0("date 0", "0B 00 00 00 00 00 00 00 00 00 00", new Date(0)));
        ROUND_TRIP.add(amf0("typed object Foo{x:true}", "10 00 03 46 6F 6F 00 01 78 01 01 00 00 09",
                typed("Foo", "x", true)));
        AmfObject twice = AmfObject.of("a", 1.0);
        ROUND_TRIP.add(new Case("same object written twice", Codec.AMF0_WITH_REFERENCES,
                "03 00 01 61 00 3F F0 00 00 00 00 00 00 00 00 09 07 00 00", List.of(twice, twice)));
        ROUND_TRIP.add(amf0("AVM+ switch, AMF3 int 5", "11 04 05", new Avm(5)));
        DECODE_ONLY.add(amf0("long string ab", "0C 00 00 00 02 61 62", "ab"));

        // ---- command bodies, amf.md §7 ----
        ROUND_TRIP.add(amf0("connect command",
                "02 00 07 63 6F 6E 6E 65 63 74  00 3F F0 00 00 00 00 00 00"
                        + "03 00 03 61 70 70 02 00 04 6C 69 76 65"
                        + "   00 05 74 63 55 72 6C 02 00 0D 72 74 6D 70 3A 2F 2F 68 2F 6C 69 76 65"
                        + "   00 0E 6F 62 6A 65 63 74 45 6E 63 6F 64 69 6E 67 00 00 00 00 00 00 00 00 00"
                        + "00 00 09",
                "connect", 1.0, AmfObject.of("app", "live", "tcUrl", "rtmp://h/live", "objectEncoding", 0.0)));
        ROUND_TRIP.add(amf0("connect _result",
                "02 00 07 5F 72 65 73 75 6C 74 00 3F F0 00 00 00 00 00 00"
                        + "03 00 06 66 6D 73 56 65 72 02 00 0E 46 4D 53 2F 33 2C 35 2C 37 2C 37 30 30 39"
                        + "   00 0C 63 61 70 61 62 69 6C 69 74 69 65 73 00 40 3F 00 00 00 00 00 00"
                        + "   00 04 6D 6F 64 65 00 3F F0 00 00 00 00 00 00 00 00 09"
                        + "03 00 05 6C 65 76 65 6C 02 00 06 73 74 61 74 75 73"
                        + "   00 04 63 6F 64 65 02 00 1D 4E 65 74 43 6F 6E 6E 65 63 74 69 6F 6E 2E 43 6F 6E 6E 65 63 74 2E 53 75 63 63 65 73 73"
                        + "   00 0B 64 65 73 63 72 69 70 74 69 6F 6E 02 00 15 43 6F 6E 6E 65 63 74 69 6F 6E 20 73 75 63 63 65 65 64 65 64 2E"
                        + "   00 0E 6F 62 6A 65 63 74 45 6E 63 6F 64 69 6E 67 00 00 00 00 00 00 00 00 00 00 00 09",
                "_result", 1.0,
                AmfObject.of("fmsVer", "FMS/3,5,7,7009", "capabilities", 31.0, "mode", 1.0),
                AmfObject.of("level", "status", "code", "NetConnection.Connect.Success",
                        "description", "Connection succeeded.", "objectEncoding", 0.0)));
        ROUND_TRIP.add(amf0("createStream _result",
                "02 00 07 5F 72 65 73 75 6C 74 00 40 00 00 00 00 00 00 00 05 00 3F F0 00 00 00 00 00 00",
                "_result", 2.0, null, 1.0));

        // ---- AMF0, the remaining markers and shapes ----
        ROUND_TRIP.add(amf0("boolean false", "01 00", false));
        ROUND_TRIP.add(amf0("empty string", "02 00 00", ""));
        ROUND_TRIP.add(amf0("multi-byte UTF-8", "02 00 05 C3 A9 E2 82 AC", "\u00e9\u20ac"));
        ROUND_TRIP.add(amf0("empty object", "03 00 00 09", new AmfObject()));
        ROUND_TRIP.add(amf0("empty ECMA array", "08 00 00 00 00 00 00 09", ecma()));
        ROUND_TRIP.add(amf0("empty strict array", "0A 00 00 00 00", List.of()));
        ROUND_TRIP.add(amf0("date 1e12 ms", "0B 42 6D 1A 94 A2 00 00 00 00 00", new Date(1_000_000_000_000L)));
        String longString = "x".repeat(70_000);
        ROUND_TRIP.add(amf0("long string 70000 bytes", "0C 00 01 11 70 " + "78".repeat(70_000), longString));
        ROUND_TRIP.add(amf0("string of exactly 65535 bytes", "02 FF FF " + "79".repeat(65_535), "y".repeat(65_535)));
        ROUND_TRIP.add(amf0("XML document", "0F 00 00 00 04 3C 61 2F 3E", new AmfXml("<a/>", false)));
        ROUND_TRIP.add(amf0("typed object without properties", "10 00 03 42 61 72 00 00 09", typed("Bar")));
        ROUND_TRIP.add(amf0("nested object / array / ECMA array",
                "03 00 01 6C 0A 00 00 00 02 03 00 01 6B 02 00 01 76 00 00 09 08 00 00 00 01 00 01 65 05 00 00 09"
                        + " 00 01 75 06 00 00 09",
                AmfObject.of("l", List.of(AmfObject.of("k", "v"), ecma("e", null)), "u", AmfUndefined.INSTANCE)));
        ROUND_TRIP.add(amf0("AVM+ ByteArray (byte[] goes through the switch)", "11 0C 05 DE AD", (Object) new byte[] {(byte) 0xDE, (byte) 0xAD}));
        ROUND_TRIP.add(amf0("AVM+ E4X XML", "11 0B 09 3C 61 2F 3E", new AmfXml("<a/>", true)));
        ROUND_TRIP.add(amf0("AVM+ mixed array", "11 09 03 03 61 04 02 01 04 01",
                new AmfArray(new ArrayList<>(List.of(1)), ecma("a", 2))));
        ROUND_TRIP.add(amf0("AVM+ vector<int>", "11 0D 03 00 00 00 00 07",
                new AmfVector(AmfVector.Kind.INT, false, null, List.of(7))));
        ROUND_TRIP.add(amf0("AVM+ dictionary", "11 11 03 01 06 03 6B 03",
                new AmfDictionary(true, new LinkedHashMap<>(Map.of("k", true)))));
        ROUND_TRIP.add(amf0("two AVM+ values, AMF3 tables reset per switch",
                "11 0A 0B 01 03 78 06 03 79 01 11 0A 0B 01 03 78 06 03 79 01",
                new Avm(AmfObject.of("x", "y")), new Avm(AmfObject.of("x", "y"))));
        DECODE_ONLY.add(amf0("AVM+ AMF3 objects inside an AMF0 object",
                "03 00 01 61 11 0A 0B 01 03 78 06 03 79 01 00 01 62 11 0A 0B 01 03 78 06 03 79 01 00 00 09",
                AmfObject.of("a", new Avm(AmfObject.of("x", "y")), "b", new Avm(AmfObject.of("x", "y")))));
        DECODE_ONLY.add(amf0("unsupported marker 0D reads as undefined", "0D", AmfUndefined.INSTANCE));
        DECODE_ONLY.add(amf0("any non-zero boolean byte is true", "01 7F", true));
        DECODE_ONLY.add(amf0("date time zone ignored", "0B 00 00 00 00 00 00 00 00 FF 88", new Date(0)));
        DECODE_ONLY.add(amf0("ECMA array count is advisory", "08 00 00 00 00 00 01 61 05 00 01 62 05 00 00 09",
                ecma("a", null, "b", null)));
        ENCODE_ONLY.add(amf0("Integer written as Number", "00 3F F0 00 00 00 00 00 00", 1));
        ENCODE_ONLY.add(amf0("Long written as Number", "00 40 00 00 00 00 00 00 00", 2L));
        ENCODE_ONLY.add(amf0("CharSequence written as String", "02 00 01 61", new StringBuilder("a")));
        ENCODE_ONLY.add(amf0("short string never as long string", "02 00 02 61 62", "ab"));
        ENCODE_ONLY.add(amf0("Object[] written as strict array", "0A 00 00 00 01 01 01", (Object) new Object[] {true}));
        ENCODE_ONLY.add(amf0("plain Map written as anonymous object", "03 00 01 61 05 00 00 09", mapOf("a", null)));
        AmfObject shared = AmfObject.of();
        ENCODE_ONLY.add(amf0("repeated instance written inline by default", "03 00 00 09 03 00 00 09", shared, shared));

        // ---- U29 via AMF3 integers (amf.md §7 U29 table) ----
        ROUND_TRIP.add(amf3("U29 0x0", "04 00", 0));
        ROUND_TRIP.add(amf3("U29 0x7F", "04 7F", 0x7F));
        ROUND_TRIP.add(amf3("U29 0x80", "04 81 00", 0x80));
        ROUND_TRIP.add(amf3("U29 0x3FFF", "04 FF 7F", 0x3FFF));
        ROUND_TRIP.add(amf3("U29 0x4000", "04 81 80 00", 0x4000));
        ROUND_TRIP.add(amf3("U29 0x1FFFFF", "04 FF FF 7F", 0x1FFFFF));
        ROUND_TRIP.add(amf3("U29 0x200000", "04 80 C0 80 00", 0x200000));
        ROUND_TRIP.add(amf3("U29 0x0FFFFFFF", "04 BF FF FF FF", 0x0FFFFFFF));
        ROUND_TRIP.add(amf3("U29 0x1FFFFFFF = integer -1", "04 FF FF FF FF", -1));

        // ---- AMF3, amf.md §7 ----
        ROUND_TRIP.add(amf3("integer 1", "04 01", 1));
        ROUND_TRIP.add(amf3("integer -1", "04 FF FF FF FF", -1));
        ROUND_TRIP.add(amf3("integer 2^28-1", "04 BF FF FF FF", 268435455));
        ROUND_TRIP.add(amf3("integer -2^28", "04 C0 80 80 00", -268435456));
        ROUND_TRIP.add(amf3("268435456 as double", "05 41 B0 00 00 00 00 00 00", 268435456.0));
        ROUND_TRIP.add(amf3("double 1.5", "05 3F F8 00 00 00 00 00 00", 1.5));
        ROUND_TRIP.add(amf3("true", "03", true));
        ROUND_TRIP.add(amf3("false", "02", false));
        ROUND_TRIP.add(amf3("null", "01", (Object) null));
        ROUND_TRIP.add(amf3("undefined", "00", AmfUndefined.INSTANCE));
        ROUND_TRIP.add(amf3("string hello", "06 0B 68 65 6C 6C 6F", "hello"));
        ROUND_TRIP.add(amf3("hello twice (string reference)", "06 0B 68 65 6C 6C 6F 06 00", "hello", "hello"));
        ROUND_TRIP.add(amf3("empty string", "06 01", ""));
        ROUND_TRIP.add(amf3("empty string twice is never referenced", "06 01 06 01", "", ""));
        ROUND_TRIP.add(amf3("array [1,2,3]", "09 07 01 04 01 04 02 04 03", List.of(1, 2, 3)));
        ROUND_TRIP.add(amf3("anonymous dynamic object {a:1}", "0A 0B 01 03 61 04 01 01", AmfObject.of("a", 1)));
        DECODE_ONLY.add(amf3("anonymous sealed object {a:1} (BlazeDS ASObject)", "0A 13 01 03 61 04 01", AmfObject.of("a", 1)));
        ROUND_TRIP.add(amf3("typed sealed object Foo{x:1}", "0A 13 07 46 6F 6F 03 78 04 01", typed("Foo", "x", 1)));
        ROUND_TRIP.add(amf3("Foo{x:1} then Foo{x:2} by traits reference", "0A 13 07 46 6F 6F 03 78 04 01 0A 01 04 02",
                typed("Foo", "x", 1), typed("Foo", "x", 2)));
        ROUND_TRIP.add(amf3("externalizable ArrayCollection", ARRAY_COLLECTION_HEX + " 09 05 01 04 01 04 02",
                typed(AmfExternalizers.ARRAY_COLLECTION, AmfExternalizers.SOURCE, List.of(1, 2))));
        ROUND_TRIP.add(amf3("date 0", "08 01 00 00 00 00 00 00 00 00", new Date(0)));
        ROUND_TRIP.add(amf3("ByteArray DE AD", "0C 05 DE AD", (Object) new byte[] {(byte) 0xDE, (byte) 0xAD}));

        // ---- AMF3, every other marker and the reference tables ----
        ROUND_TRIP.add(amf3("XMLDocument", "07 09 3C 61 2F 3E", new AmfXml("<a/>", false)));
        ROUND_TRIP.add(amf3("XML (E4X)", "0B 09 3C 61 2F 3E", new AmfXml("<a/>", true)));
        ROUND_TRIP.add(amf3("empty ByteArray", "0C 01", (Object) new byte[0]));
        ROUND_TRIP.add(amf3("vector<int>", "0D 05 00 00 00 00 01 FF FF FF FF",
                new AmfVector(AmfVector.Kind.INT, false, null, List.of(1, -1))));
        ROUND_TRIP.add(amf3("vector<uint>, fixed", "0E 05 01 00 00 00 01 FF FF FF FF",
                new AmfVector(AmfVector.Kind.UINT, true, null, List.of(1L, 4294967295L))));
        ROUND_TRIP.add(amf3("vector<Number>", "0F 03 00 3F F8 00 00 00 00 00 00",
                new AmfVector(AmfVector.Kind.DOUBLE, false, null, List.of(1.5))));
        ROUND_TRIP.add(amf3("vector<*>", "10 05 00 03 2A 06 03 61 01",
                new AmfVector(AmfVector.Kind.OBJECT, false, "*", Arrays.asList("a", null))));
        ROUND_TRIP.add(amf3("vector<Foo> (type name then class name by string reference)",
                "10 03 00 07 46 6F 6F 0A 13 00 03 78 04 01",
                new AmfVector(AmfVector.Kind.OBJECT, false, "Foo", List.of(typed("Foo", "x", 1)))));
        ROUND_TRIP.add(amf3("dictionary", "11 05 00 06 03 6B 04 01 03 06 03 76",
                new AmfDictionary(false, mapOf("k", 1, true, "v"))));
        ROUND_TRIP.add(amf3("mixed array dense [1] + {a:2}", "09 03 03 61 04 02 01 04 01",
                new AmfArray(List.of(1), ecma("a", 2))));
        ROUND_TRIP.add(amf3("associative-only array", "09 01 03 61 04 02 01",
                new AmfArray(List.of(), ecma("a", 2))));
        AmfObject same = AmfObject.of("a", 1);
        ROUND_TRIP.add(amf3("same object twice (object reference)", "0A 0B 01 03 61 04 01 01 0A 00", same, same));
        ROUND_TRIP.add(amf3("two anonymous objects (traits + string reference)",
                "0A 0B 01 03 61 04 01 01 0A 01 00 04 02 01", AmfObject.of("a", 1), AmfObject.of("a", 2)));
        ROUND_TRIP.add(amf3("string references inside an object",
                "0A 0B 01 09 6E 61 6D 65 06 03 61 09 6C 69 73 74 09 05 01 06 00 06 02 01",
                AmfObject.of("name", "a", "list", List.of("name", "a"))));
        ROUND_TRIP.add(amf3("typed object without members", "0A 03 07 42 61 72", typed("Bar")));
        ROUND_TRIP.add(amf3("externalizable ObjectProxy", OBJECT_PROXY_HEX + " 0A 0B 01 03 61 04 01 01",
                typed(AmfExternalizers.OBJECT_PROXY, AmfExternalizers.SOURCE, AmfObject.of("a", 1))));
        ROUND_TRIP.add(amf3("two ArrayCollections (externalizable traits reference)",
                ARRAY_COLLECTION_HEX + " 09 01 01 0A 01 09 01 01",
                typed(AmfExternalizers.ARRAY_COLLECTION, AmfExternalizers.SOURCE, new ArrayList<>()),
                typed(AmfExternalizers.ARRAY_COLLECTION, AmfExternalizers.SOURCE, new ArrayList<>())));
        ROUND_TRIP.add(amf3("long string 300 bytes (2-byte U29 length)", "06 84 59 " + "7A".repeat(300), "z".repeat(300)));
        DECODE_ONLY.add(amf3("date reference", "08 01 00 00 00 00 00 00 00 00 08 00", new Date(0), new Date(0)));
        ENCODE_ONLY.add(amf3("integer 2^28 written as double", "05 41 B0 00 00 00 00 00 00", 268435456));
        ENCODE_ONLY.add(amf3("integer -2^28-1 written as double", "05 C1 B0 00 00 01 00 00 00", -268435457));
        ENCODE_ONLY.add(amf3("Long in range as integer", "04 05", 5L));
        ENCODE_ONLY.add(amf3("Long out of range as double", "05 42 00 00 00 00 00 00 00", 1L << 33));
        ENCODE_ONLY.add(amf3("Short and Byte as integer", "04 05 04 FF FF FF FF", (short) 5, (byte) -1));
        ENCODE_ONLY.add(amf3("Double 1.0 stays double", "05 3F F0 00 00 00 00 00 00", 1.0));
        ENCODE_ONLY.add(amf3("Float as double", "05 3F F8 00 00 00 00 00 00", 1.5f));
        ENCODE_ONLY.add(amf3("ECMA AmfObject as associative-only array", "09 01 03 61 04 02 01", ecma("a", 2)));
        ENCODE_ONLY.add(amf3("Object[] as dense array", "09 05 01 04 01 04 02", (Object) new Object[] {1, 2}));
        ENCODE_ONLY.add(amf3("plain Map as anonymous dynamic object", "0A 0B 01 03 61 04 01 01", mapOf("a", 1)));
        ENCODE_ONLY.add(amf3("dictionary integer keys travel as strings", "11 03 00 06 03 31 03",
                new AmfDictionary(false, mapOf(1, true))));
        ENCODE_ONLY.add(amf3("vector<*> with null type name", "10 01 00 03 2A",
                new AmfVector(AmfVector.Kind.OBJECT, false, null, List.of())));
    }

    static Map<Object, Object> mapOf(Object... kv) {
        Map<Object, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    static Stream<Case> decodeCases() {
        return Stream.concat(ROUND_TRIP.stream(), DECODE_ONLY.stream());
    }

    static Stream<Case> encodeCases() {
        return Stream.concat(ROUND_TRIP.stream(), ENCODE_ONLY.stream());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decodeCases")
    void decodes(Case c) {
        byte[] data = bytes(c.hex());
        List<Object> actual = c.codec() == Codec.AMF3 ? readAllAmf3(data) : readAllAmf0(data);
        assertThat(actual).hasSameSizeAs(c.values());
        for (int i = 0; i < actual.size(); i++) {
            assertThat(dump(actual.get(i))).as("value %d", i).isEqualTo(dump(c.values().get(i)));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("encodeCases")
    void encodes(Case c) {
        byte[] written = encode(buf -> {
            if (c.codec() == Codec.AMF3) {
                Amf3Writer w = new Amf3Writer(buf);
                c.values().forEach(w::write);
            } else {
                Amf0Writer w = new Amf0Writer(buf).useReferences(c.codec() == Codec.AMF0_WITH_REFERENCES);
                for (Object v : c.values()) {
                    if (v instanceof Avm a) {
                        w.writeAvmPlus(a.value());
                    } else {
                        w.write(v);
                    }
                }
            }
        });
        assertThat(hex(written)).isEqualTo(normalizeHex(c.hex()));
    }
}
