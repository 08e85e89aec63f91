package io.millrace.media.flv;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FlvTagTest {

    private static FlvTag tag(int type, String hex) {
        byte[] bytes = ByteBufUtil.decodeHexDump(hex);
        ByteBuf data = ByteBufAllocator.DEFAULT.buffer(bytes.length);
        data.writeBytes(bytes);
        return new FlvTag(type, 1000, 500, false, data);
    }

    private record Case(int type, String hex, int codecId, int frameType, boolean key, boolean config,
                        boolean frame, int cts) {
    }

    private static final Case[] CASES = {
        // AVC sequence header, key frame NALUs with CTS 40, inter frame with CTS -40, end of sequence
        new Case(FlvTag.VIDEO, "1700000000014d401e", 7, 1, false, true, false, 0),
        new Case(FlvTag.VIDEO, "1701000028000000", 7, 1, true, false, true, 40),
        new Case(FlvTag.VIDEO, "2701ffffd8000000", 7, 2, false, false, true, -40),
        new Case(FlvTag.VIDEO, "1702000000", 7, 1, false, false, false, 0),
        // AVC with only the first byte: a frame type but no packet type
        new Case(FlvTag.VIDEO, "17", 7, 1, false, false, false, 0),
        // Sorenson H.263 key / disposable inter frame, VP6 key frame, video info/command frame
        new Case(FlvTag.VIDEO, "1200008400", 2, 1, true, false, true, 0),
        new Case(FlvTag.VIDEO, "3200008400", 2, 3, false, false, true, 0),
        new Case(FlvTag.VIDEO, "14000000", 4, 1, true, false, true, 0),
        new Case(FlvTag.VIDEO, "5700", 7, 5, false, false, false, 0),
        // Enhanced RTMP: hvc1 SequenceStart, hvc1 key CodedFrames CTS 40, hvc1 inter CodedFramesX,
        // av01 SequenceEnd, vp09 SequenceStart
        new Case(FlvTag.VIDEO, "906876633101", 0x68766331, 1, false, true, false, 0),
        new Case(FlvTag.VIDEO, "916876633100002800", 0x68766331, 1, true, false, true, 40),
        new Case(FlvTag.VIDEO, "a36876633100", 0x68766331, 2, false, false, true, 0),
        new Case(FlvTag.VIDEO, "9261763031", 0x61763031, 1, false, false, false, 0),
        new Case(FlvTag.VIDEO, "9076703039", 0x76703039, 1, false, true, false, 0),
        // audio: AAC config, AAC raw, MP3, empty "silence" tag, Opus SequenceStart, mp4a CodedFrames
        new Case(FlvTag.AUDIO, "af001210", 10, -1, false, true, false, 0),
        new Case(FlvTag.AUDIO, "af01211a", 10, -1, false, false, true, 0),
        new Case(FlvTag.AUDIO, "2efffb", 2, -1, false, false, true, 0),
        new Case(FlvTag.AUDIO, "", -1, -1, false, false, false, 0),
        new Case(FlvTag.AUDIO, "904f707573", 0x4f707573, -1, false, true, false, 0),
        new Case(FlvTag.AUDIO, "916d703461aa", 0x6d703461, -1, false, false, true, 0),
        // script data
        new Case(FlvTag.SCRIPT, "02000a6f6e4d65746144617461", -1, -1, false, false, false, 0),
    };

    @Test
    void classifiesTagHeaders() {
        for (Case c : CASES) {
            FlvTag t = tag(c.type, c.hex);
            try {
                String what = c.type + ":" + c.hex;
                assertThat(t.codecId()).as(what + " codecId").isEqualTo(c.codecId);
                assertThat(t.frameType()).as(what + " frameType").isEqualTo(c.frameType);
                assertThat(t.isKeyframe()).as(what + " keyframe").isEqualTo(c.key);
                assertThat(t.isSequenceHeader()).as(what + " sequence header").isEqualTo(c.config);
                assertThat(t.isFrame()).as(what + " frame").isEqualTo(c.frame);
                assertThat(t.compositionTime()).as(what + " cts").isEqualTo(c.cts);
            } finally {
                t.release();
            }
        }
    }

    @Test
    void holderMethodsKeepTheHeaderFields() {
        FlvTag t = tag(FlvTag.VIDEO, "1701000028");
        try {
            assertThat(t.isVideo()).isTrue();
            assertThat(t.isAudio()).isFalse();
            assertThat(t.dataSize()).isEqualTo(5);
            assertThat(t.totalSize()).isEqualTo(20);
            assertThat(t.nextOffset()).isEqualTo(520);
            FlvTag dup = t.retainedDuplicate();
            assertThat(t.refCnt()).isEqualTo(2);
            assertThat(dup.timestamp()).isEqualTo(1000);
            assertThat(dup.offset()).isEqualTo(500);
            assertThat(dup.isKeyframe()).isTrue();
            dup.release();
            FlvTag copy = t.copy();
            assertThat(copy.data()).isNotSameAs(t.data());
            assertThat(ByteBufUtil.hexDump(copy.data())).isEqualTo("1701000028");
            copy.release();
            assertThat(t.refCnt()).isEqualTo(1);
        } finally {
            t.release();
        }
        FlvTag big = new FlvTag(FlvTag.AUDIO, 0x1_0000_0005L, ByteBufAllocator.DEFAULT.buffer(0));
        try {
            assertThat(big.timestamp()).as("timestamps are 32-bit").isEqualTo(5);
            assertThat(big.offset()).isEqualTo(-1);
            assertThat(big.nextOffset()).isEqualTo(-1);
        } finally {
            big.release();
        }
    }
}
