package dev.airlock.unix;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import jnr.ffi.Pointer;

/**
 * Replacing this process's program with another one, execve(2): the same pid, parent, working
 * directory, standard streams and controlling terminal, and whoever waits for this process gets
 * the new program's exit status. The drop-in agent uses it to turn the JVM it was loaded into into
 * Airlock's broker before the application's {@code main} can run.
 *
 * <p>Before the call, every descriptor above 2 is marked close-on-exec (the JDK opens its jars and
 * files without it) and the calling thread's signal mask is emptied (a Java thread blocks
 * SIGQUIT, and a mask survives execve), so the new program starts as a freshly launched one:
 * standard streams only, no signal blocked.
 */
public final class ProcessImage {
    private static final int SIG_SETMASK = 2;
    private static final int SIGSET_SIZE = 128;
    private static final long CLOSE_RANGE_CLOEXEC = 1L << 2;
    private static final long HIGHEST_DESCRIPTOR = 0xFFFF_FFFFL;

    private ProcessImage() {}

    /**
     * Replaces this process with {@code path} run with {@code argv} (its first element the
     * program's name) and exactly the environment {@code env} ({@code NAME=VALUE} entries).
     * Returns only by throwing: the kernel refused, and this process goes on unchanged but for
     * its descriptors' close-on-exec flags and the calling thread's signal mask.
     */
    public static void replace(String path, List<String> argv, List<String> env) throws ErrnoException {
        LibC c = Linux.c();
        List<Pointer> keep = new ArrayList<>();
        Pointer argvArray = SpawnPlan.stringArray(argv, keep);
        Pointer envArray = SpawnPlan.stringArray(env, keep);
        Linux.check(
                c.syscall(Linux.SYS_CLOSE_RANGE, 3, HIGHEST_DESCRIPTOR, CLOSE_RANGE_CLOEXEC, 0, 0, 0),
                "close_range(3, ~0, CLOSE_RANGE_CLOEXEC)");
        Pointer empty = Linux.allocate(SIGSET_SIZE);
        keep.add(empty);
        c.sigemptyset(empty);
        Linux.check(c.sigprocmask(SIG_SETMASK, empty, null), "sigprocmask(SIG_SETMASK, {})");
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        byte[] cPath = Arrays.copyOf(name, name.length + 1);
        int errno;
        try {
            c.execve(cPath, argvArray, envArray);
            errno = Linux.errno();
        } finally {
            // Only a failure returns; the arrays must stay reachable until the call has returned.
            java.lang.ref.Reference.reachabilityFence(keep);
        }
        throw new ErrnoException("execve(" + path + ")", errno);
    }
}
