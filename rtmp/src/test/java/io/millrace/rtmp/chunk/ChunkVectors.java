package io.millrace.rtmp.chunk;

import io.millrace.rtmp.control.Abort;
import io.millrace.rtmp.control.Acknowledgement;
import io.millrace.rtmp.control.BufferEmpty;
import io.millrace.rtmp.control.BufferReady;
import io.millrace.rtmp.control.ControlMessage;
import io.millrace.rtmp.control.LimitType;
import io.millrace.rtmp.control.PingRequest;
import io.millrace.rtmp.control.PingResponse;
import io.millrace.rtmp.control.SetBufferLength;
import io.millrace.rtmp.control.SetChunkSize;
import io.millrace.rtmp.control.SetPeerBandwidth;
import io.millrace.rtmp.control.StreamBegin;
import io.millrace.rtmp.control.StreamDry;
import io.millrace.rtmp.control.StreamEof;
import io.millrace.rtmp.control.StreamIsRecorded;
import io.millrace.rtmp.control.SwfVerifyRequest;
import io.millrace.rtmp.control.SwfVerifyResponse;
import io.millrace.rtmp.control.UnknownUserControl;
import io.millrace.rtmp.control.WindowAckSize;
import io.millrace.rtmp.message.RtmpMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one table of chunk stream test vectors: wire bytes and the messages they carry, used by the
 * reader, writer, decoder, encoder and control message tests.
 *
 * <p>Wire bytes are written by hand (from chunking.md where it has the example, else computed by hand),
 * never produced by the code under test. Notation: two hex digits per byte; {@code |} marks the end of a
 * chunk; {@code pN} is the whole payload of message N, {@code pN[a:b]} its bytes a (inclusive) to b
 * (exclusive). Payloads not given explicitly are filled with a pattern.
 */
public final class ChunkVectors {

    /** Whether the writer must produce exactly these bytes, or they are only a valid input. */
    public enum Direction { BOTH, DECODE_ONLY }

    /** One expected message. */
    public record Msg(int typeId, long timestamp, int streamId, int csid, byte[] payload) {
        /** A new message with an unpooled copy of the payload; the caller releases it. */
        public RtmpMessage toRtmpMessage() {
            return new RtmpMessage(typeId, timestamp, streamId, csid, Unpooled.wrappedBuffer(payload.clone()));
        }

        /** A new message with the payload in a pooled direct buffer (as media read from a file has it); the caller releases it. */
        public RtmpMessage toDirectRtmpMessage() {
            ByteBuf direct = PooledByteBufAllocator.DEFAULT.directBuffer(payload.length).writeBytes(payload);
            return new RtmpMessage(typeId, timestamp, streamId, csid, direct);
        }

        /** Checks {@code actual} against this (does not release it). */
        public boolean matches(RtmpMessage actual) {
            return actual.typeId() == typeId && actual.timestamp() == timestamp && actual.streamId() == streamId
                    && actual.chunkStreamId() == csid && Arrays.equals(ByteBufUtil.getBytes(actual.content()), payload);
        }

        @Override
        public String toString() {
            return "Msg{type=" + typeId + ", ts=" + timestamp + ", msid=" + streamId + ", csid=" + csid
                    + ", len=" + payload.length + "}";
        }
    }

    /**
     * @param chunkSize the sender's chunk size the bytes were written with
     * @param control the typed form of the (single) message, for control message vectors
     * @param chunkEnds offsets where chunks end (always includes the end of the bytes)
     */
    public record Vector(String name, int chunkSize, Direction direction, List<Msg> messages,
                         ControlMessage control, byte[] bytes, int[] chunkEnds) {
        @Override
        public String toString() {
            return name;
        }
    }

    private ChunkVectors() {
    }

    /** Fills a payload with a pattern that never repeats a byte at neighbouring offsets. */
    public static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed * 37 + i * 3 + 0x11);
        }
        return b;
    }

    public static byte[] hex(String hex) {
        String s = hex.replaceAll("[\\s|]", "");
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    private static final class Builder {
        final String name;
        int chunkSize = 128;
        Direction direction = Direction.BOTH;
        final List<Msg> messages = new ArrayList<>();
        ControlMessage control;

        Builder(String name) {
            this.name = name;
        }

        Builder chunkSize(int size) {
            chunkSize = size;
            return this;
        }

        Builder decodeOnly() {
            direction = Direction.DECODE_ONLY;
            return this;
        }

        /** A message with a pattern-filled payload of {@code length} bytes. */
        Builder msg(int type, long ts, int msid, int csid, int length) {
            messages.add(new Msg(type, ts, msid, csid, pattern(length, messages.size() + 1)));
            return this;
        }

        /** A message with the given payload bytes. */
        Builder msg(int type, long ts, int msid, int csid, String payloadHex) {
            messages.add(new Msg(type, ts, msid, csid, hex(payloadHex)));
            return this;
        }

        /** A control message on csid 2, msid 0, ts 0 with the given payload and typed form. */
        Builder control(ControlMessage c, int type, String payloadHex) {
            control = c;
            return msg(type, 0, 0, 2, payloadHex);
        }

        private static final Pattern PAYLOAD = Pattern.compile("p(\\d+)(?:\\[(\\d+):(\\d*)])?");

        Vector wire(String wire) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            List<Integer> ends = new ArrayList<>();
            for (String token : wire.trim().split("\\s+")) {
                if (token.equals("|")) {
                    ends.add(out.size());
                    continue;
                }
                Matcher m = PAYLOAD.matcher(token);
                if (m.matches()) {
                    byte[] p = messages.get(Integer.parseInt(m.group(1))).payload();
                    int from = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
                    int to = m.group(3) == null || m.group(3).isEmpty() ? p.length : Integer.parseInt(m.group(3));
                    out.write(p, from, to - from);
                } else if (token.matches("[0-9A-Fa-f]{2}")) {
                    out.write(Integer.parseInt(token, 16));
                } else {
                    throw new IllegalArgumentException(name + ": bad token " + token);
                }
            }
            if (ends.isEmpty() || ends.get(ends.size() - 1) != out.size()) {
                ends.add(out.size());
            }
            return new Vector(name, chunkSize, direction, List.copyOf(messages), control, out.toByteArray(),
                    ends.stream().mapToInt(Integer::intValue).toArray());
        }
    }

    private static Builder v(String name) {
        return new Builder(name);
    }

    private static final int AUDIO = 8;
    private static final int VIDEO = 9;
    private static final int COMMAND = 20;

    /** Every vector. */
    public static List<Vector> all() {
        List<Vector> all = new ArrayList<>();
        all.addAll(chunkVectors());
        all.addAll(controlVectors());
        return all;
    }

    /** The vectors the writer must reproduce byte for byte. */
    public static List<Vector> encodable() {
        return all().stream().filter(v -> v.direction() == Direction.BOTH).toList();
    }

    /** Header, basic header, splitting and timestamp vectors (no control messages). */
    public static List<Vector> chunkVectors() {
        List<Vector> list = new ArrayList<>();

        // chunking.md §3 worked examples, in sequence on csid 3.
        list.add(v("§3 fmt 0, fmt 2 delta 20, fmt 1 len 40, fmt 3 identical")
                .msg(AUDIO, 1000, 12345, 3, 32)
                .msg(AUDIO, 1020, 12345, 3, 32)
                .msg(AUDIO, 1040, 12345, 3, 40)
                .msg(AUDIO, 1060, 12345, 3, 40)
                .wire("03 00 03 E8 00 00 20 08 39 30 00 00 p0 |"
                        + " 83 00 00 14 p1 |"
                        + " 43 00 00 14 00 00 28 08 p2 |"
                        + " C3 p3"));
        list.add(v("§3 video 307 bytes at chunk size 128 on csid 4")
                .msg(VIDEO, 0, 1, 4, 307)
                .wire("04 00 00 00 00 01 33 09 01 00 00 00 p0[0:128] | C4 p0[128:256] | C4 p0[256:307]"));

        // chunking.md §4: extended timestamp, with and without the field on continuation chunks.
        list.add(v("§4 extended timestamp 0x01000000, field on fmt-3 chunks")
                .msg(VIDEO, 0x01000000L, 1, 4, 300)
                .wire("04 FF FF FF 00 01 2C 09 01 00 00 00 01 00 00 00 p0[0:128] |"
                        + " C4 01 00 00 00 p0[128:256] |"
                        + " C4 01 00 00 00 p0[256:300]"));
        list.add(v("§4 extended timestamp 0x01000000, field omitted on continuation chunks (old encoders)")
                .decodeOnly()
                .msg(VIDEO, 0x01000000L, 1, 4, 300)
                .wire("04 FF FF FF 00 01 2C 09 01 00 00 00 01 00 00 00 p0[0:128] |"
                        + " C4 p0[128:256] |"
                        + " C4 p0[256:300]"));
        list.add(v("extended delta on fmt 2, then a fmt-3 new message carrying the field")
                .msg(VIDEO, 0, 1, 7, 10)
                .msg(VIDEO, 0x01000000L, 1, 7, 10)
                .msg(VIDEO, 0x02000000L, 1, 7, 10)
                .wire("07 00 00 00 00 00 0A 09 01 00 00 00 p0 |"
                        + " 87 FF FF FF 01 00 00 00 p1 |"
                        + " C7 01 00 00 00 p2"));
        list.add(v("delta of exactly 0xFFFFFF on fmt 1 is extended, 0xFFFFFE on fmt 0 is not")
                .msg(VIDEO, 0xFFFFFEL, 1, 7, 10)
                .msg(VIDEO, 0x1FFFFFDL, 1, 7, 20)
                .wire("07 FF FF FE 00 00 0A 09 01 00 00 00 p0 |"
                        + " 47 FF FF FF 00 00 14 09 00 FF FF FF p1"));
        list.add(v("extended fmt 1 delta, split message carries the field on the continuation")
                .msg(AUDIO, 5, 1, 6, 10)
                .msg(AUDIO, 0x0200_0005L, 1, 6, 130)
                .wire("06 00 00 05 00 00 0A 08 01 00 00 00 p0 |"
                        + " 46 FF FF FF 00 00 82 08 02 00 00 00 p1[0:128] |"
                        + " C6 02 00 00 00 p1[128:130]"));

        // chunking.md §2 basic header forms: a fmt-0 message, then an identical one as fmt 3.
        String[][] forms = {
            {"2", "02", "C2"}, {"63", "3F", "FF"}, {"64", "00 00", "C0 00"}, {"319", "00 FF", "C0 FF"},
            {"320", "01 00 01", "C1 00 01"}, {"365", "01 2D 01", "C1 2D 01"}, {"65599", "01 FF FF", "C1 FF FF"},
        };
        for (String[] f : forms) {
            int csid = Integer.parseInt(f[0]);
            list.add(v("§2 basic header csid " + csid)
                    .msg(COMMAND, 0, 0, csid, 4)
                    .msg(COMMAND, 0, 0, csid, 4)
                    .wire(f[1] + " 00 00 00 00 00 04 14 00 00 00 00 p0 | " + f[2] + " p1"));
        }
        list.add(v("§2 3-byte basic header for csid 64").decodeOnly()
                .msg(COMMAND, 0, 0, 64, 4)
                .msg(COMMAND, 0, 0, 64, 4)
                .wire("01 00 00 00 00 00 00 00 04 14 00 00 00 00 p0 | C1 00 00 p1"));
        list.add(v("§2 3-byte basic header for csid 319").decodeOnly()
                .msg(COMMAND, 0, 0, 319, 4)
                .msg(COMMAND, 0, 0, 319, 4)
                .wire("01 FF 00 00 00 00 00 00 04 14 00 00 00 00 p0 | C1 FF 00 p1"));
        list.add(v("§2 csid 100: 2-byte form then 3-byte form on the same chunk stream").decodeOnly()
                .msg(COMMAND, 0, 0, 100, 200)
                .wire("00 24 00 00 00 00 00 C8 14 00 00 00 00 p0[0:128] | C1 24 00 p0[128:200]"));

        // Splitting.
        list.add(v("messages of exactly one and two chunks at 128")
                .msg(VIDEO, 0, 1, 4, 128)
                .msg(VIDEO, 0, 1, 4, 256)
                .msg(VIDEO, 0, 1, 4, 256)
                .wire("04 00 00 00 00 00 80 09 01 00 00 00 p0 |"
                        + " 44 00 00 00 00 01 00 09 p1[0:128] | C4 p1[128:256] |"
                        + " C4 p2[0:128] | C4 p2[128:256]"));
        list.add(v("10000 bytes at chunk size 4096").chunkSize(4096)
                .msg(VIDEO, 40, 1, 7, 10000)
                .wire("07 00 00 28 00 27 10 09 01 00 00 00 p0[0:4096] | C7 p0[4096:8192] | C7 p0[8192:10000]"));
        list.add(v("65536 bytes at chunk size 65536, twice").chunkSize(65536)
                .msg(AUDIO, 0, 1, 6, 65536)
                .msg(AUDIO, 0, 1, 6, 65536)
                .wire("06 00 00 00 01 00 00 08 01 00 00 00 p0 | C6 p1"));
        list.add(v("70000 bytes in one chunk at chunk size 0x7FFFFFFF").chunkSize(0x7FFFFFFF)
                .msg(AUDIO, 0, 1, 6, 70000)
                .wire("06 00 00 00 01 11 70 08 01 00 00 00 p0"));
        list.add(v("one-byte chunks").chunkSize(1)
                .msg(COMMAND, 0, 0, 3, 3)
                .wire("03 00 00 00 00 00 03 14 00 00 00 00 p0[0:1] | C3 p0[1:2] | C3 p0[2:3]"));
        list.add(v("zero-length messages")
                .msg(COMMAND, 0, 0, 3, 0)
                .msg(COMMAND, 0, 0, 3, 0)
                .wire("03 00 00 00 00 00 00 14 00 00 00 00 | C3"));

        // Interleaving (the writer never interleaves, so decode only).
        list.add(v("interleaved audio and video chunks").decodeOnly()
                .msg(AUDIO, 100, 1, 6, 200)
                .msg(VIDEO, 100, 1, 7, 300)
                .wire("06 00 00 64 00 00 C8 08 01 00 00 00 p0[0:128] |"
                        + " 07 00 00 64 00 01 2C 09 01 00 00 00 p1[0:128] |"
                        + " C6 p0[128:200] |"
                        + " C7 p1[128:256] |"
                        + " C7 p1[256:300]"));
        list.add(v("a whole message on csid 3 between chunks of csid 4").decodeOnly()
                .msg(COMMAND, 0, 0, 3, 20)
                .msg(VIDEO, 0, 1, 4, 200)
                .wire("04 00 00 00 00 00 C8 09 01 00 00 00 p1[0:128] |"
                        + " 03 00 00 00 00 00 14 14 00 00 00 00 p0 |"
                        + " C4 p1[128:200]"));

        // fmt 3 starting a new message.
        list.add(v("fmt 3 new messages reuse the fmt-2 delta")
                .msg(AUDIO, 1000, 1, 6, 10)
                .msg(AUDIO, 1033, 1, 6, 10)
                .msg(AUDIO, 1066, 1, 6, 10)
                .msg(AUDIO, 1099, 1, 6, 10)
                .wire("06 00 03 E8 00 00 0A 08 01 00 00 00 p0 | 86 00 00 21 p1 | C6 p2 | C6 p3"));
        list.add(v("fmt 3 right after fmt 0 adds the fmt-0 timestamp (RTMP 2012)")
                .msg(AUDIO, 1000, 1, 6, 10)
                .msg(AUDIO, 2000, 1, 6, 10)
                .wire("06 00 03 E8 00 00 0A 08 01 00 00 00 p0 | C6 p1"));
        list.add(v("fmt 3 new message after a split message reuses its delta")
                .msg(VIDEO, 0, 1, 4, 10)
                .msg(VIDEO, 40, 1, 4, 200)
                .msg(VIDEO, 80, 1, 4, 200)
                .wire("04 00 00 00 00 00 0A 09 01 00 00 00 p0 |"
                        + " 44 00 00 28 00 00 C8 09 p1[0:128] | C4 p1[128:200] |"
                        + " C4 p2[0:128] | C4 p2[128:200]"));

        // Timestamps.
        list.add(v("timestamp wraps past 2^32")
                .msg(AUDIO, 0xFFFFFFF0L, 1, 6, 10)
                .msg(AUDIO, 0x10, 1, 6, 10)
                .msg(AUDIO, 0x30, 1, 6, 10)
                .wire("06 FF FF FF 00 00 0A 08 01 00 00 00 FF FF FF F0 p0 |"
                        + " 86 00 00 20 p1 |"
                        + " C6 p2"));
        list.add(v("timestamp going backwards uses fmt 0")
                .msg(AUDIO, 1000, 1, 6, 10)
                .msg(AUDIO, 500, 1, 6, 10)
                .wire("06 00 03 E8 00 00 0A 08 01 00 00 00 p0 | 06 00 01 F4 00 00 0A 08 01 00 00 00 p1"));
        list.add(v("new message stream id uses fmt 0")
                .msg(AUDIO, 1000, 1, 6, 10)
                .msg(AUDIO, 1000, 0x01020304, 6, 10)
                .wire("06 00 03 E8 00 00 0A 08 01 00 00 00 p0 | 06 00 03 E8 00 00 0A 08 04 03 02 01 p1"));
        list.add(v("same timestamp, new type and length: fmt 1 with delta 0")
                .msg(COMMAND, 0, 1, 5, 10)
                .msg(18, 0, 1, 5, 12)
                .wire("05 00 00 00 00 00 0A 14 01 00 00 00 p0 | 45 00 00 00 00 00 0C 12 p1"));

        // Lenient reading.
        list.add(v("fmt 1 on a fresh chunk stream (librtmp) gets msid 0").decodeOnly()
                .msg(COMMAND, 100, 0, 3, 4)
                .wire("43 00 00 64 00 00 04 14 p0"));
        return list;
    }

    /** chunking.md §6 and §7 examples, plus computed ones for the events the note has no example for. */
    public static List<Vector> controlVectors() {
        List<Vector> list = new ArrayList<>();
        // §6, verbatim.
        list.add(v("§6 Set Chunk Size 4096").control(new SetChunkSize(4096), 1, "00 00 10 00")
                .wire("02 00 00 00 00 00 04 01 00 00 00 00 00 00 10 00"));
        list.add(v("§6 Abort csid 4").control(new Abort(4), 2, "00 00 00 04")
                .wire("02 00 00 00 00 00 04 02 00 00 00 00 00 00 00 04"));
        list.add(v("§6 Acknowledgement 4096").control(new Acknowledgement(4096), 3, "00 00 10 00")
                .wire("02 00 00 00 00 00 04 03 00 00 00 00 00 00 10 00"));
        list.add(v("§6 Window Ack Size 2500000").control(new WindowAckSize(2_500_000), 5, "00 26 25 A0")
                .wire("02 00 00 00 00 00 04 05 00 00 00 00 00 26 25 A0"));
        list.add(v("§6 Set Peer Bandwidth 2500000 dynamic")
                .control(new SetPeerBandwidth(2_500_000, LimitType.DYNAMIC), 6, "00 26 25 A0 02")
                .wire("02 00 00 00 00 00 05 06 00 00 00 00 00 26 25 A0 02"));
        // §7, verbatim.
        list.add(v("§7 StreamBegin msid 1").control(new StreamBegin(1), 4, "00 00 00 00 00 01")
                .wire("02 00 00 00 00 00 06 04 00 00 00 00 00 00 00 00 00 01"));
        list.add(v("§7 StreamIsRecorded msid 1").control(new StreamIsRecorded(1), 4, "00 04 00 00 00 01")
                .wire("02 00 00 00 00 00 06 04 00 00 00 00 00 04 00 00 00 01"));
        list.add(v("§7 SetBufferLength msid 1 3000 ms")
                .control(new SetBufferLength(1, 3000), 4, "00 03 00 00 00 01 00 00 0B B8")
                .wire("02 00 00 00 00 00 0A 04 00 00 00 00 00 03 00 00 00 01 00 00 0B B8"));
        list.add(v("§7 PingRequest 12345678").control(new PingRequest(12_345_678), 4, "00 06 00 BC 61 4E")
                .wire("02 00 00 00 00 00 06 04 00 00 00 00 00 06 00 BC 61 4E"));
        list.add(v("§7 PingResponse 12345678").control(new PingResponse(12_345_678), 4, "00 07 00 BC 61 4E")
                .wire("02 00 00 00 00 00 06 04 00 00 00 00 00 07 00 BC 61 4E"));
        list.add(v("§7 SWFVerification request type 1").control(new SwfVerifyRequest(), 4, "00 1A 01")
                .wire("02 00 00 00 00 00 03 04 00 00 00 00 00 1A 01"));
        // Computed by hand.
        list.add(v("Set Chunk Size 0x7FFFFFFF").control(new SetChunkSize(0x7FFFFFFF), 1, "7F FF FF FF")
                .wire("02 00 00 00 00 00 04 01 00 00 00 00 7F FF FF FF"));
        list.add(v("Set Peer Bandwidth 5000000 hard")
                .control(new SetPeerBandwidth(5_000_000, LimitType.HARD), 6, "00 4C 4B 40 00")
                .wire("02 00 00 00 00 00 05 06 00 00 00 00 00 4C 4B 40 00"));
        list.add(v("Acknowledgement 0xFFFFFFFF").control(new Acknowledgement(0xFFFFFFFFL), 3, "FF FF FF FF")
                .wire("02 00 00 00 00 00 04 03 00 00 00 00 FF FF FF FF"));
        list.add(v("StreamEOF msid 1").control(new StreamEof(1), 4, "00 01 00 00 00 01")
                .wire("02 00 00 00 00 00 06 04 00 00 00 00 00 01 00 00 00 01"));
        list.add(v("StreamDry msid 1").control(new StreamDry(1), 4, "00 02 00 00 00 01")
                .wire("02 00 00 00 00 00 06 04 00 00 00 00 00 02 00 00 00 01"));
        list.add(v("BufferEmpty msid 1").control(new BufferEmpty(1), 4, "00 1F 00 00 00 01")
                .wire("02 00 00 00 00 00 06 04 00 00 00 00 00 1F 00 00 00 01"));
        list.add(v("BufferReady msid 1").control(new BufferReady(1), 4, "00 20 00 00 00 01")
                .wire("02 00 00 00 00 00 06 04 00 00 00 00 00 20 00 00 00 01"));
        String swf = "01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 10 11 12 13 14 15 16 17 18 19 1A 1B 1C 1D 1E"
                + " 1F 20 21 22 23 24 25 26 27 28 29 2A";
        list.add(v("SWFVerification response").control(new SwfVerifyResponse(hex(swf)), 4, "00 1B " + swf)
                .wire("02 00 00 00 00 00 2C 04 00 00 00 00 00 1B " + swf));
        list.add(v("undefined user control event 5")
                .control(new UnknownUserControl(5, hex("DE AD BE EF")), 4, "00 05 DE AD BE EF")
                .wire("02 00 00 00 00 00 06 04 00 00 00 00 00 05 DE AD BE EF"));
        return list;
    }
}
