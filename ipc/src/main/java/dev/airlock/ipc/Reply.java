package dev.airlock.ipc;

import java.util.Objects;

/**
 * The broker's answer to one request, of exactly one of these kinds, each explicit on the wire:
 *
 * <ul>
 *   <li>a {@link Success}: with nothing ({@link Done}), a descriptor passed alongside through
 *       SCM_RIGHTS ({@link Descriptor}), data such as a link's target ({@link Data}), a file's
 *       status ({@link Status}), a watch descriptor ({@link WatchDescriptor}), a socket in a
 *       state ({@link Socket}), a name's addresses ({@link Addresses}) or the news that it has
 *       none ({@link Unresolved}), a host name ({@link HostName}) or the bytes a datagram
 *       carried ({@link Sent});
 *   <li>{@link Denied}: the policy refused; the errno to report (EACCES or EPERM) and the
 *       policy's reason, which the helper puts into the JDK's exception ("denied by airlock
 *       policy app.policy: read");
 *   <li>{@link Failed}: the operation failed in the kernel with an errno, as it would have
 *       without Airlock;
 *   <li>{@link BrokerError}: the broker failed internally; the helper reports an I/O error, never
 *       a denial.
 * </ul>
 *
 * <p>Immutable. Every instance satisfies the format's rules (the constructors refuse anything
 * else, {@link IllegalArgumentException}), so every reply encodes and decodes back equal. The
 * request id travels in an {@link Envelope}.
 */
public sealed interface Reply permits Reply.Success, Reply.Denied, Reply.Failed, Reply.BrokerError {

    /** Whether a descriptor travels with this reply (SCM_RIGHTS): only a {@link Descriptor} or a {@link Socket}. */
    default boolean carriesDescriptor() {
        return false;
    }

    /** A success, with what the operation yields ({@link Operation#success()}). */
    sealed interface Success extends Reply
            permits Done, Descriptor, Data, Status, WatchDescriptor, Socket, Addresses, Unresolved, HostName, Sent {}

    /** Success with nothing to return (a mutation such as MKDIR, or an ACCESS check that passed). */
    record Done() implements Success {
        @Override
        public String toString() {
            return "done";
        }
    }

    /** Success: the requested descriptor travels with this reply. */
    record Descriptor() implements Success {
        @Override
        public boolean carriesDescriptor() {
            return true;
        }

        @Override
        public String toString() {
            return "descriptor";
        }
    }

    /**
     * Success carrying data (READLINK's target), at most {@value Message#MAX_DATA_LENGTH} bytes, copied in and out.
     * A class, not a record: a record's array component is compared by identity and handed out
     * as is unless equals, hashCode and its accessor are all overridden; a class keeps its copy
     * private and compares and hashes it by content with nothing to forget.
     */
    final class Data extends WireBytes implements Success {
        /** Data of a copy of {@code bytes}; {@link IllegalArgumentException} if they do not fit. */
        public Data(byte[] bytes) {
            super(checked(bytes));
        }

        private static byte[] checked(byte[] bytes) {
            byte[] copy = Objects.requireNonNull(bytes, "bytes").clone();
            if (copy.length > Message.MAX_DATA_LENGTH) {
                throw new IllegalArgumentException(
                        "reply data of " + copy.length + " bytes exceeds " + Message.MAX_DATA_LENGTH);
            }
            return copy;
        }

        @Override
        public String toString() {
            return "data " + wire().length + " bytes";
        }
    }

    /**
     * Success carrying a file's status in place of a descriptor of it (STAT of a symbolic link
     * whose target the policy does not let the helper read).
     */
    record Status(FileStat stat) implements Success {
        public Status {
            Objects.requireNonNull(stat, "stat");
        }

        @Override
        public String toString() {
            return "status mode=0" + Integer.toOctalString(stat.mode()) + " ino=" + Long.toUnsignedString(stat.ino());
        }
    }

    /** Success carrying an inotify watch descriptor (WATCH), at least 1 as the kernel's are. */
    record WatchDescriptor(int descriptor) implements Success {
        public WatchDescriptor {
            check(Message.checkWatch(descriptor));
        }

        @Override
        public String toString() {
            return "watch " + descriptor;
        }
    }

    /** What a CONNECT or BIND made of the socket that travels with its {@link Socket} reply. */
    enum SocketState {
        /** Connected (a connect that completed at once, as loopback ones may). */
        CONNECTED(1),
        /** Connecting: the helper waits for the outcome on the socket itself, as after EINPROGRESS. */
        CONNECTING(2),
        /** Bound to the requested address. */
        BOUND(3),
        /** Bound and listening. */
        LISTENING(4);

        private final int code;

        SocketState(int code) {
            this.code = code;
        }

        /** Its byte on the wire. */
        int code() {
            return code;
        }

        /** The state of wire byte {@code code}, or null for none. */
        static SocketState ofCode(int code) {
            for (SocketState s : values()) {
                if (s.code == code) {
                    return s;
                }
            }
            return null;
        }
    }

    /**
     * Success of CONNECT and BIND: the socket travels with this reply (SCM_RIGHTS), for the
     * helper to put at its own socket's number, in {@code state}.
     */
    record Socket(SocketState state) implements Success {
        public Socket {
            Objects.requireNonNull(state, "state");
        }

        @Override
        public boolean carriesDescriptor() {
            return true;
        }

        @Override
        public String toString() {
            return "socket " + state.name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * Success of RESOLVE: the name's addresses, 1 to {@value Message#MAX_ADDRESSES}, in the order
     * the broker's resolver gave them.
     */
    record Addresses(java.util.List<HostAddress> addresses) implements Success {
        public Addresses {
            addresses = java.util.List.copyOf(Objects.requireNonNull(addresses, "addresses"));
            check(Message.checkAddressCount(addresses.size()));
        }

        @Override
        public String toString() {
            return "addresses " + addresses;
        }
    }

    /**
     * Success of RESOLVE for a name the policy lets the program resolve but that does not resolve
     * (the broker's resolver threw {@code UnknownHostException}): the JDK's own "unknown host",
     * which its caches remember as they remember any failed lookup.
     */
    record Unresolved() implements Success {
        @Override
        public String toString() {
            return "unresolved";
        }
    }

    /**
     * Success of REVERSE_RESOLVE: the address's host name, or the address's own text when no
     * name the program may resolve was found ({@link Message#checkHostName}).
     */
    record HostName(String name) implements Success {
        public HostName {
            Objects.requireNonNull(name, "name");
            check(Message.checkHostName(name));
        }

        @Override
        public String toString() {
            return "host name " + name;
        }
    }

    /**
     * Success of SEND_DATAGRAM: the broker sent the datagram, of {@code bytes} bytes (0 to
     * {@value Message#MAX_DATAGRAM_PAYLOAD}), as {@code sendto(2)} reported.
     */
    record Sent(int bytes) implements Success {
        public Sent {
            check(Message.checkSent(bytes));
        }

        @Override
        public String toString() {
            return "sent " + bytes + " bytes";
        }
    }

    /**
     * The policy refused the request.
     *
     * @param errno what the helper reports: EACCES or EPERM, as the kernel would for a refusal
     * @param reason the policy's words, never empty; made to fit ({@link #fit})
     */
    record Denied(int errno, String reason) implements Reply {
        public Denied {
            check(Message.checkDenialErrno(errno));
            reason = fit(Objects.requireNonNull(reason, "reason"));
            if (reason.isEmpty()) {
                throw new IllegalArgumentException("a denial needs the policy's reason");
            }
        }

        @Override
        public String toString() {
            return "denied errno " + errno + " \"" + escape(reason) + '"';
        }
    }

    /** The operation failed in the kernel with {@code errno}, 1..4095, as it would have without Airlock. */
    record Failed(int errno) implements Reply {
        public Failed {
            check(Message.checkFailureErrno(errno));
        }

        @Override
        public String toString() {
            return "failed errno " + errno;
        }
    }

    /**
     * The broker failed internally while serving the request (a bug, or a resource it could not
     * get): not the policy's decision and not the operation's own failure.
     *
     * @param reason what went wrong, never empty; made to fit ({@link #fit})
     */
    record BrokerError(String reason) implements Reply {
        public BrokerError {
            reason = fit(Objects.requireNonNull(reason, "reason"));
            if (reason.isEmpty()) {
                throw new IllegalArgumentException("a broker error needs a reason");
            }
        }

        @Override
        public String toString() {
            return "broker error \"" + escape(reason) + '"';
        }
    }

    /**
     * Cuts {@code s} to the longest prefix whose UTF-8 form fits {@value Message#MAX_REASON_LENGTH}
     * bytes (never inside a surrogate pair), and replaces unpaired surrogates, which have no UTF-8
     * form, with U+FFFD, so that the result encodes to UTF-8 exactly and decodes back to itself. A
     * reason is diagnostic text and a refusal must always be reportable, so it is made to fit
     * rather than refused.
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
            } else if (Character.isHighSurrogate(c)
                    && end + 1 < s.length()
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
                b.append(Character.isSurrogate(c) ? '\uFFFD' : c);
            }
        }
        return b.toString();
    }

    /** Control characters, quotes and backslashes as Java-style unicode escapes, so a reason cannot forge log lines. */
    private static String escape(String reason) {
        StringBuilder s = new StringBuilder(reason.length());
        for (int i = 0; i < reason.length(); i++) {
            char c = reason.charAt(i);
            if (Character.isISOControl(c) || c == '"' || c == '\\') {
                s.append(String.format("\\u%04x", (int) c));
            } else {
                s.append(c);
            }
        }
        return s.toString();
    }

    private static void check(String problem) {
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }
}
