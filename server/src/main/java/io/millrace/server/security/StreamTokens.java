package io.millrace.server.security;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

/**
 * Keys and signed tokens in a stream name's query ({@code name?key=...} or {@code name?expires=...&token=...}).
 *
 * <p>A token is the lowercase hex HMAC-SHA256, keyed with the application's secret, of
 * {@code "<action>:<app>/<name>:<expires>"}, where the action is {@code publish} or {@code play} (so that a
 * viewer's token never publishes, even when both use one secret) and {@code expires} is the Unix time in
 * seconds after which it is refused. It holds for every instance of the application. Minted in a shell with:
 * <pre>
 * expires=$(( $(date +%s) + 3600 ))
 * token=$(printf '%s' "publish:live/show:$expires" | openssl dgst -sha256 -hmac "$SECRET" | sed 's/^.* //')
 * echo "show?expires=$expires&token=$token"
 * </pre>
 * A static key is compared as it is. Comparisons take constant time. Immutable.
 */
public final class StreamTokens {
    /** Nothing configured: every name passes. */
    public static final StreamTokens NONE = new StreamTokens(List.of(), "");

    /** The result of a check, with a reason for a refusal. */
    public record Verdict(boolean allowed, String reason) {
        static final Verdict OK = new Verdict(true, null);

        static Verdict no(String reason) {
            return new Verdict(false, reason);
        }
    }

    private final List<String> keys;
    private final String secret;

    public StreamTokens(List<String> keys, String secret) {
        this.keys = List.copyOf(keys);
        this.secret = secret == null ? "" : secret;
    }

    /** Whether names must carry a key or a token. */
    public boolean required() {
        return !keys.isEmpty() || !secret.isEmpty();
    }

    /**
     * Checks the query of a stream name for {@code app}.
     *
     * @param nowSeconds the current Unix time in seconds
     */
    public Verdict check(String action, String app, String name, String query, long nowSeconds) {
        if (!required()) {
            return Verdict.OK;
        }
        String key = Query.param(query, "key");
        if (key != null) {
            for (String k : keys) {
                if (equal(k, key)) {
                    return Verdict.OK;
                }
            }
            if (secret.isEmpty()) {
                return Verdict.no("wrong key");
            }
        }
        if (secret.isEmpty()) {
            return Verdict.no("a key is required (name?key=...)");
        }
        String token = Query.param(query, "token");
        String expires = Query.param(query, "expires");
        if (token == null || expires == null) {
            return Verdict.no(keys.isEmpty() ? "a token is required (name?expires=...&token=...)"
                    : "a key or a token is required");
        }
        long exp;
        try {
            exp = Long.parseLong(expires);
        } catch (NumberFormatException e) {
            return Verdict.no("expires is not a number");
        }
        if (!equal(sign(secret, action, app, name, exp), token.toLowerCase(java.util.Locale.ROOT))) {
            return Verdict.no("wrong token");
        }
        if (nowSeconds > exp) {
            return Verdict.no("the token expired " + (nowSeconds - exp) + " s ago");
        }
        return Verdict.OK;
    }

    /** The token to {@code action} (publish or play) {@code app/name} until {@code expires} (Unix seconds). */
    public static String sign(String secret, String action, String app, String name, long expires) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] h = mac.doFinal((action + ":" + app + "/" + name + ":" + expires).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    }

    private static boolean equal(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
