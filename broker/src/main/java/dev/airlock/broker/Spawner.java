package dev.airlock.broker;

import dev.airlock.ipc.ErrnoException;
import dev.airlock.ipc.Fd;
import dev.airlock.ipc.Linux;
import java.io.IOException;
import jnr.ffi.Pointer;

/**
 * Confines one dedicated thread and spawns the helper from it. no_new_privs, Landlock, seccomp
 * and the raw setresuid/setresgid/setgroups calls all act on the calling thread only, and a child
 * inherits its creating thread's state, so the helper is confined from its first instruction
 * while the broker's other threads keep their privileges. The thread ends right after the spawn:
 * it can never be trusted again.
 *
 * <p>Everything the confined thread touches (native memory, jnr-ffi stubs, classes) is prepared
 * or loaded before it confines itself: a class that first loads on the confined thread could fail,
 * and the JVM would remember that failure for every thread.
 */
final class Spawner {
    /** What the confined thread does, in order. A null ruleset means Landlock was waived by name. */
    record Plan(Linux.SpawnPlan spawn, Fd ruleset, Pointer seccompProgram, UserAccount dropTo) {
    }

    private Spawner() {
    }

    /** Spawns the helper on a new thread and returns its pid; the thread is gone when this returns. */
    static int spawn(Plan plan) throws IOException {
        warmUp();
        int[] pid = {-1};
        IOException[] failure = {null};
        Thread thread = new Thread(() -> {
            try {
                Linux.setNoNewPrivs();
                if (plan.ruleset() != null) {
                    Linux.landlockRestrictSelf(plan.ruleset().get());
                }
                Linux.installSeccompFilter(plan.seccompProgram());
                if (plan.dropTo() != null) {
                    Linux.dropThreadIdentity(plan.dropTo().uid(), plan.dropTo().gid());
                }
                pid[0] = Linux.spawn(plan.spawn());
            } catch (IOException e) {
                failure[0] = e;
            }
        }, "airlock-spawner");
        thread.start();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while spawning the helper", e);
        }
        if (failure[0] != null) {
            throw failure[0];
        }
        if (pid[0] < 0) {
            throw new IOException("the spawner thread ended without spawning the helper");
        }
        return pid[0];
    }

    /** Loads, on a privileged thread, every class the confined thread will need. */
    private static void warmUp() {
        Linux.load();
        new ErrnoException("warm-up", 1).getMessage();
        new jnr.ffi.byref.IntByReference().intValue();
    }
}
