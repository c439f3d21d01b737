package dev.airlock.unix;

/**
 * Lays out a C structure the way the compiler does on Linux x86_64 (LP64): each field at the next
 * offset that is a multiple of its own size, the whole padded to its widest field. The structure
 * classes ({@link MessageHeader}, {@link IoVector}, {@link ControlMessage}, {@link Ucred}) derive
 * their field offsets from it, declaring the fields in the order the kernel's header does, so
 * that no offset is counted by hand.
 */
final class StructLayout {
    /** The C scalar types the socket structures use, with their x86_64 sizes (each aligned to its size). */
    enum Scalar {
        /** {@code int}, {@code pid_t}, {@code uid_t}, {@code gid_t}. */
        INT(4),
        /** {@code socklen_t}. */
        SOCKLEN_T(4),
        /** {@code size_t}. */
        SIZE_T(8),
        /** Any pointer, such as {@code void *}. */
        POINTER(8);

        final int size;

        Scalar(int size) {
            this.size = size;
        }
    }

    private int end;
    private int alignment = 1;

    /** Appends a field of type {@code type}; its offset. */
    int field(Scalar type) {
        int offset = align(end, type.size);
        end = offset + type.size;
        alignment = Math.max(alignment, type.size);
        return offset;
    }

    /** {@code sizeof} the structure laid out so far: its end padded to its widest field. */
    int size() {
        return align(end, alignment);
    }

    /** {@code value} rounded up to a multiple of {@code to}, a power of two. */
    static int align(int value, int to) {
        return (value + to - 1) & -to;
    }

    /** {@code value} rounded up to a multiple of {@code to}, a power of two. */
    static long align(long value, int to) {
        return (value + to - 1) & -(long) to;
    }
}
