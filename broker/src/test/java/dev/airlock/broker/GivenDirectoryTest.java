package dev.airlock.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.unix.Linux;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --tmp DIR} and {@code --home DIR}: an existing directory the helper's user can use, answered as its real path. */
class GivenDirectoryTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void bind() {
        Linux.load();
    }

    private static final Confinement.Identity OWNER = new Confinement.Identity(1000, 1000, Optional.empty());

    @Test
    void theModeClassThatAppliesMustGiveReadWriteAndSearch() {
        assertTrue(GivenDirectory.permits(1000, 5, 0700, OWNER));
        assertFalse(GivenDirectory.permits(1000, 5, 0500, OWNER));
        assertFalse(GivenDirectory.permits(1000, 1000, 0077, OWNER), "the owner's class applies to the owner");
        assertTrue(GivenDirectory.permits(0, 1000, 0770, OWNER));
        assertTrue(GivenDirectory.permits(0, 0, 01777, OWNER));
        assertFalse(GivenDirectory.permits(0, 0, 0755, OWNER));
    }

    @Test
    void aMissingDirectoryAFileOrOneTheHelperCannotWriteIsAUsageError() throws Exception {
        Confinement.Identity self = Confinement.Identity.keep(Linux.getuid(), Linux.getgid());
        Path link = Files.createSymbolicLink(dir.resolve("link"), dir);
        assertEquals(dir.toRealPath(), GivenDirectory.check("--home", link, self), "its real path");
        AirlockException missing =
                assertThrows(AirlockException.class, () -> GivenDirectory.check("--tmp", dir.resolve("gone"), self));
        assertEquals(ExitCodes.USAGE, missing.exitCode());
        assertEquals("--tmp " + dir.resolve("gone") + ": no such directory", missing.getMessage());
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertEquals(
                "--home " + file + ": not a directory",
                assertThrows(AirlockException.class, () -> GivenDirectory.check("--home", file, self))
                        .getMessage());
        Confinement.Identity stranger = new Confinement.Identity(65533, 65533, Optional.empty());
        AirlockException foreign =
                assertThrows(AirlockException.class, () -> GivenDirectory.check("--home", dir, stranger));
        assertTrue(foreign.getMessage().contains("cannot read and write it"), foreign.getMessage());
    }
}
