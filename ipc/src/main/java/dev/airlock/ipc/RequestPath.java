package dev.airlock.ipc;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A path as a request carries it: the raw bytes the kernel will see, absolute, without NUL, at most
 * {@value Message#MAX_PATH_LENGTH} bytes. Every instance satisfies those rules (the factories refuse
 * anything else), so a request made of them always encodes.
 *
 * <p>Raw bytes because Java's idea of a file name's charset and the file system's need not agree:
 * the broker decides on the bytes it acts on. Immutable (the bytes are copied in and out), so that
 * the broker checks the policy and acts on one and the same value.
 */
public final class RequestPath extends WireBytes {
    private RequestPath(byte[] bytes) {
        super(bytes);
    }

    /**
     * A request path of a copy of {@code bytes}.
     *
     * @param bytes the path's bytes, copied
     * @throws IllegalArgumentException if they break the format's rules ({@link Message#checkPath})
     */
    public static RequestPath of(byte[] bytes) {
        byte[] copy = Objects.requireNonNull(bytes, "path").clone(); // copy first: a caller cannot beat the check
        String problem = Message.checkPath(copy);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return new RequestPath(copy);
    }

    /** {@link #of(byte[])} of the path's UTF-8 form. */
    public static RequestPath of(String path) {
        return of(path.getBytes(StandardCharsets.UTF_8));
    }

    /** For the decoder, which has checked {@code bytes} with {@link Message#checkPath} and owns them. */
    static RequestPath trusted(byte[] bytes) {
        return new RequestPath(bytes);
    }

    /** The bytes with everything outside printable ASCII as {@code \xNN} ({@link WireBytes#escaped}). */
    @Override
    public String toString() {
        return escaped();
    }
}
