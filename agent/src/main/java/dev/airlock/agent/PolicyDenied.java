package dev.airlock.agent;

import java.io.IOException;

/**
 * The broker's policy refused an open. Carries the broker's reason as the policy words it, such as
 * {@code denied by airlock policy app.policy: read}, which the agent puts unchanged into the
 * JDK-shaped exception the application sees: {@code NAME (denied by airlock policy app.policy: read)}.
 */
final class PolicyDenied extends IOException {

    private static final long serialVersionUID = 1L;

    private final String reason;

    PolicyDenied(String reason) {
        super(reason);
        if (reason == null || reason.isEmpty()) {
            throw new IllegalArgumentException("a policy denial needs a reason");
        }
        this.reason = reason;
    }

    /** The broker's reason, e.g. {@code denied by airlock policy app.policy: read}. */
    String reason() {
        return reason;
    }
}
