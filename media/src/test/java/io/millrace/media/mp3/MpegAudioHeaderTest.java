package io.millrace.media.mp3;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class MpegAudioHeaderTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // header,  version, layer, kbit/s, Hz, channels, length, samples
        "FFFB9064, 3, 3, 128, 44100, 2, 417, 1152",
        "FFFB9264, 3, 3, 128, 44100, 2, 418, 1152",   // padding
        "FFFBE4C4, 3, 3, 320, 48000, 1, 960, 1152",   // mono
        "FFFAB000, 3, 3, 192, 44100, 2, 626, 1152",   // CRC present
        "FFF3A8C4, 2, 3, 96, 16000, 1, 432, 576",     // MPEG-2 16 kHz
        "FFF36040, 2, 3, 48, 22050, 2, 156, 576",     // MPEG-2 22.05 kHz joint stereo
        "FFE328C0, 0, 3, 16, 8000, 1, 144, 576",      // MPEG-2.5 8 kHz
        "FFE31040, 0, 3, 8, 11025, 2, 52, 576",       // MPEG-2.5 11.025 kHz
        "FFFDA404, 3, 2, 192, 48000, 2, 576, 1152",   // Layer II
        "FFFF4000, 3, 1, 128, 44100, 2, 136, 384",    // Layer I: (12 * 128000 / 44100) * 4
        "FFFF4200, 3, 1, 128, 44100, 2, 140, 384",    // Layer I padding is one 4-byte slot
    })
    void decodes(String hex, int version, int layer, int kbps, int rate, int channels, int length, int samples) {
        int word = (int) Long.parseLong(hex, 16);
        MpegAudioHeader h = MpegAudioHeader.parse(word);
        assertThat(h).isNotNull();
        assertThat(h.version()).isEqualTo(version);
        assertThat(h.layer()).isEqualTo(layer);
        assertThat(h.bitrate()).isEqualTo(kbps * 1000);
        assertThat(h.sampleRate()).isEqualTo(rate);
        assertThat(h.channels()).isEqualTo(channels);
        assertThat(h.frameLength()).isEqualTo(length).isEqualTo(MpegAudioHeader.frameLength(word));
        assertThat(h.samplesPerFrame()).isEqualTo(samples);
        assertThat(h.word()).isEqualTo(word);
        assertThat(h.toString()).contains("Layer");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "00000000",  // no sync
        "FFDB9064",  // 10 sync bits only
        "FFEB9064",  // reserved version 01
        "FFF99064",  // reserved layer 00
        "FFFB0064",  // free format
        "FFFBF064",  // bad bitrate index 15
        "FFFB9C64",  // reserved sample rate 3
        "FFFB9066",  // reserved emphasis 10
    })
    void rejects(String hex) {
        int word = (int) Long.parseLong(hex, 16);
        assertThat(MpegAudioHeader.frameLength(word)).isEqualTo(-1);
        assertThat(MpegAudioHeader.parse(word)).isNull();
    }

    @Test
    void details() {
        MpegAudioHeader h = MpegAudioHeader.parse(new byte[] {(byte) 0xFF, (byte) 0xFA, (byte) 0xB2, 0x44}, 0);
        assertThat(h.hasCrc()).isTrue();
        assertThat(h.padding()).isTrue();
        assertThat(h.channelMode()).isEqualTo(MpegAudioHeader.MODE_JOINT_STEREO);
        assertThat(h.sideInfoSize()).isEqualTo(32);
        assertThat(h.versionName()).isEqualTo("MPEG-1");
        assertThat(MpegAudioHeader.parse(new byte[] {(byte) 0xFF, (byte) 0xFB, (byte) 0x90}, 0)).isNull();
        assertThat(MpegAudioHeader.parse(0xFFF360C0).sideInfoSize()).isEqualTo(9);
        assertThat(MpegAudioHeader.parse(0xFFF360C0).versionName()).isEqualTo("MPEG-2");
        assertThat(MpegAudioHeader.parse(0xFFE328C0).versionName()).isEqualTo("MPEG-2.5");
    }

    @Test
    void sameStreamIgnoresBitrateCrcPaddingAndMode() {
        assertThat(MpegAudioHeader.sameStream(0xFFFB9064, 0xFFFAE2C4)).isTrue();
        assertThat(MpegAudioHeader.sameStream(0xFFFB9064, 0xFFFB9464)).isFalse(); // 48 kHz
        assertThat(MpegAudioHeader.sameStream(0xFFFB9064, 0xFFF39064)).isFalse(); // MPEG-2
        assertThat(MpegAudioHeader.sameStream(0xFFFB9064, 0xFFFD9064)).isFalse(); // Layer II
    }

    @Test
    void flvSoundByte() {
        assertThat(Mp3Index.flvSoundByte(44100, 2)).isEqualTo(0x2F);
        assertThat(Mp3Index.flvSoundByte(48000, 1)).isEqualTo(0x2E);
        assertThat(Mp3Index.flvSoundByte(32000, 2)).isEqualTo(0x2F);
        assertThat(Mp3Index.flvSoundByte(22050, 2)).isEqualTo(0x2B);
        assertThat(Mp3Index.flvSoundByte(24000, 1)).isEqualTo(0x2A);
        assertThat(Mp3Index.flvSoundByte(16000, 1)).isEqualTo(0x2A);
        assertThat(Mp3Index.flvSoundByte(11025, 2)).isEqualTo(0x27);
        assertThat(Mp3Index.flvSoundByte(12000, 1)).isEqualTo(0x26);
        assertThat(Mp3Index.flvSoundByte(8000, 1)).isEqualTo(0xE2);
        assertThat(Mp3Index.flvSoundByte(8000, 2)).isEqualTo(0xE3);
    }
}
