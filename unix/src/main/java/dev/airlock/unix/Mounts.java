package dev.airlock.unix;

import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import jnr.ffi.Pointer;

/**
 * The mount(2) calls the spawner thread makes in its own mount namespace (see
 * {@link Namespace#MOUNT}) to build the helper's view of the file system: its mount tree made
 * private, a small tmpfs over a directory, and a read-only bind mount of a real file or directory
 * opened beforehand. Raw system calls with the strings in native memory of their own, so no libc
 * binding is added for them; each failure is an {@link ErrnoException} naming the call and path.
 */
public final class Mounts {
    private static final long SYS_MOUNT = 165;

    private static final long MS_RDONLY = 1;
    private static final long MS_NOSUID = 2;
    private static final long MS_NODEV = 4;
    private static final long MS_NOEXEC = 8;
    private static final long MS_REMOUNT = 32;
    private static final long MS_BIND = 4096;
    private static final long MS_REC = 16384;
    private static final long MS_PRIVATE = 1 << 18;

    private Mounts() {}

    /**
     * Makes every mount of the calling thread's mount namespace private, recursively: nothing
     * mounted in it afterwards propagates to the namespace it was copied from, nor the other way.
     */
    public static void makeTreePrivate() throws ErrnoException {
        mount(null, "/", null, MS_REC | MS_PRIVATE, null, "mount(/, MS_REC|MS_PRIVATE)");
    }

    /**
     * Mounts an empty tmpfs on {@code directory}: nosuid, nodev, noexec, its root owned by the
     * caller (root) with {@code mode}, at most {@code bytes} of content.
     */
    public static void mountTmpfs(String directory, int mode, long bytes) throws ErrnoException {
        String options = "mode=0" + Integer.toOctalString(mode) + ",size=" + bytes;
        mount(
                "tmpfs",
                directory,
                "tmpfs",
                MS_NOSUID | MS_NODEV | MS_NOEXEC,
                options,
                "mount(tmpfs, " + directory + ")");
    }

    /**
     * Bind-mounts the file or directory {@code source} (an {@code O_PATH} descriptor opened in this
     * mount namespace, so it still names the real file once its path is covered) on
     * {@code target}, then makes that bind read-only, nosuid and nodev.
     */
    public static void bindReadOnly(Fd source, String target) throws ErrnoException {
        String from = "/proc/self/fd/" + source.get();
        mount(from, target, null, MS_BIND, null, "mount(" + from + ", " + target + ", MS_BIND)");
        mount(
                null,
                target,
                null,
                MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV,
                null,
                "mount(" + target + ", MS_REMOUNT|MS_BIND|MS_RDONLY)");
    }

    private static void mount(String source, String target, String type, long flags, String data, String call)
            throws ErrnoException {
        Pointer sourceString = cString(source);
        Pointer targetString = cString(target);
        Pointer typeString = cString(type);
        Pointer dataString = cString(data);
        try {
            Linux.check(
                    Linux.c()
                            .syscall(
                                    SYS_MOUNT,
                                    address(sourceString),
                                    address(targetString),
                                    address(typeString),
                                    flags,
                                    address(dataString),
                                    0),
                    call);
        } finally {
            // the memory is freed when its Pointer is collected: keep each until the call returned
            Reference.reachabilityFence(sourceString);
            Reference.reachabilityFence(targetString);
            Reference.reachabilityFence(typeString);
            Reference.reachabilityFence(dataString);
        }
    }

    /** {@code s} NUL-terminated in native memory of its own; null for null. */
    private static Pointer cString(String s) {
        if (s == null) {
            return null;
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        Pointer memory = Linux.allocate(bytes.length + 1);
        memory.put(0, bytes, 0, bytes.length);
        memory.putByte(bytes.length, (byte) 0);
        return memory;
    }

    private static long address(Pointer memory) {
        return memory == null ? 0 : memory.address();
    }
}
