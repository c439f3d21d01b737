package dev.airlock.broker.signing;

import java.util.Optional;
import org.bouncycastle.crypto.Signer;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.signers.DSADigestSigner;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;

/**
 * The signature algorithms a policy may be signed with, each named by the token the signature
 * file carries ({@link SignatureFile}): two that the keys people already have from
 * {@code ssh-keygen} and {@code openssl} use, and nothing weaker or more exotic to get wrong.
 */
public enum KeyAlgorithm {
    /** Ed25519 (RFC 8032, pure: the message itself is signed), 64-byte signatures. */
    ED25519("ed25519"),
    /**
     * ECDSA on NIST P-256 over SHA-256, the signature DER-encoded as openssl writes it; signing is
     * deterministic (RFC 6979), so it needs no random source and cannot leak the key through a
     * bad one.
     */
    ECDSA_P256("ecdsa-p256");

    private final String token;

    KeyAlgorithm(String token) {
        this.token = token;
    }

    /** The algorithm's name in a signature file and in messages. */
    public String token() {
        return token;
    }

    /** The algorithm a signature file's token names, if any. */
    public static Optional<KeyAlgorithm> ofToken(String token) {
        for (KeyAlgorithm algorithm : values()) {
            if (algorithm.token.equals(token)) {
                return Optional.of(algorithm);
            }
        }
        return Optional.empty();
    }

    /** A fresh, uninitialised Bouncy Castle signer for this algorithm. */
    Signer signer() {
        return switch (this) {
            case ED25519 -> new Ed25519Signer();
            case ECDSA_P256 ->
                new DSADigestSigner(new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest())), new SHA256Digest());
        };
    }
}
