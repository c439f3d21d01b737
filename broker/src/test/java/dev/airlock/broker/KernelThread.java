package dev.airlock.broker;

import dev.airlock.broker.LandlockRules.Access;
import dev.airlock.broker.LandlockRules.Rule;
import dev.airlock.unix.ErrnoException;
import dev.airlock.unix.Fd;
import dev.airlock.unix.Landlock;
import dev.airlock.unix.ThreadConfinement;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One thread of the test JVM confined by a Landlock ruleset, making raw system calls (the unix
 * module's) as the helper's native code would: the kernel path of a policy, beside the broker's.
 * Landlock's {@code landlock_restrict_self} and {@code no_new_privs} act on the calling thread
 * only, so the test's other threads keep their access. Besides the rules under test, the thread
 * may read and execute the running JDK, the shared libraries and the test's class path (a class
 * it loads late is read from there), all outside the trees the tests build.
 */
final class KernelThread implements AutoCloseable {
    /** A raw call on the confined thread. */
    interface Call {
        void run() throws ErrnoException;
    }

    private final ExecutorService executor;

    private KernelThread(ExecutorService executor) {
        this.executor = executor;
    }

    /** A new thread confined by {@code rules} (on real paths) and what a JVM thread needs to go on running. */
    static KernelThread confinedBy(List<Rule> rules) throws Exception {
        List<Rule> all = new ArrayList<>(rules);
        all.add(new Rule(Path.of(System.getProperty("java.home")), Access.READ_EXECUTE));
        for (Path library : SandboxPlanner.SHARED_LIBRARIES) {
            all.add(new Rule(library, Access.READ_EXECUTE));
        }
        for (String entry : List.of(System.getProperty("java.class.path").split(File.pathSeparator, -1))) {
            if (!entry.isEmpty()) {
                all.add(new Rule(Path.of(entry).toAbsolutePath(), Access.READ));
            }
        }
        LandlockRules resolved = LandlockRules.resolve(all, RealPaths.lookUp(SandboxPlanner.pathsOf(all)));
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "airlock-kernel-path");
            t.setDaemon(true);
            return t;
        });
        try (Fd ruleset = resolved.create(Landlock.abi())) {
            executor.submit(() -> {
                        ThreadConfinement.setNoNewPrivs();
                        Landlock.restrictSelf(ruleset);
                        return null;
                    })
                    .get();
        } catch (ExecutionException | RuntimeException | ErrnoException e) {
            executor.shutdownNow();
            throw e;
        }
        return new KernelThread(executor);
    }

    /** Runs {@code call} on the confined thread: 0 when it succeeded, else its errno. */
    int errno(Call call) throws InterruptedException {
        Future<Integer> result = executor.submit(() -> {
            try {
                call.run();
                return 0;
            } catch (ErrnoException e) {
                return e.errno();
            }
        });
        try {
            return result.get();
        } catch (ExecutionException e) {
            throw new AssertionError("the kernel-path call failed: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
