package dev.airlock.ipc;

import java.util.List;

/**
 * Every request type of the broker-helper protocol, with what the wire format says about it: its
 * code in the header's type byte, the flag bits it may carry, the fields that follow its path (one
 * of which may name a descriptor of the helper's, {@link Field#DESCRIPTOR}), and what a success
 * may carry. No request carries a descriptor itself (SCM_RIGHTS): the broker takes one a request
 * names from the helper ({@link HelperDescriptor}). One constant per
 * {@link Request} record; the codec, the broker and the client all read these, so adding an
 * operation is this constant plus its record (both checked by the compiler: the decoder's switch
 * over this enum and {@link Request.Handler} are exhaustive).
 */
public enum Operation {
    /** Open a file by path; answered with the descriptor. */
    OPEN(0x01, Message.FLAG_REFUSE_DIRECTORY, SuccessShape.DESCRIPTOR),
    /**
     * An {@code O_PATH} descriptor for the file's metadata, decided as read; or, for a symbolic
     * link whose target the policy does not let the helper read, the link's status instead.
     */
    STAT(0x02, Message.FLAG_NO_FOLLOW, SuccessShape.DESCRIPTOR_OR_STATUS),
    /** {@code access(2)} with R_OK/W_OK/X_OK bits (0 is F_OK). */
    ACCESS(0x03, 0, SuccessShape.NOTHING),
    /** A symbolic link's target, answered as data. */
    READLINK(0x04, 0, SuccessShape.DATA),
    /** Create a directory with a mode. */
    MKDIR(0x05, 0, SuccessShape.NOTHING),
    /** Remove a name: a file, a directory, or either ({@link Request.RemoveKind}). */
    UNLINK(0x06, Message.FLAG_DIRECTORY | Message.FLAG_EITHER, SuccessShape.NOTHING),
    /** Rename the path to the second path. */
    RENAME(0x07, Message.FLAG_NO_REPLACE, SuccessShape.NOTHING),
    /** Make the path a new hard link to the existing second path. */
    LINK(0x08, 0, SuccessShape.NOTHING),
    /** Make the path a symbolic link holding a {@link LinkTarget}. */
    SYMLINK(0x09, 0, SuccessShape.NOTHING),
    /** Change a file's mode bits. */
    CHMOD(0x0A, Message.FLAG_NO_FOLLOW, SuccessShape.NOTHING),
    /** Set a file's access and modification times, in nanoseconds. */
    UTIMENS(0x0B, Message.FLAG_NO_FOLLOW, SuccessShape.NOTHING),
    // 0x0C was TRUNCATE, which the broker served but no helper ever sent: removed, and its code
    // not reused, so a peer speaking an older version cannot be misread.
    /**
     * Add an inotify watch on a directory, decided as read on it, to the helper's inotify instance
     * the request names. Answered with the watch descriptor.
     */
    WATCH(0x0D, 0, SuccessShape.WATCH_DESCRIPTOR),
    /**
     * Connect the helper's TCP socket the request names to an {@link InetEndpoint}, decided as {@code connect} on it. The broker connects without
     * blocking (a socket of its own with the helper's options, or the helper's own if the broker
     * bound it before) and answers at once with the socket, connected or still connecting, for the
     * helper to put in place of its own. No path.
     */
    CONNECT(0x10, 0, SuccessShape.SOCKET),
    /**
     * Bind the helper's TCP socket the request names to a local
     * {@link InetEndpoint}, decided as {@code listen} on it, and listen on it when the backlog is
     * not 0; answered with the socket for the helper to put in place of its own. No path.
     */
    BIND(0x11, 0, SuccessShape.SOCKET),
    /**
     * Resolve a host name to its addresses, decided as {@code resolve} on the name
     * ({@code Policy#decideResolve}) before the broker looks anything up: answered with the
     * addresses ({@link Reply.Addresses}) or with {@link Reply.Unresolved} when the name does not
     * resolve. The broker remembers what it answered, so that a grant by that name covers those
     * addresses (and only those) for connects. No path, no descriptor.
     */
    RESOLVE(0x12, 0, SuccessShape.ADDRESSES),
    /**
     * Find the host name of an address: answered with the name ({@link Reply.HostName}) when the
     * broker's reverse lookup finds one that resolves back to the address and that the policy lets
     * the program resolve, else with the address's own text. No path, no descriptor.
     */
    REVERSE_RESOLVE(0x15, 0, SuccessShape.HOST_NAME),
    /**
     * A new, unbound UDP socket of a {@link Request.Family}, made in the broker's network
     * namespace (the helper may not make one: seccomp), answered with its descriptor for the
     * helper to use as its datagram socket. Nothing is decided: the socket reaches nothing until a
     * BIND, a CONNECT or a SEND_DATAGRAM does, each decided by the policy. No path.
     */
    DATAGRAM(0x13, 0, SuccessShape.DESCRIPTOR),
    /**
     * One datagram sent by the broker on the helper's UDP socket the request names, to an {@link InetEndpoint}, decided as the JDK's send decided it
     * (connect, or for a multicast group connect and accept); answered with the bytes sent. The
     * only request that may exceed {@link Message#MAX_SIZE}: its payload is up to
     * {@value Message#MAX_DATAGRAM_PAYLOAD} bytes ({@link Message#MAX_REQUEST_SIZE}). No path.
     */
    SEND_DATAGRAM(0x14, 0, SuccessShape.SENT);

    /** A field that follows a request's path on the wire, in this order. */
    public enum Field {
        /** A second absolute path (u16 length and bytes). */
        SECOND_PATH(-1),
        /** A symbolic link's target (u16 length and bytes). */
        LINK_TARGET(-1),
        /** {@code open(2)} flags, s32. */
        OPEN_FLAGS(4),
        /** A mode, s32, 0..07777. */
        MODE(4),
        /** {@code access(2)} bits, s32, 0..7. */
        ACCESS_BITS(4),
        /** An inotify event mask, s32, a non-empty subset of {@link Message#WATCH_EVENTS}. */
        EVENT_MASK(4),
        /** Nanoseconds since the epoch or {@link Request#OMIT}, s64. */
        ACCESS_TIME(8),
        /** Nanoseconds since the epoch or {@link Request#OMIT}, s64. */
        MODIFICATION_TIME(8),
        /** An {@link InetEndpoint}, {@value InetEndpoint#WIRE_SIZE} bytes. */
        ENDPOINT(InetEndpoint.WIRE_SIZE),
        /** A listen backlog, s32, 0 for none (bind only). */
        BACKLOG(4),
        /** A host name (u16 length and ASCII, {@link Message#checkHostName}). */
        HOST_NAME(-1),
        /** A {@link HostAddress}, {@value HostAddress#WIRE_SIZE} bytes. */
        ADDRESS(HostAddress.WIRE_SIZE),
        /** An address family, s32: 4 (IPv4) or 6 (IPv6), {@link Request.Family}. */
        FAMILY(4),
        /** A datagram's payload: u16 length, 0..{@value Message#MAX_DATAGRAM_PAYLOAD}, and bytes. */
        PAYLOAD(-1),
        /**
         * A {@link HelperDescriptor}: a descriptor number in the helper, s32, 0 or more. Always the
         * last field, so that a request of the format before it (one that carried its descriptor
         * with SCM_RIGHTS instead) is four bytes short and refused, never misread.
         */
        DESCRIPTOR(4);

        private final int size;

        Field(int size) {
            this.size = size;
        }

        /** Its fixed size in bytes, or -1 for a length-prefixed byte string. */
        public int size() {
            return size;
        }
    }

    /** What a success of an operation may carry; anything else means the broker is not speaking the protocol. */
    public enum SuccessShape {
        /** Nothing ({@link Reply.Done}). */
        NOTHING,
        /** A descriptor ({@link Reply.Descriptor}). */
        DESCRIPTOR,
        /** A descriptor, or a file's status ({@link Reply.Status}). */
        DESCRIPTOR_OR_STATUS,
        /** Data ({@link Reply.Data}). */
        DATA,
        /** A watch descriptor ({@link Reply.WatchDescriptor}). */
        WATCH_DESCRIPTOR,
        /** A socket and its state ({@link Reply.Socket}). */
        SOCKET,
        /** A name's addresses ({@link Reply.Addresses}), or that it has none ({@link Reply.Unresolved}). */
        ADDRESSES,
        /** A host name ({@link Reply.HostName}). */
        HOST_NAME,
        /** The bytes a datagram carried ({@link Reply.Sent}). */
        SENT;

        /** Whether {@code success} has this shape. */
        public boolean admits(Reply.Success success) {
            switch (this) {
                case NOTHING:
                    return success instanceof Reply.Done;
                case DESCRIPTOR:
                    return success instanceof Reply.Descriptor;
                case DESCRIPTOR_OR_STATUS:
                    return success instanceof Reply.Descriptor || success instanceof Reply.Status;
                case DATA:
                    return success instanceof Reply.Data;
                case WATCH_DESCRIPTOR:
                    return success instanceof Reply.WatchDescriptor;
                case SOCKET:
                    return success instanceof Reply.Socket;
                case ADDRESSES:
                    return success instanceof Reply.Addresses || success instanceof Reply.Unresolved;
                case HOST_NAME:
                    return success instanceof Reply.HostName;
                case SENT:
                    return success instanceof Reply.Sent;
                default:
                    throw new AssertionError(this);
            }
        }
    }

    private static final Operation[] BY_CODE = new Operation[256];

    static {
        for (Operation o : values()) {
            BY_CODE[o.code] = o;
        }
    }

    private final int code;
    private final int flags;
    private final SuccessShape success;

    Operation(int code, int flags, SuccessShape success) {
        this.code = code;
        this.flags = flags;
        this.success = success;
    }

    /** The header's type byte for this operation. */
    public int code() {
        return code;
    }

    /** The header flag bits this operation may carry; any other bit set is a protocol error. */
    public int flags() {
        return flags;
    }

    /**
     * The fields that follow the path (for an operation without one, {@link #hasPath}, the whole
     * body), in wire order. A switch rather than a constructor argument
     * so that the enum holds no list, which Error Prone cannot see is immutable; the switch covers
     * every constant or does not compile.
     */
    public List<Field> body() {
        return switch (this) {
            case OPEN -> List.of(Field.OPEN_FLAGS, Field.MODE);
            case STAT -> List.of();
            case ACCESS -> List.of(Field.ACCESS_BITS);
            case READLINK -> List.of();
            case MKDIR -> List.of(Field.MODE);
            case UNLINK -> List.of();
            case RENAME -> List.of(Field.SECOND_PATH);
            case LINK -> List.of(Field.SECOND_PATH);
            case SYMLINK -> List.of(Field.LINK_TARGET);
            case CHMOD -> List.of(Field.MODE);
            case UTIMENS -> List.of(Field.ACCESS_TIME, Field.MODIFICATION_TIME);
            case WATCH -> List.of(Field.EVENT_MASK, Field.DESCRIPTOR);
            case CONNECT -> List.of(Field.ENDPOINT, Field.DESCRIPTOR);
            case BIND -> List.of(Field.ENDPOINT, Field.BACKLOG, Field.DESCRIPTOR);
            case RESOLVE -> List.of(Field.HOST_NAME);
            case REVERSE_RESOLVE -> List.of(Field.ADDRESS);
            case DATAGRAM -> List.of(Field.FAMILY);
            case SEND_DATAGRAM -> List.of(Field.ENDPOINT, Field.PAYLOAD, Field.DESCRIPTOR);
        };
    }

    /** The largest request of this operation, in bytes: {@link Message#MAX_SIZE} for all but SEND_DATAGRAM. */
    public int maxSize() {
        return this == SEND_DATAGRAM ? Message.MAX_REQUEST_SIZE : Message.MAX_SIZE;
    }

    /**
     * Whether a request of this operation starts with a path ({@link Request.FileRequest}); the
     * socket operations carry an endpoint instead, name resolution a name or an address.
     */
    public boolean hasPath() {
        return this != CONNECT
                && this != BIND
                && this != RESOLVE
                && this != REVERSE_RESOLVE
                && this != DATAGRAM
                && this != SEND_DATAGRAM;
    }

    /** What a success may carry. */
    public SuccessShape success() {
        return success;
    }

    /** The operation with wire code {@code code}, or null if there is none. */
    public static Operation ofCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
