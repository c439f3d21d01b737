package dev.airlock.policy;

import java.util.Arrays;
import java.util.Locale;

/**
 * A {@code java.net.SocketPermission} name, {@code host[:ports]}, parsed as the JDK parses it, and
 * the JDK's {@code implies} between two of them in a world where no host name resolves.
 *
 * <p>The JDK's parsing rules, kept: an empty name is {@code localhost}; an IPv6 literal should be
 * in brackets, but an unbracketed one is accepted when unambiguous (eight groups without
 * {@code ::}, or nine colon-separated parts where the last is the port); anything between
 * {@code ]} and the next {@code :} is ignored; a port is {@code N}, {@code N-M}, {@code -M},
 * {@code N-} or {@code *} ({@code Integer.parseInt} rules, so {@code +80} and non-ASCII digits are
 * accepted, and ports above 65535 are not rejected); {@code *} alone matches every host,
 * {@code *.suffix} every name ending in {@code .suffix}, and a {@code *} anywhere else is an
 * error.
 *
 * <h2>No name resolution</h2>
 * The JDK compares a name with an address, or two names, by resolving them (forward, and reverse
 * for wildcards) and falls back to comparing the names as written when resolution fails. Airlock
 * never resolves: it decides exactly as the JDK decides when no name service answers. In that
 * world the JDK still knows one name, {@code localhost} (any case), which {@code InetAddress}
 * maps to the loopback address 127.0.0.1 by itself; with a standard {@code /etc/hosts} the JDK's
 * first address for it is 127.0.0.1 too. So:
 * <ul>
 *   <li>{@code *} matches every host;
 *   <li>an address matches the same address ({@code 127.1}, {@code 127.0.0.1} and
 *       {@code ::ffff:127.0.0.1} are one address), and {@code localhost} matches 127.0.0.1 both
 *       ways;
 *   <li>any other name matches the same name ignoring case, and nothing else;
 *   <li>{@code *.example.com} matches names ending in {@code .example.com} ignoring case; for an
 *       address (and for {@code localhost}) the JDK's failed reverse lookup yields the address as
 *       text, so {@code *.0.1} matches 10.0.0.1 and {@code localhost}, and
 *       {@code *.localhost} matches nothing but wildcards.
 * </ul>
 * Where the JDK with working DNS could differ: a name grant does not match the addresses the name
 * resolves to, an address grant does not match names that resolve to it, and a wildcard does not
 * match an address whose reverse lookup falls in its domain nor a name whose canonical name lies
 * elsewhere. Each of these denies where the JDK might have allowed, never the other way round, and
 * no decision can be steered by whoever answers DNS queries.
 */
final class SocketTarget {

    enum Kind {
        /** {@code *}. */
        ANY,
        /** {@code *.suffix}. */
        SUFFIX,
        /** An address literal. */
        ADDRESS,
        /** Anything else. */
        NAME
    }

    final Kind kind;
    /** The host part as written (inside brackets for IPv6). */
    final String host;
    /** For {@link Kind#SUFFIX}: {@code .suffix} in lower case (the JDK's "cname"). */
    final String suffix;
    /** For {@link Kind#ADDRESS}: 4 or 16 bytes. */
    final byte[] address;

    final int portLow;
    final int portHigh;

    private SocketTarget(Kind kind, String host, String suffix, byte[] address, int portLow, int portHigh) {
        this.kind = kind;
        this.host = host;
        this.suffix = suffix;
        this.address = address;
        this.portLow = portLow;
        this.portHigh = portHigh;
    }

    /**
     * Parses a permission name as {@code new SocketPermission(name, ...)} does.
     *
     * @throws NullPointerException for null, as the JDK
     * @throws IllegalArgumentException where the JDK throws it
     */
    static SocketTarget parse(String name) {
        String host = name;
        if (host.isEmpty()) {
            host = "localhost";
        } else if (host.charAt(0) != '[' && host.indexOf(':') != host.lastIndexOf(':')) {
            int parts = countNonEmptyParts(host);
            if (parts == 9) {
                int last = host.lastIndexOf(':');
                host = "[" + host.substring(0, last) + "]" + host.substring(last);
            } else if (parts == 8 && !host.contains("::")) {
                host = "[" + host + "]";
            } else {
                throw new IllegalArgumentException("Ambiguous hostport part");
            }
        }
        String hostPart;
        int colon;
        if (host.charAt(0) == '[') {
            int close = host.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("invalid host/port: " + host);
            }
            hostPart = host.substring(1, close);
            colon = host.indexOf(':', close + 1);
        } else {
            colon = host.indexOf(':');
            hostPart = colon < 0 ? host : host.substring(0, colon);
        }
        int low = 0;
        int high = 65535;
        if (colon >= 0) {
            long range = parsePorts(host.substring(colon + 1));
            low = (int) (range >> 32);
            high = (int) range;
        }
        int star = hostPart.lastIndexOf('*');
        if (star > 0) {
            throw new IllegalArgumentException("invalid host wildcard specification");
        }
        if (star == 0) {
            if (hostPart.length() == 1) {
                return new SocketTarget(Kind.ANY, hostPart, "", null, low, high);
            }
            if (hostPart.charAt(1) != '.') {
                throw new IllegalArgumentException("invalid host wildcard specification");
            }
            return new SocketTarget(
                    Kind.SUFFIX, hostPart, hostPart.substring(1).toLowerCase(Locale.ROOT), null, low, high);
        }
        byte[] address = addressOrNull(hostPart);
        return new SocketTarget(address == null ? Kind.NAME : Kind.ADDRESS, hostPart, null, address, low, high);
    }

    /** The JDK tries an address only when the host starts with ':' or a hex digit. */
    static byte[] addressOrNull(String hostPart) {
        if (hostPart.isEmpty()) {
            return null;
        }
        char first = hostPart.charAt(0);
        if (first != ':' && IpLiterals.hexDigit(first) < 0) {
            return null;
        }
        long v4 = IpLiterals.parseV4(hostPart, 0, hostPart.length());
        if (v4 >= 0) {
            return new byte[] {(byte) (v4 >> 24), (byte) (v4 >> 16), (byte) (v4 >> 8), (byte) v4};
        }
        return IpLiterals.parseV6(hostPart);
    }

    private static int countNonEmptyParts(String s) {
        int parts = 0;
        boolean inPart = false;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == ':') {
                inPart = false;
            } else if (!inPart) {
                inPart = true;
                parts++;
            }
        }
        return parts;
    }

    /** Low port in the high half, high port in the low half. */
    private static long parsePorts(String ports) {
        try {
            if (ports.isEmpty() || ports.equals("*")) {
                return 65535L;
            }
            int dash = ports.indexOf('-');
            if (dash < 0) {
                int p = Integer.parseInt(ports);
                return ((long) p << 32) | (p & 0xffffffffL);
            }
            String lowText = ports.substring(0, dash);
            String highText = ports.substring(dash + 1);
            int low = lowText.isEmpty() ? 0 : Integer.parseInt(lowText);
            int high = highText.isEmpty() ? 65535 : Integer.parseInt(highText);
            if (low < 0 || high < 0 || high < low) {
                throw new IllegalArgumentException("invalid port range");
            }
            return ((long) low << 32) | (high & 0xffffffffL);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid port range: " + ports, e);
        }
    }

    static final byte[] LOOPBACK = {127, 0, 0, 1};

    /** Whether a name is the one the JDK resolves without a name service. */
    static boolean isLocalhost(String name) {
        return name.equalsIgnoreCase("localhost");
    }

    /** The address the JDK would find for a target with no name service, or null. */
    private static byte[] resolved(SocketTarget t) {
        if (t.kind == Kind.ADDRESS) {
            return t.address;
        }
        if (t.kind == Kind.NAME && isLocalhost(t.host)) {
            return LOOPBACK;
        }
        return null;
    }

    /**
     * Whether a granted host covers a requested host, as the JDK decides with no name service (the
     * reference the index is tested against). Ports are checked separately ({@link PortRanges}).
     */
    static boolean hostImplies(SocketTarget granted, SocketTarget requested) {
        boolean requestedWildcard = requested.kind == Kind.ANY || requested.kind == Kind.SUFFIX;
        switch (granted.kind) {
            case ANY:
                return true;
            case ADDRESS: {
                if (requestedWildcard) {
                    return false;
                }
                byte[] r = resolved(requested);
                return r != null ? Arrays.equals(granted.address, r) : granted.host.equalsIgnoreCase(requested.host);
            }
            case SUFFIX: {
                if (requestedWildcard) {
                    return requested.suffix.endsWith(granted.suffix);
                }
                byte[] r = resolved(requested);
                if (r != null) {
                    return addressText(r).endsWith(granted.suffix);
                }
                return requested.host.regionMatches(
                        true,
                        requested.host.length() - granted.suffix.length(),
                        granted.suffix,
                        0,
                        granted.suffix.length());
            }
            case NAME:
            default: {
                if (requestedWildcard) {
                    return false;
                }
                byte[] g = resolved(granted);
                byte[] r = resolved(requested);
                if (g == null || r == null) {
                    return granted.host.equalsIgnoreCase(requested.host);
                }
                return Arrays.equals(g, r);
            }
        }
    }

    /** What {@code InetAddress.getHostAddress()} prints, which is what the JDK matches wildcards
     * against when reverse lookup fails. */
    static String addressText(byte[] a) {
        if (a.length == 4) {
            return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + "." + (a[3] & 0xff);
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 16; i += 2) {
            if (i > 0) {
                sb.append(':');
            }
            sb.append(Integer.toHexString(((a[i] & 0xff) << 8) | (a[i + 1] & 0xff)));
        }
        return sb.toString();
    }
}
