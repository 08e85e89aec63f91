package io.millrace.testkit;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;

import java.util.ArrayList;
import java.util.List;

/**
 * An allocator that remembers every buffer it hands out, so that a test (a fuzz target, typically) can
 * check right after each run that all of them were released, without waiting for garbage collection
 * as {@link LeakDetectionExtension} must. Derived buffers (slices, duplicates) share their parent's
 * reference count, so a leaked slice shows up as a parent that was not released.
 *
 * <p>Not thread-safe: one thread (or one {@code EmbeddedChannel}) at a time.
 */
public final class TrackingAllocator extends AbstractByteBufAllocator {

    private final List<ByteBuf> allocated = new ArrayList<>();

    public TrackingAllocator() {
        super(false);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        return track(new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity));
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return track(new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity));
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    private ByteBuf track(ByteBuf buf) {
        allocated.add(buf);
        return buf;
    }

    /** Number of buffers handed out since the last {@link #assertAllReleased()}. */
    public int allocations() {
        return allocated.size();
    }

    /**
     * Fails if any buffer handed out since the last call is still referenced; then forgets them all.
     * Unreleased buffers are released here so that one finding does not cascade into later runs.
     */
    public void assertAllReleased() {
        int leaked = 0;
        StringBuilder sizes = new StringBuilder();
        for (ByteBuf buf : allocated) {
            int refCnt = buf.refCnt();
            if (refCnt > 0) {
                leaked++;
                if (leaked <= 8) {
                    sizes.append(leaked == 1 ? "" : ", ").append(buf.capacity()).append(" bytes (refCnt ")
                            .append(refCnt).append(')');
                }
                buf.release(refCnt);
            }
        }
        int total = allocated.size();
        allocated.clear();
        if (leaked > 0) {
            throw new AssertionError(leaked + " of " + total + " buffer(s) not released: " + sizes
                    + (leaked > 8 ? ", ..." : ""));
        }
    }
}
