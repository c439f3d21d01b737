package dev.airlock.unix;

import static dev.airlock.unix.StructLayout.Scalar.INT;

import jnr.ffi.Pointer;

/**
 * A {@code struct ucred} (sys/socket.h): the pid, uid and gid the kernel reports for a socket's
 * peer (SO_PEERCRED) or a message's sender (SCM_CREDENTIALS), read into a {@link Credentials}.
 */
final class Ucred {
    private static final StructLayout LAYOUT = new StructLayout();
    static final int PID = LAYOUT.field(INT);
    static final int UID = LAYOUT.field(INT);
    static final int GID = LAYOUT.field(INT);
    static final int SIZE = LAYOUT.size();

    private Ucred() {}

    /** The credentials in the {@code struct ucred} at {@code at} in {@code memory}. */
    static Credentials read(Pointer memory, long at) {
        return new Credentials(memory.getInt(at + PID), memory.getInt(at + UID), memory.getInt(at + GID));
    }
}
