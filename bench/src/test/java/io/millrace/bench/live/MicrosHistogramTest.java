package io.millrace.bench.live;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The fixed-bucket histogram against exact nearest-rank percentiles of the same values. */
class MicrosHistogramTest {

    @Test
    void smallValuesAreExact() {
        MicrosHistogram h = new MicrosHistogram();
        for (long v = 1; v <= 1000; v++) {
            h.record(v);
        }
        assertThat(h.count()).isEqualTo(1000);
        assertThat(h.min()).isEqualTo(1);
        assertThat(h.max()).isEqualTo(1000);
        assertThat(h.percentile(50)).isEqualTo(500);
        assertThat(h.percentile(99)).isEqualTo(990);
        assertThat(h.percentile(100)).isEqualTo(1000);
        assertThat(h.mean()).isEqualTo(500.5);
    }

    @Test
    void largeValuesAreWithinOnePartInAThousand() {
        Random r = new Random(42);
        long[] values = new long[100_000];
        MicrosHistogram h = new MicrosHistogram();
        for (int i = 0; i < values.length; i++) {
            values[i] = (long) Math.exp(r.nextDouble() * Math.log(MicrosHistogram.MAX_VALUE));
            h.record(values[i]);
        }
        Arrays.sort(values);
        for (double p : new double[] {1, 10, 50, 90, 99, 99.9, 100}) {
            long exact = values[(int) Math.ceil(p / 100 * values.length) - 1];
            long got = h.percentile(p);
            assertThat(got).as("p%s", p).isGreaterThanOrEqualTo(exact).isLessThanOrEqualTo(exact + exact / 1024);
        }
        assertThat(h.max()).isEqualTo(values[values.length - 1]);
    }

    @Test
    void bucketsCoverTheRangeWithoutGapsOrOverlaps() {
        for (int i = 1; i < MicrosHistogram.BUCKETS; i++) {
            long lowest = MicrosHistogram.highestInBucket(i - 1) + 1;
            assertThat(MicrosHistogram.index(lowest)).isEqualTo(i);
            assertThat(MicrosHistogram.index(MicrosHistogram.highestInBucket(i))).isEqualTo(i);
        }
        assertThat(MicrosHistogram.highestInBucket(MicrosHistogram.BUCKETS - 1)).isEqualTo(MicrosHistogram.MAX_VALUE);
    }

    @Test
    void mergesAndClampsAndReportsEmpty() {
        MicrosHistogram a = new MicrosHistogram();
        MicrosHistogram b = new MicrosHistogram();
        assertThat(a.percentile(50)).isEqualTo(-1);
        assertThat(a.max()).isEqualTo(-1);
        a.record(-5);
        b.record(Long.MAX_VALUE);
        b.record(3000);
        a.add(b);
        assertThat(a.count()).isEqualTo(3);
        assertThat(a.min()).isZero();
        assertThat(a.max()).isEqualTo(MicrosHistogram.MAX_VALUE);
        assertThat(a.percentile(50)).isBetween(3000L, 3002L);
        a.reset();
        assertThat(a.count()).isZero();
    }
}
