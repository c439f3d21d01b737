package dev.airlock.ipc;

import java.util.Arrays;
import java.util.Objects;

/**
 * A request from the helper to the broker, as it travels on the wire: open a path, or look at or
 * change the file system object a path names (the types are in {@link Message}).
 *
 * <p>Immutable, so that the broker checks the policy and acts on one and the same value: a path
 * that could change between check and use would reopen the race the broker exists to close. Paths
 * are raw bytes, exactly as the kernel will see them, because Java's idea of a file name's
 * charset and the file system's need not agree; the broker decides on the bytes it uses.
 *
 * <p>Every instance satisfies the format's rules (the factories refuse anything else), so every
 * request can be encoded and decodes back to an equal request. Fields a type does not carry are
 * zero (or null for {@link #second()}).
 */
public final class Request {
    /** {@link #utimens} time meaning "leave this time as it is" (UTIME_OMIT). */
    public static final long OMIT = Long.MIN_VALUE;

    private final int type;
    private final int id;
    private final int flags;
    private final byte[] path;
    private final byte[] second;
    private final int openFlags;
    private final int mode;
    private final long first;
    private final long last;

    /** Takes ownership of the arrays; callers have already validated every field. */
    Request(int type, int id, int flags, byte[] path, byte[] second, int openFlags, int mode, long first, long last) {
        this.type = type;
        this.id = id;
        this.flags = flags;
        this.path = path;
        this.second = second;
        this.openFlags = openFlags;
        this.mode = mode;
        this.first = first;
        this.last = last;
    }

    /**
     * An OPEN request.
     *
     * @param id the request id the reply will carry; any value, the wire treats it as u32
     * @param path absolute path as raw bytes, 1..{@value Message#MAX_PATH_LENGTH} bytes, no NUL;
     *     copied
     * @param openFlags the {@code open(2)} flags, passed through unchecked: which flags are allowed
     *     is the broker's policy decision, not the codec's
     * @param mode the creation mode, 0..07777
     * @param refuseDirectory whether a directory should fail with EISDIR, as java.io expects
     * @throws IllegalArgumentException if the path or mode breaks the format's rules
     */
    public static Request open(int id, byte[] path, int openFlags, int mode, boolean refuseDirectory) {
        return make(Message.OPEN, id, refuseDirectory ? Message.FLAG_REFUSE_DIRECTORY : 0, path, null, openFlags, mode, 0, 0);
    }

    /** A STAT request: an O_PATH descriptor for {@code path}, or for the link itself if {@code noFollow}. */
    public static Request stat(int id, byte[] path, boolean noFollow) {
        return make(Message.STAT, id, noFollow ? Message.FLAG_NO_FOLLOW : 0, path, null, 0, 0, 0, 0);
    }

    /** An ACCESS request; {@code mode} is R_OK (4), W_OK (2) and X_OK (1) bits, 0 for F_OK. */
    public static Request access(int id, byte[] path, int mode) {
        return make(Message.ACCESS, id, 0, path, null, 0, mode, 0, 0);
    }

    /** A READLINK request. */
    public static Request readlink(int id, byte[] path) {
        return make(Message.READLINK, id, 0, path, null, 0, 0, 0, 0);
    }

    /** A MKDIR request; {@code mode} 0..07777 before the broker's umask. */
    public static Request mkdir(int id, byte[] path, int mode) {
        return make(Message.MKDIR, id, 0, path, null, 0, mode, 0, 0);
    }

    /** An UNLINK request removing a file ({@code unlink(2)}). */
    public static Request unlink(int id, byte[] path) {
        return make(Message.UNLINK, id, 0, path, null, 0, 0, 0, 0);
    }

    /** An UNLINK request removing an empty directory ({@code rmdir(2)}). */
    public static Request rmdir(int id, byte[] path) {
        return make(Message.UNLINK, id, Message.FLAG_DIRECTORY, path, null, 0, 0, 0, 0);
    }

    /** An UNLINK request removing a file or an empty directory, whichever it is ({@code remove(3)}). */
    public static Request remove(int id, byte[] path) {
        return make(Message.UNLINK, id, Message.FLAG_EITHER, path, null, 0, 0, 0, 0);
    }

    /** A RENAME request; with {@code noReplace} an existing {@code to} fails with EEXIST. */
    public static Request rename(int id, byte[] from, byte[] to, boolean noReplace) {
        Objects.requireNonNull(to, "to");
        return make(Message.RENAME, id, noReplace ? Message.FLAG_NO_REPLACE : 0, from, to, 0, 0, 0, 0);
    }

    /** A LINK request: {@code link} becomes a new hard link to {@code existing}. */
    public static Request link(int id, byte[] link, byte[] existing) {
        Objects.requireNonNull(existing, "existing");
        return make(Message.LINK, id, 0, link, existing, 0, 0, 0, 0);
    }

    /** A SYMLINK request: {@code link} becomes a symbolic link holding {@code target} (any bytes but NUL). */
    public static Request symlink(int id, byte[] link, byte[] target) {
        Objects.requireNonNull(target, "target");
        return make(Message.SYMLINK, id, 0, link, target, 0, 0, 0, 0);
    }

    /** A CHMOD request; {@code mode} 0..07777. */
    public static Request chmod(int id, byte[] path, int mode, boolean noFollow) {
        return make(Message.CHMOD, id, noFollow ? Message.FLAG_NO_FOLLOW : 0, path, null, 0, mode, 0, 0);
    }

    /**
     * A UTIMENS request.
     *
     * @param accessNanos the access time in nanoseconds since the epoch, or {@link #OMIT}
     * @param modifiedNanos the modification time in nanoseconds since the epoch, or {@link #OMIT}
     */
    public static Request utimens(int id, byte[] path, long accessNanos, long modifiedNanos, boolean noFollow) {
        return make(Message.UTIMENS, id, noFollow ? Message.FLAG_NO_FOLLOW : 0, path, null, 0, 0, accessNanos, modifiedNanos);
    }

    /** A TRUNCATE request; {@code length} &gt;= 0. */
    public static Request truncate(int id, byte[] path, long length) {
        return make(Message.TRUNCATE, id, 0, path, null, 0, 0, length, 0);
    }

    /**
     * A WATCH request: add an inotify watch for {@code mask} on the directory {@code path} to the
     * inotify instance that travels with the request (the caller sends it alongside).
     *
     * @param mask a non-empty subset of {@link Message#WATCH_EVENTS}
     * @throws IllegalArgumentException if the path or mask breaks the format's rules
     */
    public static Request watch(int id, byte[] path, int mask) {
        return make(Message.WATCH, id, 0, path, null, 0, mask, 0, 0);
    }

    private static Request make(int type, int id, int flags, byte[] path, byte[] second, int openFlags, int mode,
                                long first, long last) {
        Objects.requireNonNull(path, "path");
        // Copy first, so that a caller mutating an array cannot beat the check.
        byte[] copy = path.clone();
        byte[] secondCopy = second == null ? null : second.clone();
        String problem = check(type, copy, secondCopy, mode, first);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return new Request(type, id, flags, copy, secondCopy, openFlags, mode, first, last);
    }

    /** The rules both the factories and the decoder apply; null if every field is acceptable. */
    static String check(int type, byte[] path, byte[] second, int mode, long first) {
        String problem = Message.checkPath(path);
        if (problem == null && second != null) {
            problem = type == Message.SYMLINK ? Message.checkTarget(second) : Message.checkPath(second);
        }
        if (problem == null) {
            problem = Message.checkMode(type, mode);
        }
        if (problem == null) {
            problem = Message.checkLongs(type, first);
        }
        return problem;
    }

    /** The request id, which the reply echoes so that concurrent requests can share the channel. */
    public int id() {
        return id;
    }

    /** The message type, one of the request types in {@link Message}. */
    public int type() {
        return type;
    }

    /** The path's bytes: a fresh copy on every call, so callers cannot change this request. */
    public byte[] path() {
        return path.clone();
    }

    /** The codec's view of the path, without the copy. Callers in this package must not modify it. */
    byte[] pathBytes() {
        return path;
    }

    /**
     * The second path (RENAME's target, LINK's existing file) or SYMLINK's target, as a fresh
     * copy; null for the other types.
     */
    public byte[] second() {
        return second == null ? null : second.clone();
    }

    /** The codec's view of {@link #second()}, without the copy. */
    byte[] secondBytes() {
        return second;
    }

    /** The header flag bits, as the codec sends them. */
    int flags() {
        return flags;
    }

    /** The {@code open(2)} flags of an OPEN, as sent. */
    public int openFlags() {
        return openFlags;
    }

    /**
     * The mode: creation mode (OPEN, MKDIR), new mode (CHMOD), access bits (ACCESS) or the inotify
     * event mask (WATCH).
     */
    public int mode() {
        return mode;
    }

    /** Whether an OPEN caller wants EISDIR when the path names a directory. */
    public boolean refuseDirectory() {
        return (flags & Message.FLAG_REFUSE_DIRECTORY) != 0;
    }

    /** Whether STAT, CHMOD or UTIMENS act on a symbolic link itself. */
    public boolean noFollow() {
        return (flags & Message.FLAG_NO_FOLLOW) != 0;
    }

    /** Whether an UNLINK removes a directory. */
    public boolean directory() {
        return (flags & Message.FLAG_DIRECTORY) != 0;
    }

    /** Whether an UNLINK removes a file or a directory, whichever the path names. */
    public boolean either() {
        return (flags & Message.FLAG_EITHER) != 0;
    }

    /** Whether a RENAME must not replace an existing target. */
    public boolean noReplace() {
        return (flags & Message.FLAG_NO_REPLACE) != 0;
    }

    /** UTIMENS access time, or TRUNCATE length. */
    public long firstNumber() {
        return first;
    }

    /** UTIMENS modification time. */
    public long secondNumber() {
        return last;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Request)) {
            return false;
        }
        Request other = (Request) o;
        return type == other.type
                && id == other.id
                && flags == other.flags
                && openFlags == other.openFlags
                && mode == other.mode
                && first == other.first
                && last == other.last
                && Arrays.equals(path, other.path)
                && Arrays.equals(second, other.second);
    }

    @Override
    public int hashCode() {
        int h = type * 31 + id;
        h = 31 * h + flags;
        h = 31 * h + Arrays.hashCode(path);
        h = 31 * h + Arrays.hashCode(second);
        h = 31 * h + openFlags;
        h = 31 * h + mode;
        h = 31 * h + Long.hashCode(first);
        return 31 * h + Long.hashCode(last);
    }

    /**
     * For logs and test failures. Bytes outside printable ASCII appear as {@code \xNN}: the paths
     * come from untrusted code, and must not be able to forge lines in an audit log.
     */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(path.length + 64);
        s.append(Message.typeName(type)).append(" #").append(Integer.toUnsignedString(id)).append(' ');
        escape(path, s);
        if (second != null) {
            s.append(type == Message.SYMLINK ? " -> " : " ");
            escape(second, s);
        }
        int body = Message.body(type);
        if ((body & Message.OPEN_FLAGS) != 0) {
            s.append(" flags=0x").append(Integer.toHexString(openFlags));
        }
        if (type == Message.WATCH) {
            s.append(" mask=0x").append(Integer.toHexString(mode));
        } else if ((body & Message.MODE) != 0) {
            s.append(" mode=0").append(Integer.toOctalString(mode));
        }
        if ((body & Message.ONE_LONG) != 0) {
            s.append(" length=").append(first);
        }
        if ((body & Message.TWO_LONGS) != 0) {
            s.append(" atime=").append(first == OMIT ? "omit" : Long.toString(first));
            s.append(" mtime=").append(last == OMIT ? "omit" : Long.toString(last));
        }
        if (refuseDirectory()) {
            s.append(" refuseDirectory");
        }
        if (noFollow()) {
            s.append(" noFollow");
        }
        if (directory()) {
            s.append(" directory");
        }
        if (either()) {
            s.append(" either");
        }
        if (noReplace()) {
            s.append(" noReplace");
        }
        return s.toString();
    }

    private static void escape(byte[] bytes, StringBuilder s) {
        for (byte b : bytes) {
            int c = b & 0xFF;
            if (c >= 0x20 && c < 0x7F && c != '\\') {
                s.append((char) c);
            } else {
                s.append(String.format("\\x%02x", c));
            }
        }
    }
}
