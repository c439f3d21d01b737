package dev.airlock.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.broker.signing.SigningKey;
import dev.airlock.broker.signing.VerifyingKey;
import dev.airlock.ipc.Reply;
import dev.airlock.ipc.Request;
import dev.airlock.unix.Errno;
import dev.airlock.unix.Linux;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit log's writer, its chain and seals, and the verifier catching each kind of tampering at its line. */
class AuditLogTest {
    @TempDir
    static Path keys;

    static SigningKey key;
    static VerifyingKey publicKey;

    @TempDir
    Path dir;

    @BeforeAll
    static void makeKey() throws Exception {
        Path file = keys.resolve("audit");
        Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", file.toString())
                .inheritIO()
                .start();
        assertEquals(0, p.waitFor());
        key = SigningKey.read(file);
        publicKey = VerifyingKey.read(keys.resolve("audit.pub"));
    }

    private static final AuditLog.Run RUN = new AuditLog.Run(
            "airlock test",
            List.of(new AuditLog.PolicyFile("/p/app.policy", "ab".repeat(32))),
            6,
            List.of("landlock", "seccomp"),
            List.of("java", "-cp", "x", "Main"));

    private static Request open(String path, int flags) {
        return Requests.open(path.getBytes(StandardCharsets.UTF_8), flags, 0, false);
    }

    private static List<AuditCheck> check(String path, boolean allowed) {
        return List.of(new AuditCheck(
                path, AuditCheck.Kind.FILE, "read", List.of(), allowed, allowed ? "/p/app.policy:3" : null));
    }

    /** A log with a key, {@code denials} denials and as many allowed requests between them. */
    private Path write(int denials, Optional<SigningKey> seal) throws Exception {
        Path file = dir.resolve("audit.jsonl");
        AuditLog log = AuditLog.create(file, true, seal, 64, RUN, System.err);
        for (int i = 0; i < denials; i++) {
            log.request(
                    4242,
                    open("/secret/" + i, Linux.O_RDONLY | Linux.O_CLOEXEC),
                    check("/secret/" + i, false),
                    new Reply.Denied(Errno.EACCES, "denied by airlock policy app.policy: read"));
        }
        log.close();
        return file;
    }

    @Test
    void recordsAreJsonLinesInTheFixedOrderChainedAndSealed() throws Exception {
        Path file = write(3, Optional.of(key));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        List<String> lines = Files.readAllLines(file);
        assertEquals(5, lines.size(), String.join("\n", lines));
        assertTrue(
                lines.get(0)
                        .matches(
                                "\\{\"seq\":0,\"type\":\"run\",\"time\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z\","
                                        + "\"version\":\"airlock test\",\"policies\":\\[\\{\"file\":\"/p/app.policy\",\"sha256\":\"(ab){32}\"}],"
                                        + "\"landlockAbi\":6,\"layers\":\\[\"landlock\",\"seccomp\"],\"command\":\\[\"java\",\"-cp\",\"x\",\"Main\"],"
                                        + "\"prev\":\"0{64}\"}"),
                lines.get(0));
        assertTrue(
                lines.get(1)
                        .matches("\\{\"seq\":1,\"type\":\"request\",\"time\":\"[^\"]+\",\"pid\":4242,\"op\":\"OPEN\","
                                + "\"flags\":\"O_RDONLY\\|O_CLOEXEC\",\"checks\":\\[\\{\"target\":\"/secret/0\",\"kind\":\"file\","
                                + "\"actions\":\"read\",\"names\":\\[],\"allowed\":false,\"rule\":\"no grant\"}],\"decision\":\"deny\","
                                + "\"errno\":\"EACCES\",\"prev\":\"[0-9a-f]{64}\"}"),
                lines.get(1));
        assertTrue(
                lines.get(4)
                        .matches(
                                "\\{\"seq\":4,\"type\":\"seal\",\"time\":\"[^\"]+\",\"records\":4,"
                                        + "\"keyFingerprint\":\"SHA256:[A-Za-z0-9+/]{43}\",\"signature\":\"[A-Za-z0-9+/=]+\",\"prev\":\"[0-9a-f]{64}\"}"),
                lines.get(4));
        AuditVerifier.Result ok = AuditVerifier.verify(Files.readAllBytes(file), Optional.of(publicKey));
        assertEquals(Optional.empty(), ok.problem());
        assertEquals(3, ok.denials());
        assertEquals(1, ok.seals());
    }

    @Test
    void sealsEveryThousandLines() throws Exception {
        Path file = write(AuditLog.SEAL_EVERY + 10, Optional.of(key));
        AuditVerifier.Result ok = AuditVerifier.verify(Files.readAllBytes(file), Optional.of(publicKey));
        assertEquals(Optional.empty(), ok.problem());
        assertEquals(2, ok.seals());
        assertTrue(Files.readAllLines(file).get(AuditLog.SEAL_EVERY).contains("\"type\":\"seal\""));
    }

    @Test
    void aFileThatExistsIsRefused() throws Exception {
        Path file = dir.resolve("there");
        Files.createSymbolicLink(file, dir.resolve("elsewhere"));
        AirlockException e = org.junit.jupiter.api.Assertions.assertThrows(
                AirlockException.class, () -> AuditLog.create(file, false, Optional.empty(), 8, RUN, System.err));
        assertTrue(e.getMessage().contains("exists already"), e.getMessage());
        assertTrue(Files.notExists(dir.resolve("elsewhere")));
    }

    private static String problem(List<String> lines) {
        byte[] bytes = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
        return AuditVerifier.verify(bytes, Optional.of(publicKey)).problem().orElse("OK");
    }

    @Test
    void aChangedByteIsCaughtAtItsLine() throws Exception {
        List<String> lines = new ArrayList<>(Files.readAllLines(write(4, Optional.of(key))));
        lines.set(2, lines.get(2).replace("/secret/1", "/secret/X"));
        assertEquals("line 3: changed: its hash is not the prev of line 4", problem(lines));
    }

    @Test
    void aChangedPrevIsCaughtAtItsLine() throws Exception {
        List<String> lines = new ArrayList<>(Files.readAllLines(write(4, Optional.of(key))));
        String l = lines.get(2);
        int at = l.indexOf("\"prev\":\"") + 8;
        lines.set(2, l.substring(0, at) + (l.charAt(at) == '0' ? '1' : '0') + l.substring(at + 1));
        assertEquals("line 3: changed: its prev is not the hash of line 2", problem(lines));
    }

    @Test
    void aRemovedLineIsCaughtWhereItWas() throws Exception {
        List<String> lines = new ArrayList<>(Files.readAllLines(write(4, Optional.of(key))));
        lines.remove(2);
        assertTrue(problem(lines).startsWith("line 3: removed: seq 3 where 2 was expected"), problem(lines));
    }

    @Test
    void swappedLinesAreCaughtAtTheFirst() throws Exception {
        List<String> lines = new ArrayList<>(Files.readAllLines(write(4, Optional.of(key))));
        String two = lines.get(2);
        lines.set(2, lines.get(3));
        lines.set(3, two);
        assertTrue(
                problem(lines).startsWith("line 3: reordered: seq 3 where 2 was expected (seq 2 is on line 4)"),
                problem(lines));
    }

    @Test
    void aLineAppendedAfterTheSealIsCaught() throws Exception {
        List<String> lines = new ArrayList<>(Files.readAllLines(write(2, Optional.of(key))));
        Map<String, Object> seal = AuditJson.object(lines.get(lines.size() - 1));
        assertEquals("seal", seal.get("type"));
        String hash = java.util.HexFormat.of()
                .formatHex(dev.airlock.broker.signing.AuditSeal.sha256(
                        lines.get(lines.size() - 1).getBytes(StandardCharsets.UTF_8)));
        String forged = lines.get(1)
                .replaceFirst("\"seq\":1", "\"seq\":" + lines.size())
                .replaceFirst("\"prev\":\"[0-9a-f]{64}\"", "\"prev\":\"" + hash + "\"");
        lines.add(forged);
        assertEquals(
                "line " + lines.size() + ": appended after the last seal (line " + (lines.size() - 1) + ")",
                problem(lines));
        // Without the key the chain is intact, and verify says the seals were not checked.
        byte[] bytes = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
        assertEquals(
                Optional.empty(), AuditVerifier.verify(bytes, Optional.empty()).problem());
    }

    @Test
    void aTruncatedSealIsCaught() throws Exception {
        byte[] bytes = Files.readAllBytes(write(2, Optional.of(key)));
        byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 20);
        String why = AuditVerifier.verify(cut, Optional.of(publicKey)).problem().orElseThrow();
        assertEquals("line 4: truncated: the last line has no newline", why);
        List<String> lines = new ArrayList<>(Files.readAllLines(write2()));
        lines.remove(lines.size() - 1);
        assertEquals(
                "line 3: not sealed: the log has no seal (was the run given --audit-key?)".replace("line 3", "line 1"),
                problem(lines));
    }

    private Path write2() throws Exception {
        Files.deleteIfExists(dir.resolve("audit.jsonl"));
        return write(1, Optional.of(key));
    }

    @Test
    void aChangedSealSignatureDoesNotVerify() throws Exception {
        List<String> lines = new ArrayList<>(Files.readAllLines(write(2, Optional.of(key))));
        int last = lines.size() - 1;
        lines.set(last, lines.get(last).replace("\"records\":3", "\"records\":2"));
        assertTrue(problem(lines).startsWith("line 4: changed: the seal counts 2 records"), problem(lines));
    }

    @Test
    void aFullQueueDropsAllowedRecordsAndSaysHowManyNeverADenial() throws Exception {
        Path file = dir.resolve("flood.jsonl");
        AuditLog log = new AuditLog(
                FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                file.toString(),
                true,
                Optional.empty(),
                1,
                System.err,
                Instant::now);
        // Not started: nothing empties the queue, so all but one allowed record are dropped.
        for (int i = 0; i < 50; i++) {
            log.request(1, open("/ok/" + i, 0), check("/ok/" + i, true), new Reply.Descriptor());
        }
        assertEquals(49, log.dropped());
        log.request(1, open("/no", 0), check("/no", false), new Reply.Denied(Errno.EACCES, "denied"));
        log.close();
        List<String> lines = Files.readAllLines(file);
        assertTrue(
                lines.get(0).contains("\"type\":\"suppressed\"") && lines.get(0).contains("\"count\":49"),
                lines.get(0));
        assertTrue(lines.get(1).contains("\"/no\"") && lines.get(1).contains("\"decision\":\"deny\""), lines.get(1));
    }

    @Test
    void aFullDiskFailsClosedAndSaysSo() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        AuditLog log = new AuditLog(
                FileChannel.open(Path.of("/dev/full"), StandardOpenOption.WRITE),
                "/dev/full",
                false,
                Optional.empty(),
                8,
                new PrintStream(err, true, StandardCharsets.UTF_8),
                Instant::now);
        log.start(RUN);
        assertNotNull(log.failure());
        assertTrue(
                log.failure().startsWith("airlock broker: the audit log /dev/full cannot be written ("), log.failure());
        assertTrue(
                err.toString(StandardCharsets.UTF_8).contains("refusing every further request"),
                err.toString(StandardCharsets.UTF_8));
        log.close();
    }

    @Test
    void openFlagsAreNamed() {
        assertEquals("O_RDONLY|O_CLOEXEC", AuditLog.openFlags(Linux.O_RDONLY | Linux.O_CLOEXEC));
        assertEquals("O_WRONLY|O_CREAT|O_TRUNC", AuditLog.openFlags(Linux.O_WRONLY | Linux.O_CREAT | Linux.O_TRUNC));
        assertEquals("O_RDWR|O_SYNC", AuditLog.openFlags(Linux.O_RDWR | Linux.O_SYNC));
    }

    /** The nice value of the thread whose {@code /proc} directory is {@code task}. */
    private static int niceOf(Path task) throws Exception {
        String stat = Files.readString(task.resolve("stat"));
        // The fields after the command's closing parenthesis: the state is the 3rd, nice the 19th.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ", -1);
        return Integer.parseInt(fields[19 - 3]);
    }

    /** The nice value of this process's thread named {@code name}. */
    private static int niceOfThread(String name) throws Exception {
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                if (Files.readString(task.resolve("comm")).strip().equals(name)) {
                    return niceOf(task);
                }
            }
        }
        throw new AssertionError("no thread named " + name);
    }

    @Test
    void theWriterThreadYieldsTheCpuToTheRequestLoop() throws Exception {
        int before = niceOf(Path.of("/proc/thread-self"));
        int expected = Math.min(19, before + AuditLog.WRITER_PRIORITY_STEPS);
        AuditLog log = AuditLog.create(dir.resolve("nice.jsonl"), true, Optional.empty(), 64, RUN, System.err);
        try {
            int nice = before;
            // The writer lowers its priority as its first step, which may not have run yet.
            for (int i = 0; i < 200 && nice != expected; i++) {
                Thread.sleep(5);
                nice = niceOfThread("airlock-audit");
            }
            assertEquals(expected, nice);
            // Only the writer: the thread that made the log, which serves requests, is as it was.
            assertEquals(before, niceOf(Path.of("/proc/thread-self")));
        } finally {
            log.close();
        }
    }
}
