package io.millrace.server.net;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The accept-time limits with a hand-driven clock (the listener side is in LimitsIT and ResilienceIT). */
class ConnectionLimiterTest {
    private long now = 5_000_000_000L;

    private ConnectionLimiter limiter(int total, int perIp, int rate) {
        return new ConnectionLimiter(total, perIp, rate, FloodLog.UNLIMITED, () -> now);
    }

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    private void advance(long millis) {
        now += TimeUnit.MILLISECONDS.toNanos(millis);
    }

    @Test
    void totalLimitCountsEveryAddressAndFreesOnClose() throws Exception {
        ConnectionLimiter l = limiter(2, 0, 0);
        var a = l.admit(ip("10.0.0.1"));
        var b = l.admit(ip("10.0.0.2"));
        assertThat(a.refusal()).isNull();
        assertThat(b.refusal()).isNull();
        var c = l.admit(ip("10.0.0.3"));
        assertThat(c.refusal()).isEqualTo(ConnectionLimiter.Refusal.TOTAL);
        assertThat(c.count()).isEqualTo(2);
        l.release(a.peer());
        assertThat(l.open()).isEqualTo(1);
        assertThat(l.admit(ip("10.0.0.3")).refusal()).isNull();
        assertThat(l.refused(ConnectionLimiter.Refusal.TOTAL)).isEqualTo(1);
    }

    @Test
    void perAddressLimitAndIpv6CountsBySlash64() throws Exception {
        ConnectionLimiter l = limiter(0, 2, 0);
        assertThat(l.admit(ip("10.0.0.1")).refusal()).isNull();
        var second = l.admit(ip("10.0.0.1"));
        assertThat(second.refusal()).isNull();
        assertThat(l.admit(ip("10.0.0.1")).refusal()).isEqualTo(ConnectionLimiter.Refusal.PER_IP);
        assertThat(l.admit(ip("10.0.0.2")).refusal()).isNull();
        l.release(second.peer());
        assertThat(l.admit(ip("10.0.0.1")).refusal()).isNull();

        assertThat(l.admit(ip("2001:db8:1:2::1")).refusal()).isNull();
        assertThat(l.admit(ip("2001:db8:1:2:ffff::7")).refusal()).as("same /64").isNull();
        assertThat(l.admit(ip("2001:db8:1:2:abcd::9")).refusal()).as("third in the /64")
                .isEqualTo(ConnectionLimiter.Refusal.PER_IP);
        assertThat(l.admit(ip("2001:db8:1:3::1")).refusal()).as("another /64").isNull();
        assertThat(ConnectionLimiter.key(ip("2001:db8:1:2:abcd::9"))).isEqualTo(ip("2001:db8:1:2::"));
    }

    @Test
    void rateIsABucketOfOneSecondRefilledContinuously() throws Exception {
        ConnectionLimiter l = limiter(0, 0, 5);
        for (int i = 0; i < 5; i++) {
            assertThat(l.admit(ip("10.0.0.1")).refusal()).as("burst %d", i).isNull();
        }
        assertThat(l.admit(ip("10.0.0.1")).refusal()).isEqualTo(ConnectionLimiter.Refusal.RATE);
        assertThat(l.admit(ip("10.0.0.2")).refusal()).as("another address").isNull();
        advance(199);
        assertThat(l.admit(ip("10.0.0.1")).refusal()).as("not yet a whole token").isEqualTo(ConnectionLimiter.Refusal.RATE);
        advance(2);
        assertThat(l.admit(ip("10.0.0.1")).refusal()).as("one token after 200 ms").isNull();
        assertThat(l.admit(ip("10.0.0.1")).refusal()).isEqualTo(ConnectionLimiter.Refusal.RATE);
        advance(10_000);
        for (int i = 0; i < 5; i++) {
            assertThat(l.admit(ip("10.0.0.1")).refusal()).as("a full bucket holds one second, no more: %d", i).isNull();
        }
        assertThat(l.admit(ip("10.0.0.1")).refusal()).isEqualTo(ConnectionLimiter.Refusal.RATE);
        assertThat(l.refused(ConnectionLimiter.Refusal.RATE)).isEqualTo(4);
    }

    @Test
    void addressesWithNothingOpenAndAFullBucketAreForgotten() throws Exception {
        ConnectionLimiter l = limiter(0, 10, 5);
        var kept = l.admit(ip("10.0.0.1"));
        var gone = l.admit(ip("10.0.0.2"));
        l.release(gone.peer());
        assertThat(l.trackedAddresses()).isEqualTo(2);
        l.tick();
        assertThat(l.trackedAddresses()).as("10.0.0.2's bucket is not full yet").isEqualTo(2);
        advance(1000);
        l.tick();
        assertThat(l.trackedAddresses()).as("10.0.0.1 still has a connection").isEqualTo(1);
        l.release(kept.peer());
        l.tick();
        assertThat(l.trackedAddresses()).isZero();
        assertThat(l.open()).isZero();
    }
}
