package dev.airlock.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import org.junit.jupiter.api.Test;

class ErrnoTest {

    @Test
    void wordsErrnosAsGlibc() {
        assertEquals("Operation not permitted", Errno.description(1));
        assertEquals("No such file or directory", Errno.description(2));
        assertEquals("Permission denied", Errno.description(13));
        assertEquals("Is a directory", Errno.description(21));
        assertEquals("Too many levels of symbolic links", Errno.description(40));
        assertEquals("Unknown error 41", Errno.description(41));
        assertEquals("Disk quota exceeded", Errno.description(122));
        assertEquals("Memory page has hardware error", Errno.description(133));
    }

    @Test
    void numbersOutsideTheTableAreUnknownAsGlibcSays() {
        assertEquals("Unknown error 134", Errno.description(134));
        assertEquals("Unknown error -1", Errno.description(-1));
        assertEquals("Unknown error 0", Errno.description(0));
    }

    @Test
    void namesTheErrnosAirlockActsOn() {
        assertEquals("ENOTSOCK", Errno.name(Errno.ENOTSOCK));
        assertEquals("EACCES", Errno.name(13));
        assertEquals("errno 41", Errno.name(41));
    }

    @Test
    void theBridgeGetsACopyIndexedByErrno() {
        String[] table = Errno.descriptions();
        assertEquals(134, table.length);
        assertEquals("Read-only file system", table[30]);
        assertNotSame(table, Errno.descriptions());
    }
}
