package io.millrace.media.codec;

import io.millrace.media.MediaFormatException;
import io.netty.buffer.ByteBufUtil;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VideoDimensionsTest {

    private static byte[] bits(String bits) {
        String padded = bits + "0".repeat((8 - bits.length() % 8) % 8);
        byte[] out = new byte[padded.length() / 8];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(padded.substring(i * 8, i * 8 + 8), 2);
        }
        return out;
    }

    @Test
    void sorensonStandardAndCustomSizes() throws Exception {
        String psc = "00000000000000001" + "00000" + "00000000";
        byte[] qvga = bits(psc + "101");
        assertThat(VideoDimensions.sorensonH263(qvga, 0, qvga.length)).isEqualTo(new VideoDimensions(320, 240));
        byte[] custom8 = bits(psc + "000" + "10110000" + "10010000"); // 176 x 144
        assertThat(VideoDimensions.sorensonH263(custom8, 0, custom8.length)).isEqualTo(new VideoDimensions(176, 144));
        byte[] custom16 = bits(psc + "001" + "0000001010000000" + "0000000111100000"); // 640 x 480
        assertThat(VideoDimensions.sorensonH263(custom16, 0, custom16.length)).isEqualTo(new VideoDimensions(640, 480));
    }

    @Test
    void sorensonRejectsBadStartCode() {
        byte[] junk = ByteBufUtil.decodeHexDump("ffffffffff");
        assertThatThrownBy(() -> VideoDimensions.sorensonH263(junk, 0, junk.length))
                .isInstanceOf(MediaFormatException.class).hasMessageContaining("start code");
    }

    @Test
    void screenVideo() throws Exception {
        byte[] b = bits("0011" + "000001100000" + "0011" + "000001000000"); // blocks 64x64, image 96x64
        assertThat(VideoDimensions.screenVideo(b, 0, b.length)).isEqualTo(new VideoDimensions(96, 64));
    }
}
