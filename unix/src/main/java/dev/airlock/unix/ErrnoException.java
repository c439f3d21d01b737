package dev.airlock.unix;

import java.io.IOException;

/**
 * A system call failed. The message names the call, its argument and the errno the way
 * {@code strerror} prints it, e.g. {@code openat2(/data/x) failed: EACCES (Permission denied)},
 * and {@link #errno()} keeps the number so callers can forward it unchanged (the broker replies
 * with it; the helper turns it into the JDK's own exception for that errno).
 */
public final class ErrnoException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    public ErrnoException(String call, int errno) {
        super(call + " failed: " + Errno.name(errno) + " (" + Errno.description(errno) + ")");
        this.errno = errno;
    }

    /** The errno the call returned. */
    public int errno() {
        return errno;
    }
}
