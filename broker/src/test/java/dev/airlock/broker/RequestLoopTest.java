package dev.airlock.broker;

import static dev.airlock.broker.Trees.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.ipc.Credentials;
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
    private record Received(Reply reply, Fd fd) {
    }

    private static Received roundTrip(SeqPacketSocket client, Request request) throws Exception {
        ByteBuffer out = ByteBuffer.allocate(Message.MAX_SIZE);
        int length = MessageCodec.encode(request, out);
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
        SeqPacketSocket client = new SeqPacketSocket(pair[1], Message.MAX_SIZE);
        try (GrantRoots roots = GrantRoots.open(policy.fileGrantRoots());
                SeqPacketSocket broker = new SeqPacketSocket(pair[0], Message.MAX_SIZE);
                PrintStream log = new PrintStream(logged, true, StandardCharsets.UTF_8)) {
            Linux.enablePassCred(broker.fd().get());
            Credentials self = new Credentials(Linux.getpid(), Linux.getuid(), Linux.getgid());
            RequestLoop loop = new RequestLoop(broker, new FileBroker(policy, roots), self, log);
            Thread serving = new Thread(() -> {
                try {
                    loop.run();
                } catch (Exception e) {
                    log.println("loop failed: " + e);
                }
            }, "request-loop");
            serving.setDaemon(true); // a failed assertion must not leave the test JVM waiting on it
            serving.start();

            Received stat = roundTrip(client, Request.stat(7, bytes(granted.resolve("link")), true));
            assertEquals(Reply.descriptor(7), stat.reply());
            try (Fd fd = stat.fd()) {
                assertTrue(Linux.fstat(fd.get()).isSymbolicLink());
                assertEquals(Trees.inode(granted.resolve("link")), Linux.fstat(fd.get()).ino());
            }

            Received readlink = roundTrip(client, Request.readlink(8, bytes(granted.resolve("link"))));
            assertArrayEquals("f.txt".getBytes(StandardCharsets.UTF_8), readlink.reply().data());
            assertNull(readlink.fd());

            // Garbage: refused and logged, never answered; the loop keeps serving.
            ByteBuffer garbage = ByteBuffer.wrap("not a request".getBytes(StandardCharsets.US_ASCII));
            client.send(garbage, garbage.remaining(), null);

            assertEquals(Reply.done(9), roundTrip(client, Request.mkdir(9, bytes(granted.resolve("d")), 0755)).reply());
            assertTrue(Files.isDirectory(granted.resolve("d")));

            Received denied = roundTrip(client, Request.rmdir(10, bytes(granted.resolve("d"))));
            assertEquals(Reply.error(10, Errno.EACCES, "denied by airlock policy loop.policy: delete"), denied.reply());
            assertTrue(Files.isDirectory(granted.resolve("d")));

            assertEquals(Reply.error(11, Errno.ENOENT, ""),
                    roundTrip(client, Request.truncate(11, bytes(granted.resolve("missing")), 0)).reply());
            assertEquals(Reply.done(12), roundTrip(client, Request.truncate(12, bytes(granted.resolve("f.txt")), 4)).reply());
            assertEquals("cont", Files.readString(granted.resolve("f.txt")));

            Received open = roundTrip(client, Request.open(13, bytes(granted.resolve("f.txt")), Linux.O_RDONLY, 0, true));
            assertEquals(Reply.descriptor(13), open.reply());
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
        SeqPacketSocket client = new SeqPacketSocket(pair[1], Message.MAX_SIZE);
        try (GrantRoots roots = GrantRoots.open(policy.fileGrantRoots());
                SeqPacketSocket broker = new SeqPacketSocket(pair[0], Message.MAX_SIZE);
                PrintStream log = new PrintStream(logged, true, StandardCharsets.UTF_8)) {
            Linux.enablePassCred(broker.fd().get());
            Credentials self = new Credentials(Linux.getpid(), Linux.getuid(), Linux.getgid());
            RequestLoop loop = new RequestLoop(broker, new FileBroker(policy, roots), self, log);
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
            assertEquals(Reply.error(1, Errno.ENOENT, ""), roundTrip(client, Request.stat(1, bytes(granted.resolve("none")), false)).reply());
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
}
