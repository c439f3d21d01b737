package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.it.app.ProcessProbe;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The transform cache end to end: prepared by a confined run (witness: what the broker saw of
 * the preparation process in {@code /proc}, recorded in the entry), owned by the broker's user and
 * writable by no one else, given none of the program's options that name files, and used by the
 * helper (witness: the JVM's class-loading log shows no ByteBuddy, which only live weaving loads).
 */
class TransformCacheIT {
    private static Sandbox.Result run(Jdk jdk, Sandbox s, String... javaOptions) throws Exception {
        ProcessTreeIT.copyProbe(s);
        List<String> args = new ArrayList<>(List.of(javaOptions));
        args.addAll(List.of(
                "-Xlog:class+load=info:stdout", "-cp", s.app.toString(), ProcessProbe.class.getName(), "cmdline"));
        return Sandbox.Result.of(Sandbox.start(Sandbox.javaCommand(jdk, null, args)), 180);
    }

    /** The cache directory the broker gave the helper, from the helper's own command line. */
    private static Path cacheOf(Sandbox.Result r) {
        String cmdline = r.answer("cmdline");
        int at = cmdline.indexOf(",cache=");
        assertTrue(at > 0, "the helper was given a transform cache: " + cmdline);
        String rest = cmdline.substring(at + ",cache=".length());
        return Path.of(rest.substring(0, rest.indexOf(','))
                .replace("%2C", ",")
                .replace("%3A", ":")
                .replace("%25", "%"));
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void cacheIsPreparedConfinedOwnedByTheBrokerAndUsed(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Sandbox.Result r = run(jdk, s);
            assertEquals(0, r.exitCode(), r.stderr());
            Path cache = cacheOf(r);
            assertFalse(
                    r.stdout().stream().anyMatch(line -> line.contains("net.bytebuddy.")),
                    "the helper replayed the cache: ByteBuddy never loaded");

            String me = System.getProperty("user.name");
            try (Stream<Path> listed = Files.list(cache);
                    Stream<Path> files = Stream.concat(Stream.of(cache), listed)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    PosixFileAttributes a =
                            Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    assertEquals(me, a.owner().getName(), file + " belongs to the broker's user");
                    assertFalse(a.isSymbolicLink(), file.toString());
                    assertFalse(
                            a.permissions().contains(PosixFilePermission.GROUP_WRITE)
                                    || a.permissions().contains(PosixFilePermission.OTHERS_WRITE),
                            file + " is writable by no one else");
                }
            }

            List<String> seen = Files.readAllLines(cache.resolve("prepared-by"));
            String pid = seen.get(0).substring("pid ".length());
            assertTrue(seen.contains("NoNewPrivs: 1"), seen.toString());
            assertTrue(seen.contains("Seccomp: 2"), seen.toString());
            assertTrue(seen.contains("CapEff: 0000000000000000"), seen.toString());
            assertTrue(seen.contains("session " + pid + " tty_nr 0"), "a session of its own, no terminal: " + seen);
            if (Sandbox.isRoot()) {
                assertTrue(seen.contains("Uid: 65534 65534 65534 65534"), seen.toString());
                assertNotEquals(
                        "net " + Files.readSymbolicLink(Path.of("/proc/self/ns/net")),
                        seen.get(seen.size() - 2),
                        "its own network namespace");
                assertNotEquals(
                        "ipc " + Files.readSymbolicLink(Path.of("/proc/self/ns/ipc")),
                        seen.get(seen.size() - 1),
                        "its own IPC namespace");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void thePreparationGetsNoneOfTheProgramsFileOptions(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path archive = s.root.resolve("archive.jsa");
            Sandbox.Result r = run(jdk, s, "-Xshare:auto", "-XX:SharedArchiveFile=" + archive);
            assertEquals(0, r.exitCode(), r.stderr());
            String prepared = Files.readString(cacheOf(r).resolve("complete"));
            assertTrue(prepared.contains("-Xshare:auto"), prepared);
            assertFalse(prepared.contains("SharedArchiveFile"), "the preparation's command line: " + prepared);
            assertFalse(Files.exists(archive), "nothing was written to the program's archive path");
        }
    }
}
