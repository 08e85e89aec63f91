package io.millrace.media.codec;

import io.millrace.media.MediaFormatException;
import io.netty.buffer.ByteBufUtil;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * SPS vectors produced with libx264 through ffmpeg; expected values are what ffprobe reports for the
 * same streams (width, height, profile, pix_fmt, field_order, sample_aspect_ratio, r_frame_rate), e.g.
 * {@code ffmpeg -f lavfi -i testsrc2=size=1920x1080:rate=30 -frames:v 1 -c:v libx264 -profile:v high hd.h264}.
 */
class AvcSpsTest {

    private static AvcSps parse(String hex) throws MediaFormatException {
        return AvcSps.parse(ByteBufUtil.decodeHexDump(hex));
    }

    @Test
    void sampleFlvMainProfile640x360IsCroppedFrom368Lines() throws Exception {
        // The SPS in apps/vod/media/sample.flv's AVC sequence header (contains an emulation prevention byte).
        AvcSps sps = parse("674d401eeca05017fcb808800000030080000019078b16cb");
        assertThat(sps.profileIdc()).isEqualTo(77);
        assertThat(sps.levelIdc()).isEqualTo(30);
        assertThat(sps.chromaFormatIdc()).isEqualTo(1);
        assertThat(sps.codedWidth()).isEqualTo(640);
        assertThat(sps.codedHeight()).isEqualTo(368);
        assertThat(sps.width()).isEqualTo(640);
        assertThat(sps.height()).isEqualTo(360);
        assertThat(sps.frameMbsOnly()).isTrue();
        assertThat(sps.frameRate()).isCloseTo(25.0, within(1e-9));
    }

    @Test
    void highProfile1920x1080IsCroppedFrom1088() throws Exception {
        AvcSps sps = parse("67640028acd940780227e5c044000003000400000300f03c60c658");
        assertThat(sps.profileIdc()).isEqualTo(100);
        assertThat(sps.levelIdc()).isEqualTo(40);
        assertThat(sps.bitDepthLuma()).isEqualTo(8);
        assertThat(sps.codedHeight()).isEqualTo(1088);
        assertThat(sps.width()).isEqualTo(1920);
        assertThat(sps.height()).isEqualTo(1080);
        assertThat(sps.frameRate()).isCloseTo(30.0, within(1e-9));
        assertThat(sps.sarWidth()).isEqualTo(1);
        assertThat(sps.sarHeight()).isEqualTo(1);
    }

    @Test
    void high444TenBitWithScalingMatricesAndOddSize() throws Exception {
        // -profile:v high444 -pix_fmt yuv444p10le -x264opts cqm=jvt, 1918x1078 @ 30000/1001
        AvcSps sps = parse("67f4002890d9b280f0044f717808800001f480007530078c18cb");
        assertThat(sps.profileIdc()).isEqualTo(244);
        assertThat(sps.chromaFormatIdc()).isEqualTo(3);
        assertThat(sps.bitDepthLuma()).isEqualTo(10);
        assertThat(sps.bitDepthChroma()).isEqualTo(10);
        assertThat(sps.width()).isEqualTo(1918);
        assertThat(sps.height()).isEqualTo(1078);
        assertThat(sps.frameRate()).isCloseTo(30000 / 1001.0, within(1e-6));
    }

    @Test
    void interlaced1080UsesFieldCropUnits() throws Exception {
        // -flags +ildct+ilme -x264opts tff=1: frame_mbs_only_flag 0, 34 map units of 32 lines
        AvcSps sps = parse("67640028acd94078044fde0220000003002000000643e2c5b2c0");
        assertThat(sps.frameMbsOnly()).isFalse();
        assertThat(sps.codedHeight()).isEqualTo(1088);
        assertThat(sps.width()).isEqualTo(1920);
        assertThat(sps.height()).isEqualTo(1080);
    }

    @Test
    void baselineQcifAndSampleAspectRatio() throws Exception {
        AvcSps base = parse("6742c00ad902c4ec0440000003004000000783c48992");
        assertThat(base.profileIdc()).isEqualTo(66);
        assertThat(base.width()).isEqualTo(176);
        assertThat(base.height()).isEqualTo(144);
        assertThat(base.frameRate()).isCloseTo(15.0, within(1e-9));

        // 720x576 interlaced with setsar=16/15: not in the aspect_ratio_idc table, so Extended_SAR
        AvcSps pal = parse("6764001eacd940b424dff8008000788000000300800000190f8a14cb");
        assertThat(pal.width()).isEqualTo(720);
        assertThat(pal.height()).isEqualTo(576);
        assertThat(pal.sarWidth()).isEqualTo(16);
        assertThat(pal.sarHeight()).isEqualTo(15);
    }

    @Test
    void rejectsOtherNalUnitsAndTruncatedSps() {
        assertThatThrownBy(() -> parse("68ebe3cb22c0"))
                .isInstanceOf(MediaFormatException.class).hasMessageContaining("NAL unit type 8");
        assertThatThrownBy(() -> parse("674d401eeca0"))
                .isInstanceOf(MediaFormatException.class).hasMessageContaining("ends early");
        assertThatThrownBy(() -> parse("6742"))
                .isInstanceOf(MediaFormatException.class).hasMessageContaining("too short");
    }

    @Test
    void expGolombCodes() throws Exception {
        // 1 -> 0; 010 -> 1; 011 -> 2; 00100 -> 3; se: 010 -> +1, 011 -> -1
        BitReader r = new BitReader(new byte[] {(byte) 0b1010_0110, (byte) 0b0100_0100, (byte) 0b1100_0000});
        assertThat(r.readUE()).isZero();
        assertThat(r.readUE()).isEqualTo(1);
        assertThat(r.readUE()).isEqualTo(2);
        assertThat(r.readUE()).isEqualTo(3);
        assertThat(r.readSE()).isEqualTo(1);
        assertThat(r.readSE()).isEqualTo(-1);
        assertThat(r.bitsLeft()).isEqualTo(6);
    }

    @Test
    void unescapeRemovesEmulationPreventionBytes() {
        byte[] in = ByteBufUtil.decodeHexDump("0000030100000300");
        assertThat(BitReader.unescapeRbsp(in, 0, in.length)).containsExactly(0, 0, 1, 0, 0, 0);
    }
}
