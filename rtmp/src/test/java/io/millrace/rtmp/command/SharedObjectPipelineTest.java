package io.millrace.rtmp.command;

import io.millrace.amf.AmfObject;
import io.millrace.rtmp.RtmpProtocolException;
import io.millrace.rtmp.chunk.ChunkDecoder;
import io.millrace.rtmp.chunk.ChunkEncoder;
import io.millrace.rtmp.chunk.ChunkReader;
import io.millrace.rtmp.chunk.ChunkStreamState;
import io.millrace.rtmp.message.ChunkStreams;
import io.millrace.rtmp.message.MessageType;
import io.millrace.rtmp.message.RtmpMessage;
import io.millrace.rtmp.so.SharedObjectCodec;
import io.millrace.rtmp.so.SharedObjectEvent;
import io.millrace.rtmp.so.SharedObjectMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Shared object messages through {@link CommandDecoder} and {@link CommandEncoder}, alone and over chunks. */
class SharedObjectPipelineTest {

    /** "chat", version 7, temporary; RequestChange("n", 2.0). */
    private static final String CHANGE_HEX = "0004 63686174 00000007 00000000 00000000"
            + " 03 0000000c 0001 6e 00 4000000000000000";

    /** A message with a pooled (leak-tracked) body from compact hex (spaces ignored); the caller releases it. */
    private static RtmpMessage message(int typeId, long timestamp, int streamId, String hex) {
        byte[] b = ByteBufUtil.decodeHexDump(hex.replace(" ", ""));
        return new RtmpMessage(typeId, timestamp, streamId, io.netty.buffer.ByteBufAllocator.DEFAULT.buffer(b.length).writeBytes(b));
    }

    private static SharedObjectMessage sample(boolean amf3) {
        return new SharedObjectMessage("room/1", 3, true, List.of(new SharedObjectEvent.UseSuccess(),
                new SharedObjectEvent.Clear(), new SharedObjectEvent.Change("users", AmfObject.of("alice", true)),
                new SharedObjectEvent.SendMessage("say", Arrays.asList("hi", null, 1.0)),
                new SharedObjectEvent.Status("SharedObject.NoWriteAccess", "error")), amf3);
    }

    private static String codecHex(SharedObjectMessage m) {
        ByteBuf b = Unpooled.buffer();
        try {
            SharedObjectCodec.encode(m, b);
            return ByteBufUtil.hexDump(b);
        } finally {
            b.release();
        }
    }

    @Test
    void type19And16BecomeSharedObjectMessagesOnBothSides() {
        for (CommandDecoder decoder : List.of(new CommandDecoder(), CommandDecoder.wireForm())) {
            EmbeddedChannel ch = new EmbeddedChannel(decoder);
            RtmpMessage amf0 = message(MessageType.SHARED_OBJECT_AMF0, 0, 0, CHANGE_HEX);
            RtmpMessage amf3 = message(MessageType.SHARED_OBJECT_AMF3, 0, 0, "00 " + CHANGE_HEX);
            ch.writeInbound(amf0, amf3);
            assertThat(amf0.refCnt()).as("the decoder ends the message's path").isZero();
            assertThat(amf3.refCnt()).isZero();
            SharedObjectMessage expected = new SharedObjectMessage("chat", 7, false,
                    List.of(new SharedObjectEvent.RequestChange("n", 2.0)), false);
            assertThat((Object) ch.readInbound()).isEqualTo(expected);
            assertThat((Object) ch.readInbound()).isEqualTo(new SharedObjectMessage("chat", 7, false,
                    expected.events(), true));
            assertThat((Object) ch.readInbound()).isNull();
            assertThat(ch.finishAndReleaseAll()).isFalse();
        }
    }

    @Test
    void malformedSharedObjectMessagesAreProtocolErrors() {
        for (String hex : List.of("0004 6368", // name cut short
                "0001 61 00000000 00000000 00000000 0c 00000000", // unknown event type
                "0001 61 00000000 00000000 00000000 06 00000001 00" // SendMessage: AMF number cut short
        )) {
            EmbeddedChannel ch = new EmbeddedChannel(new CommandDecoder());
            RtmpMessage msg = message(MessageType.SHARED_OBJECT_AMF0, 0, 0, hex);
            assertThatThrownBy(() -> ch.writeInbound(msg)).isInstanceOf(DecoderException.class)
                    .hasCauseInstanceOf(RtmpProtocolException.class);
            assertThat(msg.refCnt()).isZero();
            assertThat((Object) ch.readInbound()).isNull();
            assertThat(ch.finishAndReleaseAll()).isFalse();
        }
    }

    @Test
    void theEncoderWritesType19Or16OnStream0() {
        for (boolean amf3 : new boolean[] {false, true}) {
            CommandEncoder encoder = new CommandEncoder();
            EmbeddedChannel ch = new EmbeddedChannel(encoder);
            SharedObjectMessage m = sample(amf3);
            assertThat(ch.writeOutbound(m)).isTrue();
            RtmpMessage out = ch.readOutbound();
            try {
                assertThat(out.typeId()).isEqualTo(amf3 ? MessageType.SHARED_OBJECT_AMF3 : MessageType.SHARED_OBJECT_AMF0);
                assertThat(out.streamId()).isZero();
                assertThat(out.timestamp()).isZero();
                assertThat(out.chunkStreamId()).as("the chunk encoder picks csid 3").isZero();
                assertThat(ChunkStreams.forMessage(out.typeId(), out.streamId())).isEqualTo(ChunkStreams.COMMAND);
                assertThat(ByteBufUtil.hexDump(out.content())).isEqualTo(codecHex(m));
            } finally {
                out.release();
            }
            assertThat((Object) ch.readOutbound()).isNull();
            assertThat(ch.finishAndReleaseAll()).isFalse();
        }
    }

    @Test
    void aValueAmf0CannotWriteFailsTheWriteAndLeaksNothing() {
        EmbeddedChannel ch = new EmbeddedChannel(new CommandEncoder());
        SharedObjectMessage bad = new SharedObjectMessage("x", 0, false,
                List.of(new SharedObjectEvent.Change("p", new Object())), false);
        assertThatThrownBy(() -> ch.writeOutbound(bad)).isInstanceOf(io.netty.handler.codec.EncoderException.class);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    /** Message in at one end, chunk bytes between, message out at the other, in both encodings. */
    @Test
    void roundTripOverChunks() {
        ChunkStreamState senderState = new ChunkStreamState();
        EmbeddedChannel sender = new EmbeddedChannel(new ChunkEncoder(senderState),
                new ChunkDecoder(ChunkReader.DEFAULT_MAX_MESSAGE_SIZE, 64, senderState), new CommandDecoder(),
                new CommandEncoder());
        ChunkStreamState receiverState = new ChunkStreamState();
        EmbeddedChannel receiver = new EmbeddedChannel(new ChunkEncoder(receiverState),
                new ChunkDecoder(ChunkReader.DEFAULT_MAX_MESSAGE_SIZE, 64, receiverState), CommandDecoder.wireForm(),
                new CommandEncoder());
        for (boolean amf3 : new boolean[] {false, true}) {
            SharedObjectMessage m = sample(amf3);
            sender.writeOutbound(m);
            ByteBuf bytes;
            boolean first = true;
            while ((bytes = sender.readOutbound()) != null) {
                if (first) {
                    // Basic header: fmt 0 the first time, then 1 or 2; the low six bits are the chunk stream id.
                    assertThat(bytes.getByte(0) & 0x3F).isEqualTo(ChunkStreams.COMMAND);
                    first = false;
                }
                receiver.writeInbound(bytes);
            }
            assertThat((Object) receiver.readInbound()).isEqualTo(m);
            assertThat((Object) receiver.readInbound()).isNull();
        }
        assertThat(sender.finishAndReleaseAll()).isFalse();
        assertThat(receiver.finishAndReleaseAll()).isFalse();
    }
}
