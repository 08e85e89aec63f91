package io.millrace.server.e2e;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Finds and runs the real RTMP clients (ffmpeg, ffprobe, rtmpdump, gst-launch-1.0). In CI
 * ({@code -Dmillrace.e2e.required=true}, set by .ci/run) a missing client fails the test; on a
 * developer's machine the test is skipped with a loud message.
 */
public final class RealClients {

    private RealClients() {
    }

    public static boolean required() {
        return Boolean.getBoolean("millrace.e2e.required") || "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** The executable's path; fails (CI) or skips (developer) the test when it is not installed. */
    public static String require(String program) {
        String path = find(program);
        if (path == null) {
            String msg = "*** " + program + " is not installed: end-to-end test "
                    + (required() ? "FAILS (required in CI)" : "SKIPPED") + ". Install it with: apt-get install "
                    + packageOf(program) + " ***";
            System.err.println(msg);
            if (required()) {
                throw new AssertionError(msg);
            }
            Assumptions.abort(msg);
        }
        return path;
    }

    private static String packageOf(String program) {
        return switch (program) {
            case "ffmpeg", "ffprobe" -> "ffmpeg";
            case "gst-launch-1.0" -> "gstreamer1.0-tools gstreamer1.0-plugins-bad";
            default -> program;
        };
    }

    static String find(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir, program);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    /** What a finished process printed and returned. */
    public record Result(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout ---\n" + tail(stdout) + "\n--- stderr ---\n" + tail(stderr);
        }

        private static String tail(String s) {
            return s.length() > 4000 ? "..." + s.substring(s.length() - 4000) : s;
        }
    }

    /**
     * Threads for {@link #async}: one per running client (the common fork-join pool has as few as one
     * thread on small machines, and a client waiting there would not start until another ended).
     */
    private static final java.util.concurrent.ExecutorService CLIENT_THREADS =
            java.util.concurrent.Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "real-client");
                t.setDaemon(true);
                return t;
            });

    /** {@link #run(int, String...)} on another thread, for clients that run side by side. */
    public static java.util.concurrent.CompletableFuture<Result> async(int timeoutSeconds, String... command) {
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return run(timeoutSeconds, command);
            } catch (IOException | InterruptedException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, CLIENT_THREADS);
    }

    /** Runs a command to completion; kills it and fails after {@code timeoutSeconds}. */
    public static Result run(int timeoutSeconds, String... command) throws IOException, InterruptedException {
        return run(timeoutSeconds, Arrays.asList(command));
    }

    public static Result run(int timeoutSeconds, List<String> command) throws IOException, InterruptedException {
        return run(timeoutSeconds, Map.of(), command);
    }

    /** As {@link #run(int, List)}, with {@code env} added to this process's environment. */
    public static Result run(int timeoutSeconds, Map<String, String> env, List<String> command)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("millrace-out", ".txt");
        Path err = Files.createTempFile("millrace-err", ".txt");
        try {
            ProcessBuilder b = new ProcessBuilder(new ArrayList<>(command))
                    .redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            b.environment().putAll(env);
            Process p = b.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError("timed out after " + timeoutSeconds + " s: " + String.join(" ", command)
                        + "\n" + Files.readString(err, StandardCharsets.UTF_8));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
