package dev.airlock.ipc;

import java.util.Objects;

/**
 * A request or reply with the id it travels under. The id belongs to the channel, not to the
 * operation: the helper's client numbers requests as it sends them, so that concurrent requests
 * can share the channel, and the broker echoes the number in its reply. Keeping it out of
 * {@link Request} and {@link Reply} lets a caller build a request before it knows its id.
 *
 * @param id the request id, any value (the wire treats it as u32)
 * @param message the request or reply
 * @param <T> {@link Request} or {@link Reply}
 */
public record Envelope<T>(int id, T message) {
    /** @throws NullPointerException if {@code message} is null */
    public Envelope {
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return "#" + Integer.toUnsignedString(id) + " " + message;
    }
}
