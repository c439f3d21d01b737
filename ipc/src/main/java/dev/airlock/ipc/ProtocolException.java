package dev.airlock.ipc;

import java.io.IOException;

/**
 * A message violated the broker-helper wire format: truncated, oversize, an unknown type or flag,
 * a field out of range, a descriptor where none belongs, and so on.
 *
 * <p>It is the only exception the decoders throw for any input, so that a peer sending garbage (the
 * helper may be hostile, see docs/ARCHITECTURE.md, "Threat model") produces one checked, catchable
 * failure rather than a runtime exception from deep inside {@code java.nio}. The message says what
 * was wrong and where, e.g. {@code "message truncated: OPEN path needs 17 bytes, 5 left"}.
 *
 * <p>An {@link IOException} because that is how the helper's callers already see a failed open,
 * and because on either side the right response is the same as for a broken channel: stop
 * trusting the peer.
 */
public final class ProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * Public so that code above the codec (e.g. a client that receives a reply for a request id it
     * never sent) can report its own protocol violations with the same type.
     */
    public ProtocolException(String message) {
        super(message);
    }
}
