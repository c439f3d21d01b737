package dev.airlock.policy;

/**
 * Why a request was denied: the reason the program sees and the closest grant it names, if any.
 * One object, so that a decision carries a single reference for both and an allowed decision is no
 * bigger for them; the denials without a closest grant are made once per set of actions.
 */
final class Denial {

    final String reason;
    final ClosestGrant closest;

    Denial(String reason, ClosestGrant closest) {
        this.reason = closest == null ? reason : reason + " (closest grant: " + closest.sentence() + ")";
        this.closest = closest;
    }

    /** This denial naming {@code grant} as the closest, or itself when there is none. */
    Denial closest(ClosestGrant grant) {
        return grant == null ? this : new Denial(reason, grant);
    }
}
