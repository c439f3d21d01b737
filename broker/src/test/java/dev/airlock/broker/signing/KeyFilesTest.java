package dev.airlock.broker.signing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key parsers on keys made by {@code ssh-keygen} and {@code openssl}: each private and public
 * format with each algorithm, a private key's public half equal to its {@code .pub}, fingerprints
 * equal to {@code ssh-keygen -l}'s, and a precise refusal for every other key type, a public key
 * where a private one is wanted (and the reverse), an encrypted key and garbage.
 */
class KeyFilesTest {
    @TempDir
    static Path dir;

    static KeyMaker keys;

    @BeforeAll
    static void makeKeys() throws Exception {
        keys = new KeyMaker(dir);
        keys.sshKeygen("ed", "ed25519", 0, "");
        keys.sshKeygen("ec", "ecdsa", 256, "");
        keys.sshKeygen("ec384", "ecdsa", 384, "");
        keys.sshKeygen("encrypted", "ed25519", 0, "secret");
        keys.sshKeygen("rsa", "rsa", 2048, "");
        keys.openssl("ed.pem", "genpkey", "-algorithm", "ed25519", "-out", "ed.pem");
        keys.openssl("ed.pub.pem", "pkey", "-in", "ed.pem", "-pubout", "-out", "ed.pub.pem");
        keys.openssl("ec-sec1.pem", "ecparam", "-name", "prime256v1", "-genkey", "-out", "ec-sec1.pem");
        keys.openssl("ec-sec1-noparams.pem", "ec", "-in", "ec-sec1.pem", "-out", "ec-sec1-noparams.pem");
        keys.openssl("ec.pub.pem", "pkey", "-in", "ec-sec1.pem", "-pubout", "-out", "ec.pub.pem");
        keys.openssl(
                "ec-pkcs8.pem",
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-out",
                "ec-pkcs8.pem");
        keys.openssl("ec-pkcs8.pub.pem", "pkey", "-in", "ec-pkcs8.pem", "-pubout", "-out", "ec-pkcs8.pub.pem");
        keys.openssl(
                "encrypted.pem",
                "genpkey",
                "-algorithm",
                "ed25519",
                "-aes-256-cbc",
                "-pass",
                "pass:secret",
                "-out",
                "encrypted.pem");
        keys.openssl("p384.pem", "ecparam", "-name", "secp384r1", "-genkey", "-noout", "-out", "p384.pem");
        keys.openssl("rsa.pem", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa.pem");
    }

    private static Path key(String name) {
        return dir.resolve(name);
    }

    @Test
    void sshKeygenKeysReadWithTheirPublicHalfAndSshKeygensFingerprint() throws Exception {
        for (String name : new String[] {"ed", "ec"}) {
            SigningKey signing = SigningKey.read(key(name));
            VerifyingKey verifying = VerifyingKey.read(key(name + ".pub"));
            assertEquals(name.equals("ed") ? KeyAlgorithm.ED25519 : KeyAlgorithm.ECDSA_P256, signing.algorithm());
            assertEquals(verifying.algorithm(), signing.algorithm());
            assertEquals(verifying.fingerprint(), signing.verifyingKey().fingerprint(), name);
            assertEquals(
                    KeyMaker.sshFingerprint(key(name + ".pub")),
                    verifying.fingerprint().text(),
                    "the fingerprint ssh-keygen -l prints");
        }
    }

    @Test
    void opensslPemKeysReadInEveryForm() throws Exception {
        assertEquals(KeyAlgorithm.ED25519, SigningKey.read(key("ed.pem")).algorithm());
        assertEquals(
                VerifyingKey.read(key("ed.pub.pem")).fingerprint(),
                SigningKey.read(key("ed.pem")).verifyingKey().fingerprint());
        // SEC1 with the EC PARAMETERS block openssl ecparam writes first, and without it.
        for (String sec1 : new String[] {"ec-sec1.pem", "ec-sec1-noparams.pem"}) {
            SigningKey ec = SigningKey.read(key(sec1));
            assertEquals(KeyAlgorithm.ECDSA_P256, ec.algorithm(), sec1);
            assertEquals(
                    VerifyingKey.read(key("ec.pub.pem")).fingerprint(),
                    ec.verifyingKey().fingerprint(),
                    sec1);
        }
        SigningKey pkcs8 = SigningKey.read(key("ec-pkcs8.pem"));
        assertEquals(KeyAlgorithm.ECDSA_P256, pkcs8.algorithm());
        assertEquals(
                VerifyingKey.read(key("ec-pkcs8.pub.pem")).fingerprint(),
                pkcs8.verifyingKey().fingerprint());
    }

    @Test
    void anOpenSshPublicLineMayHaveNoCommentAndSurroundingBlankLines() throws Exception {
        String line = Files.readString(key("ed.pub")).strip();
        String withoutComment = line.substring(0, line.lastIndexOf(' '));
        Path bare = Files.writeString(dir.resolve("bare.pub"), "\n" + withoutComment + "\n\n");
        assertEquals(
                VerifyingKey.read(key("ed.pub")).fingerprint(),
                VerifyingKey.read(bare).fingerprint());
    }

    @Test
    void anEncryptedPrivateKeyIsRefusedClearly() {
        for (String name : new String[] {"encrypted", "encrypted.pem"}) {
            KeyFileException e = assertThrows(KeyFileException.class, () -> SigningKey.read(key(name)), name);
            assertTrue(
                    e.getMessage().startsWith(key(name) + ": the private key is encrypted with a passphrase"),
                    e.getMessage());
        }
    }

    @Test
    void otherKeyTypesAndCurvesAreRefusedByName() {
        assertRefused(() -> SigningKey.read(key("rsa")), key("rsa") + ": unsupported key type RSA");
        assertRefused(() -> SigningKey.read(key("rsa.pem")), key("rsa.pem") + ": unsupported key type RSA");
        assertRefused(() -> VerifyingKey.read(key("rsa.pub")), key("rsa.pub") + ": unsupported key type ssh-rsa");
        assertRefused(() -> SigningKey.read(key("ec384")), key("ec384") + ": an ECDSA key on another curve than P-256");
        assertRefused(
                () -> VerifyingKey.read(key("ec384.pub")),
                key("ec384.pub") + ": unsupported key type ecdsa-sha2-nistp384");
        assertRefused(
                () -> SigningKey.read(key("p384.pem")), key("p384.pem") + ": an ECDSA key on another curve than P-256");
    }

    @Test
    void aPublicKeyIsNoSigningKeyAndAPrivateKeyIsNoTrustedKey() {
        for (String name : new String[] {"ed.pub", "ed.pub.pem", "ec.pub.pem"}) {
            assertRefused(() -> SigningKey.read(key(name)), key(name) + ": this is a public key");
        }
        for (String name : new String[] {"ed", "ed.pem", "ec-sec1.pem", "ec-pkcs8.pem"}) {
            assertRefused(() -> VerifyingKey.read(key(name)), key(name) + ": this is a private key");
        }
    }

    @Test
    void garbageIsRefusedAsNotAKey() throws Exception {
        Path text = Files.writeString(dir.resolve("text"), "hello\n");
        assertRefused(() -> SigningKey.read(text), text + ": not a private key");
        assertRefused(() -> VerifyingKey.read(text), text + ": not a public key");
        Path empty = Files.writeString(dir.resolve("empty"), "");
        assertRefused(() -> VerifyingKey.read(empty), empty + ": no public key in the file");
        Path binary = Files.write(dir.resolve("binary"), new byte[] {0, (byte) 0xff, 3});
        assertRefused(() -> SigningKey.read(binary), binary + ": not a key file (it is not ASCII text)");
        Path badBase64 = Files.writeString(
                dir.resolve("bad.pem"), "-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n");
        assertRefused(() -> VerifyingKey.read(badBase64), badBase64 + ": malformed PEM");
        Path badDer = Files.writeString(
                dir.resolve("bad-der.pem"), "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
        assertRefused(() -> VerifyingKey.read(badDer), badDer + ": malformed public key");
        Path truncatedPub = Files.writeString(
                dir.resolve("truncated.pub"), Files.readString(key("ed.pub")).substring(0, 40) + "\n");
        assertRefused(() -> VerifyingKey.read(truncatedPub), truncatedPub + ": malformed public key");
        Path certificate = Files.writeString(
                dir.resolve("cert.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        assertRefused(() -> VerifyingKey.read(certificate), certificate + ": unsupported PEM type CERTIFICATE");
        assertRefused(() -> SigningKey.read(certificate), certificate + ": unsupported key type CERTIFICATE");
        Path twoKeys = Files.writeString(
                dir.resolve("two.pub"), Files.readString(key("ed.pub")) + Files.readString(key("ec.pub")));
        assertRefused(() -> VerifyingKey.read(twoKeys), twoKeys + ": holds 2 lines; a public key file holds one key");
        Path lying = Files.writeString(
                dir.resolve("lying.pub"),
                Files.readString(key("ed.pub")).replace("ssh-ed25519", "ecdsa-sha2-nistp256"));
        assertRefused(() -> VerifyingKey.read(lying), lying + ": the line says ecdsa-sha2-nistp256 but holds another");
        assertRefused(
                () -> VerifyingKey.read(dir.resolve("absent.pub")), dir.resolve("absent.pub") + ": no such key file");
        assertRefused(() -> VerifyingKey.read(dir), dir + ": not a key file (not a regular file)");
        Path huge = Files.write(
                dir.resolve("huge"), "A".repeat(KeyFiles.MAX_SIZE + 1).getBytes(StandardCharsets.US_ASCII));
        assertRefused(() -> VerifyingKey.read(huge), huge + ": not a key file (larger than");
    }

    private interface KeyRead {
        Object read() throws KeyFileException;
    }

    private static void assertRefused(KeyRead read, String messageStart) {
        KeyFileException e = assertThrows(KeyFileException.class, read::read, messageStart);
        assertTrue(e.getMessage().startsWith(messageStart), e.getMessage() + "\n  expected: " + messageStart);
    }
}
