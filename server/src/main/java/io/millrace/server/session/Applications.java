package io.millrace.server.session;

import io.millrace.server.app.AppHost;
import io.millrace.server.app.AppRuntime;
import io.millrace.server.config.ServerConfig;
import io.millrace.server.security.AccessControl;
import io.millrace.server.swf.SwfVerifier;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The applications this server runs, by name (the first path segment of the connect URL). */
public final class Applications {
    private final Map<String, Application> byName;
    private final Map<String, AccessControl> access;
    private final Map<String, SwfVerifier> swfVerifiers;
    private final Map<String, AppHost> hosts;

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
        this(byName, access, swfVerifiers, builtIn(byName));
    }

    /**
     * @param hosts each application's host: its code and instances (one per application of {@code byName})
     */
    public Applications(Map<String, Application> byName, Map<String, AccessControl> access,
                        Map<String, SwfVerifier> swfVerifiers, Map<String, AppHost> hosts) {
        this.byName = Map.copyOf(byName);
        this.access = Map.copyOf(access);
        this.swfVerifiers = Map.copyOf(swfVerifiers);
        this.hosts = Map.copyOf(hosts);
        if (!this.hosts.keySet().equals(this.byName.keySet())) {
            throw new IllegalArgumentException("hosts " + this.hosts.keySet() + " for applications " + this.byName.keySet());
        }
    }

    /** Hosts without code for each application (servers built by hand: tests). */
    private static Map<String, AppHost> builtIn(Map<String, Application> byName) {
        Map<String, AppHost> h = new java.util.LinkedHashMap<>();
        byName.forEach((name, app) -> h.put(name, new AppHost(new ServerConfig.ApplicationConfig(name,
                app.type().equals("vod") ? ServerConfig.AppType.VOD : ServerConfig.AppType.LIVE),
                AppRuntime.shared(), Path.of(System.getProperty("java.io.tmpdir"), "millrace-apps"),
                AppHost.Extensions.NONE)));
        return h;
    }

    /** The host of an application (its code and instances). */
    public AppHost host(String app) {
        AppHost h = hosts.get(app);
        if (h == null) {
            throw new IllegalArgumentException("no application " + app);
        }
        return h;
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
