package dev.airlock.ipc;

/**
 * The limits of the broker-helper wire format, and the validation rules that both the
 * constructors of {@link Request}, {@link Reply} and their parts (through
 * {@link IllegalArgumentException}) and the decoders (through {@link ProtocolException}) apply, so
 * that the two sides cannot drift apart. What each request type carries is its {@link Operation}.
 *
 * <p>A message is one {@code SOCK_SEQPACKET} datagram: a 12-byte big-endian header (magic
 * {@code "ARLK"}, version, type, flags, request id) followed by the body of its type: a request's
 * path and the fields of its {@link Operation#body()}, or a reply's kind and what that kind
 * carries ({@link MessageCodec}). The limits here are hard: the broker decodes messages crafted by
 * untrusted code, and every length it reads is checked against them before anything is allocated.
 *
 * <p>Public because the helper sizes its receive buffer by {@link #MAX_SIZE} and may refuse an
 * over-long path locally ({@link #MAX_PATH_LENGTH}) rather than spend a round trip on it.
 */
public final class Message {
    /** The largest message, in bytes, that either side sends or accepts, but for a SEND_DATAGRAM. */
    public static final int MAX_SIZE = 8192;

    /**
     * The largest UDP payload a SEND_DATAGRAM carries: 65,535 less the 8-byte UDP header (IPv6's
     * limit without jumbograms; over IPv4 the IP header takes 20 more, and the kernel answers a
     * larger one EMSGSIZE, as it would the program's own send).
     */
    public static final int MAX_DATAGRAM_PAYLOAD = 65_527;

    /**
     * The largest request: a SEND_DATAGRAM with the largest payload (and the socket it names). Only that operation may be
     * over {@link #MAX_SIZE} ({@link Operation#maxSize()}), so the broker's one receive buffer is
     * bounded by this and every other request keeps the smaller limit.
     */
    public static final int MAX_REQUEST_SIZE =
            Message.HEADER_SIZE + InetEndpoint.WIRE_SIZE + 2 + MAX_DATAGRAM_PAYLOAD + 4;

    /**
     * The inotify events a WATCH may ask for: those the JDK's LinuxWatchService asks for
     * (IN_MODIFY, IN_ATTRIB for ENTRY_MODIFY; IN_MOVED_FROM, IN_DELETE for ENTRY_DELETE;
     * IN_MOVED_TO, IN_CREATE for ENTRY_CREATE). Every other bit, the behaviour flags
     * (IN_DONT_FOLLOW, IN_MASK_ADD, IN_ONLYDIR, ...) included, is refused: the broker decides on the
     * directory it resolved itself, and nothing the helper asks for may change what is watched.
     */
    public static final int WATCH_EVENTS = 0x002 | 0x004 | 0x040 | 0x080 | 0x100 | 0x200;

    /** The message type of every reply; requests use their {@link Operation#code()}. */
    static final int REPLY = 0x81;

    /** The longest path a request may carry, in bytes (each of its paths). */
    public static final int MAX_PATH_LENGTH = 4096;

    /** The longest reason a reply may carry, in UTF-8 bytes. */
    public static final int MAX_REASON_LENGTH = 1024;

    /** The longest data a reply may carry: a link target, which the kernel caps at PATH_MAX. */
    public static final int MAX_DATA_LENGTH = 4096;

    /** {@code "ARLK"} in ASCII: lets a peer that is not speaking this protocol fail at once. */
    static final int MAGIC = 0x41524C4B;

    /** 2: replies say their kind explicitly (version 1 inferred a denial from a reason), and TRUNCATE is gone. */
    static final int VERSION = 2;

    static final int HEADER_SIZE = 12;

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

    // A reply's kind, the first byte of its body; what follows it is fixed by the kind (MessageCodec).
    static final int KIND_DONE = 1;
    static final int KIND_DESCRIPTOR = 2;
    static final int KIND_DATA = 3;
    static final int KIND_STATUS = 4;
    static final int KIND_WATCH = 5;
    static final int KIND_DENIED = 6;
    static final int KIND_FAILED = 7;
    static final int KIND_BROKER_ERROR = 8;
    static final int KIND_SOCKET = 9;
    static final int KIND_ADDRESSES = 10;
    static final int KIND_UNRESOLVED = 11;
    static final int KIND_HOST_NAME = 12;

    /**
     * The longest host name a RESOLVE or a host-name reply carries, in characters (all ASCII): a
     * DNS name is at most 253 characters written out; the rest leaves room for a trailing dot and
     * an IPv6 literal with a scope.
     */
    public static final int MAX_HOST_NAME_LENGTH = 255;

    /** The most addresses one {@link Reply.Addresses} carries; a longer answer is cut to its first ones. */
    public static final int MAX_ADDRESSES = 64;
    // 10, 11 and 12 are name resolution's.
    static final int KIND_SENT = 13;

    /** The largest TCP port. */
    static final int MAX_PORT = 65535;

    /** errno values are small positive numbers on Linux; 4095 is the kernel's MAX_ERRNO. */
    static final int MAX_ERRNO = 4095;

    static final int MAX_MODE = 07777;

    private Message() {}

    /** A type's name for messages; unknown types as hex so the raw value stays visible. */
    static String typeName(int type) {
        Operation operation = Operation.ofCode(type);
        if (operation != null) {
            return operation.name();
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

    /** Returns null if {@code mode} is acceptable, else what is wrong with it. */
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

    /** Returns null if {@code bits} are acceptable access(2) bits (R_OK, W_OK, X_OK; 0 is F_OK), else what is wrong. */
    static String checkAccessBits(int bits) {
        return bits < 0 || bits > 7 ? "access mode " + bits + " out of range 0..7" : null;
    }

    /** Returns null if {@code mask} is a non-empty subset of {@link #WATCH_EVENTS}, else what is wrong. */
    static String checkWatchMask(int mask) {
        if (mask == 0) {
            return "watch mask is empty";
        }
        int other = mask & ~WATCH_EVENTS;
        return other != 0 ? "watch mask has bits " + hex8(other) + " outside the allowed " + hex8(WATCH_EVENTS) : null;
    }

    /** Returns null if {@code errno} is a failure's errno (1..{@value #MAX_ERRNO}), else what is wrong. */
    static String checkFailureErrno(int errno) {
        if (errno == 0) {
            return "errno 0 means success: a failure needs errno 1.." + MAX_ERRNO;
        }
        if (errno < 0 || errno > MAX_ERRNO) {
            return "errno " + errno + " out of range 1.." + MAX_ERRNO;
        }
        return null;
    }

    /** Linux's EPERM and EACCES: the only errno values a denial may report. */
    private static final int EPERM = 1;

    private static final int EACCES = 13;

    /** Returns null if {@code errno} is what a denial reports (EACCES or EPERM), else what is wrong. */
    static String checkDenialErrno(int errno) {
        return errno == EACCES || errno == EPERM ? null : "a denial reports EACCES or EPERM, not errno " + errno;
    }

    /**
     * Checks an endpoint's parts ({@link InetEndpoint}): a 4- or 16-byte address, a port
     * 0..65535, a scope id that is 0 for IPv4 and not negative for IPv6.
     *
     * @return null if acceptable, else what is wrong
     */
    static String checkEndpoint(int addressLength, int port, int scopeId) {
        if (addressLength != 4 && addressLength != 16) {
            return "address of " + addressLength + " bytes, expected 4 (IPv4) or 16 (IPv6)";
        }
        if (port < 0 || port > MAX_PORT) {
            return "port " + port + " out of range 0.." + MAX_PORT;
        }
        if (scopeId < 0 || (addressLength == 4 && scopeId != 0)) {
            return "scope id " + scopeId + (addressLength == 4 ? " on an IPv4 address" : " is negative");
        }
        return null;
    }

    /**
     * Checks a host name as RESOLVE and the host-name reply carry it: 1 to
     * {@value #MAX_HOST_NAME_LENGTH} characters, each an ASCII letter or digit, {@code .},
     * {@code -} or {@code _} (names), {@code :} or {@code %} (the text of an IPv6 address with a
     * scope, which a reverse lookup answers when no granted name is found). Nothing else: a name
     * is handed to the broker's resolver and written into policy reasons, so no NUL, blank,
     * control character or non-ASCII letter (an internationalised name is the program's to turn
     * into its ASCII form, as {@code java.net.IDN} does) gets that far.
     *
     * @return null if acceptable, else what is wrong
     */
    static String checkHostName(String name) {
        if (name.isEmpty() || name.length() > MAX_HOST_NAME_LENGTH) {
            return "host name length " + name.length() + " out of range 1.." + MAX_HOST_NAME_LENGTH;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '.'
                    || c == '-'
                    || c == '_'
                    || c == ':'
                    || c == '%';
            if (!ok) {
                return "host name has character " + String.format("U+%04X", (int) c) + " at index " + i
                        + "; a host name is ASCII letters, digits, '.', '-', '_', ':' and '%'";
            }
        }
        return null;
    }

    /** Returns null if {@code count} addresses fit one {@link Reply.Addresses} (1..{@value #MAX_ADDRESSES}), else what is wrong. */
    static String checkAddressCount(int count) {
        return count < 1 || count > MAX_ADDRESSES
                ? "address count " + count + " out of range 1.." + MAX_ADDRESSES
                : null;
    }

    /** Checks a {@link HostAddress}'s parts: 4 or 16 bytes, a scope id 0 for IPv4 and not negative for IPv6. */
    static String checkAddress(int addressLength, int scopeId) {
        return checkEndpoint(addressLength, 0, scopeId);
    }

    /** Returns null if {@code backlog} is a BIND's backlog (0: bind only; else listen with it), else what is wrong. */
    static String checkBacklog(int backlog) {
        return backlog < 0 ? "backlog " + backlog + " is negative" : null;
    }

    /** Returns null if {@code number} can be a descriptor number (0 or more), else what is wrong. */
    static String checkDescriptorNumber(int number) {
        return number < 0 ? "descriptor number " + number + " is negative" : null;
    }

    /** Returns null if {@code family} is an address family's wire value (4 or 6), else what is wrong. */
    static String checkFamily(int family) {
        return family == 4 || family == 6 ? null : "address family " + family + ", expected 4 or 6";
    }

    /** Returns null if a datagram payload of {@code length} bytes fits a SEND_DATAGRAM, else what is wrong. */
    static String checkPayloadLength(int length) {
        return length < 0 || length > MAX_DATAGRAM_PAYLOAD
                ? "datagram payload of " + length + " bytes out of range 0.." + MAX_DATAGRAM_PAYLOAD
                : null;
    }

    /** Returns null if {@code sent} is a byte count a SEND_DATAGRAM may report, else what is wrong. */
    static String checkSent(int sent) {
        return sent < 0 || sent > MAX_DATAGRAM_PAYLOAD
                ? "sent byte count " + sent + " out of range 0.." + MAX_DATAGRAM_PAYLOAD
                : null;
    }

    /** Returns null if {@code watch} is a watch descriptor the kernel could return (positive), else what is wrong. */
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
