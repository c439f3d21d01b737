package dev.airlock.unix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The process calls the broker's process tree rests on, against real processes: a spawn in a new
 * session, reaping with and without waiting, the per-thread prctl settings, and bounded reads.
 */
class LinuxProcessTest {
    private static int spawnShell(String script, boolean newSession) throws ErrnoException {
        return SpawnPlan.prepare("/bin/sh", List.of("/bin/sh", "-c", script), List.of(), Map.of(), newSession)
                .spawn();
    }

    private static String[] stat(int pid) throws Exception {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"), StandardCharsets.ISO_8859_1);
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    }

    @Test
    void aNewSessionSpawnLeadsItsSessionAndGroupWithoutATerminal() throws Exception {
        int pid = spawnShell("exec sleep 30", true);
        try {
            String[] f = stat(pid); // state ppid pgrp session tty_nr
            assertEquals(String.valueOf(pid), f[2], "process group");
            assertEquals(String.valueOf(pid), f[3], "session");
            assertEquals("0", f[4], "no controlling terminal");
        } finally {
            Processes.kill(pid, Processes.SIGKILL);
            Processes.waitpid(pid);
        }
        int same = spawnShell("exec sleep 30", false);
        try {
            assertEquals(stat(Linux.getpid())[3], stat(same)[3], "without it the child stays in this session");
        } finally {
            Processes.kill(same, Processes.SIGKILL);
            Processes.waitpid(same);
        }
    }

    @Test
    void reapingWithoutWaitingSeesRunningThenExited() throws Exception {
        int pid = spawnShell("exec sleep 30", false);
        assertNull(Processes.reapIfExited(pid), "still running");
        Processes.kill(pid, Processes.SIGKILL);
        assertEquals(Processes.SIGKILL, Processes.waitpid(pid) & 0x7f);
        int quick = spawnShell("exit 3", false);
        Processes.Exited done = null;
        for (int i = 0; i < 500 && done == null; i++) {
            done = Processes.reapIfExited(quick);
            Thread.sleep(10);
        }
        assertEquals(quick, done.pid());
        assertEquals(3, (done.status() >> 8) & 0xff);
        assertEquals(
                Errno.ECHILD,
                assertThrows(ErrnoException.class, () -> Processes.reapIfExited(quick))
                        .errno());
    }

    @Test
    void reapAnyTakesWhicheverChildExits() throws Exception {
        int pid = spawnShell("exit 5", false);
        Processes.Exited exited = Processes.reapAny(true);
        assertEquals(pid, exited.pid());
        assertEquals(5, (exited.status() >> 8) & 0xff);
    }

    @Test
    void descriptorThatIsBothSourceAndTargetIsRefused() {
        assertThrows(
                IllegalArgumentException.class,
                () -> SpawnPlan.prepare("/bin/true", List.of("/bin/true"), List.of(), Map.of(3, 3), false));
        assertThrows(
                IllegalArgumentException.class,
                () -> SpawnPlan.prepare("/bin/true", List.of("/bin/true"), List.of(), Map.of(0, 5, 5, 9), false));
    }

    @Test
    void parentDeathSignalAndNoNewPrivsBelongToTheCallingThread() throws Exception {
        int[] seen = new int[3];
        Thread probe = new Thread(() -> {
            try {
                ThreadConfinement.setParentDeathSignal(Processes.SIGKILL);
                seen[0] = ThreadConfinement.parentDeathSignal();
                ThreadConfinement.setParentDeathSignal(0);
                seen[1] = ThreadConfinement.parentDeathSignal();
                ThreadConfinement.setNoNewPrivs();
                seen[2] = ThreadConfinement.noNewPrivs() ? 1 : 0;
            } catch (ErrnoException e) {
                throw new AssertionError(e);
            }
        });
        probe.start();
        probe.join();
        assertArrayEquals(new int[] {Processes.SIGKILL, 0, 1}, seen);
        assertEquals(0, ThreadConfinement.parentDeathSignal(), "this thread is unchanged");
    }

    @Test
    void subreaperCanBeSetAndCleared() throws Exception {
        boolean was = Processes.isChildSubreaper();
        try {
            Processes.setChildSubreaper(true);
            assertTrue(Processes.isChildSubreaper());
            Processes.setChildSubreaper(false);
            assertTrue(!Processes.isChildSubreaper());
        } finally {
            Processes.setChildSubreaper(was);
        }
    }

    @Test
    void readAllReadsToTheEndAndRefusesMoreThanItsLimit(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("f");
        byte[] content = new byte[200_000];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) i;
        }
        Files.write(file, content);
        try (Fd fd = Linux.open(file.toString(), Linux.O_RDONLY, 0)) {
            assertArrayEquals(content, Linux.readAll(fd.get(), content.length));
        }
        try (Fd fd = Linux.open(file.toString(), Linux.O_RDONLY, 0)) {
            ErrnoException big = assertThrows(ErrnoException.class, () -> Linux.readAll(fd.get(), content.length - 1));
            assertEquals(Errno.EFBIG, big.errno());
        }
    }

    @Test
    void aPidfdTakesAChildsOpenDescriptorAndNamesWhatIsNotOpen(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("held");
        Files.writeString(file, "x");
        Path ready = dir.resolve("ready");
        int pid = spawnShell("exec 7<'" + file + "'; : > '" + ready + "'; exec sleep 30", false);
        boolean reaped = false;
        try (Fd pidfd = Processes.pidfdOpen(pid)) {
            for (int i = 0; i < 500 && !Files.exists(ready); i++) {
                Thread.sleep(10);
            }
            assertTrue(Files.exists(ready), "the child opened its descriptor 7");
            Linux.Stat expected;
            try (Fd own = Linux.open(file.toString(), Linux.O_RDONLY, 0)) {
                expected = Linux.fstat(own.get());
            }
            try (Fd taken = Processes.takeDescriptor(pidfd, 7)) {
                Linux.Stat got = Linux.fstat(taken.get());
                assertEquals(expected.dev(), got.dev(), "the same file");
                assertEquals(expected.ino(), got.ino(), "the same file");
            }
            ErrnoException notOpen = assertThrows(ErrnoException.class, () -> Processes.takeDescriptor(pidfd, 99));
            assertEquals(Errno.EBADF, notOpen.errno());
            Processes.kill(pid, Processes.SIGKILL);
            Processes.waitpid(pid);
            reaped = true;
            ErrnoException gone = assertThrows(ErrnoException.class, () -> Processes.takeDescriptor(pidfd, 7));
            assertEquals(Errno.ESRCH, gone.errno());
        } finally {
            if (!reaped) {
                Processes.kill(pid, Processes.SIGKILL);
                Processes.waitpid(pid);
            }
        }
    }

    /** The nice value of the calling thread, as /proc shows it. */
    private static int threadNice() throws Exception {
        String stat = Files.readString(Path.of("/proc/thread-self/stat"), StandardCharsets.ISO_8859_1);
        return Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).split(" ", -1)[16]);
    }

    @Test
    void aThreadLowersItsOwnPriorityAndNoOtherThreads() throws Exception {
        int before = threadNice();
        int[] seen = new int[2];
        Exception[] failure = new Exception[1];
        Thread t = new Thread(() -> {
            try {
                seen[0] = Processes.lowerThreadPriority(3);
                seen[1] = threadNice();
            } catch (Exception e) {
                failure[0] = e;
            }
        });
        t.start();
        t.join();
        assertNull(failure[0]);
        assertEquals(Math.min(19, before + 3), seen[0]);
        assertEquals(seen[0], seen[1]);
        assertEquals(before, threadNice(), "the calling thread's is unchanged");
        assertThrows(IllegalArgumentException.class, () -> Processes.lowerThreadPriority(-1));
    }
}
