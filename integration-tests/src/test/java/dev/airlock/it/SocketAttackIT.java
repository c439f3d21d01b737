package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Network attacks from native code in the helper (docs/ARCHITECTURE.md, "Threat model": the network
 * and Unix socket rows, and the socket classes of the allow-list): TCP past Landlock's connect/bind
 * rules (MPTCP, SCTP, MSG_FASTOPEN, listen without bind), UDP, every address family, netlink
 * SOCK_DIAG, vsock, and Unix sockets of the machine reached by path or abstract name, with
 * descriptors passed out by SCM_RIGHTS. The witnesses are the test's own loopback listeners and
 * sockets: nothing may arrive there.
 */
class SocketAttackIT {
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void tcpPastLandlockReachesNoListener(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox();
                WireWitness wire = new WireWitness()) {
            AttackKit.install(s);
            List<String> ops = AttackKit.raw(
                    jdk,
                    "ipconnect:" + AF_INET + ":262:" + wire.tcp4(), // MPTCP
                    "ipconnect:" + AF_INET6 + ":262:" + wire.tcp6(),
                    "ipconnect:" + AF_INET + ":132:" + wire.tcp4(), // SCTP one-to-one
                    "ipconnect:" + AF_INET + ":0:" + wire.tcp4(), // plain TCP: Landlock's own case
                    "fastopen:" + AF_INET + ":" + wire.tcp4(),
                    "fastopen:" + AF_INET + ":" + wire.tcp4() + ":msg",
                    "fastopen:" + AF_INET6 + ":" + wire.tcp6());
            AttackKit.Session run = AttackKit.runToEnd(s, jdk, null, ops);
            Thread.sleep(700); // let the listeners record whatever arrived
            List<String> answers =
                    ops.stream().map(op -> op + " -> " + run.answer(op)).toList();
            assertEquals(
                    List.of(),
                    wire.seen().stream().map(Object::toString).toList(),
                    "connections that reached the loopback listeners (hole 3); attacks: " + answers);
            for (String op : ops) {
                assertFalse(run.answer(op).startsWith("OK"), op + " got through: " + run.answer(op));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void listenWithoutBindIsNotReachable(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            AttackKit.install(s);
            List<String> ops = AttackKit.raw(jdk, "listen:" + AF_INET, "listen:" + AF_INET6);
            List<String> reached = new ArrayList<>();
            try (AttackKit.Session run = AttackKit.start(AttackKit.command(s, jdk, null, List.of(), ops))) {
                for (String op : ops) {
                    String line = run.await(l -> l.startsWith("listening "), "listening line for " + op);
                    String port = line.substring("listening ".length());
                    if (!port.equals("none")) {
                        String host = op.endsWith(":" + AF_INET6) ? "::1" : "127.0.0.1";
                        try (Socket c = new Socket()) {
                            c.connect(new InetSocketAddress(host, Integer.parseInt(port)), 2000);
                            reached.add(op + ": the test connected to " + host + ":" + port);
                        } catch (IOException refused) {
                            // what must happen: nothing listens there for the test
                        }
                    }
                    run.send("next");
                }
                run.finish();
                assertEquals(
                        List.of(),
                        reached,
                        "listen() on an unbound socket opened a port reachable from outside (hole 3); attacks: "
                                + ops.stream()
                                        .map(op -> op + " -> " + run.answer(op))
                                        .toList());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void udpReachesNoListener(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox();
                WireWitness wire = new WireWitness()) {
            AttackKit.install(s);
            List<String> ops =
                    AttackKit.raw(jdk, "udp:" + AF_INET + ":" + wire.udp4(), "udp:" + AF_INET6 + ":" + wire.udp6());
            AttackKit.Session run = AttackKit.runToEnd(s, jdk, null, ops);
            Thread.sleep(300); // let the witness record whatever arrived
            assertEquals(
                    List.of(),
                    wire.seen().stream().map(Object::toString).toList(),
                    "datagrams that reached the loopback listeners; attacks: "
                            + ops.stream()
                                    .map(op -> op + " -> " + run.answer(op))
                                    .toList());
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void noAddressFamilyBeyondUnixIpAndNetlinkCanBeCreated(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            AttackKit.install(s);
            List<String> ops = AttackKit.raw(jdk, "families", "vsock");
            AttackKit.Session run = AttackKit.runToEnd(s, jdk, null, ops);
            for (String backend : AttackKit.backends(jdk)) {
                String families = run.answer(backend + ".families");
                assertTrue(families.startsWith("OK created"), families);
                List<String> beyond = new ArrayList<>();
                for (String created :
                        families.substring("OK created".length()).strip().split(" ", -1)) {
                    if (created.isEmpty()) {
                        continue;
                    }
                    int family = Integer.parseInt(created.split("/", -1)[0]);
                    // AF_UNIX, AF_INET, AF_INET6 have witnesses of their own; AF_NETLINK is witnessed
                    // by SOCK_DIAG below; AF_PACKET needs CAP_NET_RAW, which only a namespace gives.
                    if (family != 1 && family != AF_INET && family != AF_INET6 && family != 16 && family != 17) {
                        beyond.add(created);
                    }
                }
                assertEquals(
                        List.of(),
                        beyond,
                        backend + ": sockets (family/type) the helper created, which no Java program needs: "
                                + families);
                assertTrue(
                        run.answer(backend + ".vsock").startsWith("REFUSED"),
                        backend + ": an AF_VSOCK socket reaches the VM host past every namespace: "
                                + run.answer(backend + ".vsock"));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void sockDiagRevealsNoUnixSocketOfTheMachine(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            AttackKit.install(s);
            String marker = "diag" + UUID.randomUUID().toString().substring(0, 8);
            Path path = s.root.resolve(marker + ".sock");
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.bind(UnixDomainSocketAddress.of(path));
                int dgram = NativeWitness.unixSocket(2, "@" + marker + "-abstract");
                try {
                    List<String> ops = AttackKit.raw(jdk, "sockdiag:" + marker);
                    AttackKit.Session run = AttackKit.runToEnd(s, jdk, null, ops);
                    for (String op : ops) {
                        assertFalse(
                                run.answer(op).replace(op, "").contains(marker),
                                "NETLINK_SOCK_DIAG listed the test's Unix sockets to the helper: " + run.answer(op));
                    }
                } finally {
                    NativeWitness.close(dgram);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void datagramsWithDescriptorsReachNoUnixSocketOfTheMachine(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            AttackKit.install(s);
            Path secret = s.file("granted/key", "root-only granted key");
            Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
            Path policy = s.policy("app.policy", FileAccessIT.grant(secret, "read"));
            Path socketPath = s.root.resolve("service.dgram");
            String abstractName = "airlock-it-" + UUID.randomUUID();
            int pathSocket = NativeWitness.unixSocket(2, socketPath.toString());
            int abstractSocket = NativeWitness.unixSocket(2, "@" + abstractName);
            try {
                // Any user of the machine may send to a system service's socket: so may the helper's.
                Files.setPosixFilePermissions(socketPath, PosixFilePermissions.fromString("rwxrwxrwx"));
                List<String> ops = AttackKit.raw(
                        jdk,
                        "unix-dgram:path:" + socketPath + ":" + secret,
                        "unix-dgram:path:" + socketPath,
                        "unix-dgram:abstract:" + abstractName);
                AttackKit.Session run = AttackKit.runToEnd(s, jdk, policy, ops);
                List<String> attacks =
                        ops.stream().map(op -> op + " -> " + run.answer(op)).toList();
                assertEquals(
                        List.of(),
                        NativeWitness.drain(pathSocket),
                        "datagrams (and descriptors: fd 3 is the broker channel) the helper sent to the test's pathname socket (hole 4); attacks: "
                                + attacks);
                assertEquals(
                        List.of(),
                        NativeWitness.drain(abstractSocket),
                        "datagrams the helper sent to the test's abstract socket; attacks: " + attacks);
            } finally {
                NativeWitness.close(pathSocket);
                NativeWitness.close(abstractSocket);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void streamAndSeqpacketConnectionsReachNoUnixSocketOfTheMachine(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            AttackKit.install(s);
            Path stream = s.root.resolve("service.stream");
            Path seqpacket = s.root.resolve("service.seqpacket");
            int streamSocket = NativeWitness.unixSocket(1, stream.toString());
            int seqpacketSocket = NativeWitness.unixSocket(5, seqpacket.toString());
            try {
                Files.setPosixFilePermissions(stream, PosixFilePermissions.fromString("rwxrwxrwx"));
                Files.setPosixFilePermissions(seqpacket, PosixFilePermissions.fromString("rwxrwxrwx"));
                List<String> ops = AttackKit.raw(jdk, "unix-connect:1:" + stream, "unix-connect:5:" + seqpacket);
                AttackKit.Session run = AttackKit.runToEnd(s, jdk, null, ops);
                List<String> attacks =
                        ops.stream().map(op -> op + " -> " + run.answer(op)).toList();
                assertFalse(
                        NativeWitness.acceptedSomething(streamSocket),
                        "the helper connected to the test's stream socket; attacks: " + attacks);
                assertFalse(
                        NativeWitness.acceptedSomething(seqpacketSocket),
                        "the helper connected to the test's seqpacket socket; attacks: " + attacks);
            } finally {
                NativeWitness.close(streamSocket);
                NativeWitness.close(seqpacketSocket);
            }
        }
    }
}
