package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The helper's home: {@code user.home} as its user's JDK computes it ({@code /nonexistent} for
 * {@code nobody}), one line of advice when the program tries to write beneath a home that does not
 * exist, {@code --home DIR} for a home the helper can write ({@code java.util.prefs} works), and
 * {@code ${user.home}} in a policy meaning the helper's home, not the broker's.
 */
class HomeIT {
    private static final String ADVICE = "give it one with --home DIR";

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void aMissingHomeIsTheJdksAndTheRunSaysOnceHowToGiveOne(Jdk jdk) throws Exception {
        Assumptions.assumeTrue(Sandbox.isRoot(), "needs root: the helper runs as nobody, whose home does not exist");
        try (Sandbox s = new Sandbox()) {
            Sandbox.Result r = HostRun.run(HostRun.sandboxed(s, jdk, List.of(), List.of(), "home", "prefs"));
            assertEquals(
                    "OK /nonexistent HOME=/nonexistent", r.answer("home"), "as `sudo -u nobody java` would see it");
            assertTrue(r.answer("prefs").startsWith("EX java.util.prefs.BackingStoreException"), r.answer("prefs"));
            int first = r.stderr().indexOf(ADVICE);
            assertTrue(first >= 0, r.stderr());
            assertEquals(-1, r.stderr().indexOf(ADVICE, first + 1), "once: " + r.stderr());
            assertTrue(
                    r.stderr()
                            .contains("airlock: the program asked for /nonexistent/.java/.userPrefs, beneath its home"
                                    + " /nonexistent, which does not exist (the helper runs as nobody)"),
                    r.stderr());
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void aGivenHomeIsTheHelpersWithPreferencesThatLast(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path home = Files.createDirectories(s.root.resolve("home"));
            if (Sandbox.isRoot()) {
                Files.setAttribute(home, "unix:uid", 65534);
                Files.setAttribute(home, "unix:gid", 65534);
            }
            Sandbox.Result r = HostRun.run(
                    HostRun.sandboxed(s, jdk, List.of("--home", home.toString()), List.of(), "home", "prefs"));
            assertEquals(0, r.exitCode(), r.stderr());
            assertEquals("OK " + home + " HOME=" + home, r.answer("home"));
            assertEquals("OK value", r.answer("prefs"));
            assertTrue(
                    Files.isRegularFile(home.resolve(".java/.userPrefs/airlock-probe/prefs.xml")),
                    "the preferences are kept in the given home");
            assertFalse(r.stderr().contains(ADVICE), r.stderr());
            assertFalse(
                    r.stderr().contains("unusable") || r.stderr().contains("Could not lock"),
                    "the preferences work (the JDK may still log that its native chmod was refused): " + r.stderr());

            Path notHers = Files.createDirectories(s.root.resolve("not-hers"));
            Files.setPosixFilePermissions(notHers, PosixFilePermissions.fromString("rwxr-xr-x"));
            if (!Sandbox.isRoot()) {
                Files.setPosixFilePermissions(notHers, PosixFilePermissions.fromString("r-xr-xr-x"));
            }
            Sandbox.Result refused =
                    HostRun.run(HostRun.sandboxed(s, jdk, List.of("--home", notHers.toString()), List.of(), "home"));
            assertEquals(2, refused.exitCode(), refused.stderr());
            assertTrue(refused.stderr().contains("cannot read and write it"), refused.stderr());
        }
    }

    /**
     * As root with {@code --user} an account of the test's own ({@link #HOME_USER}): a policy's {@code ${user.home}} is that user's home,
     * so its grant there opens a root-only file the helper could not read by itself.
     */
    @ParameterizedTest
    @EnumSource(Jdk.class)
    void userHomeInAPolicyIsTheHelpersHome(Jdk jdk) throws Exception {
        Assumptions.assumeTrue(Sandbox.isRoot(), "needs root: the helper runs as another user with a home");
        Path home = accountHome(HOME_USER);
        try (Sandbox s = new Sandbox()) {
            Path file =
                    home.resolve("airlock-home-it-" + ProcessHandle.current().pid() + ".txt");
            Files.writeString(file, "the helper's own");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            try {
                Path policy = s.policy(
                        "home.policy",
                        "grant { permission java.io.FilePermission \"${user.home}/" + file.getFileName()
                                + "\", \"read\"; };");
                Sandbox.Result r = HostRun.run(HostRun.sandboxed(
                        s,
                        jdk,
                        List.of("--user", HOME_USER, "--policy", policy.toString()),
                        List.of(),
                        "home",
                        "read:" + file));
                assertEquals(0, r.exitCode(), r.stderr());
                assertEquals("OK " + home + " HOME=" + home, r.answer("home"));
                assertTrue(
                        r.answer("read:" + file).startsWith("OK "),
                        "granted by ${user.home}: " + r.answer("read:" + file));
            } finally {
                Files.deleteIfExists(file);
            }
        }
    }

    /** An unprivileged account with a home, made by the test (as root) when the machine lacks it. */
    private static final String HOME_USER = "airlock-home-it";

    /** {@code user}'s home, after creating the account with a home if it does not exist. */
    private static Path accountHome(String user) throws IOException, InterruptedException {
        TestAccounts.ensure(user, true);
        String home = TestAccounts.home(user);
        assertTrue(home != null && Files.isDirectory(Path.of(home)), "no home for " + user + ": " + home);
        return Path.of(home);
    }
}
