package dev.airlock.ipc;

/**
 * Errno numbers Airlock acts on, with their symbolic names and the descriptions glibc's
 * {@code strerror} gives, so messages read exactly like the JDK's native ones without a native
 * call (the helper formats denials without loading JNR).
 */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int EXDEV = 18;
    public static final int ENOTDIR = 20;
    public static final int EISDIR = 21;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int ETXTBSY = 26;
    public static final int EFBIG = 27;
    public static final int ENOSPC = 28;
    public static final int EROFS = 30;
    public static final int EPIPE = 32;
    public static final int ENAMETOOLONG = 36;
    public static final int ENOSYS = 38;
    public static final int ELOOP = 40;
    public static final int EOPNOTSUPP = 95;
    public static final int ECONNRESET = 104;
    public static final int ENXIO = 6;
    public static final int ECHILD = 10;
    public static final int ESRCH = 3;

    private Errno() {
    }

    /** The symbolic name, e.g. {@code EACCES}; {@code errno N} for numbers Airlock does not name. */
    public static String name(int errno) {
        Entry e = lookup(errno);
        return e != null ? e.name : "errno " + errno;
    }

    /** The text glibc's {@code strerror} gives for this errno in the C locale. */
    public static String description(int errno) {
        Entry e = lookup(errno);
        return e != null ? e.description : "Unknown error " + errno;
    }

    private static Entry lookup(int errno) {
        return errno > 0 && errno < TABLE.length ? TABLE[errno] : null;
    }

    private record Entry(String name, String description) {
    }

    private static final Entry[] TABLE = new Entry[128];

    private static void put(int errno, String name, String description) {
        TABLE[errno] = new Entry(name, description);
    }

    static {
        put(EPERM, "EPERM", "Operation not permitted");
        put(ENOENT, "ENOENT", "No such file or directory");
        put(ESRCH, "ESRCH", "No such process");
        put(EINTR, "EINTR", "Interrupted system call");
        put(EIO, "EIO", "Input/output error");
        put(ENXIO, "ENXIO", "No such device or address");
        put(EBADF, "EBADF", "Bad file descriptor");
        put(ECHILD, "ECHILD", "No child processes");
        put(EAGAIN, "EAGAIN", "Resource temporarily unavailable");
        put(ENOMEM, "ENOMEM", "Cannot allocate memory");
        put(EACCES, "EACCES", "Permission denied");
        put(EFAULT, "EFAULT", "Bad address");
        put(EBUSY, "EBUSY", "Device or resource busy");
        put(EEXIST, "EEXIST", "File exists");
        put(EXDEV, "EXDEV", "Invalid cross-device link");
        put(ENOTDIR, "ENOTDIR", "Not a directory");
        put(EISDIR, "EISDIR", "Is a directory");
        put(EINVAL, "EINVAL", "Invalid argument");
        put(ENFILE, "ENFILE", "Too many open files in system");
        put(EMFILE, "EMFILE", "Too many open files");
        put(ETXTBSY, "ETXTBSY", "Text file busy");
        put(EFBIG, "EFBIG", "File too large");
        put(ENOSPC, "ENOSPC", "No space left on device");
        put(EROFS, "EROFS", "Read-only file system");
        put(EPIPE, "EPIPE", "Broken pipe");
        put(ENAMETOOLONG, "ENAMETOOLONG", "File name too long");
        put(ENOSYS, "ENOSYS", "Function not implemented");
        put(ELOOP, "ELOOP", "Too many levels of symbolic links");
        put(EOPNOTSUPP, "EOPNOTSUPP", "Operation not supported");
        put(ECONNRESET, "ECONNRESET", "Connection reset by peer");
    }
}
