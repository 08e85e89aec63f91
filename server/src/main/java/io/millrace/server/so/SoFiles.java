package io.millrace.server.so;

import io.millrace.amf.Amf0Reader;
import io.millrace.amf.Amf0Writer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The files of persistent shared objects: one per object, {@code <encoded name>.mso} in the instance's
 * folder.
 *
 * <p>File names: the object's name in UTF-8, with every byte but {@code A-Z a-z 0-9 - _} written as
 * {@code %XX} (so no separators, no {@code .} or {@code ..}, no hidden files); a name whose encoded form is
 * longer than 120 characters is cut there and followed by {@code ~} and the SHA-256 of the full name. The
 * file holds the full name, which is checked on reading.
 *
 * <p>Format: {@code "MSO1"}, the body's length (U32) and CRC-32 (U32), then the body: AMF0 values, the
 * object's name (string), its version (number), the property count (number), then each property's name
 * (string) and value (AMF0, AMF3-only values such as byte arrays behind the AVM+ marker). Written to a
 * temporary file in the same folder, forced to disk, then moved over the old one atomically.
 */
final class SoFiles {
    static final String EXTENSION = ".mso";
    private static final byte[] MAGIC = "MSO1".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER = 12;
    private static final int MAX_PLAIN_NAME = 120;

    /** What a file held. */
    record Stored(long version, LinkedHashMap<String, Object> properties, Map<String, Long> sizes) {
    }

    private SoFiles() {
    }

    static String fileName(String objectName) {
        byte[] utf8 = objectName.getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(utf8.length);
        for (byte b : utf8) {
            int c = b & 0xFF;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        if (sb.length() > MAX_PLAIN_NAME) {
            sb.setLength(MAX_PLAIN_NAME);
            sb.append('~').append(sha256(utf8));
        }
        return sb.append(EXTENSION).toString();
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The file's bytes for an object (values are stored ones: the writer takes them all). */
    static byte[] encode(String name, long version, Map<String, Object> properties) {
        ByteBuf body = Unpooled.buffer(256);
        try {
            Amf0Writer w = new Amf0Writer(body);
            w.write(name).write((double) version).write((double) properties.size());
            for (Map.Entry<String, Object> e : properties.entrySet()) {
                // A fresh writer per value: Amf0Writer bounds each writer's output at 16 MiB.
                new Amf0Writer(body).write(e.getKey()).write(e.getValue());
            }
            CRC32 crc = new CRC32();
            crc.update(body.nioBuffer());
            byte[] out = new byte[HEADER + body.readableBytes()];
            ByteBuffer bb = ByteBuffer.wrap(out);
            bb.put(MAGIC).putInt(body.readableBytes()).putInt((int) crc.getValue());
            body.getBytes(body.readerIndex(), out, HEADER, body.readableBytes());
            return out;
        } finally {
            body.release();
        }
    }

    /**
     * Reads a file's bytes back; throws IOException saying what is wrong when they are not a whole, intact
     * file of object {@code name} whose values fit {@code budgetBytes}.
     */
    static Stored decode(byte[] file, String name, long budgetBytes) throws IOException {
        if (file.length < HEADER || !java.util.Arrays.equals(java.util.Arrays.copyOf(file, 4), MAGIC)) {
            throw new IOException("not a shared object file (bad header)");
        }
        ByteBuffer bb = ByteBuffer.wrap(file);
        bb.position(4);
        long length = bb.getInt() & 0xFFFFFFFFL;
        int crcValue = bb.getInt();
        if (length != file.length - HEADER) {
            throw new IOException("truncated or padded: " + (file.length - HEADER) + " bytes of body, header says "
                    + length);
        }
        CRC32 crc = new CRC32();
        crc.update(file, HEADER, file.length - HEADER);
        if ((int) crc.getValue() != crcValue) {
            throw new IOException("checksum mismatch");
        }
        ByteBuf body = Unpooled.wrappedBuffer(file, HEADER, file.length - HEADER);
        try {
            Amf0Reader r = new Amf0Reader(body);
            if (!(r.read() instanceof String stored) || !stored.equals(name)) {
                throw new IOException("holds another object's data");
            }
            if (!(r.read() instanceof Double version) || !(r.read() instanceof Double count) || version < 0
                    || count < 0) {
                throw new IOException("bad version or property count");
            }
            SoValues.Budget budget = new SoValues.Budget(budgetBytes);
            LinkedHashMap<String, Object> props = new LinkedHashMap<>();
            Map<String, Long> sizes = new LinkedHashMap<>();
            for (long i = 0; i < count; i++) {
                if (!(new Amf0Reader(body).read() instanceof String key)) {
                    throw new IOException("property " + i + " has no name");
                }
                long before = budget.used();
                Object value = SoValues.normalize(new Amf0Reader(body).read(), budget);
                props.put(key, value);
                sizes.put(key, budget.used() - before + 2 + key.length());
            }
            if (body.isReadable()) {
                throw new IOException(body.readableBytes() + " bytes past the last property");
            }
            return new Stored(version.longValue(), props, sizes);
        } catch (RuntimeException e) { // AmfException, SoValues.Refused
            throw new IOException(e.getMessage(), e);
        } finally {
            body.release();
        }
    }

    /** Reads the file, at most {@code maxBytes}; null when there is none. */
    static byte[] read(Path file, long maxBytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > maxBytes) {
                throw new IOException("file of " + size + " bytes, more than " + maxBytes);
            }
            ByteBuffer b = ByteBuffer.allocate((int) size);
            while (b.hasRemaining() && ch.read(b) >= 0) {
                // read on
            }
            if (b.hasRemaining()) {
                throw new IOException("file shrank while read");
            }
            return b.array();
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        }
    }

    /** Replaces {@code file} with {@code data}: temporary file, fsync, atomic move, then the folder fsynced. */
    static void writeAtomically(Path file, byte[] data) throws IOException {
        Path dir = file.getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".tmp-", ".part");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(data);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Not every platform can sync a folder; the file itself is synced.
        }
    }
}
