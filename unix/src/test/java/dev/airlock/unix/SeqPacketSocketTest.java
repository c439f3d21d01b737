package dev.airlock.unix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import jnr.ffi.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The channel socket over a real socketpair: a descriptor and the kernel's credentials passed
 * with a message, several descriptors in one message, control data that did not fit, the largest
 * message and one byte more, end of stream; descriptors are counted in /proc/self/fd so that none
 * leaks. The socket's structures are built with the same layout classes it uses itself.
 */
class SeqPacketSocketTest {
    /** The largest message in these tests: the socket knows no protocol, so any size will do. */
    private static final int MAX = 8192;

    @TempDir
    Path dir;

    @Test
    void passesDescriptorAndKernelCredentials() throws Exception {
        Path file = dir.resolve("passed.txt");
        Files.writeString(file, "through the socket");
        Fd[] pair = Linux.seqpacketPair();
        try (SeqPacketSocket a = new SeqPacketSocket(pair[0], MAX);
                SeqPacketSocket b = new SeqPacketSocket(pair[1], MAX);
                Fd opened = Linux.open(file.toString(), Linux.O_RDONLY, 0)) {
            Linux.enablePassCred(b.fd().get());
            ByteBuffer out = ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII));
            a.send(out, 5, opened);
            ByteBuffer in = ByteBuffer.allocate(MAX + 1);
            SeqPacketSocket.Received received = b.receive(in);
            assertNotNull(received);
            assertEquals(5, received.length());
            assertFalse(received.truncated());
            assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), java.util.Arrays.copyOf(in.array(), 5));
            assertEquals(new Credentials(Linux.getpid(), Linux.getuid(), Linux.getgid()), received.sender());
            assertEquals(1, received.descriptors().length);
            Fd passed = received.descriptors()[0];
            assertTrue(passed.get() != opened.get(), "a passed descriptor is a new number");
            assertEquals(
                    Linux.fstat(opened.get()).size(), Linux.fstat(passed.get()).size());
            passed.close();
        }
    }

    @Test
    void oversizeMessageIsReportedTruncated() throws Exception {
        Fd[] pair = Linux.seqpacketPair();
        try (SeqPacketSocket a = new SeqPacketSocket(pair[0], MAX);
                SeqPacketSocket b = new SeqPacketSocket(pair[1], MAX)) {
            ByteBuffer out = ByteBuffer.allocate(100);
            a.send(out, 100, null);
            SeqPacketSocket.Received received = b.receive(ByteBuffer.allocate(10));
            assertTrue(received.truncated());
            assertEquals(10, received.length());
        }
    }

    @Test
    void closedPeerIsEndOfStream() throws Exception {
        Fd[] pair = Linux.seqpacketPair();
        try (SeqPacketSocket b = new SeqPacketSocket(pair[1], MAX)) {
            pair[0].close();
            assertNull(b.receive(ByteBuffer.allocate(64)));
        }
    }

    @Test
    void severalDescriptorsInOneMessageAreAllReturned() throws Exception {
        long before = openDescriptors();
        Fd[] pair = Linux.seqpacketPair();
        Fd[] sent = openDevNull(3);
        try (SeqPacketSocket b = new SeqPacketSocket(pair[1], MAX);
                Fd a = pair[0]) {
            Linux.enablePassCred(b.fd().get());
            sendRaw(a, new byte[] {7}, sent);
            SeqPacketSocket.Received received = b.receive(ByteBuffer.allocate(MAX + 1));
            assertFalse(received.truncated());
            assertEquals(1, received.length());
            assertEquals(new Credentials(Linux.getpid(), Linux.getuid(), Linux.getgid()), received.sender());
            assertEquals(3, received.descriptors().length);
            assertEquals(before + 2 + 3 + 3, openDescriptors(), "the pair, the three sent and the three received");
            for (int i = 0; i < 3; i++) {
                Linux.Stat original = Linux.fstat(sent[i].get());
                Linux.Stat passed = Linux.fstat(received.descriptors()[i].get());
                assertEquals(original.dev(), passed.dev());
                assertEquals(original.ino(), passed.ino());
                received.descriptors()[i].close();
            }
        } finally {
            closeAll(sent);
        }
        assertEquals(before, openDescriptors());
    }

    @Test
    void controlDataThatDidNotFitIsReportedTruncatedAndNothingLeaks() throws Exception {
        long before = openDescriptors();
        Fd[] pair = Linux.seqpacketPair();
        Fd[] sent = openDevNull(20);
        try (SeqPacketSocket b = new SeqPacketSocket(pair[1], MAX);
                Fd a = pair[0]) {
            Linux.enablePassCred(b.fd().get());
            sendRaw(a, new byte[] {1, 2}, sent);
            SeqPacketSocket.Received received = b.receive(ByteBuffer.allocate(MAX + 1));
            assertTrue(received.truncated());
            assertEquals(2, received.length());
            assertNotNull(received.sender(), "the credentials come first and still fit");
            // The kernel installs as many as the control buffer holds and drops the rest; every one
            // it installed is returned, so that the caller can close it.
            assertEquals(8, received.descriptors().length);
            assertEquals(before + 2 + 20 + 8, openDescriptors());
            closeAll(received.descriptors());
        } finally {
            closeAll(sent);
        }
        assertEquals(before, openDescriptors());
    }

    @Test
    void messageOfTheLargestSizeIsWholeAndOneByteMoreIsTruncated() throws Exception {
        Fd[] pair = Linux.seqpacketPair();
        try (SeqPacketSocket a = new SeqPacketSocket(pair[0], MAX + 1);
                SeqPacketSocket b = new SeqPacketSocket(pair[1], MAX)) {
            byte[] largest = new byte[MAX + 1];
            for (int i = 0; i < largest.length; i++) {
                largest[i] = (byte) (i * 31);
            }
            ByteBuffer in = ByteBuffer.allocate(2 * MAX);
            a.send(ByteBuffer.wrap(largest), MAX, null);
            SeqPacketSocket.Received whole = b.receive(in);
            assertFalse(whole.truncated());
            assertEquals(MAX, whole.length());
            assertArrayEquals(java.util.Arrays.copyOf(largest, MAX), java.util.Arrays.copyOf(in.array(), MAX));

            a.send(ByteBuffer.wrap(largest), MAX + 1, null);
            SeqPacketSocket.Received over = b.receive(in);
            assertTrue(over.truncated(), "one byte more than the receiver's largest");
            assertEquals(0, over.descriptors().length);

            assertThrows(IllegalArgumentException.class, () -> b.send(ByteBuffer.wrap(largest), MAX + 1, null));
            assertThrows(IllegalArgumentException.class, () -> b.send(ByteBuffer.wrap(largest), 0, null));
        }
    }

    @Test
    void largestMessageMustBePositive() throws Exception {
        try (Fd devNull = Linux.open("/dev/null", Linux.O_RDONLY, 0)) {
            assertThrows(IllegalArgumentException.class, () -> new SeqPacketSocket(devNull, 0));
        }
    }

    @Test
    void peerCredentialsOfAPairNameItsCreator() throws Exception {
        Fd[] pair = Linux.seqpacketPair();
        try (Fd a = pair[0];
                Fd b = pair[1]) {
            assertEquals(Linux.getpid(), Linux.peerCredentials(a.get()).pid());
            assertEquals(Linux.getuid(), Linux.peerCredentials(b.get()).uid());
        }
    }

    @Test
    void openat2BeneathRefusesDotDotAndSymlinkEscapes() throws Exception {
        Path root = Files.createDirectory(dir.resolve("root"));
        Files.writeString(root.resolve("inside"), "in");
        Files.writeString(dir.resolve("outside"), "out");
        Files.createSymbolicLink(root.resolve("link"), dir.resolve("outside"));
        try (Fd rootFd = Linux.open(root.toString(), Linux.O_PATH | Linux.O_DIRECTORY, 0)) {
            long resolve = Linux.RESOLVE_BENEATH | Linux.RESOLVE_NO_MAGICLINKS;
            try (Fd inside = Linux.openat2(rootFd.get(), "inside", Linux.O_RDONLY, 0, resolve)) {
                assertTrue(Linux.fstat(inside.get()).isRegularFile());
            }
            ErrnoException up = org.junit.jupiter.api.Assertions.assertThrows(
                    ErrnoException.class, () -> Linux.openat2(rootFd.get(), "../outside", Linux.O_RDONLY, 0, resolve));
            assertEquals(Errno.EXDEV, up.errno());
            assertEquals("openat2(../outside) failed: EXDEV (Invalid cross-device link)", up.getMessage());
            ErrnoException link = org.junit.jupiter.api.Assertions.assertThrows(
                    ErrnoException.class, () -> Linux.openat2(rootFd.get(), "link", Linux.O_RDONLY, 0, resolve));
            assertEquals(Errno.EXDEV, link.errno());
            assertArrayEquals(
                    dir.resolve("outside").toString().getBytes(StandardCharsets.UTF_8),
                    Linux.readlinkat(rootFd.get(), "link"));
        }
    }

    @Test
    void fdClosesOnce() throws Exception {
        Fd fd = Linux.open("/dev/null", Linux.O_RDONLY, 0);
        int number = fd.get();
        fd.close();
        fd.close();
        assertFalse(fd.isOpen());
        // The number is free again: a new open may reuse it, and must not be closed by the old Fd.
        try (Fd again = Linux.open("/dev/null", Linux.O_RDONLY, 0)) {
            fd.close();
            assertTrue(Linux.fstat(again.get()) != null);
            assertEquals(number, again.get());
        }
    }

    /**
     * The descriptors of the kinds these tests pass (sockets and /dev/null) this process has open
     * now. Only those: the JVM may open a descriptor of its own (a jar, a random source) meanwhile.
     */
    private static long openDescriptors() throws java.io.IOException {
        try (Stream<Path> open = Files.list(Path.of("/proc/self/fd"))) {
            return open.filter(SeqPacketSocketTest::isPassedKind).count();
        }
    }

    private static boolean isPassedKind(Path fd) {
        try {
            String target = Files.readSymbolicLink(fd).toString();
            return target.equals("/dev/null") || target.startsWith("socket:");
        } catch (java.io.IOException closedMeanwhile) {
            return false; // the listing's own descriptor, or one another thread closed
        }
    }

    private static Fd[] openDevNull(int count) throws ErrnoException {
        Fd[] opened = new Fd[count];
        for (int i = 0; i < count; i++) {
            opened[i] = Linux.open("/dev/null", Linux.O_RDONLY, 0);
        }
        return opened;
    }

    private static void closeAll(Fd[] descriptors) {
        for (Fd fd : descriptors) {
            fd.close();
        }
    }

    /**
     * Sends {@code payload} with every one of {@code passed} in one SCM_RIGHTS control message,
     * which {@link SeqPacketSocket#send} never does (it passes one at most): what a peer that
     * does not follow the protocol could send.
     */
    private static void sendRaw(Fd socket, byte[] payload, Fd... passed) throws ErrnoException {
        int rightsLength = Integer.BYTES * passed.length;
        int vectorAt = MessageHeader.SIZE;
        int controlAt = vectorAt + IoVector.SIZE;
        int payloadAt = controlAt + ControlMessage.space(rightsLength);
        Pointer memory = Linux.allocate(payloadAt + payload.length);
        memory.put(payloadAt, payload, 0, payload.length);
        long rights =
                ControlMessage.put(memory, controlAt, SocketCalls.SOL_SOCKET, SocketCalls.SCM_RIGHTS, rightsLength);
        for (int i = 0; i < passed.length; i++) {
            memory.putInt(rights + (long) Integer.BYTES * i, passed[i].get());
        }
        IoVector vector = new IoVector(memory, vectorAt);
        vector.set(memory.address() + payloadAt, payload.length);
        MessageHeader header = new MessageHeader(memory, 0);
        header.set(vector.address(), 1, memory.address() + controlAt, ControlMessage.space(rightsLength));
        assertEquals(payload.length, SocketCalls.sendmsg(socket.get(), header, SocketCalls.MSG_NOSIGNAL));
    }
}
