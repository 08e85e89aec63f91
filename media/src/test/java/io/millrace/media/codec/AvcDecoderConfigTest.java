package io.millrace.media.codec;

import io.millrace.media.MediaFormatException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AvcDecoderConfigTest {
    /** The avcC of apps/vod/media/sample.flv (its AVC sequence header minus the 5-byte video tag header). */
    static final String SAMPLE_AVCC = "014d401effe10018674d401eeca05017fcb808800000030080000019078b16cb01000468efbc80";

    @Test
    void parsesSampleRecord() throws Exception {
        ByteBuf buf = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(SAMPLE_AVCC));
        try {
            AvcDecoderConfig config = AvcDecoderConfig.parse(buf);
            assertThat(buf.readerIndex()).isZero();
            assertThat(config.profile()).isEqualTo(77);
            assertThat(config.compatibility()).isEqualTo(0x40);
            assertThat(config.level()).isEqualTo(30);
            assertThat(config.nalLengthSize()).isEqualTo(4);
            assertThat(config.sps()).hasSize(1);
            assertThat(config.pps()).hasSize(1);
            assertThat(config.pps().get(0)).containsExactly(0x68, 0xef, 0xbc, 0x80);
            assertThat(config.codecString()).isEqualTo("avc1.4D401E");
            AvcSps sps = config.firstSps();
            assertThat(sps.width()).isEqualTo(640);
            assertThat(sps.height()).isEqualTo(360);
        } finally {
            buf.release();
        }
    }

    @Test
    void rejectsBadRecords() {
        byte[] good = ByteBufUtil.decodeHexDump(SAMPLE_AVCC);
        assertThatThrownBy(() -> AvcDecoderConfig.parse(good, 0, 20))
                .isInstanceOf(MediaFormatException.class).hasMessageContaining("SPS #0");
        byte[] badVersion = good.clone();
        badVersion[0] = 2;
        assertThatThrownBy(() -> AvcDecoderConfig.parse(badVersion, 0, badVersion.length))
                .isInstanceOf(MediaFormatException.class).hasMessageContaining("version 2");
        assertThatThrownBy(() -> AvcDecoderConfig.parse(good, 0, 4))
                .isInstanceOf(MediaFormatException.class).hasMessageContaining("too short");
    }
}
