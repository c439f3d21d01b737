package dev.airlock.broker;

import static dev.airlock.broker.ServerFixture.assertFailed;
import static dev.airlock.broker.ServerFixture.assertKernelView;
import static dev.airlock.broker.ServerFixture.assertPathDescriptorOf;
import static dev.airlock.broker.Trees.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.airlock.unix.Errno;
import dev.airlock.unix.Fd;
import dev.airlock.unix.Linux;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** STAT, ACCESS and READLINK against real files, through {@link RequestServer#serve}. */
class RequestServerMetadataTest {
    @TempDir
    Path dir;

    private Path granted;
    private Path readonly;
    private Path other;
    private Path secret;
    private ServerFixture broker;

    @BeforeEach
    void setUp() throws Exception {
        TreeBuilder tree = new TreeBuilder(dir);
        granted = tree.directory("granted");
        readonly = tree.directory("readonly");
        other = tree.directory("other");
        secret = tree.directory("secret");
        tree.file("granted/in.txt", "inside");
        tree.file("readonly/ro.txt", "read only");
        tree.file("other/o.txt", "other grant");
        tree.file("secret/s.txt", "secret");
        tree.directory("granted/sub");
        tree.link("granted/link", "in.txt");
        tree.link("granted/to-other", other.resolve("o.txt"));
        tree.link("granted/to-secret", secret.resolve("s.txt"));
        tree.link("granted/dir-to-secret", secret);
        broker = ServerFixture.start(PolicyBuilder.named("test.policy")
                .beneath(granted, "read,write,delete,readlink")
                .beneath(readonly, "read,readlink")
                .beneath(other, "read,write,delete,execute"));
    }

    @AfterEach
    void tearDown() {
        broker.close();
    }

    private RequestServer.Outcome stat(Path path, boolean noFollow) {
        return broker.serve(Requests.stat(bytes(path), noFollow));
    }

    @Test
    void statGivesAnOpathDescriptorOfThatInode() throws Exception {
        assertPathDescriptorOf(granted.resolve("in.txt"), stat(granted.resolve("in.txt"), false));
        assertPathDescriptorOf(granted.resolve("sub"), stat(granted.resolve("sub"), false));
    }

    @Test
    void statFollowsALinkAndLstatGivesTheLink() throws Exception {
        assertPathDescriptorOf(granted.resolve("in.txt"), stat(granted.resolve("link"), false));
        RequestServer.Outcome lstat = stat(granted.resolve("link"), true);
        assertPathDescriptorOf(granted.resolve("link"), lstat);
    }

    @Test
    void lstatOfALinkToOutsideGivesTheLinkAndStatIsDenied() throws Exception {
        assertPathDescriptorOf(granted.resolve("to-secret"), stat(granted.resolve("to-secret"), true));
        broker.assertDenied("read", stat(granted.resolve("to-secret"), false));
    }

    @Test
    void statFollowsALinkIntoAnotherGrant() throws Exception {
        assertPathDescriptorOf(other.resolve("o.txt"), stat(granted.resolve("to-other"), false));
    }

    @Test
    void statThroughADirectoryLinkOutsideIsDenied() {
        broker.assertDenied("read", stat(granted.resolve("dir-to-secret/s.txt"), false));
        broker.assertDenied("read", stat(granted.resolve("dir-to-secret/s.txt"), true));
    }

    @Test
    void statOutsideEveryGrantIsDeniedWithTheReason() {
        broker.assertDenied("read", stat(secret.resolve("s.txt"), false));
        broker.assertDenied("read", stat(Path.of(granted + "/../secret/s.txt"), false));
    }

    @Test
    void statReportsTheKernelsErrors() {
        assertEquals(Errno.ENOENT, stat(granted.resolve("missing"), false).errno());
        assertEquals(
                Errno.ENOTDIR,
                broker.serve(Requests.stat(bytes(granted + "/in.txt/"), false)).errno());
        assertEquals(
                Errno.ENOTDIR,
                broker.serve(Requests.stat(bytes(granted + "/in.txt/."), false)).errno());
        assertEquals(
                Errno.ENOENT,
                broker.serve(Requests.stat(bytes(granted + "/missing/../in.txt"), false))
                        .errno(),
                "the kernel walks missing/.. and fails there; it does not fold it away");
        assertEquals(
                Errno.ENAMETOOLONG,
                stat(granted.resolve("x".repeat(256)), false).errno());
    }

    @Test
    void lstatWithATrailingSlashFollowsTheLinkAsTheKernelDoes() throws Exception {
        Files.createSymbolicLink(granted.resolve("sub-link"), Path.of("sub"));
        assertPathDescriptorOf(
                granted.resolve("sub"), broker.serve(Requests.stat(bytes(granted + "/sub-link/"), true)));
        assertPathDescriptorOf(
                granted.resolve("sub-link"), broker.serve(Requests.stat(bytes(granted + "/sub-link"), true)));
    }

    @Test
    void pathOfPathMaxBytesIsTooLongAsForTheKernel() {
        String path = granted + "/" + "a/".repeat(2100);
        byte[] raw = bytes(path.substring(0, 4096));
        assertEquals(Errno.ENAMETOOLONG, broker.serve(Requests.stat(raw, false)).errno());
    }

    @Test
    void accessDecidesTheAskedActions() throws Exception {
        Path file = granted.resolve("in.txt");
        assertEquals(
                0,
                broker.serve(Requests.access(bytes(file), Linux.R_OK | Linux.W_OK))
                        .errno());
        assertEquals(0, broker.serve(Requests.access(bytes(file), Linux.F_OK)).errno());
        broker.assertDenied("execute", broker.serve(Requests.access(bytes(file), Linux.X_OK)));
        broker.assertDenied(
                "read,write",
                broker.serve(Requests.access(bytes(readonly.resolve("ro.txt")), Linux.R_OK | Linux.W_OK)));
        broker.assertDenied("read", broker.serve(Requests.access(bytes(secret.resolve("s.txt")), Linux.F_OK)));
        assertEquals(
                Errno.ENOENT,
                broker.serve(Requests.access(bytes(granted.resolve("missing")), Linux.F_OK))
                        .errno());
    }

    @Test
    void accessThenAsksTheKernel() throws Exception {
        // Granted execute, but the file has no execute bit: the kernel says no, without a policy reason.
        Files.setPosixFilePermissions(
                other.resolve("o.txt"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        assertFailed(Errno.EACCES, broker.serve(Requests.access(bytes(other.resolve("o.txt")), Linux.X_OK)));
        Files.setPosixFilePermissions(
                other.resolve("o.txt"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr--r--"));
        assertEquals(
                0,
                broker.serve(Requests.access(bytes(other.resolve("o.txt")), Linux.X_OK))
                        .errno());
    }

    @Test
    void accessThroughALinkIsDecidedOnItsTarget() {
        assertEquals(
                0,
                broker.serve(Requests.access(bytes(granted.resolve("to-other")), Linux.R_OK))
                        .errno());
        broker.assertDenied("read", broker.serve(Requests.access(bytes(granted.resolve("to-secret")), Linux.R_OK)));
    }

    @Test
    void readlinkGivesTheTargetBytes() {
        RequestServer.Outcome outcome = broker.serve(Requests.readlink(bytes(granted.resolve("link"))));
        assertEquals(0, outcome.errno());
        assertArrayEquals("in.txt".getBytes(StandardCharsets.UTF_8), outcome.data());
        // The target is text to read, not a path to open: a link pointing outside can be read.
        assertArrayEquals(
                bytes(secret.resolve("s.txt")),
                broker.serve(Requests.readlink(bytes(granted.resolve("to-secret"))))
                        .data());
    }

    @Test
    void readlinkOfAnythingButALinkIsEinval() {
        assertEquals(
                Errno.EINVAL,
                broker.serve(Requests.readlink(bytes(granted.resolve("in.txt"))))
                        .errno());
        assertEquals(
                Errno.EINVAL,
                broker.serve(Requests.readlink(bytes(granted.resolve("sub")))).errno());
        assertEquals(
                Errno.ENOENT,
                broker.serve(Requests.readlink(bytes(granted.resolve("missing"))))
                        .errno());
    }

    @Test
    void readlinkIsDecidedAsReadlink() throws Exception {
        Files.createSymbolicLink(other.resolve("olink"), Path.of("o.txt"));
        broker.assertDenied("readlink", broker.serve(Requests.readlink(bytes(other.resolve("olink")))));
        Files.createSymbolicLink(secret.resolve("slink"), Path.of("s.txt"));
        broker.assertDenied("readlink", broker.serve(Requests.readlink(bytes(secret.resolve("slink")))));
        broker.assertDenied("readlink", broker.serve(Requests.readlink(bytes(granted.resolve("dir-to-secret/slink")))));
    }

    @Test
    void procMagicLinksAreNeverFollowedByTheBroker() throws Exception {
        // A policy that grants /proc: /proc/self is the broker there, so nothing beneath procfs is
        // served at all (KernelViews), not even a magic link that leads back into a grant.
        try (ServerFixture proc = ServerFixture.start(PolicyBuilder.named("proc.policy")
                        .beneath(Path.of("/proc"), "read")
                        .beneath(granted, "read"));
                Fd outside = Linux.open(secret.toString(), Linux.O_PATH | Linux.O_DIRECTORY, 0);
                Fd inside = Linux.open(granted.toString(), Linux.O_PATH | Linux.O_DIRECTORY, 0)) {
            for (String path : java.util.List.of(
                    "/proc/self/root" + secret + "/s.txt",
                    "/proc/self/root" + granted + "/in.txt",
                    "/proc/self/cwd/pom.xml",
                    "/proc/self/fd/" + outside.get() + "/s.txt",
                    "/proc/self/fd/" + inside.get() + "/in.txt")) {
                assertKernelView(proc.serve(Requests.stat(bytes(path), false)), path);
            }
            // The same file by its own path is served as ever.
            assertPathDescriptorOf(
                    granted.resolve("in.txt"), proc.serve(Requests.stat(bytes(granted.resolve("in.txt")), false)));
        }
    }
}
