package dev.airlock.broker.signing;

import java.nio.file.Path;
import org.bouncycastle.crypto.Signer;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;

/**
 * A private key that signs policies ({@code airlock sign --key FILE}): Ed25519 or ECDSA P-256, in
 * PKCS#8, SEC1 or OpenSSH form ({@link KeyFiles}); its public half, which verifies what it signs,
 * is {@link #verifyingKey()}. Its {@link #toString()} names the public key only.
 */
public final class SigningKey {
    private final KeyAlgorithm algorithm;
    private final AsymmetricKeyParameter key;
    private final VerifyingKey verifyingKey;

    private SigningKey(KeyAlgorithm algorithm, AsymmetricKeyParameter key, String source) {
        this.algorithm = algorithm;
        this.key = key;
        this.verifyingKey = new VerifyingKey(algorithm, publicOf(key), source);
    }

    /** The private key in {@code file}. */
    public static SigningKey read(Path file) throws KeyFileException {
        KeyFiles.Parsed parsed = KeyFiles.privateKey(file, KeyFiles.read(file));
        return new SigningKey(parsed.algorithm(), parsed.key(), file.toString());
    }

    /** This key's signature over exactly {@code message}. */
    byte[] sign(byte[] message) {
        Signer signer = algorithm.signer();
        signer.init(true, key);
        signer.update(message, 0, message.length);
        try {
            return signer.generateSignature();
        } catch (org.bouncycastle.crypto.CryptoException e) {
            throw new IllegalStateException("signing failed with " + verifyingKey, e);
        }
    }

    public KeyAlgorithm algorithm() {
        return algorithm;
    }

    /** The public half of this key. */
    public VerifyingKey verifyingKey() {
        return verifyingKey;
    }

    @Override
    public String toString() {
        return "private " + verifyingKey;
    }

    private static AsymmetricKeyParameter publicOf(AsymmetricKeyParameter key) {
        if (key instanceof Ed25519PrivateKeyParameters ed) {
            return ed.generatePublicKey();
        }
        ECPrivateKeyParameters ec = (ECPrivateKeyParameters) key;
        return new ECPublicKeyParameters(
                new FixedPointCombMultiplier()
                        .multiply(ec.getParameters().getG(), ec.getD())
                        .normalize(),
                ec.getParameters());
    }
}
