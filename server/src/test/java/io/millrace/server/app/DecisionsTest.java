package io.millrace.server.app;

import io.millrace.api.Decision;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DecisionsTest {
    final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    final List<Decisions.Outcome> outcomes = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    Decisions.Base decision(boolean connect) {
        return new Decisions.Base("test", connect, timer, outcomes::add);
    }

    @Test
    void aHookThatReturnsWithoutDecidingAccepts() {
        Decisions.Base d = decision(true);
        d.hookReturned();
        assertThat(outcomes).containsExactly(new Decisions.Accept());
    }

    @Test
    void oneDecisionOnly() {
        Decisions.Base d = decision(true);
        d.reject("no", List.of("x"));
        assertThatThrownBy(d::accept).isInstanceOf(IllegalStateException.class).hasMessageContaining("already decided");
        d.hookReturned();
        assertThat(outcomes).containsExactly(new Decisions.Reject("no", List.of("x")));
    }

    @Test
    void aStreamDecisionCannotRedirect() {
        Decisions.Base d = decision(false);
        assertThatThrownBy(() -> d.redirect("rtmp://x/y", "moved")).isInstanceOf(UnsupportedOperationException.class);
        assertThat(outcomes).isEmpty();
    }

    @Test
    void laterDecisionsComeFromAnyThreadOnce() throws Exception {
        Decisions.Base d = decision(true);
        var pending = d.async(Duration.ofSeconds(5), Decision.Fallback.REJECT);
        d.hookReturned(); // async: returning is not a decision
        assertThat(outcomes).isEmpty();
        Thread t = new Thread(() -> pending.redirect("rtmp://b/app", "go"));
        t.start();
        t.join();
        assertThat(pending.accept()).isFalse();
        assertThat(outcomes).containsExactly(new Decisions.Redirect("rtmp://b/app", "go"));
    }

    @Test
    void theFallbackAppliesAtTheTimeout() throws Exception {
        Decisions.Base d = decision(false);
        var pending = d.async(Duration.ofMillis(50), Decision.Fallback.REJECT);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (outcomes.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(outcomes).containsExactly(new Decisions.Reject("The application did not decide in time.", null));
        assertThat(pending.accept()).as("too late").isFalse();
        assertThat(outcomes).hasSize(1);
    }

    @Test
    void asyncTimeoutsAreBounded() {
        assertThatThrownBy(() -> decision(true).async(Duration.ZERO, Decision.Fallback.ACCEPT))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> decision(true).async(Duration.ofHours(1), Decision.Fallback.ACCEPT))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
