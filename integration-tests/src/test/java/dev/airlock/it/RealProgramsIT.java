package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.it.app.ArchiveProgram;
import dev.airlock.it.app.H2Program;
import dev.airlock.it.app.LuceneProgram;
import dev.airlock.it.app.ManifestApp;
import dev.airlock.it.app.ManifestGreeter;
import dev.airlock.it.app.RollingLogProgram;
import dev.airlock.it.app.SqliteProgram;
import dev.airlock.it.app.TextImageProgram;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Real programs, not written for Airlock, from artifacts the build fetches from Maven Central
 * (or, for javadoc and the {@code -jar} application, the JDK and jars the test packs), each run
 * once plainly and once under {@code airlock run} with the tightest policy it should need, in a
 * JVM of its own per run: each must print exactly what it prints outside the sandbox, and leave
 * the same files. The drivers in {@code it/app} do what an ordinary user of each library does
 * and print only what does not depend on where they ran (paths relative to the directory they
 * are given). The times of both runs go to the test log and {@code
 * target/real-program-times.txt}.
 *
 * <p>The policies grant what the program itself uses and nothing for the JVM's own needs: the
 * temporary directory (sqlite-jdbc's native library, ImageIO's cache), the system files (fonts)
 * and the class path (the {@code -jar}'s manifest) are Airlock's to provide.
 */
final class RealProgramsIT {
    /** Any moment in the past, whole seconds: what the source trees' files are dated, identical for both runs. */
    private static final FileTime SOURCE_TIME = FileTime.from(Instant.parse("2024-05-06T07:08:09Z"));

    /** A policy of file grants, each {@code {TARGET, ACTIONS}}. */
    private static String grant(String[]... permissions) {
        StringBuilder text = new StringBuilder("grant {\n");
        for (String[] p : permissions) {
            text.append("  permission java.io.FilePermission \"")
                    .append(p[0])
                    .append("\", \"")
                    .append(p[1])
                    .append("\";\n");
        }
        return text.append("};\n").toString();
    }

    private static String[] file(Path target, String actions) {
        return new String[] {target.toString(), actions};
    }

    private static String[] tree(Path dir, String actions) {
        return new String[] {dir + "/-", actions};
    }

    /** A program's data directory: listed, and everything beneath it read, written and deleted. */
    private static String dataDirectoryPolicy(Path dir) {
        return grant(file(dir, "read"), tree(dir, "read,write,delete"));
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void sqliteThroughSqliteJdbc(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            // sqlite-jdbc alone: without SLF4J on the class path it logs through java.util.logging.
            RealProgram program = new RealProgram("sqlite", s, "org.sqlite.JDBC");
            List<String> out = program.runDriver(jdk, SqliteProgram.class, true, RealProgramsIT::dataDirectoryPolicy)
                    .stdout();
            assertTrue(out.contains("journal count 60 bytes 31110"), out.toString());
            assertTrue(out.contains("journal_mode wal"), out.toString());
            assertTrue(out.contains("wal count 120 bytes 123420"), out.toString());
            assertTrue(out.contains("file notes.db"), out.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void h2FileDatabase(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            RealProgram program = new RealProgram("h2", s, "org.h2.Driver");
            List<String> out = program.runDriver(jdk, H2Program.class, false, RealProgramsIT::dataDirectoryPolicy)
                    .stdout();
            // 190 items priced id/10, those with an id divisible by 3 doubled: 1814.5 + 604.8.
            assertTrue(out.contains("row 190 2419.30 item-99"), out.toString());
            assertTrue(out.contains("file shop.mv.db"), out.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void luceneIndexAndSearch(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            RealProgram program = new RealProgram("lucene", s, "org.apache.lucene.index.IndexWriter");
            List<String> out = program.runDriver(jdk, LuceneProgram.class, false, RealProgramsIT::dataDirectoryPolicy)
                    .stdout();
            assertTrue(out.contains("mmap docs 6"), out.toString());
            assertTrue(out.contains("nio docs 6"), out.toString());
            assertTrue(out.stream().anyMatch(line -> line.startsWith("mmap query body:sandbox: doc-")), out.toString());
        }
    }

    /**
     * The tree the archiver packs, the same for both runs: a file, an executable script, a
     * symbolic link to a file, a nested file and an empty directory, all dated {@link #SOURCE_TIME}.
     */
    private static Path archiveSource(Sandbox s) throws IOException {
        Path source = Files.createDirectories(s.root.resolve("tree"));
        Files.writeString(source.resolve("README.txt"), "what this tree is\n");
        Path bin = Files.createDirectories(source.resolve("bin"));
        Path script = Files.writeString(bin.resolve("run.sh"), "#!/bin/sh\necho run\n");
        Path docs = Files.createDirectories(source.resolve("docs"));
        Files.writeString(docs.resolve("guide.txt"), "a guide\n".repeat(300));
        Files.createDirectories(docs.resolve("empty"));
        s.worldReadable(source);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(bin.resolve("readme"), Path.of("../README.txt"));
        try (Stream<Path> walk = Files.walk(source)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (!Files.isSymbolicLink(p)) {
                    Files.setLastModifiedTime(p, SOURCE_TIME);
                }
            }
        }
        return source;
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void archiverWithSymlinksAndModes(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            RealProgram program = new RealProgram(
                    "tar",
                    s,
                    "org.apache.commons.compress.archivers.tar.TarArchiveOutputStream",
                    "org.apache.commons.io.IOUtils",
                    "org.apache.commons.lang3.StringUtils",
                    "org.apache.commons.codec.Charsets");
            Path source = archiveSource(s);
            // The links are read (readlink) where they are packed and where they are extracted, the program asks
            // whether an extracted file is executable (execute), and nothing is deleted.
            RealProgram.Outcome outcome = program.runDriver(
                    jdk,
                    ArchiveProgram.class,
                    false,
                    confinedDir -> grant(
                            file(source, "read"),
                            tree(source, "read,readlink"),
                            file(confinedDir, "read"),
                            tree(confinedDir, "read,write,readlink,execute")),
                    source.toString());
            Path plainDir = outcome.plainDirectory();
            Path confinedDir = outcome.confinedDirectory();
            List<String> out = outcome.stdout();
            assertTrue(
                    out.stream()
                            .anyMatch(l -> l.startsWith("entry bin/readme 120777 ") && l.endsWith(" -> ../README.txt")),
                    out.toString());
            assertTrue(out.stream().anyMatch(l -> l.startsWith("entry bin/run.sh 100755 ")), out.toString());
            assertEquals(
                    -1L,
                    Files.mismatch(plainDir.resolve("tree.tar"), confinedDir.resolve("tree.tar")),
                    "the archive written in the sandbox is byte for byte the one written outside");
            // What was extracted in the sandbox, seen by the test itself rather than by the program.
            Path extracted = confinedDir.resolve("out");
            assertEquals(
                    "rwxr-xr-x",
                    PosixFilePermissions.toString(Files.getPosixFilePermissions(extracted.resolve("bin/run.sh"))));
            assertEquals(Path.of("../README.txt"), Files.readSymbolicLink(extracted.resolve("bin/readme")));
            assertEquals(SOURCE_TIME, Files.getLastModifiedTime(extracted.resolve("docs/guide.txt")));
            assertTrue(Files.isDirectory(extracted.resolve("docs/empty")));
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void logbackRollingFiles(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            RealProgram program = new RealProgram(
                    "logback",
                    s,
                    "ch.qos.logback.classic.LoggerContext",
                    "ch.qos.logback.core.Context",
                    "org.slf4j.LoggerFactory");
            RealProgram.Outcome outcome =
                    program.runDriver(jdk, RollingLogProgram.class, false, RealProgramsIT::dataDirectoryPolicy);
            Path plainDir = outcome.plainDirectory();
            Path confinedDir = outcome.confinedDirectory();
            List<String> out = outcome.stdout();
            assertEquals(
                    List.of("file app.1.log.gz", "file app.2.log.gz", "file app.3.log.gz", "file app.log"),
                    out.stream().map(l -> l.substring(0, l.indexOf(" lines "))).toList(),
                    "logback kept the active file and three rolled ones, and recorded no warning: " + out);
            assertTrue(out.get(3).contains(" first INFO RollingLogProgram [main] round 6 message 1 "), out.get(3));
            assertTrue(out.get(2).contains(" first INFO RollingLogProgram [main] round 3 message 1 "), out.get(2));
            for (String file : List.of("app.log", "app.1.log.gz", "app.2.log.gz", "app.3.log.gz")) {
                assertEquals(
                        -1L,
                        Files.mismatch(plainDir.resolve(file), confinedDir.resolve(file)),
                        file + " is byte for byte the one logged outside the sandbox");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void imageIoAndAwtTextToPng(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            RealProgram program = new RealProgram("png", s);
            RealProgram.Outcome outcome = program.runDriver(
                    jdk, TextImageProgram.class, false, confinedDir -> grant(tree(confinedDir, "read,write")));
            Path plainDir = outcome.plainDirectory();
            Path confinedDir = outcome.confinedDirectory();
            List<String> out = outcome.stdout();
            assertTrue(out.contains("written file true"), out.toString());
            assertTrue(out.contains("written stream true"), out.toString());
            for (String png : List.of("text.png", "stream.png")) {
                assertEquals(
                        -1L,
                        Files.mismatch(plainDir.resolve(png), confinedDir.resolve(png)),
                        png + " drawn in the sandbox is byte for byte the one drawn outside");
            }
        }
    }

    /** A jar of {@code entries} (name to bytes) with {@code attributes} in its manifest. */
    private static void jar(Path jar, List<String[]> attributes, List<Object[]> entries) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        for (String[] a : attributes) {
            manifest.getMainAttributes().put(new Attributes.Name(a[0]), a[1]);
        }
        Files.createDirectories(jar.getParent());
        try (OutputStream file = Files.newOutputStream(jar);
                JarOutputStream out = new JarOutputStream(file, manifest)) {
            for (Object[] e : entries) {
                out.putNextEntry(new JarEntry((String) e[0]));
                out.write((byte[]) e[1]);
                out.closeEntry();
            }
        }
    }

    private static Object[] classEntry(Class<?> type) throws IOException {
        String resource = type.getName().replace('.', '/') + ".class";
        try (InputStream in = type.getClassLoader().getResourceAsStream(resource)) {
            return new Object[] {resource, in.readAllBytes()};
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void jarWithManifestClassPath(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            RealProgram program = new RealProgram("jar", s);
            Path dir = s.root.resolve("application");
            Path app = dir.resolve("app.jar");
            jar(
                    app,
                    List.of(
                            new String[] {"Main-Class", ManifestApp.class.getName()},
                            new String[] {"Class-Path", "lib/greeter.jar"},
                            new String[] {"Implementation-Title", "manifest-demo"},
                            new String[] {"Implementation-Version", "1.2.3"}),
                    List.<Object[]>of(classEntry(ManifestApp.class)));
            // The library's own manifest names the next jar, relative to the library.
            jar(
                    dir.resolve("lib/greeter.jar"),
                    List.<String[]>of(new String[] {"Class-Path", "words.jar"}),
                    List.<Object[]>of(classEntry(ManifestGreeter.class)));
            jar(dir.resolve("lib/words.jar"), List.of(), List.<Object[]>of(new Object[] {
                "words.txt", "found through two manifests\n".getBytes(StandardCharsets.UTF_8)
            }));
            s.worldReadable(dir);
            Path cwd = program.workingDirectory();
            List<String> javaArgs = List.of("-jar", app.toString(), "airlock");

            // No policy: an application's own jars are its class path, not files it is granted.
            RealProgram.Run plain = program.plain(jdk, cwd, javaArgs);
            RealProgram.Run confined = program.confined(jdk, cwd, null, javaArgs);

            program.assertSameOutput(jdk, plain, confined);
            assertEquals(
                    List.of(
                            "app manifest-demo 1.2.3",
                            "hello airlock from ManifestGreeter",
                            "words found through two manifests"),
                    plain.result().stdout());
        }
    }

    /** A small documented library: two packages, a package comment, generics, a record. */
    private static Path javadocSources(Sandbox s) throws IOException {
        Path src = s.root.resolve("javadoc-src");
        Path demo = Files.createDirectories(src.resolve("demo"));
        Path util = Files.createDirectories(demo.resolve("util"));
        Files.writeString(demo.resolve("package-info.java"), "/** Greetings, documented. */\npackage demo;\n");
        Files.writeString(demo.resolve("Greeter.java"), """
                package demo;

                import demo.util.Names;

                /**
                 * Greets people.
                 *
                 * @param <T> what is greeted
                 * @see Names
                 */
                public class Greeter<T extends CharSequence> {
                    /** A greeter. */
                    public Greeter() {}

                    /**
                     * Greets one.
                     *
                     * @param who whom
                     * @return the greeting
                     * @throws IllegalArgumentException when {@code who} is empty
                     */
                    public String greet(T who) {
                        return "hello " + Names.tidy(who);
                    }
                }
                """);
        Files.writeString(util.resolve("Names.java"), """
                package demo.util;

                /** Helpers for names. */
                public final class Names {
                    private Names() {}

                    /**
                     * Trims a name.
                     *
                     * @param name a name
                     * @return it, trimmed
                     */
                    public static String tidy(CharSequence name) {
                        return name.toString().strip();
                    }

                    /**
                     * A person.
                     *
                     * @param first the first name
                     * @param last the last name
                     */
                    public record Person(String first, String last) {}
                }
                """);
        s.worldReadable(src);
        return src;
    }

    /** Every file under {@code out}, relative to it, sorted. */
    private static List<String> files(Path out) throws IOException {
        try (Stream<Path> walk = Files.walk(out)) {
            return walk.filter(Files::isRegularFile)
                    .map(p -> out.relativize(p).toString())
                    .sorted()
                    .toList();
        }
    }

    /**
     * A page as javadoc writes it, less the two lines that carry the day it ran (the "Generated
     * by javadoc ... on DATE" comment and the {@code dc.created} meta tag): what must be identical.
     */
    private static String withoutTimestamps(Path page) throws IOException {
        return Files.readAllLines(page, StandardCharsets.UTF_8).stream()
                .filter(line -> !line.startsWith("<!-- Generated by javadoc") && !line.contains("name=\"dc.created\""))
                .collect(Collectors.joining("\n"));
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void javadocOverASourceTree(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            RealProgram program = new RealProgram("javadoc", s);
            Path src = javadocSources(s);
            Path plainDir = program.plainDirectory();
            Path confinedDir = program.confinedDirectory(false);
            Path plainOut = Files.createDirectories(plainDir.resolve("out"));
            Path confinedOut = Files.createDirectories(confinedDir.resolve("out"));
            Path policy = s.policy(
                    "javadoc.policy",
                    grant(
                            file(src, "read"),
                            tree(src, "read"),
                            // javadoc refuses an output directory it may not write (Files.isWritable).
                            file(confinedOut, "read,write"),
                            tree(confinedOut, "read,write")));
            // Run where "out" is the output, so javadoc's messages name it alike in both runs.
            List<String> javaArgs = List.of(
                    "-m",
                    "jdk.javadoc/jdk.javadoc.internal.tool.Main",
                    "-d",
                    "out",
                    "-sourcepath",
                    src.toString(),
                    "demo",
                    "demo.util");

            RealProgram.Run plain = program.plain(jdk, plainDir, javaArgs);
            RealProgram.Run confined = program.confined(jdk, confinedDir, policy, javaArgs);

            program.assertSameOutput(jdk, plain, confined);
            // javadoc reports on stderr, relative to where it runs: the same lines in both runs.
            assertTrue(
                    plain.result().stderr().contains("Generating out/demo/Greeter.html..."),
                    plain.result().stderr());
            List<String> expected = files(plainOut);
            assertTrue(expected.contains("demo/Greeter.html"), expected.toString());
            assertTrue(expected.contains("demo/util/Names.Person.html"), expected.toString());
            assertEquals(expected, files(confinedOut), "javadoc writes the same files in the sandbox");
            List<String> differing = new ArrayList<>();
            for (String f : expected) {
                boolean same = f.endsWith(".html")
                        ? withoutTimestamps(plainOut.resolve(f)).equals(withoutTimestamps(confinedOut.resolve(f)))
                        : Files.mismatch(plainOut.resolve(f), confinedOut.resolve(f)) == -1;
                if (!same) {
                    differing.add(f);
                }
            }
            assertEquals(List.of(), differing, "files javadoc writes differently in the sandbox");
        }
    }
}
