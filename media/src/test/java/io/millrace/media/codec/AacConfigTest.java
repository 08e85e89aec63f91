package io.millrace.media.codec;

import io.millrace.media.MediaFormatException;
import io.netty.buffer.ByteBufUtil;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AacConfigTest {

    private static AacConfig parse(String hex) throws MediaFormatException {
        byte[] b = ByteBufUtil.decodeHexDump(hex);
        return AacConfig.parse(b, 0, b.length);
    }

    @Test
    void lowComplexityConfigs() throws Exception {
        AacConfig stereo441 = parse("1210");
        assertThat(stereo441.objectType()).isEqualTo(2);
        assertThat(stereo441.sampleRate()).isEqualTo(44100);
        assertThat(stereo441.channels()).isEqualTo(2);
        assertThat(stereo441.codecString()).isEqualTo("mp4a.40.2");

        assertThat(parse("1190").sampleRate()).isEqualTo(48000);
        assertThat(parse("1190").channels()).isEqualTo(2);
        assertThat(parse("1208").channels()).isEqualTo(1);
        // the sample.flv config carries GASpecificConfig extension bits after the channel config
        assertThat(parse("121056e500").outputSampleRate()).isEqualTo(44100);
    }

    @Test
    void explicitHeAacReportsSbrRate() throws Exception {
        // aot 5, core 24000 (index 6), 2 channels, extension 48000 (index 3), underlying aot 2
        AacConfig he = parse("2b118800");
        assertThat(he.signalledObjectType()).isEqualTo(5);
        assertThat(he.objectType()).isEqualTo(2);
        assertThat(he.sampleRate()).isEqualTo(24000);
        assertThat(he.outputSampleRate()).isEqualTo(48000);
        assertThat(he.channels()).isEqualTo(2);
        // a config cut off after the channel configuration: SBR doubles the core rate
        assertThat(parse("2b90").outputSampleRate()).isEqualTo(44100);
    }

    @Test
    void explicitRateAndEscapedObjectType() throws Exception {
        AacConfig explicit = parse("1780562210"); // aot 2, index 15, rate 44100 in 24 bits, 2 channels
        assertThat(explicit.sampleRate()).isEqualTo(44100);
        assertThat(explicit.channels()).isEqualTo(2);
        AacConfig escaped = parse("f94820"); // aot 31 + 6 bits (10) = 42, 44100, mono
        assertThat(escaped.objectType()).isEqualTo(42);
        assertThat(escaped.sampleRate()).isEqualTo(44100);
        assertThat(escaped.channels()).isEqualTo(1);
    }

    @Test
    void rejectsReservedIndexAndShortInput() {
        assertThatThrownBy(() -> parse("16")).isInstanceOf(MediaFormatException.class);
        assertThatThrownBy(() -> parse("1690")).hasMessageContaining("reserved sampling frequency index 13");
    }
}
