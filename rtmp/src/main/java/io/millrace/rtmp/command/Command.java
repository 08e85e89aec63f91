package io.millrace.rtmp.command;

import java.util.List;

/**
 * A command message in its wire form (types 20 and 17): name, transaction id, command object and
 * arguments. Typed meanings are in {@link NetCommand}.
 *
 * @param commandObject the third value: usually null, an object for connect and _result
 * @param arguments     the values after the command object (possibly empty, never null)
 */
public record Command(String name, double transactionId, Object commandObject, List<Object> arguments,
                      int streamId, long timestamp) {

    public Command {
        arguments = arguments == null ? List.of() : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(arguments));
    }

    /** A command on msid 0 at timestamp 0. */
    public static Command of(String name, double transactionId, Object commandObject, Object... arguments) {
        return new Command(name, transactionId, commandObject, java.util.Arrays.asList(arguments), 0, 0);
    }

    public Command onStream(int newStreamId) {
        return new Command(name, transactionId, commandObject, arguments, newStreamId, timestamp);
    }

    /** The argument at {@code index}, or null when absent. */
    public Object arg(int index) {
        return index < arguments.size() ? arguments.get(index) : null;
    }
}
