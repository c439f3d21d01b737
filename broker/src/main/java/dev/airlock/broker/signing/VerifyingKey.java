package dev.airlock.broker.signing;

import java.nio.file.Path;
import org.bouncycastle.crypto.Signer;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;

/**
 * A public key that verifies policy signatures, read from a {@code --trust} file (PEM
 * SubjectPublicKeyInfo or an OpenSSH {@code .pub} line, {@link KeyFiles}) or derived from a
 * {@link SigningKey}; named by its {@link KeyFingerprint}.
 */
public final class VerifyingKey {
    private final KeyAlgorithm algorithm;
    private final AsymmetricKeyParameter key;
    private final KeyFingerprint fingerprint;
    private final String source;

    VerifyingKey(KeyAlgorithm algorithm, AsymmetricKeyParameter key, String source) {
        if (key.isPrivate()) {
            throw new IllegalArgumentException("a verifying key is public");
        }
        this.algorithm = algorithm;
        this.key = key;
        this.fingerprint = KeyFingerprint.of(key);
        this.source = source;
    }

    /** The public key in {@code file}. */
    public static VerifyingKey read(Path file) throws KeyFileException {
        KeyFiles.Parsed parsed = KeyFiles.publicKey(file, KeyFiles.read(file));
        return new VerifyingKey(parsed.algorithm(), parsed.key(), file.toString());
    }

    /** Whether {@code signature} is this key's over exactly {@code message}. */
    boolean verifies(byte[] message, byte[] signature) {
        Signer signer = algorithm.signer();
        signer.init(false, key);
        signer.update(message, 0, message.length);
        try {
            return signer.verifySignature(signature);
        } catch (RuntimeException e) {
            // A signature that does not decode verifies nothing (SignatureFile checks the shape first).
            return false;
        }
    }

    public KeyAlgorithm algorithm() {
        return algorithm;
    }

    public KeyFingerprint fingerprint() {
        return fingerprint;
    }

    /** Where the key came from (its file as given), for messages. */
    public String source() {
        return source;
    }

    /** The algorithm and fingerprint, e.g. {@code ed25519 key SHA256:...}. */
    @Override
    public String toString() {
        return algorithm.token() + " key " + fingerprint;
    }
}
