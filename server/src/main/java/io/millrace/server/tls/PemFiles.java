package io.millrace.server.tls;

import java.io.IOException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the RTMPS certificate chain and private key from PEM files, with errors that say what is wrong and
 * how to fix it. Keys: PKCS#8 ({@code BEGIN PRIVATE KEY}: RSA, EC, Ed25519...) and PKCS#1 ({@code BEGIN RSA
 * PRIVATE KEY}, wrapped here into PKCS#8); encrypted keys and SEC1 EC keys ({@code BEGIN EC PRIVATE KEY}) are
 * refused with the openssl command that converts them.
 */
public final class PemFiles {
    /** rsaEncryption (PKCS#1). */
    private static final String RSA_OID = "1.2.840.113549.1.1.1";
    /** A PEM file is text of a few kilobytes; anything much bigger is not one. */
    private static final long MAX_FILE_BYTES = 1 << 20;
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*(.*?)-----END \\1-----", Pattern.DOTALL);
    private static final String CONVERT = "openssl pkcs8 -topk8 -nocrypt -in KEY -out key-pkcs8.pem";

    private PemFiles() {
    }

    private record Block(String label, String body) {
        /** The base64 content (RFC 7468), without PEM headers such as Proc-Type. */
        byte[] der() {
            StringBuilder b64 = new StringBuilder();
            for (String line : body.split("\r?\n")) {
                if (!line.contains(":")) {
                    b64.append(line.trim());
                }
            }
            return Base64.getMimeDecoder().decode(b64.toString());
        }

        boolean encryptedHeader() {
            return body.contains("Proc-Type:") && body.contains("ENCRYPTED");
        }
    }

    private static List<Block> blocks(Path file) throws IOException {
        String text;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new IOException(file + ": " + Files.size(file) + " bytes is too big for a PEM file");
            }
            text = Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such file");
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IOException(file + ": permission denied");
        }
        List<Block> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            out.add(new Block(m.group(1), m.group(2)));
        }
        return out;
    }

    /** The certificates of a PEM file, in file order (the server's own first, then its chain). */
    public static X509Certificate[] readCertificates(Path file) throws IOException, GeneralSecurityException {
        List<Block> blocks = blocks(file);
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        List<X509Certificate> certs = new ArrayList<>();
        for (Block b : blocks) {
            if (b.label().equals("CERTIFICATE")) {
                byte[] der;
                try {
                    der = b.der();
                } catch (IllegalArgumentException e) {
                    throw new GeneralSecurityException(file + ": certificate " + (certs.size() + 1) + " is not valid base64");
                }
                Certificate c = factory.generateCertificate(new ByteArrayInputStream(der));
                certs.add((X509Certificate) c);
            }
        }
        if (certs.isEmpty()) {
            boolean key = blocks.stream().anyMatch(b -> b.label().endsWith("PRIVATE KEY"));
            throw new GeneralSecurityException(file + ": no PEM certificate (-----BEGIN CERTIFICATE-----) in it"
                    + (key ? "; it holds a private key: is it the rtmps.privateKey file?" : ""));
        }
        return certs.toArray(new X509Certificate[0]);
    }

    /** The first private key of a PEM file. */
    public static PrivateKey readPrivateKey(Path file) throws IOException, GeneralSecurityException {
        for (Block b : blocks(file)) {
            String label = b.label();
            if (!label.endsWith("PRIVATE KEY")) {
                continue;
            }
            String convert = CONVERT.replace("KEY", file.getFileName().toString());
            byte[] der;
            try {
                der = b.der();
            } catch (IllegalArgumentException e) {
                throw new GeneralSecurityException(file + ": the private key is not valid base64");
            }
            switch (label) {
                case "PRIVATE KEY" -> {
                    return pkcs8(der, file);
                }
                case "RSA PRIVATE KEY" -> {
                    if (b.encryptedHeader()) {
                        throw new GeneralSecurityException(file + ": the private key is encrypted; Millrace needs it"
                                + " unencrypted (readable by its user only): " + convert);
                    }
                    // PKCS#1 RSAPrivateKey inside a PKCS#8 PrivateKeyInfo: version 0, rsaEncryption, the key.
                    byte[] info = Der.sequence(Der.integer(0), Der.sequence(Der.oid(RSA_OID), Der.nul()),
                            Der.octetString(der));
                    return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(info));
                }
                case "ENCRYPTED PRIVATE KEY" -> throw new GeneralSecurityException(file + ": the private key is"
                        + " encrypted; Millrace needs it unencrypted (readable by its user only): " + convert);
                case "EC PRIVATE KEY" -> throw new GeneralSecurityException(file + ": an EC key in SEC1 form"
                        + " (BEGIN EC PRIVATE KEY) is not read; convert it to PKCS#8: " + convert);
                default -> throw new GeneralSecurityException(file + ": unsupported key type (BEGIN " + label
                        + "); convert it to PKCS#8: " + convert);
            }
        }
        throw new GeneralSecurityException(file + ": no PEM private key (-----BEGIN PRIVATE KEY-----) in it");
    }

    private static PrivateKey pkcs8(byte[] der, Path file) throws GeneralSecurityException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS", "DSA"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new GeneralSecurityException(file + ": the PKCS#8 private key is not RSA, EC or EdDSA, or is damaged");
    }

    /** Fails unless {@code key} is the private half of the certificate's public key (a signature round trip). */
    public static void checkKeyMatches(PrivateKey key, X509Certificate cert) throws GeneralSecurityException {
        String algorithm = switch (key.getAlgorithm().toUpperCase(Locale.ROOT)) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "ED25519", "ED448", "EDDSA" -> key.getAlgorithm();
            case "DSA" -> "SHA256withDSA";
            default -> null;
        };
        if (algorithm == null) {
            return;
        }
        byte[] probe = new byte[32];
        new SecureRandom().nextBytes(probe);
        boolean matches;
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(probe);
            matches = verifier.verify(signature);
        } catch (java.security.InvalidKeyException | java.security.SignatureException e) {
            matches = false;
        }
        if (!matches) {
            throw new GeneralSecurityException("the private key does not belong to the certificate ("
                    + cert.getSubjectX500Principal().getName() + ")");
        }
    }
}
