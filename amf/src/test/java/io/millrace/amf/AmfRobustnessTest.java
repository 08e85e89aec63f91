package io.millrace.amf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.millrace.amf.AmfTestSupport.ascii;
import static io.millrace.amf.AmfTestSupport.bytes;
import static io.millrace.amf.AmfTestSupport.ecma;
import static io.millrace.amf.AmfTestSupport.encode;
import static io.millrace.amf.AmfTestSupport.readAllAmf0;
import static io.millrace.amf.AmfTestSupport.readAllAmf3;
import static io.millrace.amf.AmfTestSupport.readAmf0;
import static io.millrace.amf.AmfTestSupport.readAmf3;
import static io.millrace.amf.AmfTestSupport.typed;
import static io.millrace.amf.AmfTestSupport.withInput;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Untrusted input: bad markers, references, lengths, depth, truncation, and random corruption. */
class AmfRobustnessTest {

    // ------------------------------------------------------------------ markers

    @ParameterizedTest
    @ValueSource(strings = {"04", "09", "0E", "12", "7F", "FF"})
    void unsupportedAmf0MarkersFail(String marker) {
        assertThatThrownBy(() -> readAmf0(marker))
                .isExactlyInstanceOf(AmfException.class)
                .hasMessageContaining("0x" + marker)
                .hasMessageContaining("offset 0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"12", "13", "80", "FF"})
    void unknownAmf3MarkersFail(String marker) {
        assertThatThrownBy(() -> readAmf3(marker))
                .isExactlyInstanceOf(AmfException.class)
                .hasMessageContaining("unknown AMF3 marker 0x" + marker);
    }

    /** 2^60 uses of one value in 60 levels, as AMF0 references or AMF3 tables let a few hundred bytes say. */
    private static AmfObject shared(int levels) {
        AmfObject v = new AmfObject();
        v.put("x", "y");
        for (int i = 0; i < levels; i++) {
            AmfObject up = new AmfObject();
            up.put("a", v);
            up.put("b", v);
            v = up;
        }
        return v;
    }

    @Test
    @Timeout(10)
    void sharedPartsDoNotBlowUpACopyOrAWrite() {
        AmfObject bomb = shared(60);
        assertThatThrownBy(bomb::deepCopy).isInstanceOf(AmfException.class).hasMessageContaining("too large to copy");
        io.netty.buffer.ByteBuf out = io.netty.buffer.Unpooled.buffer();
        try {
            assertThatThrownBy(() -> new Amf0Writer(out).write(bomb)).isInstanceOf(AmfException.class)
                    .hasMessageContaining("output past");
            assertThat(out.writerIndex()).isLessThanOrEqualTo(Amf0Writer.MAX_OUTPUT + 1024);
            out.clear();
            new Amf0Writer(out).useReferences(true).write(bomb); // with references it is small
            assertThat(out.readableBytes()).isLessThan(2000);
        } finally {
            out.release();
        }
        // What is shared a little is copied as before.
        AmfObject small = shared(8);
        assertThat(small.deepCopy()).isEqualTo(small);
    }

    @Test
    void aValueThatContainsItselfIsNotCopied() {
        AmfObject loop = new AmfObject();
        loop.put("self", loop);
        assertThatThrownBy(loop::deepCopy).isInstanceOf(AmfException.class).hasMessageContaining("contains itself");
        List<Object> list = new ArrayList<>();
        AmfObject holder = new AmfObject();
        holder.put("l", list);
        list.add(holder);
        assertThatThrownBy(holder::deepCopy).isInstanceOf(AmfException.class);
    }

    @Test
    void unknownMarkerOffsetIsReported() {
        assertThatThrownBy(() -> readAllAmf0(bytes("05 05 0E")))
                .isExactlyInstanceOf(AmfException.class)
                .hasMessageContaining("RecordSet")
                .hasMessageContaining("offset 2");
    }

    @Test
    void emptyBufferFails() {
        assertThatThrownBy(() -> readAmf0("")).isExactlyInstanceOf(AmfException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> readAmf3("")).isExactlyInstanceOf(AmfException.class).hasMessageContaining("empty");
        assertThat(readAllAmf0(new byte[0])).isEmpty();
    }

    // ------------------------------------------------------------------ references

    @Test
    void amf0ReferenceOutsideTableFails() {
        assertThatThrownBy(() -> readAmf0("07 00 00")).isExactlyInstanceOf(AmfException.class)
                .hasMessageContaining("reference 0").hasMessageContaining("offset 0");
        assertThatThrownBy(() -> readAllAmf0(bytes("03 00 00 09 07 00 01"))).isExactlyInstanceOf(AmfException.class)
                .hasMessageContaining("reference 1").hasMessageContaining("offset 4");
    }

    @Test
    void amf0ReferencesSpanTheMessageAndCountEveryComplexValue() {
        // [ {}, ECMA{}, Foo{} ] then references 0..3: 0 = the strict array, 1 = {}, 2 = ECMA, 3 = Foo
        List<Object> values = readAllAmf0(bytes(
                "0A 00 00 00 03 03 00 00 09 08 00 00 00 00 00 00 09 10 00 03 46 6F 6F 00 00 09"
                        + " 07 00 00 07 00 01 07 00 02 07 00 03"));
        assertThat(values).hasSize(5);
        List<?> array = (List<?>) values.get(0);
        assertThat(values.get(1)).isSameAs(array);
        assertThat(values.get(2)).isSameAs(array.get(0));
        assertThat(values.get(3)).isSameAs(array.get(1));
        assertThat(values.get(4)).isSameAs(array.get(2));
    }

    @Test
    void amf0SelfReferencingObject() {
        String hex = "03 00 04 73 65 6C 66 07 00 00 00 00 09";
        AmfObject o = (AmfObject) readAmf0(hex);
        assertThat(o.get("self")).isSameAs(o);
        // the writer must reference a cycle even without useReferences(true)
        assertThat(AmfTestSupport.writeAmf0(o)).isEqualTo(AmfTestSupport.normalizeHex(hex));
    }

    @Test
    void amf0SelfReferencingList() {
        List<Object> list = new ArrayList<>();
        list.add(list);
        String hex = AmfTestSupport.writeAmf0(list);
        assertThat(hex).isEqualTo("0A 00 00 00 01 07 00 00");
        List<?> back = (List<?>) readAmf0(hex);
        assertThat(back.get(0)).isSameAs(back);
    }

    @Test
    void amf0WriterReferencesRepeatedInstancesOnlyWhenAsked() {
        AmfObject shared = AmfObject.of("k", "v");
        List<Object> list = List.of(shared, shared);
        String withRefs = AmfTestSupport.hex(encode(buf -> new Amf0Writer(buf).useReferences(true).write(list)));
        assertThat(withRefs).isEqualTo("0A 00 00 00 02 03 00 01 6B 02 00 01 76 00 00 09 07 00 01");
        List<?> back = (List<?>) readAmf0(withRefs);
        assertThat(back.get(1)).isSameAs(back.get(0));

        String inline = AmfTestSupport.writeAmf0(list);
        assertThat(inline).isEqualTo("0A 00 00 00 02 03 00 01 6B 02 00 01 76 00 00 09 03 00 01 6B 02 00 01 76 00 00 09");
    }

    @Test
    void amf0CycleAfterAnInlineRepeatReferencesTheRightIndex() {
        // shared is written inline twice (indexes 1 and 2); the second copy contains itself -> ref 2
        AmfObject shared = new AmfObject();
        AmfObject outer = AmfObject.of("a", shared);
        shared.put("x", 1.0);
        List<Object> list = new ArrayList<>(List.of(outer, shared));
        String hex = AmfTestSupport.writeAmf0(list);
        List<?> back = (List<?>) readAmf0(hex);
        assertThat(AmfTestSupport.dump(back)).isEqualTo(AmfTestSupport.dump(list));
        shared.put("self", shared);
        List<?> cyclic = (List<?>) readAmf0(AmfTestSupport.writeAmf0(list));
        AmfObject second = (AmfObject) cyclic.get(1);
        assertThat(second.get("self")).isSameAs(second);
        AmfObject first = (AmfObject) ((AmfObject) cyclic.get(0)).get("a");
        assertThat(first.get("self")).isSameAs(first);
    }

    @Test
    void amf3BadReferencesFail() {
        assertThatThrownBy(() -> readAmf3("06 00")).isExactlyInstanceOf(AmfException.class)
                .hasMessageContaining("string table");
        assertThatThrownBy(() -> readAmf3("0A 02")).isExactlyInstanceOf(AmfException.class)
                .hasMessageContaining("object table");
        assertThatThrownBy(() -> readAmf3("0A 05")).isExactlyInstanceOf(AmfException.class)
                .hasMessageContaining("traits table");
        assertThatThrownBy(() -> readAmf3("09 00")).isExactlyInstanceOf(AmfException.class)
                .hasMessageContaining("object table");
        for (String marker : List.of("07", "08", "0B", "0C", "0D", "0E", "0F", "10", "11")) {
            assertThatThrownBy(() -> readAmf3(marker + " 04")).as(marker).isExactlyInstanceOf(AmfException.class)
                    .hasMessageContaining("reference 2");
        }
    }

    @Test
    void amf3SelfReferences() {
        String objectHex = "0A 0B 01 09 73 65 6C 66 0A 00 01";
        AmfObject o = (AmfObject) readAmf3(objectHex);
        assertThat(o.get("self")).isSameAs(o);
        assertThat(AmfTestSupport.writeAmf3(o)).isEqualTo(AmfTestSupport.normalizeHex(objectHex));

        List<?> list = (List<?>) readAmf3("09 03 01 09 00");
        assertThat(list.get(0)).isSameAs(list);

        AmfArray mixed = (AmfArray) readAmf3("09 03 03 61 09 00 01 09 00");
        assertThat(mixed.associative().get("a")).isSameAs(mixed);
        assertThat(mixed.dense().get(0)).isSameAs(mixed);

        AmfVector vector = (AmfVector) readAmf3("10 03 00 01 10 00");
        assertThat(vector.items().get(0)).isSameAs(vector);

        AmfDictionary dictionary = (AmfDictionary) readAmf3("11 03 00 06 03 6B 11 00");
        assertThat(dictionary.entries().get("k")).isSameAs(dictionary);
    }

    @Test
    void amf3ReferencesAcrossValuesOfOneReader() {
        // Object table index: array=0, object=1; string table: "k"=0; traits: anon=0
        List<Object> values = readAllAmf3(bytes("09 03 01 0A 0B 01 03 6B 06 00 01 09 00 0A 02 0A 01 00 06 00 01"));
        List<?> array = (List<?>) values.get(0);
        AmfObject obj = (AmfObject) array.get(0);
        assertThat(obj).containsEntry("k", "k");
        assertThat(values.get(1)).isSameAs(array);
        assertThat(values.get(2)).isSameAs(obj);
        assertThat((AmfObject) values.get(3)).containsEntry("k", "k").isNotSameAs(obj);
    }

    @Test
    void avmPlusSwitchUsesFreshTablesSoCrossValueReferencesFail() {
        assertThatThrownBy(() -> readAllAmf0(bytes("11 06 03 61 11 06 00")))
                .isExactlyInstanceOf(AmfException.class).hasMessageContaining("string table");
        assertThat(readAllAmf0(bytes("11 06 03 61 11 06 03 61"))).containsExactly("a", "a");
    }

    @Test
    void amf3DictionaryWithSelfContainingKeyFailsCleanly() {
        // key = an object whose member is itself: hashing it would recurse forever
        Throwable t = catchThrowable(() -> readAmf3("11 03 00 0A 0B 01 03 61 0A 02 01 01"));
        assertThat(t).isExactlyInstanceOf(AmfException.class).hasMessageContaining("Dictionary");
    }

    /** AMF3 {@code Dictionary{A_n: null}} with A_0 = [] and A_k = [A_k-1, A_k-1] (the second a reference). */
    private static byte[] dictionaryWithDoublingKey(int n) {
        io.netty.buffer.ByteBuf b = io.netty.buffer.Unpooled.buffer();
        b.writeBytes(bytes("11 03 00"));
        for (int k = n; k >= 1; k--) {
            b.writeBytes(bytes("09 05 01")); // dense array of 2, no associative part
        }
        b.writeBytes(bytes("09 01 01")); // A_0
        for (int k = 1; k <= n; k++) {
            b.writeByte(0x09).writeByte((n - k + 2) << 1); // reference to A_k-1 (the dictionary is entry 0)
        }
        b.writeByte(0x01);
        byte[] out = io.netty.buffer.ByteBufUtil.getBytes(b);
        b.release();
        return out;
    }

    @Test
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // before the fix: a 2^60-step hang
    void amf3DictionaryKeyThatReferencesExpandFailsFast() {
        // Hashing A_60 would take 2^60 steps (found by AmfFuzzTest: the reader hung on ~250 bytes).
        byte[] data = dictionaryWithDoublingKey(60);
        long start = System.nanoTime();
        Throwable t = catchThrowable(() -> readAllAmf3(data));
        assertThat(t).isExactlyInstanceOf(AmfException.class).hasMessageContaining("too costly to hash");
        assertThat(System.nanoTime() - start).isLessThan(2_000_000_000L);
        // A few levels of sharing are fine: A_3 expands to 15 values.
        AmfDictionary small = (AmfDictionary) readAllAmf3(dictionaryWithDoublingKey(3)).get(0);
        assertThat(small.entries()).hasSize(1);
    }

    @Test
    void amf3DictionaryWithManyKeysOfOneHashFails() {
        // Distinct keys [a, 1000 - 31a] all hash alike, so each insert compares with every earlier key.
        io.netty.buffer.ByteBuf b = io.netty.buffer.Unpooled.buffer();
        int n = 20_000;
        b.writeByte(0x11);
        writeU29(b, (n << 1) | 1);
        b.writeByte(0);
        for (int a = 0; a < n; a++) {
            b.writeBytes(bytes("09 05 01 04"));
            writeU29(b, a);
            b.writeByte(0x04);
            writeU29(b, (1000 - 31 * a) & 0x1FFFFFFF);
            b.writeByte(0x01);
        }
        byte[] data = io.netty.buffer.ByteBufUtil.getBytes(b);
        b.release();
        Throwable t = catchThrowable(() -> readAllAmf3(data));
        assertThat(t).isExactlyInstanceOf(AmfException.class).hasMessageContaining("too costly to hash");
    }

    @Test
    void amf3DictionaryWithManyOrdinaryKeysReads() {
        // 5000 string keys, then 5000 empty-object keys (equal in Java, so they merge into one entry).
        io.netty.buffer.ByteBuf b = io.netty.buffer.Unpooled.buffer();
        b.writeByte(0x11);
        writeU29(b, (10_000 << 1) | 1);
        b.writeByte(0);
        for (int i = 0; i < 5000; i++) {
            byte[] key = ("key" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            b.writeByte(0x06);
            writeU29(b, (key.length << 1) | 1);
            b.writeBytes(key).writeBytes(bytes("04 01"));
        }
        for (int i = 0; i < 5000; i++) {
            b.writeBytes(i == 0 ? bytes("0A 0B 01 01") : bytes("0A 01 01")).writeBytes(bytes("04 02"));
        }
        byte[] data = io.netty.buffer.ByteBufUtil.getBytes(b);
        b.release();
        AmfDictionary d = (AmfDictionary) readAllAmf3(data).get(0);
        assertThat(d.entries()).hasSize(5001);
    }

    private static void writeU29(io.netty.buffer.ByteBuf b, int v) {
        Amf3Writer.writeU29(b, v);
    }

    // ------------------------------------------------------------------ lengths

    @ParameterizedTest
    @ValueSource(strings = {
            "02 FF FF 61",                 // string longer than the buffer
            "0C FF FF FF FF 61 62",         // 4 GB long string
            "0F FF FF FF FF 3C",            // 4 GB XML
            "0A FF FF FF FF 05",            // 4 G strict array entries
            "0A 7F FF FF FF",
            "10 FF FF 41",                  // class name longer than the buffer
            "03 FF FF 05",                  // key longer than the buffer
            "11 06 FF FF FF FF 61",          // AMF3 string 2^28-1 bytes
            "11 09 FF FF FF FF 01",          // AMF3 array 2^28-1 dense entries
            "11 0C FF FF FF FF 00",          // AMF3 ByteArray 2^28-1 bytes
            "11 07 FF FF FF FF 3C",          // AMF3 XMLDocument
            "11 0B FF FF FF FF 3C",          // AMF3 XML
            "11 0D FF FF FF FF 00 00 00 00 01",
            "11 0E FF FF FF FF 00 00 00 00 01",
            "11 0F FF FF FF FF 00 00 00 00 00 00 00 00 01",
            "11 10 FF FF FF FF 00 01 01",
            "11 11 FF FF FF FF 00 01 01",
            "11 0A FF FF FF F3 01 03 61",    // inline traits with 2^25-1 sealed members
            "11 0A 13 01 03 61",             // one sealed member, value missing
    })
    void maliciousLengthsFailWithoutAllocating(String hex) {
        Throwable t = catchThrowable(() -> readAllAmf0(bytes(hex)));
        assertThat(t).isExactlyInstanceOf(AmfException.class);
        assertThat(t.getMessage()).contains("offset");
    }

    @Test
    void readerDoesNotTrustTheEcmaCount() {
        AmfObject o = (AmfObject) readAmf0("08 FF FF FF FF 00 01 61 05 00 00 09");
        assertThat(o).containsOnlyKeys("a");
    }

    // ------------------------------------------------------------------ object structure

    @Test
    void emptyKeyNotFollowedByObjectEndFails() {
        assertThatThrownBy(() -> readAmf0("03 00 00 05 00 00 09")).isExactlyInstanceOf(AmfException.class)
                .hasMessageContaining("0x09").hasMessageContaining("offset 1");
    }

    @Test
    void topLevelEcmaArrayWithoutTerminatorEndsAtEndOfBuffer() {
        String noTerminator = "08 00 00 00 01 00 08 64 75 72 61 74 69 6F 6E 00 40 25 00 00 00 00 00 00";
        assertThat(AmfTestSupport.dump(readAmf0(noTerminator))).isEqualTo(AmfTestSupport.dump(ecma("duration", 10.5)));
        assertThat(AmfTestSupport.dump(readAmf0(noTerminator + " 00 00")))
                .isEqualTo(AmfTestSupport.dump(ecma("duration", 10.5)));
        // FLV script tag: name + ECMA array missing its terminator
        List<Object> script = readAllAmf0(bytes("02 00 0A 6F 6E 4D 65 74 61 44 61 74 61 " + noTerminator));
        assertThat(script).hasSize(2);
        assertThat(script.get(0)).isEqualTo("onMetaData");
        assertThat(((AmfObject) script.get(1)).isEcmaArray()).isTrue();
        // the same holds for a top-level anonymous object
        assertThat(readAmf0("03 00 01 61 05")).isEqualTo(AmfObject.of("a", null));
    }

    @Test
    void nestedOrTypedObjectsWithoutTerminatorFail() {
        assertThatThrownBy(() -> readAmf0("0A 00 00 00 01 08 00 00 00 00 00 01 61 05"))
                .isExactlyInstanceOf(AmfException.class).hasMessageContaining("ECMA array");
        assertThatThrownBy(() -> readAmf0("03 00 01 61 03 00 01 62 05"))
                .isExactlyInstanceOf(AmfException.class);
        assertThatThrownBy(() -> readAmf0("10 00 01 41 00 01 61 05"))
                .isExactlyInstanceOf(AmfException.class).hasMessageContaining("typed object");
        // a partial key at the end is not an end
        assertThatThrownBy(() -> readAmf0("08 00 00 00 00 00 01 61 05 00"))
                .isExactlyInstanceOf(AmfException.class);
    }

    // ------------------------------------------------------------------ externalizable

    @Test
    void unknownExternalizableClassFails() {
        String hex = "0A 07 1F " + ascii("com.example.Foo") + " 01 02 03";
        assertThatThrownBy(() -> readAmf3(hex)).isExactlyInstanceOf(AmfException.class)
                .hasMessageContaining("unknown externalizable class com.example.Foo: cannot parse further");
        assertThatThrownBy(() -> readAllAmf0(bytes("05 11 " + hex))).isExactlyInstanceOf(AmfException.class)
                .hasMessageContaining("unknown externalizable class com.example.Foo");
        // also when reached through a traits reference of a class that is no longer known
        assertThatThrownBy(() -> readAmf3("0A 07 01")).isExactlyInstanceOf(AmfException.class)
                .hasMessageContaining("unknown externalizable class");
    }

    @Test
    void customExternalizableClass() {
        String name = "test.millrace.Point";
        AmfExternalizers.register(name, (className, in) -> {
            AmfObject p = new AmfObject(className, false);
            p.put("x", in.buffer().readInt());
            p.put("y", in.buffer().readInt());
            return p;
        }, (value, out) -> {
            out.buffer().writeInt(((Number) value.get("x")).intValue());
            out.buffer().writeInt(((Number) value.get("y")).intValue());
        });
        try {
            String hex = "0A 07 27 " + ascii(name) + " 00 00 00 01 00 00 00 02";
            AmfObject p = (AmfObject) readAmf3(hex);
            assertThat(p.className()).isEqualTo(name);
            assertThat(p).containsEntry("x", 1).containsEntry("y", 2);
            assertThat(AmfTestSupport.writeAmf3(p)).isEqualTo(AmfTestSupport.normalizeHex(hex));
            // the custom reader hitting the end of the buffer is still an AmfException
            assertThatThrownBy(() -> readAmf3("0A 07 27 " + ascii(name) + " 00 00"))
                    .isExactlyInstanceOf(AmfException.class);
        } finally {
            AmfExternalizers.unregister(name);
        }
        assertThat(AmfExternalizers.reader(name)).isNull();
    }

    // ------------------------------------------------------------------ depth

    @Test
    void amf0NestingDepthIsBounded() {
        assertThat(readAmf0("0A 00 00 00 01 ".repeat(200) + "05")).isInstanceOf(List.class);
        assertThatThrownBy(() -> readAmf0("0A 00 00 00 01 ".repeat(100_000) + "05"))
                .isExactlyInstanceOf(AmfException.class).hasMessageContaining("deeper than 256");
        assertThatThrownBy(() -> readAmf0("03 00 01 61 ".repeat(300) + "05"))
                .isExactlyInstanceOf(AmfException.class).hasMessageContaining("deeper than 256");
    }

    @Test
    void amf3NestingDepthIsBounded() {
        assertThat(readAmf3("09 03 01 ".repeat(200) + "01")).isInstanceOf(List.class);
        assertThatThrownBy(() -> readAmf3("09 03 01 ".repeat(100_000) + "01"))
                .isExactlyInstanceOf(AmfException.class).hasMessageContaining("deeper than 256");
        assertThatThrownBy(() -> readAmf3("0A 0B 01 03 61 " + "0A 01 00 ".repeat(300) + "01"))
                .isExactlyInstanceOf(AmfException.class).hasMessageContaining("deeper than 256");
    }

    @Test
    void depthCarriesAcrossTheAvmPlusSwitch() {
        String hex = "0A 00 00 00 01 ".repeat(150) + "11 " + "09 03 01 ".repeat(150) + "01";
        assertThatThrownBy(() -> readAmf0(hex)).isExactlyInstanceOf(AmfException.class)
                .hasMessageContaining("deeper than 256");
    }

    @Test
    void writerDepthIsBounded() {
        Object deep = null;
        for (int i = 0; i < 300; i++) {
            deep = new ArrayList<>(Arrays.asList(deep));
        }
        Object value = deep;
        assertThatThrownBy(() -> AmfTestSupport.writeAmf0(value)).isExactlyInstanceOf(AmfException.class);
        assertThatThrownBy(() -> AmfTestSupport.writeAmf3(value)).isExactlyInstanceOf(AmfException.class);
    }

    // ------------------------------------------------------------------ truncation

    /** An AMF0 message exercising every AMF0 marker and, through the switch, every AMF3 one. */
    static byte[] complexAmf0Message() {
        AmfObject foo = typed("Foo", "x", 1, "name", "shared");
        AmfObject amf3Value = AmfObject.of(
                "ints", List.of(1, -1, 300, 70_000, 268435455, 268435456),
                "foo", foo, "foo2", typed("Foo", "x", 2, "name", "shared"), "fooAgain", foo,
                "date", new Date(5), "bytes", new byte[] {1, 2, 3},
                "xml", new AmfXml("<x/>", false), "e4x", new AmfXml("<y/>", true),
                "mixed", new AmfArray(List.of("shared"), ecma("k", 1.5)),
                "vi", new AmfVector(AmfVector.Kind.INT, false, null, List.of(1, 2)),
                "vu", new AmfVector(AmfVector.Kind.UINT, true, null, List.of(3L)),
                "vd", new AmfVector(AmfVector.Kind.DOUBLE, false, null, List.of(0.5)),
                "vo", new AmfVector(AmfVector.Kind.OBJECT, false, "Foo", List.of(foo)),
                "dict", new AmfDictionary(false, new LinkedHashMap<>(Map.of("k", "v"))),
                "coll", typed(AmfExternalizers.ARRAY_COLLECTION, AmfExternalizers.SOURCE, List.of("a")),
                "flags", List.of(true, false), "nothing", Arrays.asList(null, AmfUndefined.INSTANCE, ""));
        AmfObject shared = AmfObject.of("s", "t");
        return encode(buf -> {
            Amf0Writer w = new Amf0Writer(buf).useReferences(true);
            w.write(Arrays.asList(
                    "connect", 1.0, true, null, AmfUndefined.INSTANCE,
                    AmfObject.of("app", "live", "ecma", ecma("duration", 10.5)),
                    typed("Bar", "y", false), new Date(1_000), new AmfXml("<a/>", false),
                    shared, shared, List.of()));
            w.writeAvmPlus(amf3Value);
            // hand-made: long string and the unsupported marker inside a strict array
            buf.writeBytes(bytes("0A 00 00 00 02 0C 00 00 00 02 61 62 0D"));
        });
    }

    @Test
    void complexMessageDecodes() {
        List<Object> values = readAllAmf0(complexAmf0Message());
        assertThat(values).hasSize(3);
        AmfObject amf3 = (AmfObject) values.get(1);
        assertThat(amf3.get("fooAgain")).isSameAs(amf3.get("foo"));
        assertThat(((AmfVector) amf3.get("vo")).items().get(0)).isSameAs(amf3.get("foo"));
        assertThat(values.get(2)).isEqualTo(List.of("ab", AmfUndefined.INSTANCE));
    }

    @Test
    void truncationAtEveryPositionThrowsAmfException() {
        byte[] full = complexAmf0Message();
        // the first value is a strict array: no prefix of it may parse
        int firstLength = withInput(full, buf -> {
            new Amf0Reader(buf).read();
            return buf.readerIndex();
        });
        for (int len = 0; len < firstLength; len++) {
            byte[] prefix = Arrays.copyOf(full, len);
            Throwable t = catchThrowable(() -> withInput(prefix, buf -> new Amf0Reader(buf).read()));
            assertThat(t).as("prefix of %d bytes", len).isExactlyInstanceOf(AmfException.class);
            assertThat(t.getMessage()).as("prefix of %d bytes", len).contains("offset");
        }
        // the whole message: every prefix that does not end on a value boundary fails
        List<Integer> boundaries = withInput(full, buf -> {
            Amf0Reader r = new Amf0Reader(buf);
            List<Integer> ends = new ArrayList<>(List.of(0));
            while (r.hasMore()) {
                r.read();
                ends.add(buf.readerIndex());
            }
            return ends;
        });
        for (int len = 0; len < full.length; len++) {
            byte[] prefix = Arrays.copyOf(full, len);
            Throwable t = catchThrowable(() -> readAllAmf0(prefix));
            if (boundaries.contains(len)) {
                assertThat(t).as("prefix of %d bytes", len).isNull();
            } else {
                assertThat(t).as("prefix of %d bytes", len).isExactlyInstanceOf(AmfException.class);
            }
        }
    }

    @Test
    void truncatedAmf3ValueAtEveryPositionThrowsAmfException() {
        byte[] full = complexAmf0Message();
        List<Object> values = readAllAmf0(full);
        byte[] amf3 = encode(buf -> new Amf3Writer(buf).write(values));
        // decoding and re-encoding is byte-exact (the AMF0 ECMA array became an AMF3 associative array)
        Object decoded = readAllAmf3(amf3).get(0);
        assertThat(encode(buf -> new Amf3Writer(buf).write(decoded))).isEqualTo(amf3);
        for (int len = 0; len < amf3.length; len++) {
            byte[] prefix = Arrays.copyOf(amf3, len);
            Throwable t = catchThrowable(() -> withInput(prefix, buf -> new Amf3Reader(buf).read()));
            assertThat(t).as("prefix of %d bytes", len).isExactlyInstanceOf(AmfException.class);
        }
    }

    @Test
    void everyTableVectorTruncatedFailsOrEndsOnABoundary() {
        for (AmfVectorTableTest.Case c : AmfVectorTableTest.decodeCases().toList()) {
            byte[] full = bytes(c.hex());
            if (full.length > 1000) {
                continue; // the long strings: covered by the malicious length cases
            }
            for (int len = 0; len < full.length; len++) {
                byte[] prefix = Arrays.copyOf(full, len);
                Throwable t = catchThrowable(() -> {
                    if (c.codec() == AmfVectorTableTest.Codec.AMF3) {
                        readAllAmf3(prefix);
                    } else {
                        readAllAmf0(prefix);
                    }
                });
                if (t != null) {
                    assertThat(t).as("%s, prefix of %d bytes", c, len).isExactlyInstanceOf(AmfException.class);
                }
            }
        }
    }

    // ------------------------------------------------------------------ corruption

    @Test
    void randomCorruptionOnlyEverThrowsAmfException() {
        Random random = new Random(20240601L);
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(complexAmf0Message());
        for (AmfVectorTableTest.Case c : AmfVectorTableTest.decodeCases().toList()) {
            byte[] b = bytes(c.hex());
            if (b.length < 1000) {
                seeds.add(c.codec() == AmfVectorTableTest.Codec.AMF3 ? concat(new byte[] {0x11}, b) : b);
            }
        }
        for (int i = 0; i < 6_000; i++) {
            byte[] data = seeds.get(random.nextInt(seeds.size())).clone();
            int edits = 1 + random.nextInt(4);
            for (int e = 0; e < edits && data.length > 0; e++) {
                int pos = random.nextInt(data.length);
                data[pos] = switch (random.nextInt(4)) {
                    case 0 -> (byte) random.nextInt(256);
                    case 1 -> (byte) 0xFF;
                    case 2 -> (byte) 0x00;
                    default -> (byte) (data[pos] ^ (1 << random.nextInt(8)));
                };
            }
            if (random.nextBoolean()) {
                data = Arrays.copyOf(data, random.nextInt(data.length + 1));
            }
            byte[] input = data;
            Throwable t = catchThrowable(() -> readAllAmf0(input));
            if (t != null) {
                assertThat(t).as("input %s", AmfTestSupport.hex(input)).isExactlyInstanceOf(AmfException.class);
            }
            Throwable t3 = catchThrowable(() -> readAllAmf3(input));
            if (t3 != null) {
                assertThat(t3).as("AMF3 input %s", AmfTestSupport.hex(input)).isExactlyInstanceOf(AmfException.class);
            }
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
