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
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.ByteChannel;
import java.nio.channels.CompletionHandler;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The catalogue of JDK network entry points: one {@link Entry} per public way an ordinary program
 * connects, resolves, listens or sends a datagram, each making its one call against the test's
 * loopback witnesses (the test's {@code WireWitness}: an echo and HTTP server on {@code 127.0.0.1}
 * and {@code ::1}, UDP echo on both) or, for listening entries, against the test's knocker, which
 * connects in from outside and sends {@code GET /knock}. The integration test runs this program
 * once unconfined and twice inside Airlock (a policy granting the witnesses, and one granting only
 * an unrelated port), and compares the lines: granted, Airlock must be invisible; denied, each
 * entry must fail as the JDK fails, with Airlock's reason, and nothing may reach the wire.
 *
 * <p>Usage: {@code NetworkCatalogue KEY=VALUE... [NAME...]} with the keys of {@link Ports}. One
 * line per entry, {@code NAME RESULT}: {@code OK <what the call returned>} (nothing that depends on
 * the run: no ephemeral ports) or {@code EX <class>: <message>}, followed by {@code <- <class>:
 * <message>} for each cause ({@link ExceptionChain}). Every connection and datagram an entry makes carries its name, so the
 * witness can tell whose it is.
 */
@SuppressWarnings("AddressSelection") // the literals and names are the entry points under test
public final class NetworkCatalogue {
    /** The file name of the test's denied policy: Airlock's reasons name it. */
    public static final String DENIED_POLICY = "denied.policy";
    /** A name that resolves nowhere: {@code .invalid} is reserved (RFC 2606), unknown to every resolver. */
    public static final String UNKNOWN_NAME = "airlock-catalogue.invalid";
    /** The denied policy as Airlock names it in a reason: the path it was given, ending in {@link #DENIED_POLICY}. */
    private static final String POLICY_NAMED = "\\S*" + Pattern.quote(DENIED_POLICY);
    /** How long any one call may wait: well above loopback times, far below the test's timeout. */
    private static final int WAIT_MILLIS = 10_000;

    private NetworkCatalogue() {}

    /** What an entry does with a JDK API; the first line of its result. */
    public enum Kind {
        CONNECT,
        RESOLVE,
        LISTEN,
        DATAGRAM
    }

    /**
     * Whether Airlock brokers an entry yet. The catalogue lists what it does not broker rather
     * than leaving it out: such an entry must still be refused when granted (it fails closed), and
     * the test fails, loudly, the day it starts working, so that it moves to {@link #BROKERED} and
     * its result is compared.
     */
    public enum Status {
        BROKERED,
        /** UDP: the helper's datagram sockets are refused by the kernel, granted or not (README, "Known limits"). */
        NOT_YET_BROKERED
    }

    /**
     * The loopback ports and names of one run: the witnesses' TCP and UDP ports, a port where
     * nothing listens, the host name of the machine, and one port per listening entry.
     */
    public record Ports(int tcp4, int tcp6, int closed, int udp4, int udp6, String hostName, List<Integer> listen) {
        /** As {@code KEY=VALUE} arguments. */
        public List<String> arguments() {
            return List.of(
                    "tcp4=" + tcp4,
                    "tcp6=" + tcp6,
                    "closed=" + closed,
                    "udp4=" + udp4,
                    "udp6=" + udp6,
                    "host=" + hostName,
                    "listen="
                            + String.join(
                                    ",", listen.stream().map(String::valueOf).toList()));
        }

        static Ports parse(Map<String, String> args) {
            List<Integer> listen = Arrays.stream(args.get("listen").split(",", -1))
                    .map(Integer::valueOf)
                    .toList();
            return new Ports(
                    Integer.parseInt(args.get("tcp4")),
                    Integer.parseInt(args.get("tcp6")),
                    Integer.parseInt(args.get("closed")),
                    Integer.parseInt(args.get("udp4")),
                    Integer.parseInt(args.get("udp6")),
                    args.get("host"),
                    listen);
        }
    }

    /** Makes the entry's one call; what it got. Runs in the catalogue's JVM. */
    @FunctionalInterface
    public interface Action {
        String run(String name, Ports ports) throws Exception;
    }

    /** The pattern the entry's line must match, unconfined or denied, for these ports. */
    @FunctionalInterface
    public interface Expectation {
        String regex(Ports ports);

        default boolean matches(Ports ports, String line) {
            return Pattern.compile(regex(ports), Pattern.DOTALL).matcher(line).matches();
        }
    }

    /**
     * One entry point: its name (unique, also its tag on the wire), what it does, whether it is
     * brokered yet, its call, what it prints unconfined, and what it must print under the denied
     * policy. {@code listenSlot} is its index into {@link Ports#listen} (-1: it listens nowhere).
     */
    public record Entry(
            String name,
            Kind kind,
            Status status,
            int listenSlot,
            Action run,
            Expectation unconfined,
            Expectation denied) {}

    public static void main(String[] args) {
        Map<String, String> keys = new TreeMap<>();
        Set<String> only = new HashSet<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq > 0) {
                keys.put(arg.substring(0, eq), arg.substring(eq + 1));
            } else {
                only.add(arg);
            }
        }
        Ports ports = Ports.parse(keys);
        for (Entry entry : entries()) {
            if (!only.isEmpty() && !only.contains(entry.name())) {
                continue;
            }
            String result;
            try {
                result = entry.run().run(entry.name(), ports);
            } catch (Throwable t) {
                // Any failure, even an Error, is this entry's answer: the next entry still runs.
                result = ExceptionChain.of(t);
            }
            System.out.println(entry.name() + " " + result.replace("\r", "\\r").replace("\n", "\\n"));
            System.out.flush();
        }
    }

    /** Every entry, in a fixed order; names are unique and contain no spaces. */
    public static List<Entry> entries() {
        List<Entry> all = new ArrayList<>();
        all.addAll(sockets());
        all.addAll(channels());
        all.addAll(http());
        all.addAll(resolution());
        all.addAll(listening());
        all.addAll(datagrams());
        return all;
    }

    // ------------------------------------------------------------------ expectations

    private static final Expectation OK = p -> "OK .*";

    /** Airlock's reason for a refused connect to {@code port}, on whatever host the program named. */
    private static String connectReason(int port) {
        return ".*denied by airlock policy " + POLICY_NAMED + ": connect \\S+:" + port + "\\b.*";
    }

    /** The JDK's exception for a refused connect, from Socket, SocketChannel and their adaptors. */
    private static Expectation connectDenied(java.util.function.ToIntFunction<Ports> port) {
        return p -> "EX java\\.net\\.(SocketException|ConnectException): " + connectReason(port.applyAsInt(p));
    }

    /** What a refused resolution of {@code name} is: UnknownHostException naming it, with Airlock's reason. */
    private static Expectation resolveDenied(String name) {
        return p -> "EX java\\.net\\.UnknownHostException: " + Pattern.quote(name) + " \\(denied by airlock policy "
                + POLICY_NAMED + ": [^)]*\\).*";
    }

    private static Entry connect(String name, Action run, Expectation denied) {
        return new Entry(name, Kind.CONNECT, Status.BROKERED, -1, run, OK, denied);
    }

    private static InetSocketAddress v4(int port) {
        return new InetSocketAddress("127.0.0.1", port);
    }

    private static InetSocketAddress v6(int port) {
        return new InetSocketAddress("::1", port);
    }

    /** Says the entry's name and reads the witness's echo. */
    private static String talk(Socket s, String name) throws IOException {
        s.getOutputStream().write((name + "\n").getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        return "OK " + in.readLine();
    }

    private static String talk(ByteChannel channel, String name) throws IOException {
        channel.write(ByteBuffer.wrap((name + "\n").getBytes(StandardCharsets.UTF_8)));
        return "OK " + readLine(channel);
    }

    private static String readLine(ByteChannel channel) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(512);
        while (b.position() == 0 || b.get(b.position() - 1) != '\n') {
            if (channel.read(b) < 0) {
                break;
            }
        }
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).strip();
    }

    // ------------------------------------------------------------------ java.net.Socket

    private static List<Entry> sockets() {
        return List.of(
                connect(
                        "Socket.new.literal4",
                        (n, p) -> {
                            try (Socket s = new Socket("127.0.0.1", p.tcp4())) {
                                return talk(s, n);
                            }
                        },
                        connectDenied(Ports::tcp4)),
                connect(
                        "Socket.new.literal6",
                        (n, p) -> {
                            try (Socket s = new Socket("::1", p.tcp6())) {
                                return talk(s, n);
                            }
                        },
                        connectDenied(Ports::tcp6)),
                // A name: the denied policy grants no resolution, so the JDK's lookup fails first.
                connect(
                        "Socket.new.localhost",
                        (n, p) -> {
                            try (Socket s = new Socket("localhost", p.tcp4())) {
                                return talk(s, n);
                            }
                        },
                        resolveDenied("localhost")),
                connect(
                        "Socket.new.InetAddress",
                        (n, p) -> {
                            try (Socket s = new Socket(InetAddress.getByName("127.0.0.1"), p.tcp4())) {
                                return talk(s, n);
                            }
                        },
                        connectDenied(Ports::tcp4)),
                connect(
                        "Socket.connect",
                        (n, p) -> {
                            try (Socket s = new Socket()) {
                                s.connect(v4(p.tcp4()));
                                return talk(s, n) + " connected=" + s.isConnected();
                            }
                        },
                        connectDenied(Ports::tcp4)),
                connect(
                        "Socket.connect.timeout",
                        (n, p) -> {
                            try (Socket s = new Socket()) {
                                s.connect(v4(p.tcp4()), WAIT_MILLIS);
                                return talk(s, n);
                            }
                        },
                        connectDenied(Ports::tcp4)),
                connect(
                        "Socket.connect.timeout6",
                        (n, p) -> {
                            try (Socket s = new Socket()) {
                                s.connect(v6(p.tcp6()), WAIT_MILLIS);
                                return talk(s, n);
                            }
                        },
                        connectDenied(Ports::tcp6)),
                connect(
                        "Socket.option.TCP_NODELAY",
                        (n, p) -> {
                            try (Socket s = new Socket()) {
                                s.setTcpNoDelay(true);
                                s.connect(v4(p.tcp4()), WAIT_MILLIS);
                                return talk(s, n) + " nodelay=" + s.getTcpNoDelay();
                            }
                        },
                        connectDenied(Ports::tcp4)),
                // The kernel doubles what was asked (socket(7)): the same figure says the option got across.
                connect(
                        "Socket.option.buffers",
                        (n, p) -> {
                            try (Socket s = new Socket()) {
                                s.setReceiveBufferSize(48 * 1024);
                                s.setSendBufferSize(40 * 1024);
                                s.connect(v4(p.tcp4()), WAIT_MILLIS);
                                return talk(s, n) + " rcvbuf=" + s.getReceiveBufferSize() + " sndbuf="
                                        + s.getSendBufferSize();
                            }
                        },
                        connectDenied(Ports::tcp4)),
                connect(
                        "Socket.option.SO_KEEPALIVE",
                        (n, p) -> {
                            try (Socket s = new Socket()) {
                                s.setKeepAlive(true);
                                s.connect(v4(p.tcp4()), WAIT_MILLIS);
                                return talk(s, n) + " keepalive=" + s.getKeepAlive();
                            }
                        },
                        connectDenied(Ports::tcp4)),
                connect(
                        "Socket.option.bindLocal",
                        (n, p) -> {
                            try (Socket s = new Socket()) {
                                s.bind(new InetSocketAddress("127.0.0.1", 0));
                                s.connect(v4(p.tcp4()), WAIT_MILLIS);
                                return talk(s, n) + " local=" + s.getLocalAddress() + " bound=" + s.isBound();
                            }
                        },
                        // The JDK decides a client's bind as a listen on localhost:0 (the JDK's default policy grants
                        // it).
                        p -> "EX java\\.net\\.BindException: .*denied by airlock policy " + POLICY_NAMED
                                + ": listen \\S+:0\\b.*"),
                connect(
                        "Socket.option.SO_TIMEOUT",
                        (n, p) -> {
                            try (Socket s = new Socket()) {
                                s.setSoTimeout(300);
                                s.connect(v4(p.tcp4()), WAIT_MILLIS);
                                s.getOutputStream().write(("silent " + n + "\n").getBytes(StandardCharsets.UTF_8));
                                try {
                                    return "OK read " + s.getInputStream().read();
                                } catch (SocketTimeoutException expected) {
                                    return "OK " + expected.getClass().getName() + " timeout=" + s.getSoTimeout();
                                }
                            }
                        },
                        connectDenied(Ports::tcp4)),
                // The port is granted and nothing listens: the kernel's answer, exactly the JDK's own.
                new Entry(
                        "Socket.connect.refused",
                        Kind.CONNECT,
                        Status.BROKERED,
                        -1,
                        (n, p) -> {
                            try (Socket s = new Socket()) {
                                s.connect(v4(p.closed()), WAIT_MILLIS);
                                return "OK connected to a closed port";
                            }
                        },
                        p -> "EX java\\.net\\.ConnectException: Connection refused",
                        connectDenied(Ports::closed)));
    }

    // ------------------------------------------------------------------ java.nio.channels

    private static List<Entry> channels() {
        return List.of(
                connect(
                        "SocketChannel.open.address",
                        (n, p) -> {
                            try (SocketChannel c = SocketChannel.open(v4(p.tcp4()))) {
                                return talk(c, n);
                            }
                        },
                        connectDenied(Ports::tcp4)),
                connect(
                        "SocketChannel.connect.blocking6",
                        (n, p) -> {
                            try (SocketChannel c = SocketChannel.open()) {
                                c.connect(v6(p.tcp6()));
                                return talk(c, n) + " remote="
                                        + ((InetSocketAddress) c.getRemoteAddress()).getAddress();
                            }
                        },
                        connectDenied(Ports::tcp6)),
                connect(
                        "SocketChannel.option.TCP_NODELAY",
                        (n, p) -> {
                            try (SocketChannel c = SocketChannel.open()) {
                                c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                                c.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
                                c.connect(v4(p.tcp4()));
                                return talk(c, n) + " nodelay=" + c.getOption(StandardSocketOptions.TCP_NODELAY)
                                        + " keepalive=" + c.getOption(StandardSocketOptions.SO_KEEPALIVE);
                            }
                        },
                        connectDenied(Ports::tcp4)),
                connect(
                        "SocketChannel.nonBlocking.selector",
                        (n, p) -> {
                            try (SocketChannel c = SocketChannel.open();
                                    Selector selector = Selector.open()) {
                                c.configureBlocking(false);
                                if (!c.connect(v4(p.tcp4()))) {
                                    c.register(selector, SelectionKey.OP_CONNECT);
                                    if (selector.select(WAIT_MILLIS) == 0) {
                                        return "EX no OP_CONNECT within " + WAIT_MILLIS + " ms";
                                    }
                                    c.finishConnect();
                                }
                                c.write(ByteBuffer.wrap((n + "\n").getBytes(StandardCharsets.UTF_8)));
                                c.register(selector, SelectionKey.OP_READ);
                                selector.selectedKeys().clear();
                                ByteBuffer b = ByteBuffer.allocate(512);
                                while (b.position() == 0 || b.get(b.position() - 1) != '\n') {
                                    selector.select(WAIT_MILLIS);
                                    selector.selectedKeys().clear();
                                    if (c.read(b) < 0) {
                                        break;
                                    }
                                }
                                return "OK " + new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).strip()
                                        + " blocking=" + c.isBlocking();
                            }
                        },
                        connectDenied(Ports::tcp4)),
                connect(
                        "SocketChannel.nonBlocking.finishConnect6",
                        (n, p) -> {
                            try (SocketChannel c = SocketChannel.open()) {
                                c.configureBlocking(false);
                                boolean connected = c.connect(v6(p.tcp6()));
                                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
                                while (!connected && System.nanoTime() < deadline) {
                                    Thread.sleep(1);
                                    connected = c.finishConnect();
                                }
                                boolean stillNonBlocking = !c.isBlocking();
                                c.configureBlocking(true);
                                return talk(c, n) + " nonblocking=" + stillNonBlocking;
                            }
                        },
                        connectDenied(Ports::tcp6)),
                connect(
                        "SocketChannel.socket.connect",
                        (n, p) -> {
                            try (SocketChannel c = SocketChannel.open()) {
                                c.socket().connect(v4(p.tcp4()), WAIT_MILLIS);
                                return talk(c, n);
                            }
                        },
                        connectDenied(Ports::tcp4)),
                connect(
                        "AsynchronousSocketChannel.future",
                        (n, p) -> {
                            try (AsynchronousSocketChannel c = AsynchronousSocketChannel.open()) {
                                c.connect(v4(p.tcp4())).get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
                                return asyncTalk(c, n);
                            }
                        },
                        p -> "EX java\\.util\\.concurrent\\.ExecutionException: .*" + connectReason(p.tcp4())),
                connect(
                        "AsynchronousSocketChannel.future6",
                        (n, p) -> {
                            try (AsynchronousSocketChannel c = AsynchronousSocketChannel.open()) {
                                c.connect(v6(p.tcp6())).get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
                                return asyncTalk(c, n);
                            }
                        },
                        p -> "EX java\\.util\\.concurrent\\.ExecutionException: .*" + connectReason(p.tcp6())),
                connect(
                        "AsynchronousSocketChannel.handler",
                        (n, p) -> {
                            try (AsynchronousSocketChannel c = AsynchronousSocketChannel.open()) {
                                CompletableFuture<Void> done = new CompletableFuture<>();
                                c.connect(v4(p.tcp4()), null, new CompletionHandler<Void, Void>() {
                                    @Override
                                    public void completed(Void result, Void attachment) {
                                        done.complete(null);
                                    }

                                    @Override
                                    public void failed(Throwable e, Void attachment) {
                                        done.completeExceptionally(e);
                                    }
                                });
                                done.get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
                                return asyncTalk(c, n);
                            }
                        },
                        p -> "EX java\\.util\\.concurrent\\.ExecutionException: .*" + connectReason(p.tcp4())));
    }

    private static String asyncTalk(AsynchronousSocketChannel c, String name) throws Exception {
        c.write(ByteBuffer.wrap((name + "\n").getBytes(StandardCharsets.UTF_8)))
                .get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        ByteBuffer b = ByteBuffer.allocate(512);
        while (b.position() == 0 || b.get(b.position() - 1) != '\n') {
            if (c.read(b).get(WAIT_MILLIS, TimeUnit.MILLISECONDS) < 0) {
                break;
            }
        }
        return "OK " + new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).strip();
    }

    // ------------------------------------------------------------------ HTTP clients of the JDK

    private static String get(URL url) throws IOException {
        HttpURLConnection c = (HttpURLConnection) url.openConnection();
        try {
            c.setConnectTimeout(WAIT_MILLIS);
            c.setReadTimeout(WAIT_MILLIS);
            try (InputStream in = c.getInputStream()) {
                return "OK " + c.getResponseCode() + " " + new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } finally {
            c.disconnect();
        }
    }

    private static HttpClient client() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofMillis(WAIT_MILLIS))
                .build();
    }

    private static HttpRequest request(String uri) {
        return HttpRequest.newBuilder(URI.create(uri))
                .timeout(Duration.ofMillis(WAIT_MILLIS))
                .build();
    }

    /** The JDK's HTTP clients wrap the refused connect in exceptions of their own: the reason is in the chain. */
    private static Expectation httpDenied(String outer, java.util.function.ToIntFunction<Ports> port) {
        return p -> "EX " + Pattern.quote(outer) + ": " + connectReason(port.applyAsInt(p));
    }

    private static List<Entry> http() {
        return List.of(
                connect(
                        "HttpURLConnection.get",
                        (n, p) -> get(URI.create("http://127.0.0.1:" + p.tcp4() + "/" + n)
                                .toURL()),
                        connectDenied(Ports::tcp4)),
                connect(
                        "HttpURLConnection.get6",
                        (n, p) -> get(
                                URI.create("http://[::1]:" + p.tcp6() + "/" + n).toURL()),
                        connectDenied(Ports::tcp6)),
                connect(
                        "HttpURLConnection.localhost",
                        (n, p) -> get(URI.create("http://localhost:" + p.tcp4() + "/" + n)
                                .toURL()),
                        resolveDenied("localhost")),
                connect(
                        "HttpURLConnection.post",
                        (n, p) -> {
                            HttpURLConnection c =
                                    (HttpURLConnection) URI.create("http://127.0.0.1:" + p.tcp4() + "/" + n)
                                            .toURL()
                                            .openConnection();
                            try {
                                c.setDoOutput(true);
                                c.setConnectTimeout(WAIT_MILLIS);
                                c.setReadTimeout(WAIT_MILLIS);
                                try (OutputStream out = c.getOutputStream()) {
                                    out.write("posted".getBytes(StandardCharsets.UTF_8));
                                }
                                try (InputStream in = c.getInputStream()) {
                                    return "OK " + c.getResponseCode() + " "
                                            + new String(in.readAllBytes(), StandardCharsets.UTF_8);
                                }
                            } finally {
                                c.disconnect();
                            }
                        },
                        connectDenied(Ports::tcp4)),
                connect(
                        "URL.openStream",
                        (n, p) -> {
                            try (InputStream in = URI.create("http://127.0.0.1:" + p.tcp4() + "/" + n)
                                    .toURL()
                                    .openStream()) {
                                return "OK " + new String(in.readAllBytes(), StandardCharsets.UTF_8);
                            }
                        },
                        connectDenied(Ports::tcp4)),
                connect(
                        "HttpClient.send",
                        (n, p) -> {
                            HttpResponse<String> r = client().send(
                                            request("http://127.0.0.1:" + p.tcp4() + "/" + n),
                                            HttpResponse.BodyHandlers.ofString());
                            return "OK " + r.statusCode() + " " + r.version() + " " + r.body();
                        },
                        httpDenied("java.net.ConnectException", Ports::tcp4)),
                connect(
                        "HttpClient.send6",
                        (n, p) -> {
                            HttpResponse<String> r = client().send(
                                            request("http://[::1]:" + p.tcp6() + "/" + n),
                                            HttpResponse.BodyHandlers.ofString());
                            return "OK " + r.statusCode() + " " + r.body();
                        },
                        httpDenied("java.net.ConnectException", Ports::tcp6)),
                connect(
                        "HttpClient.sendAsync",
                        (n, p) -> {
                            HttpResponse<String> r = client().sendAsync(
                                            request("http://127.0.0.1:" + p.tcp4() + "/" + n),
                                            HttpResponse.BodyHandlers.ofString())
                                    .get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
                            return "OK " + r.statusCode() + " " + r.body();
                        },
                        p -> "EX java\\.util\\.concurrent\\.ExecutionException: " + connectReason(p.tcp4())),
                // Two requests on one client: the second reuses the kept-alive connection (the witness counts
                // connections).
                connect(
                        "HttpClient.keepAlive",
                        (n, p) -> {
                            HttpClient c = client();
                            String uri = "http://127.0.0.1:" + p.tcp4() + "/" + n;
                            String first = c.send(request(uri), HttpResponse.BodyHandlers.ofString())
                                    .body();
                            String second = c.send(request(uri + "/again"), HttpResponse.BodyHandlers.ofString())
                                    .body();
                            return "OK " + first + " | " + second;
                        },
                        httpDenied("java.net.ConnectException", Ports::tcp4)),
                // HttpClient resolves inside InetSocketAddress and reports any unresolved name as its own
                // ConnectException.
                connect(
                        "HttpClient.localhost",
                        (n, p) -> {
                            HttpResponse<String> r = client().send(
                                            request("http://localhost:" + p.tcp4() + "/" + n),
                                            HttpResponse.BodyHandlers.ofString());
                            return "OK " + r.statusCode() + " " + r.body();
                        },
                        p -> "EX java\\.net\\.ConnectException: .*"));
    }

    // ------------------------------------------------------------------ name resolution

    private static Entry resolve(String name, Action run, Expectation unconfined, Expectation denied) {
        return new Entry(name, Kind.RESOLVE, Status.BROKERED, -1, run, unconfined, denied);
    }

    private static List<Entry> resolution() {
        return List.of(
                resolve(
                        "InetAddress.getByName.localhost",
                        (n, p) -> "OK " + InetAddress.getByName("localhost"),
                        OK,
                        resolveDenied("localhost")),
                resolve(
                        "InetAddress.getAllByName.localhost",
                        (n, p) -> "OK "
                                + Arrays.stream(InetAddress.getAllByName("localhost"))
                                        .map(InetAddress::toString)
                                        .sorted()
                                        .toList(),
                        OK,
                        resolveDenied("localhost")),
                resolve(
                        "InetAddress.getByName.hostName",
                        (n, p) -> "OK " + InetAddress.getByName(p.hostName()).getHostName(),
                        OK,
                        p -> resolveDenied(p.hostName()).regex(p)),
                resolve(
                        "InetAddress.getByName.unknown",
                        (n, p) -> "OK " + InetAddress.getByName(UNKNOWN_NAME),
                        p -> "EX java\\.net\\.UnknownHostException: " + Pattern.quote(UNKNOWN_NAME) + ".*",
                        resolveDenied(UNKNOWN_NAME)),
                // Literals are not looked up: nothing to deny, the JDK answers at once.
                resolve(
                        "InetAddress.getByName.literal4",
                        (n, p) -> "OK " + InetAddress.getByName("127.0.0.1"),
                        p -> "OK /127\\.0\\.0\\.1",
                        p -> "OK /127\\.0\\.0\\.1"),
                resolve(
                        "InetAddress.getAllByName.literal6",
                        (n, p) -> "OK " + Arrays.toString(InetAddress.getAllByName("::1")),
                        p -> "OK \\[/0:0:0:0:0:0:0:1\\]",
                        p -> "OK \\[/0:0:0:0:0:0:0:1\\]"),
                // Where resolving the local host's name is not allowed, the JDK answers the loopback address.
                resolve(
                        "InetAddress.getLocalHost",
                        (n, p) -> "OK " + InetAddress.getLocalHost(),
                        OK,
                        p -> "OK localhost/127\\.0\\.0\\.1"),
                // A reverse lookup the JDK may not make answers the address as text.
                resolve(
                        "InetAddress.getCanonicalHostName",
                        (n, p) -> "OK " + InetAddress.getByName("127.0.0.1").getCanonicalHostName(),
                        OK,
                        p -> "OK 127\\.0\\.0\\.1"),
                resolve(
                        "InetSocketAddress.new.localhost",
                        (n, p) -> {
                            InetSocketAddress a = new InetSocketAddress("localhost", p.tcp4());
                            return "OK unresolved=" + a.isUnresolved() + " " + a.getAddress();
                        },
                        OK,
                        p -> "OK unresolved=true null"));
    }

    // ------------------------------------------------------------------ listening

    /** Airlock's reason for a refused bind to {@code port}. */
    private static Expectation listenDenied(String type, int slot) {
        return p -> "EX " + Pattern.quote(type) + ": .*denied by airlock policy " + POLICY_NAMED + ": listen \\S+:"
                + p.listen().get(slot) + "\\b.*";
    }

    private static Entry listen(String name, int slot, Action run, Expectation denied) {
        return new Entry(name, Kind.LISTEN, Status.BROKERED, slot, run, OK, denied);
    }

    /** Reads the knocker's request line and answers it; the request line. */
    private static String answerKnock(Socket c) throws IOException {
        c.setSoTimeout(WAIT_MILLIS);
        BufferedReader in = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8));
        String request = in.readLine();
        for (String h = in.readLine(); h != null && !h.isEmpty(); h = in.readLine()) {
            // headers: nothing to do with them
        }
        c.getOutputStream()
                .write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                        .getBytes(StandardCharsets.US_ASCII));
        c.getOutputStream().flush();
        return request;
    }

    /** A blocking accept has no timeout of its own: if no knock comes, closing the channel ends it. */
    private static void closeLater(java.io.Closeable channel) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(WAIT_MILLIS);
                channel.close();
            } catch (InterruptedException | IOException e) {
                // the entry is over either way
            }
        });
        t.setDaemon(true);
        t.start();
    }

    private static String answerKnock(ByteChannel c) throws IOException {
        String request = readLine(c);
        c.write(ByteBuffer.wrap("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                .getBytes(StandardCharsets.US_ASCII)));
        return request.lines().findFirst().orElse("");
    }

    private static List<Entry> listening() {
        return List.of(
                listen(
                        "ServerSocket.literal4",
                        0,
                        (n, p) -> {
                            try (ServerSocket server =
                                    new ServerSocket(p.listen().get(0), 50, InetAddress.getByName("127.0.0.1"))) {
                                server.setSoTimeout(WAIT_MILLIS);
                                try (Socket c = server.accept()) {
                                    return "OK accepted " + answerKnock(c) + " bound=" + server.getInetAddress();
                                }
                            }
                        },
                        listenDenied("java.net.BindException", 0)),
                listen(
                        "ServerSocket.literal6",
                        1,
                        (n, p) -> {
                            try (ServerSocket server =
                                    new ServerSocket(p.listen().get(1), 50, InetAddress.getByName("::1"))) {
                                server.setSoTimeout(WAIT_MILLIS);
                                try (Socket c = server.accept()) {
                                    return "OK accepted " + answerKnock(c) + " bound=" + server.getInetAddress();
                                }
                            }
                        },
                        listenDenied("java.net.BindException", 1)),
                listen(
                        "ServerSocket.bind.wildcard",
                        2,
                        (n, p) -> {
                            try (ServerSocket server = new ServerSocket()) {
                                server.setReuseAddress(true);
                                server.bind(new InetSocketAddress(p.listen().get(2)));
                                server.setSoTimeout(WAIT_MILLIS);
                                try (Socket c = server.accept()) {
                                    return "OK accepted " + answerKnock(c) + " reuse=" + server.getReuseAddress();
                                }
                            }
                        },
                        listenDenied("java.net.BindException", 2)),
                listen(
                        "ServerSocketChannel.blocking",
                        3,
                        (n, p) -> {
                            try (ServerSocketChannel server = ServerSocketChannel.open()) {
                                server.bind(new InetSocketAddress(
                                        "127.0.0.1", p.listen().get(3)));
                                closeLater(server);
                                try (SocketChannel c = server.accept()) {
                                    return "OK accepted " + answerKnock(c);
                                }
                            }
                        },
                        listenDenied("java.net.BindException", 3)),
                listen(
                        "ServerSocketChannel.nonBlocking.selector",
                        4,
                        (n, p) -> {
                            try (ServerSocketChannel server = ServerSocketChannel.open();
                                    Selector selector = Selector.open()) {
                                server.bind(
                                        new InetSocketAddress("::1", p.listen().get(4)));
                                server.configureBlocking(false);
                                server.register(selector, SelectionKey.OP_ACCEPT);
                                if (selector.select(WAIT_MILLIS) == 0) {
                                    return "EX no OP_ACCEPT within " + WAIT_MILLIS + " ms";
                                }
                                try (SocketChannel c = server.accept()) {
                                    c.configureBlocking(true);
                                    return "OK accepted " + answerKnock(c);
                                }
                            }
                        },
                        listenDenied("java.net.BindException", 4)),
                listen(
                        "AsynchronousServerSocketChannel.accept",
                        5,
                        (n, p) -> {
                            try (AsynchronousServerSocketChannel server = AsynchronousServerSocketChannel.open()) {
                                server.bind(new InetSocketAddress(
                                        "127.0.0.1", p.listen().get(5)));
                                try (AsynchronousSocketChannel c =
                                        server.accept().get(WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                                    ByteBuffer b = ByteBuffer.allocate(1024);
                                    c.read(b).get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
                                    String request = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
                                    c.write(ByteBuffer.wrap(
                                                    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                                                            .getBytes(StandardCharsets.US_ASCII)))
                                            .get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
                                    return "OK accepted "
                                            + request.lines().findFirst().orElse("");
                                }
                            }
                        },
                        listenDenied("java.net.BindException", 5)),
                listen(
                        "HttpServer.create",
                        6,
                        (n, p) -> {
                            HttpServer server = HttpServer.create(
                                    new InetSocketAddress(
                                            "127.0.0.1", p.listen().get(6)),
                                    0);
                            CountDownLatch served = new CountDownLatch(1);
                            String[] seen = new String[1];
                            server.createContext("/", exchange -> {
                                seen[0] = exchange.getRequestMethod() + " " + exchange.getRequestURI();
                                byte[] body = "ok".getBytes(StandardCharsets.US_ASCII);
                                exchange.sendResponseHeaders(200, body.length);
                                try (OutputStream out = exchange.getResponseBody()) {
                                    out.write(body);
                                }
                                served.countDown();
                            });
                            server.start();
                            try {
                                return served.await(WAIT_MILLIS, TimeUnit.MILLISECONDS)
                                        ? "OK served " + seen[0]
                                        : "EX no request within " + WAIT_MILLIS + " ms";
                            } finally {
                                server.stop(0);
                            }
                        },
                        listenDenied("java.net.BindException", 6)));
    }

    // ------------------------------------------------------------------ datagrams

    /**
     * Today the kernel refuses the helper's datagram sockets whatever the policy says (seccomp):
     * the JDK reports the refused socket as a SocketException, or as its subclass BindException for
     * the implicit bind to an ephemeral port.
     */
    private static final Expectation DATAGRAM_REFUSED = p -> "EX java\\.net\\.(SocketException|BindException): .*";

    private static Entry datagram(String name, Action run) {
        return new Entry(name, Kind.DATAGRAM, Status.NOT_YET_BROKERED, -1, run, OK, DATAGRAM_REFUSED);
    }

    private static String echo(DatagramSocket s, String name, SocketAddress to) throws IOException {
        byte[] data = name.getBytes(StandardCharsets.UTF_8);
        s.setSoTimeout(WAIT_MILLIS);
        if (to == null) {
            s.send(new DatagramPacket(data, data.length));
        } else {
            s.send(new DatagramPacket(data, data.length, to));
        }
        DatagramPacket reply = new DatagramPacket(new byte[512], 512);
        s.receive(reply);
        return "OK " + new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8);
    }

    private static String echo(DatagramChannel c, String name, SocketAddress to) throws IOException {
        ByteBuffer data = ByteBuffer.wrap(name.getBytes(StandardCharsets.UTF_8));
        if (to == null) {
            c.write(data);
        } else {
            c.send(data, to);
        }
        ByteBuffer reply = ByteBuffer.allocate(512);
        c.receive(reply);
        return "OK " + new String(reply.array(), 0, reply.position(), StandardCharsets.UTF_8);
    }

    private static List<Entry> datagrams() {
        return List.of(
                datagram("DatagramSocket.send4", (n, p) -> {
                    try (DatagramSocket s = new DatagramSocket()) {
                        return echo(s, n, v4(p.udp4()));
                    }
                }),
                datagram("DatagramSocket.send6", (n, p) -> {
                    try (DatagramSocket s = new DatagramSocket()) {
                        return echo(s, n, v6(p.udp6()));
                    }
                }),
                datagram("DatagramSocket.connect", (n, p) -> {
                    try (DatagramSocket s = new DatagramSocket()) {
                        s.connect(v4(p.udp4()));
                        return echo(s, n, null) + " connected=" + s.isConnected();
                    }
                }),
                datagram("DatagramChannel.send", (n, p) -> {
                    try (DatagramChannel c = DatagramChannel.open()) {
                        return echo(c, n, v4(p.udp4()));
                    }
                }),
                datagram("DatagramChannel.connect6", (n, p) -> {
                    try (DatagramChannel c = DatagramChannel.open()) {
                        c.connect(v6(p.udp6()));
                        return echo(c, n, null);
                    }
                }));
    }
}
