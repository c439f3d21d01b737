package dev.airlock.broker;

import static dev.airlock.broker.ServerFixture.assertBrokerError;
import static dev.airlock.broker.Trees.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.ipc.Envelope;
import dev.airlock.ipc.Message;
import dev.airlock.ipc.MessageCodec;
import dev.airlock.ipc.Reply;
import dev.airlock.ipc.Request;
import dev.airlock.unix.Credentials;
import dev.airlock.unix.Errno;
import dev.airlock.unix.Fd;
import dev.airlock.unix.Linux;
import dev.airlock.unix.SeqPacketSocket;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The request loop over a real socketpair: each request type dispatched to its handler, the
 * reply's kind (descriptor, data, done, error) as the helper receives it, a malformed message or
 * one carrying the wrong number of descriptors refused without ending the loop, and a WATCH served
 * with the inotify instance it carried.
 */
class RequestLoopTest {
    @TempDir
    Path dir;

    /** A reply as the helper receives it, with the descriptor that came along, if any. */
    private record Received(Envelope<Reply> reply, Fd fd) {}

    private static Received roundTrip(SeqPacketSocket client, int id, Request request) throws Exception {
        ByteBuffer out = ByteBuffer.allocate(Message.MAX_SIZE);
        int length = MessageCodec.encode(id, request, out);
        client.send(out, length, null);
        return receive(client);
    }

    private static Received receive(SeqPacketSocket client) throws Exception {
        ByteBuffer in = ByteBuffer.allocate(Message.MAX_SIZE + 1);
        SeqPacketSocket.Received received = client.receive(in);
        Fd fd = received.descriptors().length == 1 ? received.descriptors()[0] : null;
        return new Received(MessageCodec.decodeReply(in, received.length(), fd != null), fd);
    }

    /** Runs the loop on a thread of its own until the helper's end closes; a failure is logged. */
    private static Thread serve(RequestLoop loop, PrintStream log) {
        Thread serving = new Thread(
                () -> {
                    try {
                        loop.run();
                    } catch (Exception e) {
                        log.println("loop failed: " + e);
                    }
                },
                "request-loop");
        serving.setDaemon(true); // a failed assertion must not leave the test JVM waiting on it
        serving.start();
        return serving;
    }

    @Test
    void servesEveryKindOfReplyAndKeepsServingAfterGarbage() throws Exception {
        TreeBuilder tree = new TreeBuilder(dir);
        Path granted = tree.directory("granted");
        tree.file("granted/f.txt", "content");
        tree.link("granted/link", "f.txt");
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        Fd[] pair = Linux.seqpacketPair();
        SeqPacketSocket client = new SeqPacketSocket(pair[1], Message.MAX_SIZE);
        try (ServerFixture server = ServerFixture.start(
                        PolicyBuilder.named("loop.policy").beneath(granted, "read,write,readlink"));
                SeqPacketSocket broker = new SeqPacketSocket(pair[0], Message.MAX_SIZE);
                PrintStream log = new PrintStream(logged, true, StandardCharsets.UTF_8)) {
            Linux.enablePassCred(broker.fd().get());
            Credentials self = new Credentials(Linux.getpid(), Linux.getuid(), Linux.getgid());
            RequestLoop loop = new RequestLoop(broker, server.server(), self, Requests.ownDescriptors(), log);
            Thread serving = serve(loop, log);

            Received stat = roundTrip(client, 7, Requests.stat(bytes(granted.resolve("link")), true));
            assertEquals(new Envelope<Reply>(7, new Reply.Descriptor()), stat.reply());
            try (Fd fd = stat.fd()) {
                assertTrue(Linux.fstat(fd.get()).isSymbolicLink());
                assertEquals(
                        Trees.inode(granted.resolve("link")),
                        Linux.fstat(fd.get()).ino());
            }

            Received readlink = roundTrip(client, 8, Requests.readlink(bytes(granted.resolve("link"))));
            assertEquals(
                    new Envelope<Reply>(8, new Reply.Data("f.txt".getBytes(StandardCharsets.UTF_8))), readlink.reply());
            assertNull(readlink.fd());

            // Garbage: refused and logged, never answered; the loop keeps serving.
            ByteBuffer garbage = ByteBuffer.wrap("not a request".getBytes(StandardCharsets.US_ASCII));
            client.send(garbage, garbage.remaining(), null);

            assertEquals(
                    new Envelope<Reply>(9, new Reply.Done()),
                    roundTrip(client, 9, Requests.mkdir(bytes(granted.resolve("d")), 0755))
                            .reply());
            assertTrue(Files.isDirectory(granted.resolve("d")));

            Received denied = roundTrip(client, 10, Requests.rmdir(bytes(granted.resolve("d"))));
            assertEquals(
                    new Envelope<Reply>(
                            10,
                            new Reply.Denied(
                                    Errno.EACCES,
                                    "denied by airlock policy loop.policy: delete (closest grant: loop.policy:2 \""
                                            + granted + "/-\" grants read,write,readlink, not delete)")),
                    denied.reply());
            assertTrue(Files.isDirectory(granted.resolve("d")));

            assertEquals(
                    new Envelope<Reply>(11, new Reply.Failed(Errno.ENOENT)),
                    roundTrip(client, 11, Requests.chmod(bytes(granted.resolve("missing")), 0600, false))
                            .reply());
            assertEquals(
                    new Envelope<Reply>(12, new Reply.Done()),
                    roundTrip(client, 12, Requests.chmod(bytes(granted.resolve("f.txt")), 0600, false))
                            .reply());
            assertEquals(
                    "rw-------",
                    java.nio.file.attribute.PosixFilePermissions.toString(
                            Files.getPosixFilePermissions(granted.resolve("f.txt"))));

            Received open =
                    roundTrip(client, 13, Requests.open(bytes(granted.resolve("f.txt")), Linux.O_RDONLY, 0, true));
            assertEquals(new Envelope<Reply>(13, new Reply.Descriptor()), open.reply());
            open.fd().close();

            client.close(); // the helper goes away
            serving.join(10_000);
            assertFalse(serving.isAlive(), "the loop ends when the helper's end closes");
        } finally {
            client.close();
        }
        String log = logged.toString(StandardCharsets.UTF_8);
        assertTrue(log.startsWith("airlock: refused a request: "), log);
        assertEquals(1, log.lines().count(), log);
    }

    @Test
    void aFloodOfRefusedRequestsIsLoggedBoundedAndCounted() throws Exception {
        Path granted = new TreeBuilder(dir).directory("granted");
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        Fd[] pair = Linux.seqpacketPair();
        int flood = 500;
        SeqPacketSocket client = new SeqPacketSocket(pair[1], Message.MAX_SIZE);
        try (ServerFixture server =
                        ServerFixture.start(PolicyBuilder.named("loop.policy").beneath(granted, "read"));
                SeqPacketSocket broker = new SeqPacketSocket(pair[0], Message.MAX_SIZE);
                PrintStream log = new PrintStream(logged, true, StandardCharsets.UTF_8)) {
            Linux.enablePassCred(broker.fd().get());
            Credentials self = new Credentials(Linux.getpid(), Linux.getuid(), Linux.getgid());
            RequestLoop loop = new RequestLoop(broker, server.server(), self, Requests.ownDescriptors(), log);
            Thread serving = serve(loop, log);
            ByteBuffer garbage = ByteBuffer.wrap("not a request".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < flood; i++) {
                client.send(garbage.duplicate(), garbage.remaining(), null);
            }
            // A request after the flood: once it is answered, every garbage message was read.
            assertEquals(
                    new Envelope<Reply>(1, new Reply.Failed(Errno.ENOENT)),
                    roundTrip(client, 1, Requests.stat(bytes(granted.resolve("none")), false))
                            .reply());
            client.close();
            serving.join(10_000);
            assertFalse(serving.isAlive());
        } finally {
            client.close();
        }
        java.util.List<String> lines =
                logged.toString(StandardCharsets.UTF_8).lines().toList();
        long written = lines.stream()
                .filter(l -> l.startsWith("airlock: refused a request: "))
                .count();
        long suppressed = 0;
        for (String line : lines) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                            "airlock: suppressed (\\d+) refused-request messages")
                    .matcher(line);
            if (m.matches()) {
                suppressed += Long.parseLong(m.group(1));
            }
        }
        assertTrue(written >= RefusalLog.BURST && written < RefusalLog.BURST + 30, written + " lines: " + lines);
        assertEquals(flood, written + suppressed, "every refusal is written or counted: " + lines);
        assertTrue(
                lines.get(lines.size() - 1).startsWith("airlock: suppressed "),
                "the count comes last, at the end of the run: " + lines);
    }

    /**
     * The broker failing internally, for real: its pre-opened grant roots are closed under it (a
     * broker bug, not anything the helper or the policy can cause), so serving a granted path
     * throws inside the resolver. The reply is the broker-error kind, never a denial or an errno;
     * the failure is logged once; and the loop keeps answering.
     */
    @Test
    void anInternalFailureIsABrokerErrorNeverADenial() throws Exception {
        TreeBuilder tree = new TreeBuilder(dir);
        Path granted = tree.directory("granted");
        tree.file("granted/f.txt", "content");
        ServerFixture fixture =
                ServerFixture.start(PolicyBuilder.named("loop.policy").beneath(granted, "read"));
        RequestServer server = fixture.server();
        fixture.close();
        RequestServer.Outcome outcome = server.serve(Requests.stat(bytes(granted.resolve("f.txt")), false));
        assertBrokerError(outcome);
        assertTrue(outcome.internal() instanceof IllegalStateException, String.valueOf(outcome.internal()));

        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        Fd[] pair = Linux.seqpacketPair();
        SeqPacketSocket client = new SeqPacketSocket(pair[1], Message.MAX_SIZE);
        try (SeqPacketSocket broker = new SeqPacketSocket(pair[0], Message.MAX_SIZE);
                PrintStream log = new PrintStream(logged, true, StandardCharsets.UTF_8)) {
            Linux.enablePassCred(broker.fd().get());
            Credentials self = new Credentials(Linux.getpid(), Linux.getuid(), Linux.getgid());
            RequestLoop loop = new RequestLoop(broker, server, self, Requests.ownDescriptors(), log);
            Thread serving = serve(loop, log);
            Received open =
                    roundTrip(client, 21, Requests.open(bytes(granted.resolve("f.txt")), Linux.O_RDONLY, 0, false));
            assertEquals(new Envelope<Reply>(21, new Reply.BrokerError(ServerFixture.INTERNAL_ERROR)), open.reply());
            assertNull(open.fd());
            // Still serving: a path outside every grant is decided before any root is used.
            assertEquals(
                    new Envelope<Reply>(
                            22, new Reply.Denied(Errno.EACCES, "denied by airlock policy loop.policy: read")),
                    roundTrip(client, 22, Requests.stat(bytes(dir.resolve("elsewhere")), false))
                            .reply());
            client.close();
            serving.join(10_000);
            assertFalse(serving.isAlive());
        } finally {
            client.close();
        }
        String log = logged.toString(StandardCharsets.UTF_8);
        assertTrue(log.startsWith("airlock: internal error serving #21 OPEN "), log);
        assertEquals(1, log.lines().count(), log);
    }

    @Test
    void theLoopServesAWatchOfTheInstanceItNamesAndRefusesPassedDescriptors() throws Exception {
        TreeBuilder tree = new TreeBuilder(dir);
        Path readOnly = tree.directory("ro");
        tree.file("ro/f.txt", "inside");
        tree.directory("ro/sub");
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        Fd[] pair = Linux.seqpacketPair();
        try (SeqPacketSocket brokerEnd = new SeqPacketSocket(pair[0], Message.MAX_SIZE);
                SeqPacketSocket client = new SeqPacketSocket(pair[1], Message.MAX_SIZE);
                PrintStream log = new PrintStream(logged, true, StandardCharsets.UTF_8);
                Fd inotify = Linux.inotifyInit();
                ServerFixture broker =
                        ServerFixture.start(PolicyBuilder.named("sw.policy").beneath(readOnly, "read"))) {
            Linux.enablePassCred(brokerEnd.fd().get());
            Credentials self = new Credentials(Linux.getpid(), Linux.getuid(), Linux.getgid());
            RequestLoop loop = new RequestLoop(brokerEnd, broker.server(), self, Requests.ownDescriptors(), log);
            ByteBuffer in = ByteBuffer.allocate(Message.MAX_SIZE + 1);
            Request watch = Requests.watch(bytes(readOnly.resolve("sub")), 0x100, inotify);
            Request open = Requests.open(bytes(readOnly.resolve("f.txt")), Linux.O_RDONLY, 0, false);
            long before = openDescriptors();

            // A descriptor passed with a request, one or two, to a type that names one or to one that
            // does not: each refused whole, nothing kept.
            Fd a = Linux.inotifyInit();
            assertNull(loop.handle(received(in, watch, self, a), in));
            Fd b = Linux.inotifyInit();
            Fd c = Linux.inotifyInit();
            assertNull(loop.handle(received(in, watch, self, b, c), in));
            assertFalse(a.isOpen() || b.isOpen() || c.isOpen(), "the broker closes what it refused");
            Fd d = Linux.inotifyInit();
            assertNull(loop.handle(received(in, open, self, d), in));
            assertFalse(d.isOpen());
            assertEquals(List.of(), RequestServerStatWatchTest.watchedInodes(inotify));

            // A number the helper has not open: EBADF, as the kernel answers a call on it.
            RequestLoop.Answer notOpen =
                    loop.handle(received(in, Requests.watch(bytes(readOnly.resolve("sub")), 0x100), self), in);
            assertEquals(new Reply.Failed(Errno.EBADF), notOpen.reply());
            assertEquals(List.of(), RequestServerStatWatchTest.watchedInodes(inotify));

            // Over the real channel: the request names the helper's instance, the broker takes a copy
            // from the helper (here this process), adds the watch and closes its copy.
            ByteBuffer out = ByteBuffer.allocate(Message.MAX_SIZE);
            client.send(out, MessageCodec.encode(5, watch, out), null);
            in.clear();
            SeqPacketSocket.Received got = brokerEnd.receive(in);
            assertEquals(0, got.descriptors().length);
            RequestLoop.Answer answer = loop.handle(got, in);
            assertNotNull(answer, logged.toString(StandardCharsets.UTF_8));
            assertTrue(
                    answer.reply() instanceof Reply.WatchDescriptor,
                    answer.reply().toString());
            assertTrue(((Reply.WatchDescriptor) answer.reply()).descriptor() >= 1);
            assertEquals(5, answer.id());
            assertNull(answer.descriptor());
            assertEquals(
                    List.of(Trees.inode(readOnly.resolve("sub"))), RequestServerStatWatchTest.watchedInodes(inotify));

            // And it keeps serving ordinary requests.
            in.clear();
            out.clear();
            client.send(out, MessageCodec.encode(6, open, out), null);
            RequestLoop.Answer opened = loop.handle(brokerEnd.receive(in), in);
            assertEquals(new Reply.Descriptor(), opened.reply());
            assertEquals(6, opened.id());
            opened.descriptor().close();
            assertEquals(before, openDescriptors(), "no descriptor left behind");
        }
        List<String> lines = logged.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(
                List.of(
                        "airlock: refused a request: WATCH request carried 1 descriptor(s); no request carries any",
                        "airlock: refused a request: WATCH request carried 2 descriptor(s); no request carries any",
                        "airlock: refused a request: OPEN request carried 1 descriptor(s); no request carries any"),
                lines);
    }

    private static SeqPacketSocket.Received received(
            ByteBuffer in, Request request, Credentials sender, Fd... descriptors) {
        in.clear();
        int length = MessageCodec.encode(1, request, in);
        in.position(0);
        return new SeqPacketSocket.Received(length, descriptors, sender, false);
    }

    /**
     * The descriptors this process has open now, less those of the JVM's own files (a jar, the JDK,
     * a random source), which it may open lazily meanwhile.
     */
    private static long openDescriptors() throws Exception {
        try (var list = Files.list(Path.of("/proc/self/fd"))) {
            return list.filter(fd -> !isTheJvms(fd)).count();
        }
    }

    private static boolean isTheJvms(Path fd) {
        try {
            String target = Files.readSymbolicLink(fd).toString();
            return target.endsWith(".jar")
                    || target.startsWith(System.getProperty("java.home"))
                    || target.startsWith("/dev/random")
                    || target.startsWith("/dev/urandom");
        } catch (java.io.IOException closedMeanwhile) {
            return true; // the listing's own descriptor, or one another thread closed
        }
    }
}
