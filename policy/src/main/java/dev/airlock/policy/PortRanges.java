package dev.airlock.policy;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * Port-range containment as {@code SocketPermission} decides it, including its treatment of port
 * 0 as "the ephemeral port range".
 *
 * <p>The JDK's rule, which surprises: a granted range that starts at 0 ({@code :0},
 * {@code :-1024}, {@code :0-80}) also grants every port of the system's ephemeral range (on Linux
 * {@code net.ipv4.ip_local_port_range}, typically 32768-60999), and a request for port 0 (listen
 * on an ephemeral port) is granted only by a range that covers the whole ephemeral range. So
 * {@code "localhost:-1024", "listen"} allows listening on port 40000. Outside those cases a
 * request is granted when its range lies inside the granted range.
 */
final class PortRanges {

    /** The JDK's Linux fallback when the kernel's range cannot be read. */
    static final int DEFAULT_LOW = 32768;

    static final int DEFAULT_HIGH = 61000;

    final int ephemeralLow;
    final int ephemeralHigh;

    PortRanges(int ephemeralLow, int ephemeralHigh) {
        this.ephemeralLow = ephemeralLow;
        this.ephemeralHigh = ephemeralHigh;
    }

    /**
     * The range the JDK would use: the {@code jdk.net.ephemeralPortRange.low} and {@code .high}
     * properties where set, else the kernel's, else the JDK's Linux defaults.
     */
    static PortRanges fromSystem(Function<String, String> properties) {
        int[] kernel = kernelRange();
        int low = intProperty(properties, "jdk.net.ephemeralPortRange.low", kernel[0]);
        int high = intProperty(properties, "jdk.net.ephemeralPortRange.high", kernel[1]);
        return new PortRanges(low, high);
    }

    private static int intProperty(Function<String, String> properties, String key, int fallback) {
        String v = properties.apply(key);
        if (v == null) {
            return fallback;
        }
        try {
            int i = Integer.decode(v.trim());
            return i == -1 ? fallback : i;
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static int[] kernelRange() {
        // Read line-wise: Files.readString/readAllBytes trust the size /proc reports and can return
        // a truncated value.
        try (BufferedReader in =
                Files.newBufferedReader(Path.of("/proc/sys/net/ipv4/ip_local_port_range"), StandardCharsets.US_ASCII)) {
            String s = in.readLine();
            String[] parts = s == null ? new String[0] : s.trim().split("\\s+");
            if (parts.length == 2) {
                return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
            }
        } catch (IOException | RuntimeException e) {
            // Fall through to the JDK's defaults, as the JDK does.
        }
        return new int[] {DEFAULT_LOW, DEFAULT_HIGH};
    }

    /** Whether granted ports [gLow, gHigh] cover requested ports [rLow, rHigh]. */
    boolean covers(int gLow, int gHigh, int rLow, int rHigh) {
        if (rLow >= gLow && rHigh <= gHigh) {
            return true;
        }
        // Beyond plain containment, only port 0 on either side widens anything.
        if (gLow != 0 && rLow != 0) {
            return false;
        }
        if (rLow == 0) {
            // Requesting port 0 means requesting the ephemeral range.
            if (!inGranted(gLow, gHigh, ephemeralLow, ephemeralHigh)) {
                return false;
            }
            if (rHigh == 0) {
                return true;
            }
            rLow = 1;
        }
        return inGranted(gLow, gHigh, rLow, rHigh);
    }

    /** [lo, hi] (lo >= 1 or the ephemeral range) inside the granted set. */
    private boolean inGranted(int gLow, int gHigh, int lo, int hi) {
        if (gLow != 0) {
            return lo >= gLow && hi <= gHigh;
        }
        // The granted set is [0, gHigh] together with the ephemeral range; [lo, hi] must lie in their
        // union, which is one interval when they touch and two otherwise.
        if (gHigh == 0) {
            return lo >= ephemeralLow && hi <= ephemeralHigh;
        }
        if (gHigh >= ephemeralLow - 1) {
            return hi <= Math.max(gHigh, ephemeralHigh);
        }
        return hi <= gHigh || (lo >= ephemeralLow && hi <= ephemeralHigh);
    }
}
