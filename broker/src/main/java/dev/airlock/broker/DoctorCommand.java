package dev.airlock.broker;

import dev.airlock.unix.Landlock;
import dev.airlock.unix.Linux;
import dev.airlock.unix.Namespace;
import dev.airlock.unix.Processes;
import dev.airlock.unix.Seccomp;
import dev.airlock.unix.ThreadConfinement;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code airlock doctor}: one line per sandbox layer, saying what this machine gives and what is
 * missing, so that an operator learns before a run how strong the sandbox will be. Each layer is
 * probed the way {@code airlock run} uses it, on a throwaway thread where the probe changes the
 * thread (no_new_privs, seccomp, namespaces, the parent-death signal are per-thread), so the
 * probes leave this process as it was. Exits 0 only if every layer Airlock uses here is there,
 * else 1; a layer Airlock does not use on this machine (namespaces as a normal user) is reported
 * as "not used" with the reason and does not count as missing.
 */
@Command(
        name = "doctor",
        mixinStandardHelpOptions = true,
        description =
                "Print which sandbox layers this machine gives Airlock and which are missing (exit 0 only if none is).")
final class DoctorCommand implements Callable<Integer> {
    /** A layer's state on this machine. */
    enum State {
        OK("ok"),
        MISSING("MISSING"),
        NOT_USED("not used");

        final String label;

        State(String label) {
            this.label = label;
        }
    }

    /** One line of the report. */
    record Layer(String name, State state, String detail) {
        String line() {
            return String.format("%-17s %-9s %s", name, state.label, detail);
        }
    }

    /** Exit status when a layer Airlock uses is missing. */
    static final int SOMETHING_MISSING = 1;

    private static final int TCP_ABI = Landlock.NET_ABI;
    private static final int SCOPING_ABI = Landlock.SCOPE_ABI;

    private final PrintStream out;

    DoctorCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        NativeWarmUp.await();
        List<Layer> layers = layers(Linux.getuid() == 0);
        List<String> missing = new ArrayList<>();
        for (Layer layer : layers) {
            out.println(layer.line());
            if (layer.state() == State.MISSING) {
                missing.add(layer.name());
            }
        }
        if (missing.isEmpty()) {
            out.println("airlock doctor: every layer Airlock uses is available");
            return 0;
        }
        out.println("airlock doctor: missing: " + String.join(", ", missing));
        return SOMETHING_MISSING;
    }

    /** Every layer, in the order the spawner thread applies them, then the process tree's. */
    static List<Layer> layers(boolean root) throws IOException {
        int abi = Landlock.abi();
        List<Layer> layers = new ArrayList<>(landlock(abi));
        layers.addAll(threadConfinement());
        layers.add(uidDrop(root));
        layers.add(namespace(
                root,
                "net-namespace",
                Namespace.NETWORK,
                "the helper gets an empty network namespace (only lo, down)"));
        layers.add(namespace(
                root, "ipc-namespace", Namespace.IPC, "the helper gets its own System V IPC and POSIX message queues"));
        layers.add(
                namespace(
                        root,
                        "mnt-namespace",
                        Namespace.MOUNT,
                        "the helper gets a private copy of the mount tree, in which it is shown the class path its user cannot reach"));
        layers.add(
                new Layer(
                        "pid-namespace",
                        State.NOT_USED,
                        "by design: the helper JVM would be its pid 1 (other signal defaults, orphans left unreaped) and its /proc would show the outer processes"));
        layers.add(subreaper());
        layers.add(parentDeathSignal());
        return layers;
    }

    static List<Layer> landlock(int abi) {
        List<Layer> layers = new ArrayList<>();
        if (abi == 0) {
            layers.add(new Layer(
                    "landlock",
                    State.MISSING,
                    "no Landlock in this kernel (or disabled): "
                            + "airlock run refuses to start without --allow-weaker=landlock"));
        } else {
            layers.add(new Layer("landlock", State.OK, "ABI " + abi + ": file access rules"));
        }
        layers.add(
                abi >= TCP_ABI
                        ? new Layer("landlock-tcp", State.OK, "TCP bind and connect denied (ABI >= " + TCP_ABI + ")")
                        : new Layer(
                                "landlock-tcp",
                                State.MISSING,
                                "TCP rules need Landlock ABI " + TCP_ABI + ", this kernel has " + abi));
        layers.add(
                abi >= SCOPING_ABI
                        ? new Layer(
                                "landlock-scoping",
                                State.OK,
                                "abstract Unix sockets and signals scoped to the sandbox (ABI >= " + SCOPING_ABI + ")")
                        : new Layer(
                                "landlock-scoping",
                                State.MISSING,
                                "abstract-socket and signal scoping need Landlock ABI " + SCOPING_ABI
                                        + ", this kernel has " + abi));
        return layers;
    }

    /** no_new_privs, then Airlock's own seccomp filter, on one throwaway thread (as the spawner thread does). */
    private static List<Layer> threadConfinement() {
        return onThrowawayThread(() -> {
            List<Layer> layers = new ArrayList<>();
            try {
                ThreadConfinement.setNoNewPrivs();
                layers.add(
                        ThreadConfinement.noNewPrivs()
                                ? new Layer(
                                        "no_new_privs", State.OK, "set on the spawner thread, inherited by the helper")
                                : new Layer(
                                        "no_new_privs",
                                        State.MISSING,
                                        "prctl(PR_SET_NO_NEW_PRIVS) succeeded but did not stick"));
            } catch (IOException e) {
                layers.add(new Layer("no_new_privs", State.MISSING, e.getMessage()));
                layers.add(new Layer("seccomp", State.MISSING, "needs no_new_privs"));
                return layers;
            }
            try {
                Seccomp.Program program = Seccomp.prepare(SeccompFilter.program());
                Seccomp.install(program);
                layers.add(new Layer(
                        "seccomp", State.OK, "Airlock's filter installs (" + program.length() + " instructions)"));
            } catch (IOException e) {
                layers.add(new Layer("seccomp", State.MISSING, e.getMessage()));
            }
            return layers;
        });
    }

    static Layer uidDrop(boolean root) throws IOException {
        if (!root) {
            return new Layer(
                    "uid-drop",
                    State.NOT_USED,
                    "Airlock runs as uid " + Linux.getuid() + ", not root: the helper keeps that uid");
        }
        Optional<UserAccount> nobody = UserAccount.find("nobody");
        return nobody.isPresent()
                ? new Layer(
                        "uid-drop",
                        State.OK,
                        "Airlock runs as root: the helper runs as nobody (uid "
                                + nobody.get().uid() + ") by default, never as root")
                : new Layer(
                        "uid-drop",
                        State.MISSING,
                        "Airlock runs as root but /etc/passwd has no user nobody: give --user");
    }

    /**
     * As root, unshares {@code kind} on a throwaway thread and checks that the thread's namespace
     * then differs from the process's; as a normal user, says why no namespace is used.
     */
    static Layer namespace(boolean root, String name, Namespace kind, String gives) {
        if (!root) {
            return new Layer(name, State.NOT_USED, Namespaces.WHY_NONE_AS_USER);
        }
        return onThrowawayThread(() -> {
            try {
                Path process = Files.readSymbolicLink(Path.of("/proc/self/ns", kind.procName()));
                ThreadConfinement.unshare(Set.of(kind));
                Path thread = Files.readSymbolicLink(Path.of("/proc/thread-self/ns", kind.procName()));
                return thread.equals(process)
                        ? new Layer(name, State.MISSING, "unshare succeeded but the thread stayed in " + process)
                        : new Layer(name, State.OK, gives);
            } catch (IOException e) {
                return new Layer(name, State.MISSING, e.getMessage());
            }
        });
    }

    /** Becomes a subreaper and back: a process-wide setting, restored at once. */
    static Layer subreaper() {
        try {
            boolean was = Processes.isChildSubreaper();
            Processes.setChildSubreaper(true);
            boolean works = Processes.isChildSubreaper();
            Processes.setChildSubreaper(was);
            return works
                    ? new Layer(
                            "subreaper",
                            State.OK,
                            "the broker adopts the helper's orphans and ends them all when the helper exits")
                    : new Layer("subreaper", State.MISSING, "prctl(PR_SET_CHILD_SUBREAPER) did not stick");
        } catch (IOException e) {
            return new Layer("subreaper", State.MISSING, e.getMessage());
        }
    }

    static Layer parentDeathSignal() {
        return onThrowawayThread(() -> {
            try {
                ThreadConfinement.setParentDeathSignal(Processes.SIGKILL);
                int signal = ThreadConfinement.parentDeathSignal();
                ThreadConfinement.setParentDeathSignal(0);
                return signal == Processes.SIGKILL
                        ? new Layer("parent-death", State.OK, "the helper gets SIGKILL when the broker dies")
                        : new Layer("parent-death", State.MISSING, "prctl(PR_SET_PDEATHSIG) did not stick");
            } catch (IOException e) {
                return new Layer("parent-death", State.MISSING, e.getMessage());
            }
        });
    }

    /** A probe that changes its thread. */
    private interface Probe<T> {
        T run();
    }

    /** Runs {@code probe} on a new thread that ends right after, taking the probe's changes with it. */
    private static <T> T onThrowawayThread(Probe<T> probe) {
        List<T> result = new ArrayList<>();
        Thread thread = new Thread(() -> result.add(probe.run()), "airlock-doctor-probe");
        thread.start();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while probing", e);
        }
        if (result.isEmpty()) {
            throw new IllegalStateException("a doctor probe failed without an answer");
        }
        return result.get(0);
    }
}
