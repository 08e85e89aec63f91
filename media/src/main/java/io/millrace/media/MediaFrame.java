package io.millrace.media;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * One message of a media file as RTMP carries it: its message type (8 audio, 9 video, 18 data), its
 * timestamp (the decode timestamp, milliseconds) and its body, which is exactly the RTMP message
 * payload (the FLV audio/video tag header included: {@code 17 01 <cts24> <NAL units>} for an AVC
 * keyframe, {@code AF 01 <raw AAC>} for AAC, {@code 2F <MP3 frame>} for MP3).
 *
 * <p>The body is owned by this holder; whoever ends the frame's path releases it.
 */
public final class MediaFrame extends DefaultByteBufHolder {
    public static final int AUDIO = 8;
    public static final int VIDEO = 9;
    public static final int DATA = 18;

    private final int type;
    private final long timestamp;
    private final boolean keyframe;
    private final boolean config;

    /**
     * @param body      taken over by this frame
     * @param keyframe  a video frame a decoder can start from (always false for audio and data)
     * @param config    a sequence header / decoder configuration (AVC or AAC packet type 0)
     */
    public MediaFrame(int type, long timestamp, boolean keyframe, boolean config, ByteBuf body) {
        super(body);
        this.type = type;
        this.timestamp = timestamp;
        this.keyframe = keyframe;
        this.config = config;
    }

    public int type() {
        return type;
    }

    /** Decode timestamp in milliseconds. */
    public long timestamp() {
        return timestamp;
    }

    public boolean isKeyframe() {
        return keyframe;
    }

    public boolean isConfig() {
        return config;
    }

    public boolean isAudio() {
        return type == AUDIO;
    }

    public boolean isVideo() {
        return type == VIDEO;
    }

    @Override
    public MediaFrame replace(ByteBuf content) {
        return new MediaFrame(type, timestamp, keyframe, config, content);
    }

    @Override
    public MediaFrame retain() {
        super.retain();
        return this;
    }

    @Override
    public MediaFrame touch(Object hint) {
        super.touch(hint);
        return this;
    }

    @Override
    public String toString() {
        return (type == VIDEO ? "video" : type == AUDIO ? "audio" : "data") + "@" + timestamp
                + (keyframe ? " key" : "") + (config ? " config" : "")
                + " len=" + (refCnt() > 0 ? content().readableBytes() : -1);
    }
}
