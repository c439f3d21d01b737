package dev.airlock.broker.signing;

import java.nio.charset.StandardCharsets;
import org.bouncycastle.crypto.digests.SHA256Digest;

/**
 * The cryptography of the audit log (see docs/ARCHITECTURE.md, "Audit log"): SHA-256 for its
 * hash chain, and the signature of a seal record, made over a fixed context string {@code
 * airlock-audit-seal-v1} and a NUL followed by the seal line without its {@code signature} member,
 * so that no policy signature verifies as a seal nor the reverse. Here, beside the policy
 * signatures, because the keys' signers are this package's; the broker alone uses it.
 */
public final class AuditSeal {
    private static final byte[] CONTEXT = "airlock-audit-seal-v1\0".getBytes(StandardCharsets.US_ASCII);

    private AuditSeal() {}

    /** The SHA-256 of {@code bytes}. */
    public static byte[] sha256(byte[] bytes) {
        SHA256Digest digest = new SHA256Digest();
        digest.update(bytes, 0, bytes.length);
        byte[] hash = new byte[digest.getDigestSize()];
        digest.doFinal(hash, 0);
        return hash;
    }

    /** {@code key}'s signature over the seal line {@code unsigned} (without its signature member). */
    public static byte[] sign(SigningKey key, byte[] unsigned) {
        return key.sign(message(unsigned));
    }

    /** Whether {@code signature} is {@code key}'s over the seal line {@code unsigned}. */
    public static boolean verifies(VerifyingKey key, byte[] unsigned, byte[] signature) {
        return key.verifies(message(unsigned), signature);
    }

    private static byte[] message(byte[] unsigned) {
        byte[] message = new byte[CONTEXT.length + unsigned.length];
        System.arraycopy(CONTEXT, 0, message, 0, CONTEXT.length);
        System.arraycopy(unsigned, 0, message, CONTEXT.length, unsigned.length);
        return message;
    }
}
