package dev.airlock.ipc;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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
public final class RequestPath {
    private final byte[] bytes;

    private RequestPath(byte[] bytes) {
        this.bytes = bytes;
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

    /** The bytes: a fresh copy on every call. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The codec's view of the bytes, without the copy; callers in this package must not modify it. */
    byte[] wire() {
        return bytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RequestPath other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** The bytes with everything outside printable ASCII as {@code \xNN} ({@link #escape}). */
    @Override
    public String toString() {
        return escape(bytes);
    }

    /**
     * For logs and test failures: bytes outside printable ASCII, and the backslash, appear as
     * {@code \xNN}. Paths come from untrusted code and must not be able to forge lines in a log.
     */
    static String escape(byte[] bytes) {
        StringBuilder s = new StringBuilder(bytes.length + 8);
        for (byte b : bytes) {
            int c = b & 0xFF;
            if (c >= 0x20 && c < 0x7F && c != '\\') {
                s.append((char) c);
            } else {
                s.append(String.format("\\x%02x", c));
            }
        }
        return s.toString();
    }
}
