package dev.airlock.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The bounded table of the names the broker resolved for one helper. */
class ResolvedNamesTest {
    private static InetAddress address(int a, int b, int c, int d) throws Exception {
        return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
    }

    @Test
    void namesAreTheOnesRecordedForThatAddressOnly() throws Exception {
        ResolvedNames t = new ResolvedNames();
        t.record("db.example.com", List.of(address(10, 0, 0, 1), address(10, 0, 0, 2)));
        t.record("cache.example.com", List.of(address(10, 0, 0, 2)));
        assertEquals(Set.of("db.example.com"), t.namesOf(address(10, 0, 0, 1)));
        assertEquals(Set.of("cache.example.com", "db.example.com"), t.namesOf(address(10, 0, 0, 2)));
        assertEquals(Set.of(), t.namesOf(address(10, 0, 0, 3)));
        assertEquals(
                Set.of(),
                t.namesOf(InetAddress.getByAddress("db.example.com", new byte[] {10, 0, 0, 3})),
                "a name the program attaches to an address counts for nothing");
        assertEquals(3, t.size());
    }

    @Test
    void anIpv4MappedAddressIsItsIpv4Address() throws Exception {
        ResolvedNames t = new ResolvedNames();
        t.record("db.example.com", List.of(address(10, 0, 0, 1)));
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, 0, 1};
        assertEquals(Set.of("db.example.com"), t.namesOf(InetAddress.getByAddress(mapped)));
    }

    @Test
    void theOldestPairsAreForgottenBeyondTheBound() throws Exception {
        ResolvedNames t = new ResolvedNames(3);
        t.record("a.example", List.of(address(10, 0, 0, 1), address(10, 0, 0, 2)));
        t.record("b.example", List.of(address(10, 0, 0, 3)));
        t.record("a.example", List.of(address(10, 0, 0, 1))); // resolved again: now the newest
        t.record("c.example", List.of(address(10, 0, 0, 4)));
        assertEquals(3, t.size());
        assertEquals(Set.of(), t.namesOf(address(10, 0, 0, 2)), "the oldest pair is forgotten");
        assertEquals(Set.of("a.example"), t.namesOf(address(10, 0, 0, 1)));
        assertEquals(Set.of("b.example"), t.namesOf(address(10, 0, 0, 3)));
        assertEquals(Set.of("c.example"), t.namesOf(address(10, 0, 0, 4)));
        for (int i = 0; i < 10_000; i++) {
            t.record("n" + i + ".example", List.of(address(10, 1, i >> 8, i)));
        }
        assertEquals(3, t.size(), "never more than the bound");
        assertEquals(ResolvedNames.CAPACITY, 4096);
        assertThrows(IllegalArgumentException.class, () -> new ResolvedNames(0));
    }
}
