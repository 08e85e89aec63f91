package io.millrace.server.session;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The applications this server runs, by name (the first path segment of the connect URL). */
public final class Applications {
    private final Map<String, Application> byName;

    public Applications(Map<String, Application> byName) {
        this.byName = Map.copyOf(byName);
    }

    public Optional<Application> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Set<String> names() {
        return byName.keySet();
    }
}
