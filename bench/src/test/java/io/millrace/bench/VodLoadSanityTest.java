package io.millrace.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The load runner end to end at a tiny size (in-process server, 3 players). Checks outcomes, never timings. */
class VodLoadSanityTest {

    @Test
    void threePlayersCompleteAgainstAnInProcessServer() throws Exception {
        int code = VodLoad.run(new String[] {
                "--players", "3", "--rounds", "1", "--warmup-rounds", "0", "--probe-seconds", "1", "--timeout-seconds", "60"});
        assertThat(code).isZero();
    }

    @Test
    void fixedWindowModeDeliversAgainstAnInProcessServer() throws Exception {
        int code = VodLoad.run(new String[] {
                "--players", "3", "--window-seconds", "2", "--lead-in-seconds", "1", "--slice-seconds", "1", "--timeout-seconds", "60"});
        assertThat(code).isZero();
    }

    @Test
    void streamNamesMapToFileNames() {
        assertThat(VodLoad.Target.fileNameOf("sample")).isEqualTo("sample.flv");
        assertThat(VodLoad.Target.fileNameOf("mp4:test.mp4")).isEqualTo("test.mp4");
        assertThat(VodLoad.Target.fileNameOf("flv:clip")).isEqualTo("clip.flv");
        assertThat(VodLoad.Target.fileNameOf("test.flv")).isEqualTo("test.flv");
    }

    @Test
    void refusesNonLoopbackTargetsAndBadOptions() throws Exception {
        assertThat(VodLoad.run(new String[] {"--host", "192.0.2.1", "--port", "1935"})).isEqualTo(2);
        assertThat(VodLoad.run(new String[] {"--players", "0"})).isEqualTo(2);
        assertThat(VodLoad.run(new String[] {"--no-such-option"})).isEqualTo(2);
        assertThat(VodLoad.run(new String[] {"--window-seconds", "2", "--slice-seconds", "5"})).isEqualTo(2);
    }

    @Test
    void percentilesAreNearestRank() {
        long[] ms = {1_000_000, 2_000_000, 3_000_000, 4_000_000};
        assertThat(VodLoad.percentileMillis(ms, 50)).isEqualTo(2.0);
        assertThat(VodLoad.percentileMillis(ms, 95)).isEqualTo(4.0);
        assertThat(VodLoad.percentileMillis(ms, 100)).isEqualTo(4.0);
        assertThat(VodLoad.percentileMillis(new long[0], 50)).isNaN();
    }
}
