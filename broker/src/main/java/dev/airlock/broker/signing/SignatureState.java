package dev.airlock.broker.signing;

import java.nio.file.Path;

/**
 * What a policy file's signature amounts to against a set of {@link TrustedKeys}
 * ({@link TrustedKeys#examine}): only {@link Verified} lets {@code airlock run --trust} use the
 * policy; every other state is a refusal, worded by {@link #describe()}, which {@code airlock
 * check} prints as it is.
 */
public sealed interface SignatureState {
    /** One phrase saying what the signature is, e.g. {@code unsigned (no app.policy.sig)}. */
    String describe();

    /** Signed by a trusted key, and the signature holds for the bytes that were read. */
    record Verified(VerifyingKey key) implements SignatureState {
        @Override
        public String describe() {
            return "signed by " + key + " (trusted: " + key.source() + ")";
        }
    }

    /** There is no signature file beside the policy. */
    record Unsigned(Path signatureFile) implements SignatureState {
        @Override
        public String describe() {
            return "unsigned (no " + signatureFile + ")";
        }
    }

    /** The signature file cannot be read, or is not a valid signature file ({@link SignatureFile#parse}). */
    record Invalid(Path signatureFile, String why) implements SignatureState {
        @Override
        public String describe() {
            return "invalid signature file " + signatureFile + ": " + why;
        }
    }

    /** The signature file names a key that is not trusted, so it cannot be verified. */
    record Untrusted(KeyAlgorithm algorithm, KeyFingerprint key) implements SignatureState {
        @Override
        public String describe() {
            return "signed by " + algorithm.token() + " key " + key + ", which is not trusted";
        }
    }

    /**
     * The signature file names a trusted key, but its signature does not hold for the policy's
     * bytes: the file changed after it was signed (or the signature was not made by that key).
     */
    record BadSignature(VerifyingKey key) implements SignatureState {
        @Override
        public String describe() {
            return "bad signature: the file changed after it was signed by " + key
                    + " (or the signature is not that key's)";
        }
    }
}
