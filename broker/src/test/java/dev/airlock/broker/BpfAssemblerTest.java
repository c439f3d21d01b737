package dev.airlock.broker;

import static dev.airlock.broker.BpfAssembler.NEXT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.broker.BpfAssembler.Label;
import org.junit.jupiter.api.Test;

/** Labels resolve to the offsets the kernel expects, and every program the kernel would refuse or misrun is refused. */
class BpfAssemblerTest {
    @Test
    void forwardLabelsResolveToRelativeOffsets() {
        BpfAssembler a = new BpfAssembler();
        Label yes = a.label("yes");
        Label no = a.label("no");
        a.load(0); // 0
        a.jumpIfEqual(7, yes, NEXT); // 1: jt -> 4 (offset 2), jf -> 2 (offset 0)
        a.jumpIfAnySet(0x10, no, yes); // 2: jt -> 5 (2), jf -> 4 (1)
        a.jump(no); // 3: k -> 5 (1)
        a.place(yes).ret(1); // 4
        a.place(no).ret(2); // 5
        assertArrayEquals(
                new int[] {
                    BpfAssembler.LD_W_ABS, 0, 0, 0,
                    BpfAssembler.JMP_JEQ_K, 2, 0, 7,
                    BpfAssembler.JMP_JSET_K, 2, 1, 0x10,
                    BpfAssembler.JMP_JA, 0, 0, 1,
                    BpfAssembler.RET_K, 0, 0, 1,
                    BpfAssembler.RET_K, 0, 0, 2,
                },
                a.finish());
    }

    @Test
    void assembledProgramsRunAsWritten() {
        BpfAssembler a = new BpfAssembler();
        Label big = a.label("big");
        a.load(SeccompAbi.argLow(0))
                .jumpIfGreater(100, big, NEXT)
                .and(0xf)
                .jumpIfAtLeast(8, big, NEXT)
                .ret(10);
        a.place(big).ret(20);
        int[] program = a.finish();
        assertEquals(10, run(program, 7));
        assertEquals(20, run(program, 9));
        assertEquals(20, run(program, 101));
        assertEquals(10, run(program, 0x50)); // 0x50 > 100 is false, and its low nibble is 0
        assertEquals(20, run(program, -1)); // unsigned: 0xffffffff > 100
    }

    private static int run(int[] program, long arg0) {
        return BpfInterpreter.run(program, new BpfInterpreter.Call(SeccompAbi.AUDIT_ARCH_X86_64, 0, arg0))
                .action();
    }

    @Test
    void aConditionalJumpBeyond255InstructionsIsRefused() {
        BpfAssembler a = new BpfAssembler();
        Label far = a.label("far");
        a.load(0).jumpIfEqual(1, far, NEXT);
        for (int i = 0; i < 256; i++) {
            a.ret(0);
        }
        a.place(far).ret(1);
        BpfAssembler.Invalid e = assertThrows(BpfAssembler.Invalid.class, a::finish);
        assertTrue(e.getMessage().contains("256") && e.getMessage().contains("far"), e.getMessage());
    }

    @Test
    void exactly255IsFineAndAnUnconditionalJumpReachesFarther() {
        BpfAssembler a = new BpfAssembler();
        Label edge = a.label("edge");
        Label far = a.label("far");
        a.load(0).jumpIfEqual(1, edge, NEXT).jump(far);
        for (int i = 0; i < 254; i++) {
            a.ret(0);
        }
        a.place(edge).ret(1); // 255 after the conditional jump
        for (int i = 0; i < 1000; i++) {
            a.ret(0);
        }
        a.place(far).ret(2);
        int[] program = a.finish();
        assertEquals(255, program[1 * 4 + 1]);
        assertEquals(
                2, BpfInterpreter.run(program, new BpfInterpreter.Call(0, 0)).action(), "nr 0: the far jump");
        assertEquals(
                1, BpfInterpreter.run(program, new BpfInterpreter.Call(0, 1)).action(), "nr 1: the edge");
    }

    @Test
    void malformedProgramsAreRefused() {
        assertThrows(BpfAssembler.Invalid.class, () -> new BpfAssembler().finish(), "empty");

        BpfAssembler unplaced = new BpfAssembler();
        unplaced.load(0).jumpIfEqual(1, unplaced.label("nowhere"), NEXT).ret(0);
        assertThrows(BpfAssembler.Invalid.class, unplaced::finish, "a label never placed");

        BpfAssembler backwards = new BpfAssembler();
        Label top = backwards.label("top");
        backwards.place(top).load(0).jump(top).ret(0);
        assertThrows(BpfAssembler.Invalid.class, backwards::finish, "a jump backwards");

        BpfAssembler noReturn = new BpfAssembler();
        noReturn.load(0);
        assertThrows(BpfAssembler.Invalid.class, noReturn::finish, "a program that runs off its end");

        BpfAssembler pastTheEnd = new BpfAssembler();
        Label end = pastTheEnd.label("end");
        pastTheEnd.load(0).jumpIfEqual(0, end, NEXT).ret(0).place(end);
        assertThrows(BpfAssembler.Invalid.class, pastTheEnd::finish, "a label after the last instruction");

        BpfAssembler twice = new BpfAssembler();
        Label once = twice.label("once");
        twice.place(once).ret(0);
        assertThrows(BpfAssembler.Invalid.class, () -> twice.place(once), "a label placed twice");

        BpfAssembler foreign = new BpfAssembler();
        Label other = new BpfAssembler().label("other program's");
        assertThrows(BpfAssembler.Invalid.class, () -> foreign.place(other));
        assertThrows(BpfAssembler.Invalid.class, () -> foreign.place(NEXT));

        assertThrows(BpfAssembler.Invalid.class, () -> new BpfAssembler().load(64), "past seccomp_data");
        assertThrows(BpfAssembler.Invalid.class, () -> new BpfAssembler().load(2), "unaligned");
        assertThrows(BpfAssembler.Invalid.class, () -> new BpfAssembler().load(-4), "negative");

        BpfAssembler finished = new BpfAssembler();
        finished.ret(0).finish();
        assertThrows(BpfAssembler.Invalid.class, () -> finished.ret(1), "added to after finishing");
    }

    @Test
    void programsLongerThanTheKernelTakesAreRefused() {
        BpfAssembler fits = new BpfAssembler();
        for (int i = 0; i < BpfAssembler.MAX_INSTRUCTIONS; i++) {
            fits.ret(0);
        }
        assertEquals(BpfAssembler.MAX_INSTRUCTIONS * 4, fits.finish().length);

        BpfAssembler tooLong = new BpfAssembler();
        for (int i = 0; i <= BpfAssembler.MAX_INSTRUCTIONS; i++) {
            tooLong.ret(0);
        }
        BpfAssembler.Invalid e = assertThrows(BpfAssembler.Invalid.class, tooLong::finish);
        assertTrue(e.getMessage().contains("4097"), e.getMessage());
    }
}
