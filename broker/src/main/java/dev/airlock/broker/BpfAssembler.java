package dev.airlock.broker;

import java.util.ArrayList;
import java.util.List;

/**
 * A tiny assembler for the classic BPF that seccomp runs, with labels, so a filter is written as
 * readable blocks instead of hand-counted jump offsets (one miscounted offset in a filter silently
 * allows or kills the wrong system call). Only the instructions a seccomp filter uses are offered:
 * loads of a 32-bit word of {@code struct seccomp_data}, AND with a constant, conditional jumps
 * on a constant, the unconditional jump, and return.
 *
 * <p>Jump targets are resolved by {@link #finish()}, which fails with {@link Invalid} on anything
 * the kernel would refuse or would run differently than written: a label used but never placed,
 * a jump backwards (classic BPF only jumps forward), a conditional jump farther than its 8-bit
 * offset reaches, a program longer than {@link #MAX_INSTRUCTIONS}, a load outside
 * {@code seccomp_data}, or a last instruction that is not a return.
 */
final class BpfAssembler {
    /** BPF_MAXINSNS: the kernel refuses longer classic programs. */
    static final int MAX_INSTRUCTIONS = 4096;
    /** The largest offset a conditional jump's 8-bit jt or jf field holds. */
    static final int MAX_CONDITIONAL_JUMP = 255;
    /** sizeof(struct seccomp_data): nr, arch, instruction_pointer, args[6]. */
    static final int SECCOMP_DATA_SIZE = 64;

    // Opcodes: class | size/op | mode/source, as in linux/bpf_common.h. BPF_LD, BPF_W and BPF_K
    // are 0, so a word load from an absolute offset is BPF_ABS (0x20) alone.
    static final int LD_W_ABS = 0x20;
    static final int ALU_AND_K = 0x04 | 0x50 | 0x00;
    static final int JMP_JA = 0x05 | 0x00;
    static final int JMP_JEQ_K = 0x05 | 0x10 | 0x00;
    static final int JMP_JGT_K = 0x05 | 0x20 | 0x00;
    static final int JMP_JGE_K = 0x05 | 0x30 | 0x00;
    static final int JMP_JSET_K = 0x05 | 0x40 | 0x00;
    static final int RET_K = 0x06 | 0x00;

    /** Thrown by {@link #finish()} (or by a misuse as it happens) for a program that must not be installed. */
    static final class Invalid extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message);
        }
    }

    /** A jump target: placed once, at the instruction that follows {@link #place}. */
    static final class Label {
        private final String name;
        private int position = -1;

        private Label(String name) {
            this.name = name;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** The target "the next instruction": a conditional jump's branch that falls through. */
    static final Label NEXT = new Label("next");

    private record Instruction(int code, Label whenTrue, Label whenFalse, int k) {}

    private final List<Instruction> code = new ArrayList<>();
    private final List<Label> labels = new ArrayList<>();
    private boolean finished;

    /** A new label, not yet placed; the name appears in errors only. */
    Label label(String name) {
        Label label = new Label(name);
        labels.add(label);
        return label;
    }

    /** Places {@code label} at the next instruction to be added. */
    BpfAssembler place(Label label) {
        if (label == NEXT || !labels.contains(label)) {
            throw new Invalid("label " + label + " does not belong to this program");
        }
        if (label.position >= 0) {
            throw new Invalid("label " + label + " placed twice");
        }
        label.position = code.size();
        return this;
    }

    /** A = the 32-bit word at {@code offset} of {@code struct seccomp_data}. */
    BpfAssembler load(int offset) {
        if (offset < 0 || offset + 4 > SECCOMP_DATA_SIZE || offset % 4 != 0) {
            throw new Invalid("load at offset " + offset + " is not an aligned word of seccomp_data");
        }
        return add(LD_W_ABS, null, null, offset);
    }

    /** A &= mask. */
    BpfAssembler and(int mask) {
        return add(ALU_AND_K, null, null, mask);
    }

    /** Jumps to {@code whenTrue} if A == k, else to {@code whenFalse} ({@link #NEXT} falls through). */
    BpfAssembler jumpIfEqual(int k, Label whenTrue, Label whenFalse) {
        return add(JMP_JEQ_K, whenTrue, whenFalse, k);
    }

    /** Jumps to {@code whenTrue} if A &amp; k is not zero, else to {@code whenFalse}. */
    BpfAssembler jumpIfAnySet(int k, Label whenTrue, Label whenFalse) {
        return add(JMP_JSET_K, whenTrue, whenFalse, k);
    }

    /** Jumps to {@code whenTrue} if A &gt;= k (unsigned), else to {@code whenFalse}. */
    BpfAssembler jumpIfAtLeast(int k, Label whenTrue, Label whenFalse) {
        return add(JMP_JGE_K, whenTrue, whenFalse, k);
    }

    /** Jumps to {@code whenTrue} if A &gt; k (unsigned), else to {@code whenFalse}. */
    BpfAssembler jumpIfGreater(int k, Label whenTrue, Label whenFalse) {
        return add(JMP_JGT_K, whenTrue, whenFalse, k);
    }

    /** Jumps to {@code target} unconditionally: a 32-bit offset, for targets beyond a conditional jump's reach. */
    BpfAssembler jump(Label target) {
        return add(JMP_JA, target, null, 0);
    }

    /** Ends the filter with {@code action} (a SECCOMP_RET_* value). */
    BpfAssembler ret(int action) {
        return add(RET_K, null, null, action);
    }

    /** How many instructions have been added so far. */
    int size() {
        return code.size();
    }

    private BpfAssembler add(int op, Label whenTrue, Label whenFalse, int k) {
        if (finished) {
            throw new Invalid("the program is already finished");
        }
        code.add(new Instruction(op, whenTrue, whenFalse, k));
        return this;
    }

    /**
     * The program as (code, jt, jf, k) quadruples, the shape {@code Seccomp.prepare} takes,
     * every label resolved and every limit checked.
     */
    int[] finish() {
        finished = true;
        if (code.isEmpty()) {
            throw new Invalid("the program is empty");
        }
        if (code.size() > MAX_INSTRUCTIONS) {
            throw new Invalid(
                    "the program has " + code.size() + " instructions, more than the kernel's " + MAX_INSTRUCTIONS);
        }
        if (code.get(code.size() - 1).code() != RET_K) {
            throw new Invalid("the program's last instruction is not a return: it would run off its end");
        }
        int[] out = new int[code.size() * 4];
        for (int pc = 0; pc < code.size(); pc++) {
            Instruction insn = code.get(pc);
            int jt = 0;
            int jf = 0;
            int k = insn.k();
            if (insn.code() == JMP_JA) {
                k = offset(pc, insn.whenTrue(), Integer.MAX_VALUE);
            } else if ((insn.code() & 0x07) == 0x05) {
                jt = offset(pc, insn.whenTrue(), MAX_CONDITIONAL_JUMP);
                jf = offset(pc, insn.whenFalse(), MAX_CONDITIONAL_JUMP);
            }
            out[pc * 4] = insn.code();
            out[pc * 4 + 1] = jt;
            out[pc * 4 + 2] = jf;
            out[pc * 4 + 3] = k;
        }
        return out;
    }

    /** The forward offset from the instruction at {@code pc} to {@code target}, within {@code limit}. */
    private int offset(int pc, Label target, int limit) {
        if (target == NEXT) {
            return 0;
        }
        if (target.position < 0) {
            throw new Invalid("label " + target + " is jumped to from instruction " + pc + " but never placed");
        }
        if (target.position >= code.size()) {
            throw new Invalid("label " + target + " is placed after the last instruction");
        }
        int offset = target.position - pc - 1;
        if (offset < 0) {
            throw new Invalid(
                    "instruction " + pc + " jumps backwards to label " + target + ": classic BPF only jumps forward");
        }
        if (offset > limit) {
            throw new Invalid("instruction " + pc + " jumps " + offset + " instructions to label " + target
                    + ", more than a conditional jump's " + limit);
        }
        return offset;
    }
}
