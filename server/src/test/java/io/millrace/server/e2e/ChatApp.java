package io.millrace.server.e2e;

import io.millrace.amf.AmfObject;
import io.millrace.examples.chat.ChatRoom;
import io.millrace.rtmp.client.ClientEvent;
import io.millrace.rtmp.client.RtmpClient;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The example chat application (examples/chat) deployed into a test's apps folder: its jar, built from the
 * example's classes with a version resource of the test's choosing, and its app.yaml.
 */
final class ChatApp {
    static final String VERSION_RESOURCE = "io/millrace/examples/chat/chat-version.txt";
    static final Duration WAIT = Duration.ofSeconds(10);

    private ChatApp() {
    }

    /** Writes {@code apps/chat/app.yaml} and {@code apps/chat/chat.jar} (version {@code version}); returns apps/. */
    static Path deploy(Path root, String appYaml, String version) throws IOException {
        Path dir = Files.createDirectories(root.resolve("apps").resolve("chat"));
        Files.writeString(dir.resolve("app.yaml"), appYaml);
        writeJar(dir.resolve("chat.jar"), version);
        return root.resolve("apps");
    }

    /**
     * Builds the chat jar into a temporary file then moves it over {@code jar} (as a deployment script would),
     * with {@code version} as its chat-version.txt.
     */
    static void writeJar(Path jar, String version) throws IOException {
        Path tmp = Files.createTempFile(jar.getParent(), "chat", ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp); JarOutputStream j = new JarOutputStream(out)) {
            Path source = classesOf();
            if (Files.isDirectory(source)) {
                try (Stream<Path> files = Files.walk(source)) {
                    for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                        String name = source.relativize(f).toString().replace('\\', '/');
                        if (!name.equals(VERSION_RESOURCE)) {
                            j.putNextEntry(new JarEntry(name));
                            Files.copy(f, j);
                            j.closeEntry();
                        }
                    }
                }
            } else {
                try (InputStream in = Files.newInputStream(source); JarInputStream src = new JarInputStream(in)) {
                    for (JarEntry e; (e = src.getNextJarEntry()) != null; ) {
                        if (!e.isDirectory() && !e.getName().equals(VERSION_RESOURCE)) {
                            j.putNextEntry(new JarEntry(e.getName()));
                            src.transferTo(j);
                            j.closeEntry();
                        }
                    }
                }
            }
            j.putNextEntry(new JarEntry(VERSION_RESOURCE));
            j.write(version.getBytes(StandardCharsets.UTF_8));
            j.closeEntry();
        }
        Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Where the example's classes are: its jar (mvn verify) or its classes folder (mvn test in the reactor). */
    private static Path classesOf() throws IOException {
        try {
            return Path.of(ChatRoom.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
    }

    /** Connects to {@code app} with the connect arguments; returns the client and the connect's answer. */
    static Connected connect(TestServer server, String app, int objectEncoding, Object... args) throws Exception {
        // Flash Player (AMF3), or an AMF0 client as librtmp connects.
        RtmpClient.Options o = objectEncoding == 3 ? RtmpClient.Options.flashPlayer() : RtmpClient.Options.plain();
        RtmpClient c = RtmpClient.open("127.0.0.1", server.port(), o);
        double tid = c.sendConnect(app, server.url(app), args);
        ClientEvent.CommandEvent answer = (ClientEvent.CommandEvent) c.await(e -> e instanceof ClientEvent.CommandEvent ce
                && ce.command().transactionId() == tid, WAIT);
        return new Connected(c, answer);
    }

    record Connected(RtmpClient client, ClientEvent.CommandEvent answer) implements AutoCloseable {
        String code() {
            return answer.code();
        }

        AmfObject info() {
            return answer.info();
        }

        @Override
        public void close() {
            client.close();
        }
    }

    /** Calls a method of the application and returns the answer (_result or _error). */
    static ClientEvent.CommandEvent call(RtmpClient c, String method, Object... args) throws Exception {
        double tid = c.send(method, null, args);
        return (ClientEvent.CommandEvent) c.await(e -> e instanceof ClientEvent.CommandEvent ce
                && ce.command().transactionId() == tid && List.of("_result", "_error").contains(ce.name()), WAIT);
    }

    /** The value a _result carries (after its command object). */
    static Object result(ClientEvent.CommandEvent e) {
        assertThat(e.name()).as("answer to a call").isEqualTo("_result");
        return e.command().arguments().isEmpty() ? null : e.command().arguments().get(0);
    }
}
