package dev.airlock.broker;

import dev.airlock.unix.Fd;
import dev.airlock.unix.Landlock;
import dev.airlock.unix.LoopbackInterface;
import dev.airlock.unix.Mounts;
import dev.airlock.unix.Seccomp;
import dev.airlock.unix.SpawnPlan;
import dev.airlock.unix.ThreadConfinement;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * Confines one dedicated thread and spawns a confined process (the helper, or the transform-cache
 * preparation) from it. Namespaces, no_new_privs, Landlock, seccomp and the raw
 * setresuid/setresgid/setgroups calls all act on the calling thread only, and a child inherits
 * its creating thread's state, so the child is confined from its first instruction while the
 * broker's other threads keep their privileges. The child starts a new session (setsid before
 * exec): it has no controlling terminal to push keystrokes into, and leads its own process group.
 *
 * <p>The thread never runs anything else once confined, but it stays alive, parked, until
 * {@link Spawned#release()}: the kernel sends a child its parent-death signal when the
 * <em>thread</em> that created it ends, not when the process does. The helper's thread is never
 * released, so the helper dies exactly when the broker does.
 *
 * <p>Everything the confined thread touches (native memory, jnr-ffi stubs, classes) is prepared
 * or loaded before it confines itself: a class that first loads on the confined thread could fail,
 * and the JVM would remember that failure for every thread.
 */
final class Spawner {
    /**
     * What the confined thread does, in order: enter {@code namespaces} (none: stay), bring a new
     * network namespace's loopback up, make a new
     * mount namespace's tree private and build {@code view} in it, set no_new_privs, enforce {@code ruleset} (null: Landlock was waived by name), install the
     * seccomp program, drop to {@code dropTo} (empty: keep the broker's user), spawn.
     */
    record Plan(
            SpawnPlan spawn,
            Namespaces namespaces,
            ClassPathView view,
            Fd ruleset,
            Seccomp.Program seccompProgram,
            Optional<UserAccount> dropTo) {}

    /** A spawned child and the parked thread it was spawned from. */
    static final class Spawned {
        private final int pid;
        private final CountDownLatch release;

        private Spawned(int pid, CountDownLatch release) {
            this.pid = pid;
            this.release = release;
        }

        int pid() {
            return pid;
        }

        /**
         * Lets the spawner thread end. Only once the child is reaped: its parent-death signal,
         * if it set one, fires when the thread ends.
         */
        void release() {
            release.countDown();
        }
    }

    private Spawner() {}

    /** Spawns on a new thread, which stays parked until released; returns once the child exists. */
    static Spawned spawn(Plan plan, String threadName) throws IOException {
        warmUp();
        int[] pid = {-1};
        IOException[] failure = {null};
        CountDownLatch spawned = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread thread = new Thread(
                () -> {
                    try {
                        confineAndSpawn(plan, pid);
                    } catch (IOException e) {
                        failure[0] = e;
                    } finally {
                        spawned.countDown();
                    }
                    parkUntil(release);
                },
                threadName);
        thread.setDaemon(true);
        thread.start();
        try {
            spawned.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while spawning", e);
        }
        if (failure[0] != null) {
            release.countDown();
            throw failure[0];
        }
        if (pid[0] < 0) {
            release.countDown();
            throw new IOException("the spawner thread ended without spawning");
        }
        return new Spawned(pid[0], release);
    }

    /** The confined thread's whole work: every step acts on this thread only. */
    private static void confineAndSpawn(Plan plan, int[] pid) throws IOException {
        // First, while the thread still has CAP_SYS_ADMIN (root): the uid drop below takes it away.
        ThreadConfinement.unshare(plan.namespaces().kinds());
        if (plan.namespaces().network()) {
            // The new namespace's only interface is down; up, the helper's JDK sees IPv6 as outside
            // (see Namespaces). Before seccomp, which refuses the helper datagram sockets.
            LoopbackInterface.up();
        }
        if (plan.namespaces().mount()) {
            // Before anything is mounted: nothing mounted here may propagate to the host's tree.
            Mounts.makeTreePrivate();
            // Landlock-restricted threads may not mount, and the uid drop takes CAP_SYS_ADMIN: now.
            plan.view().apply();
        } else if (!plan.view().isEmpty()) {
            throw new IOException("a class path view needs a mount namespace of its own");
        }
        ThreadConfinement.setNoNewPrivs();
        if (plan.ruleset() != null) {
            Landlock.restrictSelf(plan.ruleset());
        }
        Seccomp.install(plan.seccompProgram());
        if (plan.dropTo().isPresent()) {
            ThreadConfinement.dropIdentity(
                    plan.dropTo().get().uid(), plan.dropTo().get().gid());
        }
        pid[0] = plan.spawn().spawn();
    }

    /** Parks until released; an interrupt does not end the wait (nothing in the broker interrupts it). */
    private static void parkUntil(CountDownLatch release) {
        while (true) {
            try {
                release.await();
                return;
            } catch (InterruptedException ignored) {
                // Keep the thread: the child's parent-death signal depends on it.
            }
        }
    }

    /** Loads, on a privileged thread, every class the confined thread will need. */
    private static void warmUp() throws IOException {
        SpawnPlan.warmUp();
        ThreadConfinement.noNewPrivs(); // loads the class and binds its call, changing nothing
        new CountDownLatch(0).countDown();
    }
}
