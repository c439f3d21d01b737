package dev.airlock.policy;

/**
 * The grant that came closest to allowing a denied request, so that a person fixing a policy
 * knows which line to look at: {@code app.policy:3 "/data/in/-" grants read, not write}.
 *
 * <p>Which grant is closest is decided in one place per kind of request ({@code FileIndex} for
 * files, {@code SocketIndex} for sockets) and only when a request is denied; docs/ARCHITECTURE.md
 * gives the definition. A denial's {@link FileDecision#reason()} or {@link SocketDecision#reason()}
 * ends with {@code (closest grant: SENTENCE)} when there is one.
 */
public final class ClosestGrant {

    private final String rule;
    private final String target;
    private final String actions;
    private final String sentence;

    ClosestGrant(String rule, String target, String actions, String why) {
        this.rule = rule;
        this.target = target;
        this.actions = actions;
        this.sentence = rule + " \"" + target + "\" " + why;
    }

    /** {@code FILE:LINE} of the permission entry that makes the grant. */
    public String rule() {
        return rule;
    }

    /**
     * The grant's target as the policy means it after property expansion and normalization:
     * {@code /data/in/-}, {@code /data/in/*}, {@code /data/in/x}, {@code <<ALL FILES>>}, or a
     * socket permission's name as written ({@code db.example.com:5432}).
     */
    public String target() {
        return target;
    }

    /** The actions that entry grants on {@link #target()}, in the JDK's order. */
    public String actions() {
        return actions;
    }

    /**
     * For a person: the rule, the target in quotes and why it did not allow the request, e.g.
     * {@code app.policy:3 "/data/in/-" grants read, not write}.
     */
    public String sentence() {
        return sentence;
    }

    @Override
    public String toString() {
        return sentence;
    }
}
