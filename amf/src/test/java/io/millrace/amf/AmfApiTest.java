package io.millrace.amf;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.millrace.amf.AmfTestSupport.bytes;
import static io.millrace.amf.AmfTestSupport.encode;
import static io.millrace.amf.AmfTestSupport.hex;
import static io.millrace.amf.AmfTestSupport.normalizeHex;
import static io.millrace.amf.AmfTestSupport.readAmf0;
import static io.millrace.amf.AmfTestSupport.readAmf3;
import static io.millrace.amf.AmfTestSupport.withInput;
import static io.millrace.amf.AmfTestSupport.writeAmf0;
import static io.millrace.amf.AmfTestSupport.writeAmf3;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AmfApiTest {

    // ------------------------------------------------------------------ U29

    @ParameterizedTest
    @CsvSource({
            "0x0, 00", "0x7F, 7F", "0x80, 81 00", "0x3FFF, FF 7F", "0x4000, 81 80 00", "0x1FFFFF, FF FF 7F",
            "0x200000, 80 C0 80 00", "0x0FFFFFFF, BF FF FF FF", "0x1FFFFFFF, FF FF FF FF"})
    void u29Vectors(String value, String hex) {
        int v = Integer.decode(value);
        assertThat(hex(encode(buf -> Amf3Writer.writeU29(buf, v)))).isEqualTo(normalizeHex(hex));
        int decoded = withInput(bytes(hex), buf -> {
            int read = new Amf3Reader(buf).readU29("test");
            assertThat(buf.isReadable()).isFalse();
            return read;
        });
        assertThat(decoded).isEqualTo(v);
    }

    @Test
    void u29BoundariesRoundTrip() {
        int[] edges = {0, 1, 0x7F, 0x80, 0x3FFF, 0x4000, 0x1FFFFF, 0x200000, 0x0FFFFFFF, 0x10000000, 0x1FFFFFFE, 0x1FFFFFFF};
        int[] lengths = {1, 1, 1, 2, 2, 3, 3, 4, 4, 4, 4, 4};
        for (int i = 0; i < edges.length; i++) {
            int v = edges[i];
            byte[] b = encode(buf -> Amf3Writer.writeU29(buf, v));
            assertThat(b).as("U29 %x", v).hasSize(lengths[i]);
            int decoded = withInput(b, buf -> new Amf3Reader(buf).readU29("test"));
            assertThat(decoded).isEqualTo(v);
        }
        assertThatThrownBy(() -> encode(buf -> Amf3Writer.writeU29(buf, 0x20000000))).isExactlyInstanceOf(AmfException.class);
        assertThatThrownBy(() -> encode(buf -> Amf3Writer.writeU29(buf, -1))).isExactlyInstanceOf(AmfException.class);
        assertThatThrownBy(() -> withInput(bytes("FF FF FF"), buf -> new Amf3Reader(buf).readU29("test")))
                .isExactlyInstanceOf(AmfException.class).hasMessageContaining("U29");
    }

    @Test
    void amf3IntegerRangeEdges() {
        int min = -(1 << 28);
        int max = (1 << 28) - 1;
        for (long v : new long[] {min, min + 1, -1, 0, 1, max - 1, max}) {
            String written = writeAmf3((int) v);
            assertThat(written).as("%d", v).startsWith("04");
            assertThat(readAmf3(written)).isEqualTo((int) v);
            assertThat(readAmf3(writeAmf3(v))).isEqualTo((int) v); // Long in range
        }
        for (long v : new long[] {min - 1L, max + 1L, Integer.MIN_VALUE, Integer.MAX_VALUE, Long.MAX_VALUE}) {
            String written = writeAmf3(v);
            assertThat(written).as("%d", v).startsWith("05");
            assertThat(readAmf3(written)).isEqualTo((double) v);
        }
    }

    // ------------------------------------------------------------------ strings

    @Test
    void amf0StringSwitchesToLongStringAboveFfffBytes() {
        assertThat(writeAmf0("a".repeat(65_535))).startsWith("02 FF FF 61");
        assertThat(writeAmf0("a".repeat(65_536))).startsWith("0C 00 01 00 00 61");
        // the threshold counts UTF-8 bytes, not chars: 32768 x U+00E9 = 65536 bytes
        String accented = "\u00e9".repeat(32_768);
        String hex = writeAmf0(accented);
        assertThat(hex).startsWith("0C 00 01 00 00 C3 A9");
        assertThat(readAmf0(hex)).isEqualTo(accented);
    }

    @Test
    void characterIsWrittenAsString() {
        assertThat(writeAmf0('x')).isEqualTo("02 00 01 78");
        assertThat(writeAmf3('x')).isEqualTo("06 03 78");
    }

    // ------------------------------------------------------------------ writer validation

    @Test
    void unsupportedTypesFail() {
        assertThatThrownBy(() -> writeAmf0(new Object())).isExactlyInstanceOf(AmfException.class)
                .hasMessageContaining("java.lang.Object");
        assertThatThrownBy(() -> writeAmf3(new int[] {1})).isExactlyInstanceOf(AmfException.class)
                .hasMessageContaining("AMF3");
        assertThatThrownBy(() -> writeAmf3(new AmfVector(AmfVector.Kind.INT, false, null, List.of("x"))))
                .isExactlyInstanceOf(AmfException.class).hasMessageContaining("not a number");
    }

    @Test
    void emptyAndNullPropertyNamesFail() {
        assertThatThrownBy(() -> writeAmf0(AmfObject.of("", 1.0))).isExactlyInstanceOf(AmfException.class)
                .hasMessageContaining("empty");
        Map<String, Object> nullKey = new HashMap<>();
        nullKey.put(null, 1.0);
        assertThatThrownBy(() -> writeAmf0(nullKey)).isExactlyInstanceOf(AmfException.class).hasMessageContaining("null");
        assertThatThrownBy(() -> writeAmf3(AmfObject.of("", 1))).isExactlyInstanceOf(AmfException.class);
        assertThatThrownBy(() -> writeAmf3(AmfTestSupport.typed("Foo", "", 1))).isExactlyInstanceOf(AmfException.class);
        assertThatThrownBy(() -> writeAmf3(AmfTestSupport.ecma("", 1))).isExactlyInstanceOf(AmfException.class);
        assertThatThrownBy(() -> writeAmf0(AmfObject.of("k".repeat(70_000), 1.0)))
                .isExactlyInstanceOf(AmfException.class).hasMessageContaining("65535");
    }

    @Test
    void amf3WriterCyclesUseObjectReferences() {
        AmfObject o = new AmfObject();
        List<Object> list = new java.util.ArrayList<>();
        o.put("list", list);
        list.add(o);
        String hex = writeAmf3(o);
        assertThat(hex).isEqualTo("0A 0B 01 09 6C 69 73 74 09 03 01 0A 00 01");
        AmfObject back = (AmfObject) readAmf3(hex);
        assertThat(((List<?>) back.get("list")).get(0)).isSameAs(back);
    }

    @Test
    void amf0WriterAmf3OnlyTypesUseTheSwitch() {
        assertThat(writeAmf0(AmfObject.of("b", new byte[] {1}))).isEqualTo("03 00 01 62 11 0C 03 01 00 00 09");
        Object back = ((AmfObject) readAmf0("03 00 01 62 11 0C 03 01 00 00 09")).get("b");
        assertThat((byte[]) back).containsExactly(1);
    }

    // ------------------------------------------------------------------ readers

    @Test
    void readersBorrowTheBufferAndAdvanceIt() {
        ByteBuf buf = ByteBufAllocator.DEFAULT.buffer();
        try {
            buf.writeBytes(bytes("AA 02 00 01 61 05 BB"));
            buf.readerIndex(1);
            Amf0Reader r = new Amf0Reader(buf);
            assertThat(r.hasMore()).isTrue();
            assertThat(r.read()).isEqualTo("a");
            assertThat(buf.readerIndex()).isEqualTo(5);
            assertThat(r.read()).isNull();
            assertThat(buf.readerIndex()).isEqualTo(6);
            assertThat(buf.refCnt()).isEqualTo(1);
            assertThatThrownBy(r::read).isExactlyInstanceOf(AmfException.class).hasMessageContaining("offset 6");
        } finally {
            buf.release();
        }
    }

    @Test
    void writersAppendAndChain() {
        ByteBuf buf = ByteBufAllocator.DEFAULT.buffer();
        try {
            buf.writeByte(0x00); // e.g. the type-17 format selector
            new Amf0Writer(buf).write("a").writeAll(1, null).writeAvmPlus(List.of(1));
            assertThat(hex(io.netty.buffer.ByteBufUtil.getBytes(buf)))
                    .isEqualTo("00 02 00 01 61 00 3F F0 00 00 00 00 00 00 05 11 09 03 01 04 01");
            assertThat(new Amf3Writer(buf).write(true).buffer()).isSameAs(buf);
        } finally {
            buf.release();
        }
    }

    @Test
    void builtInExternalizablesAreRegistered() {
        assertThat(AmfExternalizers.reader(AmfExternalizers.ARRAY_COLLECTION)).isNotNull();
        assertThat(AmfExternalizers.reader(AmfExternalizers.OBJECT_PROXY)).isNotNull();
        assertThat(AmfExternalizers.writer(AmfExternalizers.ARRAY_COLLECTION)).isNotNull();
        assertThat(AmfExternalizers.reader(null)).isNull();
        assertThat(AmfExternalizers.reader("nope")).isNull();
    }

    // ------------------------------------------------------------------ encoding

    @Test
    void amfEncoding() {
        assertThat(AmfEncoding.AMF0.objectEncoding()).isZero();
        assertThat(AmfEncoding.AMF3.objectEncoding()).isEqualTo(3);
        assertThat(AmfEncoding.fromObjectEncoding(3.0)).isEqualTo(AmfEncoding.AMF3);
        assertThat(AmfEncoding.fromObjectEncoding(0.0)).isEqualTo(AmfEncoding.AMF0);
        assertThat(AmfEncoding.fromObjectEncoding(1.0)).isEqualTo(AmfEncoding.AMF0);
        assertThat(AmfEncoding.fromObjectEncoding(Double.NaN)).isEqualTo(AmfEncoding.AMF0);
    }
}
