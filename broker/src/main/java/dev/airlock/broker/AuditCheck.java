package dev.airlock.broker;

import java.util.List;

/**
 * One policy check a request made, as the audit log records it ({@link AuditLog}): what was
 * checked, which actions, and the policy's answer with the grant that allowed it.
 *
 * @param target an absolute path (file), {@code host:port} (a socket address, IPv6 in brackets)
 *     or a host name (a resolve)
 * @param kind {@code file} or {@code socket}
 * @param actions the JDK action names asked, in the JDK's order ({@code read,write})
 * @param names for a socket address: the names the broker resolved to it for this helper, else empty
 * @param allowed the policy's answer
 * @param rule when allowed, {@code FILE:LINE} of the grant; when denied, {@link #NO_GRANT}
 */
record AuditCheck(String target, Kind kind, String actions, List<String> names, boolean allowed, String rule) {
    /** The rule of a denied check. */
    static final String NO_GRANT = "no grant";

    /** What a check was about. */
    enum Kind {
        FILE("file"),
        SOCKET("socket");

        private final String word;

        Kind(String word) {
            this.word = word;
        }

        /** The word the log writes. */
        String word() {
            return word;
        }
    }

    /**
     * A socket address as checks name it: {@code 127.0.0.1:80}, {@code [::1]:80} ({@code address}
     * 4 or 16 bytes).
     */
    static String address(byte[] address, int port) {
        StringBuilder b = new StringBuilder();
        if (address.length == 4) {
            for (int i = 0; i < 4; i++) {
                b.append(i == 0 ? "" : ".").append(address[i] & 0xff);
            }
        } else {
            try {
                b.append('[')
                        .append(java.net.InetAddress.getByAddress(address).getHostAddress())
                        .append(']');
            } catch (java.net.UnknownHostException e) {
                throw new IllegalArgumentException("not an address of 4 or 16 bytes", e);
            }
        }
        return b.append(':').append(port).toString();
    }

    AuditCheck {
        names = List.copyOf(names);
        if (rule == null) {
            rule = NO_GRANT;
        }
    }
}
