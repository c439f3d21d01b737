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

    /** Request type: open a file by path; answered by a {@link #REPLY}. */
    public static final int OPEN = 0x01;

    /** Reply type: an errno, or success with one descriptor attached. */
    public static final int REPLY = 0x81;

    /** The longest path an OPEN request may carry, in bytes. */
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

    /** errno values are small positive numbers on Linux; 4095 is the kernel's MAX_ERRNO. */
    static final int MAX_ERRNO = 4095;

    static final int MAX_MODE = 07777;

    /** Fixed part of an OPEN message: header, path length, open flags, mode. */
    static final int OPEN_FIXED_SIZE = HEADER_SIZE + 2 + 4 + 4;

    /** Fixed part of a REPLY message: header, errno, reason length. */
    static final int REPLY_FIXED_SIZE = HEADER_SIZE + 4 + 2;

    private Message() {
    }

    /** The flag bits defined for a message type; any other bit set is a protocol error. */
    static int definedFlags(int type) {
        return type == OPEN ? FLAG_REFUSE_DIRECTORY : FLAG_HAS_FD;
    }

    static boolean isKnownType(int type) {
        return type == OPEN || type == REPLY;
    }

    /** A type's name for messages; unknown types as hex so the raw value stays visible. */
    static String typeName(int type) {
        switch (type) {
            case OPEN:
                return "OPEN";
            case REPLY:
                return "REPLY";
            default:
                return hex2(type);
        }
    }

    /**
     * Checks an OPEN path against the format's rules.
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

    /** @return null if {@code errno} is within the range the wire allows, else what is wrong */
    static String checkErrno(int errno) {
        if (errno < 0 || errno > MAX_ERRNO) {
            return "errno " + errno + " out of range 0.." + MAX_ERRNO;
        }
        return null;
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
