package dev.airlock.helper;

import dev.airlock.ipc.Reply;
import java.util.Objects;

/**
 * What a successful request yields: the broker's success, of the shape its operation allows
 * ({@code Operation#success()}), and for a {@link Reply.Descriptor} the received descriptor's
 * number, now owned by the caller (-1 otherwise).
 */
public record Answer(Reply.Success success, int descriptor) {
    /** @throws IllegalArgumentException if a descriptor is given exactly when the success carries none */
    public Answer {
        Objects.requireNonNull(success, "success");
        if (success.carriesDescriptor() != (descriptor >= 0)) {
            throw new IllegalArgumentException(success + " with descriptor " + descriptor);
        }
    }
}
