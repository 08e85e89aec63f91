package io.millrace.rtmp.so;

import java.util.List;

/**
 * A remote shared object message (types 19, AMF0, and 16, AMF3): the object's name, its version, whether it
 * is persistent, and its events in order (RTMP-2012 §7.1.3; ../shared/protocol/chunking.md).
 *
 * @param amf3 whether it travels as type 16 (a leading format byte, values that may switch to AMF3)
 */
public record SharedObjectMessage(String name, long version, boolean persistent, List<SharedObjectEvent> events,
                                  boolean amf3) {
    public SharedObjectMessage {
        events = List.copyOf(events);
    }
}
