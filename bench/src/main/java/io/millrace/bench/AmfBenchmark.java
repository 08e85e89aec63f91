package io.millrace.bench;

import io.millrace.amf.Amf0Reader;
import io.millrace.amf.Amf0Writer;
import io.millrace.amf.AmfEncoding;
import io.millrace.amf.AmfObject;
import io.millrace.rtmp.command.AmfMessageCodec;
import io.millrace.rtmp.command.Command;
import io.millrace.rtmp.command.NetStreamStatus;
import io.millrace.rtmp.message.RtmpMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * AMF0 on the command path.
 *
 * <ul>
 *   <li>{@code decodeConnect}: the connect command body of shared/protocol/amf.md §7 (connect(1,
 *       {app:"live", tcUrl:"rtmp://h/live", objectEncoding:0}), 86 bytes) read with
 *       {@link Amf0Reader#readAll()}.</li>
 *   <li>{@code decodeConnectFlashPlayer}: the larger connect body a player sends (11 properties, as
 *       {@code RtmpClient} and Flash Player send them).</li>
 *   <li>{@code encodeOnStatusInfo}: the NetStream.Play.Start info object the server sends
 *       ({level, code, description, details, clientid}) with {@link Amf0Writer} into a pooled heap
 *       buffer.</li>
 *   <li>{@code encodeOnStatusCommand}: the whole onStatus command message as the server's
 *       CommandEncoder produces it ({@link AmfMessageCodec#encode}), released at once.</li>
 * </ul>
 * Inputs are built once; each operation decodes or encodes once and releases what it allocated.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AmfBenchmark {
    /** shared/protocol/amf.md §7, "Command bodies (type 20)", the connect vector. */
    static final String CONNECT_HEX =
            "02 00 07 63 6F 6E 6E 65 63 74  00 3F F0 00 00 00 00 00 00"
            + "03 00 03 61 70 70 02 00 04 6C 69 76 65"
            + "   00 05 74 63 55 72 6C 02 00 0D 72 74 6D 70 3A 2F 2F 68 2F 6C 69 76 65"
            + "   00 0E 6F 62 6A 65 63 74 45 6E 63 6F 64 69 6E 67 00 00 00 00 00 00 00 00 00"
            + "00 00 09";

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private ByteBuf connect;
    private ByteBuf connectFlashPlayer;
    private AmfObject info;
    private Command onStatus;

    @Setup(Level.Trial)
    public void setUp() {
        connect = Unpooled.directBuffer().writeBytes(ByteBufUtil.decodeHexDump(CONNECT_HEX.replace(" ", "")));
        List<Object> values = new Amf0Reader(connect.duplicate()).readAll();
        if (values.size() != 3 || !"connect".equals(values.get(0)) || !(values.get(2) instanceof AmfObject o)
                || !"rtmp://h/live".equals(o.get("tcUrl"))) {
            throw new IllegalStateException("the amf.md connect vector decoded as " + values);
        }

        AmfObject props = AmfObject.of(
                "app", "vod", "flashVer", "WIN 32,0,0,465", "swfUrl", "", "tcUrl", "rtmp://127.0.0.1:1935/vod",
                "fpad", false, "capabilities", 239.0, "audioCodecs", 3575.0, "videoCodecs", 252.0,
                "videoFunction", 1.0, "pageUrl", "", "objectEncoding", 0.0);
        RtmpMessage m = AmfMessageCodec.encode(Command.of("connect", 1, props), AmfEncoding.AMF0, alloc);
        try {
            connectFlashPlayer = Unpooled.directBuffer().writeBytes(m.content());
        } finally {
            m.release();
        }

        info = NetStreamStatus.PLAY_START.info("Started playing sample.");
        info.put("details", "sample");
        info.put("clientid", "kQzR5a2m");
        onStatus = Command.of("onStatus", 0, null, info).onStream(1);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        connect.release();
        connectFlashPlayer.release();
    }

    @Benchmark
    public List<Object> decodeConnect() {
        return new Amf0Reader(connect.duplicate()).readAll();
    }

    @Benchmark
    public List<Object> decodeConnectFlashPlayer() {
        return new Amf0Reader(connectFlashPlayer.duplicate()).readAll();
    }

    @Benchmark
    public int encodeOnStatusInfo() {
        ByteBuf out = alloc.heapBuffer(128);
        try {
            new Amf0Writer(out).write(info);
            return out.writerIndex();
        } finally {
            out.release();
        }
    }

    @Benchmark
    public int encodeOnStatusCommand() {
        RtmpMessage m = AmfMessageCodec.encode(onStatus, AmfEncoding.AMF0, alloc);
        try {
            return m.content().readableBytes();
        } finally {
            m.release();
        }
    }
}
