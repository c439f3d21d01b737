package dev.airlock.ipc;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What a new symbolic link holds ({@link Request.SymbolicLink}): any bytes but NUL, 1 to
 * {@value Message#MAX_PATH_LENGTH} of them, and unlike a {@link RequestPath} possibly relative,
 * because the broker stores it and never resolves it (an open through the link is decided when it
 * happens, as any other path). Immutable; every instance satisfies those rules.
 */
public final class LinkTarget extends WireBytes {
    private LinkTarget(byte[] bytes) {
        super(bytes);
    }

    /**
     * A link target of a copy of {@code bytes}.
     *
     * @param bytes the target's bytes, copied
     * @throws IllegalArgumentException if they break the format's rules ({@link Message#checkTarget})
     */
    public static LinkTarget of(byte[] bytes) {
        byte[] copy = Objects.requireNonNull(bytes, "target").clone();
        String problem = Message.checkTarget(copy);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return new LinkTarget(copy);
    }

    /** {@link #of(byte[])} of the target's UTF-8 form. */
    public static LinkTarget of(String target) {
        return of(target.getBytes(StandardCharsets.UTF_8));
    }

    /** For the decoder, which has checked {@code bytes} with {@link Message#checkTarget} and owns them. */
    static LinkTarget trusted(byte[] bytes) {
        return new LinkTarget(bytes);
    }

    /** Escaped as a {@link RequestPath} is, so a target cannot forge log lines either. */
    @Override
    public String toString() {
        return escaped();
    }
}
