package dev.airlock.broker;

import static dev.airlock.broker.Trees.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.ipc.Credentials;
import dev.airlock.ipc.Envelope;
import dev.airlock.ipc.Errno;
import dev.airlock.ipc.Fd;
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
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The request loop over a real socketpair: each request type dispatched to its handler, the
 * reply's kind (descriptor, data, done, error) as the helper receives it, and a malformed message
 * refused without ending the loop.
 */
class RequestLoopTest {
    @TempDir
    Path dir;

    /** A reply as the helper receives it, with the descriptor that came along, if any. */
    private record Received(Envelope<Reply> reply, Fd fd) {
    }

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

    @Test
    void servesEveryKindOfReplyAndKeepsServingAfterGarbage() throws Exception {
        Path granted = Files.createDirectory(dir.resolve("granted"));
        Files.writeString(granted.resolve("f.txt"), "content");
        Files.createSymbolicLink(granted.resolve("link"), Path.of("f.txt"));
        Policy policy = Policy.parse("loop.policy", "grant { permission java.io.FilePermission \"" + granted
                + "/-\", \"read,write,readlink\"; };");
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        Fd[] pair = Linux.seqpacketPair();
        SeqPacketSocket client = new SeqPacketSocket(pair[1]);
        try (GrantRoots roots = GrantRoots.open(policy.fileGrantRoots());
                SeqPacketSocket broker = new SeqPacketSocket(pair[0]);
                PrintStream log = new PrintStream(logged, true, StandardCharsets.UTF_8)) {
            Linux.enablePassCred(broker.fd().get());
            Credentials self = new Credentials(Linux.getpid(), Linux.getuid(), Linux.getgid());
            RequestLoop loop = new RequestLoop(broker, new RequestServer(policy, roots), self, log);
            Thread serving = new Thread(() -> {
                try {
                    loop.run();
                } catch (Exception e) {
                    log.println("loop failed: " + e);
                }
            }, "request-loop");
            serving.setDaemon(true); // a failed assertion must not leave the test JVM waiting on it
            serving.start();

            Received stat = roundTrip(client, 7, Requests.stat(bytes(granted.resolve("link")), true));
            assertEquals(new Envelope<Reply>(7, new Reply.Descriptor()), stat.reply());
            try (Fd fd = stat.fd()) {
                assertTrue(Linux.fstat(fd.get()).isSymbolicLink());
                assertEquals(Trees.inode(granted.resolve("link")), Linux.fstat(fd.get()).ino());
            }

            Received readlink = roundTrip(client, 8, Requests.readlink(bytes(granted.resolve("link"))));
            assertEquals(new Envelope<Reply>(8, new Reply.Data("f.txt".getBytes(StandardCharsets.UTF_8))), readlink.reply());
            assertNull(readlink.fd());

            // Garbage: refused and logged, never answered; the loop keeps serving.
            ByteBuffer garbage = ByteBuffer.wrap("not a request".getBytes(StandardCharsets.US_ASCII));
            client.send(garbage, garbage.remaining(), null);

            assertEquals(new Envelope<Reply>(9, new Reply.Done()), roundTrip(client, 9, Requests.mkdir(bytes(granted.resolve("d")), 0755)).reply());
            assertTrue(Files.isDirectory(granted.resolve("d")));

            Received denied = roundTrip(client, 10, Requests.rmdir(bytes(granted.resolve("d"))));
            assertEquals(new Envelope<Reply>(10, new Reply.Denied(Errno.EACCES, "denied by airlock policy loop.policy: delete")), denied.reply());
            assertTrue(Files.isDirectory(granted.resolve("d")));

            assertEquals(new Envelope<Reply>(11, new Reply.Failed(Errno.ENOENT)),
                    roundTrip(client, 11, Requests.chmod(bytes(granted.resolve("missing")), 0600, false)).reply());
            assertEquals(new Envelope<Reply>(12, new Reply.Done()), roundTrip(client, 12, Requests.chmod(bytes(granted.resolve("f.txt")), 0600, false)).reply());
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(granted.resolve("f.txt"))));

            Received open = roundTrip(client, 13, Requests.open(bytes(granted.resolve("f.txt")), Linux.O_RDONLY, 0, true));
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
        Path granted = Files.createDirectory(dir.resolve("granted"));
        Policy policy = Policy.parse("loop.policy", "grant { permission java.io.FilePermission \"" + granted + "/-\", \"read\"; };");
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        Fd[] pair = Linux.seqpacketPair();
        int flood = 500;
        SeqPacketSocket client = new SeqPacketSocket(pair[1]);
        try (GrantRoots roots = GrantRoots.open(policy.fileGrantRoots());
                SeqPacketSocket broker = new SeqPacketSocket(pair[0]);
                PrintStream log = new PrintStream(logged, true, StandardCharsets.UTF_8)) {
            Linux.enablePassCred(broker.fd().get());
            Credentials self = new Credentials(Linux.getpid(), Linux.getuid(), Linux.getgid());
            RequestLoop loop = new RequestLoop(broker, new RequestServer(policy, roots), self, log);
            Thread serving = new Thread(() -> {
                try {
                    loop.run();
                } catch (Exception e) {
                    log.println("loop failed: " + e);
                }
            }, "request-loop");
            serving.setDaemon(true);
            serving.start();
            ByteBuffer garbage = ByteBuffer.wrap("not a request".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < flood; i++) {
                client.send(garbage.duplicate(), garbage.remaining(), null);
            }
            // A request after the flood: once it is answered, every garbage message was read.
            assertEquals(new Envelope<Reply>(1, new Reply.Failed(Errno.ENOENT)), roundTrip(client, 1, Requests.stat(bytes(granted.resolve("none")), false)).reply());
            client.close();
            serving.join(10_000);
            assertFalse(serving.isAlive());
        } finally {
            client.close();
        }
        java.util.List<String> lines = logged.toString(StandardCharsets.UTF_8).lines().toList();
        long written = lines.stream().filter(l -> l.startsWith("airlock: refused a request: ")).count();
        long suppressed = 0;
        for (String line : lines) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("airlock: suppressed (\\d+) refused-request messages").matcher(line);
            if (m.matches()) {
                suppressed += Long.parseLong(m.group(1));
            }
        }
        assertTrue(written >= RefusalLog.BURST && written < RefusalLog.BURST + 30, written + " lines: " + lines);
        assertEquals(flood, written + suppressed, "every refusal is written or counted: " + lines);
        assertTrue(lines.get(lines.size() - 1).startsWith("airlock: suppressed "), "the count comes last, at the end of the run: " + lines);
    }

    /**
     * The broker failing internally, for real: its pre-opened grant roots are closed under it (a
     * broker bug, not anything the helper or the policy can cause), so serving a granted path
     * throws inside the resolver. The reply is the broker-error kind, never a denial or an errno;
     * the failure is logged once; and the loop keeps answering.
     */
    @Test
    void anInternalFailureIsABrokerErrorNeverADenial() throws Exception {
        Path granted = Files.createDirectory(dir.resolve("granted"));
        Files.writeString(granted.resolve("f.txt"), "content");
        Policy policy = Policy.parse("loop.policy", "grant { permission java.io.FilePermission \"" + granted + "/-\", \"read\"; };");
        GrantRoots roots = GrantRoots.open(policy.fileGrantRoots());
        RequestServer server = new RequestServer(policy, roots);
        roots.close();
        RequestServer.Outcome outcome = server.serve(Requests.stat(bytes(granted.resolve("f.txt")), false));
        assertEquals(new Reply.BrokerError("airlock broker: internal error"), outcome.reply());
        assertTrue(outcome.internal() instanceof IllegalStateException, String.valueOf(outcome.internal()));
        assertNull(outcome.fd());

        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        Fd[] pair = Linux.seqpacketPair();
        SeqPacketSocket client = new SeqPacketSocket(pair[1]);
        try (SeqPacketSocket broker = new SeqPacketSocket(pair[0]);
                PrintStream log = new PrintStream(logged, true, StandardCharsets.UTF_8)) {
            Linux.enablePassCred(broker.fd().get());
            Credentials self = new Credentials(Linux.getpid(), Linux.getuid(), Linux.getgid());
            RequestLoop loop = new RequestLoop(broker, server, self, log);
            Thread serving = new Thread(() -> {
                try {
                    loop.run();
                } catch (Exception e) {
                    log.println("loop failed: " + e);
                }
            }, "request-loop");
            serving.setDaemon(true);
            serving.start();
            Received open = roundTrip(client, 21, Requests.open(bytes(granted.resolve("f.txt")), Linux.O_RDONLY, 0, false));
            assertEquals(new Envelope<Reply>(21, new Reply.BrokerError("airlock broker: internal error")), open.reply());
            assertNull(open.fd());
            // Still serving: a path outside every grant is decided before any root is used.
            assertEquals(new Envelope<Reply>(22, new Reply.Denied(Errno.EACCES, "denied by airlock policy loop.policy: read")),
                    roundTrip(client, 22, Requests.stat(bytes(dir.resolve("elsewhere")), false)).reply());
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
}
