package io.millrace.server.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;

/**
 * A self-signed development certificate for RTMPS: RSA 2048, SHA-256, CN=localhost, subjectAltName
 * DNS:localhost, IP:127.0.0.1, IP:::1, for TLS servers (extendedKeyUsage serverAuth, not a CA). Written with
 * the JDK alone: the X.509 structure is encoded here ({@link Der}) and signed with {@link Signature}, then
 * read back with the JDK's certificate parser and its signature verified before anything is written.
 */
public final class DevCertificate {
    public static final String CERT_FILE = "cert.pem";
    public static final String KEY_FILE = "key.pem";
    static final Duration VALIDITY = Duration.ofDays(365);

    private static final String SHA256_WITH_RSA = "1.2.840.113549.1.1.11";
    private static final String COMMON_NAME = "2.5.4.3";
    private static final String BASIC_CONSTRAINTS = "2.5.29.19";
    private static final String KEY_USAGE = "2.5.29.15";
    private static final String EXT_KEY_USAGE = "2.5.29.37";
    private static final String SUBJECT_ALT_NAME = "2.5.29.17";
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";

    private DevCertificate() {
    }

    /** The certificate and its key, both PEM. */
    public record Pem(String certificate, String privateKey, X509Certificate parsed) {
    }

    /** Makes a new key pair and certificate for {@code commonName} (also its DNS name) valid from now. */
    public static Pem create(String commonName, Instant now) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048, new SecureRandom());
        KeyPair pair = generator.generateKeyPair();

        byte[] algorithm = Der.sequence(Der.oid(SHA256_WITH_RSA), Der.nul());
        byte[] name = Der.sequence(Der.set(Der.sequence(Der.oid(COMMON_NAME), Der.utf8String(commonName))));
        byte[] serial = new byte[16];
        new SecureRandom().nextBytes(serial);
        Instant from = now.minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS); // a little clock skew
        Instant until = from.plus(VALIDITY);
        byte[] altNames = Der.sequence(
                Der.implicitPrimitive(2, commonName.getBytes(StandardCharsets.US_ASCII)),           // dNSName
                Der.implicitPrimitive(7, new byte[] {127, 0, 0, 1}),                           // iPAddress 127.0.0.1
                Der.implicitPrimitive(7, new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})); // ::1
        byte[] extensions = Der.explicit(3, Der.sequence(
                extension(BASIC_CONSTRAINTS, true, Der.sequence()),                             // cA FALSE
                // digitalSignature (bit 0) and keyEncipherment (bit 2): 0b101 in the first byte, 5 unused bits.
                extension(KEY_USAGE, true, Der.element(0x03, new byte[] {5, (byte) 0xA0})),
                extension(EXT_KEY_USAGE, false, Der.sequence(Der.oid(SERVER_AUTH))),
                extension(SUBJECT_ALT_NAME, false, altNames)));
        byte[] tbs = Der.sequence(
                Der.explicit(0, Der.integer(2)),                      // version 3
                Der.integer(new BigInteger(1, serial)),
                algorithm,
                name,                                                  // issuer: itself
                Der.sequence(Der.time(from), Der.time(until)),
                name,                                                  // subject
                pair.getPublic().getEncoded(),                         // SubjectPublicKeyInfo, already DER
                extensions);
        Signature signer = Signature.getInstance("SHA256withRSA");
        signer.initSign(pair.getPrivate());
        signer.update(tbs);
        byte[] der = Der.sequence(tbs, algorithm, Der.bitString(signer.sign()));

        X509Certificate parsed = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
        parsed.verify(pair.getPublic());
        return new Pem(pem("CERTIFICATE", der), pem("PRIVATE KEY", pair.getPrivate().getEncoded()), parsed);
    }

    private static byte[] extension(String oid, boolean critical, byte[] value) {
        return critical ? Der.sequence(Der.oid(oid), Der.bool(true), Der.octetString(value))
                : Der.sequence(Der.oid(oid), Der.octetString(value));
    }

    static String pem(String label, byte[] der) {
        String b64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
        return "-----BEGIN " + label + "-----\n" + b64 + "\n-----END " + label + "-----\n";
    }

    /**
     * Writes {@code dir/cert.pem} and {@code dir/key.pem} (the key readable by its owner only where the file
     * system has POSIX permissions), creating {@code dir}; refuses to overwrite either file.
     */
    public static X509Certificate write(Path dir) throws IOException, GeneralSecurityException {
        Files.createDirectories(dir);
        Path cert = dir.resolve(CERT_FILE);
        Path key = dir.resolve(KEY_FILE);
        for (Path p : new Path[] {cert, key}) {
            if (Files.exists(p)) {
                throw new FileAlreadyExistsException(p + " exists; remove it or choose another folder");
            }
        }
        Pem pem = create("localhost", Instant.now());
        Files.writeString(key, "", StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW);
        try {
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the folder's own permissions apply
        }
        Files.writeString(key, pem.privateKey(), StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
        Files.writeString(cert, pem.certificate(), StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW);
        return pem.parsed();
    }
}
