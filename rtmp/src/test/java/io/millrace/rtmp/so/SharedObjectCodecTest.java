package io.millrace.rtmp.so;

import io.millrace.amf.AmfException;
import io.millrace.rtmp.RtmpProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SharedObjectCodecTest {
    private static SharedObjectMessage decode(String hex, boolean amf3) {
        ByteBuf b = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex.replace(" ", "")));
        try {
            return SharedObjectCodec.decode(b, amf3);
        } finally {
            b.release();
        }
    }

    private static String encode(SharedObjectMessage m) {
        ByteBuf out = Unpooled.buffer();
        try {
            SharedObjectCodec.encode(m, out);
            return ByteBufUtil.hexDump(out);
        } finally {
            out.release();
        }
    }

    @Test
    void aUseOfATemporaryObjectInBytes() {
        // name "chat", version 0, flags 0 (temporary), 4 unused, event 1 (Use) with no data.
        String hex = "0004 63686174 00000000 00000000 00000000 01 00000000";
        SharedObjectMessage m = decode(hex, false);
        assertThat(m).isEqualTo(new SharedObjectMessage("chat", 0, false, List.of(new SharedObjectEvent.Use()), false));
        assertThat(encode(m)).isEqualTo(hex.replace(" ", ""));
    }

    @Test
    void everyEventTypeRoundTripsInBothEncodings() {
        List<SharedObjectEvent> all = List.of(new SharedObjectEvent.Use(), new SharedObjectEvent.Release(),
                new SharedObjectEvent.RequestChange("alice", "online"), new SharedObjectEvent.Change("n", 2.0),
                new SharedObjectEvent.Success("n"), new SharedObjectEvent.SendMessage("say", List.of("hi", 3.0)),
                new SharedObjectEvent.Status("SharedObject.NoWriteAccess", "error"), new SharedObjectEvent.Clear(),
                new SharedObjectEvent.Remove("x"), new SharedObjectEvent.RequestRemove("y"),
                new SharedObjectEvent.UseSuccess(), new SharedObjectEvent.RequestChange("gone", null));
        for (boolean amf3 : new boolean[] {false, true}) {
            SharedObjectMessage m = new SharedObjectMessage("users/room 1", 42, true, all, amf3);
            String hex = encode(m);
            assertThat(hex).startsWith(amf3 ? "00000c" : "000c");
            assertThat(decode(hex, amf3)).isEqualTo(m);
        }
    }

    @Test
    void lengthsFromTheWireAreCheckedBeforeUse() {
        // An event claiming 2^32-1 bytes in a 20-byte message.
        assertThatThrownBy(() -> decode("0001 61 00000000 00000000 00000000 03 ffffffff 00", false))
                .isInstanceOf(RtmpProtocolException.class).hasMessageContaining("4294967295 bytes");
        // A name longer than the message.
        assertThatThrownBy(() -> decode("ffff 61", false)).isInstanceOf(RtmpProtocolException.class)
                .hasMessageContaining("object name");
        // An event whose data is longer than what it holds (a Use with 1 byte).
        assertThatThrownBy(() -> decode("0001 61 00000000 00000000 00000000 01 00000001 00", false))
                .isInstanceOf(RtmpProtocolException.class).hasMessageContaining("past its data");
        assertThatThrownBy(() -> decode("0001 61 00000000 00000000 00000000 0c 00000000", false))
                .isInstanceOf(RtmpProtocolException.class).hasMessageContaining("unknown shared object event type 12");
        assertThatThrownBy(() -> decode("0001 61 00000000 00000000 00000000 06 00000001 00", false))
                .isInstanceOf(AmfException.class);
        assertThatThrownBy(() -> decode("", true)).isInstanceOf(RtmpProtocolException.class);
    }
}
