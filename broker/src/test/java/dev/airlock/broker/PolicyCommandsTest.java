package dev.airlock.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The exit codes and lines of {@code airlock check}, {@code airlock explain} and the policy and
 * launcher checks {@code airlock run} makes before it starts anything: a policy mistake is the
 * same lines from {@code check} and {@code run}, exit 2; a malformed query makes {@code explain}
 * exit 1; a missing {@code --java} is Airlock's own failure, 125. Signatures: {@code sign} writes
 * {@code FILE.sig}, {@code check --trust} reports it, and {@code run --trust} refuses a changed
 * file or an unusable key before anything starts, exit 2.
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

    /** A policy file that cannot be read says why, in check and run alike, exits 2, and a FIFO is refused unopened. */
    @Test
    void anUnreadablePolicySaysWhy(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("missing.policy");
        Path directory = Files.createDirectory(dir.resolve("dir.policy"));
        Path fifo = dir.resolve("fifo.policy");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        for (Path file : List.of(missing, directory, fifo)) {
            Outcome explain = airlock("explain", "--policy", file.toString(), "read /x");
            String why = file == missing ? "no such file" : "not a regular file";
            assertEquals(2, explain.exitCode(), explain.lines().toString());
            assertTrue(
                    explain.lines().contains("airlock: " + file + ": cannot read policy: " + why),
                    explain.lines().toString());
            Outcome check = airlock("check", file.toString());
            assertEquals(2, check.exitCode(), check.lines().toString());
            assertTrue(
                    check.lines().contains(file + ": cannot read: " + why),
                    check.lines().toString());
        }
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
    /** An unencrypted Ed25519 key made by ssh-keygen, {@code NAME} and {@code NAME.pub}. */
    private static Path sshKey(Path dir, String name) throws Exception {
        Process keygen = new ProcessBuilder(
                        "ssh-keygen",
                        "-q",
                        "-t",
                        "ed25519",
                        "-N",
                        "",
                        "-f",
                        dir.resolve(name).toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(keygen.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, keygen.waitFor(), output);
        return dir.resolve(name);
    }

    @Test
    void signCheckAndRunAgreeOnASignature(@TempDir Path dir) throws Exception {
        Path key = sshKey(dir, "k");
        Path pub = dir.resolve("k.pub");
        Path policy = Files.writeString(dir.resolve("app.policy"), VALID);
        Path other = Files.writeString(dir.resolve("other.policy"), VALID);
        assertEquals(
                0,
                airlock("sign", "--key", key.toString(), policy.toString(), other.toString())
                        .exitCode());
        assertTrue(Files.readString(dir.resolve("app.policy.sig")).startsWith("airlock-signature-v1 ed25519 SHA256:"));
        assertTrue(Files.isRegularFile(dir.resolve("other.policy.sig")));

        Outcome check = airlock("check", "--trust", pub.toString(), policy.toString());
        assertEquals(0, check.exitCode(), check.lines().toString());
        List<String> signature =
                check.lines().stream().filter(l -> l.startsWith(policy + ": ")).toList();
        assertEquals(1, signature.size(), check.lines().toString());
        assertTrue(
                signature
                        .get(0)
                        .matches(Pattern.quote(policy + ": signed by ed25519 key SHA256:") + "\\S{43}"
                                + Pattern.quote(" (trusted: " + pub + ")")),
                signature.get(0));
        Outcome untrusted = airlock("check", policy.toString());
        assertEquals(0, untrusted.exitCode(), "without --trust a signature changes nothing of the exit");
        assertTrue(
                untrusted.lines().stream()
                        .anyMatch(l -> l.startsWith(policy + ": signed by ed25519 key SHA256:")
                                && l.endsWith(", which is not trusted")),
                untrusted.lines().toString());

        Files.writeString(policy, VALID.replace("/srv/data/-", "/srv/date/-"));
        Outcome changed = airlock("check", "--trust", pub.toString(), policy.toString(), other.toString());
        assertEquals(2, changed.exitCode(), changed.lines().toString());
        assertTrue(
                changed.lines().stream()
                        .anyMatch(l -> l.startsWith(policy + ": bad signature: the file changed after it was signed")),
                changed.lines().toString());
        Outcome run = airlock(
                "run",
                "--trust",
                pub.toString(),
                "--policy",
                other.toString(),
                "--policy",
                policy.toString(),
                "--",
                "-version");
        assertEquals(2, run.exitCode(), run.lines().toString());
        assertEquals(1, run.lines().size(), run.lines().toString());
        assertTrue(
                run.lines().get(0).startsWith("airlock: " + policy + ": refused: bad signature: the file changed"),
                run.lines().toString());
    }

    @Test
    void anUnusableKeyIsAUsageError(@TempDir Path dir) throws Exception {
        Path key = sshKey(dir, "k");
        Path policy = Files.writeString(dir.resolve("app.policy"), VALID);
        Outcome privateTrusted =
                airlock("run", "--trust", key.toString(), "--policy", policy.toString(), "--", "-version");
        assertEquals(2, privateTrusted.exitCode());
        assertEquals(
                List.of("airlock: --trust " + key + ": this is a private key; trust the public key (the .pub file, or"
                        + " openssl pkey -pubout)"),
                privateTrusted.lines());
        Outcome publicSigns = airlock("sign", "--key", key + ".pub", policy.toString());
        assertEquals(2, publicSigns.exitCode());
        assertEquals(
                List.of("airlock: --key " + key + ".pub: this is a public key; signing needs the private key"),
                publicSigns.lines());
        assertFalse(Files.exists(dir.resolve("app.policy.sig")), "nothing signed");
        Outcome missingPolicy = airlock(
                "sign", "--key", key.toString(), dir.resolve("absent.policy").toString());
        assertEquals(2, missingPolicy.exitCode());
        assertTrue(
                missingPolicy.lines().get(0).startsWith("airlock: " + dir.resolve("absent.policy") + ": cannot read"));
    }
}
