package dev.airlock.ipc;

import java.util.Arrays;

/**
 * Bytes a message carries as a value: a request's path, a link's target, a reply's data. Held
 * privately and copied out, compared and hashed by content, so that what the broker checked is
 * what it acts on and no caller can change a message after it was made. Subclasses add the rule
 * their bytes obey, checked before they are constructed; two values are equal only if they are of
 * the same kind.
 */
abstract class WireBytes {
    private final byte[] bytes;

    /** Takes ownership of {@code bytes}, which the subclass has copied and checked. */
    WireBytes(byte[] bytes) {
        this.bytes = bytes;
    }

    /** The bytes: a fresh copy on every call. */
    public final byte[] bytes() {
        return bytes.clone();
    }

    /** The codec's view of the bytes, without the copy; callers in this package must not modify it. */
    final byte[] wire() {
        return bytes;
    }

    // By class, not instanceof: a path and a link target with the same bytes are different values,
    // and every subclass is final, so the symmetry getClass() costs elsewhere is not at stake.
    @SuppressWarnings("EqualsGetClass")
    @Override
    public final boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && Arrays.equals(bytes, ((WireBytes) o).bytes);
    }

    @Override
    public final int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /**
     * The bytes for logs and test failures: outside printable ASCII, and the backslash, as
     * {@code \xNN}. They come from untrusted code and must not be able to forge lines in a log.
     */
    final String escaped() {
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
