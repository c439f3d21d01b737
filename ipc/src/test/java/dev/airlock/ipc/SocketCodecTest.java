package dev.airlock.ipc;

import static dev.airlock.ipc.MessageCodecTest.encode;
import static dev.airlock.ipc.Wire.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The wire format of the socket operations (docs/ARCHITECTURE.md, "The network"): CONNECT and BIND
 * carry an endpoint instead of a path and exactly one descriptor (the helper's socket), and are
 * answered by a socket reply whose descriptor is the socket the helper puts in place of its own.
 */
class SocketCodecTest {
    /** fe80::1, a link-local address that needs its scope id. */
    static final byte[] V6_LINK_LOCAL = {(byte) 0xfe, (byte) 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

    private static final int HEADER = 12;

    @Test
    void connectHasTheDocumentedLayout() {
        byte[] wire = encode(connect(7, new byte[] {127, 0, 0, 1}, 5432, 0));
        assertEquals(HEADER + InetEndpoint.WIRE_SIZE + 4, wire.length);
        ByteBuffer b = ByteBuffer.wrap(wire);
        assertEquals(0x10, b.get(5), "CONNECT's code");
        assertEquals(Wire.SOCKET, b.getInt(35), "the socket's number");
        assertEquals(0, b.getShort(6), "no flags");
        assertEquals(7, b.getInt(8));
        assertEquals(4, b.get(12), "family");
        assertArrayEquals(new byte[] {127, 0, 0, 1}, Arrays.copyOfRange(wire, 13, 17));
        assertArrayEquals(new byte[12], Arrays.copyOfRange(wire, 17, 29), "an IPv4 address is padded with zeros");
        assertEquals(5432, b.getShort(29) & 0xFFFF);
        assertEquals(0, b.getInt(31), "scope");
    }

    @Test
    void bindHasTheDocumentedLayout() {
        byte[] wire = encode(bind(8, new byte[16], 443, 50));
        assertEquals(HEADER + InetEndpoint.WIRE_SIZE + 4 + 4, wire.length);
        ByteBuffer b = ByteBuffer.wrap(wire);
        assertEquals(0x11, b.get(5), "BIND's code");
        assertEquals(6, b.get(12), "family");
        assertEquals(443, b.getShort(29) & 0xFFFF);
        assertEquals(50, b.getInt(35), "backlog");
        assertEquals(Wire.SOCKET, b.getInt(39), "the socket's number");
    }

    @Test
    void socketRequestsRoundTripWithTheirDescriptor() throws Exception {
        List<Envelope<Request>> requests = List.of(
                connect(1, new byte[] {127, 0, 0, 1}, 1, 0),
                connect(2, new byte[] {10, 1, 2, 3}, 65535, 0),
                connect(3, V6_LINK_LOCAL, 443, 2),
                connect(4, InetAddress.getLoopbackAddress().getAddress(), 80, 0),
                bind(5, new byte[4], 0, 0),
                bind(6, new byte[16], 80, Integer.MAX_VALUE));
        for (Envelope<Request> r : requests) {
            byte[] wire = encode(r);
            assertEquals(Wire.SOCKET, ByteBuffer.wrap(wire).getInt(wire.length - 4), "the socket's number, last");
            Envelope<Request> back = MessageCodec.decodeRequest(ByteBuffer.wrap(wire), wire.length, 0);
            assertEquals(r, back, r.toString());
            assertEquals(r.toString(), back.toString());
            assertArrayEquals(wire, encode(back));
        }
        assertEquals(
                "CONNECT [fe80:0:0:0:0:0:0:1%2]:443", requests.get(2).message().toString());
        assertEquals("BIND 0.0.0.0:0", requests.get(4).message().toString());
        assertTrue(((Request.Bind) requests.get(5).message()).listens());
        assertFalse(((Request.Bind) requests.get(4).message()).listens());
    }

    @Test
    void aSocketRequestThatCarriesADescriptorOrLacksItsNumberIsRefusedWhole() {
        byte[] wire = encode(connect(1, new byte[] {127, 0, 0, 1}, 80, 0));
        for (int count : new int[] {1, 2}) {
            ProtocolException e = assertThrows(
                    ProtocolException.class,
                    () -> MessageCodec.decodeRequest(ByteBuffer.wrap(wire), wire.length, count));
            assertEquals("CONNECT request carried " + count + " descriptor(s); no request carries any", e.getMessage());
        }
        // The format before the number, whose socket came with SCM_RIGHTS: four bytes short, refused.
        byte[] old = Arrays.copyOf(wire, wire.length - 4);
        ProtocolException e = assertThrows(
                ProtocolException.class, () -> MessageCodec.decodeRequest(ByteBuffer.wrap(old), old.length, 1));
        assertEquals("message truncated: CONNECT descriptor needs 4 bytes, 0 left", e.getMessage());
        ByteBuffer.wrap(wire).putInt(wire.length - 4, -3);
        assertEquals(
                "descriptor number -3 is negative",
                assertThrows(
                                ProtocolException.class,
                                () -> MessageCodec.decodeRequest(ByteBuffer.wrap(wire), wire.length, 0))
                        .getMessage());
    }

    @Test
    void malformedEndpointsAreRefused() {
        byte[] family = encode(connect(1, new byte[] {127, 0, 0, 1}, 80, 0));
        family[12] = 5;
        assertEquals("CONNECT endpoint family 5, expected 4 or 6", refused(family));

        byte[] padding = encode(connect(1, new byte[] {127, 0, 0, 1}, 80, 0));
        padding[20] = 1;
        assertEquals("CONNECT endpoint has non-zero byte 7 after an IPv4 address", refused(padding));

        byte[] scope = encode(connect(1, new byte[] {127, 0, 0, 1}, 80, 0));
        ByteBuffer.wrap(scope).putInt(31, 3);
        assertEquals("scope id 3 on an IPv4 address", refused(scope));

        byte[] negativeScope = encode(connect(1, V6_LINK_LOCAL, 80, 2));
        ByteBuffer.wrap(negativeScope).putInt(31, -1);
        assertEquals("scope id -1 is negative", refused(negativeScope));

        byte[] backlog = encode(bind(1, new byte[4], 80, 1));
        ByteBuffer.wrap(backlog).putInt(35, -1);
        assertEquals("backlog -1 is negative", refused(backlog));

        byte[] truncated = Arrays.copyOf(encode(connect(1, new byte[4], 80, 0)), HEADER + 10);
        assertEquals("message truncated: CONNECT endpoint needs 23 bytes, 10 left", refused(truncated));

        byte[] trailing =
                Arrays.copyOf(encode(connect(1, new byte[4], 80, 0)), HEADER + InetEndpoint.WIRE_SIZE + 4 + 1);
        assertEquals("1 trailing bytes after CONNECT body (message is 40 bytes)", refused(trailing));

        byte[] flags = encode(connect(1, new byte[4], 80, 0));
        ByteBuffer.wrap(flags).putShort(6, (short) 0x0002);
        assertEquals("unknown flag bits 0x0002 in CONNECT", refused(flags));
    }

    @Test
    void endpointsAreCheckedAsTheyAreBuilt() {
        assertEquals(
                "address of 5 bytes, expected 4 (IPv4) or 16 (IPv6)",
                assertThrows(IllegalArgumentException.class, () -> InetEndpoint.of(new byte[5], 80, 0))
                        .getMessage());
        assertEquals(
                "port 65536 out of range 0..65535",
                assertThrows(IllegalArgumentException.class, () -> InetEndpoint.of(new byte[4], 65536, 0))
                        .getMessage());
        assertEquals(
                "port -1 out of range 0..65535",
                assertThrows(IllegalArgumentException.class, () -> InetEndpoint.of(new byte[16], -1, 0))
                        .getMessage());
        byte[] mine = {127, 0, 0, 1};
        InetEndpoint e = InetEndpoint.of(mine, 80, 0);
        mine[0] = 10;
        assertEquals("127.0.0.1:80", e.toString(), "the address is copied in");
        e.address()[0] = 10;
        assertEquals("127.0.0.1:80", e.toString(), "and out");
        assertEquals(InetEndpoint.of(new byte[] {127, 0, 0, 1}, 80, 0), e);
    }

    @Test
    void socketRepliesCarryTheirDescriptorAndState() throws Exception {
        for (Reply.SocketState state : Reply.SocketState.values()) {
            Envelope<Reply> r = socketReply(3, state);
            byte[] wire = encode(r);
            assertEquals(HEADER + 2, wire.length);
            assertEquals(9, wire[HEADER], "kind");
            Envelope<Reply> back = MessageCodec.decodeReply(ByteBuffer.wrap(wire), wire.length, true);
            assertEquals(r, back);
            assertTrue(back.message().carriesDescriptor());
            assertTrue(Operation.CONNECT.success().admits((Reply.Success) back.message()));
            assertFalse(Operation.OPEN.success().admits((Reply.Success) back.message()));
            assertEquals(
                    "REPLY of kind " + r.message() + " but no descriptor was attached",
                    assertThrows(
                                    ProtocolException.class,
                                    () -> MessageCodec.decodeReply(ByteBuffer.wrap(wire), wire.length, false))
                            .getMessage());
        }
        assertFalse(Operation.CONNECT.success().admits(new Reply.Descriptor()), "a bare descriptor has no state");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 5, 255})
    void unknownSocketStatesAreRefused(int state) {
        byte[] wire = encode(socketReply(3, Reply.SocketState.BOUND));
        wire[HEADER + 1] = (byte) state;
        assertEquals(
                "unknown socket state " + state,
                assertThrows(
                                ProtocolException.class,
                                () -> MessageCodec.decodeReply(ByteBuffer.wrap(wire), wire.length, true))
                        .getMessage());
    }

    private static String refused(byte[] wire) {
        return assertThrows(
                        ProtocolException.class,
                        () -> MessageCodec.decodeRequest(ByteBuffer.wrap(wire), wire.length, 0))
                .getMessage();
    }
}
