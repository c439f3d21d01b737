package dev.airlock.ipc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeqPacketSocketTest {
    @TempDir
    Path dir;

    @Test
    void passesDescriptorAndKernelCredentials() throws Exception {
        Path file = dir.resolve("passed.txt");
        Files.writeString(file, "through the socket");
        Fd[] pair = Linux.seqpacketPair();
        try (SeqPacketSocket a = new SeqPacketSocket(pair[0]); SeqPacketSocket b = new SeqPacketSocket(pair[1]);
                Fd opened = Linux.open(file.toString(), Linux.O_RDONLY, 0)) {
            Linux.enablePassCred(b.fd().get());
            ByteBuffer out = ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII));
            a.send(out, 5, opened);
            ByteBuffer in = ByteBuffer.allocate(SeqPacketSocket.MAX_MESSAGE + 1);
            SeqPacketSocket.Received received = b.receive(in);
            assertNotNull(received);
            assertEquals(5, received.length());
            assertFalse(received.truncated());
            assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), java.util.Arrays.copyOf(in.array(), 5));
            assertEquals(new Credentials(Linux.getpid(), Linux.getuid(), Linux.getgid()), received.sender());
            assertEquals(1, received.descriptors().length);
            Fd passed = received.descriptors()[0];
            assertTrue(passed.get() != opened.get(), "a passed descriptor is a new number");
            assertEquals(Linux.fstat(opened.get()).size(), Linux.fstat(passed.get()).size());
            passed.close();
        }
    }

    @Test
    void oversizeMessageIsReportedTruncated() throws Exception {
        Fd[] pair = Linux.seqpacketPair();
        try (SeqPacketSocket a = new SeqPacketSocket(pair[0]); SeqPacketSocket b = new SeqPacketSocket(pair[1])) {
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
        try (SeqPacketSocket b = new SeqPacketSocket(pair[1])) {
            pair[0].close();
            assertNull(b.receive(ByteBuffer.allocate(64)));
        }
    }

    @Test
    void peerCredentialsOfAPairNameItsCreator() throws Exception {
        Fd[] pair = Linux.seqpacketPair();
        try (Fd a = pair[0]; Fd b = pair[1]) {
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
            ErrnoException up = org.junit.jupiter.api.Assertions.assertThrows(ErrnoException.class,
                    () -> Linux.openat2(rootFd.get(), "../outside", Linux.O_RDONLY, 0, resolve));
            assertEquals(Errno.EXDEV, up.errno());
            assertEquals("openat2(../outside) failed: EXDEV (Invalid cross-device link)", up.getMessage());
            ErrnoException link = org.junit.jupiter.api.Assertions.assertThrows(ErrnoException.class,
                    () -> Linux.openat2(rootFd.get(), "link", Linux.O_RDONLY, 0, resolve));
            assertEquals(Errno.EXDEV, link.errno());
            assertArrayEquals(dir.resolve("outside").toString().getBytes(StandardCharsets.UTF_8), Linux.readlinkat(rootFd.get(), "link"));
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
}
