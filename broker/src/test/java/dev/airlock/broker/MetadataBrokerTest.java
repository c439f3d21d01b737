package dev.airlock.broker;

import static dev.airlock.broker.Trees.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.airlock.ipc.Errno;
import dev.airlock.ipc.Fd;
import dev.airlock.ipc.Linux;
import dev.airlock.ipc.Request;
import dev.airlock.policy.Policy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** STAT, ACCESS and READLINK against real files, through {@link RequestServer#serve}. */
class MetadataBrokerTest {
    @TempDir
    Path dir;

    private Path granted;
    private Path readonly;
    private Path other;
    private Path secret;
    private GrantRoots roots;
    private RequestServer broker;

    @BeforeEach
    void setUp() throws Exception {
        granted = Files.createDirectory(dir.resolve("granted"));
        readonly = Files.createDirectory(dir.resolve("readonly"));
        other = Files.createDirectory(dir.resolve("other"));
        secret = Files.createDirectory(dir.resolve("secret"));
        Files.writeString(granted.resolve("in.txt"), "inside");
        Files.writeString(readonly.resolve("ro.txt"), "read only");
        Files.writeString(other.resolve("o.txt"), "other grant");
        Files.writeString(secret.resolve("s.txt"), "secret");
        Files.createDirectory(granted.resolve("sub"));
        Files.createSymbolicLink(granted.resolve("link"), Path.of("in.txt"));
        Files.createSymbolicLink(granted.resolve("to-other"), other.resolve("o.txt"));
        Files.createSymbolicLink(granted.resolve("to-secret"), secret.resolve("s.txt"));
        Files.createSymbolicLink(granted.resolve("dir-to-secret"), secret);
        Policy policy = Policy.parse("test.policy", "grant {\n"
                + "  permission java.io.FilePermission \"" + granted + "/-\", \"read,write,delete,readlink\";\n"
                + "  permission java.io.FilePermission \"" + readonly + "/-\", \"read,readlink\";\n"
                + "  permission java.io.FilePermission \"" + other + "/-\", \"read,write,delete,execute\";\n"
                + "};\n");
        roots = GrantRoots.open(policy.fileGrantRoots());
        broker = new RequestServer(policy, roots);
    }

    @AfterEach
    void tearDown() {
        roots.close();
    }

    private RequestServer.Outcome stat(Path path, boolean noFollow) {
        return broker.serve(Requests.stat(bytes(path), noFollow));
    }

    private static void assertDenied(String actions, RequestServer.Outcome outcome) {
        assertNull(outcome.fd());
        assertEquals(Errno.EACCES, outcome.errno(), () -> "errno of " + outcome);
        assertEquals("denied by airlock policy test.policy: " + actions, outcome.reason());
    }

    /** Asserts the outcome is an O_PATH descriptor of {@code expected} (that very inode), and closes it. */
    private static void assertPathDescriptorOf(Path expected, RequestServer.Outcome outcome) throws Exception {
        assertNotNull(outcome.fd(), () -> "expected a descriptor, got errno " + outcome.errno() + " " + outcome.reason());
        try (Fd fd = outcome.fd()) {
            Linux.Stat stat = Linux.fstat(fd.get());
            assertEquals(Trees.inode(expected), stat.ino(), "inode");
            assertEquals(Trees.device(expected), stat.dev(), "device");
            assertEquals(Linux.O_PATH, Linux.statusFlags(fd.get()) & Linux.O_PATH, "an O_PATH descriptor: neither readable nor writable");
        }
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
        assertDenied("read", stat(granted.resolve("to-secret"), false));
    }

    @Test
    void statFollowsALinkIntoAnotherGrant() throws Exception {
        assertPathDescriptorOf(other.resolve("o.txt"), stat(granted.resolve("to-other"), false));
    }

    @Test
    void statThroughADirectoryLinkOutsideIsDenied() {
        assertDenied("read", stat(granted.resolve("dir-to-secret/s.txt"), false));
        assertDenied("read", stat(granted.resolve("dir-to-secret/s.txt"), true));
    }

    @Test
    void statOutsideEveryGrantIsDeniedWithTheReason() {
        assertDenied("read", stat(secret.resolve("s.txt"), false));
        assertDenied("read", stat(Path.of(granted + "/../secret/s.txt"), false));
    }

    @Test
    void statReportsTheKernelsErrors() {
        assertEquals(Errno.ENOENT, stat(granted.resolve("missing"), false).errno());
        assertEquals(Errno.ENOTDIR, broker.serve(Requests.stat(bytes(granted + "/in.txt/"), false)).errno());
        assertEquals(Errno.ENOTDIR, broker.serve(Requests.stat(bytes(granted + "/in.txt/."), false)).errno());
        assertEquals(Errno.ENOENT, broker.serve(Requests.stat(bytes(granted + "/missing/../in.txt"), false)).errno(),
                "the kernel walks missing/.. and fails there; it does not fold it away");
        assertEquals(Errno.ENAMETOOLONG, stat(granted.resolve("x".repeat(256)), false).errno());
    }

    @Test
    void lstatWithATrailingSlashFollowsTheLinkAsTheKernelDoes() throws Exception {
        Files.createSymbolicLink(granted.resolve("sub-link"), Path.of("sub"));
        assertPathDescriptorOf(granted.resolve("sub"), broker.serve(Requests.stat(bytes(granted + "/sub-link/"), true)));
        assertPathDescriptorOf(granted.resolve("sub-link"), broker.serve(Requests.stat(bytes(granted + "/sub-link"), true)));
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
        assertEquals(0, broker.serve(Requests.access(bytes(file), Linux.R_OK | Linux.W_OK)).errno());
        assertEquals(0, broker.serve(Requests.access(bytes(file), Linux.F_OK)).errno());
        assertDenied("execute", broker.serve(Requests.access(bytes(file), Linux.X_OK)));
        assertDenied("read,write", broker.serve(Requests.access(bytes(readonly.resolve("ro.txt")), Linux.R_OK | Linux.W_OK)));
        assertDenied("read", broker.serve(Requests.access(bytes(secret.resolve("s.txt")), Linux.F_OK)));
        assertEquals(Errno.ENOENT, broker.serve(Requests.access(bytes(granted.resolve("missing")), Linux.F_OK)).errno());
    }

    @Test
    void accessThenAsksTheKernel() throws Exception {
        // Granted execute, but the file has no execute bit: the kernel says no, without a policy reason.
        Files.setPosixFilePermissions(other.resolve("o.txt"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        RequestServer.Outcome outcome = broker.serve(Requests.access(bytes(other.resolve("o.txt")), Linux.X_OK));
        assertEquals(Errno.EACCES, outcome.errno());
        assertEquals("", outcome.reason());
        Files.setPosixFilePermissions(other.resolve("o.txt"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr--r--"));
        assertEquals(0, broker.serve(Requests.access(bytes(other.resolve("o.txt")), Linux.X_OK)).errno());
    }

    @Test
    void accessThroughALinkIsDecidedOnItsTarget() {
        assertEquals(0, broker.serve(Requests.access(bytes(granted.resolve("to-other")), Linux.R_OK)).errno());
        assertDenied("read", broker.serve(Requests.access(bytes(granted.resolve("to-secret")), Linux.R_OK)));
    }

    @Test
    void readlinkGivesTheTargetBytes() {
        RequestServer.Outcome outcome = broker.serve(Requests.readlink(bytes(granted.resolve("link"))));
        assertEquals(0, outcome.errno());
        assertArrayEquals("in.txt".getBytes(StandardCharsets.UTF_8), outcome.data());
        // The target is text to read, not a path to open: a link pointing outside can be read.
        assertArrayEquals(bytes(secret.resolve("s.txt")), broker.serve(Requests.readlink(bytes(granted.resolve("to-secret")))).data());
    }

    @Test
    void readlinkOfAnythingButALinkIsEinval() {
        assertEquals(Errno.EINVAL, broker.serve(Requests.readlink(bytes(granted.resolve("in.txt")))).errno());
        assertEquals(Errno.EINVAL, broker.serve(Requests.readlink(bytes(granted.resolve("sub")))).errno());
        assertEquals(Errno.ENOENT, broker.serve(Requests.readlink(bytes(granted.resolve("missing")))).errno());
    }

    @Test
    void readlinkIsDecidedAsReadlink() throws Exception {
        Files.createSymbolicLink(other.resolve("olink"), Path.of("o.txt"));
        assertDenied("readlink", broker.serve(Requests.readlink(bytes(other.resolve("olink")))));
        Files.createSymbolicLink(secret.resolve("slink"), Path.of("s.txt"));
        assertDenied("readlink", broker.serve(Requests.readlink(bytes(secret.resolve("slink")))));
        assertDenied("readlink", broker.serve(Requests.readlink(bytes(granted.resolve("dir-to-secret/slink")))));
    }

    @Test
    void procMagicLinksAreNeverFollowedByTheBroker() throws Exception {
        // A policy that grants /proc: /proc/self is the broker there, so nothing beneath procfs is
        // served at all (KernelViews), not even a magic link that leads back into a grant.
        Policy policy = Policy.parse("proc.policy", "grant {\n"
                + "  permission java.io.FilePermission \"/proc/-\", \"read\";\n"
                + "  permission java.io.FilePermission \"" + granted + "/-\", \"read\";\n"
                + "};\n");
        try (GrantRoots procRoots = GrantRoots.open(policy.fileGrantRoots());
                Fd outside = Linux.open(secret.toString(), Linux.O_PATH | Linux.O_DIRECTORY, 0);
                Fd inside = Linux.open(granted.toString(), Linux.O_PATH | Linux.O_DIRECTORY, 0)) {
            RequestServer proc = new RequestServer(policy, procRoots);
            for (String path : java.util.List.of("/proc/self/root" + secret + "/s.txt", "/proc/self/root" + granted + "/in.txt",
                    "/proc/self/cwd/pom.xml", "/proc/self/fd/" + outside.get() + "/s.txt", "/proc/self/fd/" + inside.get() + "/in.txt")) {
                RequestServer.Outcome outcome = proc.serve(Requests.stat(bytes(path), false));
                assertEquals(Errno.EACCES, outcome.errno(), path);
                assertEquals(KernelViews.REASON, outcome.reason(), path);
            }
            // The same file by its own path is served as ever.
            assertPathDescriptorOf(granted.resolve("in.txt"), proc.serve(Requests.stat(bytes(granted.resolve("in.txt")), false)));
        }
    }
}
