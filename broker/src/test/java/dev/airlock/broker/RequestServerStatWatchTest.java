package dev.airlock.broker;

import static dev.airlock.broker.Trees.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.ipc.Envelope;
import dev.airlock.ipc.FileStat;
import dev.airlock.ipc.Reply;
import dev.airlock.unix.Errno;
import dev.airlock.unix.Fd;
import dev.airlock.unix.Linux;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * STAT and WATCH through {@link RequestServer#serve}: STAT never hands out a descriptor of a
 * symbolic link unless the policy grants readlink on it (it answers with the link's status
 * instead), and WATCH adds an inotify watch to the helper's instance only after a read decision
 * on the directory, on exactly the inode it resolved. How the request loop checks the descriptor
 * a WATCH carries is in {@link RequestLoopTest}.
 */
class RequestServerStatWatchTest {
    @TempDir
    Path dir;

    private Path readOnly;
    private Path withReadlink;
    private Path secret;
    private ServerFixture broker;

    @BeforeEach
    void setUp() throws Exception {
        TreeBuilder tree = new TreeBuilder(dir);
        readOnly = tree.directory("ro");
        withReadlink = tree.directory("rl");
        secret = tree.directory("secret");
        tree.file("ro/f.txt", "inside");
        tree.directory("ro/sub");
        tree.link("ro/link", "/etc/secret-target-name");
        tree.link("ro/inner", "f.txt");
        tree.link("ro/out", secret);
        tree.link("rl/link", "/somewhere/else");
        broker = ServerFixture.start(
                PolicyBuilder.named("sw.policy").beneath(readOnly, "read").beneath(withReadlink, "read,readlink"));
    }

    @AfterEach
    void tearDown() {
        broker.close();
    }

    private RequestServer.Outcome lstat(Path p) {
        return broker.serve(Requests.stat(bytes(p), true));
    }

    @Test
    void aLinkInAReadOnlyGrantIsAnsweredWithItsStatusNotADescriptor() throws Exception {
        for (Path link : List.of(readOnly.resolve("link"), readOnly.resolve("inner"), readOnly.resolve("out"))) {
            RequestServer.Outcome outcome = lstat(link);
            assertNull(outcome.fd(), link + ": no descriptor of a link whose target read does not grant");
            assertEquals(0, outcome.errno());
            FileStat stat = outcome.stat();
            assertNotNull(stat, link.toString());
            assertTrue(stat.isSymbolicLink());
            Map<String, Object> jdk = Files.readAttributes(link, "unix:*", LinkOption.NOFOLLOW_LINKS);
            assertEquals(jdk.get("mode"), stat.mode());
            assertEquals(jdk.get("ino"), stat.ino());
            assertEquals(jdk.get("dev"), stat.dev());
            assertEquals(jdk.get("nlink"), stat.nlink());
            assertEquals(jdk.get("uid"), stat.uid());
            assertEquals(jdk.get("gid"), stat.gid());
            assertEquals(jdk.get("size"), stat.size());
            assertEquals(
                    jdk.get("lastModifiedTime"),
                    FileTime.from(Instant.ofEpochSecond(stat.mtimeSeconds(), stat.mtimeNanos())));
            assertEquals(
                    jdk.get("ctime"), FileTime.from(Instant.ofEpochSecond(stat.ctimeSeconds(), stat.ctimeNanos())));
        }
        // The reply the loop makes of it carries the status and no descriptor.
        RequestLoop.Answer answer = RequestLoop.answer(
                broker.server(),
                new Envelope<>(3, Requests.stat(bytes(readOnly.resolve("link")), true)),
                new RefusalLog(
                        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), System::nanoTime));
        assertNull(answer.descriptor());
        assertEquals(new Reply.Status(lstat(readOnly.resolve("link")).stat()), answer.reply());
        assertEquals(3, answer.id());
    }

    @Test
    void aLinkWhoseTargetIsGrantedToReadIsADescriptorOfTheLink() throws Exception {
        RequestServer.Outcome outcome = lstat(withReadlink.resolve("link"));
        assertNull(outcome.stat());
        try (Fd fd = outcome.fd()) {
            assertNotNull(fd);
            assertTrue(Linux.fstat(fd.get()).isSymbolicLink());
            assertEquals(
                    Trees.inode(withReadlink.resolve("link")),
                    Linux.fstat(fd.get()).ino());
        }
    }

    @Test
    void everythingButALinkStaysADescriptor() throws Exception {
        for (Path p : List.of(readOnly.resolve("f.txt"), readOnly.resolve("sub"))) {
            try (Fd fd = lstat(p).fd()) {
                assertEquals(Trees.inode(p), Linux.fstat(fd.get()).ino());
            }
        }
        // Following the link: a descriptor of what it names, which read grants.
        try (Fd fd = broker.serve(Requests.stat(bytes(readOnly.resolve("inner")), false))
                .fd()) {
            assertEquals(
                    Trees.inode(readOnly.resolve("f.txt")),
                    Linux.fstat(fd.get()).ino());
        }
        // Following a link out of every grant is still a denial.
        assertEquals(
                Errno.EACCES,
                broker.serve(Requests.stat(bytes(readOnly.resolve("out")), false))
                        .errno());
        assertEquals(Errno.ENOENT, lstat(readOnly.resolve("missing")).errno());
        assertEquals(Errno.EACCES, lstat(secret).errno());
    }

    // ---------------------------------------------------------------- WATCH

    /** The inodes an inotify instance watches, from its /proc/self/fdinfo entry ("inotify wd:1 ino:hex ..."). */
    static List<Long> watchedInodes(Fd inotify) throws Exception {
        return Files.readAllLines(Path.of("/proc/self/fdinfo/" + inotify.get())).stream()
                .filter(line -> line.startsWith("inotify "))
                .map(line -> Long.parseUnsignedLong(line.replaceAll(".* ino:([0-9a-f]+) .*", "$1"), 16))
                .toList();
    }

    @Test
    void aWatchIsAddedOnTheGrantedDirectoryItResolved() throws Exception {
        try (Fd inotify = Linux.inotifyInit()) {
            RequestServer.Outcome outcome =
                    broker.serve(Requests.watch(bytes(readOnly.resolve("sub")), 0x100 | 0x080), inotify);
            assertEquals(0, outcome.errno(), outcome.reason());
            assertTrue(outcome.watch() >= 1);
            assertNull(outcome.fd());
            assertEquals(List.of(Trees.inode(readOnly.resolve("sub"))), watchedInodes(inotify));
            String info = String.join("\n", Files.readAllLines(Path.of("/proc/self/fdinfo/" + inotify.get())));
            assertTrue(info.contains(" mask:180 "), info);
            // The same directory again: the kernel's same watch descriptor.
            assertEquals(
                    outcome.watch(),
                    broker.serve(Requests.watch(bytes(readOnly.resolve("sub/.")), 0x100), inotify)
                            .watch());
        }
    }

    @Test
    void watchesOutsideTheGrantOrOnWhatIsNotAnInotifyInstanceAreRefused() throws Exception {
        try (Fd inotify = Linux.inotifyInit()) {
            broker.assertDenied("read", broker.serve(Requests.watch(bytes(secret), 0x100), inotify));
            assertEquals(
                    Errno.EACCES,
                    broker.serve(Requests.watch(bytes(readOnly.resolve("out")), 0x100), inotify)
                            .errno(),
                    "a link in the grant leading out of it");
            assertEquals(
                    Errno.EACCES,
                    broker.serve(Requests.watch(bytes(readOnly.resolve("sub/../../secret")), 0x100), inotify)
                            .errno());
            assertEquals(
                    Errno.ENOTDIR,
                    broker.serve(Requests.watch(bytes(readOnly.resolve("f.txt")), 0x100), inotify)
                            .errno());
            assertEquals(
                    Errno.ENOENT,
                    broker.serve(Requests.watch(bytes(readOnly.resolve("missing")), 0x100), inotify)
                            .errno());
            assertEquals(List.of(), watchedInodes(inotify), "no watch was added");
        }
        try (Fd notInotify = Linux.open(readOnly.resolve("f.txt").toString(), Linux.O_RDONLY, 0)) {
            assertEquals(
                    Errno.EINVAL,
                    broker.serve(Requests.watch(bytes(readOnly.resolve("sub")), 0x100), notInotify)
                            .errno());
        }
        try (Fd file = Linux.open(dir.resolve("anon_inode:inotify").toString(), Linux.O_RDWR | Linux.O_CREAT, 0600)) {
            assertEquals(
                    Errno.EINVAL,
                    broker.serve(Requests.watch(bytes(readOnly.resolve("sub")), 0x100), file)
                            .errno(),
                    "a file named like an inotify instance's link is not one");
        }
        assertEquals(
                Errno.EBADF,
                broker.serve(Requests.watch(bytes(readOnly.resolve("sub")), 0x100))
                        .errno());
    }
}
