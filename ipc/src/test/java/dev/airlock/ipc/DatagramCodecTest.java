package dev.airlock.ipc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The wire format of UDP (docs/ARCHITECTURE.md, "The network"): DATAGRAM asks for a socket of a
 * family and carries nothing; SEND_DATAGRAM carries an endpoint, a payload of up to the largest UDP
 * payload and exactly one descriptor, and is the only request allowed past {@link Message#MAX_SIZE};
 * its success is a {@link Reply.Sent}. Every malformed field is refused precisely.
 */
class DatagramCodecTest {
    private static final byte[] LOOPBACK = {127, 0, 0, 1};

    private static byte[] encode(int id, Request r) {
        ByteBuffer out = ByteBuffer.allocate(Message.MAX_REQUEST_SIZE);
        int n = MessageCodec.encode(id, r, out);
        return Arrays.copyOf(out.array(), n);
    }

    private static Envelope<Request> decode(byte[] wire, int descriptors) throws ProtocolException {
        return MessageCodec.decodeRequest(ByteBuffer.wrap(wire), wire.length, descriptors);
    }

    private static String refused(byte[] wire, int descriptors) {
        return assertThrows(ProtocolException.class, () -> decode(wire, descriptors))
                .getMessage();
    }

    private static Request.SendDatagram send(int payloadLength) {
        return new Request.SendDatagram(
                InetEndpoint.of(LOOPBACK, 53, 0), DatagramPayload.of(new byte[payloadLength]), new HelperDescriptor(7));
    }

    @Test
    void datagramCarriesItsFamilyAndNoDescriptor() throws Exception {
        for (Request.Family f : Request.Family.values()) {
            byte[] wire = encode(3, new Request.Datagram(f));
            assertEquals(12 + 4, wire.length);
            assertEquals(0x13, wire[5], "DATAGRAM's code");
            assertEquals(f == Request.Family.INET ? 4 : 6, ByteBuffer.wrap(wire).getInt(12));
            assertEquals(new Envelope<Request>(3, new Request.Datagram(f)), decode(wire, 0));
            assertEquals("DATAGRAM request carried 1 descriptor(s); no request carries any", refused(wire, 1));
        }
        byte[] wire = encode(3, new Request.Datagram(Request.Family.INET));
        ByteBuffer.wrap(wire).putInt(12, 5);
        assertEquals("address family 5, expected 4 or 6", refused(wire, 0));
        assertThrows(NullPointerException.class, () -> new Request.Datagram(null));
    }

    @Test
    void sendDatagramHasTheDocumentedLayoutAndRoundTrips() throws Exception {
        Request.SendDatagram r = new Request.SendDatagram(
                InetEndpoint.of(LOOPBACK, 5353, 0), DatagramPayload.of(new byte[] {1, 2, 3}), new HelperDescriptor(6));
        byte[] wire = encode(9, r);
        assertEquals(12 + InetEndpoint.WIRE_SIZE + 2 + 3 + 4, wire.length);
        assertEquals(0x14, wire[5], "SEND_DATAGRAM's code");
        assertEquals(4, wire[12], "family");
        assertEquals(5353, ByteBuffer.wrap(wire).getShort(29) & 0xFFFF);
        assertEquals(3, ByteBuffer.wrap(wire).getShort(35));
        assertArrayEquals(new byte[] {1, 2, 3}, Arrays.copyOfRange(wire, 37, 40));
        assertEquals(6, ByteBuffer.wrap(wire).getInt(40), "the socket's number, last");
        assertEquals(new Envelope<Request>(9, r), decode(wire, 0));
        assertEquals("SEND_DATAGRAM request carried 1 descriptor(s); no request carries any", refused(wire, 1));
        assertEquals("SEND_DATAGRAM request carried 2 descriptor(s); no request carries any", refused(wire, 2));
        ByteBuffer.wrap(wire).putInt(40, -1);
        assertEquals("descriptor number -1 is negative", refused(wire, 0));
        // The format before the descriptor number (the socket passed with SCM_RIGHTS): four bytes short.
        assertEquals(
                "message truncated: SEND_DATAGRAM descriptor needs 4 bytes, 0 left",
                refused(Arrays.copyOf(wire, wire.length - 4), 0));
    }

    @Test
    void theLargestPayloadFitsAndOnlySendDatagramMayExceedTheOrdinaryLimit() throws Exception {
        byte[] largest = encode(1, send(Message.MAX_DATAGRAM_PAYLOAD));
        assertEquals(Message.MAX_REQUEST_SIZE, largest.length);
        assertEquals(
                Message.MAX_DATAGRAM_PAYLOAD,
                ((Request.SendDatagram) decode(largest, 0).message()).payload().length());
        assertEquals(
                0,
                ((Request.SendDatagram) decode(encode(1, send(0)), 0).message())
                        .payload()
                        .length());
        assertThrows(
                IllegalArgumentException.class, () -> DatagramPayload.of(new byte[Message.MAX_DATAGRAM_PAYLOAD + 1]));
        // A CONNECT padded to the size of a datagram is refused by its own, smaller limit.
        byte[] connect = encode(1, new Request.Connect(InetEndpoint.of(LOOPBACK, 80, 0), new HelperDescriptor(5)));
        byte[] padded = Arrays.copyOf(connect, Message.MAX_SIZE + 1);
        assertEquals("CONNECT request too large: 8193 bytes, limit 8192", refused(padded, 0));
    }

    @Test
    void malformedPayloadsAreRefused() {
        byte[] wire = encode(1, send(4));
        // A declared length past the message's end.
        byte[] longer = wire.clone();
        ByteBuffer.wrap(longer).putShort(35, (short) 9);
        assertEquals("message truncated: SEND_DATAGRAM payload needs 9 bytes, 8 left", refused(longer, 0));
        // A declared length over the largest UDP payload.
        byte[] over = wire.clone();
        ByteBuffer.wrap(over).putShort(35, (short) 65_530);
        assertEquals("datagram payload of 65530 bytes out of range 0..65527", refused(over, 0));
        // Bytes after the payload.
        byte[] trailing = Arrays.copyOf(wire, wire.length + 1);
        assertEquals("1 trailing bytes after SEND_DATAGRAM body (message is 46 bytes)", refused(trailing, 0));
        // Cut inside the length field.
        byte[] cut = Arrays.copyOf(wire, 36);
        assertEquals("message truncated: SEND_DATAGRAM payload length needs 2 bytes, 1 left", refused(cut, 0));
        // A bad endpoint.
        byte[] family = wire.clone();
        family[12] = 5;
        assertEquals("SEND_DATAGRAM endpoint family 5, expected 4 or 6", refused(family, 0));
    }

    @Test
    void sentRepliesRoundTripAndAreChecked() throws Exception {
        ByteBuffer out = ByteBuffer.allocate(Message.MAX_SIZE);
        int n = MessageCodec.encode(4, new Reply.Sent(1200), out);
        byte[] wire = Arrays.copyOf(out.array(), n);
        assertEquals(12 + 1 + 4, wire.length);
        assertEquals(13, wire[12], "kind 13: sent");
        assertEquals(
                new Envelope<Reply>(4, new Reply.Sent(1200)),
                MessageCodec.decodeReply(ByteBuffer.wrap(wire), wire.length, false));
        assertThrows(ProtocolException.class, () -> MessageCodec.decodeReply(ByteBuffer.wrap(wire), wire.length, true));
        ByteBuffer.wrap(wire).putInt(13, -1);
        assertEquals(
                "sent byte count -1 out of range 0..65527",
                assertThrows(
                                ProtocolException.class,
                                () -> MessageCodec.decodeReply(ByteBuffer.wrap(wire), wire.length, false))
                        .getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Reply.Sent(65_528));
        assertEquals(true, Operation.SEND_DATAGRAM.success().admits(new Reply.Sent(0)));
        assertEquals(false, Operation.SEND_DATAGRAM.success().admits(new Reply.Done()));
        assertEquals(true, Operation.DATAGRAM.success().admits(new Reply.Descriptor()));
    }
}
