package dev.airlock.unix;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Owns one open file descriptor and closes it exactly once. Every descriptor Airlock opens or
 * receives is held by an {@code Fd} until it is handed on ({@link #release()}) or closed, so a
 * descriptor can neither leak into the helper nor be closed twice (a double close can close an
 * unrelated descriptor that reused the number).
 */
public final class Fd implements AutoCloseable {
    private static final int CLOSED = -1;

    private final AtomicInteger value;

    private Fd(int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("not a descriptor: " + fd);
        }
        this.value = new AtomicInteger(fd);
    }

    /** Takes ownership of a descriptor that nothing else will close. */
    public static Fd adopt(int fd) {
        return new Fd(fd);
    }

    /** The descriptor number; {@link IllegalStateException} once closed or released. */
    public int get() {
        int fd = value.get();
        if (fd == CLOSED) {
            throw new IllegalStateException("descriptor already closed");
        }
        return fd;
    }

    public boolean isOpen() {
        return value.get() != CLOSED;
    }

    /** Gives up ownership without closing: the caller now owns the number. */
    public int release() {
        int fd = value.getAndSet(CLOSED);
        if (fd == CLOSED) {
            throw new IllegalStateException("descriptor already closed");
        }
        return fd;
    }

    /** Closes the descriptor; later calls do nothing. */
    @Override
    public void close() {
        int fd = value.getAndSet(CLOSED);
        if (fd != CLOSED) {
            Linux.closeQuietly(fd);
        }
    }

    @Override
    public String toString() {
        int fd = value.get();
        return fd == CLOSED ? "Fd[closed]" : "Fd[" + fd + "]";
    }
}
