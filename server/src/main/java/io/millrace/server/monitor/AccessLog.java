package io.millrace.server.monitor;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The access log, as Flash Media Server wrote it: W3C extended log format, one line per event (connect,
 * disconnect, play, stop, pause, unpause, seek, publish, unpublish, record, recordstop, server-start,
 * server-stop), tab-separated, {@code -} for a field without a value, FMS's field names and status codes.
 * Files are {@code access.YYYYMMDDNN.log} (FMS's default name pattern, UTC date and a two-digit sequence),
 * each starting with its {@code #Software}, {@code #Version}, {@code #Date} and {@code #Fields} lines; a
 * new one is started each UTC day and when the current one reaches its size limit, and the oldest are
 * deleted beyond {@code keepFiles}. Dates and times are UTC ({@code tz} says so).
 *
 * <p>Lines are formatted by the caller (an event loop: string work only) and written by one thread of
 * their own, so a slow disk never holds up a connection. Should that thread fall more than
 * {@value #QUEUE_LINES} lines behind, lines are dropped and counted ({@link #droppedLines()}), with a
 * warning in the server log.
 *
 * <p>Values are made safe for one field: a tab, a space, a line break, any other control character, a
 * {@code %} and a {@code #} at the start of a value are written as {@code %XX} (URL-encoding, as FMS did
 * for unsafe characters), so that a stream name can neither split a field nor start a comment line.
 */
public final class AccessLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AccessLog.class);
    static final int QUEUE_LINES = 100_000;
    private static final DateTimeFormatter FILE_DATE = DateTimeFormatter.ofPattern("yyyyMMdd");
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
    private static final DateTimeFormatter HEADER_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final Pattern FILE_NAME = Pattern.compile("access\\.(\\d{8})(\\d{2,})\\.log");

    /** The fields of every line, in order (FMS's names). */
    public enum Field {
        X_EVENT("x-event"), X_CATEGORY("x-category"), DATE("date"), TIME("time"), TZ("tz"), X_CTX("x-ctx"),
        S_IP("s-ip"), X_PID("x-pid"), X_VHOST("x-vhost"), X_APP("x-app"), X_APPINST("x-appinst"),
        X_DURATION("x-duration"), X_STATUS("x-status"), C_IP("c-ip"), C_PROTO("c-proto"), S_URI("s-uri"),
        CS_URI_STEM("cs-uri-stem"), CS_URI_QUERY("cs-uri-query"), C_REFERRER("c-referrer"),
        C_USER_AGENT("c-user-agent"), C_CLIENT_ID("c-client-id"), CS_BYTES("cs-bytes"), SC_BYTES("sc-bytes"),
        X_SNAME("x-sname"), X_SNAME_QUERY("x-sname-query"), X_FILE_NAME("x-file-name"), X_FILE_EXT("x-file-ext"),
        X_FILE_SIZE("x-file-size"), X_FILE_LENGTH("x-file-length"), X_SPOS("x-spos"),
        CS_STREAM_BYTES("cs-stream-bytes"), SC_STREAM_BYTES("sc-stream-bytes"), X_COMMENT("x-comment");

        final String w3c;

        Field(String w3c) {
            this.w3c = w3c;
        }

        public String w3cName() {
            return w3c;
        }
    }

    /** The {@code #Fields} directive: every field name, tab-separated. */
    public static final String FIELDS_LINE;

    static {
        StringBuilder b = new StringBuilder("#Fields:");
        for (Field f : Field.values()) {
            b.append(f == Field.X_EVENT ? " " : "\t").append(f.w3c);
        }
        FIELDS_LINE = b.toString();
    }

    /** One event's values, filled by the caller and handed to {@link #write(Entry)}. */
    public static final class Entry {
        private final String[] values = new String[Field.values().length];

        private Entry(String event, String category) {
            set(Field.X_EVENT, event);
            set(Field.X_CATEGORY, category);
        }

        /** Sets a field; null leaves it empty ({@code -}). Numbers are written as they print. */
        public Entry set(Field field, Object value) {
            values[field.ordinal()] = value == null ? null : value.toString();
            return this;
        }

        public String get(Field field) {
            return values[field.ordinal()];
        }
    }

    /** An access log that writes nothing (switched off, or a server without one). */
    public static final AccessLog OFF = new AccessLog();

    private final Path dir;
    private final long maxBytes;
    private final int keepFiles;
    private final Clock clock;
    private final String software;
    private final String serverIp;
    private final String pid = Long.toString(ProcessHandle.current().pid());
    private final BlockingQueue<String> queue;
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer;
    private volatile boolean closing;

    // Writer thread only.
    private BufferedWriter out;
    private LocalDate fileDate;
    private long fileBytes;
    private Path current;

    private AccessLog() {
        dir = null;
        maxBytes = 0;
        keepFiles = 0;
        clock = Clock.systemUTC();
        software = "";
        serverIp = "";
        queue = null;
        writer = null;
    }

    private AccessLog(Path dir, long maxBytes, int keepFiles, Clock clock, String software, String serverIp) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.keepFiles = keepFiles;
        this.clock = clock;
        this.software = software;
        this.serverIp = serverIp;
        this.queue = new ArrayBlockingQueue<>(QUEUE_LINES);
        this.writer = new Thread(this::run, "millrace-access-log");
        writer.setDaemon(true);
    }

    /**
     * Opens the access log in {@code dir} (created if missing) and starts its writer thread.
     *
     * @param maxBytes  a file is closed and the next one started once it holds this much
     * @param keepFiles the most access log files kept in {@code dir}; older ones are deleted
     * @param software  the {@code #Software} line's text, e.g. "Millrace 0.1.0"
     * @param serverIp  the {@code s-ip} field: the address the RTMP port listens on
     */
    public static AccessLog open(Path dir, long maxBytes, int keepFiles, Clock clock, String software, String serverIp)
            throws IOException {
        Files.createDirectories(dir);
        if (!Files.isWritable(dir)) {
            throw new IOException(dir + " is not writable");
        }
        AccessLog log = new AccessLog(dir, maxBytes, keepFiles, clock, software, serverIp);
        log.writer.start();
        return log;
    }

    public boolean enabled() {
        return queue != null;
    }

    /** A new line's values for {@code event} of {@code category} (session, stream or server). */
    public Entry entry(String event, String category) {
        return new Entry(event, category);
    }

    /** Formats the entry now (its date and time are now) and queues it for the writer. Any thread, never blocks. */
    public void write(Entry e) {
        if (queue == null || closing) {
            return;
        }
        Instant now = clock.instant();
        java.time.OffsetDateTime t = now.atOffset(ZoneOffset.UTC);
        e.set(Field.DATE, DATE.format(t));
        e.set(Field.TIME, TIME.format(t));
        e.set(Field.TZ, "UTC");
        e.set(Field.S_IP, serverIp);
        e.set(Field.X_PID, pid);
        if (e.get(Field.X_VHOST) == null) {
            e.set(Field.X_VHOST, "_defaultVHost_");
        }
        StringBuilder b = new StringBuilder(256);
        for (int i = 0; i < e.values.length; i++) {
            if (i > 0) {
                b.append('\t');
            }
            appendSafe(b, e.values[i]);
        }
        if (!queue.offer(b.toString())) {
            if (dropped.incrementAndGet() % 10_000 == 1) {
                LOG.warn("access log: the writer is {} lines behind; {} lines dropped so far", QUEUE_LINES, dropped.get());
            }
        }
    }

    /** Lines lost: the writer fell behind, or could not write them. */
    public long droppedLines() {
        return dropped.get();
    }

    /** The file written now (null before the first line). Tests only. */
    Path currentFile() {
        return current;
    }

    static void appendSafe(StringBuilder b, String v) {
        if (v == null || v.isEmpty()) {
            b.append('-');
            return;
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c <= ' ' || c == '%' || c == 0x7F || (c == '#' && i == 0)) {
                b.append('%').append(Character.forDigit(c >> 4 & 0xF, 16)).append(Character.forDigit(c & 0xF, 16));
            } else {
                b.append(c);
            }
        }
    }

    private void run() {
        List<String> batch = new ArrayList<>();
        long lastError = 0;
        try {
            while (!(closing && queue.isEmpty())) {
                String first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, 4096);
                try {
                    for (String line : batch) {
                        writeLine(line);
                    }
                    out.flush();
                } catch (IOException | RuntimeException e) {
                    // A full disk, a removed folder: these lines are lost, the next ones start a new file.
                    dropped.addAndGet(batch.size());
                    closeFile();
                    long now = System.nanoTime();
                    if (lastError == 0 || now - lastError > 60_000_000_000L) {
                        lastError = now;
                        LOG.error("access log: cannot write in {}: {}; {} lines lost so far", dir, e, dropped.get());
                    }
                }
                batch.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeFile();
        }
    }

    private void writeLine(String line) throws IOException {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        if (out == null || !today.equals(fileDate) || fileBytes + bytes.length > maxBytes && fileBytes > 0) {
            rotate(today);
        }
        out.write(line);
        out.write('\n');
        fileBytes += bytes.length;
    }

    private void rotate(LocalDate today) throws IOException {
        closeFile();
        String day = FILE_DATE.format(today);
        int next = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "access.*.log")) {
            for (Path p : files) {
                Matcher m = FILE_NAME.matcher(p.getFileName().toString());
                if (m.matches() && m.group(1).equals(day)) {
                    next = Math.max(next, Integer.parseInt(m.group(2)) + 1);
                }
            }
        }
        current = dir.resolve(String.format("access.%s%02d.log", day, next));
        out = Files.newBufferedWriter(current, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE);
        fileDate = today;
        String header = "#Software: " + software + "\n#Version: 1.0\n#Date: "
                + HEADER_TIME.format(clock.instant().atOffset(ZoneOffset.UTC)) + "\n" + FIELDS_LINE + "\n";
        out.write(header);
        fileBytes = header.getBytes(StandardCharsets.UTF_8).length;
        prune();
    }

    /** Deletes the oldest access logs beyond keepFiles (names sort by date, then sequence). */
    private void prune() throws IOException {
        List<Path> logs = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "access.*.log")) {
            for (Path p : files) {
                if (FILE_NAME.matcher(p.getFileName().toString()).matches()) {
                    logs.add(p);
                }
            }
        }
        logs.sort((a, b) -> {
            Matcher ma = FILE_NAME.matcher(a.getFileName().toString());
            Matcher mb = FILE_NAME.matcher(b.getFileName().toString());
            ma.matches();
            mb.matches();
            int c = ma.group(1).compareTo(mb.group(1));
            return c != 0 ? c : Integer.compare(Integer.parseInt(ma.group(2)), Integer.parseInt(mb.group(2)));
        });
        for (int i = 0; i < logs.size() - keepFiles; i++) {
            Files.deleteIfExists(logs.get(i));
        }
    }

    private void closeFile() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException e) {
                LOG.warn("access log: closing {}: {}", current, e.toString());
            }
            out = null;
        }
    }

    /** Writes what is queued, closes the file and stops the writer. */
    @Override
    public void close() {
        if (writer == null) {
            return;
        }
        closing = true;
        try {
            writer.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
