package dev.airlock.broker;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The host names the broker itself resolved for one helper, and the addresses it answered for
 * each: what lets a grant by host name cover an address ({@link dev.airlock.policy.Policy#decideConnect}).
 * Only the broker's own answers are recorded (RESOLVE, {@link NameLookups}), never a name the
 * program attaches to an address, so a forged {@code InetAddress.getByAddress("api.example.com",
 * otherIp)} gets no grant of that name: {@code otherIp} was never an answer for it.
 *
 * <p>Bounded: at most {@link #CAPACITY} name-address pairs; recording one more forgets the
 * oldest (a connect to a forgotten address by that name is then decided on the address alone, as
 * if never resolved, which fails closed). A name resolved again adds its new addresses to the old
 * ones, since the program's JDK may still hold an earlier answer in its own cache (30 seconds by
 * default) and connect to one of those.
 *
 * <p>One per helper ({@link RequestServer}); thread-safe, because lookups are recorded on the
 * broker's resolver threads while connects are decided on the request loop's.
 */
final class ResolvedNames {
    /** The most name-address pairs remembered. */
    static final int CAPACITY = 4096;

    /** A name and an address key, in the order recorded (the oldest first). */
    private record Pair(String name, String address) {}

    private final int capacity;
    private final LinkedHashSet<Pair> pairs = new LinkedHashSet<>();
    private final Map<String, Set<String>> byAddress = new HashMap<>();

    ResolvedNames() {
        this(CAPACITY);
    }

    /** A table of {@code capacity} pairs, for tests of the bound. */
    ResolvedNames(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        this.capacity = capacity;
    }

    /** Remembers that the broker resolved {@code name} to {@code addresses} for this helper. */
    synchronized void record(String name, Collection<InetAddress> addresses) {
        for (InetAddress a : addresses) {
            Pair p = new Pair(name, key(a.getAddress()));
            pairs.remove(p); // re-recorded: now the newest
            pairs.add(p);
            byAddress.computeIfAbsent(p.address, k -> new HashSet<>()).add(name);
        }
        Iterator<Pair> oldest = pairs.iterator();
        while (pairs.size() > capacity) {
            Pair p = oldest.next();
            oldest.remove();
            Set<String> names = byAddress.get(p.address);
            names.remove(p.name);
            if (names.isEmpty()) {
                byAddress.remove(p.address);
            }
        }
    }

    /** The names the broker resolved to {@code address} for this helper, sorted; empty when none. */
    synchronized Set<String> namesOf(InetAddress address) {
        Set<String> names = byAddress.get(key(address.getAddress()));
        return names == null ? Set.of() : new TreeSet<>(names);
    }

    /** How many name-address pairs are remembered. */
    synchronized int size() {
        return pairs.size();
    }

    /**
     * The address's bytes as a key, an IPv4-mapped IPv6 address as its IPv4 address (as the JDK
     * and the policy read it), without the scope id (a name's grant is for the address).
     */
    private static String key(byte[] address) {
        try {
            return Arrays.toString(InetAddress.getByAddress(address).getAddress());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("an address is 4 or 16 bytes, not " + address.length, e);
        }
    }
}
