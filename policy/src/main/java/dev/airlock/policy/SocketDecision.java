package dev.airlock.policy;

/** The policy's answer to one socket request. */
public final class SocketDecision {

    private final boolean allowed;
    private final String rule;
    private final String reason;

    SocketDecision(boolean allowed, String rule, String reason) {
        this.allowed = allowed;
        this.rule = rule;
        this.reason = reason;
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

    /** When denied, exactly {@code denied by airlock policy NAME: ACTIONS}; null when allowed. */
    public String reason() {
        return reason;
    }

    @Override
    public String toString() {
        return allowed ? "ALLOW by " + rule : "DENY: " + reason;
    }
}
