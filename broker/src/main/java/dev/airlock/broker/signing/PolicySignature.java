package dev.airlock.broker.signing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * How a policy and its signature belong together. The signature of {@code app.policy} is the
 * file {@code app.policy.sig} beside it ({@link #signatureFileOf}, a {@link SignatureFile}). It is
 * detached and covers the policy file's exact bytes (no normalisation of line ends or encoding:
 * what was signed is byte for byte what is parsed), prefixed by a fixed context string,
 * {@code airlock-policy-signature-v1} and a NUL ({@link #message}): that ties the signature to
 * this one purpose, so that a key that also logs into machines (an {@code ssh-keygen} key) never
 * signs, for Airlock, bytes that another protocol would take as its own, and no signature made by
 * another tool over the same bytes is accepted as a policy signature. The policy's name and path
 * are not signed, so that one signed policy can be shipped to many machines at any path.
 */
public final class PolicySignature {
    /** The suffix that names a policy's signature file. */
    public static final String SUFFIX = ".sig";

    private static final byte[] CONTEXT = "airlock-policy-signature-v1\0".getBytes(StandardCharsets.US_ASCII);

    private PolicySignature() {}

    /** The signature file of {@code policy}: the same path with {@link #SUFFIX} added. */
    public static Path signatureFileOf(Path policy) {
        return Path.of(policy + SUFFIX);
    }

    /** {@code key}'s signature over {@code policy}, a policy file's bytes. */
    public static SignatureFile sign(SigningKey key, byte[] policy) {
        return new SignatureFile(key.algorithm(), key.verifyingKey().fingerprint(), key.sign(message(policy)));
    }

    /** Whether {@code signature} is {@code key}'s over {@code policy}. */
    static boolean verifies(VerifyingKey key, SignatureFile signature, byte[] policy) {
        return signature.algorithm() == key.algorithm() && key.verifies(message(policy), signature.signature());
    }

    /** What is signed: the context string, then the policy's bytes. */
    static byte[] message(byte[] policy) {
        byte[] message = new byte[CONTEXT.length + policy.length];
        System.arraycopy(CONTEXT, 0, message, 0, CONTEXT.length);
        System.arraycopy(policy, 0, message, CONTEXT.length, policy.length);
        return message;
    }
}
