package dev.airlock.unix;

import static dev.airlock.unix.StructLayout.Scalar.INT;
import static dev.airlock.unix.StructLayout.Scalar.SIZE_T;

import jnr.ffi.Pointer;

/**
 * A {@code struct cmsghdr} (sys/socket.h), the header of one control message in a message's
 * control buffer (SCM_RIGHTS descriptors, SCM_CREDENTIALS), and glibc's {@code CMSG_*} macros
 * computed from its layout. Control messages sit at varying offsets in the buffer, so this class
 * reads and writes the one at a given offset rather than being a view.
 */
final class ControlMessage {
    private static final StructLayout LAYOUT = new StructLayout();
    static final int LENGTH = LAYOUT.field(SIZE_T);
    static final int LEVEL = LAYOUT.field(INT);
    static final int TYPE = LAYOUT.field(INT);
    static final int HEADER_SIZE = LAYOUT.size();

    /** The unit CMSG_ALIGN rounds to: the size of {@code cmsg_len}'s type. */
    private static final int ALIGNMENT = SIZE_T.size;

    /** {@code CMSG_DATA}'s distance from the header: where a control message's data starts. */
    static final int DATA = align(HEADER_SIZE);

    private ControlMessage() {}

    /** {@code CMSG_ALIGN(length)}. */
    static int align(int length) {
        return StructLayout.align(length, ALIGNMENT);
    }

    /** {@code CMSG_LEN(dataLength)}: the {@code cmsg_len} of a message carrying that much data. */
    static int length(int dataLength) {
        return DATA + dataLength;
    }

    /** {@code CMSG_SPACE(dataLength)}: the room such a message takes in a control buffer, padding included. */
    static int space(int dataLength) {
        return DATA + align(dataLength);
    }

    /**
     * Writes the header of a control message of {@code level} and {@code type} carrying
     * {@code dataLength} bytes at {@code at}; returns the offset where its data goes.
     */
    static long put(Pointer memory, long at, int level, int type, int dataLength) {
        memory.putLong(at + LENGTH, length(dataLength));
        memory.putInt(at + LEVEL, level);
        memory.putInt(at + TYPE, type);
        return at + DATA;
    }

    /** {@code cmsg_len} of the control message at {@code at}: header and data, without trailing padding. */
    static long lengthAt(Pointer memory, long at) {
        return memory.getLong(at + LENGTH);
    }

    /** {@code cmsg_level} of the control message at {@code at}. */
    static int levelAt(Pointer memory, long at) {
        return memory.getInt(at + LEVEL);
    }

    /** {@code cmsg_type} of the control message at {@code at}. */
    static int typeAt(Pointer memory, long at) {
        return memory.getInt(at + TYPE);
    }

    /** The offset of the control message after one of {@code length} at {@code at} (CMSG_NXTHDR's step). */
    static long next(long at, long length) {
        return at + StructLayout.align(length, ALIGNMENT);
    }
}
