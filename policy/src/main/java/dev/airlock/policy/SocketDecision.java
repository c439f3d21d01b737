package dev.airlock.policy;

import java.util.Optional;

/** The policy's answer to one socket request. */
public final class SocketDecision {

    private final boolean allowed;
    private final String rule;
    /** Null when allowed. */
    private final Denial denial;

    SocketDecision(boolean allowed, String rule, Denial denial) {
        this.allowed = allowed;
        this.rule = rule;
        this.denial = denial;
    }

    /** Whether every requested action is granted. */
    public boolean allowed() {
        return allowed;
    }

    /**
     * When allowed, {@code FILE:LINE} of the first permission entry that granted a requested action
     * other than the implied {@code resolve}; null when denied.
     */
    public String rule() {
        return rule;
    }

    /**
     * When denied, {@code denied by airlock policy NAME: ACTIONS} (with the host and port for the
     * address decisions of {@link Policy}), followed by {@code  (closest grant: SENTENCE)} when
     * {@link #closest()} has one; null when allowed. This is the text the program sees.
     */
    public String reason() {
        return denial == null ? null : denial.reason;
    }

    /**
     * When denied, the grant that came closest to allowing the request ({@link ClosestGrant} and
     * docs/ARCHITECTURE.md say which that is), or empty when no grant is near; always empty when
     * allowed.
     */
    public Optional<ClosestGrant> closest() {
        return denial == null ? Optional.empty() : Optional.ofNullable(denial.closest);
    }

    @Override
    public String toString() {
        return allowed ? "ALLOW by " + rule : "DENY: " + reason();
    }
}
