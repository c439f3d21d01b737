package dev.airlock.helper;

import java.io.IOException;

/**
 * The broker answered a request with a failure. A non-empty {@link #reason()} means the policy
 * refused it (e.g. {@code denied by airlock policy app.policy: read}); an empty one means the
 * operation itself failed with {@link #errno()}, as it would have without Airlock. The agent turns
 * either into the JDK's own exception for the API that asked.
 */
public final class BrokerDeniedException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int errno;
    private final String reason;

    public BrokerDeniedException(String path, int errno, String reason) {
        super(path + ": " + (reason.isEmpty() ? dev.airlock.ipc.Errno.description(errno) : reason));
        this.errno = errno;
        this.reason = reason;
    }

    public int errno() {
        return errno;
    }

    /** The policy's reason for a denial, or empty when the operation failed on its own. */
    public String reason() {
        return reason;
    }

    public boolean isPolicyDenial() {
        return !reason.isEmpty();
    }
}
