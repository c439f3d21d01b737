package dev.airlock.unix;

import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;

/**
 * The calls on other processes and on this process's children: signalling, waiting for and
 * reaping children, and the child-subreaper setting that makes orphaned descendants this
 * process's children; and the niceness of the calling thread, which Linux keeps per thread.
 * (This process's own ids are {@link Linux#getpid} and its neighbours, which
 * the socket credential checks use too.)
 */
public final class Processes {
    public static final int SIGKILL = 9;

    private static final int WNOHANG = 1;
    private static final int PR_SET_CHILD_SUBREAPER = 36;
    private static final int PR_GET_CHILD_SUBREAPER = 37;
    private static final long SYS_PIDFD_OPEN = 434;
    private static final long SYS_PIDFD_GETFD = 438;
    private static final long SYS_GETPRIORITY = 140;
    private static final long SYS_SETPRIORITY = 141;
    private static final int MAX_NICENESS = 19;
    private static final int PRIO_PROCESS = 0;

    private Processes() {}

    /** A reaped child: its pid and raw wait status. */
    public record Exited(int pid, int status) {}

    /**
     * Raises the nice value of the calling thread alone by {@code steps} (to 19 at most), so that
     * the scheduler lets the process's other threads run first whenever both want a CPU; returns
     * the new value. getpriority(2) and setpriority(2) with {@code PRIO_PROCESS} and who 0 name the
     * calling thread on Linux, whose nice value is per thread; raising it needs no privilege, and
     * the kernel's getpriority answers {@code 20 - nice} so that no value of it is -1.
     */
    public static int lowerThreadPriority(int steps) throws ErrnoException {
        if (steps < 0) {
            throw new IllegalArgumentException("a negative step would raise the priority: " + steps);
        }
        long raw = Linux.check(
                Linux.c().syscall(SYS_GETPRIORITY, PRIO_PROCESS, 0, 0, 0, 0, 0),
                "getpriority(PRIO_PROCESS, this thread)");
        int niceness = (int) Math.min(MAX_NICENESS, 20 - raw + steps);
        Linux.check(
                Linux.c().syscall(SYS_SETPRIORITY, PRIO_PROCESS, 0, niceness, 0, 0, 0),
                "setpriority(PRIO_PROCESS, this thread, " + niceness + ")");
        return niceness;
    }

    /** kill(2): sends {@code signal} to {@code pid} (a negative pid: that process group). */
    public static void kill(int pid, int signal) throws ErrnoException {
        Linux.check(Linux.c().kill(pid, signal), "kill(" + pid + ", " + signal + ")");
    }

    /**
     * Reaps one child, any child ({@code waitpid(-1)}): blocks until one has exited when
     * {@code block}, else returns null when children remain but none has exited. Throws
     * ECHILD when there are no children left.
     */
    public static Exited reapAny(boolean block) throws ErrnoException {
        return reap(-1, block ? 0 : WNOHANG, "waitpid(-1)");
    }

    /** Reaps {@code pid} if it has exited, without waiting; null while it still runs. */
    public static Exited reapIfExited(int pid) throws ErrnoException {
        return reap(pid, WNOHANG, "waitpid(" + pid + ", WNOHANG)");
    }

    /** Waits for {@code pid} and returns its raw wait status; retries on EINTR. */
    public static int waitpid(int pid) throws ErrnoException {
        return reap(pid, 0, "waitpid(" + pid + ")").status();
    }

    private static Exited reap(int pid, int options, String call) throws ErrnoException {
        IntByReference status = new IntByReference();
        while (true) {
            int r = Linux.c().waitpid(pid, status, options);
            if (r > 0) {
                return new Exited(r, status.intValue());
            }
            if (r == 0) {
                return null;
            }
            int errno = Linux.errno();
            if (errno != Errno.EINTR) {
                throw new ErrnoException(call, errno);
            }
        }
    }

    /**
     * pidfd_open(2): a descriptor naming the process {@code pid} itself, not its number, so that a
     * later {@link #takeDescriptor} reaches that process even if the pid is reused after it
     * exits. Close-on-exec (the kernel sets it on every pidfd).
     */
    public static Fd pidfdOpen(int pid) throws ErrnoException {
        return Fd.adopt(
                (int) Linux.check(Linux.c().syscall(SYS_PIDFD_OPEN, pid, 0, 0, 0, 0, 0), "pidfd_open(" + pid + ")"));
    }

    /**
     * pidfd_getfd(2): a copy, in this process and owned by the returned {@link Fd}, of descriptor
     * {@code number} of the process {@code pidfd} names (close-on-exec, as the kernel makes it).
     * The kernel answers EBADF when {@code number} is not open there, EPERM when this process may
     * not ptrace-read that one (another user without CAP_SYS_PTRACE, a non-dumpable process, or a
     * Yama scope that forbids it), ESRCH once it has exited.
     */
    public static Fd takeDescriptor(Fd pidfd, int number) throws ErrnoException {
        return Fd.adopt((int) Linux.check(
                Linux.c().syscall(SYS_PIDFD_GETFD, pidfd.get(), number, 0, 0, 0, 0), "pidfd_getfd(" + number + ")"));
    }

    /**
     * Makes this process a child subreaper: orphaned descendants are re-parented to it instead of
     * to init, so it can reap and end them. Process-wide.
     */
    public static void setChildSubreaper(boolean on) throws ErrnoException {
        Linux.check(Linux.c().prctl(PR_SET_CHILD_SUBREAPER, on ? 1 : 0, 0, 0, 0), "prctl(PR_SET_CHILD_SUBREAPER)");
    }

    /** Whether this process is a child subreaper. */
    public static boolean isChildSubreaper() throws ErrnoException {
        Pointer value = Linux.allocate(4);
        Linux.check(Linux.c().prctl(PR_GET_CHILD_SUBREAPER, value.address(), 0, 0, 0), "prctl(PR_GET_CHILD_SUBREAPER)");
        return value.getInt(0) != 0;
    }
}
