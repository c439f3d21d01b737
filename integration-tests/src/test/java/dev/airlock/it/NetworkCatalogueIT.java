package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.airlock.it.app.NetworkCatalogue;
import dev.airlock.it.app.NetworkCatalogue.Entry;
import dev.airlock.it.app.NetworkCatalogue.Kind;
import dev.airlock.it.app.NetworkCatalogue.Ports;
import dev.airlock.it.app.NetworkCatalogue.Status;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The catalogue of JDK network entry points ({@link NetworkCatalogue}), each run three ways on each
 * helper JDK: unconfined with the same JDK, inside Airlock under a policy granting the test's
 * loopback witnesses ({@link WireWitness}) and listening ports, and inside Airlock under a policy
 * granting only an unrelated port. Granted, Airlock must be invisible: every brokered entry prints
 * the unconfined line and makes as many connections as the unconfined run made. Denied, every
 * entry must fail as the JDK fails, with Airlock's reason, and nothing at all may reach the wire:
 * no connection or datagram at the witnesses, no listening port the test can reach.
 *
 * <p>An entry Airlock does not broker yet ({@link Status#NOT_YET_BROKERED}: UDP) is in the table
 * too, not left out: granted, it must still be refused with nothing on the wire (it fails closed),
 * and the day it starts working its test fails and says so, so that it is marked brokered and its
 * result compared.
 *
 * <p>One JVM runs the whole catalogue per way (six launches in all) against one witness, cleared
 * between the runs; the comparisons then come out as one test per entry per way.
 */
class NetworkCatalogueIT {
    private static final List<Entry> ENTRIES = NetworkCatalogue.entries();
    private static final List<String> NAMES = ENTRIES.stream().map(Entry::name).toList();
    /** The only lines Airlock may add to a denied run's stderr: refusals in its own voice. */
    private static final Pattern REFUSAL = Pattern.compile("airlock: (denied|refused) .*");

    private static final int TIMEOUT_SECONDS = 300;

    @Test
    void catalogueIsWellFormed() {
        assertTrue(ENTRIES.size() >= 40, "the catalogue must cover at least 40 entry points, it has " + ENTRIES.size());
        assertEquals(NAMES.size(), new HashSet<>(NAMES).size(), "entry names must be unique: " + NAMES);
        for (String name : NAMES) {
            // A name is the entry's tag on the wire (a line, a URL path, a datagram): no spaces, no slashes.
            assertTrue(name.matches("[A-Za-z0-9_.]+"), "an entry name is one word: " + name);
        }
        for (Kind kind : Kind.values()) {
            assertTrue(ENTRIES.stream().anyMatch(e -> e.kind() == kind), "no entry of kind " + kind);
        }
        List<Integer> slots = ENTRIES.stream()
                .filter(e -> e.kind() == Kind.LISTEN)
                .map(Entry::listenSlot)
                .toList();
        assertEquals(
                java.util.stream.IntStream.range(0, slots.size()).boxed().toList(),
                slots,
                "listening entries take the listening ports in order, one each");
        assertTrue(
                NAMES.stream().filter(n -> n.endsWith("6")).count() >= 8,
                "IPv6 has entries of its own (names ending in 6): " + NAMES);
    }

    @TestFactory
    Stream<DynamicNode> catalogue() {
        // Lazily per JDK: a JDK's three runs happen when its container runs, not when the tests are listed.
        return Arrays.stream(Jdk.values())
                .map(jdk -> dynamicContainer("helper on " + jdk, Stream.of(jdk).flatMap(NetworkCatalogueIT::testsOn)));
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
                                ENTRIES.stream().map(e -> dynamicTest(e.name(), () -> assertUnconfined(on, runs, e))))),
                dynamicContainer(
                        "granted",
                        Stream.concat(
                                Stream.of(dynamicTest("run", () -> assertRun(on + "granted", runs.granted, false))),
                                ENTRIES.stream()
                                        .map(e -> dynamicTest(
                                                e.status() == Status.BROKERED
                                                        ? e.name()
                                                        : e.name() + " (not yet brokered: refused though granted)",
                                                () -> assertGranted(on, runs, e))))),
                dynamicContainer(
                        "denied",
                        Stream.concat(
                                Stream.of(
                                        dynamicTest("run", () -> assertRun(on + "denied", runs.denied, true)),
                                        dynamicTest(
                                                "nothing on the wire", () -> assertNothingOnTheWire(on, runs.denied))),
                                ENTRIES.stream().map(e -> dynamicTest(e.name(), () -> assertDenied(on, runs, e))))));
    }

    /** The run as a whole: it ended normally, printed one line per entry in order, and nothing else. */
    private static void assertRun(String where, Way way, boolean refusalsAllowed) {
        assertEquals(0, way.result.exitCode(), where + ": exit code; stderr: " + way.result.stderr());
        List<String> printed =
                way.result.stdout().stream().map(NetworkCatalogueIT::nameOf).toList();
        assertEquals(NAMES, printed, where + ": one line per entry, in the catalogue's order");
        if (refusalsAllowed) {
            for (String line : way.result.stderr().lines().toList()) {
                assertTrue(
                        REFUSAL.matcher(line).matches(),
                        where + ": stderr holds more than Airlock's refusals: " + line);
            }
        } else {
            assertEquals("", way.result.stderr(), where + ": stderr");
        }
    }

    private static void assertNothingOnTheWire(String on, Way way) {
        assertAll(
                () -> assertEquals(
                        List.of(),
                        way.wire.stream().map(Object::toString).toList(),
                        on + "denied: connections and datagrams that reached the witnesses"),
                () -> assertEquals(Map.of(), way.knocked, on + "denied: listening ports the test could connect to"));
    }

    /** The catalogue works at all: every entry does what it should when nothing confines it, and the witness saw it. */
    private static void assertUnconfined(String on, Runs runs, Entry entry) {
        String where = on + "unconfined " + entry.name() + ": ";
        String line = line(runs.plain, entry);
        assertTrue(
                entry.unconfined().matches(runs.ports, line),
                () -> where + "expected <" + entry.unconfined().regex(runs.ports) + "> but was <" + line + ">");
        if (line.startsWith("OK ") && (entry.kind() == Kind.CONNECT || entry.kind() == Kind.DATAGRAM)) {
            assertFalse(
                    runs.plain.seenBy(entry).isEmpty(),
                    where + "the witness did not see it, so its silence would prove nothing when denied");
        }
        if (entry.kind() == Kind.LISTEN) {
            assertTrue(
                    runs.plain.knocked.containsKey(runs.ports.listen().get(entry.listenSlot())),
                    where + "the test's knock did not reach it: " + runs.plain.knocked);
        }
    }

    private static void assertGranted(String on, Runs runs, Entry entry) {
        String where = on + "granted " + entry.name() + ": ";
        String expected = line(runs.plain, entry);
        String actual = line(runs.granted, entry);
        if (entry.status() == Status.NOT_YET_BROKERED) {
            assertNotEquals(
                    expected,
                    actual,
                    where
                            + "now works as unconfined: mark it BROKERED in NetworkCatalogue, so that its result is compared");
            assertAll(
                    () -> assertTrue(
                            entry.denied().matches(runs.ports, actual),
                            () -> where + "not brokered, so it must be refused, expected <"
                                    + entry.denied().regex(runs.ports) + "> but was <" + actual + ">"),
                    () -> assertEquals(
                            List.of(), runs.granted.seenBy(entry), where + "not brokered, yet it reached the wire"));
            return;
        }
        assertAll(
                () -> assertEquals(expected, actual, where + "result, as the unconfined run printed it"),
                () -> assertEquals(
                        runs.plain.seenBy(entry).size(),
                        runs.granted.seenBy(entry).size(),
                        where + "connections or datagrams the witness saw, as many as unconfined: plain "
                                + runs.plain.seenBy(entry) + ", granted " + runs.granted.seenBy(entry)),
                () -> {
                    if (entry.kind() == Kind.LISTEN) {
                        Integer port = runs.ports.listen().get(entry.listenSlot());
                        assertEquals(
                                runs.plain.knocked.get(port),
                                runs.granted.knocked.get(port),
                                where + "what the test's knock got back");
                    }
                });
    }

    private static void assertDenied(String on, Runs runs, Entry entry) {
        String where = on + "denied " + entry.name() + ": ";
        String actual = line(runs.denied, entry);
        assertAll(
                () -> assertTrue(
                        entry.denied().matches(runs.ports, actual),
                        () -> where + "expected <" + entry.denied().regex(runs.ports) + "> but was <" + actual + ">"),
                () -> assertEquals(List.of(), runs.denied.seenBy(entry), where + "reached the wire"),
                () -> {
                    if (entry.kind() == Kind.LISTEN) {
                        Integer port = runs.ports.listen().get(entry.listenSlot());
                        assertFalse(
                                runs.denied.knocked.containsKey(port),
                                where + "the test reached its port: " + runs.denied.knocked.get(port));
                    }
                });
    }

    private static String line(Way way, Entry entry) {
        String line = way.lines.get(entry.name());
        assertNotNull(line, () -> "no line for " + entry.name() + "; stderr: " + way.result.stderr());
        return line;
    }

    private static String nameOf(String line) {
        int space = line.indexOf(' ');
        return space < 0 ? line : line.substring(0, space);
    }

    /** One way of running the catalogue: what it printed, what reached the witness, and which listening ports the test reached. */
    private record Way(
            Sandbox.Result result,
            Map<String, String> lines,
            List<WireWitness.Arrival> wire,
            Map<Integer, String> knocked) {
        List<WireWitness.Arrival> seenBy(Entry entry) {
            return WireWitness.tagged(wire, entry.name());
        }
    }

    /** The three runs on one JDK, against one witness. */
    private record Runs(Ports ports, Way plain, Way granted, Way denied) {
        static Runs of(Jdk jdk) throws Exception {
            try (Sandbox s = new Sandbox();
                    WireWitness wire = new WireWitness()) {
                copyCatalogue(s);
                int listening = (int)
                        ENTRIES.stream().filter(e -> e.kind() == Kind.LISTEN).count();
                List<Integer> free = freePorts(listening + 2);
                Ports ports = new Ports(
                        wire.tcp4(),
                        wire.tcp6(),
                        free.get(0),
                        wire.udp4(),
                        wire.udp6(),
                        // The kernel's name, not a lookup: the test JVM resolves with an empty hosts file (pom.xml).
                        Files.readString(Path.of("/proc/sys/kernel/hostname")).strip(),
                        free.subList(2, free.size()));
                int unrelated = free.get(1);
                Way plain = run(s, jdk, wire, ports, null, null);
                Way granted = run(s, jdk, wire, ports, "granted.policy", grant(ports));
                Way denied = run(
                        s,
                        jdk,
                        wire,
                        ports,
                        NetworkCatalogue.DENIED_POLICY,
                        "grant {\n  permission java.net.SocketPermission \"127.0.0.1:" + unrelated
                                + "\", \"connect\";\n};\n");
                return new Runs(ports, plain, granted, denied);
            }
        }

        /** What the granted policy names: each witness, the closed port, each listening port, the names resolved. */
        private static String grant(Ports p) {
            List<String> lines = new ArrayList<>(List.of(
                    socket("127.0.0.1:" + p.tcp4(), "connect"),
                    socket("[::1]:" + p.tcp6(), "connect"),
                    socket("localhost:" + p.tcp4(), "connect"),
                    socket("127.0.0.1:" + p.closed(), "connect"),
                    socket("127.0.0.1:" + p.udp4(), "connect,accept"),
                    socket("[::1]:" + p.udp6(), "connect,accept"),
                    // A client socket's own bind (Socket.bind before connect) is a listen on port 0, as the JDK's
                    // default policy grants.
                    socket("localhost:0", "listen"),
                    socket("127.0.0.1:1024-", "accept"),
                    socket("[::1]:1024-", "accept"),
                    socket(p.hostName(), "resolve"),
                    socket("*.invalid", "resolve")));
            for (int port : p.listen()) {
                lines.add(socket("localhost:" + port, "listen"));
            }
            return "grant {\n" + String.join("", lines) + "};\n";
        }

        private static String socket(String target, String actions) {
            return "  permission java.net.SocketPermission \"" + target + "\", \"" + actions + "\";\n";
        }

        /** Ports nothing listens on now: bound to find them, then closed. */
        private static List<Integer> freePorts(int count) throws IOException {
            List<ServerSocket> held = new ArrayList<>();
            try {
                List<Integer> ports = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    ServerSocket s = new ServerSocket(0);
                    held.add(s);
                    ports.add(s.getLocalPort());
                }
                return ports;
            } finally {
                for (ServerSocket s : held) {
                    s.close();
                }
            }
        }

        /** Runs the catalogue unconfined (no policy) or inside Airlock under {@code policyText}, knocking on its listening ports. */
        private static Way run(Sandbox s, Jdk jdk, WireWitness wire, Ports ports, String policyName, String policyText)
                throws Exception {
            wire.clear();
            List<String> javaArgs = new ArrayList<>(List.of("-cp", s.app.toString(), NetworkCatalogue.class.getName()));
            javaArgs.addAll(ports.arguments());
            List<String> command;
            if (policyName == null) {
                command = new ArrayList<>(List.of(jdk.java().toString()));
                command.addAll(javaArgs);
            } else {
                command = Sandbox.javaCommand(jdk, s.policy(policyName, policyText), javaArgs);
            }
            Sandbox.Result result;
            try (Knocker knocker = new Knocker(ports.listen())) {
                result = Sandbox.Result.of(Sandbox.start(command), TIMEOUT_SECONDS);
                Thread.sleep(300); // let the witness record whatever is still arriving
                Map<String, String> lines = new LinkedHashMap<>();
                for (String line : result.stdout()) {
                    String name = nameOf(line);
                    lines.putIfAbsent(name, line.length() > name.length() ? line.substring(name.length() + 1) : "");
                }
                return new Way(result, lines, wire.seen(), knocker.reached());
            }
        }

        /** The catalogue and its nested classes into the application directory. */
        private static void copyCatalogue(Sandbox s) throws Exception {
            s.copyClass(dev.airlock.it.app.ExceptionChain.class);
            for (Class<?> type : NetworkCatalogue.class.getNestMembers()) {
                String resource = type.getName().replace('.', '/') + ".class";
                Path target = s.app.resolve(resource);
                Files.createDirectories(target.getParent());
                try (InputStream in = type.getClassLoader().getResourceAsStream(resource)) {
                    Files.write(target, in.readAllBytes());
                }
            }
            // Lambdas' and anonymous classes' files are not nest members the reflection lists: copy the package's
            // NetworkCatalogue$*.
            Path dir = Path.of(NetworkCatalogue.class
                            .getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .resolve("dev/airlock/it/app");
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    if (f.getFileName().toString().startsWith("NetworkCatalogue")) {
                        Files.copy(
                                f,
                                s.app.resolve("dev/airlock/it/app").resolve(f.getFileName()),
                                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            s.worldReadable(s.app);
        }
    }

    /**
     * The outside world connecting in: while a run lasts, tries each listening port on {@code
     * 127.0.0.1} and {@code ::1} in turn until one answers, sends {@code GET /knock} and records
     * the response's first line, once per port. A port that answered is what a denied run must
     * never show.
     */
    private static final class Knocker implements AutoCloseable {
        private final List<Integer> ports;
        private final Map<Integer, String> reached = new ConcurrentHashMap<>();
        private final Thread thread;
        private volatile boolean running = true;

        Knocker(List<Integer> ports) {
            this.ports = ports;
            thread = new Thread(this::knockUntilClosed, "knocker");
            thread.setDaemon(true);
            thread.start();
        }

        @SuppressWarnings("AddressSelection") // numeric loopback literals: no name is looked up
        private void knockUntilClosed() {
            while (running) {
                for (int port : ports) {
                    if (reached.containsKey(port)) {
                        continue;
                    }
                    for (String host : List.of("127.0.0.1", "::1")) {
                        String answer = knock(new InetSocketAddress(host, port));
                        if (answer != null) {
                            reached.put(port, answer);
                            break;
                        }
                    }
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        /** The first line of the answer; null when nothing listens there. */
        private static String knock(InetSocketAddress to) {
            try (Socket s = new Socket()) {
                s.connect(to, 200);
                s.setSoTimeout(5000);
                OutputStream out = s.getOutputStream();
                out.write("GET /knock HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                return answer.lines().findFirst().orElse("(connected, no answer)");
            } catch (IOException nothingThere) {
                return null;
            }
        }

        Map<Integer, String> reached() {
            return Map.copyOf(reached);
        }

        @Override
        public void close() {
            running = false;
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
