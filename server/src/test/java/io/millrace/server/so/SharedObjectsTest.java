package io.millrace.server.so;

import io.millrace.amf.AmfObject;
import io.millrace.api.Client;
import io.millrace.api.SharedObject;
import io.millrace.rtmp.so.SharedObjectCodec;
import io.millrace.rtmp.so.SharedObjectEvent;
import io.millrace.rtmp.so.SharedObjectEvent.Change;
import io.millrace.rtmp.so.SharedObjectEvent.Clear;
import io.millrace.rtmp.so.SharedObjectEvent.Release;
import io.millrace.rtmp.so.SharedObjectEvent.Remove;
import io.millrace.rtmp.so.SharedObjectEvent.RequestChange;
import io.millrace.rtmp.so.SharedObjectEvent.RequestRemove;
import io.millrace.rtmp.so.SharedObjectEvent.SendMessage;
import io.millrace.rtmp.so.SharedObjectEvent.Status;
import io.millrace.rtmp.so.SharedObjectEvent.Success;
import io.millrace.rtmp.so.SharedObjectEvent.UseSuccess;
import io.millrace.rtmp.so.SharedObjectMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SharedObjectsTest {
    /** The instance executor: tasks wait here until {@link #runTasks()}. */
    private final Queue<Runnable> tasks = new ArrayDeque<>();
    private final List<SharedObjects> stores = new ArrayList<>();

    @TempDir
    Path dir;

    private SharedObjects store(SharedObjectLimits limits) {
        SharedObjects s = new SharedObjects("chat", "_definst_", dir, tasks::add, limits);
        stores.add(s);
        return s;
    }

    private SharedObjects store() {
        return store(SharedObjectLimits.defaults());
    }

    @AfterEach
    void closeStores() {
        stores.forEach(SharedObjects::close);
    }

    private void runTasks() {
        Runnable r;
        while ((r = tasks.poll()) != null) {
            r.run();
        }
    }

    private static Status status(String code) {
        return new Status(code, "error");
    }

    @Test
    void twoSubscribersSeeEachOthersChangesInOrderWithGrowingVersions() {
        SharedObjects so = store();
        FakeSoClient a = new FakeSoClient("a", false);
        FakeSoClient b = new FakeSoClient("b", false);
        so.onMessage(a, a.use("room", false, 0));
        assertThat(a.one().events()).containsExactly(new UseSuccess(), new Clear());
        so.onMessage(b, b.use("room", false, 0));
        b.one();

        so.onMessage(a, a.msg("room", false, new RequestChange("topic", "hello")));
        SharedObjectMessage toA = a.one();
        SharedObjectMessage toB = b.one();
        assertThat(toA.events()).containsExactly(new Success("topic"));
        assertThat(toB.events()).containsExactly(new Change("topic", "hello"));
        assertThat(toA.version()).isEqualTo(1);
        assertThat(toB.version()).isEqualTo(1);
        assertThat(toB.name()).isEqualTo("room");
        assertThat(toB.persistent()).isFalse();

        so.onMessage(b, b.msg("room", false, new RequestChange("topic", "bye"), new RequestChange("n", 1.0)));
        assertThat(b.one().events()).containsExactly(new Success("topic"), new Success("n"));
        SharedObjectMessage second = a.one();
        assertThat(second.events()).containsExactly(new Change("topic", "bye"), new Change("n", 1.0));
        assertThat(second.version()).isEqualTo(3);

        // Setting a value a property already has only confirms.
        so.onMessage(a, a.msg("room", false, new RequestChange("n", 1.0)));
        assertThat(a.one().events()).containsExactly(new Success("n"));
        assertThat(b.take()).isEmpty();
        assertThat(so.list()).containsExactly(new SharedObjects.Info("room", false, 3, 2, 2,
                so.list().get(0).bytes()));
    }

    @Test
    void useSyncsNewcomersInOneMessageAndPersistentCurrentCopiesAreNotResent() {
        SharedObjects so = store();
        FakeSoClient a = new FakeSoClient("a", false);
        so.onMessage(a, a.use("doc", true, 0));
        so.onMessage(a, a.msg("doc", true, new RequestChange("x", 1.0), new RequestChange("y", "two")));
        a.take();

        FakeSoClient b = new FakeSoClient("b", false);
        so.onMessage(b, b.use("doc", true, 0));
        SharedObjectMessage sync = b.one();
        assertThat(sync.events()).containsExactly(new UseSuccess(), new Clear(), new Change("x", 1.0),
                new Change("y", "two"));
        assertThat(sync.version()).isEqualTo(2);
        assertThat(sync.persistent()).isTrue();

        // A client whose own copy is at the current version only hears that the Use worked; a stale one is synced.
        FakeSoClient c = new FakeSoClient("c", false);
        so.onMessage(c, c.use("doc", true, 2));
        assertThat(c.one().events()).containsExactly(new UseSuccess());
        FakeSoClient d = new FakeSoClient("d", false);
        so.onMessage(d, d.use("doc", true, 1));
        assertThat(d.one().events()).hasSize(4);
    }

    @Test
    void sendReachesEverySubscriberTheSenderTooAndTheListenerOnTheExecutor() {
        SharedObjects so = store();
        SharedObject api = so.get("room", false);
        List<String> heard = new ArrayList<>();
        api.addListener(new SharedObject.Listener() {
            @Override
            public void onMessage(Client client, String handler, List<Object> args) {
                heard.add(client.id() + ":" + handler + args);
            }
        });
        FakeSoClient a = new FakeSoClient("a", false);
        FakeSoClient b = new FakeSoClient("b", true);
        so.onMessage(a, a.use("room", false, 0));
        so.onMessage(b, b.use("room", false, 0));
        a.take();
        b.take();

        so.onMessage(a, a.msg("room", false, new SendMessage("say", Arrays.asList("hi", 3))));
        SendMessage expected = new SendMessage("say", Arrays.asList("hi", 3.0)); // AMF3 integers become numbers
        assertThat(a.one().events()).containsExactly(expected);
        assertThat(b.one().events()).containsExactly(expected);
        assertThat(heard).as("listeners run on the instance executor").isEmpty();
        runTasks();
        assertThat(heard).containsExactly("a:say[hi, 3.0]");

        // The application's send reaches everyone; its listener does not hear its own message.
        api.send("notice", "server", 1);
        assertThat(a.one().events()).containsExactly(new SendMessage("notice", List.of("server", 1.0)));
        assertThat(b.one().events()).containsExactly(new SendMessage("notice", List.of("server", 1.0)));
        runTasks();
        assertThat(heard).hasSize(1);
    }

    @Test
    void releaseUnsubscribesAndAnUnusedTemporaryObjectIsDropped() {
        SharedObjects so = store();
        FakeSoClient a = new FakeSoClient("a", false);
        FakeSoClient b = new FakeSoClient("b", false);
        so.onMessage(a, a.use("tmp", false, 0));
        so.onMessage(b, b.use("tmp", false, 0));
        so.onMessage(a, a.msg("tmp", false, new RequestChange("k", "v")));
        so.onMessage(a, a.msg("tmp", false, new Release()));
        a.take();
        b.take();
        so.onMessage(b, b.msg("tmp", false, new RequestChange("k", "w")));
        assertThat(a.take()).as("a released the object").isEmpty();
        assertThat(so.list()).singleElement().satisfies(i -> assertThat(i.subscribers()).isEqualTo(1));

        so.clientLeft(b);
        assertThat(so.list()).isEmpty();
        // It starts anew.
        so.onMessage(a, a.use("tmp", false, 0));
        assertThat(a.one().events()).containsExactly(new UseSuccess(), new Clear());

        // One the application holds stays, with its data, when the clients are gone.
        so.get("kept", false).set("k", "v");
        so.onMessage(a, a.use("kept", false, 0));
        so.onMessage(a, a.msg("kept", false, new Release()));
        assertThat(so.list()).extracting(SharedObjects.Info::name).contains("kept");
        assertThat(so.get("kept", false).get("k")).isEqualTo("v");
    }

    @Test
    void requestRemoveGoesToEveryoneAndTheListenerHearsNull() {
        SharedObjects so = store();
        List<String> heard = new ArrayList<>();
        so.get("room", false).addListener(new SharedObject.Listener() {
            @Override
            public void onChange(Client client, String property, Object value) {
                heard.add(client.id() + ":" + property + "=" + value);
            }
        });
        FakeSoClient a = new FakeSoClient("a", false);
        FakeSoClient b = new FakeSoClient("b", false);
        so.onMessage(a, a.use("room", false, 0));
        so.onMessage(b, b.use("room", false, 0));
        so.onMessage(a, a.msg("room", false, new RequestChange("k", "v")));
        a.take();
        b.take();
        so.onMessage(b, b.msg("room", false, new RequestRemove("k")));
        assertThat(a.one().events()).containsExactly(new Remove("k"));
        SharedObjectMessage toB = b.one();
        assertThat(toB.events()).containsExactly(new Remove("k"));
        assertThat(toB.version()).isEqualTo(2);
        // Removing what is not there only confirms to the requester.
        so.onMessage(b, b.msg("room", false, new RequestRemove("nothing")));
        assertThat(b.one().events()).containsExactly(new Remove("nothing"));
        assertThat(a.take()).isEmpty();
        runTasks();
        assertThat(heard).containsExactly("a:k=v", "b:k=null");
    }

    @Test
    void persistentObjectsSurviveInFilesWithSafeNames() throws Exception {
        SharedObjects first = store();
        FakeSoClient a = new FakeSoClient("a", true);
        so(first, a, "rooms/../lobby", new RequestChange("topic", "hi"),
                new RequestChange("n", 42),
                new RequestChange("blob", new byte[] {1, 2, 3}),
                new RequestChange("when", new Date(1_700_000_000_000L)),
                new RequestChange("users", AmfObject.of("alice", List.of(true, "x"))));
        SharedObject serverSide = first.get("rooms/../lobby", true);
        serverSide.remove("n");
        long version = serverSide.version();
        assertThat(version).isEqualTo(6);
        first.close();

        try (Stream<Path> files = Files.list(dir)) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            assertThat(names).containsExactly("rooms%2F%2E%2E%2Flobby.mso");
        }

        SharedObjects second = store();
        SharedObject again = second.get("rooms/../lobby", true);
        assertThat(again.version()).isEqualTo(version);
        Map<String, Object> props = again.properties();
        assertThat(props).containsOnlyKeys("topic", "blob", "when", "users");
        assertThat(props.get("topic")).isEqualTo("hi");
        assertThat((byte[]) props.get("blob")).containsExactly(1, 2, 3);
        assertThat(props.get("when")).isEqualTo(new Date(1_700_000_000_000L));
        assertThat(props.get("users")).isEqualTo(AmfObject.of("alice", List.of(true, "x")));

        // A client that kept its copy at this version is not sent it again.
        FakeSoClient b = new FakeSoClient("b", false);
        second.onMessage(b, b.use("rooms/../lobby", true, version));
        assertThat(b.one().events()).containsExactly(new UseSuccess());
    }

    @Test
    void aPersistentObjectIsSavedWhenDroppedAndReadBackFromMemoryOrDisk() {
        SharedObjects so = store();
        FakeSoClient a = new FakeSoClient("a", false);
        so(so, a, "p", new RequestChange("k", "v"));
        so.onMessage(a, a.msg("p", true, new Release()));
        assertThat(so.list()).isEmpty();
        // Back before the write: the pending copy is used.
        so(so, a, "p");
        assertThat(so.get("p", true).get("k")).isEqualTo("v");
        so.flush();
        assertThat(Files.exists(dir.resolve("p.mso"))).isTrue();
    }

    @Test
    void aCorruptFileGivesAnEmptyObjectAndIsKeptAside() throws Exception {
        Files.write(dir.resolve("bad.mso"), "MSO1 this is not what was written".getBytes());
        byte[] valid = SoFiles.encode("other", 3, Map.of("k", "v"));
        valid[valid.length - 1] ^= 1; // a flipped bit
        Files.write(dir.resolve("flipped.mso"), valid);
        Files.write(dir.resolve("short.mso"), Arrays.copyOf(SoFiles.encode("short", 3, Map.of("k", "v")), 20));
        Files.write(dir.resolve("theft.mso"), SoFiles.encode("other", 3, Map.of("k", "v")));

        SharedObjects so = store();
        for (String name : List.of("bad", "flipped", "short", "theft")) {
            SharedObject o = so.get(name, true);
            assertThat(o.properties()).as(name).isEmpty();
            assertThat(o.version()).isZero();
            assertThat(Files.exists(dir.resolve(name + ".mso.corrupt"))).as(name).isTrue();
        }
        so.get("bad", true).set("k", "fresh");
        so.flush();
        SharedObjects again = store();
        assertThat(again.get("bad", true).get("k")).isEqualTo("fresh");
    }

    @Test
    void fileNamesCannotLeaveTheFolder() {
        assertThat(SoFiles.fileName("..")).isEqualTo("%2E%2E.mso");
        assertThat(SoFiles.fileName("a/b\\c")).isEqualTo("a%2Fb%5Cc.mso");
        assertThat(SoFiles.fileName("é")).isEqualTo("%C3%A9.mso");
        String longName = SoFiles.fileName("x".repeat(5000));
        assertThat(longName).hasSizeLessThan(200).startsWith("x".repeat(120) + "~").endsWith(".mso");
        assertThat(SoFiles.fileName("x".repeat(5001))).isNotEqualTo(longName);
    }

    @Test
    void theOtherPersistenceIsABadPersistenceStatus() {
        SharedObjects so = store();
        FakeSoClient a = new FakeSoClient("a", false);
        so.onMessage(a, a.use("room", false, 0));
        a.take();
        FakeSoClient b = new FakeSoClient("b", false);
        so.onMessage(b, b.use("room", true, 0));
        SharedObjectMessage refused = b.one();
        assertThat(refused.events()).containsExactly(status(SharedObjects.BAD_PERSISTENCE));
        assertThat(refused.name()).isEqualTo("room");
        assertThat(so.list()).singleElement().satisfies(i -> {
            assertThat(i.persistent()).isFalse();
            assertThat(i.subscribers()).isEqualTo(1);
        });
        assertThatThrownBy(() -> so.get("room", true)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aReadOnlyObjectRefusesAndUndoesClientChanges() {
        SharedObjects so = store();
        SharedObject api = so.get("ro", false);
        api.set("k", "server");
        api.setClientWritable(false);
        FakeSoClient a = new FakeSoClient("a", false);
        FakeSoClient b = new FakeSoClient("b", false);
        so.onMessage(a, a.use("ro", false, 0));
        so.onMessage(b, b.use("ro", false, 0));
        a.take();
        b.take();

        so.onMessage(a, a.msg("ro", false, new RequestChange("k", "mine"), new RequestChange("new", 1.0),
                new RequestRemove("k")));
        assertThat(a.one().events()).containsExactly(
                status(SharedObjects.NO_WRITE_ACCESS), new Change("k", "server"),
                status(SharedObjects.NO_WRITE_ACCESS), new Remove("new"),
                status(SharedObjects.NO_WRITE_ACCESS), new Change("k", "server"));
        assertThat(b.take()).isEmpty();
        assertThat(api.get("k")).isEqualTo("server");
        assertThat(api.version()).isEqualTo(1);
    }

    @Test
    void changesMadeWhileLockedGoOutInOneMessageAndClientRequestsWait() {
        SharedObjects so = store();
        SharedObject api = so.get("board", false);
        FakeSoClient a = new FakeSoClient("a", false);
        FakeSoClient b = new FakeSoClient("b", true);
        so.onMessage(a, a.use("board", false, 0));
        so.onMessage(b, b.use("board", false, 0));
        a.take();
        b.take();

        api.lock();
        api.lock();
        api.set("x", 1);
        api.set("y", 2);
        api.remove("x");
        so.onMessage(a, a.msg("board", false, new RequestChange("z", 3.0)));
        api.unlock();
        assertThat(a.take()).isEmpty();
        assertThat(b.take()).isEmpty();
        assertThat(api.get("z")).as("the client's request waits").isNull();
        api.unlock();

        List<SharedObjectMessage> toA = a.take();
        assertThat(toA).hasSize(2);
        assertThat(toA.get(0).events()).containsExactly(new Change("x", 1.0), new Change("y", 2.0), new Remove("x"));
        assertThat(toA.get(0).version()).isEqualTo(3);
        assertThat(toA.get(1).events()).containsExactly(new Success("z"));
        assertThat(toA.get(1).version()).isEqualTo(4);
        List<SharedObjectMessage> toB = b.take();
        assertThat(toB).extracting(SharedObjectMessage::events).containsExactly(
                List.of(new Change("x", 1.0), new Change("y", 2.0), new Remove("x")), List.of(new Change("z", 3.0)));
        assertThat(api.properties()).containsExactly(Map.entry("y", 2.0), Map.entry("z", 3.0));
        assertThatThrownBy(api::unlock).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void amf0AndAmf3SubscribersEachGetTheirOwnEncoding() {
        SharedObjects so = store();
        FakeSoClient zero = new FakeSoClient("zero", false);
        FakeSoClient three = new FakeSoClient("three", true);
        so.onMessage(zero, zero.use("mixed", false, 0));
        so.onMessage(three, three.use("mixed", false, 0));
        assertThat(zero.one().amf3()).isFalse();
        assertThat(three.one().amf3()).isTrue();

        so.onMessage(three, three.msg("mixed", false, new RequestChange("n", 7), // an AMF3 integer
                new RequestChange("bytes", new byte[] {9})));
        SharedObjectMessage toZero = zero.one();
        SharedObjectMessage toThree = three.one();
        assertThat(toZero.amf3()).isFalse();
        assertThat(toThree.amf3()).isTrue();
        assertThat(((Change) toZero.events().get(0)).value()).isEqualTo(7.0);
        so.get("mixed", false).set("s", "both");
        for (SharedObjectMessage m : List.of(toZero, toThree, zero.one(), three.one())) {
            ByteBuf out = Unpooled.buffer();
            try {
                SharedObjectCodec.encode(m, out);
                assertThat(SharedObjectCodec.decode(out, m.amf3()).events()).hasSameSizeAs(m.events());
            } finally {
                out.release();
            }
        }
        assertThat(so.get("mixed", false).get("n")).isEqualTo(7.0);
    }

    @Test
    void clientsAreBoundedByTheLimits() {
        SharedObjectLimits limits = new SharedObjectLimits(2, 2, 2, 64, 200, 1000, 4, 2);
        SharedObjects so = store(limits);
        FakeSoClient a = new FakeSoClient("a", false);
        so.onMessage(a, a.use("one", false, 0));
        so.onMessage(a, a.use("two", false, 0));
        a.take();
        // A third object: too many objects (and subscriptions).
        so.onMessage(a, a.use("three", false, 0));
        assertThat(a.one().events()).containsExactly(status(SharedObjects.CREATION_FAILED));
        assertThat(so.list()).hasSize(2);

        // Properties: two at most, each value 64 bytes at most.
        so.onMessage(a, a.msg("one", false, new RequestChange("p1", 1.0), new RequestChange("p2", 2.0),
                new RequestChange("p3", 3.0), new RequestChange("p1", "y".repeat(100))));
        assertThat(a.one().events()).containsExactly(new Success("p1"), new Success("p2"),
                status(SharedObjects.NO_WRITE_ACCESS), new Remove("p3"),
                status(SharedObjects.NO_WRITE_ACCESS), new Change("p1", 1.0));
        // A message over its event bound: the client is disconnected.
        so.onMessage(a, a.msg("one", false, new RequestChange("a", 1.0), new RequestChange("b", 1.0),
                new RequestChange("c", 1.0), new RequestChange("d", 1.0), new RequestChange("e", 1.0)));
        assertThat(a.disconnected).isTrue();
        assertThat(a.take()).isEmpty();
        // A value that shares its parts is measured as written out: refused, not expanded.
        List<Object> shared = new ArrayList<>(List.of("z".repeat(30)));
        List<Object> twice = List.of(shared, shared, shared);
        FakeSoClient b = new FakeSoClient("b", false);
        so.onMessage(b, b.use("two", false, 0));
        b.take();
        so.onMessage(b, b.msg("two", false, new RequestChange("big", twice)));
        assertThat(b.one().events()).containsExactly(status(SharedObjects.NO_WRITE_ACCESS), new Remove("big"));
        // Requests before Use are ignored; nothing is created.
        FakeSoClient c = new FakeSoClient("c", false);
        so.onMessage(c, c.msg("ghost", false, new RequestChange("k", 1.0)));
        assertThat(c.take()).isEmpty();
        assertThat(so.list()).extracting(SharedObjects.Info::name).containsExactly("one", "two");
    }

    @Test
    void theApplicationGetsCopiesAndPlainValues() {
        SharedObjects so = store();
        SharedObject api = so.get("v", false);
        Map<String, Object> nested = new java.util.HashMap<>(Map.of("a", 1));
        api.set("m", nested);
        nested.put("b", 2); // the caller's map is not the stored one
        @SuppressWarnings("unchecked")
        Map<String, Object> got = (Map<String, Object>) api.get("m");
        assertThat(got).isEqualTo(Map.of("a", 1.0));
        got.put("c", 3); // nor is the one handed out
        assertThat(api.get("m")).isEqualTo(Map.of("a", 1.0));
        assertThat(api.version()).isEqualTo(1);
        api.set("m", null);
        assertThat(api.properties()).isEmpty();
        assertThat(api.version()).isEqualTo(2);
        assertThatThrownBy(() -> api.set("t", new Object())).isInstanceOf(IllegalArgumentException.class);
        List<Object> cyclic = new ArrayList<>();
        cyclic.add(cyclic);
        assertThatThrownBy(() -> api.set("t", cyclic)).isInstanceOf(IllegalArgumentException.class);
        assertThat(api.version()).isEqualTo(2);
        api.set("a", 1);
        api.set("b", 2);
        FakeSoClient a = new FakeSoClient("a", false);
        so.onMessage(a, a.use("v", false, 0));
        a.take();
        api.clear();
        assertThat(a.one().events()).containsExactly(new Remove("a"), new Remove("b"));
        assertThat(api.subscribers()).extracting(Client::id).containsExactly("a");
        so.clientLeft(a);
        assertThat(api.subscribers()).isEmpty();
    }

    @Test
    void changesFromManyThreadsReachSubscribersInVersionOrder() throws Exception {
        SharedObjects so = store();
        SharedObject api = so.get("busy", false);
        FakeSoClient a = new FakeSoClient("a", false);
        FakeSoClient b = new FakeSoClient("b", true);
        so.onMessage(a, a.use("busy", false, 0));
        so.onMessage(b, b.use("busy", false, 0));
        a.take();
        b.take();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int id = t;
            threads.add(new Thread(() -> {
                for (int i = 0; i < 500; i++) {
                    api.set("t" + id, (double) i);
                    if (id == 0) {
                        so.onMessage(a, a.msg("busy", false, new RequestChange("c", (double) i)));
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        long last = 0;
        List<SharedObjectMessage> toB = b.take();
        for (SharedObjectMessage m : toB) {
            assertThat(m.version()).isGreaterThan(last);
            last = m.version();
        }
        assertThat(toB).hasSize(2500);
        assertThat(last).isEqualTo(api.version()).isEqualTo(2500);
        assertThat(api.properties()).containsEntry("t3", 499.0).containsEntry("c", 499.0);
    }

    /** Uses a persistent object for {@code client} and applies {@code events}; clears what the client got. */
    private static void so(SharedObjects store, FakeSoClient client, String name, SharedObjectEvent... events) {
        store.onMessage(client, client.use(name, true, 0));
        if (events.length > 0) {
            store.onMessage(client, client.msg(name, true, events));
        }
        client.take();
    }
}
