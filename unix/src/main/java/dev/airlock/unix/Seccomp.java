package dev.airlock.unix;

import java.lang.ref.Reference;
import jnr.ffi.Pointer;

/**
 * Installing a classic-BPF seccomp filter on the calling thread. The filter is laid out in native
 * memory ({@code struct sock_fprog} and its {@code struct sock_filter} array) ahead of time by
 * {@link #prepare}, so that a thread that has begun to confine itself only makes the one system
 * call; the {@link Program} owns that memory and keeps it reachable until the kernel has copied it.
 */
public final class Seccomp {
    private static final long SYS_SECCOMP = 317;
    private static final int SECCOMP_SET_MODE_FILTER = 1;
    /** sizeof(struct sock_filter): u16 code, u8 jt, u8 jf, u32 k. */
    private static final int INSTRUCTION_SIZE = 8;
    /** sizeof(struct sock_fprog) on x86_64: u16 len, padding, a pointer. */
    private static final int PROGRAM_SIZE = 16;
    /** BPF_MAXINSNS: the kernel refuses a longer program. */
    private static final int MAX_INSTRUCTIONS = 4096;

    private Seccomp() {}

    /** A filter laid out in native memory, ready for {@link #install}; opaque to callers. */
    public static final class Program {
        private final Pointer program;
        private final Pointer filter;
        private final int length;

        private Program(Pointer program, Pointer filter, int length) {
            this.program = program;
            this.filter = filter;
            this.length = length;
        }

        /** The number of instructions. */
        public int length() {
            return length;
        }
    }

    /**
     * Lays {@code instructions} out as a {@code struct sock_fprog}: (code, jt, jf, k) quadruples,
     * as an assembler produces them. Refuses an empty, ragged or over-long program.
     */
    public static Program prepare(int[] instructions) {
        if (instructions.length == 0 || instructions.length % 4 != 0 || instructions.length / 4 > MAX_INSTRUCTIONS) {
            throw new IllegalArgumentException("not a seccomp program of 1 to " + MAX_INSTRUCTIONS
                    + " (code, jt, jf, k) quadruples: " + instructions.length + " ints");
        }
        int count = instructions.length / 4;
        Pointer filter = Linux.allocate(count * INSTRUCTION_SIZE);
        for (int i = 0; i < count; i++) {
            filter.putShort((long) i * INSTRUCTION_SIZE, (short) instructions[i * 4]);
            filter.putByte((long) i * INSTRUCTION_SIZE + 2, (byte) instructions[i * 4 + 1]);
            filter.putByte((long) i * INSTRUCTION_SIZE + 3, (byte) instructions[i * 4 + 2]);
            filter.putInt((long) i * INSTRUCTION_SIZE + 4, instructions[i * 4 + 3]);
        }
        Pointer program = Linux.allocate(PROGRAM_SIZE);
        program.putShort(0, (short) count);
        program.putAddress(8, filter.address());
        return new Program(program, filter, count);
    }

    /** seccomp(SECCOMP_SET_MODE_FILTER): installs {@code program} on the calling thread (requires no_new_privs). */
    public static void install(Program program) throws ErrnoException {
        try {
            Linux.check(
                    Linux.c().syscall(SYS_SECCOMP, SECCOMP_SET_MODE_FILTER, 0, program.program.address(), 0, 0, 0),
                    "seccomp(SECCOMP_SET_MODE_FILTER)");
        } finally {
            // The kernel reads both structures during the call: neither may be freed before it returns.
            Reference.reachabilityFence(program.filter);
            Reference.reachabilityFence(program.program);
        }
    }
}
