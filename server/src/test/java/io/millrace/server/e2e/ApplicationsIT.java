package io.millrace.server.e2e;

import io.millrace.amf.AmfObject;
import io.millrace.rtmp.client.ClientEvent;
import io.millrace.rtmp.client.RtmpClient;
import io.millrace.server.app.AppHost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;

import static io.millrace.server.e2e.ChatApp.WAIT;
import static io.millrace.server.e2e.ChatApp.call;
import static io.millrace.server.e2e.ChatApp.connect;
import static io.millrace.server.e2e.ChatApp.result;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The example chat application (examples/chat) on a real server: connect decisions, calls both ways,
 * broadcasts, reload of a replaced jar, idle unload. Clients are the repository's RtmpClient, AMF0 and AMF3.
 */
class ApplicationsIT {
    static final String APP_YAML = """
            class: io.millrace.examples.chat.ChatRoom
            instanceIdleMillis: 1000
            settings:
              maxUsers: 3
              moderatedRooms: [club, lounge]
              admitTimeoutMillis: 1000
              redirects:
                oldlobby: rtmp://elsewhere.example/chat/lobby
            """;

    @TempDir
    Path root;
    TestServer server;

    @BeforeEach
    void start() throws Exception {
        Path apps = ChatApp.deploy(root, APP_YAML, "1");
        server = TestServer.startIn(root, "apps:\n  folder: " + apps + "\n  reloadCheckMillis: 200\n");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void rejectionsCarryTheReasonAndTheApplicationObject() throws Exception {
        try (ChatApp.Connected none = connect(server, "chat/lobby", 0)) {
            assertThat(none.answer().name()).isEqualTo("_error");
            assertThat(none.code()).isEqualTo("NetConnection.Connect.Rejected");
            assertThat(none.info().getString("description")).startsWith("A user name (1 to 32 characters) is needed");
            assertThat(none.info().get("application")).isEqualTo(AmfObject.of("reason", "badName"));
            Await.until("the rejected client is closed", () -> !none.client().isOpen());
        }
        try (ChatApp.Connected alice = connect(server, "chat/lobby", 3, "alice");
             ChatApp.Connected again = connect(server, "chat/lobby", 3, "alice")) {
            assertThat(alice.code()).isEqualTo("NetConnection.Connect.Success");
            assertThat(again.code()).isEqualTo("NetConnection.Connect.Rejected");
            assertThat(again.info().getString("description")).isEqualTo("The name alice is taken.");
            AmfObject app = (AmfObject) again.info().get("application");
            assertThat(app).containsEntry("reason", "nameTaken").containsEntry("name", "alice");
            // Another instance is another room: the name is free there.
            try (ChatApp.Connected elsewhere = connect(server, "chat/kitchen", 3, "alice")) {
                assertThat(elsewhere.code()).isEqualTo("NetConnection.Connect.Success");
            }
        }
    }

    @Test
    void aMovedRoomRedirects() throws Exception {
        try (ChatApp.Connected c = connect(server, "chat/oldlobby", 0, "bob")) {
            assertThat(c.code()).isEqualTo("NetConnection.Connect.Rejected");
            assertThat(c.info().get("ex")).isEqualTo(AmfObject.of("code", 302.0,
                    "redirect", "rtmp://elsewhere.example/chat/lobby"));
            assertThat(c.info().getString("description")).isEqualTo("This room moved to rtmp://elsewhere.example/chat/lobby.");
        }
    }

    @ParameterizedTest(name = "objectEncoding {0}")
    @ValueSource(ints = {0, 3})
    void callsReturnTheirResultOrTheirError(int encoding) throws Exception {
        try (ChatApp.Connected alice = connect(server, "chat/lobby", encoding, "alice");
             ChatApp.Connected bob = connect(server, "chat/lobby", encoding, "bob")) {
            assertThat(alice.code()).isEqualTo("NetConnection.Connect.Success");
            assertThat(bob.code()).isEqualTo("NetConnection.Connect.Success");

            assertThat(result(call(alice.client(), "say", "hello"))).isEqualTo(1.0);
            assertThat(result(call(bob.client(), "say", "hi alice"))).isEqualTo(2.0);
            // Every client of the room got both messages, in order (broadcastMsg).
            for (RtmpClient c : List.of(alice.client(), bob.client())) {
                Await.until("both messages reach " + c, () -> said(c).size() == 2);
                assertThat(said(c)).containsExactly(List.of("alice", "hello"), List.of("bob", "hi alice"));
            }

            AmfObject me = (AmfObject) result(call(bob.client(), "whoami"));
            assertThat(me).containsEntry("name", "bob").containsEntry("room", "lobby");

            ClientEvent.CommandEvent empty = call(alice.client(), "say", "  ");
            assertThat(empty.name()).isEqualTo("_error");
            assertThat(empty.code()).isEqualTo("NetConnection.Call.Failed");
            assertThat(empty.info().getString("description")).isEqualTo("Nothing to say: the message is empty.");

            ClientEvent.CommandEvent wrongType = call(alice.client(), "say", AmfObject.of("text", "x"));
            assertThat(wrongType.code()).isEqualTo("NetConnection.Call.Failed");
            assertThat(wrongType.info().getString("description")).isEqualTo("say: argument 1 is an object, not a String.");

            Object deep = "x";
            for (int i = 0; i < 100; i++) {
                deep = List.of(deep);
            }
            ClientEvent.CommandEvent tooDeep = call(alice.client(), "say", deep);
            assertThat(tooDeep.code()).isEqualTo("NetConnection.Call.Failed");
            assertThat(tooDeep.info().getString("description"))
                    .isEqualTo("say: argument 1 cannot be taken: value nested more than 64 deep.");

            ClientEvent.CommandEvent unknown = call(alice.client(), "launchRockets");
            assertThat(unknown.code()).isEqualTo("NetConnection.Call.Failed");
            assertThat(unknown.info().getString("description")).isEqualTo("Method not found (launchRockets).");
            // Nothing of that closed anyone.
            assertThat(alice.client().isOpen()).isTrue();
            assertThat(result(call(alice.client(), "version"))).isEqualTo("1");
        }
    }

    /** The onMessage calls a client got so far (their arguments), in order. */
    static List<List<Object>> said(RtmpClient c) {
        return c.history().stream().filter(e -> e instanceof ClientEvent.CommandEvent ce && ce.name().equals("onMessage"))
                .map(e -> ((ClientEvent.CommandEvent) e).command().arguments()).toList();
    }

    @Test
    void theServerCallsAClientMethodAndGetsItsAnswer() throws Exception {
        try (ChatApp.Connected alice = connect(server, "chat/lobby", 3, "alice");
             ChatApp.Connected bob = connect(server, "chat/lobby", 0, "bob")) {
            bob.client().answer("ask", c -> "bob says: " + c.arguments().get(0) + " asked " + c.arguments().get(1) + ", 4");
            assertThat(result(call(alice.client(), "ask", "bob", "2+2?"))).isEqualTo("bob says: alice asked 2+2?, 4");
            ClientEvent.CommandEvent nobody = call(alice.client(), "ask", "carol", "hi?");
            assertThat(nobody.code()).isEqualTo("NetConnection.Call.Failed");
            assertThat(nobody.info().getString("description")).isEqualTo("No user carol in this room.");
        }
    }

    /**
     * A decision taken later: in a moderated room, each joiner's connect waits while the server calls the
     * moderator's client (admit) and decides on its answer; a moderator that never answers lets the decision's
     * timeout and fallback (reject) apply.
     */
    @Test
    void aConnectWaitsForTheModeratorsAnswerOrItsTimeout() throws Exception {
        try (ChatApp.Connected alice = connect(server, "chat/club", 3, "alice")) {
            assertThat(alice.code()).as("the first user is the moderator").isEqualTo("NetConnection.Connect.Success");
            alice.client().answer("admit", c -> "bob".equals(c.arguments().get(0)));
            try (ChatApp.Connected bob = connect(server, "chat/club", 0, "bob");
                 ChatApp.Connected carol = connect(server, "chat/club", 3, "carol")) {
                assertThat(bob.code()).isEqualTo("NetConnection.Connect.Success");
                assertThat(carol.code()).isEqualTo("NetConnection.Connect.Rejected");
                assertThat(carol.info().getString("description")).isEqualTo("The moderator did not let carol in.");
                assertThat(carol.info().get("application")).isEqualTo(AmfObject.of("reason", "notAdmitted", "name", "carol"));
                assertThat(alice.client().history().stream().filter(e -> e instanceof ClientEvent.CommandEvent ce
                        && ce.name().equals("admit")).map(e -> ((ClientEvent.CommandEvent) e).command().arguments()))
                        .containsExactly(List.of("bob"), List.of("carol"));
            }
        }
        try (ChatApp.Connected eve = connect(server, "chat/lounge", 0, "eve")) {
            // eve's client has no admit method: it never answers.
            try (ChatApp.Connected frank = connect(server, "chat/lounge", 3, "frank")) {
                assertThat(frank.code()).isEqualTo("NetConnection.Connect.Rejected");
                assertThat(frank.info().getString("description")).isEqualTo("The application did not decide in time.");
            }
            assertThat(eve.client().isOpen()).isTrue();
        }
    }

    @Test
    void aReplacedJarReloadsItsApplicationOnly() throws Exception {
        try (ChatApp.Connected alice = connect(server, "chat/lobby", 3, "alice");
             RtmpClient vod = RtmpClient.open("127.0.0.1", server.port(), RtmpClient.Options.plain())) {
            double tid = vod.sendConnect("vod", server.url("vod"));
            assertThat(((ClientEvent.CommandEvent) vod.await(e -> e instanceof ClientEvent.CommandEvent ce
                    && ce.command().transactionId() == tid, WAIT)).code()).isEqualTo("NetConnection.Connect.Success");
            assertThat(result(call(alice.client(), "version"))).isEqualTo("1");

            ChatApp.writeJar(root.resolve("apps/chat/chat.jar"), "2");

            ClientEvent.CommandEvent shutdown = (ClientEvent.CommandEvent) alice.client().await(e ->
                    e instanceof ClientEvent.CommandEvent ce && ce.name().equals("onStatus"), WAIT);
            assertThat(shutdown.code()).isEqualTo("NetConnection.Connect.AppShutdown");
            assertThat(shutdown.info().getString("level")).isEqualTo("error");
            Await.until("the chat client is disconnected", () -> !alice.client().isOpen());

            // The vod client is still connected and served.
            double len = vod.send("getStreamLength", null, "sample");
            ClientEvent.CommandEvent answer = (ClientEvent.CommandEvent) vod.await(e -> e instanceof ClientEvent.CommandEvent ce
                    && ce.command().transactionId() == len, WAIT);
            assertThat(answer.name()).isEqualTo("_result");
            assertThat(vod.isOpen()).isTrue();

            try (ChatApp.Connected again = connect(server, "chat/lobby", 3, "alice")) {
                assertThat(again.code()).isEqualTo("NetConnection.Connect.Success");
                assertThat(result(call(again.client(), "version"))).isEqualTo("2");
            }
        }
    }

    @Test
    void aJarThatDoesNotLoadLeavesTheRunningCodeInPlace() throws Exception {
        try (LogCapture log = LogCapture.start();
             ChatApp.Connected alice = connect(server, "chat/lobby", 3, "alice")) {
            Path jar = root.resolve("apps/chat/chat.jar");
            Path tmp = root.resolve("apps/chat/.broken");
            java.nio.file.Files.write(tmp, "not a jar".getBytes());
            java.nio.file.Files.move(tmp, jar, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            Await.until("the failed reload is logged", () -> log.events().stream().anyMatch(e ->
                    e.getFormattedMessage().contains("the replaced jar does not load, the running code stays")));
            assertThat(alice.client().isOpen()).isTrue();
            assertThat(result(call(alice.client(), "version"))).isEqualTo("1");

            ChatApp.writeJar(jar, "3"); // fixed: now it reloads
            Await.until("the chat client is told AppShutdown", () -> alice.client().history().stream().anyMatch(e ->
                    e instanceof ClientEvent.CommandEvent ce && "NetConnection.Connect.AppShutdown".equals(ce.code())));
            try (ChatApp.Connected again = connect(server, "chat/lobby", 0, "alice")) {
                assertThat(result(call(again.client(), "version"))).isEqualTo("3");
            }
        }
    }

    @Test
    void theAdministratorReloadsAnApplicationAndUnloadsAnInstance() throws Exception {
        try (ChatApp.Connected alice = connect(server, "chat/lobby", 3, "alice");
             ChatApp.Connected bob = connect(server, "chat/kitchen", 3, "bob")) {
            assertThat(server.http("POST", "/api/apps/chat/instances/kitchen/unload")).contains("\"unloaded\":true");
            Await.until("bob is told AppShutdown", () -> !bob.client().isOpen());
            assertThat(alice.client().isOpen()).as("another instance is not touched").isTrue();

            assertThat(server.http("POST", "/api/apps/chat/reload")).contains("\"reloaded\":true");
            Await.until("alice is told AppShutdown", () -> !alice.client().isOpen());
            assertThat(alice.client().history()).anyMatch(e -> e instanceof ClientEvent.CommandEvent ce
                    && "NetConnection.Connect.AppShutdown".equals(ce.code())
                    && ce.info().getString("description").contains("reloaded by the administrator"));
        }
    }

    @Test
    void anIdleInstanceIsUnloaded() throws Exception {
        AppHost chat = server.server().appHost("chat");
        try (ChatApp.Connected alice = connect(server, "chat/lobby", 3, "alice")) {
            assertThat(alice.code()).isEqualTo("NetConnection.Connect.Success");
            assertThat(chat.instance("lobby")).isNotNull();
        }
        Await.until("the empty room is unloaded after instanceIdleMillis", () -> chat.instance("lobby") == null);
        // And comes back on the next connect, fresh: the name is free again.
        try (ChatApp.Connected alice = connect(server, "chat/lobby", 3, "alice")) {
            assertThat(alice.code()).isEqualTo("NetConnection.Connect.Success");
        }
    }
}
