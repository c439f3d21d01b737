package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.airlock.it.app.ExceptionChain;
import dev.airlock.it.app.NetworkCatalogue;
import dev.airlock.it.app.NetworkCatalogue.Row;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The catalogue of JDK network entry points ({@link NetworkCatalogue}; docs/ARCHITECTURE.md, "The
 * network"), each row run three ways on each helper JDK, all rows of one way in one JVM: with plain
 * {@code java}, inside Airlock under a policy granting every row's permissions, and inside Airlock
 * under the same policy with every host replaced by {@value #DENIED_HOST}, an address nothing here
 * uses. Granted, Airlock must be invisible: every row prints the unconfined line, and the same
 * traffic reaches the test's witnesses ({@link WireWitness}) and the test's connections reach the
 * rows that listen. Denied, every row must fail as the JDK fails on what the policy does not grant,
 * with Airlock's reason, and nothing may reach the wire: no connection, no datagram, no listener.
 *
 * <p>The denied policy grants nothing on a loopback address or name: by {@code
 * SocketPermission}'s rules a grant on 127.0.0.1 (any action) implies resolving every name of that
 * address, {@code localhost} among them, so it would let the name rows resolve. What it keeps (a
 * {@code kept} grant) is the ephemeral bind of a datagram socket, on the wildcard address.
 *
 * <p>Names are the test's own ({@link #HOSTS}, given to every run by {@link
 * Sandbox#start(List, Path, Path)}): the unconfined JVM and Airlock's broker, which resolves the
 * program's names, look them up there and nowhere else.
 */
class NetworkCatalogueIT {
    private static final List<Row> ROWS = NetworkCatalogue.rows();
    private static final List<String> NAMES = ROWS.stream().map(Row::name).toList();
    /** TEST-NET-1 (RFC 5737): an address no row uses, so that its grants cover none of their operations. */
    static final String DENIED_HOST = "192.0.2.1";
    /** The only lines Airlock may add to a denied run's stderr: refusals in its own voice. */
    private static final Pattern REFUSAL = Pattern.compile("airlock: (denied|refused) .*");

    private static final int TIMEOUT_SECONDS = 300;
    private static final int MINIMUM_ROWS = 45;
    /** Where the rows' own ports start: below Linux's default ephemeral range (32768-60999), see {@code freePort}. */
    private static final int FIRST_OWN_PORT = 24_000;

    /** The machine's host name, which {@code InetAddress.getLocalHost} looks up. */
    private static final String HOSTNAME = hostname();

    /**
     * The names every run resolves, and nothing else: the test's names on 127.0.0.1 and {@code
     * ::1} (one per row that must see a first denial, {@link NetworkCatalogue#ALL}), a name for
     * the reverse lookups alone, and the machine's host name.
     */
    private static final String HOSTS = "127.0.0.1 localhost\n"
            + "::1 localhost\n"
            + "127.0.0.1 " + NetworkCatalogue.API + "\n"
            + "::1 " + NetworkCatalogue.API + "\n"
            + "127.0.0.1 " + NetworkCatalogue.ALL + "\n"
            + "::1 " + NetworkCatalogue.ALL + "\n"
            + "127.0.0.2 " + NetworkCatalogue.REVERSE + "\n"
            + "127.0.1.1 " + HOSTNAME + "\n";

    /** The three ways, as the report names them. */
    enum Mode {
        UNCONFINED,
        GRANTED,
        DENIED
    }

    /** Every (JDK, mode, row) whose line was checked: the last test checks that none is missing. */
    private static final Set<String> CHECKED = ConcurrentHashMap.newKeySet();

    private static WireWitness wire;
    /** Every own port handed out so far: each run gets fresh ones (a client's fixed local port lingers in TIME_WAIT). */
    private static final Set<Integer> USED = new HashSet<>();

    @AfterAll
    static void closeWitness() throws IOException {
        if (wire != null) {
            wire.close();
        }
    }

    @Test
    void catalogueIsWellFormed() {
        assertTrue(
                ROWS.size() >= MINIMUM_ROWS,
                "the catalogue must cover at least " + MINIMUM_ROWS + " entry points, it has " + ROWS.size());
        assertEquals(NAMES.size(), new HashSet<>(NAMES).size(), "row names must be unique: " + NAMES);
        for (Row row : ROWS) {
            assertTrue(row.name().matches("[A-Za-z0-9_.]+"), "a row name is one word: " + row.name());
            // A row that needs no permission (a literal, never looked up) is the same in every mode.
            assertTrue(
                    !row.grants().isEmpty()
                            || (row.denied().text() != null
                                    && !row.denied().text().startsWith("EX ")),
                    row.name() + " needs a permission, or its denied line must be its answer");
            assertTrue(
                    (row.denied().text() == null) != (row.denied().family() == null),
                    row.name() + ": a denial is either an exact line or an exception family");
        }
    }

    @TestFactory
    Stream<DynamicNode> catalogue() {
        // Lazily per JDK: a JDK's three runs happen when its container runs, not when the tests are listed.
        Stream<DynamicNode> jdks = Arrays.stream(Jdk.values())
                .map(jdk -> dynamicContainer("helper on " + jdk, Stream.of(jdk).flatMap(NetworkCatalogueIT::testsOn)));
        return Stream.concat(jdks, Stream.of(dynamicTest("every row ran in all three modes on both JDKs", () -> {
            List<String> missing = new ArrayList<>();
            for (Jdk jdk : Jdk.values()) {
                for (Mode mode : Mode.values()) {
                    for (String name : NAMES) {
                        if (!CHECKED.contains(key(jdk, mode, name))) {
                            missing.add(key(jdk, mode, name));
                        }
                    }
                }
            }
            assertEquals(List.of(), missing, "rows never checked");
            assertEquals(Jdk.values().length * Mode.values().length * NAMES.size(), CHECKED.size());
        })));
    }

    private static String hostname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.US_ASCII)
                    .strip();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String key(Jdk jdk, Mode mode, String name) {
        return jdk + " " + mode + " " + name;
    }

    private static Stream<DynamicNode> testsOn(Jdk jdk) {
        Runs runs;
        try {
            runs = Runs.of(jdk);
        } catch (Exception | AssertionError e) {
            return Stream.of(dynamicTest("run the catalogue", () -> {
                throw e;
            }));
        }
        String on = jdk + " ";
        return Stream.of(
                dynamicContainer(
                        "unconfined",
                        Stream.concat(
                                Stream.of(dynamicTest("run", () -> assertRun(on + "unconfined", runs.plain, false))),
                                ROWS.stream().map(r -> dynamicTest(r.name(), () -> assertUnconfined(jdk, runs, r))))),
                dynamicContainer(
                        "granted",
                        Stream.concat(
                                Stream.of(dynamicTest("run", () -> assertRun(on + "granted", runs.granted, false))),
                                ROWS.stream().map(r -> dynamicTest(r.name(), () -> assertGranted(jdk, runs, r))))),
                dynamicContainer(
                        "denied",
                        Stream.concat(
                                Stream.of(
                                        dynamicTest("run", () -> assertRun(on + "denied", runs.denied, true)),
                                        dynamicTest(
                                                "nothing reached the wire",
                                                () -> assertEquals(
                                                        List.of(),
                                                        runs.denied.wire.stream()
                                                                .map(String::valueOf)
                                                                .toList(),
                                                        on + "denied: what reached the test's witnesses"))),
                                ROWS.stream().map(r -> dynamicTest(r.name(), () -> assertDenied(jdk, runs, r))))));
    }

    /** The run as a whole: it ended normally, printed one line per row in order, and nothing else. */
    private static void assertRun(String where, Way way, boolean refusalsAllowed) {
        assertEquals(0, way.exitCode, where + ": exit code; stderr: " + way.stderr);
        assertEquals(NAMES, List.copyOf(way.lines.keySet()), where + ": one line per row, in the catalogue's order");
        if (refusalsAllowed) {
            for (String line : way.stderr.lines().toList()) {
                assertTrue(
                        REFUSAL.matcher(line).matches(),
                        where + ": stderr holds more than Airlock's refusals: " + line);
            }
        } else {
            assertEquals("", way.stderr, where + ": stderr");
        }
    }

    /** The catalogue works at all: every row succeeds when nothing confines it, and its traffic is seen. */
    private static void assertUnconfined(Jdk jdk, Runs runs, Row row) {
        String where = jdk + " unconfined " + row.name() + ": ";
        String line = line(jdk, Mode.UNCONFINED, runs.plain, row);
        assertAll(
                () -> assertFalse(line.startsWith("EX "), where + "fails even unconfined: " + line),
                () -> assertTrue(
                        row.traffic() == NetworkCatalogue.Traffic.NONE
                                || !traffic(runs.plain, row).isEmpty(),
                        where + "nothing seen of it"));
    }

    private static void assertGranted(Jdk jdk, Runs runs, Row row) {
        String where = jdk + " granted " + row.name() + ": ";
        String expected = runs.plain.lines.get(row.name());
        String actual = line(jdk, Mode.GRANTED, runs.granted, row);
        assertAll(
                () -> assertEquals(expected, actual, where + "result, as the unconfined run printed it"),
                () -> assertEquals(
                        traffic(runs.plain, row),
                        traffic(runs.granted, row),
                        where + "what the test saw of it, as in the unconfined run"));
    }

    private static void assertDenied(Jdk jdk, Runs runs, Row row) {
        String where = jdk + " denied " + row.name() + ": ";
        String actual = line(jdk, Mode.DENIED, runs.denied, row);
        NetworkCatalogue.Denial denial = row.denied();
        String policy = runs.denied.policy.toString();
        assertAll(
                () -> {
                    if (denial.text() != null) {
                        // The denied policy grants the rows' ports on another host, which a denial may
                        // name as its closest grant (ClosestGrantTest checks those words); the
                        // rest is the JDK's exception with Airlock's reason, exactly.
                        assertEquals(
                                substitute(denial.text(), runs.denied),
                                actual.replaceAll(" \\(closest grant: [^)]*\\)", ""),
                                where + "result");
                    } else {
                        assertTrue(
                                isOfFamily(actual, denial.family()),
                                where + "a " + denial.family().getName() + " expected, was <" + actual + ">");
                        assertTrue(
                                !denial.withReason() || actual.contains("denied by airlock policy " + policy),
                                where + "Airlock's reason expected, was <" + actual + ">");
                    }
                },
                () -> assertEquals(List.of(), traffic(runs.denied, row), where + "nothing on the wire"));
    }

    /** Whether {@code line} is {@link ExceptionChain}'s line for an exception of {@code family}. */
    private static boolean isOfFamily(String line, Class<? extends Exception> family) {
        if (!line.startsWith("EX ")) {
            return false;
        }
        String type = line.substring(3, line.indexOf(':') < 0 ? line.length() : line.indexOf(':'));
        try {
            return family.isAssignableFrom(Class.forName(type, false, NetworkCatalogueIT.class.getClassLoader()));
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /**
     * {@code template} with the run's policy and witness ports in place of their names; the row's
     * own port stays {@code $own}, as the catalogue prints it.
     */
    private static String substitute(String template, Way way) {
        String text = template.replace("$POLICY", way.policy.toString());
        for (String witness : List.of("tcp4", "tcp6", "udp4", "udp6")) {
            text = text.replace("$" + witness, String.valueOf(way.ports.get(witness)));
        }
        return text;
    }

    /**
     * What the test saw of {@code row} in {@code way}: the lines of every arrival at the witnesses
     * tagged with its name (for a row that sends nothing, the connections that sent nothing), and
     * the answers of the test's connections to it.
     */
    private static List<String> traffic(Way way, Row row) {
        List<String> seen = new ArrayList<>();
        switch (row.traffic()) {
            case WITNESS ->
                WireWitness.tagged(way.wire, row.name())
                        .forEach(a -> seen.add(a.lines().toString()));
            case SILENT_WITNESS ->
                way.wire.stream()
                        .filter(a -> a.lines().equals(List.of("")))
                        .forEach(a -> seen.add(a.transport + " silent"));
            case KNOCK -> seen.addAll(way.knocks.getOrDefault(row.name(), List.of()));
            case NONE -> {
                // a lookup in the hosts file, or nothing at all: there is nothing to see
            }
        }
        return seen;
    }

    private static String line(Jdk jdk, Mode mode, Way way, Row row) {
        String line = way.lines.get(row.name());
        assertNotNull(line, () -> "no line for " + row.name() + "; stderr: " + way.stderr);
        CHECKED.add(key(jdk, mode, row.name()));
        return line;
    }

    /**
     * One way of running the catalogue: its policy (null: unconfined) and ports, what it printed,
     * what reached the wire, and the test's connections to it.
     */
    private record Way(
            Path policy,
            Map<String, Integer> ports,
            int exitCode,
            Map<String, String> lines,
            String stderr,
            List<WireWitness.Arrival> wire,
            Map<String, List<String>> knocks) {}

    /** The three runs on one JDK. */
    private record Runs(Way plain, Way granted, Way denied) {
        static Runs of(Jdk jdk) throws Exception {
            prepare();
            try (Sandbox s = new Sandbox()) {
                copyCatalogue(s);
                Path hosts = s.policy("hosts", HOSTS);
                return new Runs(
                        run(s, jdk, Mode.UNCONFINED, hosts),
                        run(s, jdk, Mode.GRANTED, hosts),
                        run(s, jdk, Mode.DENIED, hosts));
            }
        }

        /** Runs the catalogue in {@code mode}, on fresh ports of its own, resolving names from {@code hosts}. */
        private static Way run(Sandbox s, Jdk jdk, Mode mode, Path hosts) throws Exception {
            Map<String, Integer> ports = freshPorts();
            Path policy = switch (mode) {
                case UNCONFINED -> null;
                case GRANTED -> s.policy("granted.policy", policy(null, ports));
                case DENIED -> s.policy("denied.policy", policy(DENIED_HOST, ports));
            };
            wire.clear();
            List<String> javaArgs = new ArrayList<>(List.of("-cp", s.app.toString(), NetworkCatalogue.class.getName()));
            ports.forEach((key, port) -> javaArgs.add(key + "=" + port));
            List<String> command;
            if (policy == null) {
                command = new ArrayList<>(List.of(jdk.java().toString()));
                command.addAll(javaArgs);
            } else {
                command = Sandbox.javaCommand(jdk, policy, javaArgs);
            }
            Process process = Sandbox.start(command, null, hosts);
            process.getOutputStream().close();
            Map<String, List<String>> knocks = new ConcurrentHashMap<>();
            List<Thread> knockers = Collections.synchronizedList(new ArrayList<>());
            Map<String, String> lines = new LinkedHashMap<>();
            StringBuilder stderr = new StringBuilder();
            Thread errReader = new Thread(() -> {
                try {
                    stderr.append(new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException e) {
                    stderr.append("<unreadable: ").append(e).append('>');
                }
            });
            errReader.start();
            try (BufferedReader out =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.startsWith("@listen ")) {
                        String[] p = line.split(" ", -1);
                        Thread knocker = new Thread(() -> knocks.computeIfAbsent(p[1], k -> new ArrayList<>())
                                .add(knock(p[1], p[2], Integer.parseInt(p[3]), p[4])));
                        knockers.add(knocker);
                        knocker.start();
                        continue;
                    }
                    int space = line.indexOf(' ');
                    String name = space < 0 ? line : line.substring(0, space);
                    lines.putIfAbsent(name, space < 0 ? "" : line.substring(space + 1));
                }
            }
            boolean ended = process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (!ended) {
                process.destroyForcibly();
            }
            errReader.join();
            for (Thread knocker : List.copyOf(knockers)) {
                knocker.join(30_000);
            }
            assertTrue(ended, "the catalogue did not end within " + TIMEOUT_SECONDS + " s");
            Thread.sleep(300); // let the witnesses record whatever arrived last
            return new Way(policy, ports, process.exitValue(), lines, stderr.toString(), wire.seen(), knocks);
        }

        /** The test's connection to a row that listens: a line, or an HTTP GET of the row's name. */
        private static String knock(String name, String host, int port, String kind) {
            try (Socket c = new Socket()) {
                c.connect(new InetSocketAddress(InetAddress.getByName(host), port), 10_000);
                c.setSoTimeout(20_000);
                String request = kind.equals("http")
                        ? "GET /" + name + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n"
                        : "hello " + name + "\n";
                c.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
                c.getOutputStream().flush();
                InputStream in = c.getInputStream();
                String answer = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
                return kind + " to " + host + " answered " + answer;
            } catch (IOException e) {
                return kind + " to " + host + " failed: " + e;
            }
        }

        /**
         * The policy of every row's permissions, on {@code host} instead of each row's own (null:
         * each row's own).
         */
        private static String policy(String host, Map<String, Integer> ports) {
            Set<String> permissions = new LinkedHashSet<>();
            for (Row row : ROWS) {
                for (NetworkCatalogue.Grant g : row.grants()) {
                    String port = g.port().isEmpty() ? "" : ":" + port(row, g.port(), ports);
                    String on = host == null || g.kept() ? g.host() : host;
                    permissions.add("  permission java.net.SocketPermission \""
                            + on.replace(NetworkCatalogue.Grant.HOSTNAME, HOSTNAME) + port + "\", \"" + g.actions()
                            + "\";\n");
                }
            }
            return "grant {\n" + String.join("", permissions) + "};\n";
        }

        private static String port(Row row, String key, Map<String, Integer> ports) {
            if (key.chars().allMatch(Character::isDigit)) {
                return key;
            }
            Integer port = ports.get(key.equals(NetworkCatalogue.Grant.OWN) ? row.name() : key);
            if (port == null) {
                throw new IllegalStateException(row.name() + " names the unknown port " + key);
            }
            return String.valueOf(port);
        }

        /** Once per test run: the witnesses. */
        private static synchronized void prepare() throws IOException {
            if (wire == null) {
                wire = new WireWitness();
            }
        }

        /** The witnesses' ports, and a free port never handed out before for each row that listens or binds. */
        private static Map<String, Integer> freshPorts() throws IOException {
            Map<String, Integer> all = new LinkedHashMap<>();
            all.put("tcp4", wire.tcp4());
            all.put("tcp6", wire.tcp6());
            all.put("udp4", wire.udp4());
            all.put("udp6", wire.udp6());
            synchronized (USED) {
                USED.addAll(all.values());
                for (Row row : ROWS) {
                    if (row.ownPort()) {
                        all.put(row.name(), freePort(USED));
                    }
                }
            }
            return Collections.unmodifiableMap(all);
        }

        /**
         * A port free for TCP and UDP on every address (the wildcard, which is dual-stack here), not
         * in {@code taken}, and below the kernel's ephemeral range: by SocketPermission's rules a
         * grant on port 0 covers every port of that range, so the denied policy's ephemeral binds
         * would grant a row's own port.
         */
        private static int freePort(Set<Integer> taken) {
            for (int port = FIRST_OWN_PORT; port < FIRST_OWN_PORT + 4000; port++) {
                if (taken.contains(port)) {
                    continue;
                }
                try (ServerSocket tcp = new ServerSocket(port);
                        DatagramSocket udp = new DatagramSocket(port)) {
                    if (tcp.getLocalPort() == port && udp.getLocalPort() == port) {
                        taken.add(port);
                        return port;
                    }
                } catch (IOException busy) {
                    // in use: the next
                }
            }
            throw new IllegalStateException("no free port from " + FIRST_OWN_PORT);
        }

        /** The catalogue with its nested and anonymous classes (nest members all), and the exception printer. */
        private static void copyCatalogue(Sandbox s) throws IOException {
            for (Class<?> type : NetworkCatalogue.class.getNestMembers()) {
                s.copyClass(type);
            }
            s.copyClass(ExceptionChain.class);
            s.worldReadable(s.app);
        }
    }
}
