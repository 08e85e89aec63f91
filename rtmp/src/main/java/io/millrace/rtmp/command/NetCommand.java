package io.millrace.rtmp.command;

import io.millrace.amf.AmfObject;

import java.util.List;

/**
 * The meaning of an inbound command, separate from its wire form ({@link Command}). The session
 * switches over this sealed hierarchy; anything that is not a protocol command is a {@link Call}.
 */
public sealed interface NetCommand {

    double transactionId();

    int streamId();

    /** connect: the command object's properties plus any extra arguments the client passed. */
    record Connect(double transactionId, AmfObject properties, List<Object> extraArguments) implements NetCommand {
        @Override
        public int streamId() {
            return 0;
        }

        public String app() {
            return properties.getString("app");
        }

        public String tcUrl() {
            return properties.getString("tcUrl");
        }

        public String flashVer() {
            return properties.getString("flashVer");
        }

        /** 0 (AMF0) unless the client asked for 3 (AMF3). */
        public int objectEncoding() {
            return properties.getNumber("objectEncoding", 0) == 3 ? 3 : 0;
        }
    }

    record CreateStream(double transactionId) implements NetCommand {
        @Override
        public int streamId() {
            return 0;
        }
    }

    /** deleteStream travels on msid 0 and names the stream in its argument. */
    record DeleteStream(double transactionId, int streamId, int targetStreamId) implements NetCommand {
    }

    record CloseStream(double transactionId, int streamId) implements NetCommand {
    }

    /**
     * play(name, start, len, reset). {@code start} and {@code len} are as the client sent them (ms on the
     * wire; -2/-1 and -2000/-1000 both mean live-or-recorded / live-only). {@code reset} is 0..3.
     */
    record Play(double transactionId, int streamId, String name, double start, double len, int reset)
            implements NetCommand {
        /** {@code start} with -2000 and -1000 (as some clients send them) read as -2 and -1. */
        public double startNormalized() {
            return start == -2000 ? -2 : start == -1000 ? -1 : start;
        }

        /** Whether the play replaces what plays (reset true, 1 or 3) rather than appending to the playlist. */
        public boolean resets() {
            return reset == 1 || reset == 3;
        }
    }

    /**
     * publish(name, type): {@code name} null for publish(false)/publish(null), which stops publishing;
     * {@code type} is "live" (the default), "record" or "append" as the client sent it.
     */
    record Publish(double transactionId, int streamId, String name, String type) implements NetCommand {
        public boolean stops() {
            return name == null;
        }
    }

    record Seek(double transactionId, int streamId, double milliseconds) implements NetCommand {
    }

    record Pause(double transactionId, int streamId, boolean pause, double milliseconds) implements NetCommand {
    }

    record ReceiveAudio(double transactionId, int streamId, boolean receive) implements NetCommand {
    }

    record ReceiveVideo(double transactionId, int streamId, boolean receive) implements NetCommand {
    }

    /** _result or _error sent by the client in answer to a server-to-client call. */
    record Result(double transactionId, int streamId, boolean error, List<Object> values) implements NetCommand {
    }

    /** Any other method: an RPC for the application (getStreamLength, checkBandwidth, custom calls). */
    record Call(double transactionId, int streamId, String method, Object commandObject, List<Object> arguments)
            implements NetCommand {
        public Object arg(int index) {
            return index < arguments.size() ? arguments.get(index) : null;
        }
    }

    /** close: the client ends the NetConnection. */
    record Close(double transactionId, int streamId) implements NetCommand {
    }
}
