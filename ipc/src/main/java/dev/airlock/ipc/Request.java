package dev.airlock.ipc;

import java.util.Arrays;
import java.util.Objects;

/**
 * A request from the helper to the broker, as it travels on the wire. Today there is one kind,
 * {@link Message#OPEN}: open this path with these {@code open(2)} flags and mode, and send back the
 * descriptor.
 *
 * <p>Immutable, so that the broker checks the policy and opens the file on one and the same value:
 * a path that could change between check and use would reopen the race the broker exists to close.
 * The path is raw bytes, exactly as the kernel will see them, because Java's idea of a file name's
 * charset and the file system's need not agree; the broker decides on the bytes it opens.
 *
 * <p>Every instance satisfies the format's rules ({@link #open} refuses anything else), so every
 * request can be encoded and decodes back to an equal request.
 */
public final class Request {
    private final int id;
    private final byte[] path;
    private final int openFlags;
    private final int mode;
    private final boolean refuseDirectory;

    /** Takes ownership of {@code path}; callers have already validated every field. */
    Request(int id, byte[] path, int openFlags, int mode, boolean refuseDirectory) {
        this.id = id;
        this.path = path;
        this.openFlags = openFlags;
        this.mode = mode;
        this.refuseDirectory = refuseDirectory;
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
        Objects.requireNonNull(path, "path");
        byte[] copy = path.clone(); // copy first, so a caller mutating the array cannot beat the check
        String problem = Message.checkPath(copy);
        if (problem == null) {
            problem = Message.checkMode(mode);
        }
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return new Request(id, copy, openFlags, mode, refuseDirectory);
    }

    /** The request id, which the reply echoes so that concurrent requests can share the channel. */
    public int id() {
        return id;
    }

    /** The message type; {@link Message#OPEN} for every request today. */
    public int type() {
        return Message.OPEN;
    }

    /** The path's bytes: a fresh copy on every call, so callers cannot change this request. */
    public byte[] path() {
        return path.clone();
    }

    /** The codec's view of the path, without the copy. Callers in this package must not modify it. */
    byte[] pathBytes() {
        return path;
    }

    /** The {@code open(2)} flags, as sent. */
    public int openFlags() {
        return openFlags;
    }

    /** The creation mode, 0..07777. */
    public int mode() {
        return mode;
    }

    /** Whether the caller wants EISDIR when the path names a directory. */
    public boolean refuseDirectory() {
        return refuseDirectory;
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
        return id == other.id
                && openFlags == other.openFlags
                && mode == other.mode
                && refuseDirectory == other.refuseDirectory
                && Arrays.equals(path, other.path);
    }

    @Override
    public int hashCode() {
        int h = id;
        h = 31 * h + Arrays.hashCode(path);
        h = 31 * h + openFlags;
        h = 31 * h + mode;
        return 31 * h + (refuseDirectory ? 1 : 0);
    }

    /**
     * For logs and test failures. Bytes outside printable ASCII appear as {@code \xNN}: the path
     * comes from untrusted code, and must not be able to forge lines in an audit log.
     */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(path.length + 64);
        s.append("OPEN #").append(Integer.toUnsignedString(id)).append(' ');
        for (byte b : path) {
            int c = b & 0xFF;
            if (c >= 0x20 && c < 0x7F && c != '\\') {
                s.append((char) c);
            } else {
                s.append(String.format("\\x%02x", c));
            }
        }
        s.append(" flags=0x").append(Integer.toHexString(openFlags));
        s.append(" mode=0").append(Integer.toOctalString(mode));
        if (refuseDirectory) {
            s.append(" refuseDirectory");
        }
        return s.toString();
    }
}
