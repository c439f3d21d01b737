package dev.airlock.helper;

import dev.airlock.unix.Errno;

/**
 * The operation failed with {@link #errno()} as it would have without Airlock: the policy allowed
 * it and the kernel (or the broker on the kernel's behalf, e.g. EINVAL for a path the wire cannot
 * carry) refused. The agent turns it into the JDK's own exception for that errno.
 */
public final class OperationFailedException extends BrokerException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    /** @param path the path the request was about, for the message */
    public OperationFailedException(String path, int errno) {
        super(path + ": " + Errno.description(errno), null);
        this.errno = errno;
    }

    /** The error number, 1..4095. */
    public int errno() {
        return errno;
    }
}
