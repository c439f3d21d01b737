package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.it.app.Probe;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The class path as the JVM reads it, on real launchers: a {@code -jar} whose manifest names a jar
 * whose manifest names another, a {@code lib/*} wildcard, an {@code @argfile}, {@code JDK_JAVA_OPTIONS};
 * what is next to them and not named stays unreadable; a class path the helper's user cannot read
 * is refused by name; the current directory on the class path warns when it is the home.
 */
class ClassPathIT {
    private static final String PROBE = Probe.class.getName();

    /** A jar with {@code manifest} attributes and, if {@code classes} is given, every file beneath it. */
    private static Path jar(Path jar, Map<String, String> manifest, Path classes) throws IOException {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.forEach((k, v) -> m.getMainAttributes().put(new Attributes.Name(k), v));
        Files.createDirectories(jar.getParent());
        try (OutputStream file = Files.newOutputStream(jar);
                JarOutputStream out = new JarOutputStream(file, m)) {
            if (classes != null) {
                try (Stream<Path> walk = Files.walk(classes)) {
                    for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
                        out.putNextEntry(new JarEntry(classes.relativize(p).toString()));
                        out.write(Files.readAllBytes(p));
                        out.closeEntry();
                    }
                }
            }
        }
        return jar;
    }

    private static Sandbox.Result run(List<String> command, Map<String, String> env, Path directory)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command);
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        builder.environment().put("AIRLOCK_JAVA", Jdk.JDK17.java().toString());
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().putAll(env);
        return Sandbox.Result.of(builder.start(), 120);
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void aJarsNestedManifestClassPathRunsAndNothingElseBesideIt(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path top = s.root.resolve("jarapp");
            Path app = jar(top.resolve("app.jar"), Map.of("Main-Class", PROBE, "Class-Path", "lib/a.jar"), null);
            jar(top.resolve("lib/a.jar"), Map.of("Class-Path", "b.jar"), null);
            Path b = jar(top.resolve("lib/b.jar"), Map.of(), s.app);
            Path stray = jar(top.resolve("lib/stray.jar"), Map.of(), null);
            s.worldReadable(top);
            Sandbox.Result r = run(
                    Sandbox.javaCommand(jdk, null, List.of("-jar", app.toString(), "fis:" + b, "fis:" + stray)),
                    Map.of(),
                    null);
            assertEquals(0, r.exitCode(), r.stderr());
            assertTrue(
                    r.answer("fis:" + b).startsWith("OK "),
                    "the probe ran from b.jar, which it may read: " + r.stdout());
            assertTrue(
                    r.answer("fis:" + stray).startsWith("EX java.io.FileNotFoundException"),
                    r.stdout().toString());
            assertTrue(
                    r.answer("fis:" + stray).contains("denied by airlock policy"),
                    r.stdout().toString());
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void aWildcardGivesTheJarsOfItsDirectoryOnly(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path lib = s.root.resolve("wild");
            jar(lib.resolve("probe.jar"), Map.of(), s.app);
            Path notes = Files.writeString(lib.resolve("notes.txt"), "not code");
            s.worldReadable(lib);
            Sandbox.Result r = run(
                    Sandbox.javaCommand(jdk, null, List.of("-cp", lib + "/*", PROBE, "fis:" + notes)), Map.of(), null);
            assertEquals(0, r.exitCode(), r.stderr());
            assertTrue(
                    r.answer("fis:" + notes).contains("denied by airlock policy"),
                    r.stdout().toString());
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void anArgFileThePolicyGrantsIsReadAndOneItDoesNotIsRefused(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path jar = jar(s.root.resolve("argjar/probe.jar"), Map.of(), s.app);
            s.worldReadable(jar.getParent());
            Path args = Files.writeString(s.root.resolve("java.args"), "# the class path\n-cp '" + jar + "'\n");
            s.worldReadable(args);
            Path policy =
                    s.policy("args.policy", "grant { permission java.io.FilePermission \"" + args + "\", \"read\"; };");
            Sandbox.Result r =
                    run(Sandbox.javaCommand(jdk, policy, List.of("@" + args, PROBE, "status")), Map.of(), null);
            assertEquals(0, r.exitCode(), r.stderr());
            assertTrue(r.answer("status").startsWith("OK"), r.stdout().toString());

            Sandbox.Result refused =
                    run(Sandbox.javaCommand(jdk, null, List.of("@" + args, PROBE, "status")), Map.of(), null);
            assertEquals(2, refused.exitCode(), refused.stderr());
            assertTrue(
                    refused.stderr().contains("@" + args + ": the java launcher reads this argfile"), refused.stderr());
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void jdkJavaOptionsNameTheClassPath(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path jar = jar(s.root.resolve("envjar/probe.jar"), Map.of(), s.app);
            s.worldReadable(jar.getParent());
            Sandbox.Result r = run(
                    Sandbox.javaCommand(jdk, null, List.of(PROBE, "status")),
                    Map.of("JDK_JAVA_OPTIONS", "-cp " + jar),
                    null);
            assertEquals(0, r.exitCode(), r.stderr());
            assertTrue(r.answer("status").startsWith("OK"), r.stdout().toString());
            assertTrue(r.stderr().contains("Picked up JDK_JAVA_OPTIONS"), "the launcher's own note, as outside");
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void aClassPathTheHelperCannotReadIsRefusedByName(Jdk jdk) throws Exception {
        Assumptions.assumeTrue(Sandbox.isRoot(), "needs root: the helper runs as nobody only when airlock is root");
        Path secret = Files.createTempDirectory(Path.of("/root"), "airlock-it-cp-");
        try (Sandbox s = new Sandbox()) {
            Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rwx------"));
            Path jar = jar(secret.resolve("probe.jar"), Map.of(), s.app);
            Sandbox.Result r = run(
                    Sandbox.javaCommand(jdk, null, List.of("-cp", jar.toString(), PROBE, "status")), Map.of(), null);
            assertEquals(2, r.exitCode(), r.stderr());
            assertTrue(
                    r.stderr().contains("the class path entry " + jar + " is not readable by the helper's user"),
                    r.stderr());
            assertTrue(r.stderr().contains("nobody (uid 65534) may not search it"), r.stderr());
        } finally {
            try (Stream<Path> walk = Files.walk(secret)) {
                List<Path> all = new ArrayList<>(walk.toList());
                java.util.Collections.reverse(all);
                for (Path p : all) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void theCurrentDirectoryAsTheHomeWarnsOnce(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Sandbox.Result r = run(
                    Sandbox.javaCommand(jdk, null, List.of("-cp", ".", PROBE, "status")),
                    Map.of("HOME", s.app.toString()),
                    s.app);
            assertEquals(0, r.exitCode(), r.stderr());
            String warning = "airlock: WARNING: the class path is the current directory (-cp .), so the program may"
                    + " read everything under " + s.app + ", your home directory";
            assertTrue(r.stderr().contains(warning), r.stderr());
            assertEquals(r.stderr().indexOf(warning), r.stderr().lastIndexOf(warning), "once");
            Sandbox.Result elsewhere = run(
                    Sandbox.javaCommand(jdk, null, List.of("-cp", ".", PROBE, "status")),
                    Map.of("HOME", "/nonexistent"),
                    s.app);
            assertEquals(0, elsewhere.exitCode(), elsewhere.stderr());
            assertTrue(!elsewhere.stderr().contains("WARNING"), elsewhere.stderr());
        }
    }
}
