package dev.airlock.ipc;

import static dev.airlock.ipc.MessageCodecTest.bytes;
import static dev.airlock.ipc.MessageCodecTest.encode;
import static dev.airlock.ipc.Wire.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
    static final FileStat LINK_STAT = new FileStat(
            0120777,
            0x8000_0000_0000_0001L,
            0x0000_0103_0000_0801L,
            0L,
            1,
            65534,
            -2,
            11,
            1_700_000_000L,
            999_999_999,
            -1L,
            0,
            Long.MAX_VALUE,
            123,
            true,
            Long.MIN_VALUE,
            1);

    private static final int HEADER = 12;
    /** The header and the kind byte: where a status reply's stat block starts. */
    private static final int REPLY_FIXED = HEADER + 1;

    @Test
    void statRepliesRoundTripEveryField() throws Exception {
        FileStat noBirth = new FileStat(0100644, 5, 6, 7, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, false, 0, 0);
        for (FileStat stat : List.of(LINK_STAT, noBirth)) {
            Envelope<Reply> r = status(42, stat);
            byte[] wire = encode(r);
            assertEquals(REPLY_FIXED + FileStat.WIRE_SIZE, wire.length);
            Envelope<Reply> back = decode(wire, false);
            assertEquals(r, back);
            assertEquals(stat, ((Reply.Status) back.message()).stat());
            assertFalse(back.message().carriesDescriptor());
        }
        assertTrue(LINK_STAT.isSymbolicLink());
        assertFalse(noBirth.isSymbolicLink());
    }

    @Test
    void statBlockHasTheDocumentedBigEndianLayout() {
        ByteBuffer w = ByteBuffer.wrap(encode(status(1, LINK_STAT)));
        assertEquals(0, w.getShort(6));
        assertEquals(Message.KIND_STATUS, w.get(HEADER));
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
        assertEquals(
                "stat mtime nanoseconds 1000000000 out of range 0..999999999",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> new FileStat(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1_000_000_000, 0, 0, false, 0, 0))
                        .getMessage());
        assertEquals(
                "stat size -1 is negative",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> new FileStat(0, 0, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0, 0, 0, false, 0, 0))
                        .getMessage());
        assertEquals(
                "stat mode 0x00010000 has bits above the 16 of st_mode",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> new FileStat(0x10000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, false, 0, 0))
                        .getMessage());
        assertEquals(
                "stat has a birth time but says none is available",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> new FileStat(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, false, 1, 0))
                        .getMessage());
        assertThrows(NullPointerException.class, () -> status(1, null));
    }

    @Test
    void hostileStatRepliesAreRefused() {
        byte[] good = encode(status(1, LINK_STAT));

        assertEquals(
                "message truncated: REPLY stat needs 100 bytes, 99 left",
                refused(Arrays.copyOf(good, good.length - 1), false).getMessage());
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        assertEquals(
                "1 trailing bytes after REPLY body (message is " + trailing.length + " bytes)",
                refused(trailing, false).getMessage());
        assertEquals(
                "REPLY has a descriptor attached but its kind is status mode=0120777 ino=9223372036854775809",
                refused(good, true).getMessage());

        byte[] nanos = good.clone();
        ByteBuffer.wrap(nanos).putInt(REPLY_FIXED + 68, -1);
        assertEquals(
                "stat mtime nanoseconds -1 out of range 0..999999999",
                refused(nanos, false).getMessage());

        byte[] size = good.clone();
        ByteBuffer.wrap(size).putLong(REPLY_FIXED + 40, -5);
        assertEquals("stat size -5 is negative", refused(size, false).getMessage());

        byte[] mode = good.clone();
        ByteBuffer.wrap(mode).putInt(REPLY_FIXED, 0x1_0000);
        assertEquals(
                "stat mode 0x00010000 has bits above the 16 of st_mode",
                refused(mode, false).getMessage());

        byte[] statFlags = good.clone();
        ByteBuffer.wrap(statFlags).putInt(REPLY_FIXED + 96, 3);
        assertEquals(
                "unknown stat flag bits 0x00000002", refused(statFlags, false).getMessage());

        byte[] birthWithout = good.clone();
        ByteBuffer.wrap(birthWithout).putInt(REPLY_FIXED + 96, 0);
        assertEquals(
                "stat has a birth time but says none is available",
                refused(birthWithout, false).getMessage());

        byte[] withFlags = good.clone();
        ByteBuffer.wrap(withFlags).putShort(6, (short) 0x0005);
        assertEquals(
                "unknown flag bits 0x0005 in REPLY", refused(withFlags, true).getMessage());

        // A failure followed by a stat block, or a stat block after a data kind, must not decode either.
        byte[] onError = Arrays.copyOf(encode(failed(1, 13)), 17 + FileStat.WIRE_SIZE);
        assertEquals(
                "100 trailing bytes after REPLY body (message is 117 bytes)",
                refused(onError, false).getMessage());
        byte[] asData = good.clone();
        asData[HEADER] = (byte) Message.KIND_DATA;
        assertTrue(refused(asData, false).getMessage().contains("trailing bytes after REPLY body"));
    }

    @Test
    void watchRequestsRoundTripAndCarryTheirMask() throws Exception {
        for (int mask : new int[] {Message.WATCH_EVENTS, 0x100 | 0x080, 0x002}) {
            Envelope<Request> r = watch(7, bytes("/data/in"), mask);
            Envelope<Request> back = decodeRequest(encode(r), 0);
            assertEquals(r, back);
            assertEquals(Operation.WATCH, back.message().operation());
            assertEquals(mask, ((Request.Watch) back.message()).eventMask());
            assertEquals("#7 WATCH /data/in mask=0x" + Integer.toHexString(mask), back.toString());
        }
    }

    @ParameterizedTest
    @ValueSource(
            ints = {
                0,
                0x001,
                0x008,
                0x400,
                0x800,
                0x2000,
                0x0100_0000,
                0x0200_0000,
                0x2000_0000,
                0x4000_0000,
                0x8000_0000
            })
    void watchMasksOutsideTheJdksEventsAreRefused(int bits) {
        String expected = bits == 0
                ? "watch mask is empty"
                : String.format("watch mask has bits 0x%08x outside the allowed 0x%08x", bits, Message.WATCH_EVENTS);
        int mask = bits == 0 ? 0 : Message.WATCH_EVENTS | bits;
        assertEquals(
                expected,
                assertThrows(IllegalArgumentException.class, () -> watch(1, bytes("/d"), mask))
                        .getMessage());
        byte[] wire = encode(watch(1, bytes("/d"), Message.WATCH_EVENTS));
        ByteBuffer.wrap(wire).putInt(wire.length - 8, mask);
        assertEquals(
                expected,
                assertThrows(ProtocolException.class, () -> decodeRequest(wire, 0))
                        .getMessage());
    }

    @Test
    void watchRequestsTakeNoFlags() {
        byte[] wire = encode(watch(1, bytes("/d"), 0x100));
        ByteBuffer.wrap(wire).putShort(6, (short) Message.FLAG_NO_FOLLOW);
        assertEquals(
                "unknown flag bits 0x0004 in WATCH",
                assertThrows(ProtocolException.class, () -> decodeRequest(wire, 0))
                        .getMessage());
    }

    /** No request carries a descriptor, a WATCH (which names one) included; the position stays on refusal. */
    @Test
    void noRequestCarriesADescriptor() throws Exception {
        byte[] watch = encode(watch(1, bytes("/d"), 0x100));
        assertEquals(
                "WATCH request carried 1 descriptor(s); no request carries any",
                refusedRequest(watch, 1).getMessage());
        assertEquals(
                "WATCH request carried 2 descriptor(s); no request carries any",
                refusedRequest(watch, 2).getMessage());
        Request.Watch decoded = (Request.Watch) decodeRequest(watch, 0).message();
        assertEquals(new HelperDescriptor(Wire.WATCHED_INSTANCE), decoded.instance());
        List<Envelope<Request>> others = List.of(
                open(1, bytes("/f"), 0, 0, false),
                stat(2, bytes("/f"), true),
                readlink(3, bytes("/l")),
                mkdir(4, bytes("/f"), 0));
        for (Envelope<Request> r : others) {
            byte[] wire = encode(r);
            assertEquals(
                    r.message().operation() + " request carried 1 descriptor(s); no request carries any",
                    refusedRequest(wire, 1).getMessage());
            assertEquals(r, decodeRequest(wire, 0));
        }
        assertThrows(
                IllegalArgumentException.class,
                () -> MessageCodec.decodeRequest(ByteBuffer.wrap(watch), watch.length, -2));
    }

    @Test
    void watchRepliesRoundTripAndAreChecked() throws Exception {
        for (int wd : new int[] {1, 2, Integer.MAX_VALUE}) {
            Envelope<Reply> r = watchReply(9, wd);
            Envelope<Reply> back = decode(encode(r), false);
            assertEquals(r, back);
            assertEquals(wd, ((Reply.WatchDescriptor) back.message()).descriptor());
            assertEquals("#9 watch " + wd, back.toString());
        }
        assertEquals(
                "watch descriptor 0 is not positive",
                assertThrows(IllegalArgumentException.class, () -> watchReply(1, 0))
                        .getMessage());
        byte[] zero = encode(watchReply(1, 5));
        ByteBuffer.wrap(zero).putInt(zero.length - 4, 0);
        assertEquals("watch descriptor 0 is not positive", refused(zero, false).getMessage());
        byte[] negative = encode(watchReply(1, 5));
        ByteBuffer.wrap(negative).putInt(negative.length - 4, -1);
        assertEquals(
                "watch descriptor -1 is not positive", refused(negative, false).getMessage());
        assertEquals(
                "message truncated: REPLY watch descriptor needs 4 bytes, 3 left",
                refused(Arrays.copyOf(negative, negative.length - 1), false).getMessage());
        byte[] onError = Arrays.copyOf(encode(failed(1, 13)), 21);
        assertEquals(
                "4 trailing bytes after REPLY body (message is 21 bytes)",
                refused(onError, false).getMessage());
    }

    private static Envelope<Reply> decode(byte[] wire, boolean attached) throws ProtocolException {
        ByteBuffer in = ByteBuffer.wrap(wire);
        Envelope<Reply> r = MessageCodec.decodeReply(in, wire.length, attached);
        assertEquals(wire.length, in.position());
        return r;
    }

    private static Envelope<Request> decodeRequest(byte[] wire, int descriptors) throws ProtocolException {
        ByteBuffer in = ByteBuffer.wrap(wire);
        Envelope<Request> r = MessageCodec.decodeRequest(in, wire.length, descriptors);
        assertEquals(wire.length, in.position());
        return r;
    }

    private static ProtocolException refusedRequest(byte[] wire, int descriptors) {
        ByteBuffer in = ByteBuffer.wrap(wire);
        ProtocolException e =
                assertThrows(ProtocolException.class, () -> MessageCodec.decodeRequest(in, wire.length, descriptors));
        assertEquals(0, in.position(), "a refused decode leaves the position where it was");
        return e;
    }

    private static ProtocolException refused(byte[] wire, boolean attached) {
        return assertThrows(
                ProtocolException.class, () -> MessageCodec.decodeReply(ByteBuffer.wrap(wire), wire.length, attached));
    }
}
