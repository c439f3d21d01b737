package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.airlock.it.app.NameProbe;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Brokered name resolution with a real broker and helper, on JDK 17 and 25 (docs/ARCHITECTURE.md,
 * "Name resolution"). Hermetic: the broker resolves only from a hosts file of the test's
 * ({@link Sandbox#hostsFile}, given to the broker's JVM by {@code AIRLOCK_JAVA_OPTIONS}).
 */
class NameResolutionIT {

    private static String grant(String target, String actions) {
        return "  permission java.net.SocketPermission \"" + target + "\", \"" + actions + "\";\n";
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void namesAreResolvedByTheBrokerAsThePolicyGrants(Jdk jdk) throws Exception {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        http.createContext("/", exchange -> {
            byte[] body = "hello".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        http.start();
        try (Sandbox s = new Sandbox();
                WireWitness elsewhere = new WireWitness("127.0.0.2", 0)) {
            s.copyClass(NameProbe.class);
            int port = http.getAddress().getPort();
            Path hosts = s.hostsFile(
                    "127.0.0.1 api.test",
                    "127.0.0.1 a.wild.test",
                    "::1 six.test",
                    "127.0.0.1 evil.test",
                    "127.0.0.5 rev.test",
                    "127.0.0.6 hidden.test");
            Path policy = s.policy(
                    "names.policy",
                    "grant {\n" + grant("api.test:" + port, "connect")
                            + grant("api.test:" + elsewhere.tcp4(), "connect")
                            + grant("*.wild.test", "connect") + grant("six.test", "resolve")
                            + grant("rev.test", "resolve") + "};\n");
            List<String> ops = List.of(
                    "resolve:api.test",
                    "resolve:evil.test",
                    "resolve:nosuch.wild.test",
                    "resolve:a.wild.test",
                    "resolve:six.test",
                    "http:api.test:" + port,
                    "forged:api.test:127.0.0.2:" + elsewhere.tcp4(),
                    "reverse:127.0.0.5",
                    "reverse:127.0.0.6",
                    "localhost");
            List<String> command = new ArrayList<>(
                    Sandbox.javaCommand(jdk, policy, List.of("-cp", s.app.toString(), NameProbe.class.getName())));
            command.addAll(ops);
            Sandbox.Result r = Sandbox.Result.of(Sandbox.start(command, null, hosts), 180);
            assertEquals(0, r.exitCode(), r.stderr());

            assertEquals("OK 127.0.0.1", r.answer("resolve:api.test"), "what the broker resolved");
            assertEquals(
                    "EX java.net.UnknownHostException: evil.test (denied by airlock policy " + policy
                            + ": resolve evil.test)",
                    r.answer("resolve:evil.test"));
            assertTrue(
                    r.answer("resolve:nosuch.wild.test")
                            .startsWith("EX java.net.UnknownHostException: nosuch.wild.test"),
                    "granted but unknown: the JDK's plain unknown host: " + r.answer("resolve:nosuch.wild.test"));
            assertTrue(!r.answer("resolve:nosuch.wild.test").contains("denied"), r.answer("resolve:nosuch.wild.test"));
            assertEquals("OK 127.0.0.1", r.answer("resolve:a.wild.test"), "a wildcard grant");
            // JDK 25 asks its resolver only for the address families the machine can use; the
            // helper's own network namespace has its loopback up, IPv6 included, so it asks for both.
            assertEquals("OK 0:0:0:0:0:0:0:1", r.answer("resolve:six.test"), "IPv6");
            assertEquals("OK HTTP/1.1 200 OK", r.answer("http:api.test:" + port), "a connect by a granted name");
            assertTrue(
                    r.answer("forged:api.test:127.0.0.2:" + elsewhere.tcp4()).startsWith("EX java.net.SocketException")
                            && r.answer("forged:api.test:127.0.0.2:" + elsewhere.tcp4())
                                    .contains("connect 127.0.0.2:" + elsewhere.tcp4()),
                    "a granted name on an address the broker did not resolve: "
                            + r.answer("forged:api.test:127.0.0.2:" + elsewhere.tcp4()));
            assertEquals(
                    List.of(), elsewhere.seen().stream().map(Object::toString).toList());
            assertEquals("OK rev.test", r.answer("reverse:127.0.0.5"), "a granted name, forward-confirmed");
            assertEquals("OK 127.0.0.6", r.answer("reverse:127.0.0.6"), "an ungranted name: the address's text");
            assertEquals("OK 127.0.0.1", r.answer("localhost"), "the local host name is not granted: loopback");

        } finally {
            http.stop(0);
        }
    }

    /**
     * An ungranted name costs the broker no lookup: under {@code strace -P HOSTS} the broker's
     * JDK opens the hosts file for every lookup it makes (its hosts file resolver reads the file
     * each time), and a run that only asks for an ungranted name opens it never, while the control,
     * a granted name, opens it.
     */
    @ParameterizedTest
    @EnumSource(Jdk.class)
    void anUngrantedNameIsNeverLookedUp(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            s.copyClass(NameProbe.class);
            Path hosts = s.hostsFile("127.0.0.1 api.test", "127.0.0.1 evil.test");
            Path policy = s.policy("names.policy", "grant {\n" + grant("api.test:80", "connect") + "};\n");
            assertEquals(0, hostsFileOpens(s, jdk, policy, hosts, "resolve:evil.test"), "no lookup when denied");
            assertTrue(hostsFileOpens(s, jdk, policy, hosts, "resolve:api.test") >= 1, "the control looks up");
        }
    }

    /** How often the broker (and anything it starts) opened {@code hosts} in a run of {@code op}. */
    private static long hostsFileOpens(Sandbox s, Jdk jdk, Path policy, Path hosts, String op) throws Exception {
        Path trace = s.root.resolve("broker.strace");
        Files.deleteIfExists(trace);
        List<String> command = new ArrayList<>(List.of(
                "strace", "-f", "-qq", "-e", "trace=open,openat", "-P", hosts.toString(), "-o", trace.toString()));
        command.addAll(
                Sandbox.javaCommand(jdk, policy, List.of("-cp", s.app.toString(), NameProbe.class.getName(), op)));
        Sandbox.Result r = Sandbox.Result.of(Sandbox.start(command, null, hosts), 180);
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(
                r.answer(op).startsWith(op.contains("evil") ? "EX java.net.UnknownHostException" : "OK "),
                r.answer(op));
        return Files.readString(trace)
                .lines()
                .filter(l -> l.contains(hosts.toString()))
                .count();
    }
}
