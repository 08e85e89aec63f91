package io.millrace.server.so;

import io.millrace.api.Client;
import io.millrace.api.Instance;
import io.millrace.rtmp.so.SharedObjectEvent;
import io.millrace.rtmp.so.SharedObjectMessage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/** A client that records what it is sent. */
final class FakeSoClient implements SoClient {
    final String id;
    final boolean amf3;
    final List<SharedObjectMessage> received = new ArrayList<>();
    volatile boolean disconnected;
    private final Client api = new Api();

    FakeSoClient(String id, boolean amf3) {
        this.id = id;
        this.amf3 = amf3;
    }

    @Override
    public synchronized void send(SharedObjectMessage m) {
        received.add(m);
    }

    @Override
    public boolean amf3() {
        return amf3;
    }

    @Override
    public Client api() {
        return api;
    }

    /** The messages received since the last call. */
    synchronized List<SharedObjectMessage> take() {
        List<SharedObjectMessage> out = new ArrayList<>(received);
        received.clear();
        return out;
    }

    /** The one message received since the last call. */
    SharedObjectMessage one() {
        List<SharedObjectMessage> all = take();
        if (all.size() != 1) {
            throw new AssertionError(id + " received " + all.size() + " messages, not one: " + all);
        }
        return all.get(0);
    }

    SharedObjectMessage use(String name, boolean persistent, long version) {
        return new SharedObjectMessage(name, version, persistent, List.of(new SharedObjectEvent.Use()), amf3);
    }

    SharedObjectMessage msg(String name, boolean persistent, SharedObjectEvent... events) {
        return new SharedObjectMessage(name, 0, persistent, List.of(events), amf3);
    }

    @Override
    public String toString() {
        return id;
    }

    private final class Api implements Client {
        private final Map<String, Object> attributes = new ConcurrentHashMap<>();

        @Override
        public String id() {
            return id;
        }

        @Override
        public Instance instance() {
            return null;
        }

        @Override
        public String ip() {
            return "127.0.0.1";
        }

        @Override
        public String protocol() {
            return "rtmp";
        }

        @Override
        public String agent() {
            return "LNX 9,0,124,2";
        }

        @Override
        public String uri() {
            return "rtmp://localhost/app";
        }

        @Override
        public String pageUrl() {
            return null;
        }

        @Override
        public String referrer() {
            return null;
        }

        @Override
        public String query() {
            return null;
        }

        @Override
        public int objectEncoding() {
            return amf3 ? 3 : 0;
        }

        @Override
        public List<Object> parameters() {
            return List.of();
        }

        @Override
        public Map<String, Object> attributes() {
            return attributes;
        }

        @Override
        public CompletionStage<Object> call(String method, Object... args) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void send(String method, Object... args) {
        }

        @Override
        public void disconnect() {
            disconnected = true;
        }

        @Override
        public boolean isConnected() {
            return !disconnected;
        }

        @Override
        public String toString() {
            return id;
        }
    }
}
