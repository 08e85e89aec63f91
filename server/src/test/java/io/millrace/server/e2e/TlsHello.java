package io.millrace.server.e2e;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A TLS ClientHello written by hand (RFC 5246 §7.4.1.2), so a test can offer exactly one protocol version,
 * which the JDK's own client would not send (it refuses TLS 1.1 itself), and the first record of the answer.
 */
final class TlsHello {
    static final int TLS_1_1 = 0x0302;
    static final int TLS_1_2 = 0x0303;
    static final int ALERT = 0x15;
    static final int HANDSHAKE = 0x16;
    /** Alert description protocol_version. */
    static final int PROTOCOL_VERSION = 70;

    private TlsHello() {
    }

    /** A ClientHello offering {@code version} only (no supported_versions extension), RSA-certificate suites. */
    static byte[] clientHello(int version) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        u16(body, version);
        byte[] random = new byte[32];
        ThreadLocalRandom.current().nextBytes(random);
        body.writeBytes(random);
        body.write(0); // no session id
        int[] suites = {0xC02F, 0xC013, 0x002F, 0x00FF}; // ECDHE-RSA-AES128-GCM, ECDHE-RSA-AES128-SHA, AES128-SHA, SCSV
        u16(body, suites.length * 2);
        for (int s : suites) {
            u16(body, s);
        }
        body.write(1);
        body.write(0); // null compression
        ByteArrayOutputStream ext = new ByteArrayOutputStream();
        extension(ext, 0x000A, new byte[] {0, 4, 0, 0x17, 0, 0x1D});                  // supported_groups
        extension(ext, 0x000B, new byte[] {1, 0});                                   // ec_point_formats
        extension(ext, 0x000D, new byte[] {0, 6, 4, 1, 8, 4, 2, 1});                 // signature_algorithms
        extension(ext, 0x0017, new byte[0]);                                         // extended_master_secret
        u16(body, ext.size());
        body.writeBytes(ext.toByteArray());

        ByteArrayOutputStream handshake = new ByteArrayOutputStream();
        handshake.write(1); // client_hello
        u24(handshake, body.size());
        handshake.writeBytes(body.toByteArray());
        ByteArrayOutputStream record = new ByteArrayOutputStream();
        record.write(HANDSHAKE);
        u16(record, 0x0301);
        u16(record, handshake.size());
        record.writeBytes(handshake.toByteArray());
        return record.toByteArray();
    }

    /** The first record the server answers with: its content type and first two content bytes. */
    record Answer(int type, int version, int first, int second) {
        @Override
        public String toString() {
            return String.format("record type 0x%02x version 0x%04x content %d %d", type, version, first, second);
        }
    }

    static Answer readAnswer(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(in);
        int type = d.readUnsignedByte();
        int version = d.readUnsignedShort();
        int length = d.readUnsignedShort();
        if (length < 2) {
            throw new IOException("record of " + length + " bytes");
        }
        return new Answer(type, version, d.readUnsignedByte(), d.readUnsignedByte());
    }

    private static void extension(ByteArrayOutputStream out, int type, byte[] data) {
        u16(out, type);
        u16(out, data.length);
        out.writeBytes(data);
    }

    private static void u16(ByteArrayOutputStream out, int v) {
        out.write(v >>> 8);
        out.write(v);
    }

    private static void u24(ByteArrayOutputStream out, int v) {
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }
}
