package dev.airlock.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.ipc.Errno;
import dev.airlock.ipc.Linux;
import dev.airlock.policy.FileActions;
import dev.airlock.policy.Policy;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileBrokerTest {
    @TempDir
    Path dir;

    private Path granted;
    private Path secret;
    private GrantRoots roots;
    private RequestServer broker;

    @BeforeEach
    void setUp() throws Exception {
        granted = Files.createDirectory(dir.resolve("granted"));
        secret = Files.createDirectory(dir.resolve("secret"));
        Files.writeString(granted.resolve("in.txt"), "inside");
        Files.writeString(secret.resolve("s.txt"), "secret");
        Files.createDirectory(dir.resolve("out"));
        Policy policy = Policy.parse("test.policy", "grant {\n"
                + "  permission java.io.FilePermission \"" + granted + "/-\", \"read\";\n"
                + "  permission java.io.FilePermission \"" + dir.resolve("out") + "/-\", \"read,write\";\n"
                + "  permission java.io.FilePermission \"" + dir.resolve("one.txt") + "\", \"read\";\n"
                + "};\n");
        roots = GrantRoots.open(policy.fileGrantRoots());
        broker = new RequestServer(policy, roots);
    }

    @AfterEach
    void tearDown() {
        roots.close();
    }

    private RequestServer.Outcome open(Path path, int flags) {
        return broker.serve(Requests.open(path.toString().getBytes(StandardCharsets.UTF_8), flags, 0644, false));
    }

    private static String read(RequestServer.Outcome outcome) throws Exception {
        assertNotNull(outcome.fd(), "expected a descriptor, got errno " + outcome.errno() + " " + outcome.reason());
        int fd = outcome.fd().release();
        FileDescriptor descriptor = new FileDescriptor();
        java.lang.reflect.Field field = FileDescriptor.class.getDeclaredField("fd");
        try {
            field.setAccessible(true);
        } catch (RuntimeException notOpen) {
            // Without --add-opens, read it through /proc instead.
            return Files.readString(Path.of("/proc/self/fd/" + fd));
        }
        field.setInt(descriptor, fd);
        try (FileInputStream in = new FileInputStream(descriptor)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void grantRootItselfIsNotCoveredByItsDashWildcard() {
        // As in the JDK, "/a/-" covers everything beneath /a but not /a.
        assertEquals(Errno.EACCES, broker.serve(Requests.open(granted.toString().getBytes(StandardCharsets.UTF_8), Linux.O_RDONLY, 0, false)).errno());
    }

    @Test
    void grantedFileOpens() throws Exception {
        assertEquals("inside", read(open(granted.resolve("in.txt"), Linux.O_RDONLY)));
    }

    @Test
    void ungrantedFileIsDeniedWithTheReason() {
        RequestServer.Outcome outcome = open(secret.resolve("s.txt"), Linux.O_RDONLY);
        assertNull(outcome.fd());
        assertEquals(Errno.EACCES, outcome.errno());
        assertEquals("denied by airlock policy test.policy: read", outcome.reason());
    }

    @Test
    void writeNeedsWriteEvenForTruncateWithReadOnlyAccess() throws Exception {
        assertEquals("denied by airlock policy test.policy: write", open(granted.resolve("in.txt"), Linux.O_WRONLY).reason());
        // O_RDONLY with O_TRUNC or O_CREAT still changes the file: it needs write as well as read.
        assertEquals("denied by airlock policy test.policy: read,write",
                open(granted.resolve("in.txt"), Linux.O_RDONLY | Linux.O_TRUNC).reason());
        assertEquals("denied by airlock policy test.policy: read,write",
                open(granted.resolve("new.txt"), Linux.O_RDONLY | Linux.O_CREAT).reason());
        assertFalse(Files.exists(granted.resolve("new.txt")));
        assertEquals("inside", Files.readString(granted.resolve("in.txt")));
    }

    @Test
    void createUnderWriteGrantStripsSetuidBits() throws Exception {
        Path created = dir.resolve("out/made.txt");
        RequestServer.Outcome outcome = broker.serve(Requests.open(created.toString().getBytes(StandardCharsets.UTF_8),
                Linux.O_WRONLY | Linux.O_CREAT | Linux.O_EXCL, 04755, false));
        assertNotNull(outcome.fd());
        outcome.fd().close();
        assertTrue(Files.exists(created));
        assertEquals(0, Linux.fstat(Linux.open(created.toString(), Linux.O_RDONLY, 0).release()).mode() & 07000,
                "no setuid, setgid or sticky bit on a file the broker created");
    }

    @Test
    void flagsAirlockDoesNotBrokerAreRefused() {
        assertEquals(Errno.EINVAL, open(granted.resolve("in.txt"), Linux.O_PATH).errno());
        assertEquals(Errno.EINVAL, open(granted, Linux.O_TMPFILE | Linux.O_RDWR).errno());
        assertEquals(Errno.EINVAL, open(granted.resolve("in.txt"), Linux.O_NOATIME).errno());
        assertEquals(Errno.EINVAL, open(granted.resolve("in.txt"), 3).errno(), "access mode 3 is not an access mode");
    }

    @Test
    void dotDotOutOfTheGrantIsDenied() {
        Path escape = Path.of(granted + "/../secret/s.txt");
        assertEquals(Errno.EACCES, open(escape, Linux.O_RDONLY).errno());
    }

    @Test
    void dotDotAfterASymlinkIsResolvedAsTheKernelDoes() throws Exception {
        // granted/up -> ../secret/deeper ; granted/up/../s.txt is secret/s.txt to the kernel, granted/s.txt to a lexical normaliser.
        Files.createDirectory(secret.resolve("deeper"));
        Files.createSymbolicLink(granted.resolve("up"), Path.of("../secret/deeper"));
        Files.writeString(granted.resolve("s.txt"), "decoy inside the grant");
        RequestServer.Outcome outcome = open(Path.of(granted + "/up/../s.txt"), Linux.O_RDONLY);
        assertNull(outcome.fd(), "must not open the decoy: the kernel would have opened secret/s.txt");
        assertEquals(Errno.EACCES, outcome.errno());
    }

    @Test
    void symlinkOutOfTheGrantIsDeniedAndInsideIsFollowed() throws Exception {
        Files.createSymbolicLink(granted.resolve("out-link"), secret.resolve("s.txt"));
        Files.createSymbolicLink(granted.resolve("in-link"), Path.of("in.txt"));
        Files.createSymbolicLink(granted.resolve("dir-link"), secret);
        assertEquals(Errno.EACCES, open(granted.resolve("out-link"), Linux.O_RDONLY).errno());
        assertEquals(Errno.EACCES, open(granted.resolve("dir-link/s.txt"), Linux.O_RDONLY).errno());
        assertEquals("inside", read(open(granted.resolve("in-link"), Linux.O_RDONLY)));
    }

    @Test
    void symlinkIntoAnotherGrantIsFollowedAbsoluteOrNot() throws Exception {
        Files.writeString(dir.resolve("one.txt"), "single file grant");
        Files.createSymbolicLink(granted.resolve("to-one"), dir.resolve("one.txt"));
        Files.createSymbolicLink(granted.resolve("to-one-relative"), Path.of("../one.txt"));
        assertEquals("single file grant", read(open(granted.resolve("to-one"), Linux.O_RDONLY)));
        assertEquals("single file grant", read(open(granted.resolve("to-one-relative"), Linux.O_RDONLY)));
    }

    @Test
    void noFollowOnAFinalSymlinkGivesEloop() throws Exception {
        Files.createSymbolicLink(granted.resolve("in-link"), Path.of("in.txt"));
        assertEquals(Errno.ELOOP, open(granted.resolve("in-link"), Linux.O_RDONLY | Linux.O_NOFOLLOW).errno());
    }

    @Test
    void symlinkLoopEndsWithEloop() throws Exception {
        Files.createSymbolicLink(granted.resolve("a"), Path.of("b"));
        Files.createSymbolicLink(granted.resolve("b"), Path.of("a"));
        assertEquals(Errno.ELOOP, open(granted.resolve("a"), Linux.O_RDONLY).errno());
    }

    @Test
    void pathThatIsNotUtf8IsRefusedRatherThanRewritten() {
        byte[] prefix = (granted + "/in").getBytes(StandardCharsets.UTF_8);
        byte[] path = java.util.Arrays.copyOf(prefix, prefix.length + 1);
        path[prefix.length] = (byte) 0xff;
        assertEquals(Errno.EINVAL, broker.serve(Requests.open(path, Linux.O_RDONLY, 0, false)).errno());
    }

    @Test
    void missingFileInAGrantIsEnoent() {
        RequestServer.Outcome outcome = open(granted.resolve("missing"), Linux.O_RDONLY);
        assertEquals(Errno.ENOENT, outcome.errno());
        assertEquals("", outcome.reason());
    }

    @Test
    void directoryIsRefusedWhenTheCallerWantsJavaIoSemantics() throws Exception {
        Path sub = Files.createDirectory(granted.resolve("sub"));
        RequestServer.Outcome outcome = broker.serve(Requests.open(sub.toString().getBytes(StandardCharsets.UTF_8), Linux.O_RDONLY, 0, true));
        assertEquals(Errno.EISDIR, outcome.errno());
        RequestServer.Outcome listing = broker.serve(Requests.open(sub.toString().getBytes(StandardCharsets.UTF_8),
                Linux.O_RDONLY | Linux.O_DIRECTORY, 0, false));
        assertNotNull(listing.fd());
        listing.fd().close();
    }

    @Test
    void fifoDoesNotBlockTheBroker() throws Exception {
        Path fifo = granted.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        RequestServer.Outcome outcome = open(fifo, Linux.O_RDONLY);
        assertNotNull(outcome.fd(), "a FIFO opened for reading returns at once instead of waiting for a writer");
        assertEquals(0, Linux.statusFlags(outcome.fd().get()) & Linux.O_NONBLOCK, "O_NONBLOCK is cleared again");
        outcome.fd().close();
    }

    @Test
    void actionsFollowTheSecurityManagersMeaningOfFlags() {
        assertEquals(FileActions.READ, RequiredActions.open(Linux.O_RDONLY));
        assertEquals(FileActions.WRITE, RequiredActions.open(Linux.O_WRONLY | Linux.O_CREAT | Linux.O_TRUNC));
        assertEquals(FileActions.READ | FileActions.WRITE, RequiredActions.open(Linux.O_RDWR));
        assertEquals(FileActions.READ | FileActions.WRITE, RequiredActions.open(Linux.O_RDONLY | Linux.O_APPEND));
        assertEquals(-1, RequiredActions.open(Linux.O_RDONLY | Linux.O_PATH));
    }
}
