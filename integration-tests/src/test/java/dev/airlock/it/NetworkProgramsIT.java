package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.airlock.it.app.ExceptionChain;
import dev.airlock.it.app.HttpClientProgram;
import dev.airlock.it.app.PostgresProgram;
import dev.airlock.it.app.WebServerProgram;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Real network programs not written for Airlock, from artifacts the build fetches from Maven
 * Central, each run plainly and under {@code airlock run} (as {@link RealProgramsIT} runs the
 * file-bound ones): the PostgreSQL JDBC driver against a real PostgreSQL server the tests start on
 * loopback ({@link PostgresServer}), Apache HttpClient against the JDK's HttpServer started by the
 * test, and a service on the JDK's HttpServer listening on port 80 as {@code nobody}, answering a
 * request from outside the sandbox. Granted, each prints exactly what it prints plainly; denied,
 * the library's own exception carries Airlock's reason and the server's own log shows that nothing
 * reached it.
 */
final class NetworkProgramsIT {
    private static PostgresServer postgres;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = PostgresServer.start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    private static Path cwd(Sandbox s) throws IOException {
        return java.nio.file.Files.createDirectories(s.root.resolve("cwd"));
    }

    private static String connectGrant(String hostPort) {
        return "grant {\n  permission java.net.SocketPermission \"" + hostPort + "\", \"connect\";\n};\n";
    }

    /** A loopback port nothing listens on: what a denied policy grants instead, so it grants something real. */
    private static int unrelatedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Airlock's reason for refusing a connect to {@code port} under the policy file {@code policy}, named as given. */
    private static String reason(Path policy, int port) {
        return "denied by airlock policy " + policy + ": connect 127.0.0.1:" + port;
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void postgresqlJdbcDriver(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            s.copyClass(PostgresProgram.class);
            s.copyClass(ExceptionChain.class);
            RealProgram program = new RealProgram("postgresql", s, "org.postgresql.Driver");
            Path policy = s.policy("db.policy", connectGrant("127.0.0.1:" + postgres.port()));
            List<String> args = program.javaArgs(PostgresProgram.class, postgres.jdbcUrl());

            int before = postgres.connectionsReceived().size();
            RealProgram.Run plain = program.plain(jdk, cwd(s), args);
            int afterPlain = postgres.connectionsReceived().size();
            RealProgram.Run confined = program.confined(jdk, cwd(s), policy, args);
            int afterConfined = postgres.connectionsReceived().size();

            program.assertSameOutput(jdk, plain, confined);
            List<String> out = plain.result().stdout();
            assertTrue(out.contains("inserted 200"), out.toString());
            // 190 items priced id/10, those with an id divisible by 3 doubled; the rolled-back update left no trace.
            assertTrue(out.contains("row 190 2419.30 item-99"), out.toString());
            // The server saw both clients come from loopback: the brokered socket is an ordinary one.
            assertTrue(out.stream().anyMatch(l -> l.matches("row \\d+ 127\\.0\\.0\\.1")), out.toString());
            assertTrue(out.contains("expensive item-186"), out.toString());
            assertEquals(afterPlain - before, afterConfined - afterPlain, "connections the server received per run");
            assertTrue(afterPlain > before, "the server logged no connection: the witness proves nothing");
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void postgresqlDeniedReachesNoServer(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            s.copyClass(PostgresProgram.class);
            s.copyClass(ExceptionChain.class);
            RealProgram program = new RealProgram("postgresql", s, "org.postgresql.Driver");
            Path policy = s.policy("db.policy", connectGrant("127.0.0.1:" + unrelatedPort()));
            List<String> before = postgres.connectionsReceived();
            RealProgram.Run denied =
                    program.confined(jdk, cwd(s), policy, program.javaArgs(PostgresProgram.class, postgres.jdbcUrl()));
            String out = String.join("\n", denied.result().stdout());
            assertEquals(
                    1, denied.result().exitCode(), out + "\n" + denied.result().stderr());
            assertTrue(out.startsWith("EX org.postgresql.util.PSQLException: "), out);
            assertTrue(
                    out.contains(reason(policy, postgres.port())),
                    "the driver's exception carries Airlock's reason: " + out);
            Thread.sleep(200);
            assertEquals(before, postgres.connectionsReceived(), "connections the server received from the denied run");
        }
    }

    /** The JDK's HttpServer on loopback, counting the requests it answered and the connections they came on. */
    private static final class Server implements AutoCloseable {
        final HttpServer http;
        final List<String> requests = Collections.synchronizedList(new ArrayList<>());
        final Set<Integer> connections = Collections.synchronizedSet(new HashSet<>());

        @SuppressWarnings("AddressSelection") // the numeric loopback literal: no name is looked up
        Server() throws IOException {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
            http.createContext("/", exchange -> {
                byte[] body = exchange.getRequestBody().readAllBytes();
                requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
                connections.add(exchange.getRemoteAddress().getPort());
                String path = exchange.getRequestURI().getPath();
                String answer = path.equals("/echo")
                        ? "echo " + new String(body, StandardCharsets.UTF_8)
                        : "hello " + exchange.getRequestURI();
                byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, bytes.length);
                try (OutputStream o = exchange.getResponseBody()) {
                    o.write(bytes);
                }
            });
            http.start();
        }

        int port() {
            return http.getAddress().getPort();
        }

        void clear() {
            requests.clear();
            connections.clear();
        }

        @Override
        public void close() {
            http.stop(0);
        }
    }

    private static RealProgram httpClientProgram(Sandbox s) throws IOException {
        s.copyClass(HttpClientProgram.class);
        s.copyClass(ExceptionChain.class);
        return new RealProgram(
                "httpclient5",
                s,
                "org.apache.hc.client5.http.impl.classic.HttpClients",
                "org.apache.hc.core5.http.HttpHost",
                "org.apache.hc.core5.http2.HttpVersionPolicy",
                "org.slf4j.Logger");
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void apacheHttpClient(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox();
                Server server = new Server()) {
            RealProgram program = httpClientProgram(s);
            Path policy = s.policy("http.policy", connectGrant("127.0.0.1:" + server.port()));
            List<String> args = program.javaArgs(HttpClientProgram.class, "http://127.0.0.1:" + server.port());

            RealProgram.Run plain = program.plain(jdk, cwd(s), args);
            List<String> plainRequests = List.copyOf(server.requests);
            int plainConnections = server.connections.size();
            server.clear();
            RealProgram.Run confined = program.confined(jdk, cwd(s), policy, args);

            program.assertSameOutput(jdk, plain, confined);
            assertEquals(
                    List.of(
                            "GET 200 hello /greeting",
                            "POST 200 echo posted by httpclient5",
                            "GET 200 hello /greeting?again"),
                    plain.result().stdout());
            assertEquals(plainRequests, server.requests, "the requests the server answered");
            assertEquals(1, plainConnections, "the plain run's requests came on one kept-alive connection");
            assertEquals(plainConnections, server.connections.size(), "connections the sandboxed requests came on");
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void apacheHttpClientDeniedReachesNoServer(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox();
                Server server = new Server()) {
            RealProgram program = httpClientProgram(s);
            Path policy = s.policy("http.policy", connectGrant("127.0.0.1:" + unrelatedPort()));
            RealProgram.Run denied = program.confined(
                    jdk,
                    cwd(s),
                    policy,
                    program.javaArgs(HttpClientProgram.class, "http://127.0.0.1:" + server.port()));
            String out = String.join("\n", denied.result().stdout());
            assertEquals(
                    1, denied.result().exitCode(), out + "\n" + denied.result().stderr());
            assertTrue(out.startsWith("EX "), out);
            assertTrue(
                    out.contains(reason(policy, server.port())),
                    "the client's exception carries Airlock's reason: " + out);
            assertEquals(List.of(), server.requests, "requests the server received from the denied run");
        }
    }

    /**
     * A service listening on port 80, a port only root may bind, while the helper runs as nobody:
     * the policy's {@code listen} grant is what lets it, and a client outside the sandbox gets the
     * same answers as from the same service run plainly.
     */
    @ParameterizedTest
    @EnumSource(Jdk.class)
    void httpServerOnPort80AnswersFromOutside(Jdk jdk) throws Exception {
        Assumptions.assumeTrue(
                Sandbox.isRoot(), "needs root: only root may bind port 80, which the helper as nobody is given");
        try (Sandbox s = new Sandbox()) {
            s.copyClass(WebServerProgram.class);
            Path policy = s.policy("web.policy", """
                    grant {
                      permission java.net.SocketPermission "localhost:80", "listen";
                      permission java.net.SocketPermission "*:1024-", "accept";
                    };
                    """);
            List<String> javaArgs = List.of("-cp", s.app.toString(), WebServerProgram.class.getName(), "80");
            List<String> plainCommand = new ArrayList<>(List.of(jdk.java().toString()));
            plainCommand.addAll(javaArgs);
            List<String> plain = serve(plainCommand);
            List<String> confined = serve(Sandbox.javaCommand(jdk, policy, javaArgs));
            assertEquals(List.of("200 hello /hello", "200 hello /stop"), plain, "the plain service's answers");
            assertEquals(plain, confined, "the sandboxed service's answers");
        }
    }

    /** Starts the service, asks it for /hello and /stop from here (outside any sandbox), and waits for its end. */
    private static List<String> serve(List<String> command) throws Exception {
        assertFalse(
                listening(80), "something else listens on port 80 already: the test cannot tell whose answers it gets");
        try (AttackKit.Session service = AttackKit.start(command)) {
            service.await(l -> l.equals("listening"), "listening line");
            HttpClient client = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10))
                    .build();
            List<String> answers = new ArrayList<>();
            for (String path : List.of("/hello", "/stop")) {
                HttpResponse<String> r = client.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:80" + path))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                answers.add(r.statusCode() + " " + r.body());
            }
            int exit = service.finish();
            assertEquals(0, exit, "the service's exit; stderr: " + service.stderr());
            assertTrue(
                    service.lines().contains("served GET /hello"),
                    service.lines().toString());
            assertNotEquals(List.of(), answers);
            return answers;
        }
    }

    @SuppressWarnings("AddressSelection") // the numeric loopback literal: no name is looked up
    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException nothing) {
            return false;
        }
    }
}
