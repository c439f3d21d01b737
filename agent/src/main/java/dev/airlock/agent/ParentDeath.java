package dev.airlock.agent;

import dev.airlock.unix.ErrnoException;
import dev.airlock.unix.Processes;
import dev.airlock.unix.ThreadConfinement;
import java.util.concurrent.locks.LockSupport;

/**
 * The helper dies when its broker dies. posix_spawn cannot give a child a parent-death signal, so
 * the agent asks for SIGKILL itself, on the thread that checks the broker channel, right before
 * the check: the check that the channel's creator (SO_PEERCRED) is this process's parent then
 * also proves that the broker did not die before the signal was armed (the helper would have
 * been re-parented, and is halted instead).
 *
 * <p>The setting belongs to a thread: the kernel sends the signal (to the whole process) for
 * each live thread that asked for it, and new threads do not inherit it. So that thread stays
 * parked for the JVM's lifetime ({@link #carry()}). Not premain's own thread: arming needs libc
 * bound through jnr-ffi, hundreds of milliseconds that would delay every helper's start, which
 * overlap with the weaving and the program's start on the check's thread. A broker killed in that
 * window is caught by the check, so the helper dies then, at most that much later. The broker,
 * for its part, keeps the thread that spawned the helper alive, since the signal fires when that
 * thread ends.
 */
final class ParentDeath {
    private ParentDeath() {}

    /** Arms SIGKILL on the parent's death for the calling thread; halts the JVM if the kernel refuses. */
    static void armOrHalt() {
        try {
            ThreadConfinement.setParentDeathSignal(Processes.SIGKILL);
        } catch (ErrnoException | RuntimeException e) {
            AirlockAgent.refuse("cannot tie the helper's life to the broker's: " + e.getMessage());
        }
    }

    /** Parks the calling thread for good: its life carries the signal armed on it. */
    static void carry() {
        while (true) {
            LockSupport.park();
        }
    }
}
