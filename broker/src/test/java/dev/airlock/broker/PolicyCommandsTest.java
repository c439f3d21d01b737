package dev.airlock.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The exit codes and lines of {@code airlock check}, {@code airlock explain} and the policy and
 * launcher checks {@code airlock run} makes before it starts anything: a policy mistake is the
 * same lines from {@code check} and {@code run}, exit 2; a malformed query makes {@code explain}
 * exit 1; a missing {@code --java} is Airlock's own failure, 125.
 */
class PolicyCommandsTest {

    private static final String TYPOS = """
            grant {
              permission java.io.FilePermission "/srv/data/-", "raed";
              permission java.io.FilePermision "/srv/data/-", "read";
              permission java.util.PropertyPermission "user.home", "read";
            };
            """;

    private static final String VALID = """
            grant {
              permission java.io.FilePermission "/srv/data/-", "read";
              permission java.util.PropertyPermission "a", "read";
              permission java.util.PropertyPermission "b", "read";
              permission java.net.SocketPermission "db:5432", "connect";
            };
            grant codeBase "file:/plugins/-" { permission java.io.FilePermission "/-", "read"; };
            """;

    /** What a command printed and returned. */
    private record Outcome(int exitCode, List<String> lines) {}

    private static Outcome airlock(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code;
        try (PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            code = Main.run(args, err);
        }
        return new Outcome(code, bytes.toString(StandardCharsets.UTF_8).lines().toList());
    }

    private static Outcome explain(String stdin, String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            code = new CommandLine(
                            new ExplainCommand(out, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8))))
                    .execute(args);
        }
        return new Outcome(code, bytes.toString(StandardCharsets.UTF_8).lines().toList());
    }

    @Test
    void checkAndRunRefuseAMistakeWithTheSameLinesAndExitTwo(@TempDir Path dir) throws Exception {
        Path policy = Files.writeString(dir.resolve("typos.policy"), TYPOS);
        Outcome check = airlock("check", policy.toString());
        assertEquals(2, check.exitCode(), check.lines().toString());
        List<String> errors =
                check.lines().stream().filter(l -> l.startsWith(policy + ":")).toList();
        assertEquals(2, errors.size(), check.lines().toString());
        assertEquals(errors, check.lines(), "with errors, check prints only them");
        assertTrue(errors.get(0).startsWith(policy + ":2:3: invalid actions \"raed\" for java.io.FilePermission"));
        assertTrue(errors.get(1)
                .startsWith(policy + ":3:3: expected a permission class the JDK has, found java.io.FilePermision"
                        + " (did you mean java.io.FilePermission?)"));

        Outcome run = airlock("run", "--policy", policy.toString(), "--", "-version");
        assertEquals(2, run.exitCode(), run.lines().toString());
        assertEquals(errors, run.lines(), "run refuses with exactly the lines check prints");
    }

    @Test
    void checkListsWhatIsNotEnforcedOnceAndNotesHiddenDirectories(@TempDir Path dir) throws Exception {
        Path policy = Files.writeString(dir.resolve("app.policy"), VALID);
        Outcome check = airlock("check", policy.toString());
        assertEquals(0, check.exitCode(), check.lines().toString());
        assertEquals(
                List.of(
                        "not enforced by Airlock: 1 grant restricted by codeBase, signedBy or principal (" + policy
                                + ":7): the broker serves the whole JVM and cannot tell which code or principal"
                                + " asked, so their 1 permission grant nothing",
                        "not enforced by Airlock: 2 java.util.PropertyPermission grants (" + policy + ":3, 4):"
                                + " in-process permissions: the SecurityManager checked them inside the JVM, and"
                                + " Airlock confines only the files and connections the program reaches outside it",
                        "note: /srv/data/- does not cover /srv/data itself, which stays hidden as it was under the"
                                + " SecurityManager (listing it and File.exists() or stat of it are denied); to allow"
                                + " them, add: permission java.io.FilePermission \"/srv/data\", \"read\";"),
                check.lines());
    }

    @Test
    void explainExitsOneWhenAnyAnswerIsAnError(@TempDir Path dir) throws Exception {
        Path policy = Files.writeString(dir.resolve("app.policy"), VALID);
        Outcome good = explain("", "--policy", policy.toString(), "read /srv/data/x", "read /etc/shadow");
        assertEquals(0, good.exitCode());
        assertEquals(List.of("ALLOW read /srv/data/x by " + policy + ":2", "DENY read /etc/shadow"), good.lines());

        Outcome bad = explain("", "--policy", policy.toString(), "read /srv/data/x", "raed /srv/data/x");
        assertEquals(ExitCodes.QUERY_ERROR, bad.exitCode());
        assertEquals(1, bad.exitCode());
        assertEquals(2, bad.lines().size(), bad.lines().toString());
        assertTrue(
                bad.lines().get(1).startsWith("ERROR raed /srv/data/x: "),
                bad.lines().toString());

        Outcome streamed = explain("read /srv/data/x\nconnect db\n# comment\nread /x\n", "--policy", policy.toString());
        assertEquals(1, streamed.exitCode());
        assertEquals(3, streamed.lines().size(), streamed.lines().toString());
        assertEquals(
                0, explain("read /srv/data/x\n", "--policy", policy.toString()).exitCode());
    }

    @Test
    void explainRefusesAPolicyWithAMistake(@TempDir Path dir) throws Exception {
        Path policy = Files.writeString(dir.resolve("typos.policy"), TYPOS);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CommandLine cli = new CommandLine(new ExplainCommand(System.out, new ByteArrayInputStream(new byte[0])));
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            err.writeBytes(e.getMessage().getBytes(StandardCharsets.UTF_8));
            return ((AirlockException) e).exitCode();
        });
        assertEquals(2, cli.execute("--policy", policy.toString(), "read /x"));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith(policy + ":2:3: invalid actions"));
    }

    @Test
    void aMissingJavaIsAirlocksOwnFailure(@TempDir Path dir) {
        Path missing = dir.resolve("no-such-jdk/bin/java");
        Outcome run = airlock("run", "--java", missing.toString(), "--", "-version");
        assertEquals(125, run.exitCode(), run.lines().toString());
        assertEquals(ExitCodes.NO_JAVA, run.exitCode());
        assertEquals(List.of("airlock: --java " + missing + ": no such file"), run.lines());
    }
}
