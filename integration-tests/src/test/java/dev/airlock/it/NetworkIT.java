package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.airlock.it.app.NetProbe;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The program's TCP sockets, brokered (docs/ARCHITECTURE.md, "The network"), on JDK 17 and 25:
 * every client API connects to the test's loopback listener and HTTP server where the policy
 * grants it, with the options it set before connecting; a denial is the JDK's exception with the
 * policy's reason and nothing arrives at the listener; a granted port with nothing behind it is
 * exactly "Connection refused"; the server APIs listen on granted ports (port 80 too, as nobody)
 * and answer the test, and are refused elsewhere.
 */
class NetworkIT {

    /** A loopback listener that answers each line {@code ping} with {@code pong} and records each connection. */
    private static final class Echo implements AutoCloseable {
        final ServerSocket server;
        final List<String> connections = Collections.synchronizedList(new ArrayList<>());

        Echo() throws IOException {
            this(InetAddress.getLoopbackAddress());
        }

        Echo(InetAddress address) throws IOException {
            server = new ServerSocket(0, 50, address);
            Thread t = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket c = server.accept();
                        connections.add("from " + c.getRemoteSocketAddress());
                        Thread h = new Thread(() -> answer(c));
                        h.setDaemon(true);
                        h.start();
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            t.setDaemon(true);
            t.start();
        }

        private static void answer(Socket c) {
            try (c) {
                c.setSoTimeout(10_000);
                BufferedReader in =
                        new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8));
                String line = in.readLine();
                if ("ping".equals(line)) {
                    c.getOutputStream().write("pong\n".getBytes(StandardCharsets.UTF_8));
                }
            } catch (IOException ignored) {
                // the client went away
            }
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    private static HttpServer http() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = "hello from the test".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return server;
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    private static Path policy(Sandbox s, String... permissions) throws IOException {
        StringBuilder text = new StringBuilder("grant {\n");
        for (String p : permissions) {
            text.append("  permission java.net.SocketPermission ").append(p).append(";\n");
        }
        return s.policy("net.policy", text.append("};\n").toString());
    }

    private static AttackKit.Session probe(Sandbox s, Jdk jdk, Path policy, String... ops) throws IOException {
        s.copyClass(NetProbe.class);
        List<String> args = new ArrayList<>(List.of("-cp", s.app.toString(), NetProbe.class.getName()));
        args.addAll(List.of(ops));
        return AttackKit.start(Sandbox.javaCommand(jdk, policy, args));
    }

    private static AttackKit.Session runToEnd(Sandbox s, Jdk jdk, Path policy, String... ops) throws Exception {
        AttackKit.Session run = probe(s, jdk, policy, ops);
        run.finish();
        return run;
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void everyClientApiConnectsWhereGranted(Jdk jdk) throws Exception {
        HttpServer web = http();
        try (Sandbox s = new Sandbox();
                Echo echo = new Echo()) {
            int e = echo.port();
            int h = web.getAddress().getPort();
            Path policy = policy(s, "\"127.0.0.1:" + e + "\", \"connect\"", "\"localhost:" + h + "\", \"connect\"");
            String url = "http://127.0.0.1:" + h + "/";
            String[] ops = {
                "socket,127.0.0.1," + e,
                "socket,localhost," + e,
                "socket-timeout,127.0.0.1," + e + ",5000",
                "channel,127.0.0.1," + e,
                "channel-nb,127.0.0.1," + e,
                "async,127.0.0.1," + e,
                "url," + url,
                "httpclient," + url,
            };
            AttackKit.Session run = runToEnd(s, jdk, policy, ops);
            assertEquals("OK pong", run.answer(ops[0]), run.stderr());
            assertEquals("OK pong", run.answer(ops[1]));
            assertEquals("OK pong", run.answer(ops[2]));
            assertEquals("OK pong", run.answer(ops[3]));
            assertEquals("OK pong blocking=false", run.answer(ops[4]), "a non-blocking channel stays non-blocking");
            assertEquals("OK pong", run.answer(ops[5]));
            assertEquals("OK 200 hello from the test", run.answer(ops[6]));
            assertEquals("OK 200 hello from the test", run.answer(ops[7]));
            assertEquals(6, echo.connections.size(), "one connection per socket API: " + echo.connections);
        } finally {
            web.stop(0);
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    @SuppressWarnings("AddressSelection") // a numeric loopback literal: no name is looked up
    void anIpv6LiteralConnectsWhereGranted(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox();
                Echo echo = new Echo(InetAddress.getByName("::1"))) {
            Path policy = policy(s, "\"[::1]:" + echo.port() + "\", \"connect\"");
            // The channels need the JDK to see IPv6 in the helper's network namespace (as root):
            // see ARCHITECTURE, "IPv6 in the helper's namespace".
            int e = echo.port();
            String[] ops = {
                "socket,::1," + e, "channel,::1," + e, "channel-nb,::1," + e, "async,::1," + e, "socket,127.0.0.1," + e
            };
            AttackKit.Session run = runToEnd(s, jdk, policy, ops);
            assertEquals("OK pong", run.answer(ops[0]), run.stderr());
            assertEquals("OK pong", run.answer(ops[1]), "a SocketChannel to an IPv6 literal");
            assertEquals("OK pong blocking=false", run.answer(ops[2]));
            assertEquals("OK pong", run.answer(ops[3]));
            assertEquals(
                    "EX java.net.SocketException: denied by airlock policy " + policy + ": connect 127.0.0.1:" + e
                            + " (closest grant: " + policy + ":2 \"[::1]:" + e + "\" grants connect on port " + e
                            + ", for another host)",
                    run.answer(ops[4]));
            assertEquals(4, echo.connections.size(), echo.connections.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void optionsSetBeforeConnectingAreKept(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox();
                Echo echo = new Echo()) {
            Path policy = policy(s, "\"127.0.0.1:" + echo.port() + "\", \"connect\"");
            String op = "socket-options,127.0.0.1," + echo.port();
            String answer = runToEnd(s, jdk, policy, op).answer(op);
            // The JDK's own getters read the adopted socket (the JDK halves the kernel's doubled buffer
            // sizes, so they read as set): what a plain java prints for the same operation.
            assertEquals(
                    "OK pong same=true nodelay=true keepalive=true sndbuf=32768 rcvbuf=49152 linger=7 tos=16", answer);
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void aClientSocketBoundToALocalPortKeepsIt(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox();
                Echo echo = new Echo()) {
            int local = freePort();
            Path policy = policy(
                    s, "\"127.0.0.1:" + echo.port() + "\", \"connect\"", "\"localhost:" + local + "\", \"listen\"");
            String op = "socket-bound,127.0.0.1," + echo.port() + "," + local;
            assertEquals("OK pong local=" + local, runToEnd(s, jdk, policy, op).answer(op));
            assertEquals(List.of("from /127.0.0.1:" + local), echo.connections);
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void deniedConnectsNameThePolicyAndReachNothing(Jdk jdk) throws Exception {
        HttpServer web = http();
        try (Sandbox s = new Sandbox();
                Echo echo = new Echo()) {
            int e = echo.port();
            int h = web.getAddress().getPort();
            Path policy = policy(s, "\"127.0.0.1:" + (e + 1) + "\", \"connect\"");
            String[] ops = {
                "socket,127.0.0.1," + e,
                "socket-timeout,127.0.0.1," + e + ",5000",
                "channel,127.0.0.1," + e,
                "channel-nb,127.0.0.1," + e,
                "async,127.0.0.1," + e,
                "url,http://127.0.0.1:" + h + "/",
                "httpclient,http://127.0.0.1:" + h + "/",
            };
            AttackKit.Session run = runToEnd(s, jdk, policy, ops);
            // The program is told which grant came closest: the same address on another port.
            String reason = "denied by airlock policy " + policy + ": connect 127.0.0.1:" + e + " (closest grant: "
                    + policy + ":2 \"127.0.0.1:" + (e + 1) + "\" grants connect, not on port " + e + ")";
            assertEquals("EX java.net.SocketException: " + reason, run.answer(ops[0]), run.stderr());
            assertEquals("EX java.net.SocketException: " + reason, run.answer(ops[1]));
            assertEquals("EX java.net.SocketException: " + reason, run.answer(ops[2]));
            assertEquals("EX java.net.SocketException: " + reason, run.answer(ops[3]));
            assertEquals(
                    "EX java.util.concurrent.ExecutionException: java.net.SocketException: " + reason,
                    run.answer(ops[4]));
            String webReason = "denied by airlock policy " + policy + ": connect 127.0.0.1:" + h + " (closest grant: "
                    + policy + ":2 \"127.0.0.1:" + (e + 1) + "\" grants connect, not on port " + h + ")";
            assertEquals("EX java.net.SocketException: " + webReason, run.answer(ops[5]));
            assertTrue(run.answer(ops[6]).contains(webReason), run.answer(ops[6]));
            Thread.sleep(300);
            assertEquals(List.of(), echo.connections, "nothing reached the listener");
        } finally {
            web.stop(0);
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void aGrantedPortWithNothingListeningIsConnectionRefused(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            int port = freePort();
            Path policy = policy(s, "\"127.0.0.1:" + port + "\", \"connect\"");
            String[] ops = {
                "socket,127.0.0.1," + port,
                "socket-timeout,127.0.0.1," + port + ",3000",
                "channel,127.0.0.1," + port,
                "channel-nb,127.0.0.1," + port,
            };
            AttackKit.Session run = runToEnd(s, jdk, policy, ops);
            for (String op : ops) {
                assertEquals("EX java.net.ConnectException: Connection refused", run.answer(op), run.stderr());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void serversListenOnGrantedPortsAndAnswerTheTest(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            int a = freePort();
            int b = freePort();
            int c = freePort();
            Path policy = policy(
                    s,
                    "\"localhost:" + a + "\", \"listen\"",
                    "\"localhost:" + b + "\", \"listen\"",
                    "\"127.0.0.1:" + c + "\", \"listen\"");
            String[] ops = {
                "serve-socket," + a + ",127.0.0.1", "serve-channel," + b + ",0.0.0.0", "serve-http," + c + ",127.0.0.1"
            };
            try (AttackKit.Session run = probe(s, jdk, policy, ops)) {
                assertEquals("echo hello", talk(run, a));
                assertEquals("echo hello", talk(run, b));
                run.await(l -> l.equals("listening " + c), "the HTTP server listening");
                assertEquals("200 served from the sandbox", get("http://127.0.0.1:" + c + "/"));
                run.finish();
                assertEquals("OK got hello from 127.0.0.1", run.answer(ops[0]), run.stderr());
                assertEquals("OK got hello from 127.0.0.1", run.answer(ops[1]));
                assertEquals("OK served", run.answer(ops[2]));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void aDeniedListenNamesThePolicyAndOpensNothing(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            int port = freePort();
            Path policy = policy(s, "\"localhost:" + (port + 1) + "\", \"listen\"");
            String[] ops = {"serve-socket," + port + ",127.0.0.1", "serve-channel," + port + ",0.0.0.0"};
            AttackKit.Session run = runToEnd(s, jdk, policy, ops);
            String closest = " (closest grant: " + policy + ":2 \"localhost:" + (port + 1)
                    + "\" grants listen, not on port " + port + ")";
            assertEquals(
                    "EX java.net.BindException: denied by airlock policy " + policy + ": listen 127.0.0.1:" + port
                            + closest,
                    run.answer(ops[0]),
                    run.stderr());
            assertEquals(
                    "EX java.net.BindException: denied by airlock policy " + policy + ": listen 0.0.0.0:" + port
                            + closest,
                    run.answer(ops[1]));
            assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), port).close());
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void anHttpServerListensOnPort80AsNobody(Jdk jdk) throws Exception {
        Assumptions.assumeTrue(
                Sandbox.isRoot(), "needs root: the helper runs as nobody only when Airlock runs as root");
        try (Sandbox s = new Sandbox()) {
            Path policy = policy(s, "\"localhost:80\", \"listen\"");
            String op = "serve-http,80,127.0.0.1";
            try (AttackKit.Session run = probe(s, jdk, policy, op)) {
                run.await(l -> l.equals("listening 80"), "the HTTP server listening on port 80");
                assertEquals("200 served from the sandbox", get("http://127.0.0.1:80/"));
                run.finish();
                assertEquals("OK served", run.answer(op), run.stderr());
            }
        }
    }

    /** Waits for the probe's {@code listening PORT}, then sends {@code hello} and returns the answer. */
    private static String talk(AttackKit.Session run, int port) throws Exception {
        run.await(l -> l.equals("listening " + port), "listening " + port);
        try (Socket c = new Socket()) {
            c.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            c.setSoTimeout(10_000);
            c.getOutputStream().write("hello\n".getBytes(StandardCharsets.UTF_8));
            return new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8)).readLine();
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no answer on port " + port, e);
        }
    }

    private static String get(String url) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        c.setConnectTimeout(5000);
        c.setReadTimeout(10_000);
        try (InputStream in = c.getInputStream()) {
            return c.getResponseCode() + " " + new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
