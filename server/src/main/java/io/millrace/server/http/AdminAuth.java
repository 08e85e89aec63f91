package io.millrace.server.http;

import io.millrace.server.config.ServerConfig;
import io.netty.handler.codec.http.HttpHeaderNames;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Checks the admin credentials of a request to {@code /admin/*} or {@code /api/*}: HTTP Basic
 * ({@code Authorization: Basic base64(user:password)}) or FMS's query parameters {@code auser} and
 * {@code apswd}. Either one matching is enough. With no admin password configured every request is
 * {@link Outcome#DISABLED}.
 *
 * <p>User and password are compared in constant time: both sides are hashed with SHA-256 and the
 * digests compared with {@link MessageDigest#isEqual}, so neither the position of the first wrong
 * character nor the length of the configured password shows in the timing. A malformed Authorization
 * header counts as wrong credentials (401), not as a bad request.
 */
final class AdminAuth {

    /** The FMS credential parameters (lower case, as {@link AdminRequest} keeps names). */
    static final Set<String> QUERY_PARAMS = Set.of("auser", "apswd");

    enum Outcome { OK, DISABLED, DENIED }

    private final boolean enabled;
    private final byte[] userDigest;
    private final byte[] passwordDigest;

    AdminAuth(ServerConfig.Http config) {
        this.enabled = config.adminEnabled();
        this.userDigest = sha256(config.adminUser());
        this.passwordDigest = sha256(config.adminPassword());
    }

    Outcome check(AdminRequest request) {
        if (!enabled) {
            return Outcome.DISABLED;
        }
        boolean ok = false;
        String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (header != null) {
            ok = basicMatches(header);
        }
        List<String> users = request.params().get("auser");
        List<String> passwords = request.params().get("apswd");
        if (!ok && users != null && passwords != null && users.size() == 1 && passwords.size() == 1) {
            ok = matches(users.get(0), passwords.get(0));
        }
        return ok ? Outcome.OK : Outcome.DENIED;
    }

    private boolean basicMatches(String header) {
        String h = header.trim();
        if (h.length() < 6 || !h.substring(0, 6).toLowerCase(Locale.ROOT).equals("basic ")) {
            return false;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(h.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = decoded.indexOf(':');
        return colon >= 0 && matches(decoded.substring(0, colon), decoded.substring(colon + 1));
    }

    private boolean matches(String user, String password) {
        // Both comparisons always run (no short-circuit), each on fixed-length digests.
        boolean userOk = MessageDigest.isEqual(userDigest, sha256(user));
        boolean passwordOk = MessageDigest.isEqual(passwordDigest, sha256(password));
        return userOk & passwordOk;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
