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
 * what is next to them and not named stays unreadable; a class path in a home the helper's user
 * cannot search (as root) is shown to it where it is and runs as outside, what is beside it staying
 * the policy's; an entry that user may not read itself is refused by name; the current directory
 * on the class path warns when it is the home.
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

    /** A directory under {@code /root} (itself {@code 0700}) made {@code mode}: a home the helper's user cannot search. */
    private static Path privateHome(String mode) throws IOException {
        Path home = Files.createTempDirectory(Path.of("/root"), "airlock-it-home-");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString(mode));
        return home;
    }

    private static void mode(Path path, String mode) throws IOException {
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(mode));
    }

    private static void deleteTree(Path top) throws IOException {
        try (Stream<Path> walk = Files.walk(top)) {
            List<Path> all = new ArrayList<>(walk.toList());
            java.util.Collections.reverse(all);
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void aJarInAPrivateHomeUsingItsOwnRepositoryRunsAsItDoesOutside(Jdk jdk) throws Exception {
        Assumptions.assumeTrue(Sandbox.isRoot(), "needs root: the helper runs as nobody only when airlock is root");
        Path home = privateHome("rwx------");
        try (Sandbox s = new Sandbox()) {
            // a project and its local repository under a 0700 home, the repository itself 0700 too (~/.m2)
            Path lib = jar(home.resolve(".m2/repository/dev/probe/1/probe-1.jar"), Map.of(), s.app);
            Path proj = home.resolve("proj");
            jar(
                    proj.resolve("target/app.jar"),
                    Map.of("Main-Class", PROBE, "Class-Path", "../../.m2/repository/dev/probe/1/probe-1.jar"),
                    null);
            Path notes = Files.writeString(proj.resolve("notes.txt"), "beside the jar");
            s.worldReadable(proj);
            s.worldReadable(home.resolve(".m2"));
            mode(home.resolve(".m2"), "rwx------");
            Path policy = s.policy(
                    "notes.policy", "grant { permission java.io.FilePermission \"" + notes + "\", \"read\"; };");
            List<String> javaArgs = List.of(
                    "-jar",
                    "target/app.jar",
                    "property:java.class.path",
                    "property:user.dir",
                    "fis:notes.txt",
                    "fis:" + notes,
                    "fis:" + lib);
            List<String> plain = new ArrayList<>(List.of(jdk.java().toString()));
            plain.addAll(javaArgs);
            Sandbox.Result outside = run(plain, Map.of(), proj);
            String mountsBefore = Files.readString(Path.of("/proc/self/mountinfo"));
            Sandbox.Result inside = run(Sandbox.javaCommand(jdk, policy, javaArgs), Map.of(), proj);
            String mountsAfter = Files.readString(Path.of("/proc/self/mountinfo"));

            assertEquals(0, outside.exitCode(), outside.stderr());
            assertEquals(0, inside.exitCode(), inside.stderr());
            assertEquals(outside.stdout(), inside.stdout(), "the same output as outside: " + inside.stderr());
            assertEquals("OK target/app.jar", inside.answer("property:java.class.path"));
            assertEquals("OK " + proj, inside.answer("property:user.dir"), "the working directory under the cover");
            assertEquals("OK beside the jar", inside.answer("fis:notes.txt"), "relative to the real working directory");
            assertTrue(inside.answer("fis:" + lib).startsWith("OK "), "a class path jar read as a file, natively");
            assertEquals(mountsBefore, mountsAfter, "nothing propagated to the host's mount table");
        } finally {
            deleteTree(home);
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void aClassesDirectoryInAPrivateHomeIsShownAndWhatIsBesideItStaysThePolicys(Jdk jdk) throws Exception {
        Assumptions.assumeTrue(Sandbox.isRoot(), "needs root: the helper runs as nobody only when airlock is root");
        Path home = privateHome("rwx------");
        try (Sandbox s = new Sandbox()) {
            AttackKit.install(s);
            Path proj = Files.createDirectories(home.resolve("proj"));
            Path classes = Files.createDirectories(proj.resolve("classes"));
            Path resource = Files.writeString(classes.resolve("resource.txt"), "in the class path");
            Path granted = Files.writeString(proj.resolve("granted.txt"), "granted beside it");
            Path secret = Files.writeString(proj.resolve("secret.txt"), "not granted");
            Path siblingJar = jar(proj.resolve("sibling.jar"), Map.of(), null);
            s.worldReadable(proj);
            Path policy = s.policy(
                    "beside.policy", "grant { permission java.io.FilePermission \"" + granted + "\", \"read\"; };");
            List<String> command = AttackKit.command(
                    s,
                    jdk,
                    policy,
                    List.of(),
                    List.of(
                            "jni.open-read:" + resource,
                            "java.read:" + resource,
                            "jni.open-read:" + granted,
                            "java.fis:" + granted,
                            "java.read:" + granted,
                            "jni.open-read:" + secret,
                            "java.read:" + secret,
                            "jni.open-read:" + siblingJar,
                            "java.fis:" + siblingJar,
                            "jni.mount-tmpfs:" + classes));
            command.set(command.indexOf("-cp") + 1, s.app + ":" + classes);
            try (AttackKit.Session session = AttackKit.start(command)) {
                assertEquals(0, session.finish(), session.stderr());
                assertEquals(
                        "OK in the class path",
                        session.answer("jni.open-read:" + resource),
                        "native code reads the class path through the bind: its Landlock rule holds there");
                assertEquals("OK in the class path", session.answer("java.read:" + resource));
                assertEquals(
                        "REFUSED open ENOENT",
                        session.answer("jni.open-read:" + granted),
                        "beside the entry, native code finds nothing");
                assertEquals("OK granted beside it", session.answer("java.read:" + granted), "Java asks the broker");
                assertEquals("REFUSED open ENOENT", session.answer("jni.open-read:" + secret));
                assertTrue(
                        session.answer("java.read:" + secret).contains("denied by airlock policy"),
                        session.answer("java.read:" + secret));
                assertEquals("REFUSED open ENOENT", session.answer("jni.open-read:" + siblingJar));
                assertTrue(
                        session.answer("java.fis:" + siblingJar).contains("denied by airlock policy"),
                        session.answer("java.fis:" + siblingJar));
                assertEquals("REFUSED mount EPERM", session.answer("jni.mount-tmpfs:" + classes));
            }
        } finally {
            deleteTree(home);
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void aClassPathEntryTheHelperMayNotReadItselfIsRefusedByName(Jdk jdk) throws Exception {
        Assumptions.assumeTrue(Sandbox.isRoot(), "needs root: the helper runs as nobody only when airlock is root");
        Path home = privateHome("rwx------");
        try (Sandbox s = new Sandbox()) {
            Path jar = jar(home.resolve("probe.jar"), Map.of(), s.app);
            mode(jar, "rw-------");
            Sandbox.Result r = run(
                    Sandbox.javaCommand(jdk, null, List.of("-cp", jar.toString(), PROBE, "status")), Map.of(), null);
            assertEquals(2, r.exitCode(), r.stderr());
            assertTrue(
                    r.stderr().contains("the class path entry " + jar + " is not readable by the helper's user"),
                    r.stderr());
            assertTrue(r.stderr().contains("nobody (uid 65534) may not read it"), r.stderr());
        } finally {
            deleteTree(home);
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
