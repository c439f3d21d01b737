package dev.airlock.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The loopback interface of a new network namespace, on a thread of its own (unshare moves only
 * the calling thread): down when made, up after {@link LoopbackInterface#up}, with the IPv6
 * loopback address the JDK looks for, while the host's namespace is left as it was.
 */
class LoopbackInterfaceTest {
    @Test
    void aNewNamespacesLoopbackComesUpWithTheIpv6LoopbackAddress() throws Exception {
        Assumptions.assumeTrue(Linux.getuid() == 0, "needs root: unshares a network namespace");
        boolean hostUp = LoopbackInterface.isUp();
        List<Object> seen = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                ThreadConfinement.unshare(EnumSet.of(Namespace.NETWORK));
                seen.add(LoopbackInterface.isUp());
                seen.add(ipv6Interfaces());
                LoopbackInterface.up();
                seen.add(LoopbackInterface.isUp());
                seen.add(ipv6Interfaces());
                LoopbackInterface.up(); // already up: the same again
                seen.add(LoopbackInterface.isUp());
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        thread.start();
        thread.join();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertEquals(false, seen.get(0), "a new namespace's loopback is down");
        assertEquals("", seen.get(1), "no IPv6 address while down");
        assertEquals(true, seen.get(2), "up");
        assertTrue(
                ((String) seen.get(3)).startsWith("00000000000000000000000000000001 "),
                "::1 on lo, as the JDK's IPv6 check reads it: " + seen.get(3));
        assertTrue(((String) seen.get(3)).trim().endsWith(" lo"), "only lo: " + seen.get(3));
        assertEquals(true, seen.get(4), "still up");
        assertEquals(hostUp, LoopbackInterface.isUp(), "the host's loopback is untouched");
    }

    @Test
    void theHostsLoopbackIsUp() throws Exception {
        assertTrue(LoopbackInterface.isUp(), "the test machine's own loopback");
    }

    /** The calling thread's namespace's IPv6 addresses, as /proc lists them. */
    private static String ipv6Interfaces() throws Exception {
        return Files.readString(Path.of("/proc/thread-self/net/if_inet6"), StandardCharsets.US_ASCII)
                .trim();
    }
}
