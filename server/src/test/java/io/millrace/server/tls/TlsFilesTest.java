package io.millrace.server.tls;

import io.millrace.server.config.ServerConfig;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLEngine;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The development certificate, the PEM reader and the TLS context, without sockets. */
class TlsFilesTest {
    @TempDir
    Path dir;

    @Test
    void theDevelopmentCertificateIsForLocalhostAndSelfSigned() throws Exception {
        Instant now = Instant.parse("2026-03-01T12:00:00Z");
        DevCertificate.Pem pem = DevCertificate.create("localhost", now);
        X509Certificate c = pem.parsed();
        assertThat(c.getVersion()).isEqualTo(3);
        assertThat(c.getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
        assertThat(c.getIssuerX500Principal()).isEqualTo(c.getSubjectX500Principal());
        c.verify(c.getPublicKey());
        assertThat(c.getSigAlgName()).isEqualTo("SHA256withRSA");
        assertThat(c.getPublicKey().getAlgorithm()).isEqualTo("RSA");
        assertThat(c.getNotBefore().toInstant()).isBefore(now);
        assertThat(Duration.between(now, c.getNotAfter().toInstant())).isBetween(Duration.ofDays(364), Duration.ofDays(365));
        assertThat(c.getSubjectAlternativeNames()).containsExactlyInAnyOrder(
                List.of(2, "localhost"), List.of(7, "127.0.0.1"), List.of(7, "0:0:0:0:0:0:0:1"));
        assertThat(c.getBasicConstraints()).as("not a CA").isEqualTo(-1);
        assertThat(c.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        boolean[] usage = c.getKeyUsage();
        assertThat(usage[0]).as("digitalSignature").isTrue();
        assertThat(usage[2]).as("keyEncipherment").isTrue();
        assertThat(c.getCriticalExtensionOIDs()).containsExactlyInAnyOrder("2.5.29.19", "2.5.29.15");
        assertThat(pem.certificate()).startsWith("-----BEGIN CERTIFICATE-----\n").endsWith("-----END CERTIFICATE-----\n");
        assertThat(pem.privateKey()).startsWith("-----BEGIN PRIVATE KEY-----\n");
        assertThat(pem.certificate().lines().filter(l -> !l.startsWith("-----"))).allMatch(l -> l.length() <= 64);
    }

    @Test
    void writeMakesTwoFilesThatReadBackAndRefusesToOverwrite() throws Exception {
        X509Certificate written = DevCertificate.write(dir);
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        X509Certificate[] chain = PemFiles.readCertificates(cert);
        assertThat(chain).containsExactly(written);
        PrivateKey k = PemFiles.readPrivateKey(key);
        PemFiles.checkKeyMatches(k, chain[0]);
        assertThatThrownBy(() -> DevCertificate.write(dir)).isInstanceOf(FileAlreadyExistsException.class)
                .hasMessageContaining("cert.pem exists");
    }

    @Test
    void aPkcs1RsaKeyIsReadToo() throws Exception {
        DevCertificate.write(dir);
        PrivateKey pkcs8 = PemFiles.readPrivateKey(dir.resolve("key.pem"));
        Path pkcs1 = dir.resolve("rsa.pem");
        Files.writeString(pkcs1, DevCertificate.pem("RSA PRIVATE KEY", pkcs1Of(pkcs8.getEncoded())));
        PrivateKey k = PemFiles.readPrivateKey(pkcs1);
        assertThat(k.getEncoded()).isEqualTo(pkcs8.getEncoded());
    }

    @Test
    void keysItCannotUseAreRefusedWithTheWayOut() throws Exception {
        Path encrypted = dir.resolve("enc.pem");
        Files.writeString(encrypted, DevCertificate.pem("ENCRYPTED PRIVATE KEY", new byte[] {1, 2, 3}));
        assertThatThrownBy(() -> PemFiles.readPrivateKey(encrypted)).isInstanceOf(GeneralSecurityException.class)
                .hasMessageContaining("encrypted").hasMessageContaining("openssl pkcs8 -topk8 -nocrypt -in enc.pem");
        Path legacyEncrypted = dir.resolve("legacy.pem");
        Files.writeString(legacyEncrypted, "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n"
                + Base64.getEncoder().encodeToString(new byte[] {1, 2, 3}) + "\n-----END RSA PRIVATE KEY-----\n");
        assertThatThrownBy(() -> PemFiles.readPrivateKey(legacyEncrypted)).hasMessageContaining("encrypted");
        Path sec1 = dir.resolve("ec.pem");
        Files.writeString(sec1, DevCertificate.pem("EC PRIVATE KEY", new byte[] {1, 2, 3}));
        assertThatThrownBy(() -> PemFiles.readPrivateKey(sec1)).hasMessageContaining("SEC1").hasMessageContaining("pkcs8");
        Path none = dir.resolve("none.pem");
        Files.writeString(none, "hello\n");
        assertThatThrownBy(() -> PemFiles.readPrivateKey(none)).hasMessageContaining("no PEM private key");
        assertThatThrownBy(() -> PemFiles.readCertificates(none)).hasMessageContaining("no PEM certificate");
        assertThatThrownBy(() -> PemFiles.readCertificates(dir.resolve("missing.pem"))).hasMessageContaining("no such file");
    }

    @Test
    void aKeyOfAnotherCertificateIsRefused() throws Exception {
        DevCertificate.write(dir);
        X509Certificate cert = PemFiles.readCertificates(dir.resolve("cert.pem"))[0];
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        PrivateKey other = g.generateKeyPair().getPrivate();
        assertThatThrownBy(() -> PemFiles.checkKeyMatches(other, cert)).isInstanceOf(GeneralSecurityException.class)
                .hasMessageContaining("does not belong to the certificate (CN=localhost)");
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(256);
        PrivateKey ecKey = ec.generateKeyPair().getPrivate();
        assertThatThrownBy(() -> PemFiles.checkKeyMatches(ecKey, cert)).hasMessageContaining("does not belong");
    }

    @Test
    void theTlsContextOffersTls13And12Only() throws Exception {
        DevCertificate.write(dir);
        TlsContexts.Server server = TlsContexts.server(new ServerConfig.Rtmps(true, "127.0.0.1", 0,
                dir.resolve("cert.pem"), dir.resolve("key.pem")));
        SSLEngine engine = server.context().newEngine(ByteBufAllocator.DEFAULT);
        assertThat(engine.getUseClientMode()).isFalse();
        assertThat(engine.getEnabledProtocols()).containsExactlyInAnyOrder("TLSv1.3", "TLSv1.2");
        assertThat(Arrays.asList(engine.getEnabledCipherSuites())).isNotEmpty()
                .noneMatch(s -> s.contains("_NULL_") || s.contains("_anon_") || s.contains("_RC4_") || s.contains("_DES_"))
                .as("forward secrecy and AEAD only").allMatch(s -> s.startsWith("TLS_AES_") || s.startsWith("TLS_CHACHA20_")
                        || s.startsWith("TLS_ECDHE_") && (s.contains("_GCM_") || s.contains("CHACHA20")))
                .contains("TLS_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    }

    /** The RSAPrivateKey inside a PKCS#8 PrivateKeyInfo: the content of its last element, an OCTET STRING. */
    private static byte[] pkcs1Of(byte[] pkcs8) {
        int[] outer = header(pkcs8, 0);           // SEQUENCE
        int pos = outer[0];
        pos = skip(pkcs8, pos);                    // INTEGER version
        pos = skip(pkcs8, pos);                    // AlgorithmIdentifier
        int[] octets = header(pkcs8, pos);         // OCTET STRING
        assertThat(pkcs8[pos]).isEqualTo((byte) 0x04);
        return Arrays.copyOfRange(pkcs8, octets[0], octets[0] + octets[1]);
    }

    /** [content offset, content length] of the DER element at {@code pos}. */
    private static int[] header(byte[] der, int pos) {
        int len = der[pos + 1] & 0xFF;
        int start = pos + 2;
        if (len >= 0x80) {
            int n = len & 0x7F;
            len = 0;
            for (int i = 0; i < n; i++) {
                len = (len << 8) | (der[start + i] & 0xFF);
            }
            start += n;
        }
        return new int[] {start, len};
    }

    private static int skip(byte[] der, int pos) {
        int[] h = header(der, pos);
        return h[0] + h[1];
    }
}
