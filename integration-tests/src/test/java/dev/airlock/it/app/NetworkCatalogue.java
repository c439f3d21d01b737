package dev.airlock.it.app;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.Proxy;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.Channels;
import java.nio.channels.CompletionHandler;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;

/**
 * The catalogue of JDK network entry points: one {@link Row} per public way an ordinary program
 * connects, listens, resolves a name or sends a datagram, each with the permissions it needs and
 * the single thing it does. {@code NetworkCatalogueIT} runs this program once unconfined and
 * twice inside Airlock (under a policy granting every row's permissions, and under one granting
 * the same on an address nothing here uses) and compares the lines: granted, Airlock must be
 * invisible; denied, each row must fail as the JDK fails on what the policy does not grant, with
 * Airlock's reason, and nothing may reach the wire.
 *
 * <p>Usage: {@code NetworkCatalogue KEY=PORT...}: the test's witnesses ({@code tcp4}, {@code
 * tcp6}, {@code udp4}, {@code udp6}: a TCP listener and a UDP socket on {@code 127.0.0.1} and on
 * {@code ::1}, which answer a line or a datagram with {@code echo} and it, and an HTTP request for
 * {@code PATH} with {@code hello PATH}), and for each row that listens or binds, its own free port
 * under the row's name. One line per row, {@code NAME RESULT}; a result is what the call returned,
 * made deterministic (no ephemeral ports; the row's own port printed as {@code $own}), or {@link
 * ExceptionChain}'s {@code EX ...}. Every
 * payload a row sends carries its name, so the test can tell whose traffic reached the wire. A row
 * that listens prints {@code @listen NAME HOST PORT KIND} first and waits (bounded) for the test
 * to connect: {@code line}, a line {@code hello NAME} answered with {@code echo} and it, or {@code
 * http}, a GET of {@code /NAME}.
 */
// The single-address lookups are entry points under test, called on purpose.
@SuppressWarnings("AddressSelection")
public final class NetworkCatalogue {
    /** How long any row waits on the network: far longer than anything here takes on loopback. */
    static final int TIMEOUT_MILLIS = 20_000;

    static final String LOOP4 = "127.0.0.1";
    static final String LOOP6 = "::1";

    private NetworkCatalogue() {}

    /** What a row is about, and which commit of the design it needs. */
    public enum Group {
        /** A TCP connect to an address literal. */
        CONNECT,
        /** A TCP listen on an address literal (or the wildcard), and an accept of the test's connection. */
        LISTEN,
        /** A host name resolved, forward or reverse, alone or on the way to a connect. */
        NAME,
        /** UDP: datagrams sent and received, connected or not, and binds. */
        DATAGRAM
    }

    /** What the test sees of a row on the wire when it is allowed. */
    public enum Traffic {
        /** Reaches the test's witnesses, with the row's name in what it sends. */
        WITNESS,
        /** Reaches the test's TCP witness but sends nothing (a connection opened and closed). */
        SILENT_WITNESS,
        /** Listens, and the test connects to it. */
        KNOCK,
        /** Nothing: a name looked up in the hosts file, or refused by the JDK before any lookup. */
        NONE
    }

    /**
     * One permission a row needs: a host ({@code 127.0.0.1}, {@code [::1]}, a name, {@link
     * #HOSTNAME} for the machine's), a port as a key of the program's arguments ({@code tcp4},
     * ..., {@link #OWN} for the row's own port), a number or empty, and the actions. A {@code
     * kept} grant stays in the denied policy as it is: the row needs it to reach the operation the
     * policy denies.
     */
    public record Grant(String host, String port, String actions, boolean kept) {
        /** The row's own port's key. */
        public static final String OWN = "own";
        /** The machine's host name, as {@code gethostname} gives it. */
        public static final String HOSTNAME = "$hostname";

        Grant(String host, String port, String actions) {
            this(host, port, actions, false);
        }
    }

    /**
     * What a denied row must print: exactly {@code text} ({@code $POLICY} standing for the
     * policy's path as given, {@code $tcp4}... and {@code $own} for the ports), or, when {@code
     * family} is set, an exception of that family whose chain holds Airlock's reason ({@code
     * withReason}) or does not: where the JDK itself drops the reason ({@code InetSocketAddress}
     * turns a failed lookup into an unresolved address, and its users report only that).
     */
    public record Denial(String text, Class<? extends Exception> family, boolean withReason) {
        static Denial exactly(String text) {
            return new Denial(text, null, false);
        }

        static Denial reasoned(Class<? extends Exception> family) {
            return new Denial(null, family, true);
        }

        static Denial reasonDropped(Class<? extends Exception> family) {
            return new Denial(null, family, false);
        }

        /** A connect denied on {@code literal}'s port {@code port}: the JDK's SocketException with Airlock's reason. */
        static Denial connect(String literal, String port) {
            return exactly("EX java.net.SocketException: " + reason("connect", literal, port));
        }

        /** A listen denied: the JDK's BindException with Airlock's reason. */
        static Denial listen(String literal, String port) {
            return exactly("EX java.net.BindException: " + reason("listen", literal, port));
        }

        /**
         * Airlock's reason for {@code action} on {@code literal} (as a row writes it, {@code ::1}
         * or {@code 127.0.0.1}), which names the address as the JDK writes it, IPv6 in brackets.
         */
        static String reason(String action, String literal, String port) {
            String address = literal.equals(LOOP6) ? "[0:0:0:0:0:0:0:1]" : literal;
            return "denied by airlock policy $POLICY: " + action + " " + address + ":$" + port;
        }
    }

    /** One entry point: its name (also its tag on the wire), group, traffic, permissions, call, and denial. */
    public record Row(
            String name,
            Group group,
            Traffic traffic,
            boolean ownPort,
            List<Grant> grants,
            Action run,
            Denial denied) {}

    /** The row's one call. Runs in the catalogue's JVM. */
    @FunctionalInterface
    public interface Action {
        String run(Context c) throws Exception;
    }

    /** What a row knows: its name, the witnesses' ports and its own. */
    public record Context(String name, Map<String, Integer> ports) {
        int port(String key) {
            Integer port = ports.get(key);
            if (port == null) {
                throw new IllegalArgumentException("no port " + key + " given");
            }
            return port;
        }

        int tcp4() {
            return port("tcp4");
        }

        int tcp6() {
            return port("tcp6");
        }

        InetSocketAddress udp(String literal) throws IOException {
            return new InetSocketAddress(InetAddress.getByName(literal), port(literal.equals(LOOP4) ? "udp4" : "udp6"));
        }

        int own() {
            return port(name);
        }

        InetSocketAddress tcp(String literal) throws IOException {
            return new InetSocketAddress(InetAddress.getByName(literal), literal.equals(LOOP4) ? tcp4() : tcp6());
        }

        String url(String literal) {
            String host = literal.contains(":") ? "[" + literal + "]" : literal;
            return "http://" + host + ":" + (literal.equals(LOOP6) ? tcp6() : tcp4()) + "/" + name;
        }

        /** Tells the test where to connect, and flushes: the row's accept waits for it. */
        void announce(String host, int port, String kind) {
            System.out.println("@listen " + name + " " + host + " " + port + " " + kind);
            System.out.flush();
        }
    }

    public static void main(String[] args) {
        Map<String, Integer> ports = new HashMap<>();
        for (String arg : args) {
            int eq = arg.lastIndexOf('=');
            ports.put(arg.substring(0, eq), Integer.parseInt(arg.substring(eq + 1)));
        }
        for (Row row : rows()) {
            String result;
            try {
                result = row.run().run(new Context(row.name(), ports));
            } catch (Throwable t) {
                // Any failure, even an Error, is this row's answer: the next row still runs.
                result = ExceptionChain.of(t);
            }
            // The row's own port differs from run to run: the line names it $own.
            Integer own = ports.get(row.name());
            String line = String.valueOf(result).replace("\n", "\\n");
            System.out.println(row.name() + " " + (own == null ? line : line.replace(String.valueOf(own), "$own")));
            System.out.flush();
        }
    }

    /** Every row, in a fixed order; names are unique and contain no spaces. */
    public static List<Row> rows() {
        List<Row> all = new ArrayList<>();
        for (String literal : List.of(LOOP4, LOOP6)) {
            all.addAll(connects(literal));
        }
        all.add(sslSocketFactory());
        for (String literal : List.of(LOOP4, LOOP6)) {
            all.addAll(listens(literal));
        }
        all.addAll(wildcardAndEphemeralListens());
        all.addAll(names());
        for (String literal : List.of(LOOP4, LOOP6)) {
            all.addAll(datagrams(literal));
        }
        all.addAll(datagramExtras());
        return all;
    }

    private static String v(String literal) {
        return literal.equals(LOOP4) ? "v4" : "v6";
    }

    private static String bracketed(String literal) {
        return literal.contains(":") ? "[" + literal + "]" : literal;
    }

    private static String witness(String literal) {
        return literal.equals(LOOP4) ? "tcp4" : "tcp6";
    }

    private static Row connectRow(String name, String literal, Action run, Denial denied) {
        return new Row(
                name,
                Group.CONNECT,
                Traffic.WITNESS,
                false,
                List.of(new Grant(bracketed(literal), witness(literal), "connect")),
                run,
                denied);
    }

    private static List<Row> connects(String literal) {
        String v = "." + v(literal);
        Denial denied = Denial.connect(literal, witness(literal));
        String reason = Denial.reason("connect", literal, witness(literal));
        List<Row> rows = new ArrayList<>();
        rows.add(connectRow(
                "Socket.hostPort" + v,
                literal,
                c -> {
                    try (Socket s = new Socket(literal, c.tcp(literal).getPort())) {
                        return ping(s, c);
                    }
                },
                denied));
        rows.add(connectRow(
                "Socket.inetAddress" + v,
                literal,
                c -> {
                    InetSocketAddress a = c.tcp(literal);
                    try (Socket s = new Socket(a.getAddress(), a.getPort())) {
                        return ping(s, c);
                    }
                },
                denied));
        rows.add(connectRow(
                "Socket.connect" + v,
                literal,
                c -> {
                    try (Socket s = new Socket()) {
                        s.connect(c.tcp(literal));
                        return ping(s, c);
                    }
                },
                denied));
        rows.add(connectRow(
                "Socket.connectTimeout" + v,
                literal,
                c -> {
                    try (Socket s = new Socket()) {
                        s.connect(c.tcp(literal), TIMEOUT_MILLIS);
                        return ping(s, c);
                    }
                },
                denied));
        rows.add(connectRow(
                "Socket.options" + v,
                literal,
                c -> {
                    try (Socket s = new Socket()) {
                        s.setTcpNoDelay(true);
                        s.setKeepAlive(true);
                        s.setSendBufferSize(32768);
                        s.setReceiveBufferSize(49152);
                        s.setSoLinger(true, 7);
                        s.setOption(StandardSocketOptions.IP_TOS, 0x10);
                        s.connect(c.tcp(literal), TIMEOUT_MILLIS);
                        return ping(s, c) + " nodelay=" + s.getTcpNoDelay() + " keepalive=" + s.getKeepAlive()
                                + " sndbuf=" + s.getSendBufferSize() + " rcvbuf=" + s.getReceiveBufferSize()
                                + " linger=" + s.getSoLinger() + " tos=" + s.getOption(StandardSocketOptions.IP_TOS);
                    }
                },
                denied));
        // A local address bound before the connect: the JDK asks a listen for it, then the connect.
        rows.add(new Row(
                "Socket.localBind" + v,
                Group.CONNECT,
                Traffic.WITNESS,
                true,
                List.of(
                        new Grant(bracketed(literal), witness(literal), "connect"),
                        new Grant("localhost", Grant.OWN, "listen")),
                c -> {
                    try (Socket s = new Socket()) {
                        s.bind(new InetSocketAddress(InetAddress.getByName(literal), c.own()));
                        s.connect(c.tcp(literal), TIMEOUT_MILLIS);
                        return ping(s, c) + " from " + s.getLocalSocketAddress();
                    }
                },
                Denial.listen(literal, Grant.OWN)));
        rows.add(connectRow(
                "Socket.noProxy" + v,
                literal,
                c -> {
                    try (Socket s = new Socket(Proxy.NO_PROXY)) {
                        s.connect(c.tcp(literal), TIMEOUT_MILLIS);
                        return ping(s, c);
                    }
                },
                denied));
        rows.add(connectRow(
                "SocketFactory.default" + v,
                literal,
                c -> {
                    InetSocketAddress a = c.tcp(literal);
                    try (Socket s = SocketFactory.getDefault().createSocket(a.getAddress(), a.getPort())) {
                        return ping(s, c);
                    }
                },
                denied));
        rows.add(connectRow(
                "SocketChannel.open" + v,
                literal,
                c -> {
                    try (SocketChannel ch = SocketChannel.open(c.tcp(literal))) {
                        return ping(ch.socket(), c);
                    }
                },
                denied));
        rows.add(connectRow(
                "SocketChannel.connect" + v,
                literal,
                c -> {
                    try (SocketChannel ch = SocketChannel.open()) {
                        boolean connected = ch.connect(c.tcp(literal));
                        return ping(ch.socket(), c) + " connected=" + connected;
                    }
                },
                denied));
        rows.add(connectRow(
                "SocketChannel.socketAdaptor" + v,
                literal,
                c -> {
                    try (SocketChannel ch = SocketChannel.open()) {
                        ch.socket().connect(c.tcp(literal), TIMEOUT_MILLIS);
                        return ping(ch.socket(), c);
                    }
                },
                denied));
        rows.add(connectRow(
                "SocketChannel.nonBlocking" + v, literal, c -> nonBlockingConnect(c, c.tcp(literal)), denied));
        rows.add(connectRow(
                "AsynchronousSocketChannel.future" + v,
                literal,
                c -> {
                    try (AsynchronousSocketChannel ch = AsynchronousSocketChannel.open()) {
                        ch.connect(c.tcp(literal)).get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
                        return ping(ch, c);
                    }
                },
                exactly("EX java.util.concurrent.ExecutionException: java.net.SocketException: " + reason
                        + " <- java.net.SocketException: " + reason)));
        rows.add(connectRow(
                "AsynchronousSocketChannel.handler" + v,
                literal,
                c -> {
                    try (AsynchronousSocketChannel ch = AsynchronousSocketChannel.open()) {
                        CompletableFuture<String> done = new CompletableFuture<>();
                        ch.connect(c.tcp(literal), "attachment", new CompletionHandler<Void, String>() {
                            @Override
                            public void completed(Void result, String attachment) {
                                done.complete("connected with " + attachment);
                            }

                            @Override
                            public void failed(Throwable failure, String attachment) {
                                done.complete(ExceptionChain.of(failure));
                            }
                        });
                        String outcome = done.get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
                        return outcome.startsWith("EX ") ? outcome : outcome + " " + ping(ch, c);
                    }
                },
                denied));
        rows.add(connectRow("HttpURLConnection.get" + v, literal, c -> urlConnection(c.url(literal)), denied));
        rows.add(connectRow(
                "URL.openStream" + v,
                literal,
                c -> {
                    try (InputStream in = URI.create(c.url(literal)).toURL().openStream()) {
                        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    }
                },
                denied));
        // The HTTP client wraps the JDK's exception in a ConnectException of its own, twice.
        String client = "java.net.ConnectException: " + reason + " <- java.net.ConnectException: " + reason
                + " <- java.net.SocketException: " + reason;
        rows.add(connectRow(
                "HttpClient.send" + v, literal, c -> httpClient(c.url(literal), false), exactly("EX " + client)));
        rows.add(connectRow(
                "HttpClient.sendAsync" + v,
                literal,
                c -> httpClient(c.url(literal), true),
                exactly("EX java.util.concurrent.ExecutionException: " + client)));
        return rows;
    }

    private static Denial exactly(String text) {
        return Denial.exactly(text);
    }

    private static Row sslSocketFactory() {
        // Only the TCP connect of an SSL socket: no byte is sent before the first read or write.
        return new Row(
                "SSLSocketFactory.createSocket.v4",
                Group.CONNECT,
                Traffic.SILENT_WITNESS,
                false,
                List.of(new Grant(LOOP4, "tcp4", "connect")),
                c -> {
                    try (Socket s = SSLSocketFactory.getDefault().createSocket(LOOP4, c.tcp4())) {
                        return "connected=" + s.isConnected() + " to " + s.getInetAddress();
                    }
                },
                Denial.connect(LOOP4, "tcp4"));
    }

    private static Row listenRow(String name, String literal, Action run, Denial denied) {
        return new Row(
                name,
                Group.LISTEN,
                Traffic.KNOCK,
                true,
                List.of(new Grant("localhost", Grant.OWN, "listen")),
                run,
                denied == null ? Denial.listen(literal, Grant.OWN) : denied);
    }

    private static List<Row> listens(String literal) {
        String v = "." + v(literal);
        List<Row> rows = new ArrayList<>();
        rows.add(listenRow(
                "ServerSocket.portBacklogAddress" + v,
                literal,
                c -> {
                    try (ServerSocket server = new ServerSocket(c.own(), 50, InetAddress.getByName(literal))) {
                        return acceptOne(server, literal, c);
                    }
                },
                null));
        rows.add(listenRow(
                "ServerSocket.bind" + v,
                literal,
                c -> {
                    try (ServerSocket server = new ServerSocket()) {
                        server.setReuseAddress(true);
                        server.bind(new InetSocketAddress(InetAddress.getByName(literal), c.own()), 50);
                        return acceptOne(server, literal, c);
                    }
                },
                null));
        rows.add(listenRow(
                "ServerSocketChannel.bind" + v,
                literal,
                c -> {
                    try (ServerSocketChannel server = ServerSocketChannel.open()) {
                        server.bind(new InetSocketAddress(InetAddress.getByName(literal), c.own()));
                        c.announce(literal, c.own(), "line");
                        return acceptOne(server, c);
                    }
                },
                null));
        rows.add(listenRow(
                "AsynchronousServerSocketChannel.bind" + v,
                literal,
                c -> {
                    try (AsynchronousServerSocketChannel server = AsynchronousServerSocketChannel.open()) {
                        server.bind(new InetSocketAddress(InetAddress.getByName(literal), c.own()));
                        c.announce(literal, c.own(), "line");
                        try (AsynchronousSocketChannel peer =
                                server.accept().get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                            return serve(Channels.newInputStream(peer), Channels.newOutputStream(peer)) + " on "
                                    + peer.getLocalAddress();
                        }
                    }
                },
                null));
        rows.add(listenRow("HttpServer.create" + v, literal, c -> httpServer(c, literal), null));
        return rows;
    }

    private static List<Row> wildcardAndEphemeralListens() {
        List<Row> rows = new ArrayList<>();
        rows.add(listenRow(
                "ServerSocket.port",
                "0.0.0.0",
                c -> {
                    try (ServerSocket server = new ServerSocket(c.own())) {
                        return "bound " + server.getInetAddress() + " " + acceptOne(server, LOOP4, c);
                    }
                },
                null));
        rows.add(listenRow(
                "ServerSocketChannel.socketAdaptor.v4",
                LOOP4,
                c -> {
                    try (ServerSocketChannel server = ServerSocketChannel.open()) {
                        server.socket().bind(new InetSocketAddress(InetAddress.getByName(LOOP4), c.own()));
                        c.announce(LOOP4, c.own(), "line");
                        return acceptOne(server, c);
                    }
                },
                null));
        rows.add(listenRow(
                "ServerSocketChannel.acceptWithSelector.v4",
                LOOP4,
                c -> {
                    try (ServerSocketChannel server = ServerSocketChannel.open();
                            Selector selector = Selector.open()) {
                        server.bind(new InetSocketAddress(InetAddress.getByName(LOOP4), c.own()));
                        server.configureBlocking(false);
                        server.register(selector, SelectionKey.OP_ACCEPT);
                        c.announce(LOOP4, c.own(), "line");
                        int ready = selector.select(TIMEOUT_MILLIS);
                        try (SocketChannel peer = server.accept()) {
                            if (peer == null) {
                                return "nothing to accept after " + ready + " ready";
                            }
                            peer.configureBlocking(true);
                            return "ready=" + ready + " " + serve(peer.socket()) + " on " + peer.getLocalAddress();
                        }
                    }
                },
                null));
        // The port is the kernel's: the result says only that there was one. The JDK asks a listen
        // on localhost:0 for it, which the denied policy does not grant.
        rows.add(new Row(
                "ServerSocket.ephemeral.v4",
                Group.LISTEN,
                Traffic.KNOCK,
                false,
                List.of(new Grant("localhost", "0", "listen")),
                c -> {
                    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName(LOOP4))) {
                        int port = server.getLocalPort();
                        server.setSoTimeout(TIMEOUT_MILLIS);
                        c.announce(LOOP4, port, "line");
                        try (Socket peer = server.accept()) {
                            return "ephemeral=" + (port > 0) + " " + serve(peer) + " on " + peer.getLocalAddress();
                        }
                    }
                },
                Denial.exactly("EX java.net.BindException: denied by airlock policy $POLICY: listen 127.0.0.1:0")));
        return rows;
    }

    /** The test's names, from the hosts file the broker (and an unconfined run) resolves with. */
    public static final String API = "api.airlock.test";

    /**
     * One name per row that expects Airlock's reason after {@link #API}'s own denial: the JDK
     * caches a failed lookup (10 s by default) and words a cached failure itself, without it.
     */
    public static final String ALL = "all.airlock.test";

    public static final String REVERSE = "reverse.airlock.test";
    static final byte[] REVERSE_ADDRESS = {127, 0, 0, 2};

    private static Row nameRow(String name, Traffic traffic, List<Grant> grants, Action run, Denial denied) {
        return new Row(name, Group.NAME, traffic, false, grants, run, denied);
    }

    private static List<Row> names() {
        List<Grant> resolveApi = List.of(new Grant(API, "", "resolve"));
        List<Grant> resolveReverse = List.of(new Grant(REVERSE, "", "resolve"));
        List<Grant> connectApi = List.of(new Grant(API, "tcp4", "connect"));
        List<Grant> connectLocalhost = List.of(new Grant("localhost", "tcp4", "connect"));
        Denial lookup = Denial.reasoned(java.net.UnknownHostException.class);
        // What the JDK gives where a lookup fails inside InetSocketAddress: an unresolved address.
        Denial unresolved = Denial.exactly("EX java.nio.channels.UnresolvedAddressException: null");
        List<Row> rows = new ArrayList<>();
        rows.add(nameRow(
                "InetAddress.getByName.name",
                Traffic.NONE,
                resolveApi,
                c -> InetAddress.getByName(API).toString(),
                lookup));
        rows.add(nameRow(
                "InetAddress.getAllByName.name",
                Traffic.NONE,
                List.of(new Grant(ALL, "", "resolve")),
                c -> java.util.Arrays.toString(InetAddress.getAllByName(ALL)),
                lookup));
        // The same name again: the JDK answers from its cache, a denial in its own words.
        rows.add(nameRow(
                "InetAddress.getByName.cached",
                Traffic.NONE,
                resolveApi,
                c -> InetAddress.getByName(API).toString(),
                Denial.exactly("EX java.net.UnknownHostException: " + API)));
        // A literal is never looked up, so no policy can refuse it.
        rows.add(nameRow(
                "InetAddress.getByName.literal.v4",
                Traffic.NONE,
                List.of(),
                c -> InetAddress.getByName(LOOP4).toString(),
                Denial.exactly("/127.0.0.1")));
        rows.add(nameRow(
                "InetAddress.getByName.literal.v6",
                Traffic.NONE,
                List.of(),
                c -> InetAddress.getByName(LOOP6).toString(),
                Denial.exactly("/0:0:0:0:0:0:0:1")));
        rows.add(nameRow(
                "InetAddress.getLocalHost",
                Traffic.NONE,
                List.of(new Grant(Grant.HOSTNAME, "", "resolve")),
                c -> InetAddress.getLocalHost().toString(),
                // Under a SecurityManager the JDK answered the loopback address when the machine's
                // name was not granted; so does Airlock.
                Denial.exactly("localhost/127.0.0.1")));
        // A reverse lookup the JDK may not make answers the address itself, never an exception.
        rows.add(nameRow(
                "InetAddress.getHostName.reverse",
                Traffic.NONE,
                resolveReverse,
                c -> InetAddress.getByAddress(REVERSE_ADDRESS).getHostName(),
                Denial.exactly("127.0.0.2")));
        rows.add(nameRow(
                "InetAddress.getCanonicalHostName",
                Traffic.NONE,
                resolveReverse,
                c -> InetAddress.getByAddress("given.name", REVERSE_ADDRESS).getCanonicalHostName(),
                Denial.exactly("127.0.0.2")));
        rows.add(nameRow(
                "InetSocketAddress.resolving",
                Traffic.NONE,
                resolveApi,
                c -> {
                    InetSocketAddress a = new InetSocketAddress(API, c.tcp4());
                    return (a.isUnresolved() ? "unresolved " : "resolved ") + a;
                },
                Denial.exactly("unresolved api.airlock.test/<unresolved>:$tcp4")));
        // The JDK refuses an unresolved address before any lookup, with or without a policy.
        rows.add(nameRow(
                "InetSocketAddress.createUnresolved.connect",
                Traffic.NONE,
                connectApi,
                c -> {
                    try (Socket s = new Socket()) {
                        s.connect(InetSocketAddress.createUnresolved(API, c.tcp4()), TIMEOUT_MILLIS);
                        return "connected";
                    } catch (java.net.UnknownHostException e) {
                        return "refused by the JDK: " + e.getClass().getName();
                    }
                },
                Denial.exactly("refused by the JDK: java.net.UnknownHostException")));
        for (String host : List.of(API, "localhost")) {
            boolean named = host.equals(API);
            String v = named ? ".name" : ".localhost";
            List<Grant> connect = named ? connectApi : connectLocalhost;
            // localhost needs no grant to be resolved (the JDK's own java.policy granted it to
            // every program under a SecurityManager): its rows are denied at the connect.
            Denial connectDenied = Denial.connect(LOOP4, "tcp4");
            rows.add(nameRow(
                    "Socket.hostPort" + v,
                    Traffic.WITNESS,
                    connect,
                    c -> {
                        try (Socket s = new Socket(host, c.tcp4())) {
                            return ping(s, c);
                        }
                    },
                    // Socket(host, port) resolves through InetSocketAddress, which keeps only the name.
                    named ? Denial.reasonDropped(java.net.UnknownHostException.class) : connectDenied));
            rows.add(nameRow(
                    "SocketChannel.open" + v,
                    Traffic.WITNESS,
                    connect,
                    c -> {
                        try (SocketChannel ch = SocketChannel.open(new InetSocketAddress(host, c.tcp4()))) {
                            return ping(ch.socket(), c);
                        }
                    },
                    named ? unresolved : connectDenied));
            String url = "http://" + host + ":";
            rows.add(nameRow(
                    "HttpURLConnection.get" + v,
                    Traffic.WITNESS,
                    connect,
                    c -> urlConnection(url + c.tcp4() + "/" + c.name()),
                    named
                            ? Denial.reasonDropped(java.net.UnknownHostException.class)
                            : Denial.reasoned(java.net.SocketException.class)));
            rows.add(nameRow(
                    "HttpClient.send" + v,
                    Traffic.WITNESS,
                    connect,
                    c -> httpClient(url + c.tcp4() + "/" + c.name(), false),
                    Denial.reasonDropped(java.net.ConnectException.class)));
        }
        return rows;
    }

    /**
     * The ephemeral bind every datagram socket makes first (the JDK binds a new one to the
     * wildcard, port 0): kept in the denied policy, which must deny the row's send, connect or
     * bind rather than its socket. On the wildcard address, not on localhost: by
     * SocketPermission's rules a grant on localhost implies resolving every name of 127.0.0.1.
     */
    static final List<Grant> EPHEMERAL_BIND =
            List.of(new Grant("0.0.0.0", "0", "listen", true), new Grant("[::]", "0", "listen", true));

    private static Row datagramRow(String name, String literal, Action run) {
        List<Grant> grants = new ArrayList<>(EPHEMERAL_BIND);
        grants.add(new Grant(bracketed(literal), literal.equals(LOOP4) ? "udp4" : "udp6", "connect,accept"));
        return new Row(
                name, Group.DATAGRAM, Traffic.WITNESS, false, grants, run, Denial.reasoned(SocketException.class));
    }

    private static List<Row> datagrams(String literal) {
        String v = "." + v(literal);
        List<Row> rows = new ArrayList<>();
        rows.add(datagramRow("DatagramSocket.connected" + v, literal, c -> {
            try (DatagramSocket s = new DatagramSocket()) {
                s.setSoTimeout(TIMEOUT_MILLIS);
                s.connect(c.udp(literal));
                byte[] out = c.name().getBytes(StandardCharsets.UTF_8);
                s.send(new DatagramPacket(out, out.length));
                return receive(s) + " connected to " + s.getRemoteSocketAddress();
            }
        }));
        rows.add(datagramRow("DatagramSocket.unconnected" + v, literal, c -> {
            try (DatagramSocket s = new DatagramSocket()) {
                s.setSoTimeout(TIMEOUT_MILLIS);
                byte[] out = c.name().getBytes(StandardCharsets.UTF_8);
                s.send(new DatagramPacket(out, out.length, c.udp(literal)));
                return receive(s);
            }
        }));
        rows.add(datagramRow("DatagramChannel.connected" + v, literal, c -> {
            try (DatagramChannel ch = DatagramChannel.open()) {
                ch.socket().setSoTimeout(TIMEOUT_MILLIS);
                ch.connect(c.udp(literal));
                ch.write(ByteBuffer.wrap(c.name().getBytes(StandardCharsets.UTF_8)));
                ByteBuffer in = ByteBuffer.allocate(512);
                ch.read(in);
                return new String(in.array(), 0, in.position(), StandardCharsets.UTF_8) + " connected to "
                        + ch.getRemoteAddress();
            }
        }));
        rows.add(datagramRow("DatagramChannel.unconnected" + v, literal, c -> {
            try (DatagramChannel ch = DatagramChannel.open()) {
                ch.send(ByteBuffer.wrap(c.name().getBytes(StandardCharsets.UTF_8)), c.udp(literal));
                ByteBuffer in = ByteBuffer.allocate(512);
                SocketAddress from = ch.receive(in);
                return new String(in.array(), 0, in.position(), StandardCharsets.UTF_8) + " from " + from;
            }
        }));
        return rows;
    }

    private static List<Row> datagramExtras() {
        List<Row> rows = new ArrayList<>();
        rows.add(datagramRow("DatagramChannel.nonBlocking.v4", LOOP4, c -> {
            try (DatagramChannel ch = DatagramChannel.open();
                    Selector selector = Selector.open()) {
                ch.configureBlocking(false);
                ch.register(selector, SelectionKey.OP_READ);
                int sent = ch.send(ByteBuffer.wrap(c.name().getBytes(StandardCharsets.UTF_8)), c.udp(LOOP4));
                int ready = selector.select(TIMEOUT_MILLIS);
                ByteBuffer in = ByteBuffer.allocate(512);
                SocketAddress from = ch.receive(in);
                return "sent=" + sent + " ready=" + ready + " "
                        + new String(in.array(), 0, in.position(), StandardCharsets.UTF_8) + " from " + from;
            }
        }));
        rows.add(datagramRow("MulticastSocket.unicast.v4", LOOP4, c -> {
            try (MulticastSocket s = new MulticastSocket()) {
                s.setSoTimeout(TIMEOUT_MILLIS);
                byte[] out = c.name().getBytes(StandardCharsets.UTF_8);
                s.send(new DatagramPacket(out, out.length, c.udp(LOOP4)));
                return receive(s);
            }
        }));
        // A bind to a port of the row's own, granted or denied as a listen (as the JDK decided it).
        for (String literal : List.of(LOOP4, LOOP6)) {
            String witness = literal.equals(LOOP4) ? "udp4" : "udp6";
            List<Grant> grants = List.of(
                    new Grant("localhost", Grant.OWN, "listen"),
                    new Grant(bracketed(literal), witness, "connect,accept"));
            rows.add(new Row(
                    "DatagramSocket.bind." + v(literal),
                    Group.DATAGRAM,
                    Traffic.WITNESS,
                    true,
                    grants,
                    c -> {
                        try (DatagramSocket s =
                                new DatagramSocket(new InetSocketAddress(InetAddress.getByName(literal), c.own()))) {
                            s.setSoTimeout(TIMEOUT_MILLIS);
                            byte[] out = c.name().getBytes(StandardCharsets.UTF_8);
                            s.send(new DatagramPacket(out, out.length, c.udp(literal)));
                            return receive(s) + " on " + s.getLocalSocketAddress();
                        }
                    },
                    Denial.reasoned(SocketException.class)));
            rows.add(new Row(
                    "DatagramChannel.bind." + v(literal),
                    Group.DATAGRAM,
                    Traffic.WITNESS,
                    true,
                    grants,
                    c -> {
                        try (DatagramChannel ch = DatagramChannel.open()) {
                            ch.bind(new InetSocketAddress(InetAddress.getByName(literal), c.own()));
                            ch.send(ByteBuffer.wrap(c.name().getBytes(StandardCharsets.UTF_8)), c.udp(literal));
                            ByteBuffer in = ByteBuffer.allocate(512);
                            SocketAddress from = ch.receive(in);
                            return new String(in.array(), 0, in.position(), StandardCharsets.UTF_8) + " from " + from
                                    + " on " + ch.getLocalAddress();
                        }
                    },
                    Denial.reasoned(SocketException.class)));
        }
        return rows;
    }

    /** The witness's answer to a datagram, and where it came from. */
    static String receive(DatagramSocket s) throws IOException {
        DatagramPacket in = new DatagramPacket(new byte[512], 512);
        s.receive(in);
        return new String(in.getData(), 0, in.getLength(), StandardCharsets.UTF_8) + " from " + in.getSocketAddress();
    }

    // ---- what the rows share ----

    /** Sends {@code ping NAME} and returns the witness's answer line. */
    static String ping(Socket s, Context c) throws IOException {
        s.setSoTimeout(TIMEOUT_MILLIS);
        s.getOutputStream().write(("ping " + c.name() + "\n").getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }

    static String ping(AsynchronousSocketChannel ch, Context c) throws Exception {
        ch.write(ByteBuffer.wrap(("ping " + c.name() + "\n").getBytes(StandardCharsets.UTF_8)))
                .get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        ByteBuffer in = ByteBuffer.allocate(256);
        while (in.position() == 0 || in.get(in.position() - 1) != '\n') {
            if (ch.read(in).get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS) < 0) {
                break;
            }
        }
        return new String(in.array(), 0, in.position(), StandardCharsets.UTF_8).strip();
    }

    static String nonBlockingConnect(Context c, InetSocketAddress target) throws IOException {
        try (SocketChannel ch = SocketChannel.open();
                Selector selector = Selector.open()) {
            ch.configureBlocking(false);
            boolean connected = ch.connect(target);
            ch.register(selector, SelectionKey.OP_CONNECT);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS);
            while (!connected && System.nanoTime() < deadline) {
                selector.select(1000);
                connected = ch.finishConnect();
            }
            ch.write(ByteBuffer.wrap(("ping " + c.name() + "\n").getBytes(StandardCharsets.UTF_8)));
            ByteBuffer in = ByteBuffer.allocate(256);
            ch.keyFor(selector).interestOps(SelectionKey.OP_READ);
            while (System.nanoTime() < deadline && (in.position() == 0 || in.get(in.position() - 1) != '\n')) {
                selector.select(1000);
                if (ch.read(in) < 0) {
                    break;
                }
            }
            return new String(in.array(), 0, in.position(), StandardCharsets.UTF_8).strip() + " blocking="
                    + ch.isBlocking();
        }
    }

    static String urlConnection(String url) throws IOException {
        HttpURLConnection connection =
                (HttpURLConnection) URI.create(url).toURL().openConnection();
        connection.setConnectTimeout(TIMEOUT_MILLIS);
        connection.setReadTimeout(TIMEOUT_MILLIS);
        try (InputStream in = connection.getInputStream()) {
            return connection.getResponseCode() + " " + new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static String httpClient(String url, boolean async) throws Exception {
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofMillis(TIMEOUT_MILLIS))
                .build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofMillis(TIMEOUT_MILLIS))
                .build();
        HttpResponse<String> response = async
                ? client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                        .get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
                : client.send(request, HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }

    /** Announces {@code server}, accepts the test's connection and answers it. */
    static String acceptOne(ServerSocket server, String knockAt, Context c) throws IOException {
        server.setSoTimeout(TIMEOUT_MILLIS);
        c.announce(knockAt, server.getLocalPort(), "line");
        try (Socket peer = server.accept()) {
            return serve(peer) + " on " + peer.getLocalAddress() + ":" + peer.getLocalPort();
        }
    }

    /** Accepts the test's connection on an announced blocking channel, bounded by a selector. */
    static String acceptOne(ServerSocketChannel server, Context c) throws IOException {
        server.configureBlocking(false);
        try (Selector selector = Selector.open()) {
            server.register(selector, SelectionKey.OP_ACCEPT);
            selector.select(TIMEOUT_MILLIS);
            try (SocketChannel peer = server.accept()) {
                if (peer == null) {
                    return "nobody came";
                }
                peer.configureBlocking(true);
                return serve(peer.socket()) + " on " + peer.getLocalAddress();
            }
        }
    }

    static String serve(Socket peer) throws IOException {
        peer.setSoTimeout(TIMEOUT_MILLIS);
        return serve(peer.getInputStream(), peer.getOutputStream()) + " from " + peer.getInetAddress();
    }

    /** Reads the test's line and answers {@code echo LINE}. */
    static String serve(InputStream in, OutputStream out) throws IOException {
        String line = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
        out.write(("echo " + line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        return "got " + line;
    }

    static String httpServer(Context c, String literal) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(literal), c.own()), 0);
        CountDownLatch served = new CountDownLatch(1);
        String[] seen = {"nobody came"};
        server.createContext("/", exchange -> {
            seen[0] = exchange.getRequestMethod() + " " + exchange.getRequestURI() + " from "
                    + exchange.getRemoteAddress().getAddress();
            byte[] body = ("served " + c.name()).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
            served.countDown();
        });
        server.start();
        try {
            c.announce(literal, c.own(), "http");
            served.await(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            return seen[0] + " on " + server.getAddress();
        } finally {
            server.stop(0);
        }
    }
}
