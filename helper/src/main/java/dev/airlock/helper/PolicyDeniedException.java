package dev.airlock.helper;

/**
 * The broker's policy refused the request. Carries the errno the JDK should report (EACCES or
 * EPERM) and the policy's reason as the policy words it, such as {@code denied by airlock policy
 * app.policy: read}, which the agent puts into the JDK-shaped exception the application sees.
 */
public final class PolicyDeniedException extends BrokerException {
    private static final long serialVersionUID = 1L;

    private final int errno;
    private final String reason;

    /**
     * @param path the path the request was about, for the message
     * @throws IllegalArgumentException if {@code reason} is empty: a denial always says why
     */
    public PolicyDeniedException(String path, int errno, String reason) {
        super(path + ": " + reason, null);
        if (reason.isEmpty()) {
            throw new IllegalArgumentException("a policy denial needs a reason");
        }
        this.errno = errno;
        this.reason = reason;
    }

    /** EACCES or EPERM, as the broker reports the denial. */
    public int errno() {
        return errno;
    }

    /** The policy's reason, e.g. {@code denied by airlock policy app.policy: read}; never empty. */
    public String reason() {
        return reason;
    }
}
