package io.millrace.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * The channel's own read-size allocator, with a cap that {@link InboundPacer} sets while the connection
 * has an inbound limit (0: none, reads as the wrapped allocator decides). Installed when the channel is
 * built: the transport takes its read handle once, at the first read, so the cap must live in the handle
 * rather than in a new allocator set later. One per channel; the cap is read and written on its event loop.
 */
public final class PacedRecvByteBufAllocator implements RecvByteBufAllocator {
    private final RecvByteBufAllocator delegate;
    private int cap;

    public PacedRecvByteBufAllocator(RecvByteBufAllocator delegate) {
        this.delegate = delegate;
    }

    /** Reads at most {@code bytes} at a time (0: no cap). Event loop only. */
    void cap(int bytes) {
        cap = bytes;
    }

    int cap() {
        return cap;
    }

    @Override
    public Handle newHandle() {
        return new CappedHandle((ExtendedHandle) delegate.newHandle());
    }

    private final class CappedHandle implements ExtendedHandle {
        private final ExtendedHandle h;

        CappedHandle(ExtendedHandle h) {
            this.h = h;
        }

        @Override
        public ByteBuf allocate(ByteBufAllocator alloc) {
            return alloc.ioBuffer(guess());
        }

        @Override
        public int guess() {
            int g = h.guess();
            return cap > 0 ? Math.min(g, cap) : g;
        }

        @Override
        public void reset(ChannelConfig config) {
            h.reset(config);
        }

        @Override
        public void incMessagesRead(int numMessages) {
            h.incMessagesRead(numMessages);
        }

        @Override
        public void lastBytesRead(int bytes) {
            h.lastBytesRead(bytes);
        }

        @Override
        public int lastBytesRead() {
            return h.lastBytesRead();
        }

        @Override
        public void attemptedBytesRead(int bytes) {
            h.attemptedBytesRead(bytes);
        }

        @Override
        public int attemptedBytesRead() {
            return h.attemptedBytesRead();
        }

        @Override
        public boolean continueReading() {
            return h.continueReading();
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
            return h.continueReading(maybeMoreDataSupplier);
        }

        @Override
        public void readComplete() {
            h.readComplete();
        }
    }
}
