package io.millrace.server.net;

import io.millrace.rtmp.handshake.HandshakeCompleteEvent;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class HandshakeTimeoutHandlerTest {

    @Test
    void closesAConnectionThatDoesNotFinishTheHandshakeInTime() {
        EmbeddedChannel ch = new EmbeddedChannel(new HandshakeTimeoutHandler(1000));
        ch.freezeTime();
        ch.advanceTimeBy(999, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isActive()).isTrue();
        ch.advanceTimeBy(2, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isActive()).isFalse();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void removesItselfWhenTheHandshakeCompletes() {
        EmbeddedChannel ch = new EmbeddedChannel(new HandshakeTimeoutHandler(1000));
        ch.freezeTime();
        HandshakeCompleteEvent done = new HandshakeCompleteEvent(false, -1, null, new byte[1536], new byte[1536], new byte[4], 0, 0);
        ch.pipeline().fireUserEventTriggered(done);
        assertThat(ch.pipeline().get(HandshakeTimeoutHandler.class)).isNull();
        ch.advanceTimeBy(5, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isActive()).isTrue();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }
}
