package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server, from the machine's Debian packages ({@code postgresql}, which {@code
 * .ci/run} installs where it is missing), started by the tests on {@code 127.0.0.1} in a throwaway
 * data directory and stopped with it. It logs every connection it receives ({@code
 * log_connections}): {@link #connectionsReceived()} is the server's own word on whether a sandboxed
 * client reached it.
 *
 * <p>PostgreSQL refuses to run as root: as root the server runs as an account of the tests' own,
 * {@value #ACCOUNT} (made here when the machine lacks it), never as the helper's {@code nobody},
 * which must not own or signal it; as any other user it runs as that user. Clients authenticate by
 * {@code trust}: the server is reachable only on loopback, for the length of a test class.
 */
final class PostgresServer implements AutoCloseable {
    /** The account the server runs as when the tests run as root. */
    static final String ACCOUNT = "airlock-pg";
    /** The database superuser initdb makes; clients log in as it. */
    static final String USER = "airlock";

    private static final int TIMEOUT_SECONDS = 120;

    private final Path root;
    private final Path data;
    private final Path log;
    private final Path bin;
    private final int port;

    private PostgresServer(Path root, Path bin, int port) {
        this.root = root;
        this.data = root.resolve("data");
        this.log = root.resolve("server.log");
        this.bin = bin;
        this.port = port;
    }

    /** Initialises a data directory and starts the server on a free loopback port; waits until it accepts connections. */
    static PostgresServer start() throws IOException, InterruptedException {
        Path bin = binaries();
        if (Sandbox.isRoot()) {
            ensureAccount();
        }
        Path root = Files.createTempDirectory(Path.of("/tmp"), "airlock-pg-");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path data = Files.createDirectory(root.resolve("data"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
        Path log = Files.createFile(root.resolve("server.log"));
        if (Sandbox.isRoot()) {
            run(List.of("chown", ACCOUNT + ":", data.toString(), log.toString()));
        }
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        PostgresServer server = new PostgresServer(root, bin, port);
        try {
            server.asServerUser(List.of(
                    bin.resolve("initdb").toString(),
                    "--pgdata=" + data,
                    "--username=" + USER,
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C",
                    "--no-sync"));
            String options = String.join(
                    " ",
                    "-p " + port,
                    "-c listen_addresses=127.0.0.1",
                    "-c unix_socket_directories=''",
                    "-c log_connections=on",
                    "-c fsync=off",
                    "-c max_connections=20");
            server.asServerUser(List.of(
                    bin.resolve("pg_ctl").toString(),
                    "start",
                    "--wait",
                    "--timeout=" + TIMEOUT_SECONDS,
                    "--pgdata=" + data,
                    "--log=" + log,
                    "--options=" + options));
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            server.close();
            throw e;
        }
        return server;
    }

    int port() {
        return port;
    }

    /** A JDBC URL of the server's {@code postgres} database. */
    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=" + USER;
    }

    /** Every {@code connection received} line the server has logged so far: who connected, from where. */
    List<String> connectionsReceived() throws IOException {
        return Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                .filter(l -> l.contains("connection received:"))
                .toList();
    }

    /**
     * The binaries of the newest PostgreSQL the Debian packages installed ({@code
     * /usr/lib/postgresql/VERSION/bin}), or else an {@code initdb} on the PATH.
     */
    private static Path binaries() throws IOException {
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                List<Path> found = versions.map(v -> v.resolve("bin"))
                        .filter(b -> Files.isExecutable(b.resolve("initdb")))
                        .sorted(Comparator.comparing(
                                (Path b) -> b.getParent().getFileName().toString(),
                                Comparator.comparingInt(v -> v.matches("\\d+") ? Integer.parseInt(v) : -1)))
                        .toList();
                if (!found.isEmpty()) {
                    return found.get(found.size() - 1);
                }
            }
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":", -1)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "initdb"))) {
                return Path.of(dir).toRealPath();
            }
        }
        throw new IllegalStateException("PostgreSQL is required on the project's machines: apt-get install postgresql"
                + " (.ci/run installs it); no initdb in /usr/lib/postgresql/*/bin or on the PATH");
    }

    private static void ensureAccount() throws IOException, InterruptedException {
        TestAccounts.ensure(ACCOUNT, false);
    }

    /** Runs {@code command} as the server's user: {@value #ACCOUNT} as root, else this process's own. */
    private void asServerUser(List<String> command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (Sandbox.isRoot()) {
            full.addAll(List.of("runuser", "-u", ACCOUNT, "--"));
        }
        full.addAll(command);
        run(full, root);
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        run(command, null);
    }

    private static void run(List<String> command, Path directory) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean ended = p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly();
        }
        assertEquals(0, ended ? p.exitValue() : -1, String.join(" ", command) + ":\n" + out);
    }

    /** Stops the server (fast shutdown: clients are disconnected) and removes its directory. */
    @Override
    public void close() throws IOException {
        try {
            if (Files.exists(data.resolve("postmaster.pid"))) {
                asServerUser(
                        List.of(bin.resolve("pg_ctl").toString(), "stop", "--wait", "--mode=fast", "--pgdata=" + data));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping PostgreSQL in " + data, e);
        } finally {
            AttackKit.deleteTree(root);
        }
    }
}
