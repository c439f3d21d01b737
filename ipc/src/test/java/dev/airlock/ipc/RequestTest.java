package dev.airlock.ipc;

import static dev.airlock.ipc.MessageCodecTest.bytes;
import static dev.airlock.ipc.MessageCodecTest.path;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RequestTest {
    @Test
    void openKeepsEveryField() {
        Request r = Request.open(-7, bytes("/data/x"), 0x241, 0640, true);
        assertEquals(-7, r.id());
        assertEquals(Message.OPEN, r.type());
        assertArrayEquals(bytes("/data/x"), r.path());
        assertEquals(0x241, r.openFlags());
        assertEquals(0640, r.mode());
        assertEquals(true, r.refuseDirectory());
    }

    @Test
    void pathIsCopiedOnTheWayInAndOut() {
        byte[] path = bytes("/a/b");
        Request r = Request.open(1, path, 0, 0, false);
        path[1] = 'z';
        assertArrayEquals(bytes("/a/b"), r.path());
        byte[] out = r.path();
        out[1] = 'z';
        assertArrayEquals(bytes("/a/b"), r.path());
        assertNotSame(r.path(), r.path());
    }

    @Test
    void pathLimitsAreTheDecodersLimits() {
        Request.open(1, bytes("/"), 0, 0, false);
        Request.open(1, path(Message.MAX_PATH_LENGTH), 0, 0, false);
        assertEquals("path length 4097 out of range 1..4096", refused(path(Message.MAX_PATH_LENGTH + 1), 0).getMessage());
        assertEquals("path length 0 out of range 1..4096", refused(new byte[0], 0).getMessage());
    }

    @Test
    void relativePathIsRefused() {
        assertEquals("path is not absolute (first byte 0x2e, expected '/')", refused(bytes("./x"), 0).getMessage());
    }

    @Test
    void nulInPathIsRefused() {
        assertEquals("path contains NUL at byte 4", refused(bytes("/etc\u0000/passwd"), 0).getMessage());
        assertEquals("path contains NUL at byte 1", refused(new byte[] {'/', 0}, 0).getMessage());
    }

    @Test
    void modeIsLimitedToPermissionAndSpecialBits() {
        assertEquals(07777, Request.open(1, bytes("/x"), 0, 07777, false).mode());
        assertEquals("mode 010000 out of range 0..07777", refused(bytes("/x"), 010000).getMessage());
        assertEquals("mode 037777777777 out of range 0..07777", refused(bytes("/x"), -1).getMessage());
    }

    @Test
    void nullPathIsRefused() {
        assertThrows(NullPointerException.class, () -> Request.open(1, null, 0, 0, false));
    }

    @Test
    void equalityIsByValue() {
        Request a = Request.open(1, bytes("/x"), 2, 3, true);
        assertEquals(a, Request.open(1, bytes("/x"), 2, 3, true));
        assertEquals(a.hashCode(), Request.open(1, bytes("/x"), 2, 3, true).hashCode());
        assertNotEquals(a, Request.open(2, bytes("/x"), 2, 3, true));
        assertNotEquals(a, Request.open(1, bytes("/y"), 2, 3, true));
        assertNotEquals(a, Request.open(1, bytes("/x"), 0, 3, true));
        assertNotEquals(a, Request.open(1, bytes("/x"), 2, 0, true));
        assertNotEquals(a, Request.open(1, bytes("/x"), 2, 3, false));
    }

    @Test
    void toStringEscapesBytesThatCouldForgeLogLines() {
        Request r = Request.open(-1, new byte[] {'/', 'a', '\n', '\\', (byte) 0xc3, (byte) 0xa9}, 0x41, 0644, true);
        assertEquals("OPEN #4294967295 /a\\x0a\\x5c\\xc3\\xa9 flags=0x41 mode=0644 refuseDirectory", r.toString());
    }

    private static IllegalArgumentException refused(byte[] path, int mode) {
        return assertThrows(IllegalArgumentException.class, () -> Request.open(1, path, 0, mode, false));
    }
}
