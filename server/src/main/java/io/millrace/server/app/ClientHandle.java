package io.millrace.server.app;

import io.millrace.api.Client;
import io.millrace.api.Instance;
import io.millrace.server.session.RtmpSession;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/** A connection as the application sees it: read-only facts taken at connect, and calls handed to its event loop. */
public final class ClientHandle implements Client {
    private final RtmpSession session;
    private final AppInstance instance;
    private final List<Object> parameters;
    private final Map<String, Object> attributes = new ConcurrentHashMap<>();
    private final String agent;
    private final String uri;
    private final String pageUrl;
    private final String referrer;
    /** This client as its instance's shared objects see it (one per connection: they key on identity). */
    private final io.millrace.server.so.SoClient soClient = new io.millrace.server.so.SoClient() {
        @Override
        public void send(io.millrace.rtmp.so.SharedObjectMessage m) {
            session.channel().writeAndFlush(m);
        }

        @Override
        public boolean amf3() {
            return session.objectEncoding() == 3;
        }

        @Override
        public Client api() {
            return ClientHandle.this;
        }
    };

    public ClientHandle(RtmpSession session, AppInstance instance, List<Object> connectArguments) {
        this.session = session;
        this.instance = instance;
        List<Object> p = new ArrayList<>(connectArguments.size());
        for (Object a : connectArguments) {
            p.add(AmfValues.toJava(a));
        }
        this.parameters = java.util.Collections.unmodifiableList(p);
        var props = session.connectProperties();
        this.agent = props.getString("flashVer");
        this.uri = props.getString("tcUrl");
        this.pageUrl = props.getString("pageUrl");
        this.referrer = props.getString("swfUrl");
    }

    io.millrace.server.so.SoClient soClient() {
        return soClient;
    }

    RtmpSession session() {
        return session;
    }

    @Override
    public String id() {
        return session.clientId();
    }

    @Override
    public Instance instance() {
        return instance;
    }

    @Override
    public String ip() {
        return session.ip();
    }

    @Override
    public String protocol() {
        return session.protocol();
    }

    @Override
    public String agent() {
        return agent;
    }

    @Override
    public String uri() {
        return uri;
    }

    @Override
    public String pageUrl() {
        return pageUrl;
    }

    @Override
    public String referrer() {
        return referrer;
    }

    @Override
    public String query() {
        return session.target().query();
    }

    @Override
    public int objectEncoding() {
        return session.objectEncoding();
    }

    @Override
    public List<Object> parameters() {
        return parameters;
    }

    @Override
    public Map<String, Object> attributes() {
        return attributes;
    }

    @Override
    public CompletionStage<Object> call(String method, Object... args) {
        Object[] amf = toAmf(args);
        CompletableFuture<Object> answer = session.callWithAnswer(method, amf);
        // Continuations run on the instance's executor, like every other application callback.
        return answer.thenApplyAsync(Function.identity(), instance.executor());
    }

    @Override
    public void send(String method, Object... args) {
        session.callClientAnyThread(method, toAmf(args));
    }

    private static Object[] toAmf(Object[] args) {
        Object[] amf = new Object[args == null ? 0 : args.length];
        for (int i = 0; i < amf.length; i++) {
            amf[i] = AmfValues.toAmf(args[i]);
        }
        return amf;
    }

    @Override
    public void disconnect() {
        session.disconnectByApplication();
    }

    @Override
    public boolean isConnected() {
        return session.channel().isActive();
    }

    @Override
    public String toString() {
        return "client " + id() + " " + ip();
    }
}
