package dev.airlock.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import org.junit.jupiter.api.Test;

class ErrnoTest {

    @Test
    void wordsErrnosAsGlibc() {
        assertEquals("Operation not permitted", Errno.message(1));
        assertEquals("No such file or directory", Errno.message(2));
        assertEquals("Permission denied", Errno.message(13));
        assertEquals("Is a directory", Errno.message(21));
        assertEquals("Too many levels of symbolic links", Errno.message(40));
        assertEquals("Unknown error 41", Errno.message(41));
        assertEquals("Disk quota exceeded", Errno.message(122));
        assertEquals("Memory page has hardware error", Errno.message(133));
    }

    @Test
    void numbersOutsideTheTableAreUnknownAsGlibcSays() {
        assertEquals("Unknown error 134", Errno.message(134));
        assertEquals("Unknown error -1", Errno.message(-1));
        assertEquals("Unknown error 0", Errno.message(0));
    }

    @Test
    void theBridgeGetsACopyIndexedByErrno() {
        String[] table = Errno.messages();
        assertEquals(134, table.length);
        assertEquals("Read-only file system", table[30]);
        assertNotSame(table, Errno.messages());
    }
}
