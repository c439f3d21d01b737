package dev.airlock.unix;

import static dev.airlock.unix.StructLayout.Scalar.INT;
import static dev.airlock.unix.StructLayout.Scalar.POINTER;
import static dev.airlock.unix.StructLayout.Scalar.SIZE_T;
import static dev.airlock.unix.StructLayout.Scalar.SOCKLEN_T;

import jnr.ffi.Pointer;

/**
 * A {@code struct msghdr} (sys/socket.h) in native memory: what sendmsg(2) and recvmsg(2) take.
 * One view is made per native block, once, so filling in a header for a message allocates nothing.
 * Airlock never names a peer (the socket is a connected pair), so {@code msg_name} stays null.
 */
final class MessageHeader {
    private static final StructLayout LAYOUT = new StructLayout();
    static final int NAME = LAYOUT.field(POINTER);
    static final int NAME_LENGTH = LAYOUT.field(SOCKLEN_T);
    static final int IOV = LAYOUT.field(POINTER);
    static final int IOV_LENGTH = LAYOUT.field(SIZE_T);
    static final int CONTROL = LAYOUT.field(POINTER);
    static final int CONTROL_LENGTH = LAYOUT.field(SIZE_T);
    static final int FLAGS = LAYOUT.field(INT);
    static final int SIZE = LAYOUT.size();

    private final Pointer memory;
    private final long at;

    /** The header at {@code at} in {@code memory}, which must hold {@link #SIZE} bytes there. */
    MessageHeader(Pointer memory, long at) {
        this.memory = memory;
        this.at = at;
    }

    /** Its native address, as sendmsg and recvmsg take it. */
    long address() {
        return memory.address() + at;
    }

    /**
     * Fills in the whole header: no peer name, {@code iovCount} vectors at {@code iov}, and
     * {@code controlLength} bytes of control data at {@code control} (0 and 0 for none), flags 0.
     */
    void set(long iov, long iovCount, long control, long controlLength) {
        memory.putAddress(at + NAME, 0L);
        memory.putInt(at + NAME_LENGTH, 0);
        memory.putAddress(at + IOV, iov);
        memory.putLong(at + IOV_LENGTH, iovCount);
        memory.putAddress(at + CONTROL, control);
        memory.putLong(at + CONTROL_LENGTH, controlLength);
        memory.putInt(at + FLAGS, 0);
    }

    /** {@code msg_controllen}: after recvmsg, how much control data the kernel wrote. */
    long controlLength() {
        return memory.getLong(at + CONTROL_LENGTH);
    }

    /** {@code msg_flags}: after recvmsg, e.g. {@code MSG_TRUNC} and {@code MSG_CTRUNC}. */
    int flags() {
        return memory.getInt(at + FLAGS);
    }
}
