package io.millrace.server.config;

import io.millrace.server.tls.PemFiles;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Loads the embedded defaults ({@code millrace-default.yaml}), lays an optional user file over them and
 * binds the result to {@link ServerConfig}. Every error names the key, the file and the line.
 */
public final class ConfigLoader {
    public static final String DEFAULTS_RESOURCE = "/millrace-default.yaml";
    /** The keys an application takes, after {@code applications.<name>.}. */
    private static final List<String> APPLICATION_KEYS = List.of("type", "class", "instanceIdleMillis", "preload",
            "swfVerification.enabled", "swfVerification.folders", "swfVerification.timeoutMillis",
            "swfVerification.userAgentExceptions");
    /** An application's own configuration file in its folder. */
    public static final String APP_FILE = "app.yaml";
    /** Sections an application may declare empty. */
    private static final Set<String> APPLICATION_SECTIONS = Set.of("", "swfVerification.");
    /** An application's SWF folder unless it names its own: FMS's {@code <app>/SWFs}, in the Millrace home. */
    public static final String DEFAULT_SWF_FOLDER = "apps/%s/SWFs";
    /** How long a connect waits for the SWF verification answer unless the application says otherwise. */
    public static final long DEFAULT_SWF_TIMEOUT_MILLIS = 5000;
    /** The keys under {@code applications.<name>.security.}, besides {@code adobeUsers.<user>}. */
    private static final Set<String> SECURITY_KEYS = Set.of("allowedHtmlDomains", "allowedSwfDomains", "adobeAuthAll",
            "doneCallback", "connect.allow", "connect.deny", "connect.callback", "publish.allow", "publish.deny",
            "publish.keys", "publish.tokenSecret", "publish.callback", "play.allow", "play.deny", "play.keys",
            "play.tokenSecret", "play.callback");
    private static final Pattern APP_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*");

    private ConfigLoader() {
    }

    /**
     * @param userFile the --config file, or null
     * @param home     folder against which the embedded defaults' relative paths resolve
     */
    public static ServerConfig load(Path userFile, Path home) {
        ConfigTree defaults = readDefaults();
        ConfigTree tree = defaults;
        Path userBase = home;
        if (userFile != null) {
            ConfigTree user;
            try (Reader r = Files.newBufferedReader(userFile, StandardCharsets.UTF_8)) {
                user = ConfigTree.parse(r, userFile.toString());
            } catch (IOException e) {
                throw new ConfigException(userFile + ": cannot read: " + e.getMessage());
            }
            checkKnownKeys(user, defaults);
            tree = defaults.overriddenBy(user);
            userBase = userFile.toAbsolutePath().getParent();
            return withAppFolders(defaults, user, home, userBase, userFile.toString());
        }
        return withAppFolders(defaults, new ConfigTree(), home, userBase, null);
    }

    /**
     * Binds defaults, then each {@code apps/<name>/app.yaml}, then the user's file (which may still override an
     * application's keys), and binds.
     */
    private static ServerConfig withAppFolders(ConfigTree defaults, ConfigTree user, Path home, Path userBase,
                                               String userSource) {
        ConfigTree base = defaults.overriddenBy(user);
        Path folder = path(base, "apps.folder", home, userBase, userSource);
        Map<String, AppFolder> folders = scanAppFolders(folder, defaults);
        ConfigTree tree = defaults;
        for (AppFolder f : folders.values()) {
            tree = tree.overriddenBy(f.tree());
        }
        return bind(tree.overriddenBy(user), home, userBase, userSource, folders);
    }

    /** One application folder: its path, its app.yaml as keys under applications.<name>., and its settings. */
    private record AppFolder(Path dir, ConfigTree tree, Map<String, Object> settings) {
    }

    private static Map<String, AppFolder> scanAppFolders(Path folder, ConfigTree defaults) {
        Map<String, AppFolder> found = new java.util.TreeMap<>();
        if (!Files.isDirectory(folder)) {
            return found;
        }
        List<Path> dirs;
        try (var list = Files.list(folder)) {
            dirs = list.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new ConfigException(folder + ": cannot list the applications folder: " + e.getMessage());
        }
        for (Path dir : dirs) {
            Path file = dir.resolve(APP_FILE);
            if (!Files.isRegularFile(file)) {
                continue; // a folder of media or SWFs only, for an application defined elsewhere
            }
            String name = dir.getFileName().toString();
            if (!APP_NAME.matcher(name).matches()) {
                throw new ConfigException(file + ": the folder name '" + name
                        + "' is not an application name (letters, digits, '_', '-' and '.')");
            }
            String text;
            try {
                text = Files.readString(file, StandardCharsets.UTF_8); // read once: parsed as keys, then for settings
            } catch (IOException e) {
                throw new ConfigException(file + ": cannot read: " + e.getMessage());
            }
            ConfigTree own = ConfigTree.parse(new java.io.StringReader(text), file.toString(), Set.of("settings"));
            Map<String, Object> settings = Map.of();
            if (own.get("settings") != null) {
                Object doc = new org.yaml.snakeyaml.Yaml(new org.yaml.snakeyaml.constructor.SafeConstructor(
                        new org.yaml.snakeyaml.LoaderOptions())).load(text);
                Object raw = doc instanceof Map<?, ?> m ? m.get("settings") : null;
                if (raw != null && !(raw instanceof Map)) {
                    throw new ConfigException(file + " line " + own.get("settings").line()
                            + ": settings: expected a mapping of names to values");
                }
                settings = raw == null ? Map.of() : plain((Map<?, ?>) raw);
            }
            ConfigTree keys = new ConfigTree();
            own.entries().forEach((k, v) -> {
                if (!k.equals("settings")) {
                    keys.put(k, v);
                }
            });
            ConfigTree prefixed = keys.prefixed("applications." + name + ".");
            checkKnownKeys(prefixed, defaults);
            if (prefixed.get("applications." + name + ".type") == null) {
                // An application folder streams live by default, as any FMS application did.
                prefixed.put("applications." + name + ".type", new ConfigTree.Value("live", file.toString(), 1));
            }
            prefixed.put("applications." + name + ".", new ConfigTree.Value("", file.toString(), 1));
            found.put(name, new AppFolder(dir.toAbsolutePath().normalize(), prefixed, settings));
        }
        return found;
    }

    /** YAML settings as the application API's values: maps with string keys, lists, strings, numbers, booleans. */
    private static Map<String, Object> plain(Map<?, ?> m) {
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), plainValue(v)));
        return out;
    }

    private static Object plainValue(Object v) {
        if (v instanceof Map<?, ?> m) {
            return plain(m);
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(x -> out.add(plainValue(x)));
            return out;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v == null || v instanceof String || v instanceof Boolean) {
            return v;
        }
        return v.toString(); // dates and the like: as written
    }

    /** Parses a configuration given as text (tests). */
    public static ServerConfig loadText(String yaml, String source, Path home) {
        ConfigTree defaults = readDefaults();
        ConfigTree user = ConfigTree.parse(new java.io.StringReader(yaml), source);
        checkKnownKeys(user, defaults);
        ConfigTree base = defaults.overriddenBy(user);
        if (user.get("apps.folder") != null) {
            return withAppFolders(defaults, user, home, home, source);
        }
        return bind(base, home, home, source, Map.of());
    }

    private static ConfigTree readDefaults() {
        try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("embedded defaults " + DEFAULTS_RESOURCE + " missing from the jar");
            }
            return ConfigTree.parse(new InputStreamReader(in, StandardCharsets.UTF_8), "embedded defaults");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void checkKnownKeys(ConfigTree user, ConfigTree defaults) {
        for (Map.Entry<String, ConfigTree.Value> e : user.entries().entrySet()) {
            String key = e.getKey();
            if (key.startsWith("applications.")) {
                String[] parts = key.split("\\.", -1);
                if (parts.length >= 4 && parts[2].equals("security")) {
                    String rest = key.substring(("applications." + parts[1] + ".security.").length());
                    boolean section = rest.isEmpty() || rest.endsWith(".")
                            && (rest.equals("adobeUsers.") || SECURITY_KEYS.stream().anyMatch(k -> k.startsWith(rest)));
                    boolean adobeUser = parts.length == 5 && parts[3].equals("adobeUsers") && !parts[4].isEmpty();
                    if (SECURITY_KEYS.contains(rest) || section || adobeUser) {
                        continue;
                    }
                    throw new ConfigException(e.getValue().where() + ": " + key + ": unknown key (security takes: "
                            + String.join(", ", new java.util.TreeSet<>(SECURITY_KEYS)) + ", adobeUsers.<user>)");
                }
                String rest = parts.length >= 3 ? key.substring(("applications." + parts[1] + ".").length()) : null;
                if (rest != null && (APPLICATION_SECTIONS.contains(rest) || APPLICATION_KEYS.contains(rest))) {
                    if (!APP_NAME.matcher(parts[1]).matches()) {
                        throw new ConfigException(e.getValue().where() + ": applications." + parts[1]
                                + ": an application name may hold letters, digits, '_', '-' and '.'");
                    }
                    continue;
                }
                throw new ConfigException(e.getValue().where() + ": " + key + ": unknown key (an application takes: "
                        + String.join(", ", APPLICATION_KEYS) + ")");
            }
            if (defaults.get(key) == null) {
                throw new ConfigException(e.getValue().where() + ": " + key + ": unknown key");
            }
        }
    }

    private static ServerConfig bind(ConfigTree t, Path home, Path userBase, String userSource,
                                     Map<String, AppFolder> folders) {
        ServerConfig.Rtmp rtmp = new ServerConfig.Rtmp(
                string(t, "rtmp.bind"),
                (int) integer(t, "rtmp.port", 0, 65535),
                (int) integer(t, "rtmp.chunkSize", 128, 0xFFFFFF),
                integer(t, "rtmp.windowAckSize", 1, 0x7FFFFFFF),
                integer(t, "rtmp.peerBandwidth", 1, 0x7FFFFFFF),
                (int) integer(t, "rtmp.maxMessageSize", 1024, 0xFFFFFF),
                integer(t, "rtmp.handshakeTimeoutMillis", 100, 600_000),
                integer(t, "rtmp.connectTimeoutMillis", 100, 3_600_000),
                (int) integer(t, "rtmp.writeBufferHighWaterMark", 8192, 64 << 20),
                integer(t, "rtmp.pingIntervalMillis", 0, 3_600_000),
                (int) integer(t, "rtmp.maxChunkSize", 128, 0x7FFFFFFF),
                (int) integer(t, "rtmp.maxStreamsPerConnection", 1, 65_536),
                integer(t, "rtmp.idleTimeoutMillis", 0, 86_400_000),
                (int) integer(t, "rtmp.maxConnections", 0, 10_000_000),
                (int) integer(t, "rtmp.maxConnectionsPerIp", 0, 10_000_000),
                (int) integer(t, "rtmp.maxConnectionRatePerIp", 0, 1_000_000));
        ServerConfig.Rtmps rtmps = rtmps(t, rtmp, home, userBase, userSource);
        ServerConfig.Http http = new ServerConfig.Http(string(t, "http.bind"), (int) integer(t, "http.port", 0, 65535),
                string(t, "http.adminUser"), required(t, "http.adminPassword").text());
        ServerConfig.Vod vod = new ServerConfig.Vod(
                integer(t, "vod.bufferLeadMillis", 0, 600_000),
                integer(t, "vod.defaultBufferMillis", 0, 600_000),
                (int) integer(t, "vod.indexCacheEntries", 1, 1_000_000),
                integer(t, "vod.indexCacheMegabytes", 1, 1L << 30));
        String record = string(t, "live.record");
        if (!Set.of("off", "record", "append").contains(record)) {
            throw new ConfigException(t.get("live.record").where() + ": live.record: '" + record
                    + "' is not one of off, record, append");
        }
        ServerConfig.Live live = new ServerConfig.Live(
                bool(t, "live.gopCache"),
                integer(t, "live.gopCacheMaxMillis", 0, 600_000),
                integer(t, "live.queueMillis", 100, 600_000),
                integer(t, "live.writeMergeMillis", 0, 10_000),
                integer(t, "live.idleTimeoutMillis", 0, 86_400_000),
                record);
        Map<String, ServerConfig.ApplicationConfig> apps = new LinkedHashMap<>();
        for (String name : t.childNames("applications")) {
            ConfigTree.Value type = t.get("applications." + name + ".type");
            if (type == null) {
                ConfigTree.Value decl = t.get("applications." + name + ".");
                throw new ConfigException((decl != null ? decl.where() + ": " : "") + "applications." + name
                        + ".type: missing (one of: vod, live)");
            }
            ServerConfig.AppType appType;
            try {
                appType = ServerConfig.AppType.valueOf(type.text().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(type.where() + ": applications." + name + ".type: unknown application type '"
                        + type.text() + "' (one of: vod, live)");
            }
            apps.put(name, new ServerConfig.ApplicationConfig(name, appType, security(t, "applications." + name + ".security."),
                    swfVerification(t, name, home, userBase, userSource), hosting(t, name, folders.get(name))));
        }
        ServerConfig.SwfVerificationSettings swfSettings = new ServerConfig.SwfVerificationSettings(
                bool(t, "swfVerification.disableAll"),
                integer(t, "swfVerification.rescanIntervalMillis", 0, 86_400_000));
        long maxRate = integer(t, "bandwidthDetection.maxRateKbps", -1, 100_000_000);
        if (maxRate == 0) {
            throw new ConfigException(t.get("bandwidthDetection.maxRateKbps").where()
                    + ": bandwidthDetection.maxRateKbps: 0 would never send; use -1 for no limit");
        }
        ServerConfig.BandwidthDetection detection = new ServerConfig.BandwidthDetection(
                bool(t, "bandwidthDetection.enabled"),
                bool(t, "bandwidthDetection.onConnect"),
                // At most 64 KiB: blocks grow to 64 times it, and an RTMP message holds at most 16 MiB.
                (int) integer(t, "bandwidthDetection.dataSize", 1024, 64 << 10),
                integer(t, "bandwidthDetection.maxWaitMillis", 100, 60_000),
                maxRate);
        ServerConfig.Clients clients = new ServerConfig.Clients(
                integer(t, "clients.bandwidthLimitOut", 0, 1L << 40),
                integer(t, "clients.bandwidthLimitIn", 0, 1L << 40));
        ServerConfig.AccessLog accessLog = new ServerConfig.AccessLog(
                bool(t, "accessLog.enabled"),
                integer(t, "accessLog.rotateMegabytes", 1, 1 << 20),
                (int) integer(t, "accessLog.keepFiles", 1, 100_000));
        ServerConfig.Security security = new ServerConfig.Security(
                integer(t, "security.callbackTimeoutMillis", 100, 60_000),
                bool(t, "security.callbackFailOpen"));
        return new ServerConfig(rtmp, rtmps, http, path(t, "media", home, userBase, userSource),
                path(t, "data", home, userBase, userSource), vod, live, Map.copyOf(apps), detection, clients,
                accessLog, security, swfSettings, new ServerConfig.Apps(path(t, "apps.folder", home, userBase, userSource),
                integer(t, "apps.reloadCheckMillis", 0, 3_600_000)));
    }

    /** An application's code and instances: {@code class}, {@code instanceIdleMillis}, {@code preload}. */
    private static ServerConfig.Hosting hosting(ConfigTree t, String name, AppFolder folder) {
        String p = "applications." + name + ".";
        String cls = optional(t, p + "class");
        if (!cls.isEmpty() && folder == null) {
            throw new ConfigException(t.get(p + "class").where() + ": " + p + "class: an application with code lives in"
                    + " its folder (apps/" + name + "/ with app.yaml and its jar)");
        }
        if (!cls.isEmpty() && !cls.matches("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*")) {
            throw new ConfigException(t.get(p + "class").where() + ": " + p + "class: '" + cls
                    + "' is not a class name");
        }
        long idle = t.get(p + "instanceIdleMillis") != null ? integer(t, p + "instanceIdleMillis", 0, 86_400_000L * 30)
                : integer(t, "apps.instanceIdleMillis", 0, 86_400_000L * 30);
        ConfigTree.Value pre = t.get(p + "preload");
        List<String> preload = pre == null ? List.of() : items(pre);
        for (String i : preload) {
            if (i.isBlank() || i.contains("/") || i.contains("..")) {
                throw new ConfigException(pre.where() + ": " + p + "preload: '" + i + "' is not an instance name");
            }
        }
        return new ServerConfig.Hosting(folder == null ? null : folder.dir(), cls.isEmpty() ? null : cls, idle, preload,
                folder == null ? Map.of() : folder.settings());
    }

    /** An application's security section; every key optional (absent: open). Addresses and URLs are checked here. */
    private static ServerConfig.AppSecurity security(ConfigTree t, String p) {
        Map<String, String> users = new LinkedHashMap<>();
        for (String user : t.childNames(p + "adobeUsers")) {
            users.put(user, optional(t, p + "adobeUsers." + user));
        }
        ConfigTree.Value all = t.get(p + "adobeAuthAll");
        return new ServerConfig.AppSecurity(listOf(t, p + "allowedHtmlDomains"), listOf(t, p + "allowedSwfDomains"),
                access(t, p + "connect."), access(t, p + "publish."), access(t, p + "play."), Map.copyOf(users),
                all != null && bool(t, p + "adobeAuthAll"), url(t, p + "doneCallback"));
    }

    private static ServerConfig.Access access(ConfigTree t, String p) {
        String allow = listOf(t, p + "allow");
        String deny = listOf(t, p + "deny");
        try {
            io.millrace.server.security.IpRules.parse(allow, deny);
        } catch (IllegalArgumentException e) {
            ConfigTree.Value v = t.get(p + "allow") != null ? t.get(p + "allow") : t.get(p + "deny");
            throw new ConfigException((v == null ? "" : v.where() + ": ") + p + "allow/deny: " + e.getMessage());
        }
        return new ServerConfig.Access(allow, deny, listOf(t, p + "keys"), optional(t, p + "tokenSecret"),
                url(t, p + "callback"));
    }

    private static String optional(ConfigTree t, String key) {
        ConfigTree.Value v = t.get(key);
        if (v != null && v.isList()) {
            throw new ConfigException(v.where() + ": " + key + ": expected a single value, not a list");
        }
        return v == null ? "" : v.text().trim();
    }

    /** A list key: a YAML list, or one comma-separated string; given back as the latter. */
    private static String listOf(ConfigTree t, String key) {
        ConfigTree.Value v = t.get(key);
        return v == null ? "" : v.isList() ? String.join(",", v.items()) : v.text().trim();
    }

    private static String url(ConfigTree t, String key) {
        String u = optional(t, key);
        if (!u.isEmpty() && !u.startsWith("http://") && !u.startsWith("https://")) {
            throw new ConfigException(t.get(key).where() + ": " + key + ": '" + u + "' is not an http:// or https:// URL");
        }
        return u;

    }


    /** {@code applications.<name>.swfVerification.*}, each key with its default when absent. */
    private static ServerConfig.SwfVerification swfVerification(ConfigTree t, String app, Path home, Path userBase,
                                                                String userSource) {
        String p = "applications." + app + ".swfVerification.";
        boolean enabled = t.get(p + "enabled") != null && bool(t, p + "enabled");
        long timeout = t.get(p + "timeoutMillis") != null
                ? integer(t, p + "timeoutMillis", 100, 600_000) : DEFAULT_SWF_TIMEOUT_MILLIS;
        List<Path> folders = new ArrayList<>();
        ConfigTree.Value f = t.get(p + "folders");
        if (f == null) {
            folders.add(home.resolve(String.format(DEFAULT_SWF_FOLDER, app)).toAbsolutePath().normalize());
        } else {
            for (String item : items(f)) {
                if (item.isBlank()) {
                    throw new ConfigException(f.where() + ": " + p + "folders: a folder must not be empty");
                }
                Path folder = Path.of(item.trim());
                Path base = userSource != null && userSource.equals(f.source()) ? userBase : home;
                folders.add(folder.isAbsolute() ? folder.normalize() : base.resolve(folder).toAbsolutePath().normalize());
            }
            if (folders.isEmpty()) {
                throw new ConfigException(f.where() + ": " + p + "folders: name at least one folder");
            }
        }
        List<String> exceptions = new ArrayList<>();
        ConfigTree.Value e = t.get(p + "userAgentExceptions");
        if (e != null) {
            for (String item : items(e)) {
                try {
                    exceptions.add(io.millrace.server.swf.UserAgentException.parse(item).toString());
                } catch (IllegalArgumentException ex) {
                    throw new ConfigException(e.where() + ": " + p + "userAgentExceptions: " + ex.getMessage());
                }
            }
        }
        return new ServerConfig.SwfVerification(enabled, List.copyOf(folders), timeout, List.copyOf(exceptions));
    }

    /** A list value's entries; a single value is a list of one (an empty one: of none). */
    private static List<String> items(ConfigTree.Value v) {
        if (v.isList()) {
            return v.items();
        }
        return v.text().isBlank() ? List.of() : List.of(v.text());
    }

    /**
     * The RTMPS section. When enabled, the certificate and the key must be there, readable and usable
     * ({@link PemFiles}), and the port must differ from the RTMP port: all checked now, so that a mistake is
     * a configuration error naming the key and its line rather than a failure at the first TLS client.
     */
    private static ServerConfig.Rtmps rtmps(ConfigTree t, ServerConfig.Rtmp rtmp, Path home, Path userBase,
                                            String userSource) {
        boolean enabled = bool(t, "rtmps.enabled");
        String bind = string(t, "rtmps.bind");
        int port = (int) integer(t, "rtmps.port", 0, 65535);
        if (!enabled) {
            return new ServerConfig.Rtmps(false, bind, port, optionalPath(t, "rtmps.certificate", home, userBase, userSource),
                    optionalPath(t, "rtmps.privateKey", home, userBase, userSource));
        }
        if (port != 0 && port == rtmp.port()) {
            throw new ConfigException(t.get("rtmps.port").where() + ": rtmps.port: " + port
                    + " is the RTMP port too (rtmp.port); RTMPS needs a port of its own");
        }
        Path cert = optionalPath(t, "rtmps.certificate", home, userBase, userSource);
        Path key = optionalPath(t, "rtmps.privateKey", home, userBase, userSource);
        String hint = " (for a development certificate run: millrace --generate-dev-certificate DIR)";
        // A missing file name: the error points at the line that switched RTMPS on.
        String enabledAt = t.get("rtmps.enabled").where();
        if (cert == null) {
            throw new ConfigException(enabledAt + ": rtmps.certificate: a PEM certificate file"
                    + " is needed when rtmps.enabled is true" + hint);
        }
        if (key == null) {
            throw new ConfigException(enabledAt + ": rtmps.privateKey: a PEM private key file"
                    + " is needed when rtmps.enabled is true" + hint);
        }
        java.security.cert.X509Certificate[] chain;
        try {
            chain = PemFiles.readCertificates(cert);
        } catch (IOException | java.security.GeneralSecurityException | IllegalArgumentException e) {
            throw new ConfigException(t.get("rtmps.certificate").where() + ": rtmps.certificate: " + e.getMessage());
        }
        try {
            PemFiles.checkKeyMatches(PemFiles.readPrivateKey(key), chain[0]);
        } catch (IOException | java.security.GeneralSecurityException | IllegalArgumentException e) {
            throw new ConfigException(t.get("rtmps.privateKey").where() + ": rtmps.privateKey: " + e.getMessage());
        }
        return new ServerConfig.Rtmps(true, bind, port, cert, key);
    }

    private static ConfigTree.Value required(ConfigTree t, String key) {
        ConfigTree.Value v = t.get(key);
        if (v == null) {
            throw new ConfigException(key + ": missing");
        }
        if (v.isList()) {
            throw new ConfigException(v.where() + ": " + key + ": expected a single value, not a list");
        }
        return v;
    }

    private static String string(ConfigTree t, String key) {
        ConfigTree.Value v = required(t, key);
        if (v.text().isBlank()) {
            throw new ConfigException(v.where() + ": " + key + ": must not be empty");
        }
        return v.text().trim();
    }

    private static boolean bool(ConfigTree t, String key) {
        ConfigTree.Value v = required(t, key);
        return switch (v.text().trim().toLowerCase(Locale.ROOT)) {
            case "true", "on", "yes" -> true;
            case "false", "off", "no" -> false;
            default -> throw new ConfigException(v.where() + ": " + key + ": expected true or false, got '" + v.text() + "'");
        };
    }

    private static long integer(ConfigTree t, String key, long min, long max) {
        ConfigTree.Value v = required(t, key);
        long n;
        try {
            n = Long.parseLong(v.text().trim().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new ConfigException(v.where() + ": " + key + ": expected a whole number, got '" + v.text() + "'");
        }
        if (n < min || n > max) {
            throw new ConfigException(v.where() + ": " + key + ": " + n + " is out of range (" + min + ".." + max + ")");
        }
        return n;
    }

    /** A path that may be left empty (null then); relative paths resolve as in {@link #path}. */
    private static Path optionalPath(ConfigTree t, String key, Path home, Path userBase, String userSource) {
        ConfigTree.Value v = required(t, key);
        return v.text().isBlank() ? null : path(t, key, home, userBase, userSource);
    }

    private static Path path(ConfigTree t, String key, Path home, Path userBase, String userSource) {
        ConfigTree.Value v = required(t, key);
        if (v.text().isBlank()) {
            throw new ConfigException(v.where() + ": " + key + ": must not be empty");
        }
        Path p = Path.of(v.text().trim());
        if (p.isAbsolute()) {
            return p.normalize();
        }
        Path base = userSource != null && userSource.equals(v.source()) ? userBase : home;
        return base.resolve(p).toAbsolutePath().normalize();
    }
}
