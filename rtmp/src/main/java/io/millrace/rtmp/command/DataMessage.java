package io.millrace.rtmp.command;

import java.util.List;

/** A data message (types 18 and 15): a handler name followed by values, e.g. onMetaData, onPlayStatus. */
public record DataMessage(String name, List<Object> values, int streamId, long timestamp) {

    public DataMessage {
        values = values == null ? List.of() : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(values));
    }

    public static DataMessage of(String name, int streamId, long timestamp, Object... values) {
        return new DataMessage(name, java.util.Arrays.asList(values), streamId, timestamp);
    }

    public Object value(int index) {
        return index < values.size() ? values.get(index) : null;
    }
}
