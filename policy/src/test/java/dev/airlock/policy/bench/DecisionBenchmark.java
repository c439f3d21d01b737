package dev.airlock.policy.bench;

import dev.airlock.policy.FileActions;
import dev.airlock.policy.Policy;
import dev.airlock.policy.PolicySyntaxException;
import dev.airlock.policy.SocketActions;
import java.io.FilePermission;
import java.security.Permissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Decisions per second for a 10-grant and a 1,000-grant policy, with the JDK's own
 * {@code Permissions.implies} on the same grants for comparison. A plain main, no harness:
 *
 * <pre>
 * cd /work/main &amp;&amp; mvn -B -q -o -pl policy test-compile &amp;&amp; \
 *   java -cp policy/target/classes:policy/target/test-classes \
 *     dev.airlock.policy.bench.DecisionBenchmark
 * </pre>
 *
 * Each figure is the median of 7 timed rounds of about half a second each (the number of calls
 * per round is calibrated first), after 3 warm-up rounds. Queries are a fixed mix (seed 1) of
 * allowed and denied absolute paths, 3 to 8 names deep, and of host names and addresses.
 */
public final class DecisionBenchmark {

    private static final int ROUNDS = 7;
    private static final int WARMUP = 3;
    private static final double ROUND_SECONDS = 0.5;

    /** Where every round's result goes, so that the JIT cannot drop the work it measures. */
    private static final AtomicInteger SINK = new AtomicInteger();

    private DecisionBenchmark() {}

    public static void main(String[] args) throws Exception {
        System.out.printf("%-34s %15s %15s%n", "decisions per second (median)", "10 grants", "1,000 grants");
        Setup small = setup(10);
        Setup big = setup(1000);
        row("Airlock decideFile", bench(small, Kind.DECIDE_FILE), bench(big, Kind.DECIDE_FILE));
        row("Airlock allowsFile", bench(small, Kind.ALLOWS_FILE), bench(big, Kind.ALLOWS_FILE));
        row("Airlock decideSocket", bench(small, Kind.SOCKET), bench(big, Kind.SOCKET));
        row("JDK Permissions.implies (files)", bench(small, Kind.JDK_FILE), bench(big, Kind.JDK_FILE));
    }

    private enum Kind {
        DECIDE_FILE,
        ALLOWS_FILE,
        SOCKET,
        JDK_FILE
    }

    // A private carrier of one run's inputs, never compared or hashed: arrays index fastest.
    @SuppressWarnings("ArrayRecordComponent")
    private record Setup(Policy policy, Permissions jdk, String[] paths, FilePermission[] jdkQueries, String[] hosts) {}

    private static Setup setup(int grants) throws PolicySyntaxException {
        Random r = new Random(1);
        StringBuilder text = new StringBuilder("grant {\n");
        Permissions jdk = new Permissions();
        List<String> targets = new ArrayList<>();
        for (int i = 0; i < grants; i++) {
            String dir = "/srv/app" + (i % 17) + "/part" + i;
            String target = switch (i % 3) {
                case 0 -> dir + "/-";
                case 1 -> dir + "/*";
                default -> dir + "/file.dat";
            };
            targets.add(dir);
            text.append("  permission java.io.FilePermission \"").append(target).append("\", \"read,write\";\n");
            jdk.add(new FilePermission(target, "read,write"));
            text.append("  permission java.net.SocketPermission \"svc")
                    .append(i)
                    .append(".example.com:443\", \"connect\";\n");
        }
        text.append("  permission java.net.SocketPermission \"*.example.org:443\", \"connect\";\n");
        text.append("};\n");
        Policy policy = Policy.parse("bench.policy", text.toString());
        String[] paths = new String[1024];
        FilePermission[] jdkQueries = new FilePermission[paths.length];
        for (int i = 0; i < paths.length; i++) {
            String base = r.nextInt(4) == 0 ? "/home/user/.cache/x" : targets.get(r.nextInt(grants));
            StringBuilder p = new StringBuilder(base);
            for (int d = r.nextInt(4); d > 0; d--) {
                p.append("/n").append(r.nextInt(5));
            }
            p.append(r.nextBoolean() ? "/file.dat" : "/other.txt");
            paths[i] = p.toString();
            jdkQueries[i] = new FilePermission(paths[i], "read");
        }
        String[] hosts = new String[1024];
        for (int i = 0; i < hosts.length; i++) {
            hosts[i] = switch (r.nextInt(4)) {
                case 0 -> "svc" + r.nextInt(grants) + ".example.com";
                case 1 -> "api.example.org";
                case 2 -> "10.0." + r.nextInt(256) + "." + r.nextInt(256);
                default -> "unknown" + i + ".example.net";
            };
        }
        return new Setup(policy, jdk, paths, jdkQueries, hosts);
    }

    private static double bench(Setup s, Kind kind) {
        // Calibrate: how many calls make a round of ROUND_SECONDS.
        int calls = 1000;
        while (true) {
            long start = System.nanoTime();
            SINK.addAndGet(run(s, kind, calls));
            double seconds = (System.nanoTime() - start) / 1e9;
            if (seconds > 0.05) {
                calls = (int) Math.min(Integer.MAX_VALUE, calls * ROUND_SECONDS / seconds);
                break;
            }
            calls *= 4;
        }
        double[] rates = new double[ROUNDS];
        for (int round = -WARMUP; round < ROUNDS; round++) {
            long start = System.nanoTime();
            SINK.addAndGet(run(s, kind, calls));
            double seconds = (System.nanoTime() - start) / 1e9;
            if (round >= 0) {
                rates[round] = calls / seconds;
            }
        }
        Arrays.sort(rates);
        return rates[ROUNDS / 2];
    }

    private static int run(Setup s, Kind kind, int n) {
        int allowed = 0;
        Policy p = s.policy;
        String[] paths = s.paths;
        for (int i = 0; i < n; i++) {
            int q = i & 1023;
            boolean yes = switch (kind) {
                case DECIDE_FILE -> p.decideFile(paths[q], FileActions.READ).allowed();
                case ALLOWS_FILE -> p.allowsFile(paths[q], FileActions.READ);
                case SOCKET ->
                    p.decideSocket(s.hosts[q], 443, SocketActions.CONNECT).allowed();
                case JDK_FILE -> s.jdk.implies(s.jdkQueries[q]);
            };
            if (yes) {
                allowed++;
            }
        }
        return allowed;
    }

    private static void row(String name, double small, double big) {
        System.out.printf("%-34s %15s %15s%n", name, format(small), format(big));
    }

    private static String format(double rate) {
        return String.format("%,.0f", rate);
    }
}
