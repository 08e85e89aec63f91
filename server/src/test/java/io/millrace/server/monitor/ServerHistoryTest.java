package io.millrace.server.monitor;

import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The ring buffer of server-wide samples behind {@code /api/history}, and the sampler that fills it. */
class ServerHistoryTest {

    private static ServerSample sample(long seq) {
        return new ServerSample(seq, 1_000 * seq, (int) seq, seq * 10, seq * 100, 0.5, 1, seq * 1_000, 2);
    }

    private static List<Long> seqs(List<ServerSample> samples) {
        return samples.stream().map(ServerSample::seq).toList();
    }

    @Test
    void emptyUntilTheFirstSample() {
        ServerHistory h = new ServerHistory(3);
        assertThat(h.capacity()).isEqualTo(3);
        assertThat(h.after(0)).isEmpty();
    }

    @Test
    void keepsTheNewestCapacitySamplesOldestFirst() {
        ServerHistory h = new ServerHistory(3);
        h.add(sample(1));
        h.add(sample(2));
        assertThat(seqs(h.after(0))).containsExactly(1L, 2L);
        h.add(sample(3));
        h.add(sample(4));
        h.add(sample(5));
        assertThat(seqs(h.after(0))).containsExactly(3L, 4L, 5L);
        assertThat(h.after(0).get(2)).isEqualTo(sample(5));
        for (int i = 6; i <= 1000; i++) {
            h.add(sample(i));
        }
        assertThat(seqs(h.after(0))).containsExactly(998L, 999L, 1000L);
    }

    @Test
    void afterGivesOnlyTheNewerSamples() {
        ServerHistory h = new ServerHistory(4);
        for (int i = 1; i <= 6; i++) {
            h.add(sample(i));
        }
        assertThat(seqs(h.after(2))).containsExactly(3L, 4L, 5L, 6L);
        assertThat(seqs(h.after(4))).containsExactly(5L, 6L);
        assertThat(seqs(h.after(5))).containsExactly(6L);
        assertThat(h.after(6)).isEmpty();
        assertThat(h.after(99)).isEmpty();
    }

    @Test
    void gapsInTheNumberingAreKept() {
        ServerHistory h = new ServerHistory(5);
        h.add(sample(2));
        h.add(sample(5));
        h.add(sample(9));
        assertThat(seqs(h.after(3))).containsExactly(5L, 9L);
    }

    @Test
    void aSampleThatIsNotNewerIsRefused() {
        ServerHistory h = new ServerHistory(2);
        h.add(sample(3));
        assertThatThrownBy(() -> h.add(sample(3))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> h.add(sample(1))).isInstanceOf(IllegalArgumentException.class);
        assertThat(seqs(h.after(0))).containsExactly(3L);
        assertThatThrownBy(() -> new ServerHistory(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void capacityOne() {
        ServerHistory h = new ServerHistory(1);
        h.add(sample(1));
        h.add(sample(2));
        assertThat(seqs(h.after(0))).containsExactly(2L);
        assertThat(h.after(2)).isEmpty();
    }

    @Test
    void readersAlwaysSeeAConsecutiveRunWhileTheWriterWraps() throws Exception {
        ServerHistory h = new ServerHistory(50);
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<String> problem = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            while (!done.get() && problem.get() == null) {
                List<ServerSample> snap = h.after(0);
                if (snap.size() > 50) {
                    problem.set("snapshot of " + snap.size());
                }
                for (int i = 1; i < snap.size(); i++) {
                    if (snap.get(i).seq() != snap.get(i - 1).seq() + 1) {
                        problem.set("not consecutive: " + seqs(snap));
                    }
                }
            }
        });
        reader.start();
        for (int i = 1; i <= 200_000; i++) {
            h.add(sample(i));
        }
        done.set(true);
        reader.join();
        assertThat(problem.get()).isNull();
        assertThat(seqs(h.after(199_998))).containsExactly(199_999L, 200_000L);
    }

    @Test
    void theMonitorsSamplerAddsOneSampleASecond() throws Exception {
        ServerMonitor monitor = new ServerMonitor(Map.of(), new DefaultChannelGroup(GlobalEventExecutor.INSTANCE));
        try {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (monitor.history(0).size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            List<ServerSample> samples = monitor.history(0);
            assertThat(samples).hasSizeGreaterThanOrEqualTo(2);
            ServerSample first = samples.get(0);
            ServerSample second = samples.get(1);
            assertThat(first.seq()).isEqualTo(1);
            assertThat(second.seq()).isEqualTo(2);
            assertThat(second.timeMillis() - first.timeMillis()).isBetween(500L, 2_500L);
            assertThat(second.connections()).isZero();
            assertThat(second.bwOut()).isZero();
            assertThat(second.liveStreams()).isZero();
            assertThat(second.viewers()).isZero();
            assertThat(second.cpuUsage()).as("CPU is known from the second tick on").isGreaterThanOrEqualTo(0);
            assertThat(monitor.history(1)).extracting(ServerSample::seq).startsWith(2L);
        } finally {
            monitor.stop();
        }
    }
}
