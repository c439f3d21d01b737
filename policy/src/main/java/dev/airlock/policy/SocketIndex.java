package dev.airlock.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * The compiled socket grants, indexed so that a decision probes a few hash tables instead of
 * testing every grant: addresses by value, names ignoring case, {@code *.suffix} grants by
 * suffix, and the suffixes an IPv4 address's text can end with by value. Matching rules are {@link SocketTarget}'s, ports are
 * {@link PortRanges}'. Actions accumulate across grants as in the JDK's
 * {@code SocketPermissionCollection}.
 */
final class SocketIndex {

    /** One unrestricted SocketPermission. */
    static final class Grant {
        final SocketTarget target;
        /** Granted actions, with {@link SocketActions#RESOLVE} added as the JDK adds it. */
        final int mask;

        final int rule;
        /** The permission's name as the policy wrote it (after property expansion), for denials. */
        final String name;

        Grant(SocketTarget target, int mask, int rule, String name) {
            this.target = target;
            this.name = name;
            this.mask = mask;
            this.rule = rule;
        }
    }

    private static final Grant[] NONE = new Grant[0];

    private final PortRanges ports;
    private final Grant[] all;
    private final Grant[] any;
    /** Name grants for {@code localhost}, which the JDK resolves to 127.0.0.1 by itself. */
    private final Grant[] localhost;

    private final Tables.LongPair<Grant[]> v4;
    private final Tables.LongPair<Grant[]> v6;
    private final Tables.CaseInsensitive<Grant[]> names;
    private final Tables.CaseInsensitive<Grant[]> suffixes;
    private final boolean hasSuffixes;
    private final Tables.LongPair<Grant[]> v4Suffixes;
    private final boolean hasV4Suffixes;

    SocketIndex(List<Grant> grants, PortRanges ports) {
        this.ports = ports;
        this.all = grants.toArray(NONE);
        List<Grant> anyList = new ArrayList<>();
        List<Grant> localhostList = new ArrayList<>();
        Tables.Grouping<long[], Grant> v4g = new Tables.Grouping<>();
        Tables.Grouping<long[], Grant> v6g = new Tables.Grouping<>();
        Tables.Grouping<String, Grant> nameg = new Tables.Grouping<>();
        Tables.Grouping<String, Grant> suffixg = new Tables.Grouping<>();
        Tables.Grouping<long[], Grant> v4sg = new Tables.Grouping<>();
        for (Grant g : grants) {
            SocketTarget t = g.target;
            switch (t.kind) {
                case ANY -> anyList.add(g);
                case ADDRESS -> {
                    long[] key = addressKey(t.address);
                    (t.address.length == 4 ? v4g : v6g).add(List.of(key[0], key[1]), key, g);
                }
                case NAME -> {
                    addName(nameg, t.host, g);
                    if (SocketTarget.isLocalhost(t.host)) {
                        localhostList.add(g);
                    }
                }
                case SUFFIX -> {
                    suffixg.add(foldKey(t.suffix), t.suffix, g);
                    long[] quad = ipv4Suffix(t.suffix);
                    if (quad != null) {
                        v4sg.add(List.of(quad[0], quad[1]), quad, g);
                    }
                }
                default -> throw new AssertionError(t.kind);
            }
        }
        this.any = anyList.toArray(NONE);
        this.localhost = localhostList.toArray(NONE);
        this.v4 = new Tables.LongPair<>(v4g.keys, arrays(v4g.groups));
        this.v6 = new Tables.LongPair<>(v6g.keys, arrays(v6g.groups));
        this.names = new Tables.CaseInsensitive<>(nameg.keys, arrays(nameg.groups));
        this.suffixes = new Tables.CaseInsensitive<>(suffixg.keys, arrays(suffixg.groups));
        this.hasSuffixes = !suffixg.keys.isEmpty();
        this.v4Suffixes = new Tables.LongPair<>(v4sg.keys, arrays(v4sg.groups));
        this.hasV4Suffixes = !v4sg.keys.isEmpty();
    }

    private static void addName(Tables.Grouping<String, Grant> g, String host, Grant grant) {
        g.add(foldKey(host), host, grant);
    }

    /**
     * An identity for grouping names that {@code equalsIgnoreCase} treats as equal: the same
     * length and the same case fold, code point by code point.
     */
    private static Object foldKey(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        s.codePoints().forEach(cp -> sb.appendCodePoint(Character.toLowerCase(Character.toUpperCase(cp))));
        return sb.append('\u0000').append(s.length()).toString();
    }

    private static List<Grant[]> arrays(List<List<Grant>> groups) {
        List<Grant[]> out = new ArrayList<>(groups.size());
        for (List<Grant> g : groups) {
            out.add(g.toArray(NONE));
        }
        return out;
    }

    static long[] addressKey(byte[] a) {
        if (a.length == 4) {
            return new long[] {
                0, ((a[0] & 0xffL) << 24) | ((a[1] & 0xffL) << 16) | ((a[2] & 0xffL) << 8) | (a[3] & 0xffL)
            };
        }
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = (hi << 8) | (a[i] & 0xffL);
            lo = (lo << 8) | (a[i + 8] & 0xffL);
        }
        return new long[] {hi, lo};
    }

    /**
     * For a suffix that the text of an IPv4 address can end with (".d", ".c.d", ".b.c.d" with
     * canonical decimal parts up to 255), the key (parts, value of the last parts); else null.
     */
    static long[] ipv4Suffix(String suffix) {
        if (suffix.length() < 2 || suffix.charAt(0) != '.') {
            return null;
        }
        int parts = 0;
        long value = 0;
        int i = 1;
        while (true) {
            int start = i;
            int v = 0;
            while (i < suffix.length() && suffix.charAt(i) >= '0' && suffix.charAt(i) <= '9') {
                v = v * 10 + (suffix.charAt(i) - '0');
                i++;
                if (i - start > 3) {
                    return null;
                }
            }
            int len = i - start;
            if (len == 0 || v > 255 || (len > 1 && suffix.charAt(start) == '0')) {
                return null;
            }
            parts++;
            value = (value << 8) | v;
            if (i == suffix.length()) {
                break;
            }
            if (suffix.charAt(i) != '.') {
                return null;
            }
            i++;
        }
        return parts <= 3 ? new long[] {parts, value} : null;
    }

    // ---- decisions ---------------------------------------------------------------------------

    /** Packs granted actions (bits 0-7) and the rule index (bits 32-63). */
    static long pack(int granted, int rule) {
        return ((long) rule << 32) | granted;
    }

    static int granted(long packed) {
        return (int) (packed & 0xff);
    }

    static int rule(long packed) {
        return (int) (packed >>> 32);
    }

    private static final long LOOPBACK_V4 = 0x7f000001L;

    /**
     * Decides for a requested host that is a name, given as {@code host} itself.
     *
     * @param desired requested actions with RESOLVE added
     * @param ruleBits the actions a grant must have to be named as the rule
     */
    long decideName(String host, int low, int high, int desired, int ruleBits) {
        if (SocketTarget.isLocalhost(host)) {
            // The JDK resolves it to 127.0.0.1: decided as that address, which includes the
            // "localhost" name grants.
            return decideAddress(null, LOOPBACK_V4, low, high, desired, ruleBits);
        }
        long acc = pack(0, FileIndex.NO_RULE);
        acc = accumulate(acc, any, low, high, desired, ruleBits);
        acc = accumulate(acc, names.get(host, 0, host.length()), low, high, desired, ruleBits);
        if (hasSuffixes) {
            for (int i = 0, n = host.length(); i < n; i++) {
                if (host.charAt(i) == '.') {
                    acc = accumulate(acc, suffixes.get(host, i, n), low, high, desired, ruleBits);
                }
            }
        }
        return acc;
    }

    /**
     * Decides for a requested address: 4 or 16 bytes, or {@code address == null} and the IPv4
     * address in {@code v4Value}.
     */
    long decideAddress(byte[] address, long v4Value, int low, int high, int desired, int ruleBits) {
        long acc = pack(0, FileIndex.NO_RULE);
        acc = accumulate(acc, any, low, high, desired, ruleBits);
        if (address == null || address.length == 4) {
            acc = accumulate(acc, v4.get(0, v4Value), low, high, desired, ruleBits);
            if (hasV4Suffixes) {
                acc = accumulate(acc, v4Suffixes.get(1, v4Value & 0xffL), low, high, desired, ruleBits);
                acc = accumulate(acc, v4Suffixes.get(2, v4Value & 0xffffL), low, high, desired, ruleBits);
                acc = accumulate(acc, v4Suffixes.get(3, v4Value & 0xffffffL), low, high, desired, ruleBits);
            }
            if (v4Value == LOOPBACK_V4) {
                acc = accumulate(acc, localhost, low, high, desired, ruleBits);
            }
        } else {
            long[] key = addressKey(address);
            acc = accumulate(acc, v6.get(key[0], key[1]), low, high, desired, ruleBits);
        }
        return acc;
    }

    /** Decides for any requested target, wildcards included, by testing every grant. */
    long decideByScan(SocketTarget requested, int desired, int ruleBits) {
        long acc = pack(0, FileIndex.NO_RULE);
        for (Grant g : all) {
            if (SocketTarget.hostImplies(g.target, requested)) {
                acc = accumulate(acc, g, requested.portLow, requested.portHigh, desired, ruleBits);
            }
        }
        return acc;
    }

    /**
     * The grant that came closest to allowing a denied request for {@code desired} (with
     * {@link SocketActions#RESOLVE} added) on {@code requested}; null when none is near. Only
     * denials call this. The definition (docs/ARCHITECTURE.md repeats it):
     *
     * <ol>
     *   <li>A grant on the same host ({@link SocketTarget#hostImplies}) that lacks a requested
     *       action or does not cover the port: the one that misses in fewer ways (actions, port)
     *       first, then the one with more of the requested actions.
     *   <li>Else, for a request with a port, a grant of every requested action on that port for
     *       another host.
     *   <li>Else none.
     * </ol>
     *
     * Ties go to the first grant in policy order.
     */
    ClosestGrant closest(SocketTarget requested, int desired, String[] rules) {
        boolean resolveOnly = desired == SocketActions.RESOLVE;
        int asked = resolveOnly ? desired : desired & ~SocketActions.RESOLVE;
        Grant best = null;
        int bestMisses = 0;
        int bestOverlap = 0;
        for (Grant g : all) {
            if (!SocketTarget.hostImplies(g.target, requested)) {
                continue;
            }
            boolean portsCovered = resolveOnly
                    || ports.covers(g.target.portLow, g.target.portHigh, requested.portLow, requested.portHigh);
            int misses = ((asked & ~g.mask) != 0 ? 1 : 0) + (portsCovered ? 0 : 1);
            int overlap = Integer.bitCount(g.mask & asked);
            if (best == null || misses < bestMisses || (misses == bestMisses && overlap > bestOverlap)) {
                best = g;
                bestMisses = misses;
                bestOverlap = overlap;
            }
        }
        if (best != null) {
            StringBuilder why = new StringBuilder("grants ").append(actions(best.mask));
            String sep = ", not ";
            int lacking = asked & ~best.mask;
            if (lacking != 0) {
                why.append(sep).append(SocketActions.toString(lacking));
                sep = " and not ";
            }
            if (!resolveOnly
                    && !ports.covers(
                            best.target.portLow, best.target.portHigh, requested.portLow, requested.portHigh)) {
                why.append(sep).append("on ").append(ports(requested));
            }
            return new ClosestGrant(rules[best.rule], best.name, actions(best.mask), why.toString());
        }
        if (resolveOnly) {
            return null;
        }
        for (Grant g : all) {
            if ((g.mask & desired) == desired
                    && ports.covers(g.target.portLow, g.target.portHigh, requested.portLow, requested.portHigh)) {
                return new ClosestGrant(
                        rules[g.rule],
                        g.name,
                        actions(g.mask),
                        "grants " + actions(g.mask) + " on " + ports(requested) + ", for another host");
            }
        }
        return null;
    }

    /** A grant's actions as a person reads them: without the implied resolve, unless that is all. */
    private static String actions(int mask) {
        int shown = mask & ~SocketActions.RESOLVE;
        return SocketActions.toString(shown != 0 ? shown : mask);
    }

    private static String ports(SocketTarget t) {
        if (t.portLow == t.portHigh) {
            return "port " + t.portLow;
        }
        return t.portLow == 0 && t.portHigh == 65535 ? "every port" : "ports " + t.portLow + "-" + t.portHigh;
    }

    private long accumulate(long acc, Grant[] grants, int low, int high, int desired, int ruleBits) {
        if (grants != null) {
            for (Grant g : grants) {
                acc = accumulate(acc, g, low, high, desired, ruleBits);
            }
        }
        return acc;
    }

    private long accumulate(long acc, Grant g, int low, int high, int desired, int ruleBits) {
        if ((g.mask & desired) == 0) {
            return acc;
        }
        // A resolve-only request is decided without ports, as in the JDK.
        if (desired != SocketActions.RESOLVE && !ports.covers(g.target.portLow, g.target.portHigh, low, high)) {
            return acc;
        }
        int granted = granted(acc) | (g.mask & desired);
        int rule = rule(acc);
        if ((g.mask & ruleBits) != 0 && g.rule < rule) {
            rule = g.rule;
        }
        return pack(granted, rule);
    }
}
