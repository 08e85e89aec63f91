package io.millrace.server;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Keeps the module dependencies pointing one way (ARCHITECTURE.md: amf &lt;- rtmp &lt;- server,
 * media &lt;- server) by reading the sources of every module: imports, static imports and fully qualified
 * names in code (comments are ignored, string literals are not, so {@code Class.forName} counts).
 *
 * <ul>
 *   <li>amf uses no {@code io.millrace.*} but {@code io.millrace.amf}, and no {@code io.netty.*} but
 *       {@code io.netty.buffer} and {@code io.netty.util};</li>
 *   <li>rtmp uses neither {@code io.millrace.server} nor {@code io.millrace.media};</li>
 *   <li>media uses neither {@code io.millrace.server}, {@code io.millrace.rtmp} nor {@code io.netty.channel};</li>
 *   <li>no module but server uses {@code io.millrace.server};</li>
 *   <li>api uses no {@code io.millrace.*} but {@code io.millrace.api}, and no {@code io.netty.*} at all
 *       (an application compiles against it alone);</li>
 *   <li>the example applications ({@code examples/*}) use no {@code io.millrace.*} but {@code io.millrace.api}
 *       and their own {@code io.millrace.examples}, and no {@code io.netty.*}: what a third party can do.</li>
 * </ul>
 *
 * <p>Test sources may also use {@code io.millrace.testkit}, the test-scoped helper every module declares.
 * Plain text scanning instead of ArchUnit: no extra dependency, and it sees test sources and
 * fully qualified names that bytecode analysis of one module's classes would miss.
 */
class ArchitectureTest {

    /** The modules whose rules are written below; if one disappears or is renamed, the test says so. */
    private static final Set<String> RULED_MODULES = Set.of("api", "amf", "rtmp", "media", "server", "examples/chat");

    /** Modules at the end of the dependency chain, which nothing depends on. */
    private static final Set<String> LEAF_MODULES = Set.of("bench", "dist");

    /** {@code io.millrace.x...} or {@code io.netty.x...} not preceded by an identifier character or dot. */
    private static final Pattern REFERENCE =
            Pattern.compile("(?<![\\w$.])io\\s*\\.\\s*(millrace|netty)((?:\\s*\\.\\s*[A-Za-z_$][\\w$]*)+)");

    record Violation(String file, int line, String reference, String reason, String text) {
        @Override
        public String toString() {
            return file + ":" + line + ": " + reference + " — " + reason + "\n        " + text.strip();
        }
    }

    // ---- the rules ---------------------------------------------------------------------------------

    /**
     * Why {@code module} may not refer to {@code reference} (a dotted name starting with io.millrace or
     * io.netty), or null when it may.
     */
    static String forbidden(String module, boolean testSource, String reference) {
        String[] parts = reference.split("\\.");
        String library = parts[1];
        String area = parts.length > 2 ? parts[2] : "";
        if (library.equals("millrace")) {
            if (testSource && area.equals("testkit")) {
                return null;
            }
            // ARCHITECTURE.md: nothing imports server except leaf modules (bench, dist).
            if (area.equals("server") && !module.equals("server") && !LEAF_MODULES.contains(module)) {
                return "only the server module and the leaf modules " + LEAF_MODULES + " may use io.millrace.server";
            }
            if (module.startsWith("examples/")) {
                return area.equals("api") || area.equals("examples") ? null
                        : "an example application may use no io.millrace package but io.millrace.api";
            }
            switch (module) {
                case "api":
                    return area.equals("api") ? null : "api may use no io.millrace package but io.millrace.api";
                case "amf":
                    return area.equals("amf") ? null : "amf may use no io.millrace package but io.millrace.amf";
                case "rtmp":
                    return area.equals("media") ? "rtmp must not use io.millrace.media" : null;
                case "media":
                    return area.equals("rtmp") ? "media must not use io.millrace.rtmp" : null;
                default:
                    return null;
            }
        }
        if (module.equals("api") || module.startsWith("examples/")) {
            return module + " may use no io.netty package: applications see no Netty";
        }
        switch (module) {
            case "amf":
                return area.equals("buffer") || area.equals("util") ? null
                        : "amf may use no io.netty package but io.netty.buffer and io.netty.util";
            case "media":
                return area.equals("channel") ? "media must not use io.netty.channel" : null;
            default:
                return null;
        }
    }

    // ---- the scanner -------------------------------------------------------------------------------

    /** Violations in one source file of {@code module}; {@code file} is only used in the report. */
    static List<Violation> check(String module, boolean testSource, String file, String source) {
        List<Violation> found = new ArrayList<>();
        String[] original = source.split("\n", -1);
        String code = stripComments(source); // same length and line breaks as source
        // Whole text, not line by line: a qualified name may be broken over lines.
        Matcher m = REFERENCE.matcher(code);
        int line = 1;
        int counted = 0;
        while (m.find()) {
            for (; counted < m.start(); counted++) {
                if (code.charAt(counted) == '\n') {
                    line++;
                }
            }
            String reference = m.group().replaceAll("\\s+", "");
            String reason = forbidden(module, testSource, reference);
            if (reason != null) {
                found.add(new Violation(file, line, reference, reason, original[line - 1]));
            }
        }
        return found;
    }

    /**
     * The source with every comment replaced by spaces (line breaks kept, so line numbers stay right).
     * String, text block and character literals are kept as they are and are not mistaken for comments.
     */
    static String stripComments(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            char next = i + 1 < n ? s.charAt(i + 1) : '\0';
            if (c == '/' && next == '/') {
                while (i < n && s.charAt(i) != '\n') {
                    out.append(' ');
                    i++;
                }
            } else if (c == '/' && next == '*') {
                out.append("  ");
                i += 2;
                while (i < n && !(s.charAt(i) == '*' && i + 1 < n && s.charAt(i + 1) == '/')) {
                    out.append(s.charAt(i) == '\n' ? '\n' : ' ');
                    i++;
                }
                if (i < n) {
                    out.append("  ");
                    i += 2;
                }
            } else if (s.startsWith("\"\"\"", i)) {
                int end = s.indexOf("\"\"\"", i + 3);
                while (end > 0 && isEscaped(s, end)) {
                    end = s.indexOf("\"\"\"", end + 1);
                }
                end = end < 0 ? n : end + 3;
                out.append(s, i, end);
                i = end;
            } else if (c == '"' || c == '\'') {
                out.append(c);
                i++;
                while (i < n && s.charAt(i) != c && s.charAt(i) != '\n') {
                    if (s.charAt(i) == '\\' && i + 1 < n) {
                        out.append(s.charAt(i));
                        i++;
                    }
                    out.append(s.charAt(i));
                    i++;
                }
                if (i < n && s.charAt(i) == c) {
                    out.append(c);
                    i++;
                }
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static boolean isEscaped(String s, int at) {
        int backslashes = 0;
        for (int j = at - 1; j >= 0 && s.charAt(j) == '\\'; j--) {
            backslashes++;
        }
        return backslashes % 2 == 1;
    }

    // ---- the repository ----------------------------------------------------------------------------

    /** Walks up from the working directory to the directory of the millrace-parent POM. */
    static Path repositoryRoot() {
        Path start = Paths.get("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path pom = dir.resolve("pom.xml");
            if (Files.isRegularFile(pom) && isParentPom(read(pom))) {
                return dir;
            }
        }
        throw new AssertionError("no pom.xml with <artifactId>millrace-parent</artifactId> above " + start);
    }

    /** True for the parent POM itself, not for a module POM that names it in {@code <parent>}. */
    static boolean isParentPom(String pom) {
        String own = withoutXmlComments(pom).replaceAll("(?s)<parent>.*?</parent>", "");
        return own.matches("(?s).*<artifactId>\\s*millrace-parent\\s*</artifactId>.*");
    }

    static List<String> modules(Path root) {
        Matcher m = Pattern.compile("<module>\\s*([^<\\s]+)\\s*</module>")
                .matcher(withoutXmlComments(read(root.resolve("pom.xml"))));
        List<String> modules = new ArrayList<>();
        while (m.find()) {
            modules.add(m.group(1));
        }
        return modules;
    }

    private static String withoutXmlComments(String xml) {
        return xml.replaceAll("(?s)<!--.*?-->", "");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The .java files under {@code module/src}, relative to the root, in a stable order. */
    private static List<Path> javaSources(Path root, String module) {
        Path src = root.resolve(module).resolve("src");
        if (!Files.isDirectory(src)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(src)) {
            return files.filter(p -> p.toString().endsWith(".java") && Files.isRegularFile(p))
                    .map(root::relativize).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isTestSource(Path relative) {
        return relative.toString().replace('\\', '/').contains("/src/test/");
    }

    // ---- the tests ---------------------------------------------------------------------------------

    @Test
    void modulesDependOnEachOtherOnlyOneWay() {
        Path root = repositoryRoot();
        List<String> modules = modules(root);
        assertThat(modules).as("modules of %s", root.resolve("pom.xml")).containsAll(RULED_MODULES);

        Map<String, Integer> scanned = new LinkedHashMap<>();
        List<Violation> violations = new ArrayList<>();
        for (String module : modules) {
            List<Path> sources = javaSources(root, module);
            scanned.put(module, sources.size());
            for (Path file : sources) {
                violations.addAll(check(module, isTestSource(file), file.toString().replace('\\', '/'),
                        read(root.resolve(file))));
            }
        }
        for (String module : RULED_MODULES) {
            assertThat(scanned.get(module)).as("Java sources found in %s", module).isPositive();
        }
        if (!violations.isEmpty()) {
            fail(violations.size() + " reference(s) against the module rules in ARCHITECTURE.md:\n"
                    + violations.stream().map(Violation::toString).collect(Collectors.joining("\n")));
        }
    }

    // The checks below make sure the scanner itself finds what it must and nothing else, so that a
    // green modulesDependOnEachOtherOnlyOneWay means something.

    @Test
    void scannerFindsImportsStaticImportsWildcardsAndQualifiedNames() {
        String source = String.join("\n",
                "package io.millrace.rtmp.x;",                                               // 1
                "import io.millrace.server.config.ServerConfig;",                            // 2
                "import static io.millrace.media.flv.FlvReader.read;",                       // 3
                "import io.millrace.server.*;",                                              // 4
                "import io.millrace.amf.AmfObject;",                                         // 5
                "class A {",                                                                 // 6
                "    Object o = new io.millrace.server.Main();",                             // 7
                "    Object p = io.millrace",                                                // 8
                "            .media.Thing.INSTANCE;",                                        // 9
                "    Class<?> c = Class.forName(\"io.millrace.server.Main\");",              // 10
                "    String url = \"rtmp://h/live\"; Object q = io.millrace.media.X.Y;",     // 11
                "    Object r = myio.millrace.server.Z; Object t = a.io.millrace.server.Z;", // 12
                "}");
        List<Violation> found = check("rtmp", false, "A.java", source);
        assertThat(found).extracting(Violation::line).containsExactly(2, 3, 4, 7, 8, 10, 11);
        assertThat(found).extracting(Violation::reference).containsExactly(
                "io.millrace.server.config.ServerConfig", "io.millrace.media.flv.FlvReader.read",
                "io.millrace.server", "io.millrace.server.Main", "io.millrace.media.Thing.INSTANCE",
                "io.millrace.server.Main", "io.millrace.media.X.Y");
        assertThat(found.get(0).toString()).startsWith("A.java:2: io.millrace.server.config.ServerConfig");
    }

    @Test
    void scannerIgnoresComments() {
        String source = String.join("\n",
                "package io.millrace.media;",
                "/* io.millrace.server.Block",
                "   io.netty.channel.Channel */",
                "// import io.millrace.rtmp.X;",
                "/** {@link io.millrace.server.Y} */",
                "class B { int x; // io.millrace.server.Z",
                "  String s = \"// not a comment\"; char q = '\"'; /* io.millrace.rtmp.W */ }",
                "  String u = \"/* still code */ \" + io.millrace.rtmp.V.NAME;",
                "}");
        List<Violation> found = check("media", false, "B.java", source);
        assertThat(found).extracting(Violation::line, Violation::reference)
                .containsExactly(tuple(8, "io.millrace.rtmp.V.NAME"));
    }

    @Test
    void theApiAndTheExamplesSeeNoServerAndNoNetty() {
        String source = "import io.millrace.api.Client;\nimport io.netty.buffer.ByteBuf;\nimport io.millrace.amf.AmfObject;\n";
        assertThat(check("api", false, "A.java", source)).extracting(Violation::line).containsExactly(2, 3);
        assertThat(check("examples/chat", false, "B.java", source + "import io.millrace.examples.chat.X;\n"))
                .extracting(Violation::line).containsExactly(2, 3);
    }

    @Test
    void textBlocksAreCode() {
        String source = "class C {\n  String s = \"\"\"\n    // io.millrace.server.InText\n    \"\"\";\n}\n";
        assertThat(check("rtmp", false, "C.java", source)).extracting(Violation::line).containsExactly(3);
    }

    @Test
    void rulesPerModule() {
        // amf: only io.millrace.amf, io.netty.buffer and io.netty.util
        assertThat(forbidden("amf", false, "io.millrace.amf.AmfObject")).isNull();
        assertThat(forbidden("amf", false, "io.netty.buffer.ByteBuf")).isNull();
        assertThat(forbidden("amf", false, "io.netty.util.ReferenceCountUtil")).isNull();
        assertThat(forbidden("amf", false, "io.netty.util.concurrent.FastThreadLocal")).isNull();
        assertThat(forbidden("amf", false, "io.millrace.rtmp.RtmpProtocolException")).isNotNull();
        assertThat(forbidden("amf", false, "io.millrace.media.X")).isNotNull();
        assertThat(forbidden("amf", false, "io.millrace.testkit.LeakDetectionExtension")).isNotNull();
        assertThat(forbidden("amf", true, "io.millrace.testkit.LeakDetectionExtension")).isNull();
        assertThat(forbidden("amf", false, "io.netty.channel.Channel")).isNotNull();
        assertThat(forbidden("amf", false, "io.netty.handler.codec.ByteToMessageDecoder")).isNotNull();
        // rtmp: not server, not media
        assertThat(forbidden("rtmp", false, "io.millrace.amf.AmfObject")).isNull();
        assertThat(forbidden("rtmp", false, "io.netty.channel.Channel")).isNull();
        assertThat(forbidden("rtmp", false, "io.millrace.server.Main")).isNotNull();
        assertThat(forbidden("rtmp", true, "io.millrace.server.Main")).isNotNull();
        assertThat(forbidden("rtmp", false, "io.millrace.media.flv.FlvReader")).isNotNull();
        // media: not server, not rtmp, not io.netty.channel
        assertThat(forbidden("media", false, "io.millrace.amf.Amf0Reader")).isNull();
        assertThat(forbidden("media", false, "io.netty.buffer.ByteBuf")).isNull();
        assertThat(forbidden("media", false, "io.millrace.server.Main")).isNotNull();
        assertThat(forbidden("media", false, "io.millrace.rtmp.message.RtmpMessage")).isNotNull();
        assertThat(forbidden("media", false, "io.netty.channel.ChannelHandler")).isNotNull();
        assertThat(forbidden("media", false, "io.netty.channel")).isNotNull();
        // server may use everything; nobody else may use server
        assertThat(forbidden("server", false, "io.millrace.rtmp.client.RtmpClient")).isNull();
        assertThat(forbidden("server", false, "io.netty.channel.Channel")).isNull();
        assertThat(forbidden("testkit", false, "io.millrace.server.Main")).isNotNull();
        assertThat(forbidden("bench", false, "io.millrace.server.MillraceServer")).isNull();
        assertThat(forbidden("api", false, "io.millrace.server.Main")).isNotNull();
        // a name that merely starts like a package is something else
        assertThat(forbidden("rtmp", false, "io.millrace.serverless.X")).isNull();
    }

    @Test
    void rootIsTheParentPomNotAModulePom() {
        String modulePom = "<project><parent><groupId>io.millrace</groupId>"
                + "<artifactId>millrace-parent</artifactId></parent><artifactId>millrace-server</artifactId></project>";
        String parentPom = "<project><groupId>io.millrace</groupId><artifactId>millrace-parent</artifactId>"
                + "<modules><module>amf</module><!-- <module>old</module> --></modules></project>";
        assertThat(isParentPom(modulePom)).isFalse();
        assertThat(isParentPom(parentPom)).isTrue();
        Path root = repositoryRoot();
        assertThat(root.resolve("server").resolve("pom.xml")).isRegularFile();
    }
}
