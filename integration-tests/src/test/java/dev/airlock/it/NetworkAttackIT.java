package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Network attacks from inside a helper whose policy grants something real: {@code connect} to one
 * loopback port. The grant must open exactly that and nothing else, for Java and for native code
 * (JNI, and FFM on JDK 25): a native connect to another port, a datagram (sendto), raw, ping and
 * packet sockets, a Unix socket of the machine, DNS queries of an ungranted name sent by hand, the
 * JDK's own resolution of an ungranted name, and an address forged for a granted name ({@code
 * InetAddress.getByAddress}). The witnesses are the test's own ({@link WireWitness}): nothing may
 * arrive there, while the granted port, the control, does see the program's connection.
 * {@link SocketAttackIT} has the same attacks' kin without any grant.
 */
class NetworkAttackIT {
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final String UNGRANTED_NAME = "exfiltrate.airlock-attack.invalid";

    private static String connectGrant(String hostPort) {
        return "  permission java.net.SocketPermission \"" + hostPort + "\", \"connect\";\n";
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void aGrantForOnePortOpensNothingElse(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox();
                WireWitness granted = new WireWitness();
                WireWitness wire = new WireWitness()) {
            AttackKit.install(s);
            Path policy = s.policy("net.policy", "grant {\n" + connectGrant("127.0.0.1:" + granted.tcp4()) + "};\n");
            Path unixPath = s.root.resolve("service.stream");
            int unixSocket = NativeWitness.unixSocket(1, unixPath.toString());
            try {
                Files.setPosixFilePermissions(unixPath, PosixFilePermissions.fromString("rwxrwxrwx"));
                List<String> attacks = new ArrayList<>(AttackKit.raw(
                        jdk,
                        "ipconnect:" + AF_INET + ":0:" + wire.tcp4(),
                        "ipconnect:" + AF_INET6 + ":0:" + wire.tcp6(),
                        "udp:" + AF_INET + ":" + wire.udp4(),
                        "udp:" + AF_INET6 + ":" + wire.udp6(),
                        "dns:" + AF_INET + ":udp:" + wire.udp4() + ":" + UNGRANTED_NAME,
                        "dns:" + AF_INET6 + ":udp:" + wire.udp6() + ":" + UNGRANTED_NAME,
                        "dns:" + AF_INET + ":tcp:" + wire.tcp4() + ":" + UNGRANTED_NAME,
                        "unix-connect:1:" + unixPath));
                attacks.addAll(List.of(
                        "java.jconnect:127.0.0.1:" + wire.tcp4(),
                        "java.jconnect:::1:" + wire.tcp6(),
                        "java.resolve:" + UNGRANTED_NAME));
                List<String> raw = AttackKit.raw(jdk, "rawsockets");
                String control = "java.jconnect:127.0.0.1:" + granted.tcp4();
                List<String> ops = new ArrayList<>(attacks);
                ops.addAll(raw);
                ops.add(control);

                AttackKit.Session run = AttackKit.runToEnd(s, jdk, policy, ops);
                Thread.sleep(500); // let the witnesses record whatever arrived
                List<String> answers =
                        ops.stream().map(op -> op + " -> " + run.answer(op)).toList();

                assertEquals(
                        List.of(),
                        wire.seen().stream().map(Object::toString).toList(),
                        "what reached the ungranted witnesses; attacks: " + answers);
                assertFalse(
                        NativeWitness.acceptedSomething(unixSocket),
                        "the helper connected to the test's Unix socket; attacks: " + answers);
                for (String op : attacks) {
                    assertFalse(run.answer(op).startsWith("OK"), op + " got through: " + run.answer(op));
                }
                for (String op : raw) {
                    String report = run.answer(op);
                    assertTrue(report.startsWith("OK "), report);
                    for (String result : report.substring(3).split(" ", -1)) {
                        assertTrue(
                                result.matches(".*=E[A-Z]+"),
                                op + ": a raw, ping or packet socket was made or sent from: " + result + " in "
                                        + report);
                    }
                }
                // The control: the grant itself works, so the refusals above are the policy's, not a network that is
                // off.
                assertEquals("OK connected", run.answer(control), "the granted connect; stderr: " + run.stderr());
                assertEquals(
                        1,
                        WireWitness.tagged(granted.seen(), "jconnect").size(),
                        "the granted port saw the program's connection: " + granted.seen());
            } finally {
                NativeWitness.close(unixSocket);
            }
        }
    }

    /**
     * A policy granting {@code connect} to {@code localhost:P}: the program forges an InetAddress
     * that claims to be {@code localhost} at {@code 127.0.0.2} (also a loopback address, where the
     * test listens on the same port). Only what the broker itself resolved {@code localhost} to is
     * granted; the control, the JDK's own {@code localhost}, reaches {@code 127.0.0.1:P}.
     */
    @ParameterizedTest
    @EnumSource(Jdk.class)
    void anAddressForgedForAGrantedNameReachesNothing(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox();
                WireWitness elsewhere = new WireWitness("127.0.0.2", 0);
                WireWitness resolved = new WireWitness("127.0.0.1", elsewhere.tcp4())) {
            AttackKit.install(s);
            int port = elsewhere.tcp4();
            Path policy = s.policy("net.policy", "grant {\n" + connectGrant("localhost:" + port) + "};\n");
            String forged = "java.forged:localhost:127.0.0.2:" + port;
            String forged6 = "java.forged:localhost:::1:" + elsewhere.tcp6();
            String control = "java.jconnect:localhost:" + port;
            AttackKit.Session run = AttackKit.runToEnd(s, jdk, policy, List.of(forged, forged6, control));
            Thread.sleep(500);
            assertEquals(
                    List.of(),
                    elsewhere.seen().stream().map(Object::toString).toList(),
                    "the forged address reached the test's listener: " + run.lines() + " " + run.stderr());
            assertFalse(run.answer(forged).startsWith("OK"), forged + " got through: " + run.answer(forged));
            assertFalse(run.answer(forged6).startsWith("OK"), forged6 + " got through: " + run.answer(forged6));
            assertEquals(
                    "OK connected", run.answer(control), "the granted name's own address; stderr: " + run.stderr());
            assertEquals(
                    1,
                    WireWitness.tagged(resolved.seen(), "jconnect").size(),
                    "127.0.0.1 saw the control's connection: " + resolved.seen());
        }
    }

    /**
     * CONNECT requests written by hand on the broker channel (descriptor 3), each with a TCP
     * socket of the helper's own, as code that bypasses the agent could send them: the broker
     * decides them as it decides the agent's, so an ungranted endpoint is denied with the policy's
     * reason and nothing reaches it, while the granted one (the control) is connected.
     */
    @ParameterizedTest
    @EnumSource(Jdk.class)
    void aConnectRequestForgedOnTheBrokerChannelIsDecidedByThePolicy(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox();
                WireWitness granted = new WireWitness();
                WireWitness wire = new WireWitness()) {
            AttackKit.install(s);
            Path policy = s.policy("net.policy", "grant {\n" + connectGrant("127.0.0.1:" + granted.tcp4()) + "};\n");
            String v4 = "java.brokerconnect:127.0.0.1:" + wire.tcp4();
            String v6 = "java.brokerconnect:::1:" + wire.tcp6();
            String control = "java.brokerconnect:127.0.0.1:" + granted.tcp4();
            AttackKit.Session run = AttackKit.runToEnd(s, jdk, policy, List.of(v4, v6, control));
            Thread.sleep(500);
            List<String> answers = run.lines();
            assertEquals(
                    List.of(),
                    wire.seen().stream().map(Object::toString).toList(),
                    "what the forged requests reached: " + answers + " " + run.stderr());
            assertTrue(
                    run.answer(v4).startsWith("REFUSED denied errno=")
                            && run.answer(v4)
                                    .replaceFirst(" \\(closest grant: .*\\)$", "")
                                    .endsWith(": denied by airlock policy " + policy + ": connect 127.0.0.1:"
                                            + wire.tcp4()),
                    v4 + ": " + run.answer(v4));
            assertTrue(
                    run.answer(v6).startsWith("REFUSED denied errno=")
                            && run.answer(v6).contains("denied by airlock policy " + policy + ": connect "),
                    v6 + ": " + run.answer(v6));
            assertTrue(
                    run.answer(control).startsWith("OK "), control + ": " + run.answer(control) + " " + run.stderr());
            assertEquals(1, granted.seen().size(), "the granted port saw the control's connection: " + granted.seen());
        }
    }
}
