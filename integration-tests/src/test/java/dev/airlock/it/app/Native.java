package dev.airlock.it.app;

/**
 * The JNI entry points of {@code src/test/c/attacks.c}: raw system calls, native memory, and one
 * process-shaped helper (a sleeper left behind) that cannot be written from Java because it runs
 * between fork and exit. Loaded by the attack probe inside the helper and by the tests themselves
 * for their outside witnesses.
 */
public final class Native {
    private static String loaded;

    private Native() {}

    /** Loads the library once; a second, different path is a test bug. */
    public static synchronized void load(String library) {
        if (loaded == null) {
            System.load(library);
            loaded = library;
        } else if (!loaded.equals(library)) {
            throw new IllegalStateException("attack library already loaded from " + loaded + ", not " + library);
        }
    }

    /** System call {@code nr}: its result, or -errno. */
    public static native long syscall6(long nr, long a, long b, long c, long d, long e, long f);

    public static native long malloc(int size);

    public static native void free(long address);

    public static native void put(long address, byte[] bytes);

    public static native byte[] get(long address, int length);

    /**
     * Forks a process that sleeps {@code seconds} and is never waited for; with {@code detach} it
     * is a daemon (new session, parent gone). Returns the sleeper's pid, or -errno.
     */
    public static native long leaveSleeper(int seconds, boolean detach);
}
