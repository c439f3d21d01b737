package dev.airlock.unix;

import java.util.Set;
import jnr.ffi.Pointer;

/**
 * The calls that confine the calling thread, and so whatever it spawns, without touching the
 * process's other threads: no_new_privs, new namespaces, its identity (raw system calls, not
 * glibc's wrappers, which would change every thread), and its parent-death signal. Landlock
 * ({@link Landlock#restrictSelf}) and seccomp ({@link Seccomp#install}) are per-thread too and
 * live beside their own constants.
 */
public final class ThreadConfinement {
    private static final long SYS_SETGROUPS = 116;
    private static final long SYS_SETRESUID = 117;
    private static final long SYS_SETRESGID = 119;
    private static final long SYS_UNSHARE = 272;

    private static final int PR_SET_PDEATHSIG = 1;
    private static final int PR_GET_PDEATHSIG = 2;
    private static final int PR_SET_NO_NEW_PRIVS = 38;
    private static final int PR_GET_NO_NEW_PRIVS = 39;

    private ThreadConfinement() {}

    /** Sets no_new_privs on the calling thread: nothing it executes gains privileges (setuid bits, file capabilities). */
    public static void setNoNewPrivs() throws ErrnoException {
        Linux.check(Linux.c().prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)");
    }

    /** Whether no_new_privs is set on the calling thread. */
    public static boolean noNewPrivs() throws ErrnoException {
        return Linux.check(Linux.c().prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), "prctl(PR_GET_NO_NEW_PRIVS)") == 1;
    }

    /**
     * Moves the calling thread into new namespaces of the given kinds; what it spawns is born in
     * them. Needs CAP_SYS_ADMIN. An empty set does nothing.
     */
    public static void unshare(Set<Namespace> kinds) throws ErrnoException {
        if (kinds.isEmpty()) {
            return;
        }
        int flags = 0;
        for (Namespace kind : kinds) {
            flags |= kind.cloneFlag();
        }
        Linux.check(
                Linux.c().syscall(SYS_UNSHARE, flags, 0, 0, 0, 0, 0), "unshare(0x" + Integer.toHexString(flags) + ")");
    }

    /** Drops the calling thread's supplementary groups, then its gids, then its uids (raw system calls: this thread only). */
    public static void dropIdentity(int uid, int gid) throws ErrnoException {
        Linux.check(Linux.c().syscall(SYS_SETGROUPS, 0, 0, 0, 0, 0, 0), "setgroups(0)");
        Linux.check(Linux.c().syscall(SYS_SETRESGID, gid, gid, gid, 0, 0, 0), "setresgid(" + gid + ")");
        Linux.check(Linux.c().syscall(SYS_SETRESUID, uid, uid, uid, 0, 0, 0), "setresuid(" + uid + ")");
    }

    /**
     * Sets the signal the calling thread gets when the thread that created it (its parent) ends
     * (0: none). Cleared by fork, kept across exec.
     */
    public static void setParentDeathSignal(int signal) throws ErrnoException {
        Linux.check(Linux.c().prctl(PR_SET_PDEATHSIG, signal, 0, 0, 0), "prctl(PR_SET_PDEATHSIG, " + signal + ")");
    }

    /** The calling thread's parent-death signal, 0 for none. */
    public static int parentDeathSignal() throws ErrnoException {
        Pointer value = Linux.allocate(4);
        Linux.check(Linux.c().prctl(PR_GET_PDEATHSIG, value.address(), 0, 0, 0), "prctl(PR_GET_PDEATHSIG)");
        return value.getInt(0);
    }
}
