package io.millrace.server.e2e;

import io.millrace.amf.AmfObject;
import io.millrace.rtmp.client.ClientEvent;
import io.millrace.rtmp.client.RtmpClient;
import io.millrace.rtmp.so.SharedObjectEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.millrace.server.e2e.ChatApp.WAIT;
import static io.millrace.server.e2e.ChatApp.call;
import static io.millrace.server.e2e.ChatApp.connect;
import static io.millrace.server.e2e.ChatApp.result;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Remote shared objects of the example chat application, with the repository's RtmpClient (AMF0 and AMF3):
 * two clients see each other's changes in order, a read-only object undoes a client's change, and a persistent
 * object survives a server restart.
 */
@SuppressWarnings("unchecked")
class SharedObjectsIT {
    @TempDir
    Path root;
    TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void start() throws Exception {
        Path apps = root.resolve("apps");
        if (!Files.exists(apps.resolve("chat/chat.jar"))) {
            ChatApp.deploy(root, ApplicationsIT.APP_YAML, "1");
        }
        server = TestServer.startIn(root, "apps:\n  folder: " + apps + "\n");
    }

    /** A client's copy of one shared object, built from what the server sent, with every change in order. */
    static final class Mirror {
        final Map<String, Object> properties = new LinkedHashMap<>();
        final List<String> changes = new ArrayList<>();
        final List<String> statuses = new ArrayList<>();
        final List<Long> versions = new ArrayList<>();
        final RtmpClient client;
        final String name;

        Mirror(RtmpClient client, String name) {
            this.client = client;
            this.name = name;
        }

        private int seen;

        /**
         * Applies what arrived (read from the client's history, so that waiting for a call's answer elsewhere
         * loses nothing) until {@code done} holds.
         */
        Mirror until(java.util.function.Predicate<Mirror> done) throws Exception {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!done.test(this)) {
                List<ClientEvent> all = client.history();
                if (seen == all.size()) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("shared object " + name + " never got there; it has " + properties
                                + ", changes " + changes + ", statuses " + statuses);
                    }
                    Thread.sleep(20);
                    continue;
                }
                ClientEvent next = all.get(seen++);
                if (!(next instanceof ClientEvent.SharedObject m) || !m.name().equals(name)) {
                    continue;
                }
                versions.add(m.version());
                for (SharedObjectEvent e : m.events()) {
                    if (e instanceof SharedObjectEvent.Clear) {
                        properties.clear();
                        changes.add("clear");
                    } else if (e instanceof SharedObjectEvent.Change c) {
                        properties.put(c.property(), c.value());
                        changes.add(c.property() + "=" + c.value());
                    } else if (e instanceof SharedObjectEvent.Remove r) {
                        properties.remove(r.property());
                        changes.add("-" + r.property());
                    } else if (e instanceof SharedObjectEvent.Success s) {
                        changes.add("ok " + s.property());
                    } else if (e instanceof SharedObjectEvent.Status s) {
                        statuses.add(s.code());
                    } else if (e instanceof SharedObjectEvent.SendMessage s) {
                        changes.add(s.handler() + s.arguments());
                    } else if (e instanceof SharedObjectEvent.UseSuccess) {
                        changes.add("use");
                    }
                }
            }
            return this;
        }
    }

    @Test
    void twoClientsSeeEachOthersChangesInOrder() throws Exception {
        start();
        try (ChatApp.Connected alice = connect(server, "chat/lobby", 3, "alice");
             ChatApp.Connected bob = connect(server, "chat/lobby", 0, "bob")) {
            String aliceId = (String) ((AmfObject) result(call(alice.client(), "whoami"))).get("id");
            String bobId = (String) ((AmfObject) result(call(bob.client(), "whoami"))).get("id");

            // The user list: the server's (clients read it only).
            alice.client().useSharedObject("users", false);
            bob.client().useSharedObject("users", false);
            Mirror aliceUsers = new Mirror(alice.client(), "users").until(m -> m.properties.size() == 2);
            Mirror bobUsers = new Mirror(bob.client(), "users").until(m -> m.properties.size() == 2);
            assertThat(aliceUsers.properties).isEqualTo(Map.of(aliceId, "alice", bobId, "bob"));
            assertThat(bobUsers.properties).isEqualTo(aliceUsers.properties);
            assertThat(aliceUsers.changes.subList(0, 2)).containsExactly("use", "clear");

            bob.client().setSharedObjectProperty("users", false, bobId, "mallory");
            bobUsers.until(m -> !m.statuses.isEmpty() && "bob".equals(m.properties.get(bobId)) && m.changes.size() > 4);
            assertThat(bobUsers.statuses).containsExactly("SharedObject.NoWriteAccess");
            assertThat(bobUsers.properties.get(bobId)).as("bob's copy is undone").isEqualTo("bob");

            // The room's topic: anyone may change it; each sees the other's changes, in the order made.
            alice.client().useSharedObject("history", true);
            bob.client().useSharedObject("history", true);
            Mirror aliceHistory = new Mirror(alice.client(), "history").until(m -> m.changes.contains("clear"));
            Mirror bobHistory = new Mirror(bob.client(), "history").until(m -> m.changes.contains("clear"));
            alice.client().setSharedObjectProperty("history", true, "topic", "cats");
            aliceHistory.until(m -> m.changes.contains("ok topic"));
            bobHistory.until(m -> "cats".equals(m.properties.get("topic")));
            bob.client().setSharedObjectProperty("history", true, "topic", "dogs");
            bobHistory.until(m -> m.changes.contains("ok topic"));
            aliceHistory.until(m -> "dogs".equals(m.properties.get("topic")));
            alice.client().setSharedObjectProperty("history", true, "mood", "sunny");
            aliceHistory.until(m -> m.changes.contains("ok mood"));
            bobHistory.until(m -> "sunny".equals(m.properties.get("mood")));
            assertThat(bobHistory.changes).containsSubsequence("topic=cats", "ok topic", "mood=sunny");
            assertThat(aliceHistory.changes).containsSubsequence("ok topic", "topic=dogs", "ok mood");
            assertThat(bobHistory.versions).isSorted();
            assertThat(aliceHistory.versions).isSorted();

            // What the application sets reaches both (say() keeps the last messages in history).
            assertThat(result(call(bob.client(), "say", "woof"))).isEqualTo(1.0);
            Mirror[] both = {aliceHistory, bobHistory};
            for (Mirror m : both) {
                m.until(x -> x.properties.get("messages") instanceof List<?> l && l.size() == 1);
                assertThat((List<Object>) m.properties.get("messages")).containsExactly(AmfObject.of("from", "bob", "text", "woof"));
            }

            // SharedObject.send reaches every subscriber, the sender too.
            alice.client().sendSharedObjectMessage("history", true, "wave", "hi");
            aliceHistory.until(m -> m.changes.contains("wave[hi]"));
            bobHistory.until(m -> m.changes.contains("wave[hi]"));

            // The admin API lists the room's shared objects (FMS's getSharedObjects).
            String listed = server.http("GET", "/api/apps/chat/instances/lobby/sharedobjects");
            assertThat(listed).contains("\"name\":\"users\"", "\"name\":\"history\"", "\"persistent\":true");
            assertThat(server.http("GET", "/admin/getSharedObjects?appInst=chat/lobby")).contains("history");

            // bob leaves: alice's user list loses him.
            bob.client().close();
            aliceUsers.until(m -> m.properties.size() == 1);
            assertThat(aliceUsers.properties).isEqualTo(Map.of(aliceId, "alice"));
        }
    }

    @Test
    void aPersistentSharedObjectSurvivesARestart() throws Exception {
        start();
        try (ChatApp.Connected alice = connect(server, "chat/lobby", 0, "alice")) {
            alice.client().useSharedObject("history", true);
            alice.client().setSharedObjectProperty("history", true, "topic", "persistence");
            new Mirror(alice.client(), "history").until(m -> m.changes.contains("ok topic"));
            assertThat(result(call(alice.client(), "say", "remember me"))).isEqualTo(1.0);
        }
        server.close();
        server = null;
        start();
        try (ChatApp.Connected carol = connect(server, "chat/lobby", 3, "carol")) {
            carol.client().useSharedObject("history", true);
            Mirror history = new Mirror(carol.client(), "history").until(m -> m.properties.containsKey("messages"));
            assertThat(history.properties.get("topic")).isEqualTo("persistence");
            assertThat((List<Object>) history.properties.get("messages"))
                    .containsExactly(AmfObject.of("from", "alice", "text", "remember me"));
            // The temporary user list did not survive: only carol is in it.
            carol.client().useSharedObject("users", false);
            Mirror users = new Mirror(carol.client(), "users").until(m -> m.properties.size() == 1);
            assertThat(users.properties.values()).containsExactly("carol");
        }
    }

    /**
     * ffmpeg publishes into the room (its connect argument, the user name, with -rtmp_conn): onPublish lists the
     * stream in the "streams" shared object and onUnpublish removes it; the channel's name is refused.
     */
    @Test
    void publishesGoThroughTheApplication() throws Exception {
        String ffmpeg = RealClients.require("ffmpeg");
        start();
        try (ChatApp.Connected alice = connect(server, "chat/lobby", 3, "alice")) {
            alice.client().useSharedObject("streams", false);
            Mirror streams = new Mirror(alice.client(), "streams").until(m -> m.changes.contains("clear"));
            String base = "rtmp://127.0.0.1:" + server.port() + "/chat/lobby";
            RealClients.Result r = RealClients.run(60, ffmpeg, "-hide_banner", "-loglevel", "error", "-re",
                    "-t", "2", "-i", server.media().resolve("sample.flv").toString(), "-c", "copy", "-f", "flv",
                    "-rtmp_app", "chat/lobby", "-rtmp_conn", "S:carol", "-rtmp_playpath", "cam1", base + "/cam1");
            assertThat(r.exitCode()).as(r.stderr()).isZero();
            streams.until(m -> m.changes.contains("-cam1"));
            assertThat(streams.changes).containsSubsequence("cam1=carol", "-cam1");

            RealClients.Result refused = RealClients.run(60, ffmpeg, "-hide_banner", "-loglevel", "error",
                    "-t", "1", "-i", server.media().resolve("sample.flv").toString(), "-c", "copy", "-f", "flv",
                    "-rtmp_app", "chat/lobby", "-rtmp_conn", "S:dave", "-rtmp_playpath", "tv", base + "/tv");
            assertThat(refused.exitCode()).isNotZero();
            assertThat(refused.stderr()).contains("The stream name tv is the room's channel.");
            assertThat(streams.properties).isEmpty();
        }
    }

    @Test
    void theBuiltInApplicationsHaveNoSharedObjects() throws Exception {
        start();
        RtmpClient c = RtmpClient.open("127.0.0.1", server.port(), RtmpClient.Options.plain());
        try (c) {
            double tid = c.sendConnect("live", server.url("live"));
            c.await(e -> e instanceof ClientEvent.CommandEvent ce && ce.command().transactionId() == tid, WAIT);
            c.useSharedObject("anything", false);
            Mirror m = new Mirror(c, "anything").until(x -> !x.statuses.isEmpty());
            assertThat(m.statuses).containsExactly("SharedObject.NoReadAccess");
            assertThat(c.isOpen()).isTrue();
        }
    }
}
