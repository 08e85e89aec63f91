package io.millrace.server.live;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link LiveTimeline}: publisher timestamps onto one continuous stream timeline. */
class LiveTimelineTest {
    private final LiveTimeline t = new LiveTimeline();

    @Test
    void aPublicationStartsAtZeroWhateverItsFirstTimestamp() {
        t.newPublication();
        assertThat(t.map(1, 5_000_000)).isZero();
        assertThat(t.map(0, 5_000_021)).isEqualTo(21);
        assertThat(t.map(1, 5_000_033)).isEqualTo(33);
    }

    @Test
    void extendedTimestampsAndTheWrapPast2To32AreContinuous() {
        t.newPublication();
        assertThat(t.map(1, 0xFFFFF0L)).isZero();
        assertThat(t.map(1, 0x1000010L)).isEqualTo(0x20);
        t.newPublication();
        long base = t.map(1, 0xFFFFFFE0L);
        assertThat(t.map(1, 0x10L) - base).isEqualTo(0x30);
    }

    @Test
    void audioAndVideoMayInterleaveOutOfOrderButATrackNeverGoesBack() {
        t.newPublication();
        t.map(1, 1000);
        assertThat(t.map(0, 900)).isZero();     // audio 100 ms behind video: kept as sent (clamped at 0 here)
        assertThat(t.map(1, 1033)).isEqualTo(33);
        assertThat(t.map(0, 1010)).isEqualTo(10);
        assertThat(t.map(0, 1005)).as("audio does not go back").isEqualTo(10);
    }

    @Test
    void aJumpBackOrFarAheadIsADiscontinuityAndTheTimelineGoesOn() {
        t.newPublication();
        t.map(1, 60_000);
        t.map(1, 60_033);
        assertThat(t.map(1, 100)).as("30 s back: continues where it was").isEqualTo(33);
        assertThat(t.map(1, 133)).isEqualTo(66);
        assertThat(t.map(1, 500_133)).as("500 s ahead: continues").isEqualTo(66);
        assertThat(t.map(1, 500_166)).isEqualTo(99);
        assertThat(t.discontinuities()).isEqualTo(2);
    }

    @Test
    void aNewPublicationFollowsThePreviousOne() {
        t.newPublication();
        t.map(1, 0);
        t.map(1, 9_960);
        t.newPublication();
        assertThat(t.map(1, 0)).isEqualTo(9_960 + LiveTimeline.REPUBLISH_GAP_MILLIS);
        assertThat(t.map(1, 40)).isEqualTo(10_040);
    }
}
