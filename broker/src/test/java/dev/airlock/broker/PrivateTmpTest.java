package dev.airlock.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.unix.Linux;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The private temporary directory on a real file system: made fresh and private, given to its
 * user by descriptor, and removed with everything the program left in it, never following what it
 * planted (links to files and directories outside, a directory it made unreadable), never touching
 * anything outside, even when its own name was swapped for a link.
 */
class PrivateTmpTest {
    @TempDir
    Path parent;

    @TempDir
    Path outside;

    @BeforeAll
    static void bind() {
        Linux.load();
    }

    @Test
    void madeFreshAndPrivateAndRemovedWhole() throws Exception {
        PrivateTmp tmp = PrivateTmp.create(parent, Optional.empty());
        PrivateTmp other = PrivateTmp.create(parent, Optional.empty());
        try {
            Path dir = tmp.path();
            assertEquals(parent, dir.getParent());
            assertTrue(dir.getFileName().toString().matches("airlock-[a-z0-9]{12}"), dir.toString());
            assertFalse(dir.equals(other.path()), "each run its own");
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
            assertEquals(Linux.getuid(), (Integer) Files.getAttribute(dir, "unix:uid"));

            Files.writeString(dir.resolve("f"), "x");
            Files.createDirectories(dir.resolve("a/b/c"));
            Files.writeString(dir.resolve("a/b/c/g"), "y");
            assertEquals(List.of(), tmp.remove());
            assertFalse(Files.exists(dir, LinkOption.NOFOLLOW_LINKS));
            assertEquals(List.of(), tmp.remove(), "once");
            assertTrue(Files.isDirectory(other.path()), "another run's is not touched");
        } finally {
            tmp.close();
            other.remove();
            other.close();
        }
    }

    @Test
    void whatTheProgramPlantedIsRemovedWithoutFollowingIt() throws Exception {
        Path secret = Files.writeString(outside.resolve("secret"), "keep me");
        Path secretDir = Files.createDirectories(outside.resolve("dir"));
        Files.writeString(secretDir.resolve("inner"), "keep me too");
        PrivateTmp tmp = PrivateTmp.create(parent, Optional.empty());
        try {
            Path dir = tmp.path();
            Files.createSymbolicLink(dir.resolve("to-file"), secret);
            Files.createSymbolicLink(dir.resolve("to-dir"), secretDir);
            Files.createDirectories(dir.resolve("deep/er"));
            Files.createSymbolicLink(dir.resolve("deep/er/to-dir"), secretDir);
            Files.createSymbolicLink(dir.resolve("deep/to-parent"), Path.of(".."));
            Files.createLink(dir.resolve("hard"), Files.writeString(outside.resolve("linked"), "linked"));
            // A directory its owner made unreadable and unwritable, with something in it.
            Path locked = Files.createDirectories(dir.resolve("locked"));
            Files.writeString(locked.resolve("inside"), "z");
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));

            assertEquals(List.of(), tmp.remove());
            assertFalse(Files.exists(dir, LinkOption.NOFOLLOW_LINKS));
            assertEquals("keep me", Files.readString(secret));
            assertEquals("keep me too", Files.readString(secretDir.resolve("inner")));
            assertEquals("linked", Files.readString(outside.resolve("linked")));
        } finally {
            tmp.close();
        }
    }

    @Test
    void aNameSwappedForALinkLeadsNowhere() throws Exception {
        Path victim = Files.createDirectories(outside.resolve("victim"));
        Files.writeString(victim.resolve("file"), "keep me");
        PrivateTmp tmp = PrivateTmp.create(parent, Optional.empty());
        try {
            Path dir = tmp.path();
            Files.writeString(dir.resolve("mine"), "x");
            Path moved = Files.move(dir, parent.resolve("moved-away"));
            Files.createSymbolicLink(dir, victim);

            List<String> left = tmp.remove();
            assertEquals(1, left.size(), left.toString());
            assertTrue(left.get(0).contains("no longer names it"), left.toString());
            assertEquals("keep me", Files.readString(victim.resolve("file")), "the link's target is untouched");
            assertTrue(Files.isSymbolicLink(dir), "the name that is no longer its own is left as it is");
            assertFalse(Files.exists(moved.resolve("mine")), "its own contents went, by its descriptor");
        } finally {
            tmp.close();
        }
    }

    @Test
    void aParentOthersCanWriteWithoutTheStickyBitIsRefused() throws Exception {
        Path open = Files.createDirectories(parent.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        AirlockException refused =
                assertThrows(AirlockException.class, () -> PrivateTmp.create(open, Optional.empty()));
        assertTrue(refused.getMessage().contains("writable by others but not sticky"), refused.getMessage());
        try (var entries = Files.list(open)) {
            assertEquals(0, entries.count(), "nothing made there");
        }
    }

    @Test
    void asRootItIsGivenToTheHelpersUserByDescriptor() throws Exception {
        Assumptions.assumeTrue(Linux.getuid() == 0, "needs root: only root gives a directory to another user");
        Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxr-xr-x"));
        PrivateTmp tmp = PrivateTmp.create(parent, Optional.of(new UserAccount("nobody", 65534, 65534)));
        try {
            assertEquals(65534, (Integer) Files.getAttribute(tmp.path(), "unix:uid"));
            assertEquals(65534, (Integer) Files.getAttribute(tmp.path(), "unix:gid"));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.path())));
            Files.writeString(tmp.path().resolve("f"), "x");
            assertEquals(List.of(), tmp.remove());
            assertFalse(Files.exists(tmp.path()));
        } finally {
            tmp.close();
        }
    }
}
