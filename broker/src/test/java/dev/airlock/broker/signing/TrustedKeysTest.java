package dev.airlock.broker.signing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signing and verifying, end to end on files: a policy signed with each algorithm verifies with
 * its public key in each format, and every refusal is its own state, with the message a run
 * prints: no signature file, a key that is not trusted (named by fingerprint), one changed byte,
 * another key's signature under a trusted key's fingerprint, a truncated, garbage or
 * unsupported signature file.
 */
class TrustedKeysTest {
    private static final byte[] POLICY = "grant {\n  permission java.io.FilePermission \"/srv/data/-\", \"read\";\n};\n"
            .getBytes(StandardCharsets.UTF_8);

    @TempDir
    static Path dir;

    @BeforeAll
    static void makeKeys() throws Exception {
        KeyMaker keys = new KeyMaker(dir);
        keys.sshKeygen("ed", "ed25519", 0, "");
        keys.sshKeygen("other", "ed25519", 0, "");
        keys.sshKeygen("ec", "ecdsa", 256, "");
        keys.openssl("ec.pem", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ec.pem");
        keys.openssl("ec.pub.pem", "pkey", "-in", "ec.pem", "-pubout", "-out", "ec.pub.pem");
    }

    /** A policy file with {@link #POLICY} and its signature by {@code key}. */
    private static Path signed(String name, String key) throws Exception {
        Path policy = Files.write(dir.resolve(name), POLICY);
        SignatureFile signature = PolicySignature.sign(SigningKey.read(dir.resolve(key)), POLICY);
        Files.write(PolicySignature.signatureFileOf(policy), signature.encoded());
        return policy;
    }

    private static TrustedKeys trusting(String... files) throws KeyFileException {
        return TrustedKeys.read(List.of(files).stream().map(dir::resolve).toList());
    }

    @Test
    void aPolicySignedWithEachAlgorithmVerifiesWithItsPublicKey() throws Exception {
        for (String[] pair : new String[][] {{"ed", "ed.pub"}, {"ec", "ec.pub"}, {"ec.pem", "ec.pub.pem"}}) {
            Path policy = signed("p-" + pair[0] + ".policy", pair[0]);
            TrustedKeys trusted = trusting("other.pub", pair[1]);
            VerifyingKey key = trusted.requireSigned(policy, POLICY);
            assertEquals(VerifyingKey.read(dir.resolve(pair[1])).fingerprint(), key.fingerprint());
            SignatureState state = trusted.examine(policy, POLICY);
            assertInstanceOf(SignatureState.Verified.class, state);
            assertEquals("signed by " + key + " (trusted: " + dir.resolve(pair[1]) + ")", state.describe());
        }
    }

    @Test
    void ecdsaSignaturesAreDeterministic() throws Exception {
        SigningKey key = SigningKey.read(dir.resolve("ec"));
        assertArrayEquals(
                PolicySignature.sign(key, POLICY).encoded(),
                PolicySignature.sign(key, POLICY).encoded());
    }

    @Test
    void theContextIsSignedWithTheBytes() throws Exception {
        SigningKey key = SigningKey.read(dir.resolve("ed"));
        SignatureFile signature = PolicySignature.sign(key, POLICY);
        assertTrue(key.verifyingKey().verifies(PolicySignature.message(POLICY), signature.signature()));
        assertFalse(
                key.verifyingKey().verifies(POLICY, signature.signature()),
                "a signature over the bare bytes is not a policy signature");
    }

    @Test
    void aMissingSignatureIsRefused() throws Exception {
        Path policy = Files.write(dir.resolve("unsigned.policy"), POLICY);
        PolicySignatureException e = assertThrows(
                PolicySignatureException.class, () -> trusting("ed.pub").requireSigned(policy, POLICY));
        assertInstanceOf(SignatureState.Unsigned.class, e.state());
        assertEquals(policy + ": refused: unsigned (no " + policy + ".sig)", e.getMessage());
    }

    @Test
    void aKeyThatIsNotTrustedIsRefusedByFingerprint() throws Exception {
        Path policy = signed("by-other.policy", "other");
        KeyFingerprint other = VerifyingKey.read(dir.resolve("other.pub")).fingerprint();
        PolicySignatureException e = assertThrows(
                PolicySignatureException.class,
                () -> trusting("ed.pub", "ec.pub").requireSigned(policy, POLICY));
        assertEquals(new SignatureState.Untrusted(KeyAlgorithm.ED25519, other), e.state());
        assertEquals(policy + ": refused: signed by ed25519 key " + other + ", which is not trusted", e.getMessage());
    }

    @Test
    void oneChangedByteIsABadSignature() throws Exception {
        Path policy = signed("changed.policy", "ed");
        byte[] changed = POLICY.clone();
        changed[changed.length - 3] ^= 1;
        PolicySignatureException e = assertThrows(
                PolicySignatureException.class, () -> trusting("ed.pub").requireSigned(policy, changed));
        assertInstanceOf(SignatureState.BadSignature.class, e.state());
        assertTrue(
                e.getMessage()
                        .startsWith(policy + ": refused: bad signature: the file changed after it was signed by ed25519"
                                + " key SHA256:"),
                e.getMessage());
        // ECDSA too.
        Path ecPolicy = signed("changed-ec.policy", "ec");
        assertInstanceOf(SignatureState.BadSignature.class, trusting("ec.pub").examine(ecPolicy, changed));
    }

    @Test
    void anotherKeysSignatureUnderATrustedFingerprintIsABadSignature() throws Exception {
        Path policy = signed("forged.policy", "other");
        SignatureFile byOther = SignatureFile.parse(Files.readAllBytes(PolicySignature.signatureFileOf(policy)));
        KeyFingerprint trustedKey = VerifyingKey.read(dir.resolve("ed.pub")).fingerprint();
        Files.write(
                PolicySignature.signatureFileOf(policy),
                new SignatureFile(KeyAlgorithm.ED25519, trustedKey, byOther.signature()).encoded());
        assertInstanceOf(SignatureState.BadSignature.class, trusting("ed.pub").examine(policy, POLICY));
        // Nor does an ECDSA key's fingerprint with an Ed25519 signature verify.
        KeyFingerprint ecKey = VerifyingKey.read(dir.resolve("ec.pub")).fingerprint();
        Files.write(
                PolicySignature.signatureFileOf(policy),
                new SignatureFile(KeyAlgorithm.ED25519, ecKey, byOther.signature()).encoded());
        assertInstanceOf(SignatureState.BadSignature.class, trusting("ec.pub").examine(policy, POLICY));
    }

    @Test
    void aTruncatedGarbageOrUnsupportedSignatureFileIsInvalid() throws Exception {
        Path policy = signed("damaged.policy", "ed");
        Path signatureFile = PolicySignature.signatureFileOf(policy);
        byte[] whole = Files.readAllBytes(signatureFile);
        TrustedKeys trusted = trusting("ed.pub");
        String[][] cases = {
            {new String(whole, 0, whole.length - 20, StandardCharsets.US_ASCII), "truncated or malformed signature"},
            {"garbage\n", "not an Airlock signature file"},
            {"airlock-signature-v9 ed25519 x y\n", "unsupported signature format 'airlock-signature-v9'"},
            {"", "the signature file is empty"},
        };
        for (String[] c : cases) {
            Files.writeString(signatureFile, c[0]);
            PolicySignatureException e =
                    assertThrows(PolicySignatureException.class, () -> trusted.requireSigned(policy, POLICY), c[1]);
            assertInstanceOf(SignatureState.Invalid.class, e.state());
            assertTrue(
                    e.getMessage()
                            .startsWith(policy + ": refused: invalid signature file " + signatureFile + ": " + c[1]),
                    e.getMessage());
        }
        Files.delete(signatureFile);
        Files.createDirectory(signatureFile);
        assertEquals(
                "invalid signature file " + signatureFile + ": not a regular file",
                trusted.examine(policy, POLICY).describe());
        Files.delete(signatureFile);
        Process mkfifo = new ProcessBuilder("mkfifo", signatureFile.toString()).start();
        assertEquals(0, mkfifo.waitFor());
        assertEquals(
                "invalid signature file " + signatureFile + ": not a regular file",
                trusted.examine(policy, POLICY).describe(),
                "a FIFO is refused unread, never waited on");
    }

    @Test
    void theSameKeyTrustedTwiceCountsOnceAndNoKeyMeansNoneNeeded() throws Exception {
        assertEquals(1, trusting("ed.pub", "ed.pub").keys().size());
        assertTrue(TrustedKeys.none().isEmpty());
        assertFalse(trusting("ed.pub").isEmpty());
    }
}
