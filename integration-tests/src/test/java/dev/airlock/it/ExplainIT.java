package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FilePermission;
import java.io.OutputStream;
import java.net.SocketPermission;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Permission;
import java.security.Permissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code airlock explain} as a process, on a seeded sample of file and socket queries, against the
 * JDK's own {@code Permissions.implies} over the same grants, asked about each path as the literal
 * name Airlock's queries are ({@link #literal}): every answer must agree. (The policy
 * module's own differential test covers 100,000 queries in-process; this one proves the command.)
 */
class ExplainIT {
    private static final String[][] FILE_GRANTS = {
        {"/srv/app/-", "read"},
        {"/srv/app/out/*", "write"},
        {"/srv/app/conf/app.properties", "read,write"},
        {"/srv/data with space/-", "read,delete"},
        {"/srv/\u00e9t\u00e9/*", "read"},
        {"<<ALL FILES>>", "readlink"},
    };
    private static final String[][] SOCKET_GRANTS = {
        {"localhost:1024-", "connect,listen"},
        {"127.0.0.1:80", "connect"},
        {"[::1]:8080-8090", "accept"},
        {"10.0.0.0:443", "connect"},
    };
    private static final String[] COMPONENTS = {
        "srv",
        "app",
        "out",
        "conf",
        "app.properties",
        "data with space",
        "\u00e9t\u00e9",
        "x",
        ".",
        "..",
        "-",
        "*",
        "etc"
    };
    private static final String[] FILE_ACTIONS = {
        "read", "write", "delete", "execute", "readlink", "read,write", "read,delete"
    };
    private static final String[] HOSTS = {"localhost", "127.0.0.1", "[::1]", "10.0.0.1", "10.0.0.0", "192.168.1.7"};
    private static final int[] PORTS = {80, 443, 1023, 1024, 8080, 8085, 8091, 65535};
    private static final String[] SOCKET_ACTIONS = {"connect", "listen", "accept", "resolve", "connect,accept"};

    @Test
    void explainAgreesWithTheJdkOnASeededSample() throws Exception {
        try (Sandbox s = new Sandbox()) {
            StringBuilder policyText = new StringBuilder("grant {\n");
            Permissions jdk = new Permissions();
            for (String[] g : FILE_GRANTS) {
                policyText
                        .append("  permission java.io.FilePermission \"")
                        .append(g[0])
                        .append("\", \"")
                        .append(g[1])
                        .append("\";\n");
                jdk.add(new FilePermission(g[0], g[1]));
            }
            for (String[] g : SOCKET_GRANTS) {
                policyText
                        .append("  permission java.net.SocketPermission \"")
                        .append(g[0])
                        .append("\", \"")
                        .append(g[1])
                        .append("\";\n");
                jdk.add(new SocketPermission(g[0], g[1]));
            }
            policyText.append("};\n");
            Path policy = s.policy("sample.policy", policyText.toString());

            Random random = new Random(20261122L);
            List<String> queries = new ArrayList<>();
            List<Permission> asked = new ArrayList<>();
            for (int i = 0; i < 3000; i++) {
                if (random.nextInt(4) == 0) {
                    String host = HOSTS[random.nextInt(HOSTS.length)];
                    int port = PORTS[random.nextInt(PORTS.length)];
                    String actions = SOCKET_ACTIONS[random.nextInt(SOCKET_ACTIONS.length)];
                    queries.add(actions + " " + host + ":" + port);
                    asked.add(new SocketPermission(host + ":" + port, actions));
                } else {
                    StringBuilder path = new StringBuilder();
                    int depth = 1 + random.nextInt(5);
                    for (int d = 0; d < depth; d++) {
                        path.append('/')
                                .append(
                                        d == 0 && random.nextInt(5) > 0
                                                ? "srv"
                                                : COMPONENTS[random.nextInt(COMPONENTS.length)]);
                    }
                    if (random.nextInt(8) == 0) {
                        path.append('/');
                    }
                    String actions = FILE_ACTIONS[random.nextInt(FILE_ACTIONS.length)];
                    queries.add(actions + " " + path);
                    asked.add(literal(path.toString(), actions));
                }
            }

            Process explain =
                    new ProcessBuilder(Sandbox.LAUNCHER.toString(), "explain", "--policy", policy.toString()).start();
            Thread feeder = new Thread(() -> {
                try (OutputStream in = explain.getOutputStream()) {
                    in.write((String.join("\n", queries) + "\n").getBytes(StandardCharsets.UTF_8));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            feeder.start();
            List<String> answers = new String(explain.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .toList();
            feeder.join();
            assertTrue(explain.waitFor(60, TimeUnit.SECONDS));
            assertEquals(
                    0,
                    explain.exitValue(),
                    new String(explain.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            assertEquals(queries.size(), answers.size(), "one answer per query");

            int allowed = 0;
            for (int i = 0; i < queries.size(); i++) {
                String answer = answers.get(i);
                boolean expected = jdk.implies(asked.get(i));
                String verdict = expected ? "ALLOW " : "DENY ";
                assertTrue(
                        answer.startsWith(verdict + queries.get(i)),
                        "query " + i + " '" + queries.get(i) + "': JDK says " + verdict.strip() + ", airlock says '"
                                + answer + "'");
                allowed += expected ? 1 : 0;
            }
            assertTrue(
                    allowed > 200 && allowed < queries.size() - 200,
                    "the sample exercises both answers: " + allowed + " allowed");
        }
    }

    /**
     * The JDK permission that asks what Airlock's query of {@code path} asks: queries are literal
     * names, but the JDK reads a final {@code *} or a final name {@code -} as a wildcard. A name
     * ending in {@code *} and then a slash is the JDK's plain file of that name; a file named
     * {@code -} is implied by exactly the grants that imply an ordinary sibling (no grant can name
     * it: every grant ending in the name {@code -} is recursive).
     */
    private static FilePermission literal(String path, String actions) {
        String n = Path.of(path).normalize().toString();
        String last = n.substring(n.lastIndexOf('/') + 1);
        if (last.endsWith("*")) {
            return new FilePermission(n + "/", actions);
        }
        if (last.equals("-")) {
            return new FilePermission(n.substring(0, n.lastIndexOf('/')) + "/airlock-ordinary-name", actions);
        }
        return new FilePermission(n, actions);
    }

    @Test
    void checkReportsErrorsWithTheirPositionAndExitsTwo() throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path good = s.policy("good.policy", "grant { permission java.io.FilePermission \"/srv/-\", \"read\"; };\n");
            Path bad =
                    s.policy("bad.policy", "grant {\n  permission java.io.FilePermission \"/srv/-\", \"read\"\n};\n");
            Process ok = new ProcessBuilder(Sandbox.LAUNCHER.toString(), "check", good.toString()).start();
            Sandbox.Result okResult = Sandbox.Result.of(ok, 60);
            assertEquals(0, okResult.exitCode(), okResult.stderr());
            Process failing =
                    new ProcessBuilder(Sandbox.LAUNCHER.toString(), "check", good.toString(), bad.toString()).start();
            Sandbox.Result result = Sandbox.Result.of(failing, 60);
            assertEquals(2, result.exitCode());
            assertEquals(bad + ":3:1: expected ';' after permission entry, found '}'\n", result.stderr());
            assertTrue(Files.exists(bad));
        }
    }

    @Test
    void explainExitsOneWhenAnyAnswerIsAnError() throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path policy =
                    s.policy("app.policy", "grant { permission java.io.FilePermission \"/srv/-\", \"read\"; };\n");
            Sandbox.Result good = Sandbox.Result.of(
                    new ProcessBuilder(
                                    Sandbox.LAUNCHER.toString(),
                                    "explain",
                                    "--policy",
                                    policy.toString(),
                                    "read /srv/x",
                                    "read /etc/shadow")
                            .start(),
                    60);
            assertEquals(0, good.exitCode(), good.stderr());
            assertEquals(List.of("ALLOW read /srv/x by " + policy + ":1", "DENY read /etc/shadow"), good.stdout());
            Sandbox.Result bad = Sandbox.Result.of(
                    new ProcessBuilder(
                                    Sandbox.LAUNCHER.toString(),
                                    "explain",
                                    "--policy",
                                    policy.toString(),
                                    "read /srv/x",
                                    "raed /srv/x")
                            .start(),
                    60);
            assertEquals(1, bad.exitCode(), bad.stderr());
            assertEquals(2, bad.stdout().size(), bad.stdout().toString());
            assertTrue(
                    bad.stdout().get(1).startsWith("ERROR raed /srv/x: "),
                    bad.stdout().toString());
        }
    }

    @Test
    void checkListsWhatIsNotEnforcedAndNotesAHiddenDirectory() throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path policy = s.policy("app.policy", """
                    grant {
                      permission java.io.FilePermission "/srv/data/-", "read";
                      permission java.util.PropertyPermission "a", "read";
                      permission java.util.PropertyPermission "b", "read";
                    };
                    """);
            Sandbox.Result r = Sandbox.Result.of(
                    new ProcessBuilder(Sandbox.LAUNCHER.toString(), "check", policy.toString()).start(), 60);
            assertEquals(0, r.exitCode(), r.stderr());
            List<String> lines = r.stderr().lines().toList();
            assertEquals(2, lines.size(), r.stderr());
            assertTrue(
                    lines.get(0)
                            .startsWith("not enforced by Airlock: 2 java.util.PropertyPermission grants (" + policy
                                    + ":3, 4): in-process permissions"),
                    lines.get(0));
            assertTrue(
                    lines.get(1).startsWith("note: /srv/data/- does not cover /srv/data itself")
                            && lines.get(1).endsWith("add: permission java.io.FilePermission \"/srv/data\", \"read\";"),
                    lines.get(1));
        }
    }

    /**
     * {@code resolve HOST} is the broker's question before it resolves a name for the program:
     * answered with the rule, and a resolve-only grant is no longer listed as not enforced.
     */
    @Test
    void explainAnswersResolveQueriesAndCheckEnforcesResolveGrants() throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path policy = s.policy("names.policy", """
                    grant {
                      permission java.net.SocketPermission "db.example.com:5432", "connect";
                      permission java.net.SocketPermission "*.internal.example", "resolve";
                    };
                    """);
            Sandbox.Result r = Sandbox.Result.of(
                    new ProcessBuilder(
                                    Sandbox.LAUNCHER.toString(),
                                    "explain",
                                    "--policy",
                                    policy.toString(),
                                    "resolve db.example.com",
                                    "resolve a.internal.example",
                                    "resolve evil.example.com",
                                    "resolve localhost",
                                    "resolve 10.0.0.1")
                            .start(),
                    60);
            assertEquals(0, r.exitCode(), r.stderr());
            assertEquals(
                    List.of(
                            "ALLOW resolve db.example.com by " + policy + ":2",
                            "ALLOW resolve a.internal.example by " + policy + ":3",
                            "DENY resolve evil.example.com",
                            "ALLOW resolve localhost by the JDK's java.policy (listen on localhost:0 implies resolve)",
                            "ALLOW resolve 10.0.0.1 by an address literal (nothing to resolve)"),
                    r.stdout());
            Sandbox.Result check = Sandbox.Result.of(
                    new ProcessBuilder(Sandbox.LAUNCHER.toString(), "check", policy.toString()).start(), 60);
            assertEquals(0, check.exitCode(), check.stderr());
            assertEquals("", check.stderr(), "a resolve grant is enforced: nothing listed");
        }
    }
}
