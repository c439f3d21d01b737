package dev.airlock.broker;

import dev.airlock.unix.Errno;
import dev.airlock.unix.ErrnoException;
import dev.airlock.unix.Linux;
import dev.airlock.unix.Processes;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The helper's process tree belongs to the broker: the broker is a child subreaper, so every
 * descendant the helper leaves orphaned is re-parented to the broker rather than to init, and
 * when the helper exits the broker ends them all before it exits itself.
 *
 * <p>Ending them does not rely on process groups alone: the helper leads its own group (it was
 * spawned with setsid), and the seccomp filter is meant to keep descendants in it, but the loop
 * also kills every child the broker has, then reaps, and repeats until the kernel says no
 * children are left (ECHILD). A descendant that started its own session is re-parented to the
 * broker as soon as its parent dies, so each round reaches one more generation; a fork racing
 * SIGKILL fails in the kernel, so the loop ends.
 */
final class ProcessTree {
    /** How long the broker keeps ending descendants before it gives up and says so. */
    private static final long END_TIMEOUT_NANOS = 10_000_000_000L;

    private ProcessTree() {}

    /** Makes the broker the subreaper of everything it spawns from now on. */
    static void adoptOrphans() throws ErrnoException {
        Processes.setChildSubreaper(true);
    }

    /**
     * SIGKILLs the process group {@code group} and every child of the broker, reaping them, until
     * no child is left. Returns how many processes were reaped.
     */
    static int endAll(int group, PrintStream err) {
        long deadline = System.nanoTime() + END_TIMEOUT_NANOS;
        int reaped = 0;
        while (true) {
            killQuietly(-group);
            for (int child : childrenOfThisProcess()) {
                killQuietly(child);
            }
            try {
                while (Processes.reapAny(false) != null) {
                    reaped++;
                }
            } catch (ErrnoException e) {
                if (e.errno() == Errno.ECHILD) {
                    return reaped;
                }
                err.println("airlock: cannot reap the helper's descendants: " + e.getMessage());
                return reaped;
            }
            if (System.nanoTime() > deadline) {
                err.println("airlock: some of the helper's descendants could not be ended");
                return reaped;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return reaped;
            }
        }
    }

    private static void killQuietly(int pid) {
        try {
            Processes.kill(pid, Processes.SIGKILL);
        } catch (ErrnoException gone) {
            // ESRCH: nothing (left) there.
        }
    }

    /**
     * The pids whose parent is this process, from {@code /proc/PID/stat} (field 4). Scanning
     * {@code /proc} works on every kernel, unlike {@code /proc/PID/task/TID/children}.
     */
    static List<Integer> childrenOfThisProcess() {
        int self = Linux.getpid();
        List<Integer> children = new ArrayList<>();
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(
                Path.of("/proc"), p -> isNumber(p.getFileName().toString()))) {
            for (Path process : processes) {
                int parent = parentOf(process);
                if (parent == self) {
                    children.add(Integer.parseInt(process.getFileName().toString()));
                }
            }
        } catch (IOException e) {
            // /proc unreadable: the process group kill still runs.
        }
        return children;
    }

    /** The parent pid in {@code /proc/PID/stat}, or -1 if the process is gone. */
    private static int parentOf(Path process) {
        String stat;
        try {
            stat = Files.readString(process.resolve("stat"), StandardCharsets.ISO_8859_1);
        } catch (IOException gone) {
            return -1;
        }
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so parse after the last ')'.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ", -1);
        return fields.length > 1 ? Integer.parseInt(fields[1]) : -1;
    }

    private static boolean isNumber(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (!Character.isDigit(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
