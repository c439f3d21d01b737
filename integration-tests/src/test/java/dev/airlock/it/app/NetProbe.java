package dev.airlock.it.app;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The network entry points of the JDK, run inside the sandbox by {@code NetworkIT}: one operation
 * per argument, each printing {@code OP OK result} or {@code OP EX class: message}. Client
 * operations talk to the test's listener, which answers a line {@code ping} with {@code pong}
 * (and an HTTP server of the test's); server operations print {@code listening PORT} on stdout,
 * then serve one connection from the test.
 */
public final class NetProbe {
    private NetProbe() {}

    public static void main(String[] args) {
        for (String op : args) {
            String result;
            try {
                result = "OK " + run(op);
            } catch (Exception e) {
                result = "EX " + e.getClass().getName() + ": " + e.getMessage();
            }
            System.out.println(op + " " + result);
        }
    }

    private static String run(String op) throws Exception {
        String[] p = op.split(",", -1);
        switch (p[0]) {
            case "socket": {
                try (Socket s = new Socket(p[1], Integer.parseInt(p[2]))) {
                    return ping(s);
                }
            }
            case "socket-timeout": {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(p[1], Integer.parseInt(p[2])), Integer.parseInt(p[3]));
                    return ping(s);
                }
            }
            case "socket-options": {
                try (Socket s = new Socket()) {
                    s.setTcpNoDelay(true);
                    s.setKeepAlive(true);
                    s.setSendBufferSize(32768);
                    s.setReceiveBufferSize(49152);
                    s.setSoLinger(true, 7);
                    s.setOption(StandardSocketOptions.IP_TOS, 0x10);
                    Socket same = s;
                    s.connect(new InetSocketAddress(p[1], Integer.parseInt(p[2])), 5000);
                    return ping(s) + " same=" + (same == s) + " nodelay=" + s.getTcpNoDelay() + " keepalive="
                            + s.getKeepAlive() + " sndbuf=" + s.getSendBufferSize() + " rcvbuf="
                            + s.getReceiveBufferSize() + " linger=" + s.getSoLinger() + " tos="
                            + s.getOption(StandardSocketOptions.IP_TOS);
                }
            }
            case "socket-bound": {
                try (Socket s = new Socket()) {
                    s.bind(new InetSocketAddress(InetAddress.getByName(p[1]), Integer.parseInt(p[3])));
                    s.connect(new InetSocketAddress(p[1], Integer.parseInt(p[2])), 5000);
                    return ping(s) + " local=" + s.getLocalPort();
                }
            }
            case "channel": {
                try (SocketChannel c = SocketChannel.open(new InetSocketAddress(p[1], Integer.parseInt(p[2])))) {
                    return ping(c.socket());
                }
            }
            case "channel-nb": {
                try (SocketChannel c = SocketChannel.open();
                        Selector selector = Selector.open()) {
                    c.configureBlocking(false);
                    boolean connected = c.connect(new InetSocketAddress(p[1], Integer.parseInt(p[2])));
                    c.register(selector, SelectionKey.OP_CONNECT);
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (!connected && System.nanoTime() < deadline) {
                        selector.select(1000);
                        connected = c.finishConnect();
                    }
                    c.write(ByteBuffer.wrap("ping\n".getBytes(StandardCharsets.UTF_8)));
                    ByteBuffer in = ByteBuffer.allocate(64);
                    c.keyFor(selector).interestOps(SelectionKey.OP_READ);
                    while (in.position() == 0 || in.get(in.position() - 1) != '\n') {
                        selector.select(1000);
                        if (c.read(in) < 0) {
                            break;
                        }
                    }
                    return new String(in.array(), 0, in.position(), StandardCharsets.UTF_8).strip() + " blocking="
                            + c.isBlocking();
                }
            }
            case "async": {
                try (AsynchronousSocketChannel c = AsynchronousSocketChannel.open()) {
                    c.connect(new InetSocketAddress(p[1], Integer.parseInt(p[2])))
                            .get(10, TimeUnit.SECONDS);
                    c.write(ByteBuffer.wrap("ping\n".getBytes(StandardCharsets.UTF_8)))
                            .get(10, TimeUnit.SECONDS);
                    ByteBuffer in = ByteBuffer.allocate(64);
                    while (in.position() == 0 || in.get(in.position() - 1) != '\n') {
                        if (c.read(in).get(10, TimeUnit.SECONDS) < 0) {
                            break;
                        }
                    }
                    return new String(in.array(), 0, in.position(), StandardCharsets.UTF_8).strip();
                }
            }
            case "url": {
                HttpURLConnection c =
                        (HttpURLConnection) URI.create(p[1]).toURL().openConnection();
                try (InputStream in = c.getInputStream()) {
                    return c.getResponseCode() + " " + new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
            case "httpclient": {
                HttpClient client = HttpClient.newBuilder()
                        .connectTimeout(Duration.ofSeconds(10))
                        .build();
                HttpResponse<String> r = client.send(
                        HttpRequest.newBuilder(URI.create(p[1])).build(), HttpResponse.BodyHandlers.ofString());
                return r.statusCode() + " " + r.body();
            }
            case "serve-socket": {
                try (ServerSocket server = new ServerSocket(Integer.parseInt(p[1]), 50, InetAddress.getByName(p[2]))) {
                    listening(server.getLocalPort());
                    try (Socket c = server.accept()) {
                        return serve(c);
                    }
                }
            }
            case "serve-channel": {
                try (ServerSocketChannel server = ServerSocketChannel.open()) {
                    server.bind(new InetSocketAddress(InetAddress.getByName(p[2]), Integer.parseInt(p[1])));
                    listening(((InetSocketAddress) server.getLocalAddress()).getPort());
                    try (SocketChannel c = server.accept()) {
                        return serve(c.socket());
                    }
                }
            }
            case "serve-http": {
                HttpServer server = HttpServer.create(
                        new InetSocketAddress(InetAddress.getByName(p[2]), Integer.parseInt(p[1])), 0);
                java.util.concurrent.CountDownLatch served = new java.util.concurrent.CountDownLatch(1);
                server.createContext("/", exchange -> {
                    byte[] body = "served from the sandbox".getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(200, body.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                    served.countDown();
                });
                server.start();
                listening(server.getAddress().getPort());
                boolean done = served.await(60, TimeUnit.SECONDS);
                server.stop(0);
                return done ? "served" : "nobody came";
            }
            default:
                throw new IllegalArgumentException("unknown operation " + op);
        }
    }

    private static void listening(int port) {
        System.out.println("listening " + port);
        System.out.flush();
    }

    private static String ping(Socket s) throws IOException {
        s.getOutputStream().write("ping\n".getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }

    private static String serve(Socket c) throws IOException {
        String line = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8)).readLine();
        c.getOutputStream().write(("echo " + line + "\n").getBytes(StandardCharsets.UTF_8));
        c.getOutputStream().flush();
        return "got " + line + " from " + c.getInetAddress().getHostAddress();
    }
}
