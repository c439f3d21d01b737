package dev.airlock.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native calls behind the STAT data reply and WATCH: statx of an {@code O_PATH} descriptor
 * reports what the JDK itself reports for the same file (checked against the JDK's own
 * {@code unix:*} view, field by field), and inotify watches work through a descriptor's
 * {@code /proc/self/fd} entry.
 */
class LinuxStatWatchTest {
    @TempDir
    Path dir;

    @Test
    void statxOfALinkDescriptorIsWhatTheJdkReportsForTheLink() throws Exception {
        Path target = Files.writeString(dir.resolve("target"), "twelve bytes");
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        Files.setLastModifiedTime(link.getParent(), FileTime.fromMillis(1_000)); // unrelated: only the link counts
        for (Path p : new Path[] {link, target, dir}) {
            try (Fd fd = Linux.open(p.toString(), Linux.O_PATH | Linux.O_NOFOLLOW, 0)) {
                Statx stat = Linux.statx(fd.get());
                Map<String, Object> jdk = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
                assertEquals(jdk.get("mode"), stat.mode(), p + " mode");
                assertEquals(jdk.get("ino"), stat.ino(), p + " ino");
                assertEquals(jdk.get("dev"), stat.dev(), p + " dev");
                assertEquals(jdk.get("rdev"), stat.rdev(), p + " rdev");
                assertEquals(jdk.get("nlink"), stat.nlink(), p + " nlink");
                assertEquals(jdk.get("uid"), stat.uid(), p + " uid");
                assertEquals(jdk.get("gid"), stat.gid(), p + " gid");
                assertEquals(jdk.get("size"), stat.size(), p + " size");
                assertEquals(jdk.get("lastModifiedTime"), time(stat.mtimeSeconds(), stat.mtimeNanos()), p + " mtime");
                assertEquals(jdk.get("lastAccessTime"), time(stat.atimeSeconds(), stat.atimeNanos()), p + " atime");
                assertEquals(jdk.get("ctime"), time(stat.ctimeSeconds(), stat.ctimeNanos()), p + " ctime");
            }
        }
        try (Fd fd = Linux.open(link.toString(), Linux.O_PATH | Linux.O_NOFOLLOW, 0)) {
            Statx stat = Linux.statx(fd.get());
            assertEquals(Linux.S_IFLNK, stat.mode() & Linux.S_IFMT, "a symbolic link");
            assertEquals(target.toString().getBytes(StandardCharsets.UTF_8).length, stat.size());
        }
    }

    private static FileTime time(long seconds, int nanos) {
        return FileTime.from(java.time.Instant.ofEpochSecond(seconds, nanos));
    }

    @Test
    void makedevMatchesGlibc() {
        assertEquals(0x0801L, Linux.makedev(8, 1));
        assertEquals(0x10301L, Linux.makedev(259, 1));
        assertEquals(0x0000_1000_0010_0000L, Linux.makedev(0x1000, 0x100));
        assertEquals(0xFFFF_F000_0000_0000L | 0xFFF00L | 0xFFFF_FF00L << 12 | 0xFFL, Linux.makedev(-1, -1));
    }

    @Test
    void aWatchAddedThroughAProcFdEntryWatchesTheDescriptorsDirectory() throws Exception {
        try (Fd inotify = Linux.inotifyInit();
                Fd directory = Linux.open(dir.toString(), Linux.O_PATH | Linux.O_DIRECTORY, 0)) {
            byte[] kind = Linux.readlinkat(Linux.AT_FDCWD, "/proc/self/fd/" + inotify.get());
            assertEquals("anon_inode:inotify", new String(kind, StandardCharsets.UTF_8));
            int wd = Linux.inotifyAddWatch(inotify.get(), "/proc/self/fd/" + directory.get(), 0x100);
            assertTrue(wd >= 1, "watch descriptor " + wd);
            // The same inode by its name: the kernel answers with the same watch.
            assertEquals(wd, Linux.inotifyAddWatch(inotify.get(), dir.toString(), 0x100));
        }
    }
}
