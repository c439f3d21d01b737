package dev.airlock.broker;

import dev.airlock.ipc.StartupTimeline;
import dev.airlock.unix.ErrnoException;
import dev.airlock.unix.Processes;

/**
 * The running helper as the broker sees it: passes SIGINT, SIGTERM and SIGHUP on to it, and when
 * it ends, ends every process it left behind ({@link ProcessTree}) and then the broker, with the
 * helper's status. The reaper exits the broker even if the channel is still held open by
 * something the helper left behind, so no broker outlives its helper, and no descendant of the
 * helper outlives the broker's exit.
 *
 * <p>The signals are passed to the helper's pid: it runs in its own session, so a terminal's
 * SIGINT (Ctrl-C) reaches only the broker's process group.
 */
final class HelperProcess {
    private final int pid;
    private volatile int exitCode = -1;

    HelperProcess(int pid) {
        this.pid = pid;
    }

    int exitCode() {
        return exitCode;
    }

    /**
     * Takes SIGINT, SIGTERM and SIGHUP over from the JVM's default handlers (which would shut the
     * broker down) and passes each on to the helper. {@code sun.misc.Signal} is reached
     * reflectively: it is the JDK's only way to do this, and javac's warning about it cannot be
     * suppressed otherwise.
     */
    void forwardSignals() throws ReflectiveOperationException {
        Class<?> signalClass = Class.forName("sun.misc.Signal");
        Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
        java.lang.reflect.Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
        java.lang.reflect.Method number = signalClass.getMethod("getNumber");
        Object handler = java.lang.reflect.Proxy.newProxyInstance(
                handlerClass.getClassLoader(), new Class<?>[] {handlerClass}, (proxy, method, args) -> {
                    if (method.getName().equals("handle")) {
                        try {
                            Processes.kill(pid, (Integer) number.invoke(args[0]));
                        } catch (ErrnoException gone) {
                            // The helper has exited already; the reaper ends the broker.
                        }
                        return null;
                    }
                    return method.getName().equals("hashCode")
                            ? System.identityHashCode(proxy)
                            : method.getName().equals("equals") ? proxy == args[0] : "airlock signal forwarder";
                });
        for (String name : new String[] {"INT", "TERM", "HUP"}) {
            handle.invoke(null, signalClass.getConstructor(String.class).newInstance(name), handler);
        }
    }

    /**
     * Starts the thread that reaps the broker's children: orphans of the helper's descendants
     * (re-parented to the broker, its subreaper) as they exit, and finally the helper itself,
     * whose status becomes the broker's once every descendant left is ended.
     */
    Thread startReaper(java.io.PrintStream err) {
        return startReaper(err, () -> {});
    }

    /**
     * As {@link #startReaper(java.io.PrintStream)}, running {@code afterEnd} once the helper and
     * every process it left are gone and before the broker exits: for what the run leaves behind
     * (its private temporary directory), which must outlive nothing of the helper's.
     */
    Thread startReaper(java.io.PrintStream err, Runnable afterEnd) {
        return startReaper(err, afterEnd, code -> code);
    }

    /**
     * As {@link #startReaper(java.io.PrintStream, Runnable)}, the broker exiting with what
     * {@code last} makes of the helper's exit code, after {@code afterEnd}: for {@code airlock
     * learn}, which writes its policy once the program is gone, and fails if it cannot.
     */
    Thread startReaper(java.io.PrintStream err, Runnable afterEnd, java.util.function.IntUnaryOperator last) {
        Thread reaper = new Thread(
                () -> {
                    int status;
                    try {
                        status = waitForHelper();
                        StartupTimeline.mark("helper-exited");
                    } catch (ErrnoException e) {
                        err.println("airlock: lost the helper: " + e.getMessage());
                        Runtime.getRuntime().halt(ExitCodes.INTERNAL);
                        return;
                    }
                    exitCode = exitCode(status);
                    ProcessTree.endAll(pid, err);
                    afterEnd.run();
                    int code = last.applyAsInt(exitCode);
                    System.out.flush();
                    Runtime.getRuntime().halt(code);
                },
                "airlock-reaper");
        reaper.setDaemon(true);
        reaper.start();
        return reaper;
    }

    /** Reaps children until the helper is among them; returns its wait status. */
    private int waitForHelper() throws ErrnoException {
        while (true) {
            Processes.Exited exited = Processes.reapAny(true);
            if (exited.pid() == pid) {
                return exited.status();
            }
            // An orphan of the helper's, re-parented to the broker: reaped so it leaves no zombie.
        }
    }

    /** A wait status as a shell reports it: the exit code, or 128+N for death by signal N. */
    static int exitCode(int status) {
        int signal = status & 0x7f;
        if (signal == 0) {
            return (status >> 8) & 0xff;
        }
        return 128 + signal;
    }
}
