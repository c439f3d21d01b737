package dev.airlock.broker;

import dev.airlock.unix.Namespace;
import java.util.EnumSet;
import java.util.Set;

/**
 * Which namespaces the confined process is born in, and why. The spawner thread unshares them
 * for itself before it spawns (each kind below is per-thread and may be unshared in a
 * multi-threaded process), so only the child and that parked thread live in them.
 *
 * <ul>
 *   <li><b>Network</b> (root only): an empty namespace with only its own loopback interface,
 *       so any socket the helper makes on its own reaches nothing but the helper itself. The
 *       spawner brings that loopback up ({@link dev.airlock.unix.LoopbackInterface}): with no
 *       IPv6 interface the JDK makes IPv4-only sockets and refuses a {@code SocketChannel} an
 *       IPv6 address, which outside it would connect. Up, it holds the 127.0.0.1 and {@code ::1}
 *       of this namespace alone, so nothing new is reachable.
 *   <li><b>IPC</b> (root only): System V shared memory, semaphores and message queues, and POSIX
 *       message queues, of other processes are out of reach.
 *   <li><b>Mount</b> (root only): a copy of the broker's mount tree, made private at once
 *       (nothing mounted in it propagates to the host, nor from it), in which the spawner thread
 *       shows the helper the class path entries its user may read but not reach
 *       ({@link ClassPathView}). The helper itself cannot mount: it has no capability, and the
 *       seccomp filter refuses every mount call.
 *   <li><b>No PID namespace</b>, by decision: the helper JVM would be its pid 1, with other
 *       signal defaults (no default action for signals it has no handler for) and every orphan of
 *       the namespace to reap, which the JVM does not do; its {@code /proc} would still show the
 *       outer namespace unless a process inside the new one remounted it (the spawner thread is
 *       not inside it: unshare(CLONE_NEWPID) moves only its children), so the JDK's own
 *       {@code ProcessHandle} would read the wrong processes.
 *       What it would add is covered otherwise: Landlock's signal scoping and the seccomp filter
 *       keep the helper from signalling or tracing other processes, and the broker is the
 *       subreaper of everything the helper starts ({@link ProcessTree}). One thing it would do
 *       that nothing here does: end the helper's descendants when the broker itself is killed
 *       with SIGKILL (they are re-parented to init and keep running, confined).
 *   <li><b>As a normal user, none</b>: creating any of these needs a user namespace first, and
 *       {@code unshare(CLONE_NEWUSER)} needs a single-threaded caller, which the broker JVM never
 *       is. A user namespace would also change what the program sees: its own uid becomes the
 *       overflow uid 65534 (or 0 with a mapping), and files of every unmapped user show as owned
 *       by 65534. The seccomp filter holds alone there.
 * </ul>
 */
record Namespaces(Set<Namespace> kinds) {
    /** What {@code airlock doctor} prints when a normal user gets no namespaces. */
    static final String WHY_NONE_AS_USER = "as a normal user a new namespace needs a user namespace first, and "
            + "unshare(CLONE_NEWUSER) needs a single-threaded caller, which the broker JVM is not; the seccomp filter holds alone";

    Namespaces {
        kinds = kinds.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(kinds));
    }

    /** The namespaces for a process spawned by a broker running as root ({@code root}) or as a normal user. */
    static Namespaces forBroker(boolean root) {
        return new Namespaces(root ? EnumSet.of(Namespace.NETWORK, Namespace.IPC, Namespace.MOUNT) : Set.of());
    }

    boolean mount() {
        return kinds.contains(Namespace.MOUNT);
    }

    boolean network() {
        return kinds.contains(Namespace.NETWORK);
    }

    boolean ipc() {
        return kinds.contains(Namespace.IPC);
    }
}
