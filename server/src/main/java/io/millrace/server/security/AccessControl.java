package io.millrace.server.security;

import io.millrace.server.config.ServerConfig;

import java.net.InetAddress;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One application's rules for who connects, publishes and plays (its {@code security} section): address
 * lists, FMS's allowed HTML and SWF domains, the authmod=adobe challenge, keys and signed tokens in stream
 * names, and HTTP callbacks. The synchronous checks answer at once; a callback answers later, on the
 * callbacks' own threads (the caller posts the result back to its event loop). Thread-safe.
 */
public final class AccessControl {
    /** An action the rules apply to. */
    public enum Action { CONNECT, PUBLISH, PLAY }

    /**
     * A decision: allowed (for an authmod=adobe connect, with the user), or refused with a description for the
     * client, an access log status and a reason for the server log.
     */
    public record Verdict(boolean allowed, String user, String description, int status, String reason) {
        static final Verdict OK = new Verdict(true, null, null, 200, null);

        static Verdict refuse(String description, int status, String reason) {
            return new Verdict(false, null, description, status, reason);
        }
    }

    private final String app;
    private final ServerConfig.AppSecurity config;
    private final HttpCallbacks callbacks;
    private final Map<Action, IpRules> ips;
    private final Map<Action, StreamTokens> tokens;
    private final List<String> htmlDomains;
    private final List<String> swfDomains;
    private final AdobeAuth adobe;

    public AccessControl(String app, ServerConfig.AppSecurity config, HttpCallbacks callbacks) {
        this.app = app;
        this.config = config;
        this.callbacks = callbacks;
        this.ips = Map.of(Action.CONNECT, rules(config.connect()), Action.PUBLISH, rules(config.publish()),
                Action.PLAY, rules(config.play()));
        this.tokens = Map.of(Action.PUBLISH, tokens(config.publish()), Action.PLAY, tokens(config.play()));
        this.htmlDomains = list(config.allowedHtmlDomains());
        this.swfDomains = list(config.allowedSwfDomains());
        this.adobe = new AdobeAuth(config.adobeUsers());
    }

    /** No rules at all, for a session before it knows its application. */
    public static final AccessControl NONE = open("");

    /** No rules at all. */
    public static AccessControl open(String app) {
        return new AccessControl(app, ServerConfig.AppSecurity.OPEN, null);
    }

    /**
     * The synchronous checks of a connect, in order: the address, the domains of pageUrl and swfUrl, then
     * the authmod=adobe challenge (for encoders, whose flashVer starts with {@code FMLE/}, or every client).
     */
    public Verdict connect(InetAddress ip, String query, String flashVer, String pageUrl, String swfUrl, long nowMillis) {
        if (!ips.get(Action.CONNECT).admits(ip)) {
            return Verdict.refuse("Connections from " + hostOf(ip) + " are not allowed.", 403, "address not allowed");
        }
        if (!htmlDomains.isEmpty() && !inDomains(pageUrl, htmlDomains)) {
            return Verdict.refuse("Connections from this page are not allowed.", 403,
                    "pageUrl " + pageUrl + " not in allowedHtmlDomains");
        }
        if (!swfDomains.isEmpty() && !inDomains(swfUrl, swfDomains)) {
            return Verdict.refuse("Connections from this SWF are not allowed.", 403,
                    "swfUrl " + swfUrl + " not in allowedSwfDomains");
        }
        if (adobe.enabled() && (isEncoder(flashVer) || config.adobeAuthAll())) {
            AdobeAuth.Outcome o = adobe.connect(query, nowMillis);
            if (!o.accepted()) {
                return Verdict.refuse(o.description(), 401, "authmod=adobe: " + o.logReason());
            }
            return new Verdict(true, o.user(), null, 200, null);
        }
        return Verdict.OK;
    }

    /**
     * The synchronous checks of a publish or a play of {@code name} (without its query): the address, then
     * a key or token unless the connection passed the authmod=adobe challenge.
     */
    public Verdict stream(Action action, InetAddress ip, String name, String query, String adobeUser, long nowMillis) {
        String verb = action == Action.PUBLISH ? "publish" : "play";
        if (!ips.get(action).admits(ip)) {
            return Verdict.refuse("Not allowed to " + verb + " " + name + " from " + hostOf(ip) + ".", 403,
                    "address not allowed to " + verb);
        }
        if (adobeUser != null) {
            return Verdict.OK;
        }
        StreamTokens t = tokens.get(action);
        if (action == Action.PUBLISH && adobe.enabled() && !t.required()) {
            // With adobeUsers, publishing needs the challenge passed: a client could skip it by not calling
            // itself an encoder (flashVer is whatever the client sends).
            return Verdict.refuse("Not allowed to publish " + name + ": authenticate (authmod=adobe) first.", 401,
                    "publish without authmod=adobe credentials (flashVer not FMLE/, or the challenge skipped)");
        }
        StreamTokens.Verdict v = t.check(verb, app, name, query, nowMillis / 1000);
        if (!v.allowed()) {
            return Verdict.refuse("Not allowed to " + verb + " " + name + ": " + v.reason() + ".", 401, v.reason());
        }
        return Verdict.OK;
    }

    /** The callback URL of an action, or null. */
    public String callback(Action action) {
        String url = switch (action) {
            case CONNECT -> config.connect().callback();
            case PUBLISH -> config.publish().callback();
            case PLAY -> config.play().callback();
        };
        return url.isEmpty() || callbacks == null ? null : url;
    }

    /** Asks the action's callback (see {@link HttpCallbacks}); a 3xx renames publish and play. */
    public CompletableFuture<HttpCallbacks.Decision> ask(Action action, Map<String, String> fields) {
        return callbacks.ask(callback(action), fields, action != Action.CONNECT);
    }

    /** Tells the done callback, if there is one, that a publication or a playback ended (fields made only then). */
    public void done(java.util.function.Supplier<Map<String, String>> fields) {
        if (!config.doneCallback().isEmpty() && callbacks != null) {
            callbacks.notify(config.doneCallback(), fields.get());
        }
    }

    /** Whether a client says it is an encoder (FMLE, and OBS and ffmpeg, which call themselves FMLE/3.0). */
    public static boolean isEncoder(String flashVer) {
        return flashVer != null && flashVer.startsWith("FMLE/");
    }

    private static IpRules rules(ServerConfig.Access a) {
        return IpRules.parse(a.allow(), a.deny());
    }

    private static StreamTokens tokens(ServerConfig.Access a) {
        // Keys keep their case (domains are the only lists compared without it).
        List<String> keys = a.keys() == null || a.keys().isBlank() ? List.of()
                : Arrays.stream(a.keys().split("[,\\s]+")).filter(x -> !x.isBlank()).toList();
        return new StreamTokens(keys, a.tokenSecret());
    }

    private static List<String> list(String s) {
        return s == null || s.isBlank() ? List.of()
                : Arrays.stream(s.split("[,\\s]+")).filter(x -> !x.isBlank()).map(x -> x.toLowerCase(Locale.ROOT)).toList();
    }

    /** Whether the URL's host is one of the domains or below one (FMS matched subdomains too). */
    static boolean inDomains(String url, List<String> domains) {
        if (url == null || url.isBlank()) {
            return false;
        }
        String host;
        try {
            host = URI.create(url.trim()).getHost();
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (host == null) {
            return false;
        }
        host = host.toLowerCase(Locale.ROOT);
        for (String d : domains) {
            if (host.equals(d) || host.endsWith("." + d)) {
                return true;
            }
        }
        return false;
    }

    private static String hostOf(InetAddress ip) {
        return ip == null ? "this address" : ip.getHostAddress();
    }
}
