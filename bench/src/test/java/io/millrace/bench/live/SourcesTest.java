package io.millrace.bench.live;

import io.millrace.amf.AmfObject;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** What the publishers send: frame shapes, stamps, pacing and bitrate; every buffer released (paranoid leak detection). */
class SourcesTest {
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    @Test
    void syntheticStreamHasTheRequestedShapeAndBitrate() {
        SyntheticSource s = new SyntheticSource(3, 2000, 30, 2);
        assertThat(s.payloadBitsPerSecond()).isBetween(1_990_000.0, 2_010_000.0);
        assertThat(s.keyframeBytes).isEqualTo(8 * s.interframeBytes);
        AmfObject meta = s.metadata();
        assertThat(meta.isEcmaArray()).isTrue();
        assertThat(meta).containsEntry("width", 640.0).containsEntry("videocodecid", 7.0).containsEntry("audiocodecid", 10.0);
        ByteBuf v = s.videoSequenceHeader(ALLOC);
        ByteBuf a = s.audioSequenceHeader(ALLOC);
        try {
            assertThat(v.getByte(0)).isEqualTo((byte) 0x17);
            assertThat(v.getByte(1)).isZero();
            assertThat(v.getByte(5)).isEqualTo((byte) 1); // configurationVersion
            assertThat(v.getByte(6)).isEqualTo((byte) 100); // High profile
            assertThat(v.getByte(9) & 3).isEqualTo(3); // 4-byte NAL lengths
            assertThat(a.getByte(0) & 0xFF).isEqualTo(0xAF);
            assertThat(a.getShort(2) & 0xFFFF).isEqualTo(0x1190);
        } finally {
            v.release();
            a.release();
        }
        long bytes = 0;
        int video = 0;
        int keyframes = 0;
        int audio = 0;
        long lastDue = -1;
        while (true) {
            MediaSource.Frame f = s.next(ALLOC);
            try {
                if (f.dueNanos() >= 10_000_000_000L) {
                    break;
                }
                assertThat(f.dueNanos()).isGreaterThanOrEqualTo(lastDue);
                lastDue = f.dueNanos();
                assertThat(Math.abs(f.timestamp() * 1_000_000 - f.dueNanos())).isLessThan(1_000_000);
                ByteBuf p = f.payload();
                bytes += p.readableBytes();
                if (f.type() == 9) {
                    assertThat(FrameStamp.isStamped(p)).isTrue();
                    assertThat(FrameStamp.sequence(p)).isEqualTo(video);
                    assertThat(FrameStamp.publisher(p)).isEqualTo(3);
                    if ((p.getByte(0) & 0xF0) == 0x10) {
                        assertThat(video % 60).isZero();
                        keyframes++;
                    }
                    // The NAL units fill the payload exactly.
                    int at = 5;
                    while (at < p.readableBytes()) {
                        at += 4 + p.getInt(at);
                    }
                    assertThat(at).isEqualTo(p.readableBytes());
                    video++;
                } else {
                    assertThat(f.type()).isEqualTo(8);
                    assertThat(p.getShort(0) & 0xFFFF).isEqualTo(0xAF01);
                    assertThat(FrameStamp.isStamped(p)).isFalse();
                    audio++;
                }
            } finally {
                f.payload().release();
            }
        }
        assertThat(video).isEqualTo(300);
        assertThat(keyframes).isEqualTo(5);
        assertThat(audio).isEqualTo(469); // 10 s of 1024-sample frames at 48 kHz, rounded up
        assertThat(bytes * 8 / 10.0).isBetween(1_980_000.0, 2_020_000.0);
    }

    @Test
    void restampingChangesOnlyTheClock() {
        SyntheticSource s = new SyntheticSource(0, 500, 25, 1);
        MediaSource.Frame f = s.next(ALLOC);
        try {
            ByteBuf p = f.payload();
            FrameStamp.restamp(p, 123_456_789_012L);
            assertThat(FrameStamp.isStamped(p)).isTrue();
            assertThat(FrameStamp.nanoTime(p)).isEqualTo(123_456_789_012L);
            assertThat(FrameStamp.sequence(p)).isZero();
        } finally {
            f.payload().release();
        }
    }

    @Test
    void flvFileLoopsWithContinuingTimestampsAndStampedPictures() throws Exception {
        Path sample = sample();
        try (FlvFileSource s = new FlvFileSource(sample, 1)) {
            assertThat(s.stamped()).isTrue();
            assertThat(s.metadata()).containsKey("width").doesNotContainKey("duration");
            ByteBuf v = s.videoSequenceHeader(ALLOC);
            ByteBuf a = s.audioSequenceHeader(ALLOC);
            assertThat(v).isNotNull();
            assertThat(a).isNotNull();
            v.release();
            a.release();
            long last = -1;
            int seq = 0;
            int frames = 0;
            // The sample is 10 s: 1500 frames go well into a second loop.
            for (int i = 0; i < 1500; i++) {
                MediaSource.Frame f = s.next(ALLOC);
                try {
                    assertThat(f.timestamp()).isGreaterThanOrEqualTo(last - 500); // audio and video interleave (the sample: up to ~105 ms)
                    last = Math.max(last, f.timestamp());
                    if (f.type() == 9 && f.payload().getByte(1) == 1) {
                        assertThat(FrameStamp.isStamped(f.payload())).isTrue();
                        assertThat(FrameStamp.sequence(f.payload())).isEqualTo(seq++);
                        assertThat(FrameStamp.publisher(f.payload())).isEqualTo(1);
                    }
                    frames++;
                } finally {
                    f.payload().release();
                }
            }
            assertThat(frames).isEqualTo(1500);
            assertThat(last).isGreaterThan(10_000); // past the end of the first loop
        }
    }

    static Path sample() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("apps/vod/media/sample.flv");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("apps/vod/media/sample.flv not found above " + Path.of("").toAbsolutePath());
    }
}
