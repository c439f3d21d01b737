package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code airlock run --audit} on real runs: the records of a run with known grants and denials,
 * field by field; each kind of tampering with its sealed log caught at its line by {@code airlock
 * audit verify}; a helper killed with SIGKILL mid-run leaving every denial it was answered in a
 * log that still verifies; and a flood of allowed records through a one-place queue, every denial
 * kept and what was dropped counted.
 */
class AuditIT {

    private static final Pattern TIME = Pattern.compile("\"time\":\"([0-9T:.Z-]+)\"");
    private static final Pattern PREV = Pattern.compile("\"prev\":\"([0-9a-f]{64})\"");
    private static final Pattern PID = Pattern.compile("\"pid\":([0-9]+)");

    /** {@code airlock run --audit LOG OPTIONS... --policy POLICY -- Probe OPERATIONS...}. */
    private static List<String> audited(Sandbox s, Path policy, Path log, List<String> options, String... operations) {
        List<String> command = s.command(Jdk.JDK17, policy, operations);
        List<String> audit = new ArrayList<>(List.of("--audit", log.toString()));
        audit.addAll(options);
        command.addAll(2, audit);
        return command;
    }

    /** A line with its time, pid and chain link replaced by placeholders, for an exact comparison. */
    private static String masked(String line) {
        String m = TIME.matcher(line).replaceAll("\"time\":\"T\"");
        m = PREV.matcher(m).replaceAll("\"prev\":\"P\"");
        return PID.matcher(m).replaceAll("\"pid\":PID");
    }

    private static String group(Pattern pattern, String line) {
        Matcher m = pattern.matcher(line);
        assertTrue(m.find(), pattern + " in " + line);
        return m.group(1);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** Each line's prev is the SHA-256 of the line before it (without its newline), the first's zeros. */
    private static void assertChained(List<String> lines) throws Exception {
        String expected = "0".repeat(64);
        for (String line : lines) {
            assertEquals(expected, group(PREV, line), line);
            expected = sha256(line.getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * A process's command line from procfs: {@link ProcessHandle.Info} has none for a process of
     * another user (the helper runs as nobody under root); /proc/PID/cmdline is readable by all.
     */
    private static String commandLine(ProcessHandle process) {
        try {
            return Files.readString(
                    Path.of("/proc", Long.toString(process.pid()), "cmdline"), StandardCharsets.ISO_8859_1);
        } catch (java.io.IOException gone) {
            return "";
        }
    }

    private static Sandbox.Result verify(Path log, Path publicKey) throws Exception {
        List<String> command = new ArrayList<>(List.of(Sandbox.LAUNCHER.toString(), "audit", "verify", log.toString()));
        if (publicKey != null) {
            command.addAll(List.of("--key", publicKey.toString()));
        }
        return Sandbox.Result.of(Sandbox.start(command), 60);
    }

    @Test
    void aRunsRecordsAreItsDecisionsFieldByFieldAndItsSealedLogVerifies() throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path granted = s.file("in/granted.txt", "granted text");
            Path secret = s.file("in/sub/secret.txt", "secret");
            // DIR/* is decided by the broker, so the allowed open is a request it records.
            Path policy = s.policy("app.policy", FileAccessIT.grant(s.data.resolve("in/*"), "read"));
            Path key = SignedPolicyIT.sshKey(s, "audit");
            Path log = s.root.resolve("all.log");
            Sandbox.Result r = Sandbox.Result.of(
                    Sandbox.start(audited(
                            s,
                            policy,
                            log,
                            List.of("--audit-allowed", "--audit-key", key.toString()),
                            "fis:" + granted,
                            "fis:" + secret)),
                    120);
            assertEquals(0, r.exitCode(), r.stderr());
            assertEquals("OK granted text", r.answer("fis:" + granted));
            assertTrue(r.answer("fis:" + secret).contains("denied by airlock policy"), r.answer("fis:" + secret));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(log)));

            List<String> lines = Files.readAllLines(log);
            assertEquals(4, lines.size(), String.join("\n", lines));
            assertChained(lines);

            String run = lines.get(0);
            assertTrue(run.startsWith("{\"seq\":0,\"type\":\"run\",\"time\":\""), run);
            assertTrue(run.contains(",\"version\":\"airlock "), run);
            assertTrue(
                    run.contains(",\"policies\":[{\"file\":\"" + policy + "\",\"sha256\":\""
                            + sha256(Files.readAllBytes(policy)) + "\"}],"),
                    run);
            assertTrue(
                    Pattern.compile(",\"landlockAbi\":[1-9][0-9]*,")
                            .matcher(run)
                            .find(),
                    run);
            assertTrue(run.contains(",\"layers\":[\"landlock\",\"seccomp\""), run);
            assertTrue(
                    run.contains("\"dev.airlock.it.app.Probe\",\"fis:" + granted + "\",\"fis:" + secret + "\"]"), run);

            assertEquals(
                    "{\"seq\":1,\"type\":\"request\",\"time\":\"T\",\"pid\":PID,\"op\":\"OPEN\",\"flags\":\"O_RDONLY\","
                            + "\"checks\":[{\"target\":\"" + granted + "\",\"kind\":\"file\",\"actions\":\"read\","
                            + "\"names\":[],\"allowed\":true,\"rule\":\"" + policy + ":2\"}],"
                            + "\"decision\":\"allow\",\"errno\":null,\"prev\":\"P\"}",
                    masked(lines.get(1)));
            assertEquals(
                    "{\"seq\":2,\"type\":\"request\",\"time\":\"T\",\"pid\":PID,\"op\":\"OPEN\",\"flags\":\"O_RDONLY\","
                            + "\"checks\":[{\"target\":\"" + secret + "\",\"kind\":\"file\",\"actions\":\"read\","
                            + "\"names\":[],\"allowed\":false,\"rule\":\"no grant\"}],"
                            + "\"decision\":\"deny\",\"errno\":\"EACCES\",\"prev\":\"P\"}",
                    masked(lines.get(2)));
            assertEquals(group(PID, lines.get(1)), group(PID, lines.get(2)), "one helper");
            List<String> times = lines.stream().map(l -> group(TIME, l)).toList();
            assertEquals(times.stream().sorted().toList(), times, "times in order");
            assertTrue(lines.get(3).startsWith("{\"seq\":3,\"type\":\"seal\","), lines.get(3));
            assertTrue(lines.get(3).contains("\"records\":3,"), lines.get(3));

            Sandbox.Result ok = verify(log, Path.of(key + ".pub"));
            assertEquals(0, ok.exitCode(), ok.stderr() + ok.stdout());
            assertTrue(
                    String.join("\n", ok.stdout()).contains("OK: 4 records: 2 requests (1 denied)"),
                    ok.stdout() + ok.stderr());

            // Without --audit-allowed: the denial alone.
            Path denials = s.root.resolve("denials.log");
            Sandbox.Result d = Sandbox.Result.of(
                    Sandbox.start(audited(s, policy, denials, List.of(), "fis:" + granted, "fis:" + secret)), 120);
            assertEquals(0, d.exitCode(), d.stderr());
            List<String> denied = Files.readAllLines(denials);
            assertEquals(2, denied.size(), String.join("\n", denied));
            assertEquals(masked(lines.get(2)).replace("\"seq\":2", "\"seq\":1"), masked(denied.get(1)));

            // An audit log is always a new file: the run refuses an existing one and leaves it as it was.
            Sandbox.Result again =
                    Sandbox.Result.of(Sandbox.start(audited(s, policy, denials, List.of(), "fis:" + granted)), 120);
            assertEquals(2, again.exitCode(), again.stderr());
            assertTrue(again.stderr().contains("exists already"), again.stderr());
            assertEquals(denied, Files.readAllLines(denials));

            assertTamperingCaught(s, log, Path.of(key + ".pub"), lines);
        }
    }

    /** Each kind of change to the real sealed log {@code lines}: exit 1 and the line it names. */
    private static void assertTamperingCaught(Sandbox s, Path log, Path publicKey, List<String> lines)
            throws Exception {
        List<String> changed = new ArrayList<>(lines);
        changed.set(2, lines.get(2).replace("\"errno\":\"EACCES\"", "\"errno\":\"ENOENT\""));
        assertCaught(s, "changed", String.join("\n", changed) + "\n", publicKey, "line 3: changed");

        List<String> removed = new ArrayList<>(lines);
        removed.remove(1);
        assertCaught(s, "removed", String.join("\n", removed) + "\n", publicKey, "line 2: removed");

        List<String> swapped = new ArrayList<>(lines);
        swapped.set(1, lines.get(2));
        swapped.set(2, lines.get(1));
        assertCaught(s, "swapped", String.join("\n", swapped) + "\n", publicKey, "line 2: reordered");

        // A record appended after the seal with a correct seq and chain link: only the seal tells.
        String forged = "{\"seq\":4,\"type\":\"request\",\"time\":\"2026-01-01T00:00:00.000000Z\",\"pid\":1,"
                + "\"op\":\"OPEN\",\"flags\":\"O_RDONLY\",\"checks\":[],\"decision\":\"allow\",\"errno\":null,"
                + "\"prev\":\"" + sha256(lines.get(3).getBytes(StandardCharsets.UTF_8)) + "\"}";
        assertCaught(s, "appended", String.join("\n", lines) + "\n" + forged + "\n", publicKey, "line 5: appended");

        String whole = Files.readString(log);
        assertCaught(s, "truncated", whole.substring(0, whole.length() - 20), publicKey, "line 4: truncated");

        Path otherKey = SignedPolicyIT.sshKey(s, "other");
        Sandbox.Result wrongKey = verify(log, Path.of(otherKey + ".pub"));
        assertEquals(1, wrongKey.exitCode(), wrongKey.stderr() + wrongKey.stdout());
    }

    private static void assertCaught(Sandbox s, String name, String text, Path publicKey, String message)
            throws Exception {
        Path file = s.root.resolve(name + ".log");
        Files.writeString(file, text);
        Sandbox.Result r = verify(file, publicKey);
        assertEquals(1, r.exitCode(), name + ": " + r.stderr() + r.stdout());
        String said = r.stderr() + String.join("\n", r.stdout());
        assertTrue(said.contains(file + ": " + message), name + ": " + said);
    }

    @Test
    void aHelperKilledMidRunLeavesEveryDenialItWasAnsweredAndASealedLog() throws Exception {
        try (Sandbox s = new Sandbox()) {
            List<String> operations = new ArrayList<>();
            int denials = 5;
            for (int i = 0; i < denials; i++) {
                operations.add("fis:" + s.file("secret" + i, "secret"));
            }
            operations.add("wait:-");
            Path policy = s.policy("app.policy", FileAccessIT.grant(s.data.resolve("nothing"), "read"));
            Path key = SignedPolicyIT.sshKey(s, "audit");
            Path log = s.root.resolve("crash.log");
            Process airlock = Sandbox.start(
                    audited(s, policy, log, List.of("--audit-key", key.toString()), operations.toArray(String[]::new)));
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(airlock.getInputStream(), StandardCharsets.UTF_8));
            int answered = 0;
            for (String line = out.readLine(); line != null && !line.equals("waiting"); line = out.readLine()) {
                if (line.contains("denied by airlock policy")) {
                    answered++;
                }
            }
            assertEquals(denials, answered, "the program was answered each denial");
            List<ProcessHandle> helpers = airlock.descendants()
                    .filter(p -> commandLine(p).contains("-javaagent:"))
                    .toList();
            assertEquals(1, helpers.size(), helpers.toString());
            helpers.get(0).destroyForcibly(); // SIGKILL
            assertTrue(airlock.waitFor(60, TimeUnit.SECONDS), "the broker ends with its helper");
            assertEquals(137, airlock.exitValue(), "128 + SIGKILL");

            List<String> lines = Files.readAllLines(log);
            assertChained(lines);
            assertEquals(
                    denials,
                    lines.stream()
                            .filter(l -> l.contains("\"decision\":\"deny\""))
                            .count(),
                    lines.toString());
            assertTrue(lines.get(lines.size() - 1).contains("\"type\":\"seal\""), "sealed when the helper was gone");
            Sandbox.Result ok = verify(log, Path.of(key + ".pub"));
            assertEquals(0, ok.exitCode(), ok.stderr() + ok.stdout());
        }
    }

    @Test
    void aFloodOfAllowedRecordsIsBoundedAndCountedAndNoDenialIsLost() throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path granted = s.file("in/granted.txt", "granted");
            Path secret = s.file("secret.txt", "secret");
            Path policy = s.policy("app.policy", FileAccessIT.grant(s.data.resolve("in/*"), "read"));
            int allowed = 300;
            int denied = 60;
            List<String> operations = new ArrayList<>();
            for (int i = 0; i < allowed; i++) {
                operations.add("fis:" + granted);
                if (i % (allowed / denied) == 0) {
                    operations.add("fis:" + secret);
                }
            }
            Path log = s.root.resolve("flood.log");
            // A queue of one place: allowed records beyond what the writer keeps up with are dropped.
            Sandbox.Result r = Sandbox.Result.of(
                    Sandbox.start(audited(
                            s,
                            policy,
                            log,
                            List.of("--audit-allowed", "--audit-queue", "1"),
                            operations.toArray(String[]::new))),
                    180);
            assertEquals(0, r.exitCode(), r.stderr());
            List<String> lines = Files.readAllLines(log);
            assertChained(lines);
            long deniedRecords = lines.stream()
                    .filter(l -> l.contains("\"decision\":\"deny\"") && l.contains(secret.toString()))
                    .count();
            assertEquals(denied, deniedRecords, "no denial is ever dropped");
            long allowedRecords = lines.stream()
                    .filter(l -> l.contains("\"decision\":\"allow\"") && l.contains(granted.toString()))
                    .count();
            long suppressed = lines.stream()
                    .filter(l -> l.contains("\"type\":\"suppressed\""))
                    .mapToLong(l -> Long.parseLong(l.replaceAll(".*\"count\":([0-9]+).*", "$1")))
                    .sum();
            assertTrue(allowedRecords <= allowed, "at most one record per open: " + allowedRecords);
            assertTrue(
                    allowedRecords + suppressed >= allowed,
                    "every allowed open is a record or counted: " + allowedRecords + " + " + suppressed);
            assertFalse(lines.stream().anyMatch(l -> l.contains("\"count\":0")), "no empty suppressed record");
        }
    }

    @Test
    void aLogTheProgramCouldReachIsRefusedBeforeAnythingRuns() throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path granted = s.file("in/granted.txt", "granted");
            Path policy = s.policy("app.policy", FileAccessIT.grant(s.data.resolve("-"), "read"));
            Path underGrant = s.data.resolve("in/run.log");
            Sandbox.Result r =
                    Sandbox.Result.of(Sandbox.start(audited(s, policy, underGrant, List.of(), "fis:" + granted)), 60);
            assertEquals(2, r.exitCode(), r.stderr());
            assertTrue(
                    r.stderr()
                            .contains("--audit " + underGrant + ": the policy grants the program read on it (" + policy
                                    + ":2); put the log where no grant reaches"),
                    r.stderr());
            assertFalse(Files.exists(underGrant), "nothing is created");
            assertEquals(List.of(), r.stdout(), "the program never ran");

            // The class path is the helper's own Landlock rule: it reads there without asking.
            Path onClassPath = s.app.resolve("run.log");
            r = Sandbox.Result.of(Sandbox.start(audited(s, null, onClassPath, List.of(), "fis:" + granted)), 60);
            assertEquals(2, r.exitCode(), r.stderr());
            assertTrue(r.stderr().contains("--audit " + onClassPath + ": the program reaches beneath "), r.stderr());
            assertFalse(Files.exists(onClassPath), "nothing is created");
        }
    }
}
