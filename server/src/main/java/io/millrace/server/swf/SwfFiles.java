package io.millrace.server.swf;

import io.millrace.rtmp.handshake.SwfVerification;
import org.tukaani.xz.LZMAInputStream;

import javax.crypto.Mac;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * The size and hash a client proves for a SWF file (swf-verification.md §2): HMAC-SHA256 keyed with
 * {@code "Genuine Adobe Flash Player 001"} over the uncompressed form, {@code FWS} + version + length +
 * body, whatever form the file is stored in:
 *
 * <ul>
 *   <li>{@code FWS}: the file as it is;</li>
 *   <li>{@code CWS} (zlib, Flash 6+): the 8-byte header with 'C' made 'F', then the zlib-inflated rest;</li>
 *   <li>{@code ZWS} (LZMA, Flash 11+): "ZWS", version, the uncompressed length (4 bytes LE, header
 *       included), the compressed length (4 bytes LE), 5 bytes of LZMA properties, then the LZMA data
 *       without the 8-byte size field of a .lzma file; hashed as "FWS", version, the same length and the
 *       LZMA-decoded body.</li>
 * </ul>
 *
 * <p>The hash is computed as the bytes stream through (nothing is held in memory but the LZMA
 * dictionary, itself no larger than the SWF), and no SWF may be larger than {@code maxSize} once
 * uncompressed: a compressed file that would inflate beyond its header's length, or beyond that limit,
 * is refused as soon as it does, so a small "zip bomb" costs neither memory nor much time.
 */
public final class SwfFiles {

    /** The default limit on a SWF's uncompressed size: 64 MiB. */
    public static final long DEFAULT_MAX_SIZE = 64L << 20;

    private static final int HEADER_LENGTH = 8;
    /** ZWS: the compressed length (4) and the LZMA properties (1 + 4) after the common 8-byte header. */
    private static final int ZWS_EXTRA_HEADER = 9;
    /** LZMA dictionaries are at least this large in xz's decoder. */
    private static final int MIN_DICT = 4096;

    private SwfFiles() {
    }

    /** Size and hash of one SWF: what a client that holds it sends in its SWF verification response. */
    public record SwfDigest(long size, byte[] hash) {
        public SwfDigest {
            if (hash == null || hash.length != SwfVerification.HASH_LENGTH) {
                throw new IllegalArgumentException("a SWF hash is 32 bytes");
            }
            hash = hash.clone();
        }

        @Override
        public byte[] hash() {
            return hash.clone();
        }

        /** The hash as 64 lower-case hex digits (rtmpdump's --swfhash). */
        public String hex() {
            return java.util.HexFormat.of().formatHex(hash);
        }
    }

    /** A file that is not a SWF Millrace can hash (not a SWF, damaged, or too large). */
    public static final class InvalidSwfException extends IOException {
        public InvalidSwfException(String message) {
            super(message);
        }
    }

    /** {@link #digest(InputStream, long)} of a file. */
    public static SwfDigest digest(Path file, long maxSize) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 64 * 1024)) {
            return digest(in, maxSize);
        }
    }

    /**
     * Reads a whole SWF (FWS, CWS or ZWS) and returns the size and hash of its uncompressed form.
     *
     * @param maxSize the largest uncompressed size accepted
     * @throws InvalidSwfException if it is not a SWF, is damaged, or is larger than {@code maxSize}
     */
    public static SwfDigest digest(InputStream in, long maxSize) throws IOException {
        byte[] header = in.readNBytes(HEADER_LENGTH);
        if (header.length < HEADER_LENGTH || header[1] != 'W' || header[2] != 'S'
                || (header[0] != 'F' && header[0] != 'C' && header[0] != 'Z')) {
            throw new InvalidSwfException("not a SWF file (it does not start with FWS, CWS or ZWS)");
        }
        char form = (char) header[0];
        long declared = (header[4] & 0xFFL) | (header[5] & 0xFFL) << 8 | (header[6] & 0xFFL) << 16
                | (header[7] & 0xFFL) << 24;
        if (declared < HEADER_LENGTH) {
            throw new InvalidSwfException("its header gives a length of " + declared + " bytes, less than the header");
        }
        if (declared > maxSize && form != 'F') {
            throw new InvalidSwfException("it uncompresses to " + declared + " bytes, more than the limit of "
                    + maxSize);
        }
        Mac mac = SwfVerification.newSwfHashMac();
        header[0] = 'F';
        mac.update(header);
        long body;
        switch (form) {
            case 'F' -> {
                // As librtmp and ffmpeg: the file as it is, whatever its header says.
                body = copy(in, mac, maxSize - HEADER_LENGTH);
                if (body < 0) {
                    throw new InvalidSwfException("it is larger than the limit of " + maxSize + " bytes");
                }
            }
            case 'C' -> {
                Inflater inflater = new Inflater();
                try {
                    body = copy(new InflaterInputStream(in, inflater, 64 * 1024), mac, declared - HEADER_LENGTH);
                } catch (java.util.zip.ZipException | EOFException e) {
                    throw new InvalidSwfException("its zlib data is damaged: " + e.getMessage());
                } finally {
                    inflater.end();
                }
                if (body < 0) {
                    throw new InvalidSwfException("it inflates to more than the " + declared
                            + " bytes its header gives");
                }
            }
            default -> body = lzma(in, mac, declared);
        }
        return new SwfDigest(HEADER_LENGTH + body, mac.doFinal());
    }

    private static long lzma(InputStream in, Mac mac, long declared) throws IOException {
        byte[] extra = in.readNBytes(ZWS_EXTRA_HEADER);
        if (extra.length < ZWS_EXTRA_HEADER) {
            throw new InvalidSwfException("its LZMA header is cut short");
        }
        byte props = extra[4];
        long dict = (extra[5] & 0xFFL) | (extra[6] & 0xFFL) << 8 | (extra[7] & 0xFFL) << 16 | (extra[8] & 0xFFL) << 24;
        long bodyLength = declared - HEADER_LENGTH;
        // The decoder never looks back further than what it has written: a dictionary the size of the
        // output is enough, whatever the header claims (this bounds the decoder's memory by maxSize).
        int dictSize = (int) Math.max(MIN_DICT, Math.min(dict, Math.max(bodyLength, 1)));
        long body;
        try {
            LZMAInputStream lz = new LZMAInputStream(in, bodyLength, props, dictSize);
            // Some SWF compressors end the range coder loosely; the known length is what counts.
            lz.enableRelaxedEndCondition();
            body = copy(lz, mac, bodyLength);
        } catch (org.tukaani.xz.XZIOException e) {
            throw new InvalidSwfException("its LZMA data is damaged: " + e.getMessage());
        } catch (EOFException e) {
            throw new InvalidSwfException("its LZMA data is cut short");
        }
        if (body != bodyLength) {
            throw new InvalidSwfException("its LZMA data holds " + body + " bytes, not the " + bodyLength
                    + " its header gives");
        }
        return body;
    }

    /** Feeds {@code in} to the MAC to its end; the byte count, or -1 once more than {@code limit} bytes came. */
    private static long copy(InputStream in, Mac mac, long limit) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        for (int n; (n = in.read(buf)) != -1; ) {
            total += n;
            if (total > limit) {
                return -1;
            }
            mac.update(buf, 0, n);
        }
        return total;
    }
}
