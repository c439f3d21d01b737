package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The broker's class data sharing archive that {@code bin/airlock} keeps in Airlock's cache: the
 * first run dumps it, the next puts it in place and maps it, and one that anyone else could have
 * written is refused before a JVM starts. Run as a normal user of its own, {@value #USER} (made
 * by the test where the machine lacks it: {@link TestAccounts}), with a cache of its own
 * ({@code XDG_CACHE_HOME}), so that the machine's cache is not touched.
 */
class BrokerArchiveIT {
    private static final String USER = "airlock-archive-it";

    @Test
    void theFirstRunDumpsItAndTheNextMapsIt() throws Exception {
        assumeTrue(Sandbox.isRoot(), "needs root: runs airlock as " + USER + " with a cache of its own");
        try (Sandbox s = new Sandbox()) {
            Path cache = cacheOf(s);
            Path policy = s.policy("app.policy", "grant {};\n");
            // A run that ends before the helper is spawned dumps a fraction of the classes, unmarked.
            Path broken = s.policy("broken.policy", "grant {\n");
            assertEquals(2, run(s, cache, broken, null).exitCode());
            List<String> partial = names(cache);
            assertEquals(1, partial.size(), "an unmarked dump: " + partial);
            assertTrue(partial.get(0).matches("broker-\\d+-\\d+\\.jsa\\.\\d+"), partial.toString());

            Sandbox.Result first = run(s, cache, policy, null);
            assertEquals(0, first.exitCode(), first.stderr());
            assertEquals("", first.stderr());
            List<String> dumped = names(cache);
            assertEquals(2, dumped.size(), "the partial dump removed; a whole run's dump and its mark: " + dumped);
            assertTrue(dumped.get(0).matches("broker-\\d+-\\d+\\.jsa\\.\\d+"), dumped.toString());
            assertEquals(dumped.get(0) + ".done", dumped.get(1));
            assertTrue(!dumped.get(0).equals(partial.get(0)), "a new dump, not the partial one: " + dumped);

            // In the user's own directory: the JVM moves an existing log aside before it writes.
            Path log = cache.resolve("class-load.log");
            Sandbox.Result second = run(s, cache, policy, "-Xlog:class+load=info:file=" + log);
            assertEquals(0, second.exitCode(), second.stderr());
            assertEquals("", second.stderr());
            List<Path> placed = archives(cache);
            assertEquals(1, placed.size(), placed.toString());
            Path archive = placed.get(0);
            assertTrue(archive.getFileName().toString().matches("broker-\\d+-\\d+\\.jsa"), archive.toString());
            assertEquals(user(), Files.getOwner(archive));
            assertEquals("r--r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(archive)));
            String loaded = Files.readString(log);
            assertTrue(
                    loaded.contains("dev.airlock.broker.RunCommand source: shared objects file (top)"),
                    "the broker's own classes come from the dynamic archive");
        }
    }

    @Test
    void anArchiveAnyoneElseCouldHaveWrittenIsRefused() throws Exception {
        assumeTrue(Sandbox.isRoot(), "needs root: runs airlock as " + USER + " with a cache of its own");
        try (Sandbox s = new Sandbox()) {
            Path cache = cacheOf(s);
            Path policy = s.policy("app.policy", "grant {};\n");
            assertEquals(0, run(s, cache, policy, null).exitCode());
            assertEquals(0, run(s, cache, policy, null).exitCode());
            Path archive = archives(cache).get(0);
            String refusal = "airlock: " + archive + ": airlock cache must be owned by " + USER
                    + " and writable by no one else\n";

            Files.setPosixFilePermissions(archive, PosixFilePermissions.fromString("rw-rw-rw-"));
            assertRefused(run(s, cache, policy, null), refusal);

            Files.setPosixFilePermissions(archive, PosixFilePermissions.fromString("r--r--r--"));
            Files.setOwner(
                    archive,
                    s.root.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("root"));
            assertRefused(run(s, cache, policy, null), refusal);

            Files.delete(archive);
            Path elsewhere = Files.writeString(s.root.resolve("planted.jsa"), "not an archive");
            Files.createSymbolicLink(archive, elsewhere);
            assertRefused(run(s, cache, policy, null), refusal);

            Files.delete(archive);
            Files.setPosixFilePermissions(archive.getParent(), PosixFilePermissions.fromString("rwxrwxrwx"));
            assertRefused(
                    run(s, cache, policy, null),
                    "airlock: " + archive.getParent() + ": airlock cache must be owned by " + USER
                            + " and writable by no one else\n");
        }
    }

    private static void assertRefused(Sandbox.Result r, String message) {
        assertEquals(125, r.exitCode(), r.stderr());
        assertEquals(message, r.stderr());
        assertEquals(List.of(), r.stdout(), "nothing ran");
    }

    private static UserPrincipal user() throws IOException, InterruptedException {
        TestAccounts.ensure(USER, false);
        return Path.of("/").getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(USER);
    }

    /** A cache directory of the user's own in the sandbox's tree, as XDG_CACHE_HOME names it. */
    private static Path cacheOf(Sandbox s) throws IOException, InterruptedException {
        Path cache = Files.createDirectories(s.root.resolve("cache"));
        Files.setOwner(cache, user());
        return cache;
    }

    private static List<String> names(Path cache) throws IOException {
        return archives(cache).stream()
                .map(p -> p.getFileName().toString())
                .sorted()
                .toList();
    }

    private static List<Path> archives(Path cache) throws IOException {
        try (Stream<Path> files = Files.list(cache.resolve("airlock"))) {
            return files.filter(p -> p.getFileName().toString().startsWith("broker-"))
                    .toList();
        }
    }

    /** The probe, run through {@code bin/airlock} as the user, its cache in {@code cache}, the broker's JVM given {@code brokerOption}. */
    private static Sandbox.Result run(Sandbox s, Path cache, Path policy, String brokerOption)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                "runuser", "-u", USER, "--", "env", "XDG_CACHE_HOME=" + cache, "AIRLOCK_JAVA=" + Jdk.JDK17.java()));
        if (brokerOption != null) {
            command.add("AIRLOCK_JAVA_OPTIONS=" + brokerOption);
        }
        command.addAll(s.command(Jdk.JDK17, policy));
        return Sandbox.Result.of(new ProcessBuilder(command).start(), 120);
    }
}
