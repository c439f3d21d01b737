package dev.airlock.policy;

import java.util.Optional;

/**
 * The policy's answer to one file request, with what the broker needs to act on it: where to open
 * (the grant's root and the path beneath it) or what to tell the program.
 */
public final class FileDecision {

    private final boolean allowed;
    private final String normalizedPath;
    private final String root;
    private final String rule;
    /** Null when allowed. */
    private final Denial denial;

    FileDecision(boolean allowed, String normalizedPath, String root, String rule, Denial denial) {
        this.allowed = allowed;
        this.normalizedPath = normalizedPath;
        this.root = root;
        this.rule = rule;
        this.denial = denial;
    }

    /** Whether every requested action is granted. */
    public boolean allowed() {
        return allowed;
    }

    /**
     * The absolute, lexically normalized path that was decided: {@code user.dir} prepended to a
     * relative path, duplicate and trailing slashes and {@code .} removed, {@code ..} folded. A
     * {@code *} or {@code -} in it is part of a file's name, as it was for the decision.
     */
    public String normalizedPath() {
        return normalizedPath;
    }

    /**
     * When allowed, the grant root (one of {@link Policy#fileGrantRoots()}) that {@link
     * #normalizedPath()} is equal to or beneath; when several grants together allowed the request,
     * the deepest of their roots. Null when denied.
     */
    public String root() {
        return root;
    }

    /** When allowed, {@code FILE:LINE} of the first permission entry that granted the request;
     * null when denied. */
    public String rule() {
        return rule;
    }

    /**
     * When denied, {@code denied by airlock policy NAME: ACTIONS}, with the requested actions in
     * the JDK's order, followed by {@code  (closest grant: SENTENCE)} when {@link #closest()} has
     * one; null when allowed. This is the text the program sees in its exception.
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
        return allowed
                ? "ALLOW " + normalizedPath + " beneath " + root + " by " + rule
                : "DENY " + normalizedPath + ": " + reason();
    }
}
