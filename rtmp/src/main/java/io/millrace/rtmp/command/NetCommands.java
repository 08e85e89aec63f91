package io.millrace.rtmp.command;

import io.millrace.amf.AmfObject;

import java.util.List;
import java.util.Map;

/** Turns a wire {@link Command} into its {@link NetCommand} meaning. Lenient where clients differ. */
public final class NetCommands {

    private NetCommands() {
    }

    public static NetCommand parse(Command c) {
        double tid = c.transactionId();
        int msid = c.streamId();
        return switch (c.name()) {
            case "connect" -> new NetCommand.Connect(tid, asObject(c.commandObject()), c.arguments());
            case "createStream" -> new NetCommand.CreateStream(tid);
            case "deleteStream" -> new NetCommand.DeleteStream(tid, msid, (int) number(c.arg(0), msid));
            case "closeStream" -> new NetCommand.CloseStream(tid, msid);
            case "play" -> new NetCommand.Play(tid, msid, c.arg(0) instanceof String s ? s : null,
                    number(c.arg(1), -2), number(c.arg(2), -1), reset(c.arg(3)));
            case "publish" -> new NetCommand.Publish(tid, msid, c.arg(0) instanceof String s ? s : null,
                    c.arg(1) instanceof String t && !t.isBlank() ? t : "live");
            case "seek" -> new NetCommand.Seek(tid, msid, number(c.arg(0), 0));
            case "pause", "pauseRaw" -> new NetCommand.Pause(tid, msid, bool(c.arg(0), true), number(c.arg(1), -1));
            case "receiveAudio" -> new NetCommand.ReceiveAudio(tid, msid, bool(c.arg(0), true));
            case "receiveVideo" -> new NetCommand.ReceiveVideo(tid, msid, bool(c.arg(0), true));
            case "_result" -> new NetCommand.Result(tid, msid, false, withObject(c));
            case "_error" -> new NetCommand.Result(tid, msid, true, withObject(c));
            case "close" -> new NetCommand.Close(tid, msid);
            default -> new NetCommand.Call(tid, msid, c.name(), c.commandObject(), c.arguments());
        };
    }

    private static List<Object> withObject(Command c) {
        java.util.ArrayList<Object> all = new java.util.ArrayList<>();
        all.add(c.commandObject());
        all.addAll(c.arguments());
        return all;
    }

    private static AmfObject asObject(Object o) {
        if (o instanceof AmfObject a) {
            return a;
        }
        if (o instanceof Map<?, ?> m) {
            AmfObject a = new AmfObject();
            m.forEach((k, v) -> a.put(String.valueOf(k), v));
            return a;
        }
        return new AmfObject();
    }

    private static double number(Object o, double fallback) {
        if (o instanceof Number n && !Double.isNaN(n.doubleValue())) {
            return n.doubleValue();
        }
        if (o instanceof String s) {
            try {
                return Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                return fallback;
            }
        }
        return fallback;
    }

    private static boolean bool(Object o, boolean fallback) {
        if (o instanceof Boolean b) {
            return b;
        }
        if (o instanceof Number n) {
            return n.doubleValue() != 0;
        }
        return fallback;
    }

    /** reset may arrive as Boolean or Number (SRS notes both); default true = 1. */
    private static int reset(Object o) {
        if (o instanceof Boolean b) {
            return b ? 1 : 0;
        }
        if (o instanceof Number n) {
            int v = (int) n.doubleValue();
            return v < 0 || v > 3 ? 1 : v;
        }
        return 1;
    }
}
