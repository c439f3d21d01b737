package dev.airlock.ipc;

import static dev.airlock.ipc.MessageCodecTest.bytes;
import static dev.airlock.ipc.MessageCodecTest.path;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RequestTest {
    @Test
    void openKeepsEveryField() {
        Request.Open r = new Request.Open(RequestPath.of(bytes("/data/x")), 0x241, 0640, true);
        assertEquals(Operation.OPEN, r.operation());
        assertArrayEquals(bytes("/data/x"), r.path().bytes());
        assertEquals(0x241, r.openFlags());
        assertEquals(0640, r.mode());
        assertEquals(true, r.refuseDirectory());
    }

    @Test
    void pathIsCopiedOnTheWayInAndOut() {
        byte[] path = bytes("/a/b");
        RequestPath p = RequestPath.of(path);
        path[1] = 'z';
        assertArrayEquals(bytes("/a/b"), p.bytes());
        byte[] out = p.bytes();
        out[1] = 'z';
        assertArrayEquals(bytes("/a/b"), p.bytes());
        assertNotSame(p.bytes(), p.bytes());
    }

    @Test
    void pathLimitsAreTheDecodersLimits() {
        RequestPath.of(bytes("/"));
        RequestPath.of(path(Message.MAX_PATH_LENGTH));
        assertEquals(
                "path length 4097 out of range 1..4096",
                refused(path(Message.MAX_PATH_LENGTH + 1)).getMessage());
        assertEquals("path length 0 out of range 1..4096", refused(new byte[0]).getMessage());
    }

    @Test
    void relativePathIsRefused() {
        assertEquals(
                "path is not absolute (first byte 0x2e, expected '/')",
                refused(bytes("./x")).getMessage());
    }

    @Test
    void nulInPathIsRefused() {
        assertEquals(
                "path contains NUL at byte 4",
                refused(bytes("/etc\u0000/passwd")).getMessage());
        assertEquals("path contains NUL at byte 1", refused(new byte[] {'/', 0}).getMessage());
    }

    @Test
    void modeIsLimitedToPermissionAndSpecialBits() {
        RequestPath x = RequestPath.of("/x");
        assertEquals(07777, new Request.Open(x, 0, 07777, false).mode());
        assertEquals(
                "mode 010000 out of range 0..07777",
                assertThrows(IllegalArgumentException.class, () -> new Request.Open(x, 0, 010000, false))
                        .getMessage());
        assertEquals(
                "mode 037777777777 out of range 0..07777",
                assertThrows(IllegalArgumentException.class, () -> new Request.MakeDirectory(x, -1))
                        .getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Request.ChangeMode(x, 0100644, false));
    }

    /** The one place a caller's st_mode is cut: what Files.copy passes (file type bits) becomes a mode the records take. */
    @Test
    void permissionBitsCutAWholeStatModeToWhatARequestCarries() {
        assertEquals(0644, Request.permissionBits(0100644));
        assertEquals(04755, Request.permissionBits(0104755));
        assertEquals(01777, Request.permissionBits(041777));
        assertEquals(07777, Request.permissionBits(-1));
        assertEquals(0644, new Request.Open(RequestPath.of("/x"), 0, Request.permissionBits(0100644), false).mode());
    }

    @Test
    void nullPathIsRefused() {
        assertThrows(NullPointerException.class, () -> RequestPath.of((byte[]) null));
        assertThrows(NullPointerException.class, () -> new Request.Open(null, 0, 0, false));
        assertThrows(NullPointerException.class, () -> new Request.Rename(RequestPath.of("/a"), null, false));
        assertThrows(NullPointerException.class, () -> new Request.Remove(RequestPath.of("/a"), null));
    }

    @Test
    void equalityIsByValue() {
        RequestPath x = RequestPath.of("/x");
        Request a = new Request.Open(x, 2, 3, true);
        assertEquals(a, new Request.Open(RequestPath.of(bytes("/x")), 2, 3, true));
        assertEquals(a.hashCode(), new Request.Open(RequestPath.of("/x"), 2, 3, true).hashCode());
        assertNotEquals(a, new Request.Open(RequestPath.of("/y"), 2, 3, true));
        assertNotEquals(a, new Request.Open(x, 0, 3, true));
        assertNotEquals(a, new Request.Open(x, 2, 0, true));
        assertNotEquals(a, new Request.Open(x, 2, 3, false));
        assertNotEquals(a, new Request.Stat(x, true));
        assertNotEquals(new Envelope<>(1, a), new Envelope<>(2, a));
    }

    @Test
    void toStringEscapesBytesThatCouldForgeLogLines() {
        Request r = new Request.Open(
                RequestPath.of(new byte[] {'/', 'a', '\n', '\\', (byte) 0xc3, (byte) 0xa9}), 0x41, 0644, true);
        assertEquals("OPEN /a\\x0a\\x5c\\xc3\\xa9 flags=0x41 mode=0644 refuseDirectory", r.toString());
        assertEquals(
                "#4294967295 OPEN /a\\x0a\\x5c\\xc3\\xa9 flags=0x41 mode=0644 refuseDirectory",
                new Envelope<>(-1, r).toString());
        assertEquals(
                "SYMLINK /l -> ..\\x0a",
                new Request.SymbolicLink(RequestPath.of("/l"), LinkTarget.of("..\n")).toString());
    }

    /** One record per operation, each answering its own operation; the wire codes are distinct and TRUNCATE's is gone. */
    @Test
    void everyOperationHasItsRecord() {
        RequestPath p = RequestPath.of("/p");
        List<Request> one = List.of(
                new Request.Open(p, 0, 0, false),
                new Request.Stat(p, false),
                new Request.Access(p, 0),
                new Request.ReadLink(p),
                new Request.MakeDirectory(p, 0),
                new Request.Remove(p, Request.RemoveKind.FILE),
                new Request.Rename(p, p, false),
                new Request.Link(p, p),
                new Request.SymbolicLink(p, LinkTarget.of("t")),
                new Request.ChangeMode(p, 0, false),
                new Request.SetTimes(p, 0, 0, false),
                new Request.Watch(p, 0x100, new HelperDescriptor(4)),
                new Request.Connect(InetEndpoint.of(new byte[] {127, 0, 0, 1}, 80, 0), new HelperDescriptor(5)),
                new Request.Bind(InetEndpoint.of(new byte[16], 0, 0), 50, new HelperDescriptor(6)),
                new Request.Resolve("db.example.com"),
                new Request.ReverseResolve(HostAddress.of(new byte[] {127, 0, 0, 1}, 0)),
                new Request.Datagram(Request.Family.INET6),
                new Request.SendDatagram(
                        InetEndpoint.of(new byte[] {127, 0, 0, 1}, 53, 0),
                        DatagramPayload.of(new byte[] {1}),
                        new HelperDescriptor(7)));
        Set<Operation> seen = EnumSet.noneOf(Operation.class);
        for (Request r : one) {
            assertTrue(seen.add(r.operation()), r.toString());
            assertEquals(r instanceof Request.FileRequest, r.operation().hasPath(), r.toString());
            if (r instanceof Request.FileRequest file) {
                assertEquals(p, file.path());
            }
            assertEquals(r.operation(), Operation.ofCode(r.operation().code()));
        }
        assertEquals(EnumSet.allOf(Operation.class), seen);
        assertEquals(null, Operation.ofCode(0x0C), "TRUNCATE's code is not reused");
        assertEquals(null, Operation.ofCode(-1));
        assertEquals(null, Operation.ofCode(256));
        for (Operation o : Operation.values()) {
            boolean carries = o == Operation.WATCH
                    || o == Operation.CONNECT
                    || o == Operation.BIND
                    || o == Operation.SEND_DATAGRAM;
            assertEquals(carries, o.body().contains(Operation.Field.DESCRIPTOR), o.name());
            if (carries) {
                assertEquals(Operation.Field.DESCRIPTOR, o.body().get(o.body().size() - 1), o.name() + ": last");
            }
        }
        for (Request r : one) {
            assertEquals(r.operation().body().contains(Operation.Field.DESCRIPTOR), r instanceof Request.Carrying);
        }
        assertThrows(IllegalArgumentException.class, () -> new HelperDescriptor(-1));
        assertThrows(
                NullPointerException.class,
                () -> new Request.Connect(InetEndpoint.of(new byte[] {127, 0, 0, 1}, 80, 0), null));
    }

    @Test
    void successShapesAdmitExactlyTheirKinds() {
        Reply.Success done = new Reply.Done();
        Reply.Success descriptor = new Reply.Descriptor();
        Reply.Success data = new Reply.Data(new byte[0]);
        Reply.Success watch = new Reply.WatchDescriptor(1);
        assertTrue(Operation.OPEN.success().admits(descriptor));
        assertTrue(!Operation.OPEN.success().admits(done));
        assertTrue(Operation.STAT.success().admits(descriptor));
        assertTrue(!Operation.STAT.success().admits(data));
        assertTrue(Operation.READLINK.success().admits(data));
        assertTrue(!Operation.READLINK.success().admits(done));
        assertTrue(Operation.MKDIR.success().admits(done));
        assertTrue(!Operation.MKDIR.success().admits(descriptor));
        assertTrue(Operation.WATCH.success().admits(watch));
        assertTrue(!Operation.WATCH.success().admits(done));
    }

    private static IllegalArgumentException refused(byte[] path) {
        return assertThrows(IllegalArgumentException.class, () -> RequestPath.of(path));
    }
}
