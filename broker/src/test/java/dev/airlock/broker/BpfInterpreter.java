package dev.airlock.broker;

import java.util.BitSet;

/**
 * Runs a classic BPF seccomp program the way the kernel does, over one {@code struct
 * seccomp_data}, so the filter's decisions can be tested as tables without installing it. It
 * knows exactly the instructions {@link BpfAssembler} emits and fails on anything else, and it
 * records which words of {@code seccomp_data} a run loaded (the kernel caches a call's answer only
 * when the program decides it from nr and arch alone).
 */
final class BpfInterpreter {
    /** One system call as the filter sees it. */
    // A test's input, built and read once, never compared or hashed: the array's identity
    // semantics in equals do not matter here.
    @SuppressWarnings("ArrayRecordComponent")
    record Call(int arch, int nr, long... args) {
        static Call of(Syscall call, long... args) {
            return new Call(SeccompAbi.AUDIT_ARCH_X86_64, call.number(), args);
        }

        /** The 32-bit word at {@code offset} of seccomp_data (little-endian, instruction_pointer 0). */
        int word(int offset) {
            if (offset == SeccompAbi.NR) {
                return nr;
            }
            if (offset == SeccompAbi.ARCH) {
                return arch;
            }
            if (offset < 16) {
                return 0; // instruction_pointer
            }
            int index = (offset - 16) / 8;
            long arg = index < args.length ? args[index] : 0;
            return (offset - 16) % 8 == 0 ? (int) arg : (int) (arg >>> 32);
        }
    }

    /** What the program returned, and which seccomp_data words it loaded on the way. */
    record Outcome(int action, BitSet loadedOffsets) {
        boolean readArguments() {
            return loadedOffsets.nextSetBit(16) >= 0;
        }
    }

    private BpfInterpreter() {}

    static Outcome run(int[] program, Call call) {
        int length = program.length / 4;
        int a = 0;
        BitSet loaded = new BitSet();
        int pc = 0;
        for (int steps = 0; steps <= length; steps++) {
            if (pc < 0 || pc >= length) {
                throw new AssertionError("ran off the program at " + pc);
            }
            int code = program[pc * 4];
            int jt = program[pc * 4 + 1];
            int jf = program[pc * 4 + 2];
            int k = program[pc * 4 + 3];
            if (jt < 0 || jt > 255 || jf < 0 || jf > 255) {
                throw new AssertionError("jump offsets out of 8 bits at " + pc);
            }
            pc++;
            switch (code) {
                case BpfAssembler.LD_W_ABS:
                    if (k < 0 || k > 60 || k % 4 != 0) {
                        throw new AssertionError("load outside seccomp_data: " + k);
                    }
                    loaded.set(k);
                    a = call.word(k);
                    break;
                case BpfAssembler.ALU_AND_K:
                    a &= k;
                    break;
                case BpfAssembler.JMP_JA:
                    pc += k;
                    break;
                case BpfAssembler.JMP_JEQ_K:
                    pc += a == k ? jt : jf;
                    break;
                case BpfAssembler.JMP_JGT_K:
                    pc += Integer.compareUnsigned(a, k) > 0 ? jt : jf;
                    break;
                case BpfAssembler.JMP_JGE_K:
                    pc += Integer.compareUnsigned(a, k) >= 0 ? jt : jf;
                    break;
                case BpfAssembler.JMP_JSET_K:
                    pc += (a & k) != 0 ? jt : jf;
                    break;
                case BpfAssembler.RET_K:
                    return new Outcome(k, loaded);
                default:
                    throw new AssertionError("instruction the filter never uses: 0x" + Integer.toHexString(code));
            }
        }
        throw new AssertionError("no return within the program's length: a jump loops");
    }
}
