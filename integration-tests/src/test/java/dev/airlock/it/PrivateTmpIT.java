package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The helper's private temporary directory: {@code java.io.tmpdir} and {@code TMPDIR} point at a
 * fresh directory of its own, where the JDK's temporary-file APIs, a {@code chmod} and a native
 * library loaded from there work with no grant at all; it is removed when the run ends, also
 * when the helper was killed, without following the links the program planted; and
 * {@code --keep-tmp}, {@code --tmp DIR} and {@code --no-tmp}.
 */
class PrivateTmpIT {
    private static final Path LIBZ = Path.of("/usr/lib/x86_64-linux-gnu/libz.so.1");

    private static String tmpOf(Sandbox.Result r) {
        String answer = r.answer("tmpdir");
        assertTrue(answer.startsWith("OK "), answer);
        String[] parts = answer.substring(3).split(" TMPDIR=", -1);
        assertEquals(parts[0], parts[1], "java.io.tmpdir and TMPDIR agree: " + answer);
        return parts[0];
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void temporaryFilesWorkWithNoGrantAndTheDirectoryGoesWithTheRun(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Sandbox.Result r = HostRun.run(HostRun.sandboxed(
                    s,
                    jdk,
                    List.of(),
                    List.of(),
                    "tmpdir",
                    "temp-files",
                    "write:x/y",
                    "chmod:x/y",
                    "load-library:" + LIBZ.toRealPath()));
            assertEquals(0, r.exitCode(), r.stderr());
            Path tmp = Path.of(tmpOf(r));
            assertEquals(Path.of("/tmp"), tmp.getParent());
            assertTrue(tmp.getFileName().toString().startsWith("airlock-"), tmp.toString());
            assertEquals("OK ionioinner beneath=true", r.answer("temp-files"));
            assertEquals("OK in tmp", r.answer("write:x/y"));
            assertEquals("OK rwx------", r.answer("chmod:x/y"), "brokered: seccomp refuses chmod to the helper");
            assertEquals("OK loaded true", r.answer("load-library:" + LIBZ.toRealPath()));
            assertFalse(Files.exists(tmp, LinkOption.NOFOLLOW_LINKS), "removed with the run");
            assertEquals("", r.stderr(), "Airlock says nothing");
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void theDirectoryIsRemovedAfterTheHelperIsKilled(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Process broker = Sandbox.start(HostRun.sandboxed(
                    s, jdk, List.of(), List.of(), "tmpdir", "pid", "write:left/behind", "sleep:120000"));
            broker.getOutputStream().close();
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(broker.getInputStream(), StandardCharsets.UTF_8));
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                lines.add(out.readLine());
            }
            Sandbox.Result seen = new Sandbox.Result(0, lines, "");
            Path tmp = Path.of(tmpOf(seen));
            long pid = Long.parseLong(seen.answer("pid").substring(3));
            assertTrue(Files.isDirectory(tmp), "there while the helper runs");
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp)));
            if (Sandbox.isRoot()) {
                assertEquals(65534, (Integer) Files.getAttribute(tmp, "unix:uid"), "the helper's user's");
            }
            new ProcessBuilder("kill", "-KILL", String.valueOf(pid)).start().waitFor();
            assertTrue(broker.waitFor(60, TimeUnit.SECONDS), "the broker ends with its helper");
            assertEquals(128 + 9, broker.exitValue());
            assertFalse(Files.exists(tmp, LinkOption.NOFOLLOW_LINKS), "removed although the helper was killed");
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void linksThePlantedAreNotFollowedWhenItIsRemoved(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path secret = s.file("outside/secret.txt", "keep me");
            Path sibling = s.file("outside/sibling.txt", "keep me too");
            Sandbox.Result r =
                    HostRun.run(HostRun.sandboxed(s, jdk, List.of(), List.of(), "tmpdir", "plant:" + secret));
            assertEquals("OK planted", r.answer("plant:" + secret));
            assertFalse(Files.exists(Path.of(tmpOf(r)), LinkOption.NOFOLLOW_LINKS));
            assertEquals("keep me", Files.readString(secret));
            assertEquals("keep me too", Files.readString(sibling));
            assertEquals("", r.stderr());
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void keepTmpKeepsItAndSaysWhere(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Sandbox.Result r = HostRun.run(
                    HostRun.sandboxed(s, jdk, List.of("--keep-tmp"), List.of(), "tmpdir", "write:kept/file"));
            Path tmp = Path.of(tmpOf(r));
            try {
                assertEquals(0, r.exitCode(), r.stderr());
                assertEquals(
                        "airlock: the private temporary directory is " + tmp + " (kept after the run)\n", r.stderr());
                assertEquals("in tmp", Files.readString(tmp.resolve("kept/file")));
            } finally {
                delete(tmp);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void aGivenDirectoryIsUsedAndKeptAndTheUsersOwnTmpdirWins(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path given = Files.createDirectories(s.root.resolve("given-tmp"));
            if (Sandbox.isRoot()) {
                Files.setAttribute(given, "unix:uid", 65534);
                Files.setAttribute(given, "unix:gid", 65534);
            }
            Sandbox.Result r = HostRun.run(HostRun.sandboxed(
                    s, jdk, List.of("--tmp", given.toString()), List.of(), "tmpdir", "temp-files", "write:f"));
            assertEquals(0, r.exitCode(), r.stderr());
            assertEquals(given.toString(), tmpOf(r));
            assertEquals("OK ionioinner beneath=true", r.answer("temp-files"));
            assertEquals("in tmp", Files.readString(given.resolve("f")), "not removed: it is the user's");

            Sandbox.Result own = HostRun.run(
                    HostRun.sandboxed(s, jdk, List.of(), List.of("-Djava.io.tmpdir=" + given), "tmpdir", "write:own"));
            assertTrue(own.answer("tmpdir").startsWith("OK " + given + " TMPDIR=/tmp/airlock-"), own.answer("tmpdir"));
            assertTrue(
                    own.answer("write:own").startsWith("EX java.nio.file."),
                    "the user's own -Djava.io.tmpdir wins, and the policy (none) decides there: "
                            + own.answer("write:own"));
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void noTmpLeavesTheJdkDefaultToThePolicy(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Sandbox.Result r =
                    HostRun.run(HostRun.sandboxed(s, jdk, List.of("--no-tmp"), List.of(), "tmpdir", "temp-files"));
            assertEquals(0, r.exitCode(), r.stderr());
            assertTrue(r.answer("tmpdir").startsWith("OK /tmp TMPDIR="), r.answer("tmpdir"));
            assertFalse(r.answer("tmpdir").contains("airlock-"), r.answer("tmpdir"));
            assertTrue(
                    r.answer("temp-files").startsWith("EX java.io.IOException"),
                    "no grant on /tmp: " + r.answer("temp-files"));
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void contradictoryOrMissingDirectoriesAreUsageErrors(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Sandbox.Result both =
                    HostRun.run(HostRun.sandboxed(s, jdk, List.of("--no-tmp", "--keep-tmp"), List.of(), "tmpdir"));
            assertEquals(2, both.exitCode());
            assertTrue(
                    both.stderr().startsWith("airlock: --tmp, --no-tmp and --keep-tmp exclude each other"),
                    both.stderr());
            Path gone = s.root.resolve("gone");
            Sandbox.Result missing =
                    HostRun.run(HostRun.sandboxed(s, jdk, List.of("--tmp", gone.toString()), List.of(), "tmpdir"));
            assertEquals(2, missing.exitCode());
            assertEquals("airlock: --tmp " + gone + ": no such directory\n", missing.stderr());
        }
    }

    private static void delete(Path dir) throws Exception {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
