package io.millrace.server.swf;

import io.millrace.rtmp.handshake.SwfVerification;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SwfVerifierTest {
    @TempDir
    Path tmp;

    private static byte[] key(int seed) {
        byte[] k = new byte[32];
        for (int i = 0; i < 32; i++) {
            k[i] = (byte) (i * 7 + seed);
        }
        return k;
    }

    private SwfVerifier verifier(Path... folders) {
        return new SwfVerifier("vod", List.of(folders), 5000, List.of(UserAgentException.parse("FMLE/")),
                SwfFiles.DEFAULT_MAX_SIZE);
    }

    @Test
    void acceptsTheProofOfAnyAllowedSwfAndNothingElse() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("SWFs"));
        byte[] a = SwfTestFiles.fws(10, 500, 1);
        byte[] b = SwfTestFiles.fws(11, 900, 2);
        byte[] sameSizeAsA = SwfTestFiles.fws(10, 500, 9);
        Files.write(dir.resolve("a.swf"), a);
        Files.write(dir.resolve("b.swf"), SwfTestFiles.zws(b));
        Files.write(dir.resolve("notes.txt"), "not a swf".getBytes());
        Files.write(dir.resolve(".hidden.swf"), a);
        Files.createDirectories(dir.resolve("sub"));
        SwfVerifier v = verifier(dir);
        v.scan();
        assertThat(v.allowed()).extracting(s -> s.file().getFileName().toString()).containsExactly("a.swf", "b.swf");

        byte[] key = key(3);
        SwfVerifier.Result ok = v.verify(SwfVerification.response(SwfVerification.swfHash(a), a.length, key), key);
        assertThat(ok.passed()).isTrue();
        assertThat(ok.matched().file().getFileName().toString()).isEqualTo("a.swf");
        assertThat(v.verify(SwfVerification.response(SwfVerification.swfHash(b), b.length, key), key).matched().file())
                .hasFileName("b.swf");

        // The proof of another connection (another S1), another SWF of the same size, another size.
        SwfVerifier.Result otherKey = v.verify(SwfVerification.response(SwfVerification.swfHash(a), a.length, key(4)), key);
        assertThat(otherKey.passed()).isFalse();
        assertThat(otherKey.reason()).contains("no allowed SWF of that size has its hash");
        assertThat(v.verify(SwfVerification.response(SwfVerification.swfHash(sameSizeAsA), a.length, key), key).passed())
                .isFalse();
        SwfVerifier.Result otherSize = v.verify(SwfVerification.response(SwfVerification.swfHash(a), 1234, key), key);
        assertThat(otherSize.reason()).contains("1234 bytes").contains("no allowed SWF has that size");
        // Malformed answers.
        assertThat(v.verify(new byte[41], key).reason()).contains("41 bytes");
        assertThat(v.verify(new byte[42], key).reason()).contains("01 01");
        assertThat(v.verify(null, key).passed()).isFalse();

        assertThat(v.exemption("FMLE/3.0 (compatible; FMSc/1.0)")).isNotNull();
        assertThat(v.exemption("WIN 32,0,0,465")).isNull();
    }

    @Test
    void rescansSeeAddedChangedAndRemovedFiles() throws Exception {
        Path one = Files.createDirectories(tmp.resolve("one"));
        Path two = tmp.resolve("two"); // missing at first
        SwfVerifier v = verifier(one, two);
        v.scan();
        assertThat(v.allowed()).isEmpty();
        byte[] key = key(1);
        assertThat(v.verify(SwfVerification.response(new byte[32], 10, key), key).reason()).contains("no allowed SWF");

        byte[] a = SwfTestFiles.fws(10, 100, 1);
        Path fa = Files.write(one.resolve("a.swf"), SwfTestFiles.cws(a));
        Files.createDirectories(two);
        byte[] b = SwfTestFiles.fws(10, 200, 1);
        Files.write(two.resolve("b.swf"), b);
        v.scan();
        assertThat(v.allowed()).hasSize(2);
        assertThat(v.allowed().get(0).digest().size()).isEqualTo(a.length);

        // Changed in place (new size and time): rehashed.
        byte[] a2 = SwfTestFiles.fws(10, 150, 5);
        Files.write(fa, a2);
        Files.setLastModifiedTime(fa, FileTime.fromMillis(System.currentTimeMillis() + 10_000));
        v.scan();
        assertThat(v.verify(SwfVerification.response(SwfVerification.swfHash(a2), a2.length, key), key).passed()).isTrue();
        assertThat(v.verify(SwfVerification.response(SwfVerification.swfHash(a), a.length, key), key).passed()).isFalse();

        Files.delete(two.resolve("b.swf"));
        v.scan();
        assertThat(v.allowed()).extracting(s -> s.file().getFileName().toString()).containsExactly("a.swf");
        assertThat(v.verify(SwfVerification.response(SwfVerification.swfHash(b), b.length, key), key).passed()).isFalse();
    }
}
