package dev.airlock.ipc;

/**
 * The constants of the broker-helper wire format, and the validation rules that both the
 * encoders (through {@link IllegalArgumentException}) and the decoders (through
 * {@link ProtocolException}) apply, so that the two sides cannot drift apart.
 *
 * <p>A message is one {@code SOCK_SEQPACKET} datagram: a 12-byte big-endian header (magic
 * {@code "ARLK"}, version, type, flags, request id) followed by the body of its type. The limits
 * here are hard: the broker decodes messages crafted by untrusted code, and every length it reads
 * is checked against them before anything is allocated.
 *
 * <p>Public because the helper sizes its receive buffer by {@link #MAX_SIZE}, compares
 * {@link Request#type()} with {@link #OPEN}, and may refuse an over-long path locally
 * ({@link #MAX_PATH_LENGTH}) rather than spend a round trip on it.
 */
public final class Message {
    /** The largest message, in bytes, that either side sends or accepts. */
    public static final int MAX_SIZE = 8192;

    /** Request type: open a file by path; answered with the descriptor. */
    public static final int OPEN = 0x01;

    /**
     * Request type: an {@code O_PATH} descriptor for the file's metadata (stat, statfs); decided
     * as read. The helper calls {@code fstat} on it, so the JDK fills its own structures.
     */
    public static final int STAT = 0x02;

    /** Request type: {@code access(2)} with a mode of R_OK/W_OK/X_OK bits (0 is F_OK). */
    public static final int ACCESS = 0x03;

    /** Request type: a symbolic link's target, answered as data. */
    public static final int READLINK = 0x04;

    /** Request type: create a directory with a mode. */
    public static final int MKDIR = 0x05;

    /** Request type: remove a name (a file, or a directory with {@link #FLAG_DIRECTORY}). */
    public static final int UNLINK = 0x06;

    /** Request type: rename the first path to the second. */
    public static final int RENAME = 0x07;

    /** Request type: make the first path a new hard link to the existing second path. */
    public static final int LINK = 0x08;

    /** Request type: make the first path a symbolic link whose target is the second field. */
    public static final int SYMLINK = 0x09;

    /** Request type: change a file's mode bits. */
    public static final int CHMOD = 0x0A;

    /** Request type: set a file's access and modification times, in nanoseconds. */
    public static final int UTIMENS = 0x0B;

    /** Request type: set a regular file's length. */
    public static final int TRUNCATE = 0x0C;

    /**
     * Request type: add an inotify watch on a directory, decided as read on it. The only request
     * that carries a descriptor (exactly one, SCM_RIGHTS): the helper's inotify instance, to which
     * the broker adds the watch; the mode field holds the event mask ({@link #WATCH_EVENTS}).
     * Answered with the watch descriptor.
     */
    public static final int WATCH = 0x0D;

    /**
     * The inotify events a WATCH may ask for: those the JDK's LinuxWatchService asks for
     * (IN_MODIFY, IN_ATTRIB for ENTRY_MODIFY; IN_MOVED_FROM, IN_DELETE for ENTRY_DELETE;
     * IN_MOVED_TO, IN_CREATE for ENTRY_CREATE). Every other bit, the behaviour flags
     * (IN_DONT_FOLLOW, IN_MASK_ADD, IN_ONLYDIR, ...) included, is refused: the broker decides on the
     * directory it resolved itself, and nothing the helper asks for may change what is watched.
     */
    public static final int WATCH_EVENTS = 0x002 | 0x004 | 0x040 | 0x080 | 0x100 | 0x200;

    /** Reply type: an errno, or success, possibly with one descriptor attached or with data. */
    public static final int REPLY = 0x81;

    /** The longest path a request may carry, in bytes (each of its paths). */
    public static final int MAX_PATH_LENGTH = 4096;

    /** The longest reason a reply may carry, in UTF-8 bytes. */
    public static final int MAX_REASON_LENGTH = 1024;

    /** {@code "ARLK"} in ASCII: lets a peer that is not speaking this protocol fail at once. */
    static final int MAGIC = 0x41524C4B;

    static final int VERSION = 1;

    static final int HEADER_SIZE = 12;

    /** On a reply: exactly one descriptor rides with this message (SCM_RIGHTS). */
    static final int FLAG_HAS_FD = 0x0001;

    /** On an OPEN request: the caller wants EISDIR for a directory, as java.io does. */
    static final int FLAG_REFUSE_DIRECTORY = 0x0002;

    /** On STAT, CHMOD and UTIMENS: act on a symbolic link itself, not on what it names. */
    static final int FLAG_NO_FOLLOW = 0x0004;

    /** On UNLINK: remove a directory (rmdir) instead of a file. */
    static final int FLAG_DIRECTORY = 0x0008;

    /** On UNLINK: remove whichever it is, as remove(3) and java.io.File#delete do. */
    static final int FLAG_EITHER = 0x0010;

    /** On RENAME: fail with EEXIST rather than replace the target (RENAME_NOREPLACE). */
    static final int FLAG_NO_REPLACE = 0x0020;

    /** On a reply: a data field (a link's target) follows the reason. */
    static final int FLAG_HAS_DATA = 0x0002;

    /** On a reply: a file's status ({@link FileStat}) follows the reason, in place of a descriptor. */
    static final int FLAG_HAS_STAT = 0x0004;

    /** On a reply: a watch descriptor (s32, at least 1) follows the reason. */
    static final int FLAG_HAS_WATCH = 0x0008;

    /** errno values are small positive numbers on Linux; 4095 is the kernel's MAX_ERRNO. */
    static final int MAX_ERRNO = 4095;

    static final int MAX_MODE = 07777;

    /** The longest data a reply may carry: a link target, which the kernel caps at PATH_MAX. */
    public static final int MAX_DATA_LENGTH = 4096;

    /** Fixed part of a REPLY message: header, errno, reason length. */
    static final int REPLY_FIXED_SIZE = HEADER_SIZE + 4 + 2;

    // The body of each request type, in wire order after the header: the path (u16 length and
    // bytes), then the second path if SECOND, open flags (s32) if OPEN_FLAGS, mode (s32) if MODE,
    // and one or two s64 numbers if LONGS is 1 or 2.
    static final int SECOND = 1;
    static final int OPEN_FLAGS = 2;
    static final int MODE = 4;
    static final int ONE_LONG = 8;
    static final int TWO_LONGS = 16;

    private Message() {
    }

    /** The flag bits defined for a message type; any other bit set is a protocol error. */
    static int definedFlags(int type) {
        switch (type) {
            case OPEN:
                return FLAG_REFUSE_DIRECTORY;
            case STAT:
            case CHMOD:
            case UTIMENS:
                return FLAG_NO_FOLLOW;
            case UNLINK:
                return FLAG_DIRECTORY | FLAG_EITHER;
            case RENAME:
                return FLAG_NO_REPLACE;
            case REPLY:
                return FLAG_HAS_FD | FLAG_HAS_DATA | FLAG_HAS_STAT | FLAG_HAS_WATCH;
            default:
                return 0;
        }
    }

    /** Which fields follow the path in a request of {@code type} (SECOND, OPEN_FLAGS, ...). */
    static int body(int type) {
        switch (type) {
            case OPEN:
                return OPEN_FLAGS | MODE;
            case ACCESS:
            case MKDIR:
            case CHMOD:
            case WATCH:
                return MODE;
            case RENAME:
            case LINK:
            case SYMLINK:
                return SECOND;
            case UTIMENS:
                return TWO_LONGS;
            case TRUNCATE:
                return ONE_LONG;
            default:
                return 0;
        }
    }

    static boolean isRequestType(int type) {
        return type >= OPEN && type <= WATCH;
    }

    /**
     * How many descriptors a request of {@code type} must carry: one for WATCH (the inotify
     * instance), none for every other type. A request with any other number is refused whole.
     */
    public static int descriptorsCarried(int type) {
        return type == WATCH ? 1 : 0;
    }

    static boolean isKnownType(int type) {
        return isRequestType(type) || type == REPLY;
    }

    private static final String[] REQUEST_NAMES = {
        "OPEN", "STAT", "ACCESS", "READLINK", "MKDIR", "UNLINK", "RENAME", "LINK", "SYMLINK", "CHMOD", "UTIMENS",
        "TRUNCATE", "WATCH"};

    /** A type's name for messages; unknown types as hex so the raw value stays visible. */
    static String typeName(int type) {
        if (isRequestType(type)) {
            return REQUEST_NAMES[type - OPEN];
        }
        return type == REPLY ? "REPLY" : hex2(type);
    }

    /**
     * Checks a request's path against the format's rules.
     *
     * @return null if the path is acceptable, else what is wrong with it
     */
    static String checkPath(byte[] path) {
        String problem = checkPathLength(path.length);
        if (problem != null) {
            return problem;
        }
        // Only absolute paths: the broker resolves every path beneath a grant's directory, and a
        // relative one would silently depend on the broker's working directory.
        if (path[0] != '/') {
            return "path is not absolute (first byte " + hex2(path[0] & 0xFF) + ", expected '/')";
        }
        // The broker hands the path to C; a NUL would cut it short there, so that the policy would
        // check one path and the kernel open another.
        for (int i = 1; i < path.length; i++) {
            if (path[i] == 0) {
                return "path contains NUL at byte " + i;
            }
        }
        return null;
    }

    /**
     * Separate from {@link #checkPath} because the decoder must check the declared length before
     * it allocates the array.
     *
     * @return null if a path of {@code length} bytes is acceptable, else what is wrong
     */
    static String checkPathLength(int length) {
        if (length < 1 || length > MAX_PATH_LENGTH) {
            return "path length " + length + " out of range 1.." + MAX_PATH_LENGTH;
        }
        return null;
    }

    /** @return null if {@code mode} is acceptable, else what is wrong with it */
    static String checkMode(int mode) {
        if (mode < 0 || mode > MAX_MODE) {
            return "mode 0" + Integer.toOctalString(mode) + " out of range 0..07777";
        }
        return null;
    }

    /**
     * Checks a symbolic link's target: unlike a request's path it may be relative (it is stored,
     * not resolved, by the broker), but it must not be empty or hold a NUL.
     *
     * @return null if acceptable, else what is wrong with it
     */
    static String checkTarget(byte[] target) {
        if (target.length < 1 || target.length > MAX_PATH_LENGTH) {
            return "link target length " + target.length + " out of range 1.." + MAX_PATH_LENGTH;
        }
        for (int i = 0; i < target.length; i++) {
            if (target[i] == 0) {
                return "link target contains NUL at byte " + i;
            }
        }
        return null;
    }

    /** @return null if {@code mode} is acceptable for a request of {@code type}, else what is wrong */
    static String checkMode(int type, int mode) {
        if (type == ACCESS) {
            return mode < 0 || mode > 7 ? "access mode " + mode + " out of range 0..7" : null;
        }
        if (type == WATCH) {
            if (mode == 0) {
                return "watch mask is empty";
            }
            int other = mode & ~WATCH_EVENTS;
            return other != 0 ? "watch mask has bits " + hex8(other) + " outside the allowed " + hex8(WATCH_EVENTS) : null;
        }
        return checkMode(mode);
    }

    /** @return null if the numbers of a request of {@code type} are acceptable, else what is wrong */
    static String checkLongs(int type, long first) {
        if (type == TRUNCATE && first < 0) {
            return "negative length " + first;
        }
        return null;
    }

    /** @return null if {@code errno} is within the range the wire allows, else what is wrong */
    static String checkErrno(int errno) {
        if (errno < 0 || errno > MAX_ERRNO) {
            return "errno " + errno + " out of range 0.." + MAX_ERRNO;
        }
        return null;
    }

    /** @return null if {@code watch} is a watch descriptor the kernel could return (positive), else what is wrong */
    static String checkWatch(int watch) {
        return watch < 1 ? "watch descriptor " + watch + " is not positive" : null;
    }

    static String hex2(int value) {
        return String.format("0x%02x", value);
    }

    static String hex4(int value) {
        return String.format("0x%04x", value);
    }

    static String hex8(int value) {
        return String.format("0x%08x", value);
    }
}
