package dev.airlock.broker.signing;

import java.nio.file.Path;

/**
 * A policy refused because keys are trusted and its signature is not a trusted key's valid
 * signature over its bytes: the message is the policy's name and the {@link SignatureState}'s
 * description, e.g. {@code app.policy: refused: unsigned (no app.policy.sig)}.
 */
public final class PolicySignatureException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient SignatureState state;

    PolicySignatureException(Path policy, SignatureState state) {
        super(policy + ": refused: " + state.describe());
        this.state = state;
    }

    /** Why the policy was refused. */
    public SignatureState state() {
        return state;
    }
}
