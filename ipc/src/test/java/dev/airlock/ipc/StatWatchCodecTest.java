package dev.airlock.ipc;

import static dev.airlock.ipc.MessageCodecTest.bytes;
import static dev.airlock.ipc.MessageCodecTest.encode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The wire format of the two message kinds that keep a link's target and an unreadable
 * directory's names from the helper (docs/ARCHITECTURE.md, "Threat model"): the STAT reply
 * that carries a file's status instead of a descriptor of a symbolic link, and the WATCH request,
 * the only request that carries a descriptor, with its reply carrying the watch descriptor.
 */
class StatWatchCodecTest {
    /** A link's status with every field set to something that would show a misplaced byte. */
    static final FileStat LINK_STAT = new FileStat(0120777, 0x8000_0000_0000_0001L, 0x0000_0103_0000_0801L, 0L, 1,
            65534, -2, 11, 1_700_000_000L, 999_999_999, -1L, 0, Long.MAX_VALUE, 123, true, Long.MIN_VALUE, 1);

    private static final int HEADER = 12;
    private static final int REPLY_FIXED = HEADER + 4 + 2;

    @Test
    void statRepliesRoundTripEveryField() throws Exception {
        FileStat noBirth = new FileStat(0100644, 5, 6, 7, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, false, 0, 0);
        for (FileStat stat : List.of(LINK_STAT, noBirth)) {
            Reply r = Reply.stat(42, stat);
            byte[] wire = encode(r);
            assertEquals(REPLY_FIXED + FileStat.WIRE_SIZE, wire.length);
            Reply back = decode(wire, false);
            assertEquals(r, back);
            assertEquals(stat, back.stat());
            assertFalse(back.hasDescriptor());
            assertNull(back.data());
            assertEquals(0, back.watch());
        }
        assertTrue(LINK_STAT.isSymbolicLink());
        assertFalse(noBirth.isSymbolicLink());
    }

    @Test
    void statBlockHasTheDocumentedBigEndianLayout() {
        ByteBuffer w = ByteBuffer.wrap(encode(Reply.stat(1, LINK_STAT)));
        assertEquals(Message.FLAG_HAS_STAT, w.getShort(6));
        int at = REPLY_FIXED;
        assertEquals(0120777, w.getInt(at));
        assertEquals(0x8000_0000_0000_0001L, w.getLong(at + 4));
        assertEquals(0x0000_0103_0000_0801L, w.getLong(at + 12));
        assertEquals(65534, w.getInt(at + 32));
        assertEquals(-2, w.getInt(at + 36));
        assertEquals(11, w.getLong(at + 40));
        assertEquals(999_999_999, w.getInt(at + 56));
        assertEquals(Long.MIN_VALUE, w.getLong(at + 84));
        assertEquals(1, w.getInt(at + 96));
    }

    @Test
    void statFieldsAreCheckedAsTheyAreBuilt() {
        assertEquals("stat mtime nanoseconds 1000000000 out of range 0..999999999", assertThrows(IllegalArgumentException.class,
                () -> new FileStat(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1_000_000_000, 0, 0, false, 0, 0)).getMessage());
        assertEquals("stat size -1 is negative", assertThrows(IllegalArgumentException.class,
                () -> new FileStat(0, 0, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0, 0, 0, false, 0, 0)).getMessage());
        assertEquals("stat mode 0x00010000 has bits above the 16 of st_mode", assertThrows(IllegalArgumentException.class,
                () -> new FileStat(0x10000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, false, 0, 0)).getMessage());
        assertEquals("stat has a birth time but says none is available", assertThrows(IllegalArgumentException.class,
                () -> new FileStat(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, false, 1, 0)).getMessage());
        assertThrows(NullPointerException.class, () -> Reply.stat(1, null));
    }

    @Test
    void hostileStatRepliesAreRefused() {
        byte[] good = encode(Reply.stat(1, LINK_STAT));

        assertEquals("message truncated: REPLY stat needs 100 bytes, 99 left",
                refused(Arrays.copyOf(good, good.length - 1), false).getMessage());
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        assertEquals("1 trailing bytes after REPLY body (message is " + trailing.length + " bytes)",
                refused(trailing, false).getMessage());
        assertEquals("REPLY has a descriptor attached but FLAG_HAS_FD is clear", refused(good, true).getMessage());

        byte[] nanos = good.clone();
        ByteBuffer.wrap(nanos).putInt(REPLY_FIXED + 68, -1);
        assertEquals("stat mtime nanoseconds -1 out of range 0..999999999", refused(nanos, false).getMessage());

        byte[] size = good.clone();
        ByteBuffer.wrap(size).putLong(REPLY_FIXED + 40, -5);
        assertEquals("stat size -5 is negative", refused(size, false).getMessage());

        byte[] mode = good.clone();
        ByteBuffer.wrap(mode).putInt(REPLY_FIXED, 0x1_0000);
        assertEquals("stat mode 0x00010000 has bits above the 16 of st_mode", refused(mode, false).getMessage());

        byte[] statFlags = good.clone();
        ByteBuffer.wrap(statFlags).putInt(REPLY_FIXED + 96, 3);
        assertEquals("unknown stat flag bits 0x00000002", refused(statFlags, false).getMessage());

        byte[] birthWithout = good.clone();
        ByteBuffer.wrap(birthWithout).putInt(REPLY_FIXED + 96, 0);
        assertEquals("stat has a birth time but says none is available", refused(birthWithout, false).getMessage());

        byte[] withFd = good.clone();
        ByteBuffer.wrap(withFd).putShort(6, (short) (Message.FLAG_HAS_STAT | Message.FLAG_HAS_FD));
        assertEquals("REPLY has more than one of FLAG_HAS_FD, FLAG_HAS_DATA, FLAG_HAS_STAT, FLAG_HAS_WATCH: 0x0005",
                refused(withFd, true).getMessage());

        byte[] onError = encode(Reply.error(1, 13, ""));
        ByteBuffer.wrap(onError).putShort(6, (short) Message.FLAG_HAS_STAT);
        assertEquals("REPLY with errno 13 (failure) has FLAG_HAS_STAT", refused(onError, false).getMessage());

        // A stat success with a reason, or data and stat at once, must not decode either.
        byte[] withData = good.clone();
        ByteBuffer.wrap(withData).putShort(6, (short) (Message.FLAG_HAS_STAT | Message.FLAG_HAS_DATA));
        assertTrue(refused(withData, false).getMessage().startsWith("REPLY has more than one of"));
    }

    @Test
    void watchRequestsRoundTripAndCarryTheirMask() throws Exception {
        for (int mask : new int[] {Message.WATCH_EVENTS, 0x100 | 0x080, 0x002}) {
            Request r = Request.watch(7, bytes("/data/in"), mask);
            Request back = decodeRequest(encode(r), 1);
            assertEquals(r, back);
            assertEquals(Message.WATCH, back.type());
            assertEquals(mask, back.mode());
            assertEquals("WATCH #7 /data/in mask=0x" + Integer.toHexString(mask), back.toString());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 0x001, 0x008, 0x400, 0x800, 0x2000, 0x0100_0000, 0x0200_0000, 0x2000_0000, 0x4000_0000, 0x8000_0000})
    void watchMasksOutsideTheJdksEventsAreRefused(int bits) {
        String expected = bits == 0 ? "watch mask is empty"
                : String.format("watch mask has bits 0x%08x outside the allowed 0x%08x", bits, Message.WATCH_EVENTS);
        int mask = bits == 0 ? 0 : Message.WATCH_EVENTS | bits;
        assertEquals(expected, assertThrows(IllegalArgumentException.class, () -> Request.watch(1, bytes("/d"), mask)).getMessage());
        byte[] wire = encode(Request.watch(1, bytes("/d"), Message.WATCH_EVENTS));
        ByteBuffer.wrap(wire).putInt(wire.length - 4, mask);
        assertEquals(expected, assertThrows(ProtocolException.class, () -> decodeRequest(wire, 1)).getMessage());
    }

    @Test
    void watchRequestsTakeNoFlags() {
        byte[] wire = encode(Request.watch(1, bytes("/d"), 0x100));
        ByteBuffer.wrap(wire).putShort(6, (short) Message.FLAG_NO_FOLLOW);
        assertEquals("unknown flag bits 0x0004 in WATCH", assertThrows(ProtocolException.class, () -> decodeRequest(wire, 1)).getMessage());
    }

    /** Exactly one descriptor with a WATCH, none with anything else; the position stays on refusal. */
    @Test
    void theDescriptorRuleIsEnforcedPerType() throws Exception {
        byte[] watch = encode(Request.watch(1, bytes("/d"), 0x100));
        assertEquals("WATCH request carried 0 descriptor(s), expected 1", refusedRequest(watch, 0).getMessage());
        assertEquals("WATCH request carried 2 descriptor(s), expected 1", refusedRequest(watch, 2).getMessage());
        assertEquals(Message.WATCH, decodeRequest(watch, 1).type());
        List<Request> others = List.of(Request.open(1, bytes("/f"), 0, 0, false), Request.stat(2, bytes("/f"), true),
                Request.readlink(3, bytes("/l")), Request.truncate(4, bytes("/f"), 0));
        for (Request r : others) {
            byte[] wire = encode(r);
            assertEquals(Message.typeName(r.type()) + " request carried 1 descriptor(s), expected 0",
                    refusedRequest(wire, 1).getMessage());
            assertEquals(r, decodeRequest(wire, 0));
        }
        for (int type = Message.OPEN; type <= Message.WATCH; type++) {
            assertEquals(type == Message.WATCH ? 1 : 0, Message.descriptorsCarried(type), Message.typeName(type));
        }
        assertThrows(IllegalArgumentException.class, () -> MessageCodec.decodeRequest(ByteBuffer.wrap(watch), watch.length, -2));
    }

    @Test
    void watchRepliesRoundTripAndAreChecked() throws Exception {
        for (int wd : new int[] {1, 2, Integer.MAX_VALUE}) {
            Reply r = Reply.watch(9, wd);
            Reply back = decode(encode(r), false);
            assertEquals(r, back);
            assertEquals(wd, back.watch());
            assertNull(back.stat());
            assertEquals("REPLY #9 watch " + wd, back.toString());
        }
        assertEquals("watch descriptor 0 is not positive",
                assertThrows(IllegalArgumentException.class, () -> Reply.watch(1, 0)).getMessage());
        byte[] zero = encode(Reply.watch(1, 5));
        ByteBuffer.wrap(zero).putInt(zero.length - 4, 0);
        assertEquals("watch descriptor 0 is not positive", refused(zero, false).getMessage());
        byte[] negative = encode(Reply.watch(1, 5));
        ByteBuffer.wrap(negative).putInt(negative.length - 4, -1);
        assertEquals("watch descriptor -1 is not positive", refused(negative, false).getMessage());
        assertEquals("message truncated: REPLY watch descriptor needs 4 bytes, 3 left",
                refused(Arrays.copyOf(negative, negative.length - 1), false).getMessage());
        byte[] onError = encode(Reply.error(1, 13, ""));
        ByteBuffer.wrap(onError).putShort(6, (short) Message.FLAG_HAS_WATCH);
        assertEquals("REPLY with errno 13 (failure) has FLAG_HAS_WATCH", refused(onError, false).getMessage());
        byte[] both = encode(Reply.watch(1, 5));
        ByteBuffer.wrap(both).putShort(6, (short) (Message.FLAG_HAS_WATCH | Message.FLAG_HAS_STAT));
        assertTrue(refused(both, false).getMessage().startsWith("REPLY has more than one of"));
    }

    private static Reply decode(byte[] wire, boolean attached) throws ProtocolException {
        ByteBuffer in = ByteBuffer.wrap(wire);
        Reply r = MessageCodec.decodeReply(in, wire.length, attached);
        assertEquals(wire.length, in.position());
        return r;
    }

    private static Request decodeRequest(byte[] wire, int descriptors) throws ProtocolException {
        ByteBuffer in = ByteBuffer.wrap(wire);
        Request r = MessageCodec.decodeRequest(in, wire.length, descriptors);
        assertEquals(wire.length, in.position());
        return r;
    }

    private static ProtocolException refusedRequest(byte[] wire, int descriptors) {
        ByteBuffer in = ByteBuffer.wrap(wire);
        ProtocolException e = assertThrows(ProtocolException.class, () -> MessageCodec.decodeRequest(in, wire.length, descriptors));
        assertEquals(0, in.position(), "a refused decode leaves the position where it was");
        return e;
    }

    private static ProtocolException refused(byte[] wire, boolean attached) {
        return assertThrows(ProtocolException.class, () -> MessageCodec.decodeReply(ByteBuffer.wrap(wire), wire.length, attached));
    }
}
