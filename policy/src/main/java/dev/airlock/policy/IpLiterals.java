package dev.airlock.policy;

/**
 * IPv4 and IPv6 address literals, recognised exactly as {@code java.net.SocketPermission}
 * recognises them (through the JDK's internal {@code IPAddressUtil}), so that a host that the JDK
 * treats as an address is an address here and everything else is a name.
 *
 * <p>The JDK's rules, kept: only ASCII digits count; an IPv4 literal may have one to four parts,
 * the last filling the remaining bytes ({@code 127.1} is 127.0.0.1, {@code 10} is 0.0.0.10),
 * parts are decimal even with leading zeros ({@code 010.0.0.1} is 10.0.0.1), at most 15
 * characters. An IPv6 literal may end in a dotted IPv4 part, may carry a {@code %scope} which is
 * ignored, and a group may have more than four digits while its value fits in 16 bits
 * ({@code ::00001}). An IPv4-mapped IPv6 address ({@code ::ffff:1.2.3.4}) is the IPv4 address.
 */
final class IpLiterals {

    private IpLiterals() {}

    /** Whether {@code host} is an IPv4 or IPv6 literal (an IPv6 one with or without brackets). */
    static boolean isLiteral(String host) {
        if (parseV4(host, 0, host.length()) >= 0) {
            return true;
        }
        String bare = host.length() > 2 && host.startsWith("[") && host.endsWith("]")
                ? host.substring(1, host.length() - 1)
                : host;
        return bare.indexOf(':') >= 0 && parseV6(bare) != null;
    }

    /** The address as an unsigned 32-bit value, or -1 if {@code s[from,to)} is not an IPv4 literal. */
    static long parseV4(CharSequence s, int from, int to) {
        int len = to - from;
        if (len <= 0 || len > 15) {
            return -1;
        }
        long value = 0;
        long part = 0;
        int dots = 0;
        boolean empty = true;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '.') {
                if (empty || part > 0xff || dots == 3) {
                    return -1;
                }
                value = (value << 8) | part;
                dots++;
                part = 0;
                empty = true;
            } else if (c >= '0' && c <= '9') {
                part = part * 10 + (c - '0');
                empty = false;
            } else {
                return -1;
            }
        }
        int remainingBits = (4 - dots) * 8;
        if (empty || part >= (1L << remainingBits)) {
            return -1;
        }
        return (value << remainingBits) | part;
    }

    /**
     * The 16 bytes of an IPv6 literal, or its 4 bytes when it is IPv4-mapped, or null when
     * {@code s} is not an IPv6 literal.
     */
    static byte[] parseV6(String s) {
        int n = s.length();
        if (n < 2) {
            return null;
        }
        int end = n;
        int percent = s.indexOf('%');
        if (percent == n - 1) {
            return null;
        }
        if (percent >= 0) {
            end = percent;
        }
        byte[] out = new byte[16];
        int written = 0;
        int doubleColonAt = -1;
        int i = 0;
        if (s.charAt(0) == ':') {
            if (s.charAt(1) != ':') {
                return null;
            }
            i = 1;
        }
        int groupStart = i;
        boolean inGroup = false;
        int group = 0;
        boolean sawDottedQuad = false;
        while (i < end) {
            char c = s.charAt(i++);
            int digit = hexDigit(c);
            if (digit >= 0) {
                group = (group << 4) | digit;
                if (group > 0xffff) {
                    return null;
                }
                inGroup = true;
                continue;
            }
            if (c == ':') {
                groupStart = i;
                if (!inGroup) {
                    if (doubleColonAt >= 0) {
                        return null;
                    }
                    doubleColonAt = written;
                    continue;
                }
                if (i == end || written + 2 > 16) {
                    return null;
                }
                out[written++] = (byte) (group >> 8);
                out[written++] = (byte) group;
                inGroup = false;
                group = 0;
                continue;
            }
            if (c == '.' && written + 4 <= 16) {
                // The rest, from the start of this group, must be a four-part dotted quad.
                int dots = 0;
                for (int k = groupStart; k < end; k++) {
                    if (s.charAt(k) == '.') {
                        dots++;
                    }
                }
                if (dots != 3) {
                    return null;
                }
                long v4 = parseV4(s, groupStart, end);
                if (v4 < 0) {
                    return null;
                }
                out[written++] = (byte) (v4 >> 24);
                out[written++] = (byte) (v4 >> 16);
                out[written++] = (byte) (v4 >> 8);
                out[written++] = (byte) v4;
                inGroup = false;
                sawDottedQuad = true;
                break;
            }
            return null;
        }
        if (inGroup && !sawDottedQuad) {
            if (written + 2 > 16) {
                return null;
            }
            out[written++] = (byte) (group >> 8);
            out[written++] = (byte) group;
        }
        if (doubleColonAt >= 0) {
            if (written == 16) {
                return null;
            }
            int tail = written - doubleColonAt;
            System.arraycopy(out, doubleColonAt, out, 16 - tail, tail);
            for (int k = doubleColonAt; k < 16 - tail; k++) {
                out[k] = 0;
            }
            written = 16;
        }
        if (written != 16) {
            return null;
        }
        for (int k = 0; k < 10; k++) {
            if (out[k] != 0) {
                return out;
            }
        }
        if (out[10] == (byte) 0xff && out[11] == (byte) 0xff) {
            return new byte[] {out[12], out[13], out[14], out[15]};
        }
        return out;
    }

    static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
