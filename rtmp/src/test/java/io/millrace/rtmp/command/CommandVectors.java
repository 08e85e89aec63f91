package io.millrace.rtmp.command;

import io.millrace.amf.AmfObject;
import io.millrace.amf.AmfUndefined;
import io.millrace.rtmp.message.MessageType;
import io.millrace.rtmp.message.RtmpMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The one table of command and data message vectors: message body bytes and the {@link Command} or
 * {@link DataMessage} they carry, shared by the codec, decoder and encoder tests.
 *
 * <p>The bytes are written by hand: the type-20 command bodies are copied from amf.md §7, the others
 * are worked out from the marker tables in amf.md §1 and §3 (comments show the arithmetic). None of
 * them is produced by the code under test.
 */
final class CommandVectors {

    /** Whether the encoder must produce exactly these bytes, or they are only a valid input. */
    enum Direction { BOTH, DECODE_ONLY }

    /**
     * One vector. {@code value} is a {@link Command} or a {@link DataMessage}; its stream id and
     * timestamp are those of the RTMP message that carries the body. The encoding (AMF0 or the AMF3
     * envelope) follows from {@code typeId}.
     */
    record Case(String label, int typeId, String hex, Object value, Direction direction) {
        boolean isCommand() {
            return value instanceof Command;
        }

        boolean isAmf3() {
            return typeId == MessageType.COMMAND_AMF3 || typeId == MessageType.DATA_AMF3;
        }

        boolean encodes() {
            return direction == Direction.BOTH;
        }

        int streamId() {
            return value instanceof Command c ? c.streamId() : ((DataMessage) value).streamId();
        }

        long timestamp() {
            return value instanceof Command c ? c.timestamp() : ((DataMessage) value).timestamp();
        }

        /** A new inbound message carrying {@code hex} in a pooled buffer; the caller releases it. */
        RtmpMessage message() {
            return CommandVectors.message(typeId, timestamp(), streamId(), hex);
        }

        @Override
        public String toString() {
            return label;
        }
    }

    // ---- amf.md §7, command bodies (type 20), copied byte for byte --------------------------------

    static final String CONNECT_HEX = """
            02 00 07 63 6F 6E 6E 65 63 74  00 3F F0 00 00 00 00 00 00
            03 00 03 61 70 70 02 00 04 6C 69 76 65
               00 05 74 63 55 72 6C 02 00 0D 72 74 6D 70 3A 2F 2F 68 2F 6C 69 76 65
               00 0E 6F 62 6A 65 63 74 45 6E 63 6F 64 69 6E 67 00 00 00 00 00 00 00 00 00
            00 00 09
            """;

    static final String CONNECT_RESULT_HEX = """
            02 00 07 5F 72 65 73 75 6C 74 00 3F F0 00 00 00 00 00 00
            03 00 06 66 6D 73 56 65 72 02 00 0E 46 4D 53 2F 33 2C 35 2C 37 2C 37 30 30 39
               00 0C 63 61 70 61 62 69 6C 69 74 69 65 73 00 40 3F 00 00 00 00 00 00
               00 04 6D 6F 64 65 00 3F F0 00 00 00 00 00 00 00 00 09
            03 00 05 6C 65 76 65 6C 02 00 06 73 74 61 74 75 73
               00 04 63 6F 64 65 02 00 1D 4E 65 74 43 6F 6E 6E 65 63 74 69 6F 6E 2E 43 6F 6E 6E 65 63 74 2E 53 75 63 63 65 73 73
               00 0B 64 65 73 63 72 69 70 74 69 6F 6E 02 00 15 43 6F 6E 6E 65 63 74 69 6F 6E 20 73 75 63 63 65 65 64 65 64 2E
               00 0E 6F 62 6A 65 63 74 45 6E 63 6F 64 69 6E 67 00 00 00 00 00 00 00 00 00 00 00 09
            """;

    static final String CREATE_STREAM_RESULT_HEX = """
            02 00 07 5F 72 65 73 75 6C 74 00 40 00 00 00 00 00 00 00 05 00 3F F0 00 00 00 00 00 00
            """;

    // ---- worked out by hand ------------------------------------------------------------------------

    /** onStatus(0, null, {level, code, description, details}) on msid 1, AMF0. */
    static final String ON_STATUS_PLAY_START_HEX = """
            02 00 08 6F 6E 53 74 61 74 75 73                         "onStatus"
            00 00 00 00 00 00 00 00 00                               0.0
            05                                                       null
            03
               00 05 6C 65 76 65 6C 02 00 06 73 74 61 74 75 73       level: "status"
               00 04 63 6F 64 65                                     code:
                  02 00 14 4E 65 74 53 74 72 65 61 6D 2E 50 6C 61 79 2E 53 74 61 72 74     "NetStream.Play.Start" (20)
               00 0B 64 65 73 63 72 69 70 74 69 6F 6E                description:
                  02 00 10 53 74 61 72 74 65 64 20 70 6C 61 79 69 6E 67 2E                 "Started playing." (16)
               00 07 64 65 74 61 69 6C 73 02 00 05 6C 69 76 65 31    details: "live1"
            00 00 09
            """;

    /*
     * AMF3 integers used below (amf.md §3.1: v & 0x1FFFFFFF, 4-byte form
     * 0x80|(v>>22)&0x7F, 0x80|(v>>15)&0x7F, 0x80|(v>>8)&0x7F, v&0xFF):
     *   -2000 -> 0x20000000 - 0x7D0 = 0x1FFFF830 -> FF FF F8 30
     *   -1000 -> 0x20000000 - 0x3E8 = 0x1FFFFC18 -> FF FF FC 18
     */

    /**
     * play as Flash Player with objectEncoding 3 sends it (type 17): format byte 00, name and tid in
     * AMF0, then every value after the AVM+ marker 11, the null command object included.
     */
    static final String FLASH_PLAY_AMF3_HEX = """
            00                                   format selector
            02 00 04 70 6C 61 79                 "play"
            00 40 10 00 00 00 00 00 00           4.0
            11 01                                AMF3 null
            11 06 0B 6C 69 76 65 31              AMF3 "live1" (5 << 1 | 1 = 0B)
            11 04 FF FF F8 30                    AMF3 integer -2000
            11 04 FF FF FC 18                    AMF3 integer -1000
            11 03                                AMF3 true
            """;

    /** The same play as the encoder writes it: a null stays AMF0 null (05), everything else is AVM+. */
    static final String ENCODER_PLAY_AMF3_HEX = """
            00
            02 00 04 70 6C 61 79
            00 40 10 00 00 00 00 00 00
            05
            11 06 0B 6C 69 76 65 31
            11 04 FF FF F8 30
            11 04 FF FF FC 18
            11 03
            """;

    /**
     * _result(2, {a:"x", b:"x"}, {c:"x"}, null, [1, 2.5]) in the AMF3 envelope: each AVM+ value has fresh
     * tables, so the second "x" of the first object is a string reference but the "x" of the second
     * object is a literal again.
     */
    static final String RESULT_AMF3_HEX = """
            00
            02 00 07 5F 72 65 73 75 6C 74          "_result"
            00 40 00 00 00 00 00 00 00             2.0
            11 0A 0B 01                            object, inline traits, dynamic, anonymous
               03 61 06 03 78                      a: "x"   (strings: a=0, x=1)
               03 62 06 02                         b: ref 1 (1 << 1 = 02)
               01                                  end of dynamic members
            11 0A 0B 01 03 63 06 03 78 01          {c: "x"}, fresh tables
            05                                     null stays AMF0
            11 09 05 01 04 01 05 40 04 00 00 00 00 00 00     dense array of 2: integer 1, double 2.5
            """;

    /** onStatus NetStream.Play.Start on msid 1 as the encoder writes it with setEncoding(AMF3). */
    static final String ON_STATUS_PLAY_START_AMF3_HEX = """
            00
            02 00 08 6F 6E 53 74 61 74 75 73
            00 00 00 00 00 00 00 00 00
            05
            11 0A 0B 01
               0B 6C 65 76 65 6C 06 0D 73 74 61 74 75 73                                   level (5): status (6)
               09 63 6F 64 65                                                              code (4):
                  06 29 4E 65 74 53 74 72 65 61 6D 2E 50 6C 61 79 2E 53 74 61 72 74        (20 << 1 | 1 = 29)
               17 64 65 73 63 72 69 70 74 69 6F 6E                                         description (11):
                  06 21 53 74 61 72 74 65 64 20 70 6C 61 79 69 6E 67 2E                    (16 << 1 | 1 = 21)
               0F 64 65 74 61 69 6C 73 06 0B 6C 69 76 65 31                               details (7): live1 (5)
               01
            """;

    // ---- data messages ---------------------------------------------------------------------------

    /** onMetaData with the ECMA array vector of amf.md §7. */
    static final String ON_METADATA_HEX = """
            02 00 0A 6F 6E 4D 65 74 61 44 61 74 61
            08 00 00 00 01 00 08 64 75 72 61 74 69 6F 6E 00 40 25 00 00 00 00 00 00 00 00 09
            """;

    static final String SAMPLE_ACCESS_HEX = """
            02 00 11 7C 52 74 6D 70 53 61 6D 70 6C 65 41 63 63 65 73 73     "|RtmpSampleAccess" (17)
            01 01 01 01
            """;

    static final String SET_DATA_FRAME_HEX = """
            02 00 0D 40 73 65 74 44 61 74 61 46 72 61 6D 65                 "@setDataFrame" (13)
            02 00 0A 6F 6E 4D 65 74 61 44 61 74 61                          "onMetaData"
            08 00 00 00 02
               00 05 77 69 64 74 68 00 40 84 00 00 00 00 00 00              width: 640.0
               00 06 73 74 65 72 65 6F 01 01                                stereo: true
            00 00 09
            """;

    /** onMetaData as an AMF3 data message (type 15). */
    static final String ON_METADATA_AMF3_HEX = """
            00
            02 00 0A 6F 6E 4D 65 74 61 44 61 74 61
            11 0A 0B 01 11 64 75 72 61 74 69 6F 6E 05 40 25 00 00 00 00 00 00 01     {duration: 10.5}
            """;

    static AmfObject connectObject() {
        return AmfObject.of("app", "live", "tcUrl", "rtmp://h/live", "objectEncoding", 0.0);
    }

    static AmfObject playStartInfo() {
        AmfObject info = NetStreamStatus.PLAY_START.info(null);
        info.put("details", "live1");
        return info;
    }

    /** {@code o} with one more property (added last). */
    static AmfObject with(AmfObject o, String key, Object value) {
        o.put(key, value);
        return o;
    }

    static AmfObject ecma(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return AmfObject.ecmaArray(m);
    }

    static List<Case> cases() {
        return List.of(
                new Case("connect (amf.md)", MessageType.COMMAND_AMF0, CONNECT_HEX,
                        Command.of("connect", 1, connectObject()), Direction.BOTH),
                new Case("_result of connect (amf.md)", MessageType.COMMAND_AMF0, CONNECT_RESULT_HEX,
                        Command.of("_result", 1,
                                AmfObject.of("fmsVer", "FMS/3,5,7,7009", "capabilities", 31.0, "mode", 1.0),
                                with(NetConnectionStatus.CONNECT_SUCCESS.info(null), "objectEncoding", 0.0)),
                        Direction.BOTH),
                new Case("_result of createStream (amf.md)", MessageType.COMMAND_AMF0, CREATE_STREAM_RESULT_HEX,
                        Command.of("_result", 2, null, 1.0), Direction.BOTH),
                new Case("onStatus NetStream.Play.Start", MessageType.COMMAND_AMF0, ON_STATUS_PLAY_START_HEX,
                        Command.of("onStatus", 0, null, playStartInfo()).onStream(1), Direction.BOTH),
                new Case("play, type 17 as Flash Player sends it", MessageType.COMMAND_AMF3, FLASH_PLAY_AMF3_HEX,
                        Command.of("play", 4, null, "live1", -2000, -1000, true).onStream(1), Direction.DECODE_ONLY),
                new Case("play, type 17 as the encoder writes it", MessageType.COMMAND_AMF3, ENCODER_PLAY_AMF3_HEX,
                        Command.of("play", 4, null, "live1", -2000, -1000, true).onStream(1), Direction.BOTH),
                new Case("_result, type 17 with objects and an array", MessageType.COMMAND_AMF3, RESULT_AMF3_HEX,
                        Command.of("_result", 2, AmfObject.of("a", "x", "b", "x"), AmfObject.of("c", "x"), null,
                                List.of(1, 2.5)),
                        Direction.BOTH),
                new Case("onStatus NetStream.Play.Start, type 17", MessageType.COMMAND_AMF3,
                        ON_STATUS_PLAY_START_AMF3_HEX,
                        Command.of("onStatus", 0, null, playStartInfo()).onStream(1), Direction.BOTH),
                new Case("onMetaData (ECMA array)", MessageType.DATA_AMF0, ON_METADATA_HEX,
                        DataMessage.of("onMetaData", 1, 0, ecma("duration", 10.5)), Direction.BOTH),
                new Case("|RtmpSampleAccess", MessageType.DATA_AMF0, SAMPLE_ACCESS_HEX,
                        DataMessage.of("|RtmpSampleAccess", 1, 40, true, true), Direction.BOTH),
                new Case("@setDataFrame", MessageType.DATA_AMF0, SET_DATA_FRAME_HEX,
                        DataMessage.of("@setDataFrame", 1, 0, "onMetaData", ecma("width", 640.0, "stereo", true)),
                        Direction.BOTH),
                new Case("onMetaData, type 15", MessageType.DATA_AMF3, ON_METADATA_AMF3_HEX,
                        DataMessage.of("onMetaData", 1, 0, AmfObject.of("duration", 10.5)), Direction.BOTH));
    }

    static Stream<Case> commandCases() {
        return cases().stream().filter(Case::isCommand);
    }

    static Stream<Case> dataCases() {
        return cases().stream().filter(c -> !c.isCommand());
    }

    static Stream<Case> encodableCases() {
        return cases().stream().filter(Case::encodes);
    }

    // ---- helpers -----------------------------------------------------------------------------------

    /**
     * The bytes of a hex listing: pairs of hex digits, whitespace ignored; on each line, anything after
     * two or more spaces that is not made of hex pairs is a comment.
     */
    static byte[] bytes(String listing) {
        StringBuilder digits = new StringBuilder();
        for (String line : listing.split("\n")) {
            for (String token : line.trim().split("\\s+")) {
                if (token.isEmpty()) {
                    continue;
                }
                if (!token.matches("[0-9A-Fa-f]{2}")) {
                    break; // the rest of the line is a comment
                }
                digits.append(token);
            }
        }
        byte[] out = new byte[digits.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(digits.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }

    /** Lower-case hex without spaces, as {@link io.netty.buffer.ByteBufUtil#hexDump} writes it. */
    static String compact(String listing) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes(listing)) {
            sb.append(String.format("%02x", b & 0xFF));
        }
        return sb.toString();
    }

    /** A pooled (leak-tracked) buffer holding the listing's bytes; the caller releases it. */
    static ByteBuf buffer(String listing) {
        byte[] b = bytes(listing);
        ByteBuf buf = ByteBufAllocator.DEFAULT.buffer(b.length);
        buf.writeBytes(b);
        return buf;
    }

    /** A new message with a pooled body; the caller releases it. */
    static RtmpMessage message(int typeId, long timestamp, int streamId, String listing) {
        return new RtmpMessage(typeId, timestamp, streamId, buffer(listing));
    }

    /**
     * A rendering of a decoded value that, unlike {@code equals}, tells Integer from Double, an ECMA
     * array from an object, and shows class names, so tests can compare the exact value model.
     */
    static String describe(Object v) {
        if (v == null) {
            return "null";
        }
        if (v == AmfUndefined.INSTANCE) {
            return "undefined";
        }
        if (v instanceof Command c) {
            return "Command(" + c.name() + ", tid=" + c.transactionId() + ", obj=" + describe(c.commandObject())
                    + ", args=" + describe(c.arguments()) + ", msid=" + c.streamId() + ", ts=" + c.timestamp() + ")";
        }
        if (v instanceof DataMessage d) {
            return "Data(" + d.name() + ", values=" + describe(d.values()) + ", msid=" + d.streamId()
                    + ", ts=" + d.timestamp() + ")";
        }
        if (v instanceof AmfObject o) {
            StringBuilder sb = new StringBuilder(o.isEcmaArray() ? "Ecma" : "Object");
            if (o.className() != null) {
                sb.append('<').append(o.className()).append('>');
            }
            sb.append('{');
            o.forEach((k, val) -> sb.append(k).append('=').append(describe(val)).append(';'));
            return sb.append('}').toString();
        }
        if (v instanceof Map<?, ?> m) {
            StringBuilder sb = new StringBuilder("Map{");
            m.forEach((k, val) -> sb.append(k).append('=').append(describe(val)).append(';'));
            return sb.append('}').toString();
        }
        if (v instanceof List<?> list) {
            List<String> items = new ArrayList<>();
            list.forEach(item -> items.add(describe(item)));
            return items.toString();
        }
        if (v instanceof Date d) {
            return "Date(" + d.getTime() + ")";
        }
        return v.getClass().getSimpleName() + "(" + v + ")";
    }

    private CommandVectors() {
    }
}
