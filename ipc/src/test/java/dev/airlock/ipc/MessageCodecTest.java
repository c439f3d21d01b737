package dev.airlock.ipc;

import static dev.airlock.ipc.Wire.*;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MessageCodecTest {
    private static final int O_WRONLY_CREAT_TRUNC = 0x241;

    // ---------------------------------------------------------------- layout

    @Test
    void requestHasTheDocumentedBigEndianLayout() {
        Envelope<Request> r = open(0x01020304, bytes("/a"), O_WRONLY_CREAT_TRUNC, 0644, true);
        assertArrayEquals(hex("41524c4b 02 01 0002 01020304 0002 2f61 00000241 000001a4"), encode(r));
    }

    /** Each reply kind, byte by byte: the kind after the header, then exactly what that kind carries. */
    @Test
    void everyReplyKindHasTheDocumentedBigEndianLayout() {
        assertArrayEquals(hex("41524c4b 02 81 0000 00000007 06 0000000d 0002 6e6f"), encode(denied(7, 13, "no")));
        assertArrayEquals(hex("41524c4b 02 81 0000 00000007 07 00000002"), encode(failed(7, 2)));
        assertArrayEquals(hex("41524c4b 02 81 0000 00000007 08 0003 626164"), encode(brokerError(7, "bad")));
        assertArrayEquals(hex("41524c4b 02 81 0000 00000007 01"), encode(done(7)));
        assertArrayEquals(hex("41524c4b 02 81 0000 00000007 03 0002 2e2e"), encode(data(7, bytes(".."))));
        assertArrayEquals(hex("41524c4b 02 81 0000 00000007 05 00000003"), encode(watchReply(7, 3)));
    }

    @Test
    void descriptorReplyHasTheDocumentedBigEndianLayout() {
        assertArrayEquals(hex("41524c4b 02 81 0000 ffffffff 02"), encode(descriptor(-1)));
    }

    // ---------------------------------------------------------------- round trips

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 42, -1, Integer.MAX_VALUE, Integer.MIN_VALUE})
    void requestRoundTripsForAnyId(int id) throws Exception {
        Envelope<Request> r = open(id, bytes("/etc/hosts"), 0, 0, false);
        Envelope<Request> back = decodeRequest(encode(r));
        assertEquals(r, back);
        assertEquals(id, back.id());
    }

    @Test
    void requestRoundTripsEveryField() throws Exception {
        List<Envelope<Request>> requests = List.of(
                open(1, bytes("/"), 0, 0, false),
                open(2, path(Message.MAX_PATH_LENGTH), -1, 07777, true),
                open(3, "/tmp/h\u00e9llo/\u65e5\u672c/\ud83d\ude00".getBytes(UTF_8), O_WRONLY_CREAT_TRUNC, 0600, false),
                // Not UTF-8 at all: the OS takes any bytes but NUL, and so must the protocol.
                open(4, new byte[] {'/', (byte) 0xff, (byte) 0xfe, (byte) 0x80, '\n'}, Integer.MIN_VALUE, 01777, true));
        for (Envelope<Request> r : requests) {
            byte[] wire = encode(r);
            Envelope<Request> back = decodeRequest(wire);
            assertEquals(r, back);
            Request.Open open = (Request.Open) back.message();
            assertArrayEquals(
                    ((Request.Open) r.message()).path().bytes(), open.path().bytes());
            assertEquals(((Request.Open) r.message()).openFlags(), open.openFlags());
            assertEquals(((Request.Open) r.message()).mode(), open.mode());
            assertEquals(((Request.Open) r.message()).refuseDirectory(), open.refuseDirectory());
            assertEquals(Operation.OPEN, back.message().operation());
            assertArrayEquals(wire, encode(back));
        }
    }

    @Test
    void longestRequestFitsWellWithinTheMessageLimit() {
        byte[] wire = encode(open(0, path(Message.MAX_PATH_LENGTH), 0, 0, false));
        assertEquals(12 + 2 + Message.MAX_PATH_LENGTH + 4 + 4, wire.length);
        assertTrue(wire.length <= Message.MAX_SIZE);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, -1, 0x7fffffff, 0x80000000})
    void replyRoundTripsForAnyId(int id) throws Exception {
        assertEquals(descriptor(id), decodeReply(encode(descriptor(id)), true));
        for (Envelope<Reply> r :
                List.of(failed(id, 2), denied(id, 13, "denied"), brokerError(id, "internal"), done(id))) {
            assertEquals(r, decodeReply(encode(r), false));
            assertEquals(id, decodeReply(encode(r), false).id());
        }
    }

    @Test
    void replyRoundTripsReasons() throws Exception {
        String longest = "x".repeat(Message.MAX_REASON_LENGTH);
        List<Envelope<Reply>> replies = List.of(
                denied(1, 1, "x"),
                denied(2, 13, "denied by airlock policy app.policy: read"),
                brokerError(3, "r\u00e9pertoire \u65e5\u672c \ud83d\ude00 \u0000 \ufeff"),
                denied(4, 13, longest),
                brokerError(5, "\u00e9".repeat(600))); // 1200 bytes of UTF-8, cut to fit
        for (Envelope<Reply> r : replies) {
            byte[] wire = encode(r);
            Envelope<Reply> back = decodeReply(wire, false);
            assertEquals(r, back);
            assertEquals(reason(r), reason(back));
            assertFalse(back.message().carriesDescriptor());
            assertArrayEquals(wire, encode(back));
        }
        assertEquals(longest, reason(decodeReply(encode(replies.get(3)), false)));
        assertEquals("\u00e9".repeat(512), reason(decodeReply(encode(replies.get(4)), false)));
        assertEquals(
                Message.MAX_ERRNO,
                ((Reply.Failed) decodeReply(encode(failed(6, Message.MAX_ERRNO)), false)
                                .message())
                        .errno());
    }

    @Test
    void descriptorReplyDecodesAsSuccess() throws Exception {
        Envelope<Reply> back = decodeReply(encode(descriptor(9)), true);
        assertTrue(back.message().carriesDescriptor());
        assertTrue(back.message() instanceof Reply.Success);
        assertEquals(9, back.id());
    }

    // ---------------------------------------------------------------- buffers

    @Test
    void encodeWritesAtThePositionAndAdvancesIt() {
        ByteBuffer out = ByteBuffer.allocate(100);
        out.position(7);
        int n = MessageCodec.encode(1, new Reply.BrokerError("x"), out);
        assertEquals(16, n);
        assertEquals(23, out.position());
        assertEquals(0, out.get(6));
        assertEquals(0x41, out.get(7));
    }

    @Test
    void encodeIsBigEndianWhateverTheBufferOrder() {
        Envelope<Request> r = open(0x01020304, bytes("/x"), 5, 6, false);
        ByteBuffer little = ByteBuffer.allocateDirect(64).order(ByteOrder.LITTLE_ENDIAN);
        int n = MessageCodec.encode(r.id(), r.message(), little);
        byte[] wire = new byte[n];
        little.get(0, wire);
        assertArrayEquals(encode(r), wire);
    }

    @Test
    void encodeRefusesABufferTooSmallAndWritesNothing() {
        Envelope<Request> r = open(1, bytes("/tmp/x"), 0, 0, false);
        ByteBuffer out = ByteBuffer.allocate(encode(r).length - 1);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> MessageCodec.encode(r.id(), r.message(), out));
        assertEquals("OPEN message needs 28 bytes, buffer has 27", e.getMessage());
        assertEquals(0, out.position());
        assertArrayEquals(new byte[27], out.array());

        ByteBuffer small = ByteBuffer.allocate(12);
        assertThrows(IllegalArgumentException.class, () -> MessageCodec.encode(1, new Reply.Descriptor(), small));
        assertEquals(0, small.position());
    }

    @Test
    void decodeReadsExactlyLengthBytesFromThePositionAndAdvances() throws Exception {
        byte[] first = encode(open(1, bytes("/one"), 0, 0, false));
        byte[] second = encode(open(2, bytes("/two/2"), 1, 2, true));
        ByteBuffer in =
                ByteBuffer.allocateDirect(first.length + second.length + 3).order(ByteOrder.LITTLE_ENDIAN);
        in.put(first).put(second).put(new byte[] {1, 2, 3}).flip();

        assertEquals(1, MessageCodec.decodeRequest(in, first.length).id());
        assertEquals(first.length, in.position());
        Envelope<Request> two = MessageCodec.decodeRequest(in, second.length);
        assertEquals(open(2, bytes("/two/2"), 1, 2, true), two);
        assertEquals(first.length + second.length, in.position());
    }

    @Test
    void failedDecodeLeavesThePositionAlone() {
        byte[] wire = encode(brokerError(1, "x"));
        ByteBuffer in = ByteBuffer.allocate(wire.length + 5);
        in.position(5);
        in.put(wire).position(5);
        assertThrows(ProtocolException.class, () -> MessageCodec.decodeReply(in, wire.length, true));
        assertEquals(5, in.position());
        assertThrows(ProtocolException.class, () -> MessageCodec.decodeReply(in, wire.length - 1, false));
        assertEquals(5, in.position());
    }

    @Test
    void decodeWorksOnReadOnlyBuffers() throws Exception {
        byte[] wire = encode(denied(3, 1, "why"));
        assertEquals(
                denied(3, 1, "why"),
                MessageCodec.decodeReply(ByteBuffer.wrap(wire).asReadOnlyBuffer(), wire.length, false));
    }

    @Test
    void lengthBeyondTheBufferIsAProtocolError() {
        byte[] wire = encode(descriptor(1));
        ProtocolException e = assertThrows(
                ProtocolException.class, () -> MessageCodec.decodeReply(ByteBuffer.wrap(wire), wire.length + 1, true));
        assertEquals("message length 14 exceeds the 13 bytes in the buffer", e.getMessage());
    }

    @Test
    void negativeLengthIsAProtocolError() {
        ProtocolException e =
                assertThrows(ProtocolException.class, () -> MessageCodec.decodeRequest(ByteBuffer.allocate(16), -1));
        assertEquals("negative message length -1", e.getMessage());
    }

    // ---------------------------------------------------------------- truncation

    @Test
    void everyTruncationOfARequestIsRefused() {
        for (Envelope<Request> r : List.of(
                open(5, bytes("/tmp/x"), O_WRONLY_CREAT_TRUNC, 0644, true),
                open(-1, path(Message.MAX_PATH_LENGTH), 0, 0, false))) {
            byte[] wire = encode(r);
            for (int n = 0; n < wire.length; n++) {
                byte[] prefix = Arrays.copyOf(wire, n);
                ProtocolException e = refusedRequest(prefix);
                assertTrue(e.getMessage().startsWith("message truncated: "), n + ": " + e.getMessage());
            }
        }
    }

    @Test
    void truncationMessagesSayWhatIsMissing() {
        byte[] wire = encode(open(5, bytes("/tmp/x"), 0, 0, false)); // 28 bytes
        assertEquals(
                "message truncated: header needs 12 bytes, 5 left",
                refusedRequest(Arrays.copyOf(wire, 5)).getMessage());
        assertEquals(
                "message truncated: OPEN path length needs 2 bytes, 1 left",
                refusedRequest(Arrays.copyOf(wire, 13)).getMessage());
        assertEquals(
                "message truncated: OPEN path needs 6 bytes, 2 left",
                refusedRequest(Arrays.copyOf(wire, 16)).getMessage());
        assertEquals(
                "message truncated: OPEN open flags needs 4 bytes, 2 left",
                refusedRequest(Arrays.copyOf(wire, 22)).getMessage());
        assertEquals(
                "message truncated: OPEN mode needs 4 bytes, 3 left",
                refusedRequest(Arrays.copyOf(wire, 27)).getMessage());

        byte[] declared17 = wire(o -> {
            header(o, Message.MAGIC, Message.VERSION, Operation.OPEN.code(), 0, 1);
            o.writeShort(17);
            o.write(bytes("/abcd"));
        });
        assertEquals(
                "message truncated: OPEN path needs 17 bytes, 5 left",
                refusedRequest(declared17).getMessage());
    }

    @Test
    void everyTruncationOfAReplyIsRefused() {
        for (Envelope<Reply> r : List.of(
                descriptor(0),
                denied(8, 13, "denied \u00e9\ud83d\ude00"),
                failed(8, 2),
                brokerError(8, "internal"),
                data(8, bytes("xyz")),
                watchReply(8, 5),
                done(8))) {
            byte[] wire = encode(r);
            for (int n = 0; n < wire.length; n++) {
                ProtocolException e =
                        refusedReply(Arrays.copyOf(wire, n), r.message().carriesDescriptor());
                assertTrue(e.getMessage().startsWith("message truncated: "), n + ": " + e.getMessage());
            }
        }
        byte[] wire = encode(denied(8, 13, "abc"));
        assertEquals(
                "message truncated: REPLY kind needs 1 bytes, 0 left",
                refusedReply(Arrays.copyOf(wire, 12), false).getMessage());
        assertEquals(
                "message truncated: REPLY errno needs 4 bytes, 2 left",
                refusedReply(Arrays.copyOf(wire, 15), false).getMessage());
        assertEquals(
                "message truncated: REPLY reason length needs 2 bytes, 1 left",
                refusedReply(Arrays.copyOf(wire, 18), false).getMessage());
        assertEquals(
                "message truncated: REPLY reason needs 3 bytes, 1 left",
                refusedReply(Arrays.copyOf(wire, 20), false).getMessage());
    }

    // ---------------------------------------------------------------- oversize

    @Test
    void messageOverTheLimitIsRefusedBeforeReading() {
        ByteBuffer in = ByteBuffer.allocate(Message.MAX_SIZE + 1);
        byte[] valid = encode(open(1, bytes("/x"), 0, 0, false));
        in.put(0, valid);
        ProtocolException e =
                assertThrows(ProtocolException.class, () -> MessageCodec.decodeRequest(in, Message.MAX_SIZE + 1));
        assertEquals("OPEN request too large: 8193 bytes, limit 8192", e.getMessage());
        ByteBuffer huge = ByteBuffer.allocate(Message.MAX_REQUEST_SIZE + 1);
        huge.put(0, valid);
        assertEquals(
                "message too large: " + (Message.MAX_REQUEST_SIZE + 1) + " bytes, limit " + Message.MAX_REQUEST_SIZE,
                assertThrows(
                                ProtocolException.class,
                                () -> MessageCodec.decodeRequest(huge, Message.MAX_REQUEST_SIZE + 1))
                        .getMessage());
        assertThrows(ProtocolException.class, () -> MessageCodec.decodeReply(in, Integer.MAX_VALUE, false));
    }

    @Test
    void pathLongerThanTheLimitIsRefused() {
        byte[] path = path(Message.MAX_PATH_LENGTH + 1);
        byte[] wire = wire(o -> {
            header(o, Message.MAGIC, Message.VERSION, Operation.OPEN.code(), 0, 1);
            o.writeShort(path.length);
            o.write(path);
            o.writeInt(0);
            o.writeInt(0);
        });
        assertTrue(wire.length <= Message.MAX_SIZE);
        assertEquals(
                "OPEN path length 4097 out of range 0..4096",
                refusedRequest(wire).getMessage());
    }

    @Test
    void emptyPathIsRefused() {
        byte[] wire = wire(o -> {
            header(o, Message.MAGIC, Message.VERSION, Operation.OPEN.code(), 0, 1);
            o.writeShort(0);
            o.writeInt(0);
            o.writeInt(0);
        });
        assertEquals("path length 0 out of range 1..4096", refusedRequest(wire).getMessage());
    }

    @Test
    void reasonLongerThanTheLimitIsRefused() {
        byte[] reason = bytes("r".repeat(Message.MAX_REASON_LENGTH + 1));
        byte[] wire = wire(o -> {
            header(o, Message.MAGIC, Message.VERSION, Message.REPLY, 0, 1);
            o.writeByte(Message.KIND_DENIED);
            o.writeInt(13);
            o.writeShort(reason.length);
            o.write(reason);
        });
        assertEquals(
                "reason length 1025 out of range 1..1024",
                refusedReply(wire, false).getMessage());
    }

    /**
     * The decoder must check a declared length against the bytes present before allocating it:
     * a 20-byte message claiming a 4096-byte path must cost no more than one claiming 6 bytes.
     */
    @Test
    void declaredLengthsDoNotDriveAllocation() {
        // The project's JDKs are HotSpot, which measures per-thread allocation: no reason to skip.
        assertTrue(
                ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
                "HotSpot's ThreadMXBean");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(
                threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
                "allocation measurement");
        byte[] small = openClaimingPathLength(6);
        byte[] huge = openClaimingPathLength(Message.MAX_PATH_LENGTH);
        int rounds = 20_000;
        for (int warm = 0; warm < 3; warm++) {
            allocatedByFailedDecodes(threads, small, rounds);
            allocatedByFailedDecodes(threads, huge, rounds);
        }
        long perSmall = allocatedByFailedDecodes(threads, small, rounds) / rounds;
        long perHuge = allocatedByFailedDecodes(threads, huge, rounds) / rounds;
        assertTrue(
                perHuge - perSmall < 1024,
                "claiming a 4096-byte path cost " + (perHuge - perSmall) + " extra bytes per decode");
    }

    private static byte[] openClaimingPathLength(int claimed) {
        return wire(o -> {
            header(o, Message.MAGIC, Message.VERSION, Operation.OPEN.code(), 0, 1);
            o.writeShort(claimed);
            o.write(bytes("/abcd"));
            o.write(0);
        });
    }

    private static long allocatedByFailedDecodes(com.sun.management.ThreadMXBean threads, byte[] wire, int rounds) {
        long id = Thread.currentThread().getId();
        ByteBuffer in = ByteBuffer.wrap(wire);
        long before = threads.getThreadAllocatedBytes(id);
        int refused = 0;
        for (int i = 0; i < rounds; i++) {
            try {
                MessageCodec.decodeRequest(in, wire.length);
            } catch (ProtocolException e) {
                refused++;
            }
        }
        long allocated = threads.getThreadAllocatedBytes(id) - before;
        assertEquals(rounds, refused);
        return allocated;
    }

    // ---------------------------------------------------------------- header

    @Test
    void badMagicIsRefused() {
        byte[] wire = encode(open(1, bytes("/x"), 0, 0, false));
        ByteBuffer.wrap(wire).putInt(0, 0x12345678);
        assertEquals("bad magic 0x12345678", refusedRequest(wire).getMessage());
        assertEquals("bad magic 0x12345678", refusedReply(wire, false).getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 3, 0xff})
    void otherVersionsAreRefused(int version) {
        byte[] wire = encode(descriptor(1));
        wire[4] = (byte) version;
        assertEquals(
                "unsupported protocol version " + version + ", expected 2",
                refusedReply(wire, true).getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {0x00, 0x0c, 0x0e, 0x7f, 0x80, 0x82, 0xff})
    void unknownTypesAreRefused(int type) {
        byte[] wire = encode(open(1, bytes("/x"), 0, 0, false));
        wire[5] = (byte) type;
        String expected = String.format("unknown message type 0x%02x", type);
        assertEquals(expected, refusedRequest(wire).getMessage());
        assertEquals(expected, refusedReply(wire, false).getMessage());
    }

    @Test
    void aReplyIsNotARequestAndViceVersa() {
        assertEquals(
                "unexpected message type REPLY where a request belongs",
                refusedRequest(encode(failed(1, 2))).getMessage());
        assertEquals(
                "unexpected message type OPEN where a reply belongs",
                refusedReply(encode(open(1, bytes("/x"), 0, 0, false)), false).getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {0x0001, 0x0004, 0x0100, 0x8000, 0xfffd})
    void requestFlagBitsOtherThanRefuseDirectoryAreRefused(int bits) {
        byte[] wire = encode(open(1, bytes("/x"), 0, 0, true));
        ByteBuffer.wrap(wire).putShort(6, (short) (Message.FLAG_REFUSE_DIRECTORY | bits));
        assertEquals(
                String.format("unknown flag bits 0x%04x in OPEN", bits & ~Message.FLAG_REFUSE_DIRECTORY),
                refusedRequest(wire).getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {0x0001, 0x0002, 0x0010, 0x0100, 0x8000, 0xfff0})
    void replyFlagBitsAreRefused(int bits) {
        byte[] wire = encode(descriptor(1));
        ByteBuffer.wrap(wire).putShort(6, (short) bits);
        assertEquals(
                String.format("unknown flag bits 0x%04x in REPLY", bits),
                refusedReply(wire, true).getMessage());
    }

    @Test
    void refuseDirectoryFlagIsCarried() throws Exception {
        byte[] wire = encode(open(1, bytes("/x"), 0, 0, true));
        assertEquals(Message.FLAG_REFUSE_DIRECTORY, ByteBuffer.wrap(wire).getShort(6));
        assertTrue(((Request.Open) decodeRequest(wire).message()).refuseDirectory());
        ByteBuffer.wrap(wire).putShort(6, (short) 0);
        assertFalse(((Request.Open) decodeRequest(wire).message()).refuseDirectory());
    }

    // ---------------------------------------------------------------- OPEN body

    @Test
    void nulInPathIsRefused() {
        byte[] wire = encode(open(1, bytes("/tmp/ab/c"), 0, 0, false));
        wire[12 + 2 + 7] = 0;
        assertEquals("path contains NUL at byte 7", refusedRequest(wire).getMessage());
        wire[12 + 2 + 8] = 0; // the last byte: a C string would end one byte early
        assertEquals("path contains NUL at byte 7", refusedRequest(wire).getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"tmp/x", "./x", "../etc/passwd", "x", "\u0000/x", " /x"})
    void relativePathIsRefused(String path) {
        byte[] raw = bytes(path);
        byte[] wire = wire(o -> {
            header(o, Message.MAGIC, Message.VERSION, Operation.OPEN.code(), 0, 1);
            o.writeShort(raw.length);
            o.write(raw);
            o.writeInt(0);
            o.writeInt(0);
        });
        assertEquals(
                String.format("path is not absolute (first byte 0x%02x, expected '/')", raw[0] & 0xff),
                refusedRequest(wire).getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 010000, Integer.MIN_VALUE, Integer.MAX_VALUE})
    void modeOutOfRangeIsRefused(int mode) {
        byte[] wire = encode(open(1, bytes("/x"), 0, 0, false));
        ByteBuffer.wrap(wire).putInt(wire.length - 4, mode);
        assertEquals(
                "mode 0" + Integer.toOctalString(mode) + " out of range 0..07777",
                refusedRequest(wire).getMessage());
    }

    @Test
    void trailingBytesAfterARequestAreRefused() {
        byte[] wire = Arrays.copyOf(encode(open(1, bytes("/tmp/x"), 0, 0, false)), 30);
        assertEquals(
                "2 trailing bytes after OPEN body (message is 30 bytes)",
                refusedRequest(wire).getMessage());
    }

    // ---------------------------------------------------------------- REPLY body

    @Test
    void descriptorAttachedToAnotherKindIsRefused() {
        assertEquals(
                "REPLY has a descriptor attached but its kind is failed errno 2",
                refusedReply(encode(failed(1, 2)), true).getMessage());
        assertEquals(
                "REPLY has a descriptor attached but its kind is done",
                refusedReply(encode(done(1)), true).getMessage());
    }

    @Test
    void descriptorKindWithoutAnAttachedDescriptorIsRefused() {
        assertEquals(
                "REPLY of kind descriptor but no descriptor was attached",
                refusedReply(encode(descriptor(1)), false).getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 14, 0x7f, 0x81, 0xff})
    void unknownReplyKindsAreRefused(int kind) {
        byte[] wire = encode(done(1));
        wire[12] = (byte) kind;
        assertEquals(
                String.format("unknown reply kind 0x%02x", kind),
                refusedReply(wire, false).getMessage());
    }

    // ---------------------------------------------------------------- metadata and mutation requests

    @Test
    void everyRequestTypeRoundTrips() throws Exception {
        List<Envelope<Request>> requests = List.of(
                stat(1, bytes("/a/b"), false),
                stat(2, bytes("/a/link"), true),
                access(3, bytes("/a"), 0),
                access(4, bytes("/a"), 7),
                readlink(5, bytes("/l")),
                mkdir(6, bytes("/d"), 0755),
                unlink(7, bytes("/f")),
                rmdir(8, bytes("/d")),
                remove(9, bytes("/e")),
                rename(10, bytes("/from"), bytes("/to"), false),
                rename(11, bytes("/from"), path(Message.MAX_PATH_LENGTH), true),
                link(12, bytes("/new"), bytes("/old")),
                symlink(13, bytes("/link"), bytes("../relative/\u00e9 target")),
                chmod(14, bytes("/f"), 04755, false),
                chmod(15, bytes("/f"), 0, true),
                utimens(16, bytes("/f"), Long.MAX_VALUE, Request.OMIT, false),
                utimens(17, bytes("/f"), -1L, 1_700_000_000_123_456_789L, true),
                watch(18, bytes("/d"), Message.WATCH_EVENTS));
        for (Envelope<Request> r : requests) {
            Envelope<Request> back = decodeRequest(encode(r), 0);
            assertEquals(r, back, r.toString());
            assertEquals(r.toString(), back.toString());
        }
        assertTrue(((Request.Stat) requests.get(1).message()).noFollow());
        assertEquals(
                Request.RemoveKind.DIRECTORY, ((Request.Remove) requests.get(7).message()).kind());
        assertEquals(
                Request.RemoveKind.EITHER, ((Request.Remove) requests.get(8).message()).kind());
        assertTrue(((Request.Rename) requests.get(10).message()).noReplace());
        assertEquals(Request.OMIT, ((Request.SetTimes) requests.get(15).message()).modifiedNanos());
    }

    @Test
    void requestFieldsAreCheckedAsTheyAreBuilt() {
        assertEquals(
                "access mode 8 out of range 0..7",
                assertThrows(IllegalArgumentException.class, () -> access(1, bytes("/a"), 8))
                        .getMessage());
        assertEquals(
                "link target contains NUL at byte 1",
                assertThrows(IllegalArgumentException.class, () -> symlink(1, bytes("/l"), new byte[] {'a', 0}))
                        .getMessage());
        assertEquals(
                "link target length 0 out of range 1..4096",
                assertThrows(IllegalArgumentException.class, () -> symlink(1, bytes("/l"), new byte[0]))
                        .getMessage());
        assertEquals(
                "path is not absolute (first byte 0x72, expected '/')",
                assertThrows(IllegalArgumentException.class, () -> rename(1, bytes("/a"), bytes("rel"), false))
                        .getMessage());
        assertEquals(
                "mode 010000 out of range 0..07777",
                assertThrows(IllegalArgumentException.class, () -> mkdir(1, bytes("/a"), 010000))
                        .getMessage());
    }

    @Test
    void hostileFieldsOfNewTypesAreRefusedOnTheWire() {
        byte[] both = encode(rmdir(1, bytes("/d")));
        ByteBuffer.wrap(both).putShort(6, (short) (Message.FLAG_DIRECTORY | Message.FLAG_EITHER));
        assertEquals(
                "UNLINK sets both FLAG_DIRECTORY and FLAG_EITHER",
                refusedRequest(both).getMessage());

        byte[] nul = encode(rename(1, bytes("/a"), bytes("/bc"), false));
        nul[nul.length - 1] = 0;
        assertEquals("path contains NUL at byte 2", refusedRequest(nul).getMessage());

        byte[] relative = encode(link(1, bytes("/a"), bytes("/b")));
        relative[relative.length - 2 + 0] = 'b';
        assertEquals(
                "path is not absolute (first byte 0x62, expected '/')",
                refusedRequest(relative).getMessage());

        byte[] access = encode(access(1, bytes("/a"), 4));
        ByteBuffer.wrap(access).putInt(access.length - 4, -1);
        assertEquals("access mode -1 out of range 0..7", refusedRequest(access).getMessage());

        byte[] mode = encode(chmod(1, bytes("/a"), 0644, false));
        ByteBuffer.wrap(mode).putInt(mode.length - 4, 0100644);
        assertEquals("mode 0100644 out of range 0..07777", refusedRequest(mode).getMessage());

        byte[] flags = encode(stat(1, bytes("/a"), true));
        ByteBuffer.wrap(flags).putShort(6, (short) Message.FLAG_REFUSE_DIRECTORY);
        assertEquals("unknown flag bits 0x0002 in STAT", refusedRequest(flags).getMessage());

        byte[] shortTimes = Arrays.copyOf(encode(utimens(1, bytes("/a"), 1, 2, false)), 12 + 2 + 2 + 8 + 4);
        assertEquals(
                "message truncated: UTIMENS modification time needs 8 bytes, 4 left",
                refusedRequest(shortTimes).getMessage());

        byte[] longTarget = wire(o -> {
            header(o, Message.MAGIC, Message.VERSION, Operation.SYMLINK.code(), 0, 1);
            o.writeShort(2);
            o.write(bytes("/l"));
            o.writeShort(0xffff);
        });
        assertEquals(
                "SYMLINK link target length 65535 out of range 0..4096",
                refusedRequest(longTarget).getMessage());
    }

    @Test
    void dataRepliesRoundTripAndAreCheckedForConsistency() throws Exception {
        byte[] target = path(Message.MAX_DATA_LENGTH);
        for (Envelope<Reply> r : List.of(data(1, new byte[0]), data(2, bytes("../x")), data(3, target), done(4))) {
            Envelope<Reply> back = decodeReply(encode(r), false);
            assertEquals(r, back);
            assertFalse(back.message().carriesDescriptor());
        }
        assertArrayEquals(
                bytes("../x"),
                ((Reply.Data) decodeReply(encode(data(2, bytes("../x"))), false).message()).bytes());
        assertEquals(
                "reply data of 4097 bytes exceeds 4096",
                assertThrows(IllegalArgumentException.class, () -> new Reply.Data(new byte[4097]))
                        .getMessage());

        byte[] longData = encode(data(1, bytes("x")));
        ByteBuffer.wrap(longData).putShort(13, (short) 4097);
        assertEquals(
                "data length 4097 out of range 0..4096",
                refusedReply(longData, false).getMessage());

        byte[] missing = Arrays.copyOf(encode(data(1, bytes("xyz"))), 12 + 1 + 2 + 1);
        assertEquals(
                "message truncated: REPLY data needs 3 bytes, 1 left",
                refusedReply(missing, false).getMessage());
    }

    /** A failure's errno is 1..4095; a denial's is EACCES or EPERM: checked on the wire as the constructors check them. */
    @ParameterizedTest
    @ValueSource(ints = {-1, Integer.MIN_VALUE, 0, 4096, Integer.MAX_VALUE})
    void errnoOutOfRangeIsRefused(int errno) {
        byte[] wire = encode(failed(1, 2));
        ByteBuffer.wrap(wire).putInt(13, errno);
        String expected = errno == 0
                ? "errno 0 means success: a failure needs errno 1..4095"
                : "errno " + errno + " out of range 1..4095";
        assertEquals(expected, refusedReply(wire, false).getMessage());
        byte[] denial = encode(denied(1, 13, "why"));
        ByteBuffer.wrap(denial).putInt(13, errno);
        assertEquals(
                "a denial reports EACCES or EPERM, not errno " + errno,
                refusedReply(denial, false).getMessage());
    }

    /** The bug this format exists to prevent: a denial or broker error with no reason, or a reason on a failure. */
    @Test
    void kindsWithoutTheirFieldsAreRefused() {
        byte[] deniedWithoutReason = wire(o -> {
            header(o, Message.MAGIC, Message.VERSION, Message.REPLY, 0, 1);
            o.writeByte(Message.KIND_DENIED);
            o.writeInt(13);
            o.writeShort(0);
        });
        assertEquals(
                "REPLY denial without a reason",
                refusedReply(deniedWithoutReason, false).getMessage());
        byte[] errorWithoutReason = wire(o -> {
            header(o, Message.MAGIC, Message.VERSION, Message.REPLY, 0, 1);
            o.writeByte(Message.KIND_BROKER_ERROR);
            o.writeShort(0);
        });
        assertEquals(
                "REPLY broker error without a reason",
                refusedReply(errorWithoutReason, false).getMessage());
        byte[] failureWithReason = wire(o -> {
            header(o, Message.MAGIC, Message.VERSION, Message.REPLY, 0, 1);
            o.writeByte(Message.KIND_FAILED);
            o.writeInt(5);
            o.writeShort(2);
            o.write(bytes("io"));
        });
        assertEquals(
                "4 trailing bytes after REPLY body (message is 21 bytes)",
                refusedReply(failureWithReason, false).getMessage());
        assertEquals(
                "REPLY of kind descriptor but no descriptor was attached",
                refusedReply(encode(descriptor(1)), false).getMessage(),
                "a broker error is never a descriptor, nor the reverse");
        assertEquals(
                "REPLY has a descriptor attached but its kind is broker error \"x\"",
                refusedReply(encode(brokerError(1, "x")), true).getMessage());
    }

    @Test
    void successWithAReasonIsRefused() {
        byte[] wire = wire(o -> {
            header(o, Message.MAGIC, Message.VERSION, Message.REPLY, 0, 1);
            o.writeByte(Message.KIND_DONE);
            o.writeShort(2);
            o.write(bytes("ok"));
        });
        assertEquals(
                "4 trailing bytes after REPLY body (message is 17 bytes)",
                refusedReply(wire, false).getMessage());
    }

    @Test
    void trailingBytesAfterAReplyAreRefused() {
        byte[] wire = Arrays.copyOf(encode(descriptor(1)), 14);
        assertEquals(
                "1 trailing bytes after REPLY body (message is 14 bytes)",
                refusedReply(wire, true).getMessage());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "616263c3", // truncated 2-byte sequence at the end
                "616263ff", // a byte that never occurs in UTF-8
                "616263c0af", // overlong encoding of '/'
                "616263eda080", // an encoded surrogate (CESU-8), not UTF-8
                "616263f4908080", // above U+10FFFF
                "61626380", // a lone continuation byte
            })
    void malformedUtf8ReasonIsRefused(String reasonHex) {
        byte[] reason = hex(reasonHex);
        byte[] wire = wire(o -> {
            header(o, Message.MAGIC, Message.VERSION, Message.REPLY, 0, 1);
            o.writeByte(Message.KIND_DENIED);
            o.writeInt(13);
            o.writeShort(reason.length);
            o.write(reason);
        });
        assertEquals(
                "reason is not valid UTF-8 at byte 3", refusedReply(wire, false).getMessage());
    }

    // ---------------------------------------------------------------- fuzz

    /**
     * Random and mutated messages, with a fixed seed so that a failure reproduces. Any input must
     * either be refused with ProtocolException or decode to a value that encodes back to exactly
     * the same bytes (so nothing is lost or invented in between).
     */
    @Test
    void fuzzedInputIsRefusedOrRoundTripsExactly() {
        Random random = new Random(0x41524c4bL);
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(encode(open(1, bytes("/etc/hosts"), 0, 0, false)));
        seeds.add(encode(open(-1, bytes("/tmp/\u00e9t\u00e9"), O_WRONLY_CREAT_TRUNC, 0644, true)));
        seeds.add(encode(open(7, path(300), 2, 0600, false)));
        seeds.add(encode(descriptor(3)));
        seeds.add(encode(denied(4, 13, "denied by airlock policy app.policy: read")));
        seeds.add(encode(failed(5, 2)));
        seeds.add(encode(brokerError(6, "\u65e5\u672c\u8a9e \ud83d\ude00 \u00e9")));
        seeds.add(encode(done(11)));
        seeds.add(encode(data(12, bytes("../target"))));
        seeds.add(encode(rename(13, bytes("/a/b"), bytes("/c"), true)));
        seeds.add(encode(symlink(14, bytes("/l"), bytes("rel/t"))));
        seeds.add(encode(utimens(15, bytes("/f"), 5, Request.OMIT, true)));
        seeds.add(encode(status(8, StatWatchCodecTest.LINK_STAT)));
        seeds.add(encode(watchReply(9, 3)));
        seeds.add(encode(watch(10, bytes("/data/in"), Message.WATCH_EVENTS)));
        seeds.add(encode(connect(16, new byte[] {127, 0, 0, 1}, 5432, 0)));
        seeds.add(encode(connect(17, SocketCodecTest.V6_LINK_LOCAL, 443, 2)));
        seeds.add(encode(bind(18, new byte[4], 80, 50)));
        seeds.add(encode(socketReply(19, Reply.SocketState.CONNECTING)));
        Outcomes outcomes = new Outcomes();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int i = 0; i < 100_000; i++) {
            byte[] input = i % 5 == 0 ? randomMessage(random) : mutate(random, seeds.get(random.nextInt(seeds.size())));
            decodeEveryWay(random, input, outcomes);
            if (System.nanoTime() > deadline) {
                fail("fuzzing took over 60 s; stopped at iteration " + i);
            }
        }
        // Both outcomes must be common, or the fuzzer is not reaching past the first check.
        assertTrue(outcomes.requestsDecoded > 5_000, "requests decoded: " + outcomes.requestsDecoded);
        assertTrue(outcomes.repliesDecoded > 5_000, "replies decoded: " + outcomes.repliesDecoded);
        assertTrue(outcomes.refused > 100_000, "refused: " + outcomes.refused);
    }

    private static final class Outcomes {
        int requestsDecoded;
        int repliesDecoded;
        int refused;
    }

    private static void decodeEveryWay(Random random, byte[] input, Outcomes outcomes) {
        try {
            Envelope<Request> r = MessageCodec.decodeRequest(placed(random, input), input.length);
            assertArrayEquals(
                    input,
                    encode(r),
                    () -> "request does not re-encode the same: "
                            + HexFormat.of().formatHex(input));
            outcomes.requestsDecoded++;
        } catch (ProtocolException e) {
            outcomes.refused++;
        } catch (RuntimeException e) {
            throw new AssertionError(
                    "decodeRequest threw " + e + " on " + HexFormat.of().formatHex(input), e);
        }
        for (boolean attached : new boolean[] {false, true}) {
            try {
                Envelope<Reply> r = MessageCodec.decodeReply(placed(random, input), input.length, attached);
                assertEquals(attached, r.message().carriesDescriptor());
                assertArrayEquals(
                        input,
                        encode(r),
                        () -> "reply does not re-encode the same: "
                                + HexFormat.of().formatHex(input));
                outcomes.repliesDecoded++;
            } catch (ProtocolException e) {
                outcomes.refused++;
            } catch (RuntimeException e) {
                throw new AssertionError(
                        "decodeReply threw " + e + " on " + HexFormat.of().formatHex(input), e);
            }
        }
    }

    /** Usually the bare array; sometimes inside other bytes, in a direct little-endian buffer. */
    private static ByteBuffer placed(Random random, byte[] input) {
        if (random.nextInt(4) != 0) {
            return ByteBuffer.wrap(input);
        }
        int before = random.nextInt(16);
        int after = random.nextInt(16);
        ByteBuffer buffer =
                ByteBuffer.allocateDirect(before + input.length + after).order(ByteOrder.LITTLE_ENDIAN);
        byte[] noise = new byte[before + after];
        random.nextBytes(noise);
        buffer.put(noise, 0, before).put(input).put(noise, before, after);
        buffer.position(before);
        return buffer;
    }

    private static byte[] randomMessage(Random random) {
        int length;
        switch (random.nextInt(10)) {
            case 0:
                length = Message.MAX_SIZE - 4 + random.nextInt(8);
                break;
            case 1:
            case 2:
                length = random.nextInt(600);
                break;
            default:
                length = random.nextInt(48);
        }
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        if (random.nextBoolean() && length >= 6) {
            // A plausible header, so that random bodies get decoded too.
            ByteBuffer.wrap(bytes).putInt(0, Message.MAGIC);
            bytes[4] = Message.VERSION;
            bytes[5] = (byte) (random.nextBoolean() ? Operation.OPEN.code() : Message.REPLY);
        }
        return bytes;
    }

    private static final byte[] INTERESTING = {
        0, 1, (byte) 0x7f, (byte) 0x80, (byte) 0xff, '/', (byte) 0xc3, (byte) 0xed, (byte) 0xf4
    };

    private static byte[] mutate(Random random, byte[] seed) {
        byte[] m = seed.clone();
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits && m.length > 0; e++) {
            int at = random.nextInt(m.length);
            switch (random.nextInt(9)) {
                case 0:
                    m[at] ^= (byte) (1 << random.nextInt(8));
                    break;
                case 1:
                    m[at] = (byte) random.nextInt(256);
                    break;
                case 2:
                    m[at] = INTERESTING[random.nextInt(INTERESTING.length)];
                    break;
                case 3:
                    m = Arrays.copyOf(m, random.nextInt(m.length));
                    break;
                case 4:
                    m = Arrays.copyOf(m, m.length + 1 + random.nextInt(4));
                    break;
                case 5: {
                    // Change a declared length: the path length of a request, a denial's reason length.
                    int lengthAt = m.length > 5 && (m[5] & 0xff) != Message.REPLY ? 12 : 17;
                    if (m.length >= lengthAt + 2) {
                        int old = (m[lengthAt] & 0xff) << 8 | (m[lengthAt + 1] & 0xff);
                        int now = random.nextBoolean() ? old + random.nextInt(5) - 2 : random.nextInt(0x10000);
                        m[lengthAt] = (byte) (now >>> 8);
                        m[lengthAt + 1] = (byte) now;
                    }
                    break;
                }
                case 6: {
                    byte[] longer = new byte[m.length + 1];
                    System.arraycopy(m, 0, longer, 0, at);
                    longer[at] = (byte) random.nextInt(256);
                    System.arraycopy(m, at, longer, at + 1, m.length - at);
                    m = longer;
                    break;
                }
                case 7: {
                    byte[] shorter = new byte[m.length - 1];
                    System.arraycopy(m, 0, shorter, 0, at);
                    System.arraycopy(m, at + 1, shorter, at, m.length - at - 1);
                    m = shorter;
                    break;
                }
                default:
                    // The request id takes any value; change it often so that many mutants stay
                    // valid and exercise the re-encoding check, not only the refusals.
                    if (m.length >= 12) {
                        m[8 + random.nextInt(4)] = (byte) random.nextInt(256);
                    }
            }
        }
        return m;
    }

    // ---------------------------------------------------------------- helpers

    static byte[] encode(Envelope<?> e) {
        return Wire.encode(e);
    }

    private static Envelope<Request> decodeRequest(byte[] wire) throws ProtocolException {
        ByteBuffer in = ByteBuffer.wrap(wire);
        Envelope<Request> r = MessageCodec.decodeRequest(in, wire.length);
        assertEquals(wire.length, in.position());
        return r;
    }

    private static Envelope<Request> decodeRequest(byte[] wire, int descriptors) throws ProtocolException {
        ByteBuffer in = ByteBuffer.wrap(wire);
        Envelope<Request> r = MessageCodec.decodeRequest(in, wire.length, descriptors);
        assertEquals(wire.length, in.position());
        return r;
    }

    private static Envelope<Reply> decodeReply(byte[] wire, boolean attached) throws ProtocolException {
        ByteBuffer in = ByteBuffer.wrap(wire);
        Envelope<Reply> r = MessageCodec.decodeReply(in, wire.length, attached);
        assertEquals(wire.length, in.position());
        return r;
    }

    /** The reason of a denial or broker error. */
    private static String reason(Envelope<Reply> r) {
        return r.message() instanceof Reply.Denied
                ? ((Reply.Denied) r.message()).reason()
                : ((Reply.BrokerError) r.message()).reason();
    }

    private static ProtocolException refusedRequest(byte[] wire) {
        return assertThrows(
                ProtocolException.class, () -> MessageCodec.decodeRequest(ByteBuffer.wrap(wire), wire.length));
    }

    private static ProtocolException refusedReply(byte[] wire, boolean attached) {
        return assertThrows(
                ProtocolException.class, () -> MessageCodec.decodeReply(ByteBuffer.wrap(wire), wire.length, attached));
    }

    static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    /** An absolute path of exactly {@code length} bytes. */
    static byte[] path(int length) {
        byte[] p = new byte[length];
        Arrays.fill(p, (byte) 'a');
        p[0] = '/';
        for (int i = 64; i < length; i += 64) {
            p[i] = '/';
        }
        return p;
    }

    private static byte[] hex(String spaced) {
        return HexFormat.of().parseHex(spaced.replace(" ", ""));
    }

    /** Writes raw wire bytes independently of the codec; DataOutputStream is big-endian too. */
    private interface WireWriter {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] wire(WireWriter writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void header(DataOutputStream o, int magic, int version, int type, int flags, int id)
            throws IOException {
        o.writeInt(magic);
        o.writeByte(version);
        o.writeByte(type);
        o.writeShort(flags);
        o.writeInt(id);
    }
}
