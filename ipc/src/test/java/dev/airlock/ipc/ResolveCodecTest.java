package dev.airlock.ipc;

import static dev.airlock.ipc.MessageCodecTest.encode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The wire format of name resolution (docs/ARCHITECTURE.md, "Name resolution"): RESOLVE carries a
 * host name, REVERSE_RESOLVE an address, neither a path nor a descriptor; their successes are the
 * addresses, "unresolved", and a host name.
 */
class ResolveCodecTest {
    private static final int HEADER = 12;
    private static final byte[] LOOPBACK = {127, 0, 0, 1};
    private static final byte[] V6_LINK_LOCAL = SocketCodecTest.V6_LINK_LOCAL;

    private static Envelope<Request> resolve(int id, String host) {
        return new Envelope<>(id, new Request.Resolve(host));
    }

    private static Envelope<Request> reverse(int id, byte[] address, int scope) {
        return new Envelope<>(id, new Request.ReverseResolve(HostAddress.of(address, scope)));
    }

    @Test
    void resolveHasTheDocumentedLayout() throws Exception {
        byte[] wire = encode(resolve(9, "db.example.com"));
        assertEquals(HEADER + 2 + 14, wire.length);
        ByteBuffer b = ByteBuffer.wrap(wire);
        assertEquals(0x12, b.get(5), "RESOLVE's code");
        assertEquals(0, b.getShort(6), "no flags");
        assertEquals(9, b.getInt(8));
        assertEquals(14, b.getShort(12));
        assertEquals("db.example.com", new String(wire, 14, 14, StandardCharsets.US_ASCII));
        assertEquals(resolve(9, "db.example.com"), MessageCodec.decodeRequest(ByteBuffer.wrap(wire), wire.length, 0));
        assertFalse(Operation.RESOLVE.hasPath());
        assertFalse(Operation.RESOLVE.body().contains(Operation.Field.DESCRIPTOR));
    }

    @Test
    void reverseResolveHasTheDocumentedLayout() throws Exception {
        byte[] wire = encode(reverse(3, LOOPBACK, 0));
        assertEquals(HEADER + HostAddress.WIRE_SIZE, wire.length);
        assertEquals(0x15, wire[5], "REVERSE_RESOLVE's code");
        assertEquals(4, wire[12], "family");
        assertArrayEquals(LOOPBACK, Arrays.copyOfRange(wire, 13, 17));
        assertArrayEquals(new byte[12], Arrays.copyOfRange(wire, 17, 29));
        assertEquals(0, ByteBuffer.wrap(wire).getInt(29), "scope");
        assertEquals(reverse(3, LOOPBACK, 0), MessageCodec.decodeRequest(ByteBuffer.wrap(wire), wire.length, 0));
        Envelope<Request> v6 = reverse(4, V6_LINK_LOCAL, 2);
        byte[] six = encode(v6);
        assertEquals(v6, MessageCodec.decodeRequest(ByteBuffer.wrap(six), six.length, 0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "a", "db-1.internal_zone.example.", "0:0:0:0:0:0:0:1", "fe80:0:0:0:0:0:0:1%2"})
    void hostNamesRoundTrip(String host) throws Exception {
        byte[] wire = encode(resolve(1, host));
        assertEquals(resolve(1, host), MessageCodec.decodeRequest(ByteBuffer.wrap(wire), wire.length, 0));
        Envelope<Reply> name = new Envelope<>(1, new Reply.HostName(host));
        byte[] reply = encode(name);
        assertEquals(name, MessageCodec.decodeReply(ByteBuffer.wrap(reply), reply.length, false));
    }

    @Test
    void hostNamesAreCheckedAsTheyAreBuilt() {
        assertEquals("host name length 0 out of range 1..255", built(""));
        assertEquals("host name length 256 out of range 1..255", built("a".repeat(256)));
        assertEquals(
                "host name has character U+0020 at index 1; a host name is ASCII letters, digits, '.', '-', '_',"
                        + " ':' and '%'",
                built("a b"));
        assertEquals(
                "host name has character U+0000 at index 3; a host name is ASCII letters, digits, '.', '-', '_',"
                        + " ':' and '%'",
                built("abc\0evil"));
        assertTrue(built("bücher.example").startsWith("host name has character U+00FC at index 1"));
        assertTrue(built("a\nb").startsWith("host name has character U+000A at index 1"));
        new Request.Resolve("a".repeat(255)); // the longest
    }

    @Test
    void malformedResolveRequestsAreRefusedPrecisely() {
        byte[] good = encode(resolve(1, "abc"));

        byte[] empty = Arrays.copyOf(good, HEADER + 2);
        ByteBuffer.wrap(empty).putShort(12, (short) 0);
        assertEquals("RESOLVE host name length 0 out of range 1..255", refused(empty, 0));

        byte[] tooLong = good.clone();
        ByteBuffer.wrap(tooLong).putShort(12, (short) 256);
        assertEquals("RESOLVE host name length 256 out of range 1..255", refused(tooLong, 0));

        byte[] truncated = good.clone();
        ByteBuffer.wrap(truncated).putShort(12, (short) 4);
        assertEquals("message truncated: RESOLVE host name needs 4 bytes, 3 left", refused(truncated, 0));

        byte[] nul = good.clone();
        nul[HEADER + 3] = 0;
        assertTrue(refused(nul, 0).startsWith("host name has character U+0000 at index 1"), refused(nul, 0));

        byte[] high = good.clone();
        high[HEADER + 2] = (byte) 0xC3;
        assertTrue(refused(high, 0).startsWith("host name has character U+00C3 at index 0"), refused(high, 0));

        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        assertEquals("1 trailing bytes after RESOLVE body (message is 18 bytes)", refused(trailing, 0));

        byte[] flags = good.clone();
        ByteBuffer.wrap(flags).putShort(6, (short) 0x0004);
        assertEquals("unknown flag bits 0x0004 in RESOLVE", refused(flags, 0));

        assertEquals("RESOLVE request carried 1 descriptor(s); no request carries any", refused(good, 1));
    }

    @Test
    void malformedReverseRequestsAreRefusedPrecisely() {
        byte[] good = encode(reverse(1, LOOPBACK, 0));

        byte[] family = good.clone();
        family[HEADER] = 5;
        assertEquals("REVERSE_RESOLVE address family 5, expected 4 or 6", refused(family, 0));

        byte[] padding = good.clone();
        padding[HEADER + 1 + 7] = 1;
        assertEquals("REVERSE_RESOLVE address has non-zero byte 7 after an IPv4 address", refused(padding, 0));

        byte[] scope = good.clone();
        ByteBuffer.wrap(scope).putInt(HEADER + 17, 2);
        assertEquals("scope id 2 on an IPv4 address", refused(scope, 0));

        byte[] truncated = Arrays.copyOf(good, HEADER + 20);
        assertEquals("message truncated: REVERSE_RESOLVE address needs 21 bytes, 20 left", refused(truncated, 0));
    }

    @Test
    void addressRepliesRoundTripUpToTheLimit() throws Exception {
        List<HostAddress> all = new ArrayList<>();
        for (int i = 0; i < Message.MAX_ADDRESSES; i++) {
            all.add(i % 2 == 0 ? HostAddress.of(new byte[] {10, 0, 0, (byte) i}, 0) : HostAddress.of(V6_LINK_LOCAL, i));
        }
        Envelope<Reply> r = new Envelope<>(5, new Reply.Addresses(all));
        byte[] wire = encode(r);
        assertEquals(HEADER + 2 + Message.MAX_ADDRESSES * HostAddress.WIRE_SIZE, wire.length);
        assertEquals(10, wire[HEADER], "kind");
        assertEquals(Message.MAX_ADDRESSES, wire[HEADER + 1] & 0xFF, "count");
        Envelope<Reply> back = MessageCodec.decodeReply(ByteBuffer.wrap(wire), wire.length, false);
        assertEquals(r, back);
        assertTrue(Operation.RESOLVE.success().admits((Reply.Success) back.message()));
        assertFalse(Operation.REVERSE_RESOLVE.success().admits((Reply.Success) back.message()));
        assertFalse(Operation.OPEN.success().admits((Reply.Success) back.message()));

        byte[] unresolved = encode(new Envelope<>(6, new Reply.Unresolved()));
        assertEquals(HEADER + 1, unresolved.length);
        assertEquals(11, unresolved[HEADER]);
        Reply u = MessageCodec.decodeReply(ByteBuffer.wrap(unresolved), unresolved.length, false)
                .message();
        assertEquals(new Reply.Unresolved(), u);
        assertTrue(Operation.RESOLVE.success().admits((Reply.Success) u));

        byte[] name = encode(new Envelope<>(7, new Reply.HostName("db.example.com")));
        assertEquals(12, name[HEADER]);
        assertTrue(Operation.REVERSE_RESOLVE.success().admits(new Reply.HostName("x")));
        assertFalse(Operation.REVERSE_RESOLVE.success().admits(new Reply.Unresolved()));
    }

    @Test
    void addressRepliesAreCheckedAsTheyAreBuilt() {
        assertEquals(
                "address count 0 out of range 1..64",
                assertThrows(IllegalArgumentException.class, () -> new Reply.Addresses(List.of()))
                        .getMessage());
        List<HostAddress> tooMany = new ArrayList<>();
        for (int i = 0; i <= Message.MAX_ADDRESSES; i++) {
            tooMany.add(HostAddress.of(LOOPBACK, 0));
        }
        assertEquals(
                "address count 65 out of range 1..64",
                assertThrows(IllegalArgumentException.class, () -> new Reply.Addresses(tooMany))
                        .getMessage());
        assertEquals(
                "scope id 1 on an IPv4 address",
                assertThrows(IllegalArgumentException.class, () -> HostAddress.of(LOOPBACK, 1))
                        .getMessage());
        byte[] mine = LOOPBACK.clone();
        HostAddress a = HostAddress.of(mine, 0);
        mine[0] = 10;
        a.address()[1] = 9;
        assertEquals("127.0.0.1", a.toString(), "copied in and out");
        assertEquals("fe80:0:0:0:0:0:0:1%2", HostAddress.of(V6_LINK_LOCAL, 2).toString());
    }

    @Test
    void malformedAddressRepliesAreRefusedPrecisely() {
        byte[] good = encode(new Envelope<>(1, new Reply.Addresses(List.of(HostAddress.of(LOOPBACK, 0)))));

        byte[] zero = Arrays.copyOf(good, HEADER + 2);
        zero[HEADER + 1] = 0;
        assertEquals("address count 0 out of range 1..64", refusedReply(zero, false));

        byte[] many = good.clone();
        many[HEADER + 1] = 65;
        assertEquals("address count 65 out of range 1..64", refusedReply(many, false));

        byte[] short2 = good.clone();
        short2[HEADER + 1] = 2;
        assertEquals("message truncated: REPLY addresses needs 42 bytes, 21 left", refusedReply(short2, false));

        byte[] family = good.clone();
        family[HEADER + 2] = 0;
        assertEquals("REPLY address 0 family 0, expected 4 or 6", refusedReply(family, false));

        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        assertTrue(refusedReply(trailing, false).startsWith("1 trailing bytes after REPLY"));

        assertEquals(
                "REPLY has a descriptor attached but its kind is "
                        + new Reply.Addresses(List.of(HostAddress.of(LOOPBACK, 0))),
                refusedReply(good, true));

        byte[] name = encode(new Envelope<>(1, new Reply.HostName("abc")));
        byte[] badName = name.clone();
        badName[HEADER + 3] = ' ';
        assertTrue(refusedReply(badName, false).startsWith("host name has character U+0020 at index 0"));
        byte[] emptyName = Arrays.copyOf(name, HEADER + 3);
        ByteBuffer.wrap(emptyName).putShort(HEADER + 1, (short) 0);
        assertEquals("REPLY host name length 0 out of range 1..255", refusedReply(emptyName, false));

        byte[] unresolved = encode(new Envelope<>(1, new Reply.Unresolved()));
        byte[] extra = Arrays.copyOf(unresolved, unresolved.length + 2);
        assertTrue(refusedReply(extra, false).startsWith("2 trailing bytes after REPLY"));
    }

    private static String built(String host) {
        return assertThrows(IllegalArgumentException.class, () -> new Request.Resolve(host))
                .getMessage();
    }

    private static String refused(byte[] wire, int descriptors) {
        return assertThrows(
                        ProtocolException.class,
                        () -> MessageCodec.decodeRequest(ByteBuffer.wrap(wire), wire.length, descriptors))
                .getMessage();
    }

    private static String refusedReply(byte[] wire, boolean attached) {
        return assertThrows(
                        ProtocolException.class,
                        () -> MessageCodec.decodeReply(ByteBuffer.wrap(wire), wire.length, attached))
                .getMessage();
    }
}
