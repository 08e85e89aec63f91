package io.millrace.server.security;

import io.millrace.server.config.ServerConfig;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Address lists, keys and tokens, the authmod=adobe exchange as ffmpeg runs it, and FMS's domain lists. */
class SecurityRulesTest {
    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void addressListsMatchAddressesAndNetworksOfBothFamilies() throws Exception {
        IpRules r = IpRules.parse("10.0.0.0/8, 192.168.1.7 2001:db8::/32", "10.9.0.0/16");
        assertThat(r.admits(ip("10.1.2.3"))).isTrue();
        assertThat(r.admits(ip("10.9.1.1"))).as("deny wins").isFalse();
        assertThat(r.admits(ip("192.168.1.7"))).isTrue();
        assertThat(r.admits(ip("192.168.1.8"))).isFalse();
        assertThat(r.admits(ip("2001:db8::1"))).isTrue();
        assertThat(r.admits(ip("2001:db9::1"))).isFalse();
        assertThat(r.admits(ip("::ffff:10.1.2.3"))).as("IPv4-mapped").isTrue();
        assertThat(IpRules.parse("", "127.0.0.1").admits(ip("127.0.0.1"))).isFalse();
        assertThat(IpRules.parse("", "127.0.0.1").admits(ip("127.0.0.2"))).isTrue();
        assertThat(IpRules.parse("10.0.0.0/13", "").admits(ip("10.7.255.255"))).isTrue();
        assertThat(IpRules.parse("10.0.0.0/13", "").admits(ip("10.8.0.0"))).isFalse();
        assertThat(IpRules.OPEN.admits(null)).isTrue();
        assertThatThrownBy(() -> IpRules.parse("example.com", "")).hasMessageContaining("example.com");
        assertThatThrownBy(() -> IpRules.parse("10.0.0.0/33", "")).hasMessageContaining("0..32");
        assertThatThrownBy(() -> IpRules.parse("192.168/16", "")).as("no shorthand").hasMessageContaining("192.168/16");
        assertThatThrownBy(() -> IpRules.parse("cafe", "")).as("no host names").hasMessageContaining("cafe");
        assertThat(IpRules.parse("", "0.0.0.0/0").admits(ip("2001:db8::1"))).as("IPv4 rules leave IPv6 alone").isTrue();
    }

    @Test
    void keysAndSignedTokensWithExpiry() {
        StreamTokens t = new StreamTokens(List.of("k1"), "s3cret");
        long now = 1_800_000_000L;
        assertThat(t.check("publish", "live", "show", "key=k1", now).allowed()).isTrue();
        assertThat(t.check("publish", "live", "show", "key=k2", now).allowed()).isFalse();
        String token = StreamTokens.sign("s3cret", "publish", "live", "show", now + 60);
        assertThat(token).hasSize(64).matches("[0-9a-f]+");
        assertThat(t.check("publish", "live", "show", "expires=" + (now + 60) + "&token=" + token, now).allowed()).isTrue();
        assertThat(t.check("publish", "live", "show", "expires=" + (now + 60) + "&token=" + token, now + 61))
                .satisfies(v -> assertThat(v.reason()).contains("expired"));
        assertThat(t.check("publish", "live", "other", "expires=" + (now + 60) + "&token=" + token, now).reason()).isEqualTo("wrong token");
        assertThat(t.check("publish", "live", "show", "expires=" + (now + 600) + "&token=" + token, now).reason())
                .as("a longer expiry is not the one signed").isEqualTo("wrong token");
        assertThat(t.check("publish", "live", "show", null, now).allowed()).isFalse();
        assertThat(StreamTokens.NONE.check("publish", "live", "show", null, now).allowed()).isTrue();
        // The recipe in the class comment, as a shell computes it, for a fixed input.
        assertThat(StreamTokens.sign("key", "publish", "live", "show", 1700000000L))
                .isEqualTo(hmacHex("key", "publish:live/show:1700000000"));
        // A viewer's token does not publish, even with one secret for both.
        String playToken = StreamTokens.sign("s3cret", "play", "live", "show", now + 60);
        assertThat(t.check("publish", "live", "show", "expires=" + (now + 60) + "&token=" + playToken, now).allowed()).isFalse();
        assertThat(t.check("play", "live", "show", "expires=" + (now + 60) + "&token=" + playToken, now).allowed()).isTrue();
    }

    private static String hmacHex(String key, String msg) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(key.getBytes(), "HmacSHA256"));
            return java.util.HexFormat.of().formatHex(mac.doFinal(msg.getBytes()));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** What ffmpeg's handle_connect_error does with the descriptions it gets. */
    private static String clientAnswer(String description, String user, String password, String challenge2) {
        String q = description.substring(description.indexOf("?reason=needauth") + 1);
        String salt = Query.raw(q, "salt");
        String opaque = Query.raw(q, "opaque");
        return "authmod=adobe&user=" + user + "&challenge=" + challenge2 + "&response="
                + AdobeAuth.response(user, salt, password, opaque, challenge2) + "&opaque=" + opaque;
    }

    @Test
    void theAdobeChallengeTakesThreeConnectsAndEachAnswerWorksOnce() {
        AdobeAuth a = new AdobeAuth(Map.of("alice", "wonder"));
        long now = 1000;
        AdobeAuth.Outcome first = a.connect(null, now);
        assertThat(first.accepted()).isFalse();
        assertThat(first.description()).isEqualTo("[ AccessManager.Reject ] : [ code=403 need auth; authmod=adobe ] : ");
        AdobeAuth.Outcome second = a.connect("authmod=adobe&user=alice", now);
        assertThat(second.description()).startsWith("[ AccessManager.Reject ] : [ authmod=adobe ] : ?reason=needauth&user=alice&salt=")
                .contains("&challenge=").contains("&opaque=");
        String answer = clientAnswer(second.description(), "alice", "wonder", "0badf00d");
        AdobeAuth.Outcome third = a.connect(answer, now + 10);
        assertThat(third.accepted()).isTrue();
        assertThat(third.user()).isEqualTo("alice");
        assertThat(a.connect(answer, now + 20).description()).as("used once").contains("?reason=authfailed");

        AdobeAuth.Outcome again = a.connect("authmod=adobe&user=alice", now);
        assertThat(a.connect(clientAnswer(again.description(), "alice", "wrong", "12345678"), now).description())
                .contains("?reason=authfailed");
        assertThat(a.connect("authmod=adobe&user=bob", now).description()).contains("?reason=nosuchuser");
        AdobeAuth.Outcome late = a.connect("authmod=adobe&user=alice", now);
        assertThat(a.connect(clientAnswer(late.description(), "alice", "wonder", "abc"), now + AdobeAuth.CHALLENGE_TTL_MILLIS + 1)
                .accepted()).as("expired").isFalse();
    }

    @Test
    void pendingChallengesAreBounded() {
        AdobeAuth a = new AdobeAuth(Map.of("alice", "wonder"));
        for (int i = 0; i < AdobeAuth.MAX_PENDING + 500; i++) {
            a.connect("authmod=adobe&user=alice", 1000);
        }
        assertThat(a.pendingCount()).isEqualTo(AdobeAuth.MAX_PENDING);
    }

    @Test
    void domainsMatchHostsAndTheirSubdomainsOnly() {
        List<String> d = List.of("example.com");
        assertThat(AccessControl.inDomains("http://example.com/player.html", d)).isTrue();
        assertThat(AccessControl.inDomains("https://www.example.com/p", d)).isTrue();
        assertThat(AccessControl.inDomains("http://badexample.com/p", d)).isFalse();
        assertThat(AccessControl.inDomains("http://example.com.evil.org/p", d)).isFalse();
        assertThat(AccessControl.inDomains(null, d)).isFalse();
        assertThat(AccessControl.inDomains("not a url", d)).isFalse();
    }

    @Test
    void encodersAreChallengedAndPlayersAreNotUnlessAllAre() throws Exception {
        ServerConfig.AppSecurity s = new ServerConfig.AppSecurity("", "", ServerConfig.Access.OPEN,
                new ServerConfig.Access("", "", "", "sec", ""), ServerConfig.Access.OPEN, Map.of("u", "p"), false, "");
        AccessControl ac = new AccessControl("live", s, null);
        assertThat(ac.connect(ip("127.0.0.1"), null, "FMLE/3.0 (compatible; Lavf59.27.100)", null, null, 0).allowed()).isFalse();
        assertThat(ac.connect(ip("127.0.0.1"), null, "LNX 9,0,124,2", null, null, 0).allowed()).isTrue();
        // A connection that passed the challenge publishes without a token; others need one.
        assertThat(ac.stream(AccessControl.Action.PUBLISH, ip("127.0.0.1"), "show", null, "u", 0).allowed()).isTrue();
        assertThat(ac.stream(AccessControl.Action.PUBLISH, ip("127.0.0.1"), "show", null, null, 0).status()).isEqualTo(401);
        assertThat(ac.stream(AccessControl.Action.PLAY, ip("127.0.0.1"), "show", null, null, 0).allowed()).isTrue();

        // Without keys or tokens, adobeUsers still guard publishing: a client that does not say FMLE/ (and so
        // skipped the challenge) may not publish.
        ServerConfig.AppSecurity adobeOnly = new ServerConfig.AppSecurity("", "", ServerConfig.Access.OPEN,
                ServerConfig.Access.OPEN, ServerConfig.Access.OPEN, Map.of("u", "p"), false, "");
        AccessControl a2 = new AccessControl("live", adobeOnly, null);
        assertThat(a2.connect(ip("127.0.0.1"), null, "LNX 9,0,124,2", null, null, 0).allowed()).isTrue();
        assertThat(a2.stream(AccessControl.Action.PUBLISH, ip("127.0.0.1"), "show", null, null, 0).status()).isEqualTo(401);
        assertThat(a2.stream(AccessControl.Action.PUBLISH, ip("127.0.0.1"), "show", null, "u", 0).allowed()).isTrue();
        assertThat(a2.stream(AccessControl.Action.PLAY, ip("127.0.0.1"), "show", null, null, 0).allowed()).isTrue();
    }

    @Test
    void keysKeepTheirCase() throws Exception {
        ServerConfig.AppSecurity s = new ServerConfig.AppSecurity("", "", ServerConfig.Access.OPEN,
                new ServerConfig.Access("", "", "SecretKey1, other", "", ""), ServerConfig.Access.OPEN, Map.of(), false, "");
        AccessControl ac = new AccessControl("live", s, null);
        assertThat(ac.stream(AccessControl.Action.PUBLISH, ip("127.0.0.1"), "show", "key=SecretKey1", null, 0).allowed()).isTrue();
        assertThat(ac.stream(AccessControl.Action.PUBLISH, ip("127.0.0.1"), "show", "key=secretkey1", null, 0).allowed()).isFalse();
    }
}
