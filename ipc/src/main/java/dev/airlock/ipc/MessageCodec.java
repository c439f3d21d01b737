package dev.airlock.ipc;

import static dev.airlock.ipc.Message.HEADER_SIZE;
import static dev.airlock.ipc.Message.MAX_REASON_LENGTH;
import static dev.airlock.ipc.Message.MAX_SIZE;
import static dev.airlock.ipc.Message.REPLY;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns {@link Request}s and {@link Reply}s, each with the id it travels under, into wire messages
 * and back (the limits are in {@link Message}, each request's body in its {@link Operation}).
 *
 * <p>A request is the header (its operation's code as the type, the operation's flags), the path
 * (u16 length and bytes; none for the socket operations, {@link Operation#hasPath}), then the
 * fields of {@link Operation#body()} in order: byte strings as u16 length and bytes, numbers as
 * big-endian s32 or s64, an endpoint as {@link InetEndpoint} lays it out. A reply is the header (type
 * {@code 0x81}, no flags) and a kind byte, then what that kind carries: nothing (done,
 * descriptor), data (u16 length and bytes), a file status ({@link FileStat#WIRE_SIZE} bytes), a
 * watch descriptor (s32), a socket's state (u8), a denial's errno (s32) and reason (u16 length and UTF-8), a failure's
 * errno (s32), or a broker error's reason (u16 length and UTF-8).
 *
 * <p>Decoding is strict because the broker decodes what untrusted code sends: every length is
 * checked against the bytes actually present and against the format's limits before it is used,
 * every unknown type, kind or flag bit is refused, trailing bytes are refused, each kind's fields
 * are checked as its record's constructor checks them, and any violation is a
 * {@link ProtocolException} with a precise message, never a runtime exception. Nothing is
 * allocated beyond the paths, data or reason, each bounded by the message's own length.
 *
 * <p>All reads and writes are absolute and byte by byte, so the buffer's byte order does not
 * matter (the wire is big-endian regardless) and a failed decode leaves the buffer's position
 * where it was. Stateless; safe from any thread.
 */
public final class MessageCodec {
    private MessageCodec() {}

    /**
     * Writes {@code request} under {@code id} at {@code out.position()} and advances the position
     * past it.
     *
     * @return the message's length in bytes
     * @throws IllegalArgumentException if the message does not fit in {@code out.remaining()};
     *     nothing is written then
     */
    public static int encode(int id, Request request, ByteBuffer out) {
        Operation operation = request.operation();
        byte[] path = request instanceof Request.FileRequest file ? file.path().wire() : null;
        int size = HEADER_SIZE + (path != null ? 2 + path.length : 0) + request.accept(BODY_SIZE);
        int at = reserve(out, size, operation.code());
        at = putHeader(out, at, operation.code(), request.accept(FLAGS), id);
        if (path != null) {
            at = putBytes(out, at, path);
        }
        at = request.accept(new BodyWriter(out, at));
        out.position(at);
        return size;
    }

    /** The header flags of each request, from its named fields ({@link Operation#flags()} says which it may carry). */
    private static final Request.Handler<Integer, RuntimeException> FLAGS = new Request.Handler<>() {
        @Override
        public Integer open(Request.Open r) {
            return r.refuseDirectory() ? Message.FLAG_REFUSE_DIRECTORY : 0;
        }

        @Override
        public Integer stat(Request.Stat r) {
            return r.noFollow() ? Message.FLAG_NO_FOLLOW : 0;
        }

        @Override
        public Integer access(Request.Access r) {
            return 0;
        }

        @Override
        public Integer readLink(Request.ReadLink r) {
            return 0;
        }

        @Override
        public Integer makeDirectory(Request.MakeDirectory r) {
            return 0;
        }

        @Override
        public Integer remove(Request.Remove r) {
            switch (r.kind()) {
                case DIRECTORY:
                    return Message.FLAG_DIRECTORY;
                case EITHER:
                    return Message.FLAG_EITHER;
                default:
                    return 0;
            }
        }

        @Override
        public Integer rename(Request.Rename r) {
            return r.noReplace() ? Message.FLAG_NO_REPLACE : 0;
        }

        @Override
        public Integer link(Request.Link r) {
            return 0;
        }

        @Override
        public Integer symbolicLink(Request.SymbolicLink r) {
            return 0;
        }

        @Override
        public Integer changeMode(Request.ChangeMode r) {
            return r.noFollow() ? Message.FLAG_NO_FOLLOW : 0;
        }

        @Override
        public Integer setTimes(Request.SetTimes r) {
            return r.noFollow() ? Message.FLAG_NO_FOLLOW : 0;
        }

        @Override
        public Integer watch(Request.Watch r) {
            return 0;
        }

        @Override
        public Integer connect(Request.Connect r) {
            return 0;
        }

        @Override
        public Integer bind(Request.Bind r) {
            return 0;
        }

        @Override
        public Integer resolve(Request.Resolve r) {
            return 0;
        }

        @Override
        public Integer reverseResolve(Request.ReverseResolve r) {
            return 0;
        }

        @Override
        public Integer datagram(Request.Datagram r) {
            return 0;
        }

        @Override
        public Integer sendDatagram(Request.SendDatagram r) {
            return 0;
        }
    };

    /** The size of what follows each request's path (the whole body of one without a path). */
    private static final Request.Handler<Integer, RuntimeException> BODY_SIZE = new Request.Handler<>() {
        @Override
        public Integer open(Request.Open r) {
            return 8;
        }

        @Override
        public Integer stat(Request.Stat r) {
            return 0;
        }

        @Override
        public Integer access(Request.Access r) {
            return 4;
        }

        @Override
        public Integer readLink(Request.ReadLink r) {
            return 0;
        }

        @Override
        public Integer makeDirectory(Request.MakeDirectory r) {
            return 4;
        }

        @Override
        public Integer remove(Request.Remove r) {
            return 0;
        }

        @Override
        public Integer rename(Request.Rename r) {
            return 2 + r.to().wire().length;
        }

        @Override
        public Integer link(Request.Link r) {
            return 2 + r.existing().wire().length;
        }

        @Override
        public Integer symbolicLink(Request.SymbolicLink r) {
            return 2 + r.target().wire().length;
        }

        @Override
        public Integer changeMode(Request.ChangeMode r) {
            return 4;
        }

        @Override
        public Integer setTimes(Request.SetTimes r) {
            return 16;
        }

        @Override
        public Integer watch(Request.Watch r) {
            return 4 + 4;
        }

        @Override
        public Integer connect(Request.Connect r) {
            return InetEndpoint.WIRE_SIZE + 4;
        }

        @Override
        public Integer bind(Request.Bind r) {
            return InetEndpoint.WIRE_SIZE + 4 + 4;
        }

        @Override
        public Integer resolve(Request.Resolve r) {
            return 2 + r.host().length(); // ASCII: one byte per character
        }

        @Override
        public Integer reverseResolve(Request.ReverseResolve r) {
            return HostAddress.WIRE_SIZE;
        }

        @Override
        public Integer datagram(Request.Datagram r) {
            return 4;
        }

        @Override
        public Integer sendDatagram(Request.SendDatagram r) {
            return InetEndpoint.WIRE_SIZE + 2 + r.payload().length() + 4;
        }
    };

    /** Writes what follows a request's path, in its operation's {@link Operation#body()} order; returns the end. */
    private static final class BodyWriter implements Request.Handler<Integer, RuntimeException> {
        private final ByteBuffer out;
        private final int at;

        BodyWriter(ByteBuffer out, int at) {
            this.out = out;
            this.at = at;
        }

        @Override
        public Integer open(Request.Open r) {
            return putS32(out, putS32(out, at, r.openFlags()), r.mode());
        }

        @Override
        public Integer stat(Request.Stat r) {
            return at;
        }

        @Override
        public Integer access(Request.Access r) {
            return putS32(out, at, r.accessBits());
        }

        @Override
        public Integer readLink(Request.ReadLink r) {
            return at;
        }

        @Override
        public Integer makeDirectory(Request.MakeDirectory r) {
            return putS32(out, at, r.mode());
        }

        @Override
        public Integer remove(Request.Remove r) {
            return at;
        }

        @Override
        public Integer rename(Request.Rename r) {
            return putBytes(out, at, r.to().wire());
        }

        @Override
        public Integer link(Request.Link r) {
            return putBytes(out, at, r.existing().wire());
        }

        @Override
        public Integer symbolicLink(Request.SymbolicLink r) {
            return putBytes(out, at, r.target().wire());
        }

        @Override
        public Integer changeMode(Request.ChangeMode r) {
            return putS32(out, at, r.mode());
        }

        @Override
        public Integer setTimes(Request.SetTimes r) {
            return putS64(out, putS64(out, at, r.accessNanos()), r.modifiedNanos());
        }

        @Override
        public Integer watch(Request.Watch r) {
            return putS32(out, putS32(out, at, r.eventMask()), r.instance().number());
        }

        @Override
        public Integer connect(Request.Connect r) {
            return putS32(out, putEndpoint(out, at, r.remote()), r.socket().number());
        }

        @Override
        public Integer bind(Request.Bind r) {
            return putS32(
                    out,
                    putS32(out, putEndpoint(out, at, r.local()), r.backlog()),
                    r.socket().number());
        }

        @Override
        public Integer resolve(Request.Resolve r) {
            return putBytes(out, at, r.host().getBytes(StandardCharsets.US_ASCII));
        }

        @Override
        public Integer reverseResolve(Request.ReverseResolve r) {
            return putAddress(out, at, r.address());
        }

        @Override
        public Integer datagram(Request.Datagram r) {
            return putS32(out, at, r.family().wire());
        }

        @Override
        public Integer sendDatagram(Request.SendDatagram r) {
            return putS32(
                    out,
                    putBytes(out, putEndpoint(out, at, r.target()), r.payload().wire()),
                    r.socket().number());
        }
    }

    /** An address: family byte (4 or 6), 16 address bytes (IPv4 in the first four, zeros after), scope s32. */
    private static int putAddress(ByteBuffer out, int at, HostAddress address) {
        return putS32(out, putAddressBytes(out, at, address.wire()), address.scopeId());
    }

    /** The part an address and an endpoint share: family byte (4 or 6), 16 address bytes (IPv4 in the first four, zeros after). */
    private static int putAddressBytes(ByteBuffer out, int at, byte[] address) {
        out.put(at, (byte) (address.length == 4 ? 4 : 6));
        for (int i = 0; i < 16; i++) {
            out.put(at + 1 + i, i < address.length ? address[i] : 0);
        }
        return at + 17;
    }

    /** Reads {@link #putAddressBytes}'s 17 bytes, known to be present, strictly: the address, 4 or 16 bytes. */
    private static byte[] getAddressBytes(ByteBuffer in, int at, String what) throws ProtocolException {
        int family = u8(in, at);
        if (family != 4 && family != 6) {
            throw new ProtocolException(what + " family " + family + ", expected 4 or 6");
        }
        int length = family == 4 ? 4 : 16;
        byte[] address = new byte[length];
        in.get(at + 1, address);
        for (int i = length; i < 16; i++) {
            if (in.get(at + 1 + i) != 0) {
                throw new ProtocolException(what + " has non-zero byte " + i + " after an IPv4 address");
            }
        }
        return address;
    }

    /** Reads an address whose {@value HostAddress#WIRE_SIZE} bytes are known to be present; checks it strictly. */
    private static HostAddress getAddress(ByteBuffer in, int at, String what) throws ProtocolException {
        byte[] address = getAddressBytes(in, at, what);
        int scope = s32(in, at + 17);
        fail(Message.checkAddress(address.length, scope));
        return HostAddress.trusted(address, scope);
    }

    /**
     * Reads a host name (u16 length, then ASCII) whose length field is at {@code at}, checked as
     * {@link Message#checkHostName} checks it, the length before anything is allocated.
     */
    private static String getHostName(ByteBuffer in, int at, int end, String what) throws ProtocolException {
        need(at, end, 2, what + " length");
        int n = u16(in, at);
        if (n < 1 || n > Message.MAX_HOST_NAME_LENGTH) {
            throw new ProtocolException(what + " length " + n + " out of range 1.." + Message.MAX_HOST_NAME_LENGTH);
        }
        need(at + 2, end, n, what);
        char[] chars = new char[n];
        for (int i = 0; i < n; i++) {
            chars[i] = (char) u8(in, at + 2 + i); // a byte above 0x7F becomes a character the check refuses
        }
        String name = new String(chars);
        fail(Message.checkHostName(name));
        return name;
    }

    /** An endpoint: family byte (4 or 6), 16 address bytes (IPv4 in the first four, zeros after), port u16, scope s32. */
    private static int putEndpoint(ByteBuffer out, int at, InetEndpoint endpoint) {
        at = putU16(out, putAddressBytes(out, at, endpoint.wire()), endpoint.port());
        return putS32(out, at, endpoint.scopeId());
    }

    /** Reads an endpoint whose {@value InetEndpoint#WIRE_SIZE} bytes are known to be present; checks it strictly. */
    private static InetEndpoint getEndpoint(ByteBuffer in, int at, String what) throws ProtocolException {
        byte[] address = getAddressBytes(in, at, what);
        int port = u16(in, at + 17);
        int scope = s32(in, at + 19);
        fail(Message.checkEndpoint(address.length, port, scope));
        return InetEndpoint.trusted(address, port, scope);
    }

    /**
     * Writes {@code reply} under {@code id} at {@code out.position()} and advances the position
     * past it. The caller sends the descriptor alongside exactly when
     * {@link Reply#carriesDescriptor()}.
     *
     * @return the message's length in bytes
     * @throws IllegalArgumentException if the message does not fit in {@code out.remaining()};
     *     nothing is written then
     */
    public static int encode(int id, Reply reply, ByteBuffer out) {
        int kind;
        int size = HEADER_SIZE + 1;
        // The records guarantee that a reason is well-formed and fits, so this is its exact UTF-8 form.
        byte[] reason = null;
        if (reply instanceof Reply.Done) {
            kind = Message.KIND_DONE;
        } else if (reply instanceof Reply.Descriptor) {
            kind = Message.KIND_DESCRIPTOR;
        } else if (reply instanceof Reply.Data data) {
            kind = Message.KIND_DATA;
            size += 2 + data.wire().length;
        } else if (reply instanceof Reply.Status) {
            kind = Message.KIND_STATUS;
            size += FileStat.WIRE_SIZE;
        } else if (reply instanceof Reply.WatchDescriptor) {
            kind = Message.KIND_WATCH;
            size += 4;
        } else if (reply instanceof Reply.Socket) {
            kind = Message.KIND_SOCKET;
            size += 1;
        } else if (reply instanceof Reply.Addresses addresses) {
            kind = Message.KIND_ADDRESSES;
            size += 1 + addresses.addresses().size() * HostAddress.WIRE_SIZE;
        } else if (reply instanceof Reply.Unresolved) {
            kind = Message.KIND_UNRESOLVED;
        } else if (reply instanceof Reply.HostName name) {
            kind = Message.KIND_HOST_NAME;
            size += 2 + name.name().length();
        } else if (reply instanceof Reply.Sent) {
            kind = Message.KIND_SENT;
            size += 4;
        } else if (reply instanceof Reply.Denied denied) {
            kind = Message.KIND_DENIED;
            reason = denied.reason().getBytes(StandardCharsets.UTF_8);
            size += 4 + 2 + reason.length;
        } else if (reply instanceof Reply.Failed) {
            kind = Message.KIND_FAILED;
            size += 4;
        } else {
            kind = Message.KIND_BROKER_ERROR;
            reason = ((Reply.BrokerError) reply).reason().getBytes(StandardCharsets.UTF_8);
            size += 2 + reason.length;
        }
        int at = reserve(out, size, REPLY);
        at = putHeader(out, at, REPLY, 0, id);
        out.put(at++, (byte) kind);
        if (reply instanceof Reply.Data data) {
            at = putBytes(out, at, data.wire());
        } else if (reply instanceof Reply.Status status) {
            at = putStat(out, at, status.stat());
        } else if (reply instanceof Reply.WatchDescriptor watch) {
            at = putS32(out, at, watch.descriptor());
        } else if (reply instanceof Reply.Socket socket) {
            out.put(at++, (byte) socket.state().code());
        } else if (reply instanceof Reply.Addresses addresses) {
            out.put(at++, (byte) addresses.addresses().size());
            for (HostAddress a : addresses.addresses()) {
                at = putAddress(out, at, a);
            }
        } else if (reply instanceof Reply.HostName name) {
            at = putBytes(out, at, name.name().getBytes(StandardCharsets.US_ASCII));
        } else if (reply instanceof Reply.Sent sent) {
            at = putS32(out, at, sent.bytes());
        } else if (reply instanceof Reply.Denied denied) {
            at = putBytes(out, putS32(out, at, denied.errno()), reason);
        } else if (reply instanceof Reply.Failed failed) {
            at = putS32(out, at, failed.errno());
        } else if (reply instanceof Reply.BrokerError) {
            at = putBytes(out, at, reason);
        }
        out.position(at);
        return size;
    }

    /** The stat block: every field at a fixed offset, then a flags word (birth time present). */
    private static int putStat(ByteBuffer out, int at, FileStat stat) {
        at = putS32(out, at, stat.mode());
        at = putS64(out, at, stat.ino());
        at = putS64(out, at, stat.dev());
        at = putS64(out, at, stat.rdev());
        at = putS32(out, at, stat.nlink());
        at = putS32(out, at, stat.uid());
        at = putS32(out, at, stat.gid());
        at = putS64(out, at, stat.size());
        at = putS64(out, at, stat.atimeSeconds());
        at = putS32(out, at, stat.atimeNanos());
        at = putS64(out, at, stat.mtimeSeconds());
        at = putS32(out, at, stat.mtimeNanos());
        at = putS64(out, at, stat.ctimeSeconds());
        at = putS32(out, at, stat.ctimeNanos());
        at = putS64(out, at, stat.birthtimeSeconds());
        at = putS32(out, at, stat.birthtimeNanos());
        return putS32(out, at, stat.birthtimeAvailable() ? FileStat.WIRE_BIRTHTIME : 0);
    }

    /**
     * Decodes a request from exactly {@code length} bytes at {@code in.position()}. On success the
     * position advances by {@code length}; on failure it is unchanged.
     *
     * @throws ProtocolException if those bytes are not exactly one valid request, or if
     *     {@code length} is negative, over its operation's {@link Operation#maxSize()} or more than
     *     {@code in} holds
     */
    public static Envelope<Request> decodeRequest(ByteBuffer in, int length) throws ProtocolException {
        return decodeRequest(in, length, -1);
    }

    /**
     * {@link #decodeRequest(ByteBuffer, int)} for a request that arrived with
     * {@code descriptorsAttached} descriptors, which must be none: no request carries a descriptor
     * (one that acts on a descriptor names it, {@link HelperDescriptor}), so one that arrives with
     * any is refused whole rather than have a descriptor ride along unnoticed. The caller still
     * owns and closes the descriptors, whatever the outcome.
     *
     * @throws ProtocolException as the other overload, and when any descriptor was attached
     */
    public static Envelope<Request> decodeRequest(ByteBuffer in, int length, int descriptorsAttached)
            throws ProtocolException {
        if (descriptorsAttached < -1) {
            throw new IllegalArgumentException("negative descriptor count " + descriptorsAttached);
        }
        Envelope<Request> request = decodeRequestBody(in, length);
        if (descriptorsAttached > 0) {
            in.position(in.position() - length); // a failed decode leaves the position where it was
            throw new ProtocolException(request.message().operation() + " request carried " + descriptorsAttached
                    + " descriptor(s); no request carries any");
        }
        return request;
    }

    private static Envelope<Request> decodeRequestBody(ByteBuffer in, int length) throws ProtocolException {
        int start = checkLength(in, length, Message.MAX_REQUEST_SIZE);
        int end = start + length;
        int type = headerType(in, start, end);
        Operation operation = Operation.ofCode(type);
        if (operation == null) {
            throw new ProtocolException(
                    "unexpected message type " + Message.typeName(type) + " where a request belongs");
        }
        if (length > operation.maxSize()) {
            throw new ProtocolException(
                    operation + " request too large: " + length + " bytes, limit " + operation.maxSize());
        }
        String name = operation.name();
        int flags = headerFlags(in, start, type, operation.flags());
        if ((flags & (Message.FLAG_DIRECTORY | Message.FLAG_EITHER))
                == (Message.FLAG_DIRECTORY | Message.FLAG_EITHER)) {
            throw new ProtocolException("UNLINK sets both FLAG_DIRECTORY and FLAG_EITHER");
        }
        int id = s32(in, start + 8);

        int at = start + HEADER_SIZE;
        RequestPath path = null;
        if (operation.hasPath()) {
            byte[] pathBytes = getBytes(in, at, end, name + " path");
            at += 2 + pathBytes.length;
            fail(Message.checkPath(pathBytes));
            path = RequestPath.trusted(pathBytes);
        }
        // The fields of the operation's body, read in its order; each checked as its record's
        // constructor checks it, so that what decodes is exactly what could have been built.
        byte[] second = null;
        int[] ints = new int[2];
        long[] longs = new long[2];
        int intCount = 0;
        int longCount = 0;
        InetEndpoint endpoint = null;
        String host = null;
        HostAddress address = null;
        DatagramPayload payload = null;
        for (Operation.Field field : operation.body()) {
            String what =
                    name + " " + field.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
            if (field == Operation.Field.ENDPOINT) {
                need(at, end, InetEndpoint.WIRE_SIZE, what);
                endpoint = getEndpoint(in, at, what);
                at += InetEndpoint.WIRE_SIZE;
            } else if (field == Operation.Field.HOST_NAME) {
                host = getHostName(in, at, end, what);
                at += 2 + host.length();
            } else if (field == Operation.Field.ADDRESS) {
                need(at, end, HostAddress.WIRE_SIZE, what);
                address = getAddress(in, at, what);
                at += HostAddress.WIRE_SIZE;
            } else if (field == Operation.Field.PAYLOAD) {
                need(at, end, 2, what + " length");
                int n = u16(in, at);
                fail(Message.checkPayloadLength(n));
                need(at + 2, end, n, what);
                byte[] bytes = new byte[n];
                in.get(at + 2, bytes);
                at += 2 + n;
                payload = DatagramPayload.trusted(bytes);
            } else if (field.size() < 0) {
                second = getBytes(in, at, end, what);
                at += 2 + second.length;
                fail(field == Operation.Field.LINK_TARGET ? Message.checkTarget(second) : Message.checkPath(second));
            } else if (field.size() == 4) {
                need(at, end, 4, what);
                int value = s32(in, at);
                at += 4;
                fail(check(field, value));
                ints[intCount++] = value;
            } else {
                need(at, end, 8, what);
                longs[longCount++] = s64(in, at);
                at += 8;
            }
        }
        noTrailing(at, end, name, length);
        boolean noFollow = (flags & Message.FLAG_NO_FOLLOW) != 0;
        Request.RemoveKind removeKind = (flags & Message.FLAG_DIRECTORY) != 0
                ? Request.RemoveKind.DIRECTORY
                : (flags & Message.FLAG_EITHER) != 0 ? Request.RemoveKind.EITHER : Request.RemoveKind.FILE;
        // A switch expression over the enum without a default: an operation without its case here does not compile.
        Request request = switch (operation) {
            case OPEN -> new Request.Open(path, ints[0], ints[1], (flags & Message.FLAG_REFUSE_DIRECTORY) != 0);
            case STAT -> new Request.Stat(path, noFollow);
            case ACCESS -> new Request.Access(path, ints[0]);
            case READLINK -> new Request.ReadLink(path);
            case MKDIR -> new Request.MakeDirectory(path, ints[0]);
            case UNLINK -> new Request.Remove(path, removeKind);
            case RENAME ->
                new Request.Rename(path, RequestPath.trusted(second), (flags & Message.FLAG_NO_REPLACE) != 0);
            case LINK -> new Request.Link(path, RequestPath.trusted(second));
            case SYMLINK -> new Request.SymbolicLink(path, LinkTarget.trusted(second));
            case CHMOD -> new Request.ChangeMode(path, ints[0], noFollow);
            case UTIMENS -> new Request.SetTimes(path, longs[0], longs[1], noFollow);
            case WATCH -> new Request.Watch(path, ints[0], new HelperDescriptor(ints[1]));
            case CONNECT -> new Request.Connect(endpoint, new HelperDescriptor(ints[0]));
            case BIND -> new Request.Bind(endpoint, ints[0], new HelperDescriptor(ints[1]));
            case RESOLVE -> new Request.Resolve(host);
            case REVERSE_RESOLVE -> new Request.ReverseResolve(address);
            case DATAGRAM -> new Request.Datagram(Request.Family.ofWire(ints[0]));
            case SEND_DATAGRAM -> new Request.SendDatagram(endpoint, payload, new HelperDescriptor(ints[0]));
        };
        in.position(end);
        return new Envelope<>(id, request);
    }

    /** The rule of a 4-byte field, as its record's constructor applies it; null if acceptable. */
    private static String check(Operation.Field field, int value) {
        switch (field) {
            case MODE:
                return Message.checkMode(value);
            case ACCESS_BITS:
                return Message.checkAccessBits(value);
            case EVENT_MASK:
                return Message.checkWatchMask(value);
            case BACKLOG:
                return Message.checkBacklog(value);
            case FAMILY:
                return Message.checkFamily(value);
            case DESCRIPTOR:
                return Message.checkDescriptorNumber(value);
            default:
                return null; // open flags: any value, the broker's policy decides
        }
    }

    /**
     * Decodes a reply from exactly {@code length} bytes at {@code in.position()}. On success the
     * position advances by {@code length}; on failure it is unchanged.
     *
     * @param descriptorAttached whether the transport received exactly one descriptor with this
     *     message; it must agree with the reply's kind (only a descriptor success carries one), so
     *     that a descriptor is never mistaken for another request's or silently dropped
     * @throws ProtocolException if those bytes are not exactly one valid reply consistent with
     *     {@code descriptorAttached}, or if {@code length} is negative, over
     *     {@link Message#MAX_SIZE} or more than {@code in} holds
     */
    public static Envelope<Reply> decodeReply(ByteBuffer in, int length, boolean descriptorAttached)
            throws ProtocolException {
        int start = checkLength(in, length, MAX_SIZE);
        int end = start + length;
        int type = headerType(in, start, end);
        if (type != REPLY) {
            throw new ProtocolException("unexpected message type " + Message.typeName(type) + " where a reply belongs");
        }
        headerFlags(in, start, type, 0);
        int id = s32(in, start + 8);

        int at = start + HEADER_SIZE;
        need(at, end, 1, "REPLY kind");
        int kind = u8(in, at++);
        Reply reply;
        switch (kind) {
            case Message.KIND_DONE:
                reply = new Reply.Done();
                break;
            case Message.KIND_DESCRIPTOR:
                reply = new Reply.Descriptor();
                break;
            case Message.KIND_DATA: {
                need(at, end, 2, "REPLY data length");
                int dataLength = u16(in, at);
                if (dataLength > Message.MAX_DATA_LENGTH) {
                    throw new ProtocolException(
                            "data length " + dataLength + " out of range 0.." + Message.MAX_DATA_LENGTH);
                }
                byte[] data = getBytes(in, at, end, "REPLY data");
                at += 2 + dataLength;
                reply = new Reply.Data(data);
                break;
            }
            case Message.KIND_STATUS:
                need(at, end, FileStat.WIRE_SIZE, "REPLY stat");
                reply = new Reply.Status(getStat(in, at));
                at += FileStat.WIRE_SIZE;
                break;
            case Message.KIND_WATCH: {
                need(at, end, 4, "REPLY watch descriptor");
                int watch = s32(in, at);
                at += 4;
                fail(Message.checkWatch(watch));
                reply = new Reply.WatchDescriptor(watch);
                break;
            }
            case Message.KIND_SOCKET: {
                need(at, end, 1, "REPLY socket state");
                int code = u8(in, at++);
                Reply.SocketState state = Reply.SocketState.ofCode(code);
                if (state == null) {
                    throw new ProtocolException("unknown socket state " + code);
                }
                reply = new Reply.Socket(state);
                break;
            }
            case Message.KIND_ADDRESSES: {
                need(at, end, 1, "REPLY address count");
                int count = u8(in, at++);
                fail(Message.checkAddressCount(count));
                need(at, end, count * HostAddress.WIRE_SIZE, "REPLY addresses");
                java.util.List<HostAddress> addresses = new java.util.ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    addresses.add(getAddress(in, at, "REPLY address " + i));
                    at += HostAddress.WIRE_SIZE;
                }
                reply = new Reply.Addresses(addresses);
                break;
            }
            case Message.KIND_UNRESOLVED:
                reply = new Reply.Unresolved();
                break;
            case Message.KIND_HOST_NAME: {
                String name = getHostName(in, at, end, "REPLY host name");
                at += 2 + name.length();
                reply = new Reply.HostName(name);
                break;
            }
            case Message.KIND_SENT: {
                need(at, end, 4, "REPLY sent bytes");
                int sent = s32(in, at);
                at += 4;
                fail(Message.checkSent(sent));
                reply = new Reply.Sent(sent);
                break;
            }
            case Message.KIND_DENIED: {
                need(at, end, 4, "REPLY errno");
                int errno = s32(in, at);
                at += 4;
                fail(Message.checkDenialErrno(errno));
                String reason = getReason(in, at, end, "denial");
                at += 2 + reasonBytes(in, at);
                reply = new Reply.Denied(errno, reason);
                break;
            }
            case Message.KIND_FAILED: {
                need(at, end, 4, "REPLY errno");
                int errno = s32(in, at);
                at += 4;
                fail(Message.checkFailureErrno(errno));
                reply = new Reply.Failed(errno);
                break;
            }
            case Message.KIND_BROKER_ERROR: {
                String reason = getReason(in, at, end, "broker error");
                at += 2 + reasonBytes(in, at);
                reply = new Reply.BrokerError(reason);
                break;
            }
            default:
                throw new ProtocolException("unknown reply kind " + Message.hex2(kind));
        }
        if (reply.carriesDescriptor() && !descriptorAttached) {
            throw new ProtocolException("REPLY of kind " + reply + " but no descriptor was attached");
        }
        if (!reply.carriesDescriptor() && descriptorAttached) {
            throw new ProtocolException("REPLY has a descriptor attached but its kind is " + reply);
        }
        noTrailing(at, end, "REPLY", length);

        in.position(end);
        return new Envelope<>(id, reply);
    }

    /** A reason (u16 length, 1..{@value Message#MAX_REASON_LENGTH}, then strict UTF-8) whose length field is at {@code at}. */
    private static String getReason(ByteBuffer in, int at, int end, String what) throws ProtocolException {
        need(at, end, 2, "REPLY reason length");
        int reasonLength = u16(in, at);
        if (reasonLength > MAX_REASON_LENGTH) {
            throw new ProtocolException("reason length " + reasonLength + " out of range 1.." + MAX_REASON_LENGTH);
        }
        // A denial or broker error without a reason could not be built, so none may arrive.
        if (reasonLength == 0) {
            throw new ProtocolException("REPLY " + what + " without a reason");
        }
        need(at + 2, end, reasonLength, "REPLY reason");
        return strictUtf8(in, at + 2, reasonLength);
    }

    private static int reasonBytes(ByteBuffer in, int at) {
        return u16(in, at);
    }

    /** Reads a stat block whose bytes are known to be present; checks it as {@link FileStat} does. */
    private static FileStat getStat(ByteBuffer in, int at) throws ProtocolException {
        int mode = s32(in, at);
        long ino = s64(in, at + 4);
        long dev = s64(in, at + 12);
        long rdev = s64(in, at + 20);
        int nlink = s32(in, at + 28);
        int uid = s32(in, at + 32);
        int gid = s32(in, at + 36);
        long size = s64(in, at + 40);
        long atime = s64(in, at + 48);
        int atimeNanos = s32(in, at + 56);
        long mtime = s64(in, at + 60);
        int mtimeNanos = s32(in, at + 68);
        long ctime = s64(in, at + 72);
        int ctimeNanos = s32(in, at + 80);
        long birth = s64(in, at + 84);
        int birthNanos = s32(in, at + 92);
        int statFlags = s32(in, at + 96);
        if ((statFlags & ~FileStat.WIRE_BIRTHTIME) != 0) {
            throw new ProtocolException("unknown stat flag bits " + Message.hex8(statFlags & ~FileStat.WIRE_BIRTHTIME));
        }
        boolean birthtime = statFlags != 0;
        fail(FileStat.check(mode, size, atimeNanos, mtimeNanos, ctimeNanos, birthtime, birth, birthNanos));
        return new FileStat(
                mode,
                ino,
                dev,
                rdev,
                nlink,
                uid,
                gid,
                size,
                atime,
                atimeNanos,
                mtime,
                mtimeNanos,
                ctime,
                ctimeNanos,
                birthtime,
                birth,
                birthNanos);
    }

    // ---- decoding helpers: each check throws ProtocolException, never a runtime exception ----

    /** Checks the declared length against the limit and the buffer; returns the start index. */
    private static int checkLength(ByteBuffer in, int length, int limit) throws ProtocolException {
        if (length < 0) {
            throw new ProtocolException("negative message length " + length);
        }
        if (length > limit) {
            throw new ProtocolException("message too large: " + length + " bytes, limit " + limit);
        }
        if (length > in.remaining()) {
            throw new ProtocolException(
                    "message length " + length + " exceeds the " + in.remaining() + " bytes in the buffer");
        }
        return in.position();
    }

    /** Checks magic and version and returns the type, which is known but not necessarily expected. */
    private static int headerType(ByteBuffer in, int start, int end) throws ProtocolException {
        need(start, end, HEADER_SIZE, "header");
        int magic = s32(in, start);
        if (magic != Message.MAGIC) {
            throw new ProtocolException("bad magic " + Message.hex8(magic));
        }
        int version = u8(in, start + 4);
        if (version != Message.VERSION) {
            throw new ProtocolException("unsupported protocol version " + version + ", expected " + Message.VERSION);
        }
        int type = u8(in, start + 5);
        if (Operation.ofCode(type) == null && type != REPLY) {
            throw new ProtocolException("unknown message type " + Message.hex2(type));
        }
        return type;
    }

    /** Returns the header's flags after refusing any bit outside {@code defined}, those of {@code type}. */
    private static int headerFlags(ByteBuffer in, int start, int type, int defined) throws ProtocolException {
        int flags = u16(in, start + 6);
        int unknown = flags & ~defined;
        if (unknown != 0) {
            throw new ProtocolException("unknown flag bits " + Message.hex4(unknown) + " in " + Message.typeName(type));
        }
        return flags;
    }

    /**
     * Reads a u16 length and that many bytes. The length is checked against the path limit
     * (which also bounds reply data) and the bytes present before anything is allocated.
     */
    private static byte[] getBytes(ByteBuffer in, int at, int end, String what) throws ProtocolException {
        need(at, end, 2, what + " length");
        int n = u16(in, at);
        if (n > Message.MAX_PATH_LENGTH) {
            throw new ProtocolException(what + " length " + n + " out of range 0.." + Message.MAX_PATH_LENGTH);
        }
        need(at + 2, end, n, what);
        byte[] bytes = new byte[n];
        in.get(at + 2, bytes);
        return bytes;
    }

    private static void need(int at, int end, int n, String what) throws ProtocolException {
        if (end - at < n) {
            throw new ProtocolException(
                    "message truncated: " + what + " needs " + n + " bytes, " + (end - at) + " left");
        }
    }

    private static void noTrailing(int at, int end, String type, int length) throws ProtocolException {
        if (at != end) {
            throw new ProtocolException(
                    (end - at) + " trailing bytes after " + type + " body (message is " + length + " bytes)");
        }
    }

    /** Turns a shared rule's complaint (see {@link Message}) into the decoder's exception. */
    private static void fail(String problem) throws ProtocolException {
        if (problem != null) {
            throw new ProtocolException(problem);
        }
    }

    /**
     * Decodes UTF-8 refusing anything malformed: lenient decoding would substitute U+FFFD, so two
     * different byte strings would decode to the same reason and it would not re-encode the same.
     */
    private static String strictUtf8(ByteBuffer in, int at, int n) throws ProtocolException {
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer src = in.slice(at, n);
        CharBuffer dst = CharBuffer.allocate(n); // UTF-8 never yields more chars than bytes
        CoderResult result = decoder.decode(src, dst, true);
        if (result.isUnderflow()) {
            result = decoder.flush(dst);
        }
        if (result.isError()) {
            throw new ProtocolException("reason is not valid UTF-8 at byte " + src.position());
        }
        if (!result.isUnderflow()) {
            throw new ProtocolException("reason could not be decoded as UTF-8: " + result);
        }
        return dst.flip().toString();
    }

    // ---- big-endian primitives: absolute, so neither position nor byte order matters ----

    private static int u8(ByteBuffer in, int at) {
        return in.get(at) & 0xFF;
    }

    private static int u16(ByteBuffer in, int at) {
        return (in.get(at) & 0xFF) << 8 | (in.get(at + 1) & 0xFF);
    }

    private static int s32(ByteBuffer in, int at) {
        return (in.get(at) & 0xFF) << 24
                | (in.get(at + 1) & 0xFF) << 16
                | (in.get(at + 2) & 0xFF) << 8
                | (in.get(at + 3) & 0xFF);
    }

    private static long s64(ByteBuffer in, int at) {
        return (long) s32(in, at) << 32 | (s32(in, at + 4) & 0xFFFFFFFFL);
    }

    private static int reserve(ByteBuffer out, int size, int type) {
        if (out.remaining() < size) {
            throw new IllegalArgumentException(
                    Message.typeName(type) + " message needs " + size + " bytes, buffer has " + out.remaining());
        }
        return out.position();
    }

    private static int putHeader(ByteBuffer out, int at, int type, int flags, int id) {
        at = putS32(out, at, Message.MAGIC);
        out.put(at++, (byte) Message.VERSION);
        out.put(at++, (byte) type);
        at = putU16(out, at, flags);
        return putS32(out, at, id);
    }

    private static int putBytes(ByteBuffer out, int at, byte[] bytes) {
        at = putU16(out, at, bytes.length);
        out.put(at, bytes);
        return at + bytes.length;
    }

    private static int putS64(ByteBuffer out, int at, long value) {
        putS32(out, at, (int) (value >>> 32));
        return putS32(out, at + 4, (int) value);
    }

    private static int putU16(ByteBuffer out, int at, int value) {
        out.put(at, (byte) (value >>> 8));
        out.put(at + 1, (byte) value);
        return at + 2;
    }

    private static int putS32(ByteBuffer out, int at, int value) {
        out.put(at, (byte) (value >>> 24));
        out.put(at + 1, (byte) (value >>> 16));
        out.put(at + 2, (byte) (value >>> 8));
        out.put(at + 3, (byte) value);
        return at + 4;
    }
}
