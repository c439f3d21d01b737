package dev.airlock.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.ipc.HelperDescriptor;
import dev.airlock.unix.Errno;
import dev.airlock.unix.ErrnoException;
import dev.airlock.unix.Fd;
import dev.airlock.unix.Linux;
import dev.airlock.unix.Processes;
import dev.airlock.unix.SpawnPlan;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The broker's way to the descriptors a request names, on real processes: a copy of the very
 * file, EBADF for a number not open, and a refusal that says what to change when the kernel will
 * not let the broker take them.
 */
class HelperDescriptorsTest {

    @Test
    void aTakenDescriptorIsACopyOfTheSameOpenFile() throws Exception {
        try (HelperDescriptors own = HelperDescriptors.attach(Linux.getpid(), new HelperDescriptor(0));
                Fd inotify = Linux.inotifyInit()) {
            try (Fd taken = own.take(new HelperDescriptor(inotify.get()))) {
                assertNotEquals(inotify.get(), taken.get(), "a new number in the broker");
                Linux.Stat original = Linux.fstat(inotify.get());
                Linux.Stat copy = Linux.fstat(taken.get());
                assertEquals(original.dev(), copy.dev());
                assertEquals(original.ino(), copy.ino(), "the same inotify instance");
            }
            assertTrue(inotify.isOpen(), "closing the copy leaves the helper's own open");
            Linux.fstat(inotify.get());
        }
    }

    @Test
    void aNumberNotOpenIsEbadf() throws Exception {
        int notOpen = 1 << 20;
        try (HelperDescriptors own = HelperDescriptors.open(Linux.getpid())) {
            ErrnoException e = assertThrows(ErrnoException.class, () -> own.take(new HelperDescriptor(notOpen)));
            assertEquals(Errno.EBADF, e.errno());
        }
    }

    /**
     * A helper that is gone before the probe (a JVM that refused its options at once: exited, not
     * yet reaped by the broker) is no refusal: the broker goes on so that its reaper reports the
     * helper's status, and every take fails as the probe did. The same for a live helper without
     * the channel's number.
     */
    @Test
    void aHelperGoneBeforeTheProbeIsLeftToTheReaper() throws Exception {
        // Spawned past the JDK, which would reap it: it stays a zombie until waitpid below.
        int exited = SpawnPlan.prepare("/bin/true", List.of("/bin/true"), List.of(), Map.of(), false)
                .spawn();
        try {
            awaitZombie(exited);
            try (HelperDescriptors gone = HelperDescriptors.attach(exited, new HelperDescriptor(0))) {
                ErrnoException e = assertThrows(ErrnoException.class, () -> gone.take(new HelperDescriptor(0)));
                assertTrue(e.errno() == Errno.ESRCH || e.errno() == Errno.EBADF, e.toString());
            }
        } finally {
            Processes.waitpid(exited);
        }
        int sleeping = SpawnPlan.prepare("/bin/sleep", List.of("/bin/sleep", "30"), List.of(), Map.of(), false)
                .spawn();
        try (HelperDescriptors alive = HelperDescriptors.attach(sleeping, new HelperDescriptor(1 << 20))) {
            ErrnoException e = assertThrows(ErrnoException.class, () -> alive.take(new HelperDescriptor(1 << 20)));
            assertEquals(Errno.EBADF, e.errno());
        } finally {
            Processes.kill(sleeping, Processes.SIGKILL);
            Processes.waitpid(sleeping);
        }
    }

    /** Waits until process {@code pid} has exited and is a zombie (state Z in /proc/PID/stat). */
    private static void awaitZombie(int pid) throws Exception {
        Path stat = Path.of("/proc/" + pid + "/stat");
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            String text = Files.readString(stat);
            if (text.substring(text.lastIndexOf(')') + 2).startsWith("Z")) {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("pid " + pid + " did not exit: " + Files.readString(stat));
    }

    /**
     * Process 1 is one whose descriptors this test may or may not reach: as a normal user never
     * (another user's), as root where it is in the test's own user namespace. Whether the kernel
     * lets a process read another's descriptor links (/proc/1/fd) follows the same ptrace rule, so
     * the test asks that first and expects attach to agree: taken, or refused with the message.
     */
    @Test
    void aProcessTheKernelKeepsFromTheBrokerIsRefusedWithWhatToChange() throws Exception {
        boolean reachable;
        try {
            Files.readSymbolicLink(Path.of("/proc/1/fd/0"));
            reachable = true;
        } catch (AccessDeniedException e) {
            reachable = false;
        }
        if (reachable) {
            HelperDescriptors.attach(1, new HelperDescriptor(0)).close();
        } else {
            AirlockException e =
                    assertThrows(AirlockException.class, () -> HelperDescriptors.attach(1, new HelperDescriptor(0)));
            assertEquals(ExitCodes.SANDBOX_UNAVAILABLE, e.exitCode());
            assertEquals(HelperDescriptors.refusal(HelperDescriptors.yamaScope()), e.getMessage());
        }
    }

    @Test
    void theRefusalNamesTheYamaScopeAndWhatToChange() {
        String start = "the kernel does not let the broker take its helper's descriptors (pidfd_getfd: EPERM), which"
                + " it needs to serve the program's sockets and file watches: ";
        assertEquals(
                start + "Yama's ptrace scope is 2 (/proc/sys/kernel/yama/ptrace_scope), which allows it only to a"
                        + " process with CAP_SYS_PTRACE: run airlock as root, or set the scope to 1",
                HelperDescriptors.refusal(2));
        assertEquals(
                start + "Yama's ptrace scope is 3 (/proc/sys/kernel/yama/ptrace_scope), which allows it to no process"
                        + " until the next boot",
                HelperDescriptors.refusal(3));
        assertEquals(
                start + "no Yama ptrace scope is in force; a security module or the helper's credentials refused it",
                HelperDescriptors.refusal(-1));
        assertEquals(
                start + "Yama's ptrace scope is 1; a security module or the helper's credentials refused it",
                HelperDescriptors.refusal(1));
    }
}
