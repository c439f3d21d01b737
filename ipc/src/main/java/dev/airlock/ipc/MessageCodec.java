package dev.airlock.ipc;

import static dev.airlock.ipc.Message.FLAG_HAS_DATA;
import static dev.airlock.ipc.Message.FLAG_HAS_FD;
import static dev.airlock.ipc.Message.FLAG_HAS_STAT;
import static dev.airlock.ipc.Message.FLAG_HAS_WATCH;
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
 * Turns {@link Request}s and {@link Reply}s into wire messages and back (the format is in
 * {@link Message}).
 *
 * <p>Decoding is strict because the broker decodes what untrusted code sends: every length is
 * checked against the bytes actually present and against the format's limits before it is used,
 * every unknown type or flag bit is refused, trailing bytes are refused, and any violation is a
 * {@link ProtocolException} with a precise message, never a runtime exception. Nothing is
 * allocated beyond the path or reason, each bounded by the message's own length.
 *
 * <p>All reads and writes are absolute and byte by byte, so the buffer's byte order does not
 * matter (the wire is big-endian regardless) and a failed decode leaves the buffer's position
 * where it was. Stateless; safe from any thread.
 */
public final class MessageCodec {
    private MessageCodec() {
    }

    /**
     * Writes {@code r} at {@code out.position()} and advances the position past it.
     *
     * @return the message's length in bytes
     * @throws IllegalArgumentException if the message does not fit in {@code out.remaining()};
     *     nothing is written then
     */
    public static int encode(Request r, ByteBuffer out) {
        int type = r.type();
        int body = Message.body(type);
        byte[] path = r.pathBytes();
        byte[] second = r.secondBytes();
        int size = HEADER_SIZE + 2 + path.length;
        if ((body & Message.SECOND) != 0) {
            size += 2 + second.length;
        }
        size += (body & Message.OPEN_FLAGS) != 0 ? 4 : 0;
        size += (body & Message.MODE) != 0 ? 4 : 0;
        size += (body & Message.ONE_LONG) != 0 ? 8 : 0;
        size += (body & Message.TWO_LONGS) != 0 ? 16 : 0;
        int at = reserve(out, size, type);
        at = putHeader(out, at, type, r.flags(), r.id());
        at = putBytes(out, at, path);
        if ((body & Message.SECOND) != 0) {
            at = putBytes(out, at, second);
        }
        if ((body & Message.OPEN_FLAGS) != 0) {
            at = putS32(out, at, r.openFlags());
        }
        if ((body & Message.MODE) != 0) {
            at = putS32(out, at, r.mode());
        }
        if ((body & (Message.ONE_LONG | Message.TWO_LONGS)) != 0) {
            at = putS64(out, at, r.firstNumber());
        }
        if ((body & Message.TWO_LONGS) != 0) {
            at = putS64(out, at, r.secondNumber());
        }
        out.position(at);
        return size;
    }

    /**
     * Writes {@code r} at {@code out.position()} and advances the position past it. The caller
     * sends the descriptor alongside exactly when {@link Reply#hasDescriptor()}.
     *
     * @return the message's length in bytes
     * @throws IllegalArgumentException if the message does not fit in {@code out.remaining()};
     *     nothing is written then
     */
    public static int encode(Reply r, ByteBuffer out) {
        // Reply guarantees that the reason is well-formed and fits, so this is its exact UTF-8 form.
        byte[] reason = r.reason().isEmpty() ? null : r.reason().getBytes(StandardCharsets.UTF_8);
        int reasonLength = reason == null ? 0 : reason.length;
        byte[] data = r.dataBytes();
        FileStat stat = r.stat();
        int size = Message.REPLY_FIXED_SIZE + reasonLength + (data == null ? 0 : 2 + data.length)
                + (stat == null ? 0 : FileStat.WIRE_SIZE) + (r.watch() == 0 ? 0 : 4);
        int at = reserve(out, size, REPLY);
        int flags = (r.hasDescriptor() ? FLAG_HAS_FD : 0) | (data != null ? FLAG_HAS_DATA : 0)
                | (stat != null ? FLAG_HAS_STAT : 0) | (r.watch() != 0 ? FLAG_HAS_WATCH : 0);
        at = putHeader(out, at, REPLY, flags, r.id());
        at = putS32(out, at, r.errno());
        at = putU16(out, at, reasonLength);
        if (reason != null) {
            out.put(at, reason);
            at += reasonLength;
        }
        if (data != null) {
            at = putBytes(out, at, data);
        }
        if (stat != null) {
            at = putStat(out, at, stat);
        }
        if (r.watch() != 0) {
            at = putS32(out, at, r.watch());
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
     *     {@code length} is negative, over {@link Message#MAX_SIZE} or more than {@code in} holds
     */
    public static Request decodeRequest(ByteBuffer in, int length) throws ProtocolException {
        return decodeRequest(in, length, -1);
    }

    /**
     * {@link #decodeRequest(ByteBuffer, int)} for a request that arrived with
     * {@code descriptorsAttached} descriptors: the number must be the one its type carries
     * ({@link Message#descriptorsCarried}: exactly one for WATCH, none for any other type), so
     * that a descriptor is never taken for something it is not, and none rides along unnoticed.
     * The caller still owns and closes the descriptors, whatever the outcome.
     *
     * @throws ProtocolException as the other overload, and when the count does not match the type
     */
    public static Request decodeRequest(ByteBuffer in, int length, int descriptorsAttached) throws ProtocolException {
        if (descriptorsAttached < -1) {
            throw new IllegalArgumentException("negative descriptor count " + descriptorsAttached);
        }
        Request request = decodeRequestBody(in, length);
        int expected = Message.descriptorsCarried(request.type());
        if (descriptorsAttached >= 0 && descriptorsAttached != expected) {
            in.position(in.position() - length); // a failed decode leaves the position where it was
            throw new ProtocolException(Message.typeName(request.type()) + " request carried " + descriptorsAttached
                    + " descriptor(s), expected " + expected);
        }
        return request;
    }

    private static Request decodeRequestBody(ByteBuffer in, int length) throws ProtocolException {
        int start = checkLength(in, length);
        int end = start + length;
        int type = headerType(in, start, end);
        if (!Message.isRequestType(type)) {
            throw new ProtocolException("unexpected message type " + Message.typeName(type) + " where a request belongs");
        }
        String name = Message.typeName(type);
        int flags = headerFlags(in, start, type);
        if ((flags & (Message.FLAG_DIRECTORY | Message.FLAG_EITHER)) == (Message.FLAG_DIRECTORY | Message.FLAG_EITHER)) {
            throw new ProtocolException("UNLINK sets both FLAG_DIRECTORY and FLAG_EITHER");
        }
        int id = s32(in, start + 8);
        int body = Message.body(type);

        int at = start + HEADER_SIZE;
        byte[] path = getBytes(in, at, end, name + " path");
        at += 2 + path.length;
        fail(Message.checkPath(path));
        byte[] second = null;
        if ((body & Message.SECOND) != 0) {
            String what = type == Message.SYMLINK ? " link target" : " second path";
            second = getBytes(in, at, end, name + what);
            at += 2 + second.length;
        }
        int openFlags = 0;
        if ((body & Message.OPEN_FLAGS) != 0) {
            need(at, end, 4, name + " open flags");
            openFlags = s32(in, at);
            at += 4;
        }
        int mode = 0;
        if ((body & Message.MODE) != 0) {
            need(at, end, 4, name + " mode");
            mode = s32(in, at);
            at += 4;
        }
        long first = 0;
        long last = 0;
        if ((body & (Message.ONE_LONG | Message.TWO_LONGS)) != 0) {
            need(at, end, 8, name + " number");
            first = s64(in, at);
            at += 8;
        }
        if ((body & Message.TWO_LONGS) != 0) {
            need(at, end, 8, name + " second number");
            last = s64(in, at);
            at += 8;
        }
        fail(Request.check(type, path, second, mode, first));
        noTrailing(at, end, name, length);

        in.position(end);
        return new Request(type, id, flags, path, second, openFlags, mode, first, last);
    }

    /**
     * Decodes a reply from exactly {@code length} bytes at {@code in.position()}. On success the
     * position advances by {@code length}; on failure it is unchanged.
     *
     * @param descriptorAttached whether the transport received exactly one descriptor with this
     *     message; it must agree with the message's FLAG_HAS_FD, so that a descriptor is never
     *     mistaken for another request's or silently dropped
     * @throws ProtocolException if those bytes are not exactly one valid reply consistent with
     *     {@code descriptorAttached}, or if {@code length} is negative, over
     *     {@link Message#MAX_SIZE} or more than {@code in} holds
     */
    public static Reply decodeReply(ByteBuffer in, int length, boolean descriptorAttached) throws ProtocolException {
        int start = checkLength(in, length);
        int end = start + length;
        int type = headerType(in, start, end);
        if (type != REPLY) {
            throw new ProtocolException("unexpected message type " + Message.typeName(type) + " where a reply belongs");
        }
        int flags = headerFlags(in, start, type);
        boolean hasFd = (flags & FLAG_HAS_FD) != 0;
        boolean hasData = (flags & FLAG_HAS_DATA) != 0;
        boolean hasStat = (flags & FLAG_HAS_STAT) != 0;
        boolean hasWatch = (flags & FLAG_HAS_WATCH) != 0;
        if (hasFd && !descriptorAttached) {
            throw new ProtocolException("REPLY has FLAG_HAS_FD but no descriptor was attached");
        }
        if (!hasFd && descriptorAttached) {
            throw new ProtocolException("REPLY has a descriptor attached but FLAG_HAS_FD is clear");
        }
        int id = s32(in, start + 8);

        int at = start + HEADER_SIZE;
        need(at, end, 4, "REPLY errno");
        int errno = s32(in, at);
        at += 4;
        fail(Message.checkErrno(errno));
        if (errno != 0 && hasFd) {
            throw new ProtocolException("REPLY with errno " + errno + " (failure) has FLAG_HAS_FD");
        }
        if (errno != 0 && hasData) {
            throw new ProtocolException("REPLY with errno " + errno + " (failure) has FLAG_HAS_DATA");
        }
        if (errno != 0 && (hasStat || hasWatch)) {
            throw new ProtocolException("REPLY with errno " + errno + " (failure) has " + (hasStat ? "FLAG_HAS_STAT" : "FLAG_HAS_WATCH"));
        }
        if (Integer.bitCount(flags & (FLAG_HAS_FD | FLAG_HAS_DATA | FLAG_HAS_STAT | FLAG_HAS_WATCH)) > 1) {
            throw new ProtocolException("REPLY has more than one of FLAG_HAS_FD, FLAG_HAS_DATA, FLAG_HAS_STAT, FLAG_HAS_WATCH: "
                    + Message.hex4(flags));
        }
        need(at, end, 2, "REPLY reason length");
        int reasonLength = u16(in, at);
        at += 2;
        if (reasonLength > MAX_REASON_LENGTH) {
            throw new ProtocolException("reason length " + reasonLength + " out of range 0.." + MAX_REASON_LENGTH);
        }
        // A success reply has nothing to explain, and Reply cannot represent one with a reason;
        // accepting it would mean decoding to something that does not encode back the same.
        if (errno == 0 && reasonLength != 0) {
            throw new ProtocolException("REPLY with errno 0 (success) carries a " + reasonLength + "-byte reason");
        }
        need(at, end, reasonLength, "REPLY reason");
        String reason = reasonLength == 0 ? "" : strictUtf8(in, at, reasonLength);
        at += reasonLength;
        byte[] data = null;
        if (hasData) {
            need(at, end, 2, "REPLY data length");
            int dataLength = u16(in, at);
            if (dataLength > Message.MAX_DATA_LENGTH) {
                throw new ProtocolException("data length " + dataLength + " out of range 0.." + Message.MAX_DATA_LENGTH);
            }
            data = getBytes(in, at, end, "REPLY data");
            at += 2 + dataLength;
        }
        FileStat stat = null;
        if (hasStat) {
            need(at, end, FileStat.WIRE_SIZE, "REPLY stat");
            stat = getStat(in, at);
            at += FileStat.WIRE_SIZE;
        }
        int watch = 0;
        if (hasWatch) {
            need(at, end, 4, "REPLY watch descriptor");
            watch = s32(in, at);
            at += 4;
            fail(Message.checkWatch(watch));
        }
        noTrailing(at, end, "REPLY", length);

        in.position(end);
        return new Reply(id, errno, reason, hasFd, data, stat, watch);
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
        return new FileStat(mode, ino, dev, rdev, nlink, uid, gid, size, atime, atimeNanos, mtime, mtimeNanos, ctime,
                ctimeNanos, birthtime, birth, birthNanos);
    }

    // ---- decoding helpers: each check throws ProtocolException, never a runtime exception ----

    /** Checks the declared length against the limit and the buffer; returns the start index. */
    private static int checkLength(ByteBuffer in, int length) throws ProtocolException {
        if (length < 0) {
            throw new ProtocolException("negative message length " + length);
        }
        if (length > MAX_SIZE) {
            throw new ProtocolException("message too large: " + length + " bytes, limit " + MAX_SIZE);
        }
        if (length > in.remaining()) {
            throw new ProtocolException("message length " + length + " exceeds the " + in.remaining() + " bytes in the buffer");
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
        if (!Message.isKnownType(type)) {
            throw new ProtocolException("unknown message type " + Message.hex2(type));
        }
        return type;
    }

    /** Returns the header's flags after refusing any bit that {@code type} does not define. */
    private static int headerFlags(ByteBuffer in, int start, int type) throws ProtocolException {
        int flags = u16(in, start + 6);
        int unknown = flags & ~Message.definedFlags(type);
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
            throw new ProtocolException("message truncated: " + what + " needs " + n + " bytes, " + (end - at) + " left");
        }
    }

    private static void noTrailing(int at, int end, String type, int length) throws ProtocolException {
        if (at != end) {
            throw new ProtocolException((end - at) + " trailing bytes after " + type + " body (message is " + length + " bytes)");
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
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
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
        return (in.get(at) & 0xFF) << 24 | (in.get(at + 1) & 0xFF) << 16 | (in.get(at + 2) & 0xFF) << 8 | (in.get(at + 3) & 0xFF);
    }

    private static long s64(ByteBuffer in, int at) {
        return (long) s32(in, at) << 32 | (s32(in, at + 4) & 0xFFFFFFFFL);
    }

    private static int reserve(ByteBuffer out, int size, int type) {
        if (out.remaining() < size) {
            throw new IllegalArgumentException(Message.typeName(type) + " message needs " + size + " bytes, buffer has " + out.remaining());
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
