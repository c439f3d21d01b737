package dev.airlock.broker;

import static dev.airlock.broker.Trees.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.ipc.Credentials;
import dev.airlock.ipc.Errno;
import dev.airlock.ipc.Fd;
import dev.airlock.ipc.FileStat;
import dev.airlock.ipc.Linux;
import dev.airlock.ipc.Message;
import dev.airlock.ipc.MessageCodec;
import dev.airlock.ipc.Reply;
import dev.airlock.ipc.Request;
import dev.airlock.ipc.SeqPacketSocket;
import dev.airlock.policy.Policy;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
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
 * Issue 9's holes 11 and 12 in the broker: STAT never hands out a descriptor of a symbolic link
 * unless the policy grants readlink on it (it answers with the link's status instead), and WATCH
 * adds an inotify watch to the helper's instance only after a read decision on the directory,
 * on exactly the inode it resolved; requests carrying the wrong number of descriptors are refused
 * and the loop keeps serving.
 */
class StatWatchBrokerTest {
    @TempDir
    Path dir;

    private Path readOnly;
    private Path withReadlink;
    private Path secret;
    private GrantRoots roots;
    private FileBroker broker;
    private Policy policy;

    @BeforeEach
    void setUp() throws Exception {
        readOnly = Files.createDirectory(dir.resolve("ro"));
        withReadlink = Files.createDirectory(dir.resolve("rl"));
        secret = Files.createDirectory(dir.resolve("secret"));
        Files.writeString(readOnly.resolve("f.txt"), "inside");
        Files.createDirectory(readOnly.resolve("sub"));
        Files.createSymbolicLink(readOnly.resolve("link"), Path.of("/etc/secret-target-name"));
        Files.createSymbolicLink(readOnly.resolve("inner"), Path.of("f.txt"));
        Files.createSymbolicLink(readOnly.resolve("out"), secret);
        Files.createSymbolicLink(withReadlink.resolve("link"), Path.of("/somewhere/else"));
        policy = Policy.parse("sw.policy", "grant {\n"
                + "  permission java.io.FilePermission \"" + readOnly + "/-\", \"read\";\n"
                + "  permission java.io.FilePermission \"" + withReadlink + "/-\", \"read,readlink\";\n"
                + "};\n");
        roots = GrantRoots.open(policy.fileGrantRoots());
        broker = new FileBroker(policy, roots);
    }

    @AfterEach
    void tearDown() {
        roots.close();
    }

    private FileBroker.Outcome lstat(Path p) {
        return broker.stat(bytes(p), true);
    }

    @Test
    void aLinkInAReadOnlyGrantIsAnsweredWithItsStatusNotADescriptor() throws Exception {
        for (Path link : List.of(readOnly.resolve("link"), readOnly.resolve("inner"), readOnly.resolve("out"))) {
            FileBroker.Outcome outcome = lstat(link);
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
            assertEquals(jdk.get("lastModifiedTime"), FileTime.from(Instant.ofEpochSecond(stat.mtimeSeconds(), stat.mtimeNanos())));
            assertEquals(jdk.get("ctime"), FileTime.from(Instant.ofEpochSecond(stat.ctimeSeconds(), stat.ctimeNanos())));
        }
        // The reply the loop makes of it carries the status and no descriptor.
        RequestLoop.Answer answer = RequestLoop.answer(broker, Request.stat(3, bytes(readOnly.resolve("link")), true),
                new RefusalLog(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), System::nanoTime));
        assertNull(answer.descriptor());
        assertEquals(Reply.stat(3, lstat(readOnly.resolve("link")).stat()), answer.reply());
    }

    @Test
    void aLinkWhoseTargetIsGrantedToReadIsADescriptorOfTheLink() throws Exception {
        FileBroker.Outcome outcome = lstat(withReadlink.resolve("link"));
        assertNull(outcome.stat());
        try (Fd fd = outcome.fd()) {
            assertNotNull(fd);
            assertTrue(Linux.fstat(fd.get()).isSymbolicLink());
            assertEquals(Trees.inode(withReadlink.resolve("link")), Linux.fstat(fd.get()).ino());
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
        try (Fd fd = broker.stat(bytes(readOnly.resolve("inner")), false).fd()) {
            assertEquals(Trees.inode(readOnly.resolve("f.txt")), Linux.fstat(fd.get()).ino());
        }
        // Following a link out of every grant is still a denial.
        assertEquals(Errno.EACCES, broker.stat(bytes(readOnly.resolve("out")), false).errno());
        assertEquals(Errno.ENOENT, lstat(readOnly.resolve("missing")).errno());
        assertEquals(Errno.EACCES, lstat(secret).errno());
    }

    // ---------------------------------------------------------------- WATCH

    /** The inodes an inotify instance watches, from its /proc/self/fdinfo entry ("inotify wd:1 ino:hex ..."). */
    private static List<Long> watchedInodes(Fd inotify) throws Exception {
        return Files.readAllLines(Path.of("/proc/self/fdinfo/" + inotify.get())).stream()
                .filter(line -> line.startsWith("inotify "))
                .map(line -> Long.parseUnsignedLong(line.replaceAll(".* ino:([0-9a-f]+) .*", "$1"), 16))
                .toList();
    }

    @Test
    void aWatchIsAddedOnTheGrantedDirectoryItResolved() throws Exception {
        try (Fd inotify = Linux.inotifyInit()) {
            FileBroker.Outcome outcome = broker.watch(inotify, bytes(readOnly.resolve("sub")), 0x100 | 0x080);
            assertEquals(0, outcome.errno(), outcome.reason());
            assertTrue(outcome.watch() >= 1);
            assertNull(outcome.fd());
            assertEquals(List.of(Trees.inode(readOnly.resolve("sub"))), watchedInodes(inotify));
            String info = String.join("\n", Files.readAllLines(Path.of("/proc/self/fdinfo/" + inotify.get())));
            assertTrue(info.contains(" mask:180 "), info);
            // The same directory again: the kernel's same watch descriptor.
            assertEquals(outcome.watch(), broker.watch(inotify, bytes(readOnly.resolve("sub/.")), 0x100).watch());
        }
    }

    @Test
    void watchesOutsideTheGrantOrOnWhatIsNotAnInotifyInstanceAreRefused() throws Exception {
        try (Fd inotify = Linux.inotifyInit()) {
            FileBroker.Outcome denied = broker.watch(inotify, bytes(secret), 0x100);
            assertEquals(Errno.EACCES, denied.errno());
            assertEquals("denied by airlock policy sw.policy: read", denied.reason());
            assertEquals(Errno.EACCES, broker.watch(inotify, bytes(readOnly.resolve("out")), 0x100).errno(),
                    "a link in the grant leading out of it");
            assertEquals(Errno.EACCES, broker.watch(inotify, bytes(readOnly.resolve("sub/../../secret")), 0x100).errno());
            assertEquals(Errno.ENOTDIR, broker.watch(inotify, bytes(readOnly.resolve("f.txt")), 0x100).errno());
            assertEquals(Errno.ENOENT, broker.watch(inotify, bytes(readOnly.resolve("missing")), 0x100).errno());
            assertEquals(List.of(), watchedInodes(inotify), "no watch was added");
        }
        try (Fd notInotify = Linux.open(readOnly.resolve("f.txt").toString(), Linux.O_RDONLY, 0)) {
            assertEquals(Errno.EINVAL, broker.watch(notInotify, bytes(readOnly.resolve("sub")), 0x100).errno());
        }
        try (Fd file = Linux.open(dir.resolve("anon_inode:inotify").toString(), Linux.O_RDWR | Linux.O_CREAT, 0600)) {
            assertEquals(Errno.EINVAL, broker.watch(file, bytes(readOnly.resolve("sub")), 0x100).errno(),
                    "a file named like an inotify instance's link is not one");
        }
        assertEquals(Errno.EBADF, broker.serve(Request.watch(1, bytes(readOnly.resolve("sub")), 0x100)).errno());
    }

    @Test
    void theLoopServesAWatchWithItsDescriptorAndRefusesWrongDescriptorCounts() throws Exception {
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        Fd[] pair = Linux.seqpacketPair();
        try (SeqPacketSocket brokerEnd = new SeqPacketSocket(pair[0], Message.MAX_SIZE);
                SeqPacketSocket client = new SeqPacketSocket(pair[1], Message.MAX_SIZE);
                PrintStream log = new PrintStream(logged, true, StandardCharsets.UTF_8);
                Fd inotify = Linux.inotifyInit()) {
            Linux.enablePassCred(brokerEnd.fd().get());
            Credentials self = new Credentials(Linux.getpid(), Linux.getuid(), Linux.getgid());
            RequestLoop loop = new RequestLoop(brokerEnd, broker, self, log);
            ByteBuffer in = ByteBuffer.allocate(Message.MAX_SIZE + 1);
            Request watch = Request.watch(5, bytes(readOnly.resolve("sub")), 0x100);
            Request open = Request.open(6, bytes(readOnly.resolve("f.txt")), Linux.O_RDONLY, 0, false);
            long before = openDescriptors();

            // No descriptor, two, and one with a type that takes none: each refused whole, nothing kept.
            assertNull(loop.handle(received(in, watch, self), in));
            Fd a = Linux.inotifyInit();
            Fd b = Linux.inotifyInit();
            assertNull(loop.handle(received(in, watch, self, a, b), in));
            assertFalse(a.isOpen() || b.isOpen(), "the broker closes what it refused");
            Fd c = Linux.inotifyInit();
            assertNull(loop.handle(received(in, open, self, c), in));
            assertFalse(c.isOpen());
            assertEquals(List.of(), watchedInodes(inotify));

            // Over the real channel: the helper's instance rides along, the broker adds the watch and closes its copy.
            ByteBuffer out = ByteBuffer.allocate(Message.MAX_SIZE);
            client.send(out, MessageCodec.encode(watch, out), inotify);
            SeqPacketSocket.Received got = brokerEnd.receive(in);
            RequestLoop.Answer answer = loop.handle(got, in);
            assertNotNull(answer, logged.toString(StandardCharsets.UTF_8));
            assertEquals(0, answer.reply().errno(), answer.reply().toString());
            assertTrue(answer.reply().watch() >= 1);
            assertNull(answer.descriptor());
            assertFalse(got.descriptors()[0].isOpen(), "the broker's copy of the inotify instance is closed");
            assertEquals(List.of(Trees.inode(readOnly.resolve("sub"))), watchedInodes(inotify));

            // And it keeps serving ordinary requests.
            in.clear();
            out.clear();
            client.send(out, MessageCodec.encode(open, out), null);
            RequestLoop.Answer opened = loop.handle(brokerEnd.receive(in), in);
            assertEquals(Reply.descriptor(6), opened.reply());
            opened.descriptor().close();
            assertEquals(before, openDescriptors(), "no descriptor left behind");
        }
        List<String> lines = logged.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(List.of("airlock: refused a request: WATCH request carried 0 descriptor(s), expected 1",
                "airlock: refused a request: WATCH request carried 2 descriptor(s), expected 1",
                "airlock: refused a request: OPEN request carried 1 descriptor(s), expected 0"), lines);
    }

    private static SeqPacketSocket.Received received(ByteBuffer in, Request request, Credentials sender, Fd... descriptors) {
        in.clear();
        int length = MessageCodec.encode(request, in);
        in.position(0);
        return new SeqPacketSocket.Received(length, descriptors, sender, false);
    }

    private static long openDescriptors() throws Exception {
        try (var list = Files.list(Path.of("/proc/self/fd"))) {
            return list.count();
        }
    }
}
