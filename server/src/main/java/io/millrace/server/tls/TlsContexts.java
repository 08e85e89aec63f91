package io.millrace.server.tls;

import io.millrace.server.config.ServerConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;

/**
 * The RTMPS listener's TLS context: the configured certificate chain and key, TLS 1.3 and 1.2 only, the JDK's
 * TLS implementation (netty-tcnative/OpenSSL would be faster at handshakes, but adds a native library per
 * platform; the JDK's is enough for the connection rates an RTMP server sees).
 */
public final class TlsContexts {
    /** The protocols RTMPS accepts; TLS 1.0 and 1.1 are refused. */
    public static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    static final java.util.List<String> CIPHERS = java.util.List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private TlsContexts() {
    }

    /** A server context and what it serves (the certificate chain), for the startup log line. */
    public record Server(SslContext context, X509Certificate[] chain) {
    }

    public static Server server(ServerConfig.Rtmps rtmps) throws IOException, GeneralSecurityException {
        X509Certificate[] chain = PemFiles.readCertificates(rtmps.certificate());
        java.security.PrivateKey key = PemFiles.readPrivateKey(rtmps.privateKey());
        PemFiles.checkKeyMatches(key, chain[0]);
        SslContext context = SslContextBuilder.forServer(key, chain)
                .sslProvider(SslProvider.JDK)
                .protocols(PROTOCOLS)
                // Forward secrecy and AEAD only: TLS 1.3's suites, then ECDHE with AES-GCM or ChaCha20 for 1.2.
                .ciphers(CIPHERS, io.netty.handler.ssl.SupportedCipherSuiteFilter.INSTANCE)
                .build();
        return new Server(context, chain);
    }
}
