package io.millrace.server.live;

import io.millrace.api.ServerStream;

import java.util.Collection;

/** A playlist's events as the application hears them, for tests: "start <file>" and "end", in order. */
public final class PlaylistEvents {
    private PlaylistEvents() {
    }

    public static ServerStream.Listener recorder(Collection<String> heard) {
        return new ServerStream.Listener() {
            @Override
            public void onItemStart(String file) {
                heard.add("start " + file);
            }

            @Override
            public void onPlaylistEnd() {
                heard.add("end");
            }
        };
    }
}
