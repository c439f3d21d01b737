package dev.airlock.ipc;

import java.util.Objects;

/**
 * The broker's answer to one request: either success, with exactly one descriptor passed
 * alongside the message (SCM_RIGHTS), or an errno and a short human-readable reason.
 *
 * <p>The errno lets the helper throw the exception the JDK itself would have thrown
 * ({@code FileNotFoundException}, {@code AccessDeniedException}, ...); the reason lets that
 * exception say who refused and why ("denied by airlock policy app.policy: read").
 *
 * <p>Immutable. Every instance satisfies the format's rules, so every reply can be encoded and
 * decodes back to an equal reply.
 */
public final class Reply {
    private static final char REPLACEMENT = '\uFFFD';

    private final int id;
    private final int errno;
    private final String reason;

    /** Callers have already validated every field, and {@code reason} fits the limit as UTF-8. */
    Reply(int id, int errno, String reason) {
        this.id = id;
        this.errno = errno;
        this.reason = reason;
    }

    /**
     * Success: the requested descriptor travels with this reply.
     *
     * @param id the id of the request this answers
     */
    public static Reply descriptor(int id) {
        return new Reply(id, 0, "");
    }

    /**
     * Failure with an errno.
     *
     * <p>The reason is diagnostic text, and a failure must always be reportable, so it is made to
     * fit rather than refused: if its UTF-8 form is longer than
     * {@value Message#MAX_REASON_LENGTH} bytes it is cut at a character boundary (never inside a
     * surrogate pair), and an unpaired surrogate, which has no UTF-8 form, becomes U+FFFD.
     * {@link #reason()} returns the text as it will arrive.
     *
     * @param id the id of the request this answers
     * @param errno the error number, 1..4095
     * @param reason why, possibly empty
     * @throws IllegalArgumentException if {@code errno} is 0 (use {@link #descriptor}) or out of range
     */
    public static Reply error(int id, int errno, String reason) {
        Objects.requireNonNull(reason, "reason");
        String problem = Message.checkErrno(errno);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        if (errno == 0) {
            throw new IllegalArgumentException("errno 0 means success: an error reply needs errno 1.." + Message.MAX_ERRNO);
        }
        return new Reply(id, errno, fit(reason));
    }

    /**
     * Cuts {@code s} to the longest prefix whose UTF-8 form fits the reason limit, and replaces
     * unpaired surrogates so that the result encodes to UTF-8 exactly and decodes back to itself.
     */
    static String fit(String s) {
        int bytes = 0;
        int end = 0;
        boolean unpaired = false;
        while (end < s.length()) {
            char c = s.charAt(end);
            int units = 1;
            int size;
            if (c < 0x80) {
                size = 1;
            } else if (c < 0x800) {
                size = 2;
            } else if (Character.isHighSurrogate(c) && end + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(end + 1))) {
                units = 2;
                size = 4;
            } else {
                // Any other BMP character takes 3 bytes; so does the U+FFFD an unpaired
                // surrogate becomes, so the count stays right.
                unpaired |= Character.isSurrogate(c);
                size = 3;
            }
            if (bytes + size > Message.MAX_REASON_LENGTH) {
                break;
            }
            bytes += size;
            end += units;
        }
        String cut = end == s.length() ? s : s.substring(0, end);
        return unpaired ? replaceUnpaired(cut) : cut;
    }

    private static String replaceUnpaired(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                b.append(c).append(s.charAt(++i));
            } else {
                b.append(Character.isSurrogate(c) ? REPLACEMENT : c);
            }
        }
        return b.toString();
    }

    /** The id of the request this answers. */
    public int id() {
        return id;
    }

    /** 0 on success, else the error number, 1..4095. */
    public int errno() {
        return errno;
    }

    /** Why the request failed; empty on success and possibly empty on failure. */
    public String reason() {
        return reason;
    }

    /** Whether a descriptor travels with this reply: true exactly when {@link #errno()} is 0. */
    public boolean hasDescriptor() {
        return errno == 0;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Reply)) {
            return false;
        }
        Reply other = (Reply) o;
        return id == other.id && errno == other.errno && reason.equals(other.reason);
    }

    @Override
    public int hashCode() {
        return (31 * id + errno) * 31 + reason.hashCode();
    }

    /**
     * For logs and test failures. Control characters, quotes and backslashes in the reason appear
     * as Java-style unicode escapes, so a reason cannot forge lines in a log.
     */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(reason.length() + 32);
        s.append("REPLY #").append(Integer.toUnsignedString(id));
        if (errno == 0) {
            return s.append(" descriptor").toString();
        }
        s.append(" errno ").append(errno).append(" \"");
        for (int i = 0; i < reason.length(); i++) {
            char c = reason.charAt(i);
            if (Character.isISOControl(c) || c == '"' || c == '\\') {
                s.append(String.format("\\u%04x", (int) c));
            } else {
                s.append(c);
            }
        }
        return s.append('"').toString();
    }
}
