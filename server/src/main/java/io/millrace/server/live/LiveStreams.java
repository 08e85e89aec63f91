package io.millrace.server.live;

import io.millrace.server.config.ServerConfig;

import java.util.HashMap;
import java.util.Map;

/**
 * The live streams of one application, by instance and name. A stream exists while a publisher or a viewer
 * holds it; acquiring and releasing are rare (publish, play, stop) and take this registry's lock, which is
 * always taken before a stream's.
 */
final class LiveStreams {
    private final ServerConfig.Live config;
    private final Map<String, LiveStream> byKey = new HashMap<>();

    LiveStreams(ServerConfig.Live config) {
        this.config = config;
    }

    static String key(String instance, String name) {
        return instance + "/" + name;
    }

    synchronized LiveStream acquire(String instance, String name) {
        String key = key(instance, name);
        LiveStream s = byKey.computeIfAbsent(key, k -> new LiveStream(k, name, config));
        s.users++;
        return s;
    }

    synchronized void release(LiveStream s) {
        if (--s.users <= 0 && byKey.get(s.key) == s) {
            byKey.remove(s.key);
            s.dispose();
        }
    }

    /** Every stream now (a copy), with its instance. */
    synchronized java.util.List<LiveStream> all() {
        return new java.util.ArrayList<>(byKey.values());
    }

    /** The stream if it exists and is being published, else null (not acquired). */
    synchronized LiveStream published(String instance, String name) {
        LiveStream s = byKey.get(key(instance, name));
        return s != null && s.isPublishing() ? s : null;
    }
}
