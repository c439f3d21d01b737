package dev.airlock.unix;

/**
 * Errno numbers Airlock acts on, with their symbolic names, and the text glibc's {@code strerror}
 * gives every errno, so messages read exactly like the JDK's native ones without a native call.
 *
 * <p>Why a table: the JDK words a failure with {@code strerror} of the thread's {@code errno}
 * straight after the failing system call. A brokered failure's errno comes from the broker, later;
 * and the JDK's own {@code sun.nio.fs.UnixNativeDispatcher.strerror(int)} ignores its argument and
 * reads the thread's current errno (JDK 17.0.15 and 25.0.3 alike), so it cannot word a given
 * number. The texts are glibc 2.36's in the untranslated C locale; under a translated locale the
 * JDK's own messages would be translated and these would not.
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
    public static final int ENOTSOCK = 88;

    private Errno() {}

    /** The symbolic name, e.g. {@code EACCES}; {@code errno N} for numbers Airlock does not name. */
    public static String name(int errno) {
        Entry e = lookup(errno);
        return e != null ? e.name : "errno " + errno;
    }

    /** The text glibc's {@code strerror} gives this errno in the C locale; "Unknown error N" outside the table. */
    public static String description(int errno) {
        return errno > 0 && errno < MESSAGES.length ? MESSAGES[errno] : "Unknown error " + errno;
    }

    /** Every description, indexed by errno (a copy). */
    public static String[] descriptions() {
        return MESSAGES.clone();
    }

    /** Index = errno; glibc 2.36's strerror texts (Debian 12), C locale. */
    private static final String[] MESSAGES = {
        "Success",
        "Operation not permitted",
        "No such file or directory",
        "No such process",
        "Interrupted system call",
        "Input/output error",
        "No such device or address",
        "Argument list too long",
        "Exec format error",
        "Bad file descriptor",
        "No child processes",
        "Resource temporarily unavailable",
        "Cannot allocate memory",
        "Permission denied",
        "Bad address",
        "Block device required",
        "Device or resource busy",
        "File exists",
        "Invalid cross-device link",
        "No such device",
        "Not a directory",
        "Is a directory",
        "Invalid argument",
        "Too many open files in system",
        "Too many open files",
        "Inappropriate ioctl for device",
        "Text file busy",
        "File too large",
        "No space left on device",
        "Illegal seek",
        "Read-only file system",
        "Too many links",
        "Broken pipe",
        "Numerical argument out of domain",
        "Numerical result out of range",
        "Resource deadlock avoided",
        "File name too long",
        "No locks available",
        "Function not implemented",
        "Directory not empty",
        "Too many levels of symbolic links",
        "Unknown error 41",
        "No message of desired type",
        "Identifier removed",
        "Channel number out of range",
        "Level 2 not synchronized",
        "Level 3 halted",
        "Level 3 reset",
        "Link number out of range",
        "Protocol driver not attached",
        "No CSI structure available",
        "Level 2 halted",
        "Invalid exchange",
        "Invalid request descriptor",
        "Exchange full",
        "No anode",
        "Invalid request code",
        "Invalid slot",
        "Unknown error 58",
        "Bad font file format",
        "Device not a stream",
        "No data available",
        "Timer expired",
        "Out of streams resources",
        "Machine is not on the network",
        "Package not installed",
        "Object is remote",
        "Link has been severed",
        "Advertise error",
        "Srmount error",
        "Communication error on send",
        "Protocol error",
        "Multihop attempted",
        "RFS specific error",
        "Bad message",
        "Value too large for defined data type",
        "Name not unique on network",
        "File descriptor in bad state",
        "Remote address changed",
        "Can not access a needed shared library",
        "Accessing a corrupted shared library",
        ".lib section in a.out corrupted",
        "Attempting to link in too many shared libraries",
        "Cannot exec a shared library directly",
        "Invalid or incomplete multibyte or wide character",
        "Interrupted system call should be restarted",
        "Streams pipe error",
        "Too many users",
        "Socket operation on non-socket",
        "Destination address required",
        "Message too long",
        "Protocol wrong type for socket",
        "Protocol not available",
        "Protocol not supported",
        "Socket type not supported",
        "Operation not supported",
        "Protocol family not supported",
        "Address family not supported by protocol",
        "Address already in use",
        "Cannot assign requested address",
        "Network is down",
        "Network is unreachable",
        "Network dropped connection on reset",
        "Software caused connection abort",
        "Connection reset by peer",
        "No buffer space available",
        "Transport endpoint is already connected",
        "Transport endpoint is not connected",
        "Cannot send after transport endpoint shutdown",
        "Too many references: cannot splice",
        "Connection timed out",
        "Connection refused",
        "Host is down",
        "No route to host",
        "Operation already in progress",
        "Operation now in progress",
        "Stale file handle",
        "Structure needs cleaning",
        "Not a XENIX named type file",
        "No XENIX semaphores available",
        "Is a named type file",
        "Remote I/O error",
        "Disk quota exceeded",
        "No medium found",
        "Wrong medium type",
        "Operation canceled",
        "Required key not available",
        "Key has expired",
        "Key has been revoked",
        "Key was rejected by service",
        "Owner died",
        "State not recoverable",
        "Operation not possible due to RF-kill",
        "Memory page has hardware error",
    };

    private static Entry lookup(int errno) {
        return errno > 0 && errno < TABLE.length ? TABLE[errno] : null;
    }

    private record Entry(String name) {}

    private static final Entry[] TABLE = new Entry[128];

    private static void put(int errno, String name) {
        TABLE[errno] = new Entry(name);
    }

    static {
        put(EPERM, "EPERM");
        put(ENOENT, "ENOENT");
        put(ESRCH, "ESRCH");
        put(EINTR, "EINTR");
        put(EIO, "EIO");
        put(ENXIO, "ENXIO");
        put(EBADF, "EBADF");
        put(ECHILD, "ECHILD");
        put(EAGAIN, "EAGAIN");
        put(ENOMEM, "ENOMEM");
        put(EACCES, "EACCES");
        put(EFAULT, "EFAULT");
        put(EBUSY, "EBUSY");
        put(EEXIST, "EEXIST");
        put(EXDEV, "EXDEV");
        put(ENOTDIR, "ENOTDIR");
        put(EISDIR, "EISDIR");
        put(EINVAL, "EINVAL");
        put(ENFILE, "ENFILE");
        put(EMFILE, "EMFILE");
        put(ETXTBSY, "ETXTBSY");
        put(EFBIG, "EFBIG");
        put(ENOSPC, "ENOSPC");
        put(EROFS, "EROFS");
        put(EPIPE, "EPIPE");
        put(ENAMETOOLONG, "ENAMETOOLONG");
        put(ENOSYS, "ENOSYS");
        put(ELOOP, "ELOOP");
        put(EOPNOTSUPP, "EOPNOTSUPP");
        put(ECONNRESET, "ECONNRESET");
        put(ENOTSOCK, "ENOTSOCK");
    }
}
