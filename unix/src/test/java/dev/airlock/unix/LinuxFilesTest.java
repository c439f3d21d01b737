package dev.airlock.unix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The name-based and descriptor-based file calls the broker makes, against real files: that each
 * does what its system call does, reports the kernel's errno with the call's name, and works on
 * the {@code O_PATH} descriptors the broker resolves.
 */
class LinuxFilesTest {
    @TempDir
    Path dir;

    private Fd openDirectory() throws ErrnoException {
        return Linux.open(dir.toString(), Linux.O_PATH | Linux.O_DIRECTORY, 0);
    }

    @Test
    void mkdiratUnlinkatAndRmdir() throws Exception {
        try (Fd d = openDirectory()) {
            Linux.mkdirat(d.get(), "sub", 0750);
            assertTrue(Files.isDirectory(dir.resolve("sub")));
            ErrnoException again = assertThrows(ErrnoException.class, () -> Linux.mkdirat(d.get(), "sub", 0750));
            assertEquals(Errno.EEXIST, again.errno());
            assertEquals("mkdirat(sub) failed: EEXIST (File exists)", again.getMessage());
            assertEquals(
                    Errno.EISDIR,
                    assertThrows(ErrnoException.class, () -> Linux.unlinkat(d.get(), "sub", 0))
                            .errno());
            Linux.unlinkat(d.get(), "sub", Linux.AT_REMOVEDIR);
            assertFalse(Files.exists(dir.resolve("sub")));
            Files.writeString(dir.resolve("f"), "x");
            Linux.unlinkat(d.get(), "f", 0);
            assertFalse(Files.exists(dir.resolve("f")));
            ErrnoException missing =
                    assertThrows(ErrnoException.class, () -> Linux.unlinkat(d.get(), "f", Linux.AT_REMOVEDIR));
            assertEquals("rmdir(f) failed: ENOENT (No such file or directory)", missing.getMessage());
        }
    }

    @Test
    void namesAreUtf8WhateverTheDefaultCharset() throws Exception {
        try (Fd d = openDirectory()) {
            Linux.mkdirat(d.get(), "répertoire-日本", 0755);
            assertTrue(Files.isDirectory(dir.resolve("répertoire-日本")));
        }
    }

    @Test
    void renameat2ReplacesOrNot() throws Exception {
        Files.writeString(dir.resolve("a"), "A");
        Files.writeString(dir.resolve("b"), "B");
        try (Fd d = openDirectory()) {
            ErrnoException refused = assertThrows(
                    ErrnoException.class, () -> Linux.renameat2(d.get(), "a", d.get(), "b", Linux.RENAME_NOREPLACE));
            assertEquals(Errno.EEXIST, refused.errno());
            assertEquals("B", Files.readString(dir.resolve("b")));
            Linux.renameat2(d.get(), "a", d.get(), "b", 0);
            assertEquals("A", Files.readString(dir.resolve("b")));
            assertFalse(Files.exists(dir.resolve("a")));
        }
    }

    @Test
    void linkatAndSymlinkatKeepTargetBytes() throws Exception {
        Files.writeString(dir.resolve("file"), "content");
        byte[] target = {'n', 'o', (byte) 0xff, 't', '-', 'u', 't', 'f', '8'};
        try (Fd d = openDirectory()) {
            Linux.linkat(d.get(), "file", d.get(), "hard", 0);
            assertEquals(
                    Files.getAttribute(dir.resolve("file"), "unix:ino"),
                    Files.getAttribute(dir.resolve("hard"), "unix:ino"));
            Linux.symlinkat(target, d.get(), "soft");
            assertArrayEquals(target, Linux.readlinkat(d.get(), "soft"));
            // A link to a directory is refused by the kernel, whoever asks.
            Files.createDirectory(dir.resolve("sub"));
            assertEquals(
                    Errno.EPERM,
                    assertThrows(ErrnoException.class, () -> Linux.linkat(d.get(), "sub", d.get(), "sub2", 0))
                            .errno());
        }
    }

    @Test
    void readlinkOfAnOpathDescriptor() throws Exception {
        Files.createSymbolicLink(dir.resolve("link"), Path.of("somewhere"));
        Files.writeString(dir.resolve("file"), "x");
        try (Fd d = openDirectory();
                Fd link = Linux.openat2(
                        d.get(),
                        "link",
                        Linux.O_PATH | Linux.O_NOFOLLOW,
                        0,
                        Linux.RESOLVE_BENEATH | Linux.RESOLVE_NO_SYMLINKS);
                Fd file = Linux.openat2(d.get(), "file", Linux.O_PATH, 0, Linux.RESOLVE_BENEATH)) {
            assertTrue(
                    Linux.fstat(link.get()).isSymbolicLink(),
                    "O_PATH|O_NOFOLLOW with RESOLVE_NO_SYMLINKS names the link itself");
            assertArrayEquals("somewhere".getBytes(StandardCharsets.US_ASCII), Linux.readlinkat(link.get(), ""));
            // Kernel behaviour the broker relies on: on anything but a link the empty path says ENOENT.
            assertEquals(
                    Errno.ENOENT,
                    assertThrows(ErrnoException.class, () -> Linux.readlinkat(file.get(), ""))
                            .errno());
        }
    }

    @Test
    void fchownGivesTheOpenFileAwayAndRefusesAnOpathDescriptor() throws Exception {
        Files.createDirectory(dir.resolve("sub"));
        int uid = Linux.getuid();
        int gid = Linux.getgid();
        try (Fd d = openDirectory();
                Fd sub = Linux.openat2(d.get(), "sub", Linux.O_RDONLY | Linux.O_DIRECTORY, 0, Linux.RESOLVE_BENEATH);
                Fd path = Linux.openat2(d.get(), "sub", Linux.O_PATH, 0, Linux.RESOLVE_BENEATH)) {
            // To its own ids any user may; to another uid only root (EPERM otherwise).
            Linux.fchown(sub.get(), uid, gid);
            assertEquals(uid, Linux.fstat(sub.get()).uid());
            if (uid == 0) {
                Linux.fchown(sub.get(), 65534, 65534);
                assertEquals(65534, Linux.fstat(sub.get()).uid());
            } else {
                assertEquals(
                        Errno.EPERM,
                        assertThrows(ErrnoException.class, () -> Linux.fchown(sub.get(), 0, 0))
                                .errno());
            }
            assertEquals(
                    Errno.EBADF,
                    assertThrows(ErrnoException.class, () -> Linux.fchown(path.get(), uid, gid))
                            .errno(),
                    "an O_PATH descriptor cannot change its file");
        }
    }

    @Test
    void chmodOfAnOpathDescriptorAndOfALink() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        Files.createSymbolicLink(dir.resolve("link"), Path.of("file"));
        try (Fd d = openDirectory();
                Fd f = Linux.openat2(d.get(), "file", Linux.O_PATH, 0, Linux.RESOLVE_BENEATH);
                Fd l = Linux.openat2(d.get(), "link", Linux.O_PATH | Linux.O_NOFOLLOW, 0, Linux.RESOLVE_BENEATH)) {
            Linux.chmodDescriptor(f.get(), 0604);
            assertEquals(0604, Linux.fstat(f.get()).mode() & 07777);
            ErrnoException onLink = assertThrows(ErrnoException.class, () -> Linux.chmodDescriptor(l.get(), 0600));
            assertEquals(Errno.EOPNOTSUPP, onLink.errno(), "Linux links have no mode of their own");
            assertEquals(
                    Errno.EOPNOTSUPP,
                    assertThrows(
                                    ErrnoException.class,
                                    () -> Linux.fchmodat2(
                                            Linux.AT_FDCWD,
                                            dir.resolve("link").toString(),
                                            0600,
                                            Linux.AT_SYMLINK_NOFOLLOW))
                            .errno());
            Linux.fchmodat2(Linux.AT_FDCWD, file.toString(), 0640, 0);
            assertEquals(0640, Linux.fstat(f.get()).mode() & 07777);
        }
    }

    @Test
    void utimensatOnOpathDescriptorsOmitsAndTakesNegativeTimes() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        Files.createSymbolicLink(dir.resolve("link"), Path.of("file"));
        try (Fd d = openDirectory();
                Fd f = Linux.openat2(d.get(), "file", Linux.O_PATH, 0, Linux.RESOLVE_BENEATH);
                Fd l = Linux.openat2(d.get(), "link", Linux.O_PATH | Linux.O_NOFOLLOW, 0, Linux.RESOLVE_BENEATH)) {
            Linux.utimensat(f.get(), "", 1_000_000_000_123L, -1_500_000_000L, Linux.AT_EMPTY_PATH);
            assertEquals(
                    FileTime.from(1_000_000_000_123L, TimeUnit.NANOSECONDS),
                    Files.getAttribute(file, "lastAccessTime"));
            assertEquals(FileTime.from(-1_500_000_000L, TimeUnit.NANOSECONDS), Files.getLastModifiedTime(file));
            Linux.utimensat(f.get(), "", Linux.TIME_OMIT, 7_000_000_000L, Linux.AT_EMPTY_PATH);
            assertEquals(
                    FileTime.from(1_000_000_000_123L, TimeUnit.NANOSECONDS),
                    Files.getAttribute(file, "lastAccessTime"));
            assertEquals(FileTime.from(7, TimeUnit.SECONDS), Files.getLastModifiedTime(file));
            // On a descriptor of a link: the link's own times, the file's stay.
            Linux.utimensat(l.get(), "", Linux.TIME_OMIT, 3_000_000_000L, Linux.AT_EMPTY_PATH);
            assertEquals(
                    FileTime.from(3, TimeUnit.SECONDS),
                    Files.getLastModifiedTime(dir.resolve("link"), LinkOption.NOFOLLOW_LINKS));
            assertEquals(FileTime.from(7, TimeUnit.SECONDS), Files.getLastModifiedTime(file));
        }
    }

    @Test
    void faccessat2OnAnOpathDescriptor() throws Exception {
        Files.writeString(dir.resolve("file"), "x");
        try (Fd d = openDirectory();
                Fd f = Linux.openat2(d.get(), "file", Linux.O_PATH, 0, Linux.RESOLVE_BENEATH)) {
            Linux.chmodDescriptor(f.get(), 0644);
            Linux.faccessat2(f.get(), "", Linux.R_OK | Linux.W_OK, Linux.AT_EMPTY_PATH | Linux.AT_EACCESS);
            Linux.faccessat2(f.get(), "", Linux.F_OK, Linux.AT_EMPTY_PATH | Linux.AT_EACCESS);
            // Not even root may execute a file without any execute bit.
            ErrnoException noExec = assertThrows(
                    ErrnoException.class,
                    () -> Linux.faccessat2(f.get(), "", Linux.X_OK, Linux.AT_EMPTY_PATH | Linux.AT_EACCESS));
            assertEquals(Errno.EACCES, noExec.errno());
            assertEquals("faccessat2(fd " + f.get() + ") failed: EACCES (Permission denied)", noExec.getMessage());
        }
    }

    @Test
    void realpathResolvesLinksAndDots() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "0123456789");
        Files.createDirectory(dir.resolve("sub"));
        Files.createSymbolicLink(dir.resolve("up"), dir.resolve("sub"));
        assertEquals(
                dir.toRealPath() + "/file", new String(Linux.realpath(dir + "/up/../file"), StandardCharsets.UTF_8));
        assertEquals(
                Errno.ENOENT,
                assertThrows(ErrnoException.class, () -> Linux.realpath(dir + "/missing/.."))
                        .errno());
        assertEquals(
                Errno.ENOTDIR,
                assertThrows(ErrnoException.class, () -> Linux.realpath(file + "/.."))
                        .errno());
    }

    @Test
    void statNamesTheInode() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        try (Fd f = Linux.open(file.toString(), Linux.O_PATH, 0)) {
            Linux.Stat stat = Linux.fstat(f.get());
            assertEquals(((Number) Files.getAttribute(file, "unix:ino")).longValue(), stat.ino());
            assertEquals(((Number) Files.getAttribute(file, "unix:dev")).longValue(), stat.dev());
            assertTrue(stat.isRegularFile());
        }
    }
}
