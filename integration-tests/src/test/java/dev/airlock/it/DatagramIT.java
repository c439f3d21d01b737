package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.it.app.DatagramProbe;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The program's UDP sockets, the broker's (docs/ARCHITECTURE.md, "The network"), on JDK 17 and
 * 25: connected DatagramSocket and DatagramChannel exchange datagrams with the test's recorder
 * where the policy grants connect and accept, unconnected sends (brokered one by one) where it
 * grants connect, a non-blocking channel with a selector, a bind where it grants listen; a
 * denial is the JDK's SocketException (a bind's BindException) with the policy's reason, and
 * nothing arrives at the recorder.
 */
class DatagramIT {

    private static Path policy(Sandbox s, String... permissions) throws IOException {
        StringBuilder text = new StringBuilder("grant {\n");
        // What the JDK's default policy grants everyone: an ephemeral local port.
        text.append("  permission java.net.SocketPermission \"localhost:0\", \"listen\";\n");
        for (String p : permissions) {
            text.append("  permission java.net.SocketPermission ").append(p).append(";\n");
        }
        return s.policy("udp.policy", text.append("};\n").toString());
    }

    private static AttackKit.Session run(Sandbox s, Jdk jdk, Path policy, String... ops) throws Exception {
        s.copyClass(DatagramProbe.class);
        List<String> args = new ArrayList<>(List.of("-cp", s.app.toString(), DatagramProbe.class.getName()));
        args.addAll(List.of(ops));
        AttackKit.Session run = AttackKit.start(Sandbox.javaCommand(jdk, policy, args));
        run.finish();
        return run;
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void grantedDatagramsGoAndComeBack(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox();
                WireWitness wire = new WireWitness()) {
            int port = wire.udp4();
            Path policy = policy(s, "\"127.0.0.1:" + port + "\", \"connect,accept\"");
            String[] ops = {
                "socket-connected,127.0.0.1," + port + ",one",
                "socket-send,127.0.0.1," + port + ",two",
                "channel-connected,127.0.0.1," + port + ",three",
                "channel-send,127.0.0.1," + port + ",four",
                "channel-selector,127.0.0.1," + port + ",five",
            };
            AttackKit.Session r = run(s, jdk, policy, ops);
            assertEquals("OK echo one", r.answer(ops[0]), r.stderr());
            assertEquals("OK echo two", r.answer(ops[1]));
            assertEquals("OK echo three", r.answer(ops[2]));
            assertEquals("OK sent=4 echo four from=/127.0.0.1:" + port, r.answer(ops[3]));
            assertEquals("OK sent=4 blocking=false echo five", r.answer(ops[4]));
            assertEquals(5, wire.seen().size(), wire.seen().toString());
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void ungrantedDestinationsAreRefusedAndNothingArrives(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox();
                WireWitness wire = new WireWitness()) {
            int port = wire.udp4();
            // connect without accept: enough for an unconnected send elsewhere, not for a connect
            Path policy = policy(
                    s,
                    "\"127.0.0.1:" + (port == 65535 ? 1 : port + 1) + "\", \"connect\"",
                    "\"127.0.0.1:" + port + "\", \"accept\"");
            int next = port == 65535 ? 1 : port + 1;
            String denied = "denied by airlock policy " + policy + ": connect 127.0.0.1:" + port + " (closest grant: "
                    + policy + ":3 \"127.0.0.1:" + next + "\" grants connect, not on port " + port + ")";
            String[] ops = {
                "socket-send,127.0.0.1," + port + ",x",
                "channel-send,127.0.0.1," + port + ",x",
                "socket-connected,127.0.0.1," + port + ",x",
                "channel-connected,127.0.0.1," + port + ",x",
                "multicast-send,239.1.2.3," + port + ",x",
            };
            AttackKit.Session r = run(s, jdk, policy, ops);
            assertEquals("EX java.net.SocketException: " + denied, r.answer(ops[0]), r.stderr());
            assertEquals("EX java.net.SocketException: " + denied, r.answer(ops[1]));
            assertEquals("EX java.io.UncheckedIOException: java.net.SocketException: " + denied, r.answer(ops[2]));
            assertEquals("EX java.net.SocketException: " + denied, r.answer(ops[3]));
            assertEquals(
                    "EX java.net.SocketException: denied by airlock policy " + policy + ": connect,accept 239.1.2.3",
                    r.answer(ops[4]));
            assertEquals(List.of(), wire.seen());
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void bindsWhereListenIsGrantedTimeoutsAndDisconnect(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox();
                WireWitness wire = new WireWitness()) {
            // Below Linux's ephemeral range (32768-60999), which the JDK's "localhost:0" grant covers.
            int granted = 21_413;
            int other = 21_414;
            Path policy = policy(
                    s,
                    "\"localhost:" + granted + "\", \"listen\"",
                    "\"127.0.0.1:" + wire.udp4() + "\", \"connect,accept\"");
            String[] ops = {
                "socket-bind,0.0.0.0," + granted,
                "channel-bind,127.0.0.1," + granted,
                "socket-bind,0.0.0.0," + other,
                "socket-timeout,300",
                "socket-disconnect,127.0.0.1," + wire.udp4(),
            };
            AttackKit.Session r = run(s, jdk, policy, ops);
            assertEquals("OK bound " + granted, r.answer(ops[0]), r.stderr());
            assertEquals("OK bound " + granted, r.answer(ops[1]));
            assertEquals(
                    "EX java.net.BindException: denied by airlock policy " + policy + ": listen 0.0.0.0:" + other
                            + " (closest grant: " + policy + ":2 \"localhost:0\" grants listen, not on port " + other
                            + ")",
                    r.answer(ops[2]));
            assertEquals("OK timeout Receive timed out waited=true", r.answer(ops[3]));
            assertTrue(
                    r.answer(ops[4])
                            .startsWith("EX java.io.UncheckedIOException: java.net.SocketException: airlock:"
                                    + " a connected datagram socket cannot be disconnected"),
                    r.answer(ops[4]));
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    @SuppressWarnings("AddressSelection") // numeric loopback literals
    void ipv6DatagramsGoAndComeBack(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox();
                WireWitness wire = new WireWitness()) {
            Path policy = policy(s, "\"[::1]:" + wire.udp6() + "\", \"connect,accept\"");
            String op = "socket-send,::1," + wire.udp6() + ",six";
            String answer = run(s, jdk, policy, op).answer(op);
            // As root the helper's own namespace has its loopback up (ARCHITECTURE, "IPv6 in the
            // helper's namespace"), so the JDK makes IPv6 datagram sockets there as outside.
            assertEquals("OK echo six", answer);
            assertEquals(1, wire.seen().size(), wire.seen().toString());
        }
    }
}
