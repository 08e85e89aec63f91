package io.millrace.examples.chat;

import io.millrace.api.Application;
import io.millrace.api.Client;
import io.millrace.api.ConnectDecision;
import io.millrace.api.Decision;
import io.millrace.api.Instance;
import io.millrace.api.Remote;
import io.millrace.api.ServerStream;
import io.millrace.api.SharedObject;
import io.millrace.api.StreamRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A chat room: one object per room (application instance), so its fields are the room's state. Every method
 * runs on the room's own thread, one at a time: no locks needed.
 *
 * <p>Clients connect with their user name: {@code nc.connect("rtmp://host/chat/lobby", "alice")}. They see:
 * <ul>
 *   <li>the shared object {@code users} (temporary): client id to user name, kept by the server only;</li>
 *   <li>the shared object {@code history} (persistent): {@code messages}, the last messages, and {@code topic},
 *       which any user may change and which survives restarts;</li>
 *   <li>the shared object {@code streams} (temporary): the live streams users publish in the room, name to
 *       user, kept by the server only;</li>
 *   <li>{@code onMessage(from, text)} calls on their NetConnection for every message said in the room.</li>
 *   <li>in a moderated room ({@code settings.moderatedRooms}), a call to {@code admit(name)} on the first user's
 *       client for every later joiner, whose connect waits for the answer.</li>
 * </ul>
 */
public class ChatRoom implements Application {
    private static final Logger LOG = LoggerFactory.getLogger(ChatRoom.class);

    private Instance room;
    private SharedObject users;
    private SharedObject history;
    private SharedObject streams;
    private String channelName = "tv";
    private int historySize;
    private int maxUsers;
    private Map<String, Object> redirects = Map.of();
    private List<?> moderated = List.of();
    private Duration admitTimeout = Duration.ofSeconds(10);
    private final Map<String, Client> byName = new LinkedHashMap<>();

    @Override
    public void onAppStart(Instance instance) {
        room = instance;
        historySize = intSetting(instance.settings().get("historySize"), 50);
        maxUsers = intSetting(instance.settings().get("maxUsers"), 100);
        if (instance.settings().get("redirects") instanceof Map<?, ?> m) {
            Map<String, Object> r = new LinkedHashMap<>();
            m.forEach((k, v) -> r.put(String.valueOf(k), v));
            redirects = r;
        }
        if (instance.settings().get("moderatedRooms") instanceof List<?> rooms) {
            moderated = rooms;
        }
        admitTimeout = Duration.ofMillis(intSetting(instance.settings().get("admitTimeoutMillis"), 10_000));
        users = instance.sharedObject("users", false);
        users.setClientWritable(false); // the user list is the server's: clients only read it
        users.clear();
        history = instance.sharedObject("history", true);
        streams = instance.sharedObject("streams", false);
        streams.setClientWritable(false);
        streams.clear();
        startChannel();
        LOG.info("chat room {} open (version {})", instance.name(), version());
    }

    /** The server-side playlist of settings.channel, if any: a live stream made from files. */
    private void startChannel() {
        if (!(room.settings().get("channel") instanceof Map<?, ?> channel)
                || !(channel.get("files") instanceof List<?> files) || files.isEmpty()) {
            return;
        }
        String name = channel.get("stream") instanceof String s ? s : "tv";
        channelName = name;
        double seconds = channel.get("seconds") instanceof Number n ? n.doubleValue() : -1;
        ServerStream tv = room.stream(name);
        Runnable air = () -> {
            boolean first = true;
            for (Object f : files) {
                tv.play(String.valueOf(f), 0, seconds, first); // a reset first: each airing starts afresh
                first = false;
            }
        };
        air.run();
        // Republished as live on a schedule: the files air again every everySeconds.
        if (channel.get("everySeconds") instanceof Number every && every.doubleValue() > 0) {
            room.scheduleEvery(Duration.ofMillis((long) (every.doubleValue() * 1000)), air);
        }
        LOG.info("chat room {}: channel {} plays {}", room.name(), name, files);
    }

    @Override
    public void onConnect(Client client, ConnectDecision decision) {
        Object moved = redirects.get(room.name());
        if (moved != null) {
            decision.redirect(String.valueOf(moved), "This room moved to " + moved + ".");
            return;
        }
        Object first = client.parameters().isEmpty() ? null : client.parameters().get(0);
        String name = first instanceof String s ? s.trim() : "";
        if (name.isEmpty() || name.length() > 32) {
            decision.reject("A user name (1 to 32 characters) is needed: connect(uri, name).",
                    Map.of("reason", "badName"));
            return;
        }
        if (byName.containsKey(name)) {
            decision.reject("The name " + name + " is taken.", Map.of("reason", "nameTaken", "name", name));
            return;
        }
        if (byName.size() >= maxUsers) {
            decision.reject("The room is full.", Map.of("reason", "full", "maxUsers", maxUsers));
            return;
        }
        if (moderated.contains(room.name()) && !byName.isEmpty()) {
            admitLater(client, name, decision);
            return;
        }
        join(client, name);
        decision.accept();
    }

    /**
     * A moderated room: its first user (the moderator) is asked, through a call to its client's
     * {@code admit(name)}, whether {@code name} may come in. The connect waits for the answer, at most
     * {@code admitTimeoutMillis}; no answer in time rejects (the decision's fallback).
     */
    private void admitLater(Client client, String name, ConnectDecision decision) {
        Client moderator = byName.values().iterator().next();
        ConnectDecision.ConnectPending later = decision.async(admitTimeout, Decision.Fallback.REJECT);
        moderator.call("admit", name).whenComplete((answer, error) -> {
            // On the room's thread, like everything else here: byName cannot change under us.
            if (error != null || !Boolean.TRUE.equals(answer)) {
                later.reject("The moderator did not let " + name + " in.", Map.of("reason", "notAdmitted", "name", name));
            } else if (byName.containsKey(name)) {
                later.reject("The name " + name + " is taken.", Map.of("reason", "nameTaken", "name", name));
            } else if (later.accept()) { // false when the answer came after the timeout: the client is gone
                join(client, name);
            }
        });
    }

    private void join(Client client, String name) {
        client.attributes().put("name", name);
        byName.put(name, client);
        users.set(client.id(), name);
    }

    @Override
    public void onDisconnect(Client client) {
        Object name = client.attributes().get("name");
        if (name != null && byName.get(name) == client) {
            byName.remove(name);
            users.remove(client.id());
        }
    }

    /** Users may publish their cameras into the room, under any name but the room's channel. */
    @Override
    public void onPublish(Client client, StreamRequest stream, Decision decision) {
        if (stream.name().equals(channelName)) {
            decision.reject("The stream name " + channelName + " is the room's channel.");
            return;
        }
        streams.set(stream.name(), client.attributes().get("name"));
        decision.accept();
    }

    @Override
    public void onUnpublish(Client client, String streamName) {
        streams.remove(streamName);
    }

    /** Says something to the room: every client gets onMessage(from, text). Returns the number of messages kept. */
    @Remote
    public double say(Client client, String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("Nothing to say: the message is empty.");
        }
        if (text.length() > 1000) {
            throw new IllegalArgumentException("The message is longer than 1000 characters.");
        }
        String from = (String) client.attributes().get("name");
        room.broadcast("onMessage", from, text);
        List<Object> messages = new ArrayList<>(history.get("messages") instanceof List<?> l ? l : List.of());
        messages.add(Map.of("from", from, "text", text));
        while (messages.size() > historySize) {
            messages.remove(0);
        }
        history.set("messages", messages);
        return messages.size();
    }

    /** Who the caller is, as the room knows it. */
    @Remote
    public Map<String, Object> whoami(Client client) {
        return Map.of("id", client.id(), "name", client.attributes().get("name"), "room", room.name());
    }

    /**
     * Asks another user's client a question (the server calls its {@code ask(from, question)} method) and gives
     * the caller that client's answer: calls in both directions, answered later.
     */
    @Remote
    public CompletionStage<Object> ask(Client client, String user, String question) {
        Client target = byName.get(user);
        if (target == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("No user " + user + " in this room."));
        }
        return target.call("ask", client.attributes().get("name"), question);
    }

    /** The version of this build of the application (its resource chat-version.txt). */
    @Remote
    public String version() {
        try (InputStream in = ChatRoom.class.getResourceAsStream("chat-version.txt")) {
            return in == null ? "unknown" : new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static int intSetting(Object v, int fallback) {
        return v instanceof Number n ? n.intValue() : fallback;
    }
}
