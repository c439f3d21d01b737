package dev.airlock.broker.signing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * The signature file's one line: what is written reads back the same, and every damaged or
 * foreign file is refused with a message that says how (not a signature file, unsupported format
 * or algorithm, truncated, malformed), never taken for a signature that merely fails.
 */
class SignatureFileTest {
    private static final KeyFingerprint KEY = new KeyFingerprint("SHA256:qsDB1uIGz+EgsEJQaIEYoJXgcMol+3cxd2g/Uvd6PO4");

    private static byte[] ed25519Signature() {
        byte[] signature = new byte[64];
        Arrays.fill(signature, (byte) 7);
        return signature;
    }

    @Test
    void writesOneLineThatReadsBack() throws Exception {
        SignatureFile file = new SignatureFile(KeyAlgorithm.ED25519, KEY, ed25519Signature());
        String line = new String(file.encoded(), StandardCharsets.US_ASCII);
        assertEquals(
                "airlock-signature-v1 ed25519 " + KEY + " "
                        + Base64.getEncoder().encodeToString(ed25519Signature()) + "\n",
                line);
        SignatureFile read = SignatureFile.parse(file.encoded());
        assertEquals(file, read);
        assertArrayEquals(ed25519Signature(), read.signature());
        assertEquals(KEY, read.key());
        // The final newline is optional (an editor may drop it).
        assertEquals(file, SignatureFile.parse(line.strip().getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void refusesWhatIsNotASignatureFile() {
        assertRefused("", "the signature file is empty");
        assertRefused("hello world\n", "not an Airlock signature file (it does not start with airlock-signature-v1)");
        assertRefused("-----BEGIN SSH SIGNATURE-----\n", "not an Airlock signature file (it does not start with");
        assertRefused("airlock-signature-v1 ed25519\nsecond line\n", "not an Airlock signature file (not one line");
        assertRefused("airlock-signature-v1 ed25519 \u00e9", "not an Airlock signature file (not one line");
        assertRefused("x".repeat(SignatureFile.MAX_SIZE + 1), "not an Airlock signature file (larger than 1024 bytes)");
    }

    @Test
    void refusesAnUnsupportedFormatOrAlgorithm() {
        assertRefused(
                "airlock-signature-v2 ed25519 " + KEY + " AAAA\n",
                "unsupported signature format 'airlock-signature-v2' (this Airlock reads airlock-signature-v1)");
        assertRefused(
                "airlock-signature-v1 rsa " + KEY + " AAAA\n",
                "unsupported key algorithm 'rsa' (known: ed25519, ecdsa-p256)");
    }

    @Test
    void refusesATruncatedOrMalformedLine() {
        String whole = new String(
                new SignatureFile(KeyAlgorithm.ED25519, KEY, ed25519Signature()).encoded(), StandardCharsets.US_ASCII);
        assertRefused(whole.substring(0, whole.length() - 10), "truncated or malformed signature");
        assertRefused(whole.substring(0, 40), "truncated or malformed signature line: 3 fields, where");
        assertRefused("airlock-signature-v1", "truncated or malformed signature line: 1 fields");
        assertRefused(whole.replace(" ", "  "), "truncated or malformed signature line");
        assertRefused("airlock-signature-v1 ed25519 SHA256:short AAAA\n", "malformed key fingerprint 'SHA256:short'");
        assertRefused("airlock-signature-v1 ed25519 " + KEY + " ***\n", "truncated or malformed signature: not base64");
        assertRefused(
                "airlock-signature-v1 ed25519 " + KEY + " AAAA\n",
                "truncated or malformed signature: 3 bytes, where an Ed25519 signature has 64");
        assertRefused(
                "airlock-signature-v1 ecdsa-p256 " + KEY + " "
                        + Base64.getEncoder().encodeToString(ed25519Signature()),
                "truncated or malformed signature: not a DER-encoded ECDSA P-256 signature");
    }

    private static void assertRefused(String content, String messageStart) {
        SignatureFormatException e = assertThrows(
                SignatureFormatException.class,
                () -> SignatureFile.parse(content.getBytes(StandardCharsets.UTF_8)),
                content);
        assertTrue(e.getMessage().startsWith(messageStart), e.getMessage() + "\n  expected: " + messageStart);
    }
}
