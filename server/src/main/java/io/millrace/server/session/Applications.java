package io.millrace.server.session;

import io.millrace.server.security.AccessControl;
import io.millrace.server.swf.SwfVerifier;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The applications this server runs, by name (the first path segment of the connect URL). */
public final class Applications {
    private final Map<String, Application> byName;
    private final Map<String, AccessControl> access;
    private final Map<String, SwfVerifier> swfVerifiers;

    /** Applications open to everyone, none of which verifies SWFs. */
    public Applications(Map<String, Application> byName) {
        this(byName, Map.of(), Map.of());
    }

    /**
     * @param access       each application's access rules (an application without an entry is open)
     * @param swfVerifiers the SWF verification of the applications that have it on, by name
     */
    public Applications(Map<String, Application> byName, Map<String, AccessControl> access,
                        Map<String, SwfVerifier> swfVerifiers) {
        this.byName = Map.copyOf(byName);
        this.access = Map.copyOf(access);
        this.swfVerifiers = Map.copyOf(swfVerifiers);
    }

    /** The access rules of an application (open when it has none). */
    public AccessControl access(String app) {
        AccessControl a = access.get(app);
        return a != null ? a : AccessControl.open(app);
    }

    /** The application's SWF verification, or null when it is off. */
    public SwfVerifier swfVerifier(String name) {
        return swfVerifiers.get(name);
    }

    public Optional<Application> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Set<String> names() {
        return byName.keySet();
    }
}
