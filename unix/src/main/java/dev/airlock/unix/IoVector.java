package dev.airlock.unix;

import static dev.airlock.unix.StructLayout.Scalar.POINTER;
import static dev.airlock.unix.StructLayout.Scalar.SIZE_T;

import jnr.ffi.Pointer;

/**
 * A {@code struct iovec} (sys/uio.h) in native memory: one buffer of a message, its address and
 * length. A view is made once per native block; a message then only sets its two fields.
 */
final class IoVector {
    private static final StructLayout LAYOUT = new StructLayout();
    static final int BASE = LAYOUT.field(POINTER);
    static final int LENGTH = LAYOUT.field(SIZE_T);
    static final int SIZE = LAYOUT.size();

    private final Pointer memory;
    private final long at;

    /** The vector at {@code at} in {@code memory}, which must hold {@link #SIZE} bytes there. */
    IoVector(Pointer memory, long at) {
        this.memory = memory;
        this.at = at;
    }

    /** Its native address, as {@code msg_iov} takes it. */
    long address() {
        return memory.address() + at;
    }

    /** Points the vector at {@code length} bytes from {@code base}. */
    void set(long base, long length) {
        memory.putAddress(at + BASE, base);
        memory.putLong(at + LENGTH, length);
    }
}
