package io.millrace.server.session;

import io.millrace.server.security.AccessControl;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The applications this server runs, by name (the first path segment of the connect URL). */
public final class Applications {
    private final Map<String, Application> byName;
    private final Map<String, AccessControl> access;

    public Applications(Map<String, Application> byName) {
        this(byName, Map.of());
    }

    /** With each application's access rules (an application without an entry is open). */
    public Applications(Map<String, Application> byName, Map<String, AccessControl> access) {
        this.byName = Map.copyOf(byName);
        this.access = Map.copyOf(access);
    }

    /** The access rules of an application (open when it has none). */
    public AccessControl access(String app) {
        AccessControl a = access.get(app);
        return a != null ? a : AccessControl.open(app);
    }

    public Optional<Application> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Set<String> names() {
        return byName.keySet();
    }
}
