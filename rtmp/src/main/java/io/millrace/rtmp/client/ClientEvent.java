package io.millrace.rtmp.client;

import io.millrace.amf.AmfObject;
import io.millrace.rtmp.command.Command;
import io.millrace.rtmp.command.DataMessage;
import io.millrace.rtmp.control.UserControlEvent;
import io.millrace.rtmp.message.MessageType;
import io.millrace.rtmp.message.RtmpMessage;
import io.millrace.rtmp.so.SharedObjectEvent;
import io.millrace.rtmp.so.SharedObjectMessage;
import io.netty.buffer.ByteBuf;

/** Something the server sent, as an {@link RtmpClient} records it. */
public sealed interface ClientEvent {

    /** A command (_result, _error, onStatus, onBWDone, ...), in wire form. */
    record CommandEvent(Command command) implements ClientEvent {
        public String name() {
            return command.name();
        }

        /** The info object's code for onStatus / _result / _error, or null. */
        public String code() {
            for (Object v : command.arguments()) {
                if (v instanceof AmfObject o && o.get("code") instanceof String s) {
                    return s;
                }
            }
            return null;
        }

        public AmfObject info() {
            for (Object v : command.arguments()) {
                if (v instanceof AmfObject o && o.containsKey("code")) {
                    return o;
                }
            }
            return null;
        }
    }

    record Data(DataMessage data) implements ClientEvent {
        public String name() {
            return data.name();
        }
    }

    record UserControl(UserControlEvent event) implements ClientEvent {
    }

    /** A remote shared object message (type 19, or 16 when {@code message.amf3()}), decoded. */
    record SharedObject(SharedObjectMessage message) implements ClientEvent {
        public String name() {
            return message.name();
        }

        public long version() {
            return message.version();
        }

        public java.util.List<SharedObjectEvent> events() {
            return message.events();
        }

        /** Whether it carries an event of this type (e.g. {@code SharedObjectEvent.Change.class}). */
        public boolean has(Class<? extends SharedObjectEvent> type) {
            return message.events().stream().anyMatch(type::isInstance);
        }

        /** The code of its first Status event, or null. */
        public String statusCode() {
            for (SharedObjectEvent e : message.events()) {
                if (e instanceof SharedObjectEvent.Status s) {
                    return s.code();
                }
            }
            return null;
        }
    }

    /**
     * An audio, video or other non-command message: its type, timestamp, stream, size and first bytes
     * (enough to tell keyframes and sequence headers apart).
     */
    record Media(int typeId, long timestamp, int streamId, int size, byte[] head) implements ClientEvent {
        public boolean isVideo() {
            return typeId == MessageType.VIDEO;
        }

        public boolean isAudio() {
            return typeId == MessageType.AUDIO;
        }

        /** Video FrameType 1. */
        public boolean isKeyframe() {
            return isVideo() && head.length > 0 && (head[0] & 0xF0) == 0x10;
        }

        /** AVC end of sequence (packet type 2): a marker, not a frame. */
        public boolean isEndOfSequence() {
            return isVideo() && head.length >= 2 && (head[0] & 0x0F) == 7 && head[1] == 2;
        }

        /** A coded frame: not a sequence header and not an end-of-sequence marker. */
        public boolean isFrame() {
            return (isVideo() || isAudio()) && !isSequenceHeader() && !isEndOfSequence();
        }

        /** AVC or AAC sequence header (packet type 0). */
        public boolean isSequenceHeader() {
            if (head.length < 2) {
                return false;
            }
            if (isVideo()) {
                return (head[0] & 0x0F) == 7 && head[1] == 0;
            }
            return isAudio() && ((head[0] & 0xF0) >> 4) == 10 && head[1] == 0;
        }
    }

    record Closed() implements ClientEvent {
    }

    record Error(Throwable cause) implements ClientEvent {
    }

    /** Summarises an inbound object; borrows it (the caller releases). */
    static ClientEvent of(Object msg) {
        if (msg instanceof Command c) {
            return new CommandEvent(c);
        }
        if (msg instanceof DataMessage d) {
            return new Data(d);
        }
        if (msg instanceof UserControlEvent u) {
            return new UserControl(u);
        }
        if (msg instanceof SharedObjectMessage so) {
            return new SharedObject(so);
        }
        if (msg instanceof RtmpMessage m) {
            ByteBuf body = m.content();
            byte[] head = new byte[Math.min(8, body.readableBytes())];
            body.getBytes(body.readerIndex(), head);
            return new Media(m.typeId(), m.timestamp(), m.streamId(), body.readableBytes(), head);
        }
        return new Error(new IllegalStateException("unexpected inbound object " + msg));
    }
}
