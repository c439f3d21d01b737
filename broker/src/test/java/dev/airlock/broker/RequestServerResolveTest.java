package dev.airlock.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.ipc.Envelope;
import dev.airlock.ipc.HostAddress;
import dev.airlock.ipc.InetEndpoint;
import dev.airlock.ipc.Message;
import dev.airlock.ipc.MessageCodec;
import dev.airlock.ipc.Reply;
import dev.airlock.ipc.Request;
import dev.airlock.policy.Policy;
import dev.airlock.unix.Credentials;
import dev.airlock.unix.Errno;
import dev.airlock.unix.Fd;
import dev.airlock.unix.InetSocket;
import dev.airlock.unix.Linux;
import dev.airlock.unix.SeqPacketSocket;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The broker's name resolution on real sockets and a counting name service: a name is decided
 * before anything is looked up, what the broker resolved is what a grant by that name covers, a
 * reverse lookup answers only granted names, and a slow lookup does not stall the request loop.
 */
class RequestServerResolveTest {
    private static final byte[] LOOPBACK = {127, 0, 0, 1};

    /** A name service of fixed answers that counts its lookups. */
    static final class Counting implements NameLookups.NameService {
        final AtomicInteger lookups = new AtomicInteger();
        final java.util.Map<String, InetAddress[]> names = new java.util.concurrent.ConcurrentHashMap<>();
        volatile CountDownLatch gate;

        @Override
        public InetAddress[] lookup(String host) throws java.net.UnknownHostException {
            lookups.incrementAndGet();
            CountDownLatch g = gate;
            if (g != null && host.startsWith("slow.")) {
                try {
                    g.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            InetAddress[] a = names.get(host);
            if (a == null) {
                throw new java.net.UnknownHostException(host);
            }
            return a.clone();
        }

        @Override
        public String reverse(InetAddress address) {
            for (java.util.Map.Entry<String, InetAddress[]> e : names.entrySet()) {
                if (java.util.Arrays.asList(e.getValue()).contains(address)) {
                    return e.getKey();
                }
            }
            return address.getHostAddress();
        }
    }

    private static RequestServer server(String policyText, Counting names) throws Exception {
        Policy policy = Policy.parse("net.policy", policyText);
        return new RequestServer(policy, GrantRoots.open(policy.fileGrantRoots()), names);
    }

    private static String grant(String target, String actions) {
        return "  permission java.net.SocketPermission \"" + target + "\", \"" + actions + "\";\n";
    }

    @Test
    void anUngrantedNameIsDeniedWithoutALookup() throws Exception {
        Counting names = new Counting();
        names.names.put("evil.example.com", new InetAddress[] {InetAddress.getLoopbackAddress()});
        RequestServer server = server("grant {\n" + grant("db.example.com:5432", "connect") + "};\n", names);
        RequestServer.Outcome o = server.serve(new Request.Resolve("evil.example.com"));
        assertEquals(Errno.EACCES, o.errno());
        assertEquals("denied by airlock policy net.policy: resolve evil.example.com", o.reason());
        assertEquals(0, names.lookups.get(), "no lookup for an ungranted name");
    }

    @Test
    void aGrantedNameResolvesToWhatTheBrokerResolvedAndCoversOnlyThat() throws Exception {
        Counting names = new Counting();
        InetAddress v6 = InetAddress.getByAddress(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
        names.names.put("db.example.com", new InetAddress[] {InetAddress.getLoopbackAddress(), v6});
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = listener.getLocalPort();
            RequestServer server = server(
                    "grant {\n" + grant("db.example.com:" + port, "connect") + grant("*.wild.example", "connect")
                            + "};\n",
                    names);
            RequestServer.Outcome o = server.serve(new Request.Resolve("db.example.com"));
            assertEquals(new Reply.Addresses(List.of(HostAddress.of(LOOPBACK, 0), HostAddress.of(v6))), o.reply());
            try (Fd helper = InetSocket.open(InetSocket.AF_INET)) {
                RequestServer.Outcome c = server.serve(
                        new Request.Connect(InetEndpoint.of(LOOPBACK, port, 0), Requests.named(helper)), helper);
                assertTrue(c.reply() instanceof Reply.Socket, c.reply().toString());
                c.fd().close();
            }
            try (Fd helper = InetSocket.open(InetSocket.AF_INET)) {
                RequestServer.Outcome c = server.serve(
                        new Request.Connect(
                                InetEndpoint.of(new byte[] {127, 0, 0, 2}, port, 0), Requests.named(helper)),
                        helper);
                assertEquals(Errno.EACCES, c.errno(), "an address the broker did not resolve for the name");
                assertEquals(
                        "denied by airlock policy net.policy: connect 127.0.0.2:" + port
                                + " (closest grant: net.policy:2" + " \"db.example.com:" + port
                                + "\" grants connect on port " + port + ", for another host)",
                        c.reason());
            }
            assertEquals(
                    new Reply.Unresolved(),
                    server.serve(new Request.Resolve("nothing.wild.example")).reply(),
                    "granted by the wildcard, resolved, and not found");
            assertEquals(2, names.lookups.get());
        }
    }

    @Test
    void aLiteralAndLocalhostNeedNoGrant() throws Exception {
        Counting names = new Counting();
        names.names.put("localhost", new InetAddress[] {InetAddress.getLoopbackAddress()});
        names.names.put("10.1.2.3", new InetAddress[] {InetAddress.getByAddress(new byte[] {10, 1, 2, 3})});
        RequestServer server = server("grant {\n};\n", names);
        assertTrue(server.serve(new Request.Resolve("localhost")).reply() instanceof Reply.Addresses);
        assertTrue(server.serve(new Request.Resolve("10.1.2.3")).reply() instanceof Reply.Addresses);
    }

    @Test
    void aReverseLookupAnswersOnlyAGrantedName() throws Exception {
        Counting names = new Counting();
        names.names.put("db.example.com", new InetAddress[] {InetAddress.getByAddress(new byte[] {10, 0, 0, 5})});
        names.names.put("hidden.example.com", new InetAddress[] {InetAddress.getByAddress(new byte[] {10, 0, 0, 6})});
        RequestServer server = server("grant {\n" + grant("db.example.com", "resolve") + "};\n", names);
        assertEquals(
                new Reply.HostName("db.example.com"),
                server.serve(new Request.ReverseResolve(HostAddress.of(new byte[] {10, 0, 0, 5}, 0)))
                        .reply());
        assertEquals(
                new Reply.HostName("10.0.0.6"),
                server.serve(new Request.ReverseResolve(HostAddress.of(new byte[] {10, 0, 0, 6}, 0)))
                        .reply(),
                "a name the program may not resolve: the address's text");
        assertEquals(
                new Reply.HostName("10.0.0.7"),
                server.serve(new Request.ReverseResolve(HostAddress.of(new byte[] {10, 0, 0, 7}, 0)))
                        .reply());
    }

    @Test
    void aSlowLookupDoesNotStallTheLoop() throws Exception {
        Counting names = new Counting();
        names.gate = new CountDownLatch(1);
        names.names.put("slow.example.com", new InetAddress[] {InetAddress.getByAddress(new byte[] {10, 0, 0, 9})});
        names.names.put("fast.example.com", new InetAddress[] {InetAddress.getByAddress(new byte[] {10, 0, 0, 8})});
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        Fd[] pair = Linux.seqpacketPair();
        try (SeqPacketSocket client = new SeqPacketSocket(pair[1], Message.MAX_SIZE);
                SeqPacketSocket broker = new SeqPacketSocket(pair[0], Message.MAX_SIZE);
                PrintStream log = new PrintStream(logged, true, StandardCharsets.UTF_8)) {
            Linux.enablePassCred(broker.fd().get());
            Credentials self = new Credentials(Linux.getpid(), Linux.getuid(), Linux.getgid());
            RequestServer server = server("grant {\n" + grant("*.example.com", "connect") + "};\n", names);
            RequestLoop loop = new RequestLoop(broker, server, self, Requests.ownDescriptors(), log);
            Thread serving = new Thread(
                    () -> {
                        try {
                            loop.run();
                        } catch (Exception e) {
                            log.println("loop failed: " + e);
                        }
                    },
                    "request-loop");
            serving.setDaemon(true);
            serving.start();

            ByteBuffer out = ByteBuffer.allocate(Message.MAX_SIZE);
            int length = MessageCodec.encode(1, new Request.Resolve("slow.example.com"), out);
            client.send(out, length, null);
            out.clear();
            length = MessageCodec.encode(2, new Request.Resolve("fast.example.com"), out);
            client.send(out, length, null);
            out.clear();
            length = MessageCodec.encode(3, new Request.Resolve("evil.example.org"), out);
            client.send(out, length, null);

            ByteBuffer in = ByteBuffer.allocate(Message.MAX_SIZE + 1);
            List<Integer> order = new java.util.ArrayList<>();
            for (int i = 0; i < 2; i++) {
                in.clear();
                SeqPacketSocket.Received received = client.receive(in);
                Envelope<Reply> reply = MessageCodec.decodeReply(in, received.length(), false);
                order.add(reply.id());
                if (reply.id() == 3) {
                    assertTrue(reply.message() instanceof Reply.Denied, reply.toString());
                } else {
                    assertTrue(reply.message() instanceof Reply.Addresses, reply.toString());
                }
            }
            assertEquals(List.of(2, 3), order.stream().sorted().toList(), "answered while the slow lookup waits");
            names.gate.countDown();
            in.clear();
            SeqPacketSocket.Received received = client.receive(in);
            Envelope<Reply> slow = MessageCodec.decodeReply(in, received.length(), false);
            assertEquals(1, slow.id());
            assertEquals(new Reply.Addresses(List.of(HostAddress.of(new byte[] {10, 0, 0, 9}, 0))), slow.message());
            client.fd().close();
            serving.join(5000);
            assertNotNull(logged.toString(StandardCharsets.UTF_8));
        }
    }
}
