package dev.airlock.ipc;

import java.util.Arrays;
import java.util.Objects;

/**
 * The broker's answer to one request: success (with exactly one descriptor passed alongside the
 * message through SCM_RIGHTS, with data such as a link's target, or with nothing), or an errno
 * and a short human-readable reason.
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
    private final boolean descriptor;
    private final byte[] data;
    private final FileStat stat;
    private final int watch;

    /**
     * Callers have already validated every field: {@code reason} fits the limit as UTF-8, a
     * failure carries nothing, and a success carries at most one of descriptor, data, stat and
     * watch descriptor ({@code watch} 0 for none). Takes ownership of {@code data}.
     */
    Reply(int id, int errno, String reason, boolean descriptor, byte[] data, FileStat stat, int watch) {
        this.id = id;
        this.errno = errno;
        this.reason = reason;
        this.descriptor = descriptor;
        this.data = data;
        this.stat = stat;
        this.watch = watch;
    }

    Reply(int id, int errno, String reason, boolean descriptor, byte[] data) {
        this(id, errno, reason, descriptor, data, null, 0);
    }

    /**
     * Success: the requested descriptor travels with this reply.
     *
     * @param id the id of the request this answers
     */
    public static Reply descriptor(int id) {
        return new Reply(id, 0, "", true, null);
    }

    /** Success with nothing to return (a mutation such as MKDIR, or an ACCESS check that passed). */
    public static Reply done(int id) {
        return new Reply(id, 0, "", false, null);
    }

    /**
     * Success carrying data (READLINK's target), copied.
     *
     * @throws IllegalArgumentException if it is longer than {@value Message#MAX_DATA_LENGTH} bytes
     */
    public static Reply data(int id, byte[] data) {
        byte[] copy = data.clone();
        if (copy.length > Message.MAX_DATA_LENGTH) {
            throw new IllegalArgumentException("reply data of " + copy.length + " bytes exceeds " + Message.MAX_DATA_LENGTH);
        }
        return new Reply(id, 0, "", false, copy);
    }

    /**
     * Success carrying a file's status, in place of a descriptor of it (STAT of a symbolic link
     * whose target the policy does not let the helper read).
     */
    public static Reply stat(int id, FileStat stat) {
        return new Reply(id, 0, "", false, null, Objects.requireNonNull(stat, "stat"), 0);
    }

    /**
     * Success carrying an inotify watch descriptor (WATCH).
     *
     * @throws IllegalArgumentException if {@code watch} is not positive (the kernel's are)
     */
    public static Reply watch(int id, int watch) {
        String problem = Message.checkWatch(watch);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return new Reply(id, 0, "", false, null, null, watch);
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
        return new Reply(id, errno, fit(reason), false, null);
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

    /** Whether a descriptor travels with this reply (only ever on success). */
    public boolean hasDescriptor() {
        return descriptor;
    }

    /** The data of a success that carries some (a fresh copy), else null. */
    public byte[] data() {
        return data == null ? null : data.clone();
    }

    /** The codec's view of the data, without the copy. */
    byte[] dataBytes() {
        return data;
    }

    /** The file status of a STAT success that carries one instead of a descriptor, else null. */
    public FileStat stat() {
        return stat;
    }

    /** The watch descriptor of a WATCH success (at least 1), else 0. */
    public int watch() {
        return watch;
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
        return id == other.id && errno == other.errno && reason.equals(other.reason)
                && descriptor == other.descriptor && Arrays.equals(data, other.data)
                && Objects.equals(stat, other.stat) && watch == other.watch;
    }

    @Override
    public int hashCode() {
        int h = (31 * id + errno) * 31 + reason.hashCode();
        h = (h * 31 + (descriptor ? 1 : 0)) * 31 + Arrays.hashCode(data);
        return (h * 31 + Objects.hashCode(stat)) * 31 + watch;
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
            if (descriptor) {
                return s.append(" descriptor").toString();
            }
            if (stat != null) {
                return s.append(" stat mode=0").append(Integer.toOctalString(stat.mode())).append(" ino=")
                        .append(Long.toUnsignedString(stat.ino())).toString();
            }
            if (watch != 0) {
                return s.append(" watch ").append(watch).toString();
            }
            return data == null ? s.append(" done").toString() : s.append(" data ").append(data.length).append(" bytes").toString();
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
