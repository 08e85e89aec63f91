package io.millrace.rtmp.so;

import java.util.List;

/** One event of a shared object message; the type ids are RTMP's. */
public sealed interface SharedObjectEvent {
    int type();

    /** 1, client to server: subscribe to (and create) the object. */
    record Use() implements SharedObjectEvent {
        public int type() {
            return 1;
        }
    }

    /** 2, client to server: unsubscribe. */
    record Release() implements SharedObjectEvent {
        public int type() {
            return 2;
        }
    }

    /** 3, client to server: set a property. */
    record RequestChange(String property, Object value) implements SharedObjectEvent {
        public int type() {
            return 3;
        }
    }

    /** 4, server to client: a property changed (another client set it). */
    record Change(String property, Object value) implements SharedObjectEvent {
        public int type() {
            return 4;
        }
    }

    /** 5, server to client: the client's own change was accepted. */
    record Success(String property) implements SharedObjectEvent {
        public int type() {
            return 5;
        }
    }

    /** 6, both ways: call {@code handler} with {@code arguments} on every subscriber. */
    record SendMessage(String handler, List<Object> arguments) implements SharedObjectEvent {
        public SendMessage {
            arguments = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(arguments));
        }

        public int type() {
            return 6;
        }
    }

    /** 7, server to client: an error or a warning about the object. */
    record Status(String code, String level) implements SharedObjectEvent {
        public int type() {
            return 7;
        }
    }

    /** 8, server to client: forget every property (also the answer to Use before the data). */
    record Clear() implements SharedObjectEvent {
        public int type() {
            return 8;
        }
    }

    /** 9, server to client: a property was removed. */
    record Remove(String property) implements SharedObjectEvent {
        public int type() {
            return 9;
        }
    }

    /** 10, client to server: remove a property. */
    record RequestRemove(String property) implements SharedObjectEvent {
        public int type() {
            return 10;
        }
    }

    /** 11, server to client: the Use succeeded. */
    record UseSuccess() implements SharedObjectEvent {
        public int type() {
            return 11;
        }
    }
}
