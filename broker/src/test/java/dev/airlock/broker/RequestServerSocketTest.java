package dev.airlock.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.ipc.Envelope;
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
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * CONNECT and BIND served on real loopback sockets: the policy's decision with its exact reason
 * and nothing reaching the listener when denied, the broker's own socket handed back with the
 * options and blocking mode of the helper's, grants by host name only through the names the
 * broker resolved, a connect to a peer that never answers answered at once (the loop is not
 * stalled), bind then listen in place on one socket, and malformed requests refused while the
 * loop keeps serving.
 */
class RequestServerSocketTest {
    private static final byte[] LOOPBACK = {127, 0, 0, 1};

    private static RequestServer server(String policyText, NameLookups.NameService names) throws Exception {
        Policy policy = Policy.parse("net.policy", policyText);
        return new RequestServer(policy, GrantRoots.open(policy.fileGrantRoots()), names);
    }

    /** A name service that knows one name, for one address. */
    static NameLookups.NameService knowing(String name, InetAddress address) {
        return new NameLookups.NameService() {
            @Override
            public InetAddress[] lookup(String host) throws java.net.UnknownHostException {
                if (!host.equals(name)) {
                    throw new java.net.UnknownHostException(host);
                }
                return new InetAddress[] {address};
            }

            @Override
            public String reverse(InetAddress a) {
                return a.equals(address) ? name : a.getHostAddress();
            }
        };
    }

    /** Knows no name at all. */
    static final NameLookups.NameService NO_NAMES = knowing("no.such.name.invalid", InetAddress.getLoopbackAddress());

    private static String grant(String target, String actions) {
        return "grant { permission java.net.SocketPermission \"" + target + "\", \"" + actions + "\"; };\n";
    }

    /** A TCP socket as the JDK makes one: blocking, with options the program set. */
    private static Fd helperSocket() throws Exception {
        Fd fd = InetSocket.open(InetSocket.AF_INET);
        Linux.setStatusFlags(fd.get(), Linux.statusFlags(fd.get()) & ~Linux.O_NONBLOCK);
        return fd;
    }

    @Test
    void aGrantedConnectIsTheBrokersSocketWithTheHelpersOptionsAndMode() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                Fd helper = helperSocket()) {
            int port = listener.getLocalPort();
            RequestServer server = server(grant("127.0.0.1:" + port, "connect"), NO_NAMES);
            // TCP_NODELAY and keep-alive, as Socket#setTcpNoDelay and #setKeepAlive set them.
            setFlag(helper, 6, 1);
            setFlag(helper, 1, 9);
            RequestServer.Outcome o = server.serve(
                    new Request.Connect(InetEndpoint.of(LOOPBACK, port, 0), Requests.named(helper)), helper);
            assertTrue(o.reply() instanceof Reply.Socket, o.reply().toString());
            try (Fd socket = o.fd()) {
                assertNotEquals(
                        InetSocket.cookie(helper.get()), InetSocket.cookie(socket.get()), "a socket of the broker's");
                listener.setSoTimeout(5000);
                try (Socket accepted = listener.accept()) {
                    waitConnected(socket);
                    assertEquals(
                            accepted.getPort(),
                            InetSocket.localName(socket.get()).port(),
                            "the peer is this socket");
                }
                InetSocket.Options copied = InetSocket.options(socket.get(), InetSocket.AF_INET);
                assertEquals(1, copied.noDelay());
                assertEquals(1, copied.keepAlive());
                assertEquals(0, Linux.statusFlags(socket.get()) & Linux.O_NONBLOCK, "blocking, as the helper's was");
            }
        }
    }

    @Test
    void aDeniedConnectNamesThePolicyAndTheTargetAndReachesNothing() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                Fd helper = helperSocket()) {
            int port = listener.getLocalPort();
            RequestServer server = server(grant("127.0.0.1:" + (port + 1), "connect"), NO_NAMES);
            RequestServer.Outcome o = server.serve(
                    new Request.Connect(InetEndpoint.of(LOOPBACK, port, 0), Requests.named(helper)), helper);
            assertEquals(
                    new Reply.Denied(
                            Errno.EACCES,
                            "denied by airlock policy net.policy: connect 127.0.0.1:" + port
                                    + " (closest grant: net.policy:1 \"127.0.0.1:" + (port + 1)
                                    + "\" grants connect, not on port " + port + ")"),
                    o.reply());
            assertNull(o.fd());
            listener.setSoTimeout(300);
            assertThrows(SocketTimeoutException.class, listener::accept, "no connection arrived");
        }
    }

    @Test
    void aGrantByNameCoversOnlyAddressesTheBrokerResolvedForIt() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = listener.getLocalPort();
            String policy = grant("db.example.com:" + port, "connect");
            RequestServer server = server(policy, knowing("db.example.com", InetAddress.getLoopbackAddress()));
            try (Fd helper = helperSocket()) {
                RequestServer.Outcome o = server.serve(
                        new Request.Connect(InetEndpoint.of(LOOPBACK, port, 0), Requests.named(helper)), helper);
                assertEquals(Errno.EACCES, o.errno(), "not resolved yet: the grant does not cover the address");
            }
            assertTrue(server.serve(new Request.Resolve("db.example.com")).reply() instanceof Reply.Addresses);
            try (Fd helper = helperSocket()) {
                RequestServer.Outcome o = server.serve(
                        new Request.Connect(InetEndpoint.of(LOOPBACK, port, 0), Requests.named(helper)), helper);
                assertTrue(o.reply() instanceof Reply.Socket, o.reply().toString());
                o.fd().close();
            }
            try (Fd helper = helperSocket()) {
                RequestServer.Outcome o = server(policy, knowing("db.example.com", InetAddress.getLoopbackAddress()))
                        .serve(new Request.Connect(InetEndpoint.of(LOOPBACK, port, 0), Requests.named(helper)), helper);
                assertEquals(Errno.EACCES, o.errno(), "resolved for another helper only: not for this one");
            }
        }
    }

    @Test
    void aPeerThatNeverAnswersDoesNotStallTheLoop() throws Exception {
        // A listener whose accept queue is full drops further SYNs: a connect to it stays pending.
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = full.getLocalPort();
            List<Socket> fillers = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    Socket s = new Socket();
                    try {
                        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 300);
                    } catch (SocketTimeoutException e) {
                        // the queue is full
                    }
                    fillers.add(s);
                }
                RequestServer server = server(grant("127.0.0.1:" + port, "connect"), NO_NAMES);
                long start = System.nanoTime();
                RequestServer.Outcome o;
                try (Fd helper = helperSocket()) {
                    o = server.serve(
                            new Request.Connect(InetEndpoint.of(LOOPBACK, port, 0), Requests.named(helper)), helper);
                }
                long took = (System.nanoTime() - start) / 1_000_000;
                assertEquals(new Reply.Socket(Reply.SocketState.CONNECTING), o.reply());
                o.fd().close();
                assertTrue(took < 1000, "answered at once, took " + took + " ms");
                // The next request is served as fast.
                start = System.nanoTime();
                try (Fd helper = helperSocket()) {
                    assertEquals(
                            Errno.EACCES,
                            server.serve(
                                            new Request.Connect(
                                                    InetEndpoint.of(LOOPBACK, port + 1, 0), Requests.named(helper)),
                                            helper)
                                    .errno());
                }
                assertTrue((System.nanoTime() - start) / 1_000_000 < 1000);
            } finally {
                for (Socket s : fillers) {
                    s.close();
                }
            }
        }
    }

    @Test
    void aGrantedPortWithNothingListeningIsRefusedByTheKernel() throws Exception {
        int port;
        try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = gone.getLocalPort();
        }
        try (Fd helper = helperSocket()) {
            RequestServer.Outcome o = server(grant("localhost:" + port, "connect"), NO_NAMES)
                    .serve(new Request.Connect(InetEndpoint.of(LOOPBACK, port, 0), Requests.named(helper)), helper);
            if (o.reply() instanceof Reply.Socket) {
                try (Fd socket = o.fd()) {
                    assertEquals(111, waitConnected(socket), "ECONNREFUSED on the socket itself");
                }
            } else {
                assertEquals(new Reply.Failed(111), o.reply());
            }
        }
    }

    @Test
    void bindThenListenActOnOneSocketAndAcceptConnections() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        RequestServer server = server(grant("localhost:" + port, "listen"), NO_NAMES);
        try (Fd helper = helperSocket()) {
            RequestServer.Outcome bound = server.serve(
                    new Request.Bind(InetEndpoint.of(LOOPBACK, port, 0), 0, Requests.named(helper)), helper);
            assertEquals(new Reply.Socket(Reply.SocketState.BOUND), bound.reply());
            try (Fd socket = bound.fd()) {
                assertEquals(port, InetSocket.localName(socket.get()).port());
                RequestServer.Outcome listening = server.serve(
                        new Request.Bind(InetEndpoint.of(LOOPBACK, port, 0), 50, Requests.named(socket)), socket);
                assertEquals(new Reply.Socket(Reply.SocketState.LISTENING), listening.reply());
                try (Fd same = listening.fd()) {
                    assertEquals(InetSocket.cookie(socket.get()), InetSocket.cookie(same.get()), "in place");
                }
                try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    assertTrue(client.isConnected());
                }
                RequestServer.Outcome elsewhere = server.serve(
                        new Request.Bind(InetEndpoint.of(LOOPBACK, port + 1, 0), 50, Requests.named(socket)), socket);
                assertEquals(Errno.EINVAL, elsewhere.errno(), "a bound socket keeps its address, as the kernel's");
            }
        }
        try (Fd helper = helperSocket()) {
            assertEquals(
                    new Reply.Denied(
                            Errno.EACCES,
                            "denied by airlock policy net.policy: listen 0.0.0.0:" + (port + 1)
                                    + " (closest grant: net.policy:1 \"localhost:" + port
                                    + "\" grants listen, not on port " + (port + 1) + ")"),
                    server.serve(
                                    new Request.Bind(
                                            InetEndpoint.of(new byte[4], port + 1, 0), 50, Requests.named(helper)),
                                    helper)
                            .reply());
        }
    }

    @Test
    void onlyTcpSocketsAreServed() throws Exception {
        RequestServer server = server(grant("*", "connect,listen"), NO_NAMES);
        Request.Connect connect = new Request.Connect(InetEndpoint.of(LOOPBACK, 80, 0), Requests.NOT_OPEN);
        assertEquals(new Reply.Failed(Errno.EBADF), server.serve(connect).reply());
        Fd[] pair = Linux.seqpacketPair();
        try (Fd a = pair[0];
                Fd b = pair[1]) {
            assertEquals(
                    new Reply.Failed(Errno.EOPNOTSUPP), server.serve(connect, a).reply());
            assertEquals(
                    new Reply.Failed(Errno.EOPNOTSUPP),
                    server.serve(new Request.Bind(InetEndpoint.of(LOOPBACK, 0, 0), 1, Requests.named(b)), b)
                            .reply());
        }
        byte[] loopback6 = new byte[16];
        loopback6[15] = 1;
        try (ServerSocket v6 = new ServerSocket(0, 5, InetAddress.getByAddress(loopback6));
                Fd v4 = helperSocket()) {
            // The JDK makes IPv4 sockets where it sees no IPv6 interface (the helper's namespace):
            // an IPv6 address on one gets an IPv6 socket of the broker's, as outside.
            RequestServer.Outcome o = server.serve(
                    new Request.Connect(InetEndpoint.of(loopback6, v6.getLocalPort(), 0), Requests.named(v4)), v4);
            assertTrue(o.reply() instanceof Reply.Socket, o.reply().toString());
            try (Fd socket = o.fd()) {
                assertEquals(InetSocket.AF_INET6, InetSocket.kind(socket.get()).domain());
            }
        }
    }

    @Test
    void theLoopRefusesAConnectThatCarriesItsSocketOrNamesNoneAndKeepsServing() throws Exception {
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        Fd[] pair = Linux.seqpacketPair();
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                SeqPacketSocket client = new SeqPacketSocket(pair[1], Message.MAX_SIZE);
                SeqPacketSocket broker = new SeqPacketSocket(pair[0], Message.MAX_SIZE);
                PrintStream log = new PrintStream(logged, true, StandardCharsets.UTF_8)) {
            int port = listener.getLocalPort();
            Linux.enablePassCred(broker.fd().get());
            Credentials self = new Credentials(Linux.getpid(), Linux.getuid(), Linux.getgid());
            RequestLoop loop = new RequestLoop(
                    broker,
                    server(grant("127.0.0.1:" + port, "connect"), NO_NAMES),
                    self,
                    Requests.ownDescriptors(),
                    log);
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
            ByteBuffer in = ByteBuffer.allocate(Message.MAX_SIZE + 1);
            Request.Connect namesNone = new Request.Connect(InetEndpoint.of(LOOPBACK, port, 0), Requests.NOT_OPEN);
            int length = MessageCodec.encode(1, namesNone, out);
            client.send(out, length, null); // names a number not open here: EBADF, as the kernel would answer
            SeqPacketSocket.Received received = client.receive(in);
            assertEquals(
                    new Envelope<Reply>(1, new Reply.Failed(Errno.EBADF)),
                    MessageCodec.decodeReply(in, received.length(), false));
            ByteBuffer garbage = ByteBuffer.wrap(new byte[] {0x41, 0x52, 0x4c, 0x4b, 2, 0x10, 0, 0, 0, 0, 0, 2, 9});
            try (Fd helper = helperSocket()) {
                Request.Connect connect =
                        new Request.Connect(InetEndpoint.of(LOOPBACK, port, 0), Requests.named(helper));
                out.clear();
                length = MessageCodec.encode(2, connect, out);
                client.send(out, length, helper); // the socket passed along as well: refused whole, never answered
                client.send(garbage, garbage.remaining(), null); // a truncated CONNECT
                out.clear();
                length = MessageCodec.encode(4, connect, out);
                client.send(out, length, null);
                in.clear();
                received = client.receive(in);
                assertEquals(1, received.descriptors().length);
                Envelope<Reply> reply = MessageCodec.decodeReply(in, received.length(), true);
                assertEquals(4, reply.id(), "the two before were refused, unanswered");
                assertTrue(reply.message() instanceof Reply.Socket, reply.toString());
                received.descriptors()[0].close();
            }
            String text = logged.toString(StandardCharsets.UTF_8);
            assertTrue(text.contains("CONNECT request carried 1 descriptor(s); no request carries any"), text);
            assertTrue(text.contains("message truncated: CONNECT endpoint needs 23 bytes"), text);
            client.fd().close();
            serving.join(5000);
            assertNotNull(text);
        }
    }

    private static void setFlag(Fd fd, int level, int option) throws Exception {
        // With the copy routine itself, which sets an option that is on (no other setter is public).
        InetSocket.apply(
                fd.get(),
                InetSocket.AF_INET,
                new InetSocket.Options(0, option == 9 ? 1 : 0, 0, 0, 0, level == 6 ? 1 : 0, 0, 0, 7200, 75, 9, 0, -1));
    }

    /** Polls {@code socket} until its connect completes; the connect's errno (0 when connected). */
    private static int waitConnected(Fd socket) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            int error = InetSocket.pendingError(socket.get());
            if (error != 0) {
                return error;
            }
            if (InetSocket.isConnected(socket.get())) {
                return 0;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("not connected within 5 s");
    }
}
