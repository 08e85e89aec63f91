package io.millrace.server.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code authmod=adobe} challenge that FMLE, OBS and ffmpeg ({@code rtmp://user:pass@host/app}) carry out
 * by themselves, over three connections, each answered with NetConnection.Connect.Rejected and closed
 * until the last:
 * <ol>
 *   <li>a connect without auth parameters: {@code [ AccessManager.Reject ] : [ code=403 need auth; authmod=adobe ] : };</li>
 *   <li>a connect with {@code ?authmod=adobe&user=U}: the description carries
 *       {@code ?reason=needauth&user=U&salt=S&challenge=C&opaque=O};</li>
 *   <li>a connect with {@code ?authmod=adobe&user=U&challenge=C2&response=R&opaque=O}, where
 *       {@code R = base64(md5(base64(md5(U + S + password)) + O + C2))}: accepted, or rejected with
 *       {@code ?reason=authfailed}.</li>
 * </ol>
 * An unknown user gets {@code ?reason=nosuchuser}. The salt and challenge the server handed out are kept,
 * keyed by the opaque value, for {@link #CHALLENGE_TTL_MILLIS} and used once; at most
 * {@link #MAX_PENDING} are kept (the oldest go first), so a flood of step-2 connects costs bounded memory.
 * Thread-safe.
 */
public final class AdobeAuth {
    static final long CHALLENGE_TTL_MILLIS = 60_000;
    static final int MAX_PENDING = 10_000;
    private static final String PREFIX = "[ AccessManager.Reject ] : ";

    /** What a connect gets: accepted, or rejected with this description (the challenge or the refusal). */
    public record Outcome(boolean accepted, String user, String description, String logReason) {
        static Outcome accept(String user) {
            return new Outcome(true, user, null, null);
        }

        static Outcome reject(String description, String logReason) {
            return new Outcome(false, null, description, logReason);
        }
    }

    private record Pending(String user, String salt, String challenge, long expiresAt) {
    }

    private final Map<String, String> passwords;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Pending> pending = new LinkedHashMap<>();

    public AdobeAuth(Map<String, String> passwords) {
        this.passwords = Map.copyOf(passwords);
    }

    public boolean enabled() {
        return !passwords.isEmpty();
    }

    /** Decides a connect from its query (the part after '?' of the app). */
    public Outcome connect(String query, long nowMillis) {
        String authmod = Query.raw(query, "authmod");
        String user = Query.raw(query, "user");
        if (!"adobe".equals(authmod) || user == null) {
            return Outcome.reject(PREFIX + "[ code=403 need auth; authmod=adobe ] : ", "authentication required");
        }
        String password = passwords.get(user);
        if (password == null) {
            return Outcome.reject(PREFIX + "[ authmod=adobe ] : ?reason=nosuchuser&user=" + user, "no such user " + user);
        }
        String response = Query.raw(query, "response");
        if (response == null) {
            String salt = randomToken(6);
            String challenge = randomToken(6);
            String opaque = randomToken(6);
            synchronized (pending) {
                expire(nowMillis);
                while (pending.size() >= MAX_PENDING) {
                    Iterator<String> oldest = pending.keySet().iterator();
                    oldest.next();
                    oldest.remove();
                }
                pending.put(opaque, new Pending(user, salt, challenge, nowMillis + CHALLENGE_TTL_MILLIS));
            }
            return Outcome.reject(PREFIX + "[ authmod=adobe ] : ?reason=needauth&user=" + user + "&salt=" + salt
                    + "&challenge=" + challenge + "&opaque=" + opaque, "challenge sent to " + user);
        }
        String opaque = Query.raw(query, "opaque");
        String clientChallenge = Query.raw(query, "challenge");
        Pending p;
        synchronized (pending) {
            expire(nowMillis);
            p = opaque == null ? null : pending.remove(opaque);
        }
        if (p == null || !p.user.equals(user) || clientChallenge == null) {
            return Outcome.reject(PREFIX + "[ authmod=adobe ] : ?reason=authfailed&opaque=" + (opaque == null ? "" : opaque),
                    "no challenge pending for this answer (expired or used)");
        }
        String expected = response(user, p.salt, password, opaque, clientChallenge);
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), response.getBytes(StandardCharsets.US_ASCII))) {
            return Outcome.reject(PREFIX + "[ authmod=adobe ] : ?reason=authfailed&opaque=" + opaque, "wrong password for " + user);
        }
        return Outcome.accept(user);
    }

    /** The client's answer as the scheme defines it: base64(md5(base64(md5(user salt password)) opaque challenge)). */
    static String response(String user, String salt, String password, String opaque, String clientChallenge) {
        Base64.Encoder b64 = Base64.getEncoder();
        String first = b64.encodeToString(md5(user + salt + password));
        return b64.encodeToString(md5(first + opaque + clientChallenge));
    }

    private static byte[] md5(String s) {
        try {
            return MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is missing from this JDK", e);
        }
    }

    private String randomToken(int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private void expire(long nowMillis) {
        pending.values().removeIf(p -> p.expiresAt < nowMillis);
    }

    /** Challenges waiting for their answer. Tests only. */
    int pendingCount() {
        synchronized (pending) {
            return pending.size();
        }
    }
}
