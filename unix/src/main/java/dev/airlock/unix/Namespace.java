package dev.airlock.unix;

/**
 * The namespaces a thread may unshare for what it spawns ({@link ThreadConfinement#unshare}):
 * each with its clone(2) flag and its name under {@code /proc/PID/ns}. Only the kinds that are
 * per-thread and allowed in a multi-threaded process are here.
 */
public enum Namespace {
    /** A new network namespace: only a loopback interface, down. */
    NETWORK(0x40000000, "net"),
    /** A new IPC namespace: its own System V objects and POSIX message queues. */
    IPC(0x08000000, "ipc"),
    /**
     * A new mount namespace, a copy of the caller's mount tree. It implies CLONE_FS (the thread's
     * own root, working directory and umask), which, unlike CLONE_NEWUSER's CLONE_THREAD, a thread of
     * a multi-threaded process may unshare: the kernel copies the thread's fs_struct.
     */
    MOUNT(0x00020000, "mnt");

    private final int cloneFlag;
    private final String procName;

    Namespace(int cloneFlag, String procName) {
        this.cloneFlag = cloneFlag;
        this.procName = procName;
    }

    /** The CLONE_NEW* flag. */
    public int cloneFlag() {
        return cloneFlag;
    }

    /** The entry under {@code /proc/PID/ns} (or {@code /proc/thread-self/ns}) that names this kind. */
    public String procName() {
        return procName;
    }
}
