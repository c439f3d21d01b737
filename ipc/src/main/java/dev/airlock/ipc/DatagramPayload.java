package dev.airlock.ipc;

import java.util.Objects;

/**
 * The bytes of one datagram a SEND_DATAGRAM carries, 0 to {@value Message#MAX_DATAGRAM_PAYLOAD}
 * (the largest UDP payload): copied in and out, compared by content, so that what the broker
 * decided is what it sends.
 */
public final class DatagramPayload extends WireBytes {
    private DatagramPayload(byte[] bytes) {
        super(bytes);
    }

    /**
     * A payload of a copy of {@code bytes}.
     *
     * @throws IllegalArgumentException if there are more than {@value Message#MAX_DATAGRAM_PAYLOAD}
     */
    public static DatagramPayload of(byte[] bytes) {
        byte[] copy = Objects.requireNonNull(bytes, "bytes").clone();
        String problem = Message.checkPayloadLength(copy.length);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return new DatagramPayload(copy);
    }

    /** For the decoder, which has checked the length and owns {@code bytes}. */
    static DatagramPayload trusted(byte[] bytes) {
        return new DatagramPayload(bytes);
    }

    /** How many bytes. */
    public int length() {
        return wire().length;
    }

    @Override
    public String toString() {
        return wire().length + " bytes";
    }
}
