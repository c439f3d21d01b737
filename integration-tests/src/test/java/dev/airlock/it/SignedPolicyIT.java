package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Signed policies with the real {@code bin/airlock} and the shaded airlock.jar: a policy signed
 * with an {@code ssh-keygen -t ed25519} key ({@code airlock sign}) and trusted with its
 * {@code .pub} runs the program; every refusal (no signature, a key that is not trusted, a byte
 * changed after signing, a garbage, truncated or unsupported signature file) stops the run before
 * the program starts, with one {@code airlock:} line naming the file, exit 2. ECDSA P-256 with an
 * {@code openssl} PEM key, the drop-in's {@code trust=} (also for a policy found through
 * {@code java.security.policy}) and {@code airlock check}'s report. Verification is the broker's
 * alone, before the helper exists (the helper loads no class of Bouncy Castle's), so one helper
 * JDK is enough.
 */
class SignedPolicyIT {
    private static final Jdk JDK = Jdk.JDK17;

    /** {@code airlock ARGS...} run to its end. */
    private static Sandbox.Result airlock(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Sandbox.LAUNCHER.toString()));
        command.addAll(List.of(args));
        return Sandbox.Result.of(Sandbox.start(command), 120);
    }

    /** {@code airlock run --trust KEY... --policy POLICY -- probe OPERATIONS}. */
    private static Sandbox.Result run(Sandbox s, List<Path> trusted, Path policy, String... operations)
            throws Exception {
        List<String> command = s.command(JDK, policy, operations);
        List<String> trust = new ArrayList<>();
        for (Path key : trusted) {
            trust.add("--trust");
            trust.add(key.toString());
        }
        command.addAll(2, trust);
        return Sandbox.Result.of(Sandbox.start(command), 120);
    }

    private static String tool(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), String.join(" ", command));
        assertEquals(0, process.exitValue(), String.join(" ", command) + ": " + output);
        return output;
    }

    /** An unencrypted key from {@code ssh-keygen -t TYPE}: the private key; its public key is beside it as {@code .pub}. */
    static Path sshKey(Sandbox s, String name) throws Exception {
        Path key = s.root.resolve(name);
        tool("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", key.toString());
        return key;
    }

    /** {@code ssh-keygen -l}'s fingerprint of a public key. */
    private static String fingerprint(Path publicKey) throws Exception {
        String line = tool("ssh-keygen", "-l", "-f", publicKey.toString());
        int start = line.indexOf(' ') + 1;
        return line.substring(start, line.indexOf(' ', start));
    }

    /** The run refused before the program started: exit 2, no output of the program's, one line naming {@code policy}. */
    private static void assertRefused(Sandbox.Result r, Path policy, String why) {
        assertEquals(2, r.exitCode(), r.stderr());
        assertEquals(List.of(), r.stdout(), "the program never started");
        assertEquals(1, r.stderr().lines().count(), r.stderr());
        assertTrue(r.stderr().startsWith("airlock: " + policy + ": refused: " + why), r.stderr());
    }

    @Test
    void anSshKeygenSignedPolicyRunsAndEveryRefusalStopsTheProgramFirst() throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path granted = s.file("granted/in.txt", "granted text");
            String text = FileAccessIT.grant(s.data.resolve("granted/-"), "read");
            Path policy = s.policy("app.policy", text);
            Path key = sshKey(s, "release");
            Path pub = s.root.resolve("release.pub");
            Sandbox.Result sign = airlock("sign", "--key", key.toString(), policy.toString());
            assertEquals(0, sign.exitCode(), sign.stderr());
            assertEquals(List.of(policy + ".sig: signed by ed25519 key " + fingerprint(pub)), sign.stdout());

            // The helper's JVM logs every class it loads: Airlock's agent, never Bouncy Castle.
            List<String> command = s.command(JDK, policy, "fis:" + granted);
            command.addAll(2, List.of("--trust", pub.toString()));
            command.add(command.indexOf("--") + 1, "-Xlog:class+load=info");
            Sandbox.Result ok = Sandbox.Result.of(Sandbox.start(command), 120);
            assertEquals(0, ok.exitCode(), ok.stderr());
            assertEquals("OK granted text", ok.answer("fis:" + granted));
            assertEquals("", ok.stderr());
            assertTrue(ok.stdout().stream().anyMatch(l -> l.contains(" dev.airlock.agent.")), "the log is there");
            assertEquals(
                    List.of(),
                    ok.stdout().stream().filter(l -> l.contains("bouncycastle")).toList(),
                    "no cryptography in the helper");

            Path unsigned = s.policy("unsigned.policy", text);
            assertRefused(
                    run(s, List.of(pub), unsigned, "fis:" + granted), unsigned, "unsigned (no " + unsigned + ".sig)");

            Path other = sshKey(s, "other");
            Path byOther = s.policy("by-other.policy", text);
            assertEquals(
                    0,
                    airlock("sign", "--key", other.toString(), byOther.toString())
                            .exitCode());
            assertRefused(
                    run(s, List.of(pub), byOther, "fis:" + granted),
                    byOther,
                    "signed by ed25519 key " + fingerprint(s.root.resolve("other.pub")) + ", which is not trusted");

            Path changed = s.policy("changed.policy", text);
            assertEquals(
                    0,
                    airlock("sign", "--key", key.toString(), changed.toString()).exitCode());
            Files.writeString(changed, text.replace("read", "read,write"));
            assertRefused(
                    run(s, List.of(pub), changed, "fis:" + granted),
                    changed,
                    "bad signature: the file changed after it was signed by ed25519 key " + fingerprint(pub));

            Path damaged = s.policy("damaged.policy", text);
            Path signature = Path.of(damaged + ".sig");
            Files.copy(Path.of(policy + ".sig"), signature);
            String whole = Files.readString(signature);
            Files.writeString(signature, whole.substring(0, whole.length() / 2));
            assertRefused(
                    run(s, List.of(pub), damaged, "fis:" + granted),
                    damaged,
                    "invalid signature file " + signature + ": truncated or malformed signature");
            Files.writeString(signature, "PK\u0003\u0004 not a signature\n");
            assertRefused(
                    run(s, List.of(pub), damaged, "fis:" + granted),
                    damaged,
                    "invalid signature file " + signature + ": not an Airlock signature file");
            Files.writeString(signature, whole.replace("airlock-signature-v1", "airlock-signature-v2"));
            assertRefused(
                    run(s, List.of(pub), damaged, "fis:" + granted),
                    damaged,
                    "invalid signature file " + signature + ": unsupported signature format 'airlock-signature-v2'");
        }
    }

    @Test
    void ecdsaP256WithAnOpensslPemKeyAndCheckReportsEachPolicy() throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path granted = s.file("granted/in.txt", "granted text");
            String text = FileAccessIT.grant(s.data.resolve("granted/-"), "read");
            Path key = s.root.resolve("ec.pem");
            Path pub = s.root.resolve("ec.pub.pem");
            tool(
                    "openssl",
                    "genpkey",
                    "-algorithm",
                    "EC",
                    "-pkeyopt",
                    "ec_paramgen_curve:P-256",
                    "-out",
                    key.toString());
            tool("openssl", "pkey", "-in", key.toString(), "-pubout", "-out", pub.toString());
            Path edKey = sshKey(s, "ed");
            Path edPub = s.root.resolve("ed.pub");
            Path policy = s.policy("app.policy", text);
            Path byEd = s.policy("by-ed.policy", text);
            Path unsigned = s.policy("unsigned.policy", text);
            assertEquals(
                    0,
                    airlock("sign", "--key", key.toString(), policy.toString()).exitCode());
            assertEquals(
                    0,
                    airlock("sign", "--key", edKey.toString(), byEd.toString()).exitCode());
            assertTrue(
                    Files.readString(Path.of(policy + ".sig")).startsWith("airlock-signature-v1 ecdsa-p256 SHA256:"));

            Sandbox.Result ok = run(s, List.of(edPub, pub), policy, "fis:" + granted);
            assertEquals(0, ok.exitCode(), ok.stderr());
            assertEquals("OK granted text", ok.answer("fis:" + granted));

            Sandbox.Result check = airlock(
                    "check", "--trust", pub.toString(), policy.toString(), byEd.toString(), unsigned.toString());
            assertEquals(2, check.exitCode(), "run with this key would refuse two of them: " + check.stderr());
            List<String> lines = check.stderr().lines().toList();
            assertTrue(
                    lines.stream()
                            .anyMatch(l -> l.matches("\\Q" + policy + ": signed by ecdsa-p256 key SHA256:\\E\\S{43}"
                                    + "\\Q (trusted: " + pub + ")\\E")),
                    check.stderr());
            assertTrue(
                    lines.contains(byEd + ": signed by ed25519 key " + fingerprint(edPub) + ", which is not trusted"),
                    check.stderr());
            assertTrue(lines.contains(unsigned + ": unsigned (no " + unsigned + ".sig)"), check.stderr());
        }
    }

    @Test
    void theDropInsTrustOptionVerifiesItsPoliciesToo() throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path granted = s.file("granted/in.txt", "granted text");
            String text = FileAccessIT.grant(s.data.resolve("granted/-"), "read");
            Path policy = s.policy("app.policy", text);
            Path key = sshKey(s, "k");
            assertEquals(
                    0,
                    airlock("sign", "--key", key.toString(), policy.toString()).exitCode());

            // Relative to the program's working directory, as policy= is.
            Sandbox.Result ok = DropInIT.run(
                    DropInIT.dropIn(JDK, "policy=app.policy,trust=k.pub", DropInIT.probe(s, "fis:" + granted)),
                    s.root,
                    Map.of());
            assertEquals(0, ok.exitCode(), ok.stderr());
            assertEquals("OK granted text", ok.answer("fis:" + granted));
            assertEquals("", ok.stderr());

            Path unsigned = s.policy("unsigned.policy", text);
            List<String> args = new ArrayList<>(List.of("-Djava.security.policy==" + unsigned));
            args.addAll(DropInIT.probe(s, "fis:" + granted));
            Sandbox.Result refused =
                    DropInIT.run(DropInIT.dropIn(JDK, "trust=" + s.root.resolve("k.pub"), args), null, Map.of());
            assertRefused(refused, unsigned, "unsigned (no " + unsigned + ".sig)");
        }
    }
}
