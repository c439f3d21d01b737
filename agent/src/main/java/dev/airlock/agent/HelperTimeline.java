package dev.airlock.agent;

import dev.airlock.ipc.StartupTimeline;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.CodeSource;
import java.security.ProtectionDomain;

/**
 * The helper's side of the start-up timeline ({@link StartupTimeline}), on when the broker gives
 * the agent {@code timeline=ORIGIN}: {@code jvm-start} and {@code premain-entered} when premain
 * has read its arguments, {@code transforms-installed} once the hooks are woven or replayed, and
 * {@code main-class-loaded} when the launcher defines the program's main class, after which it only
 * links the class, looks up {@code main} and calls it: the last moment an agent sees before the
 * program runs. ({@code broker-connected} is {@link BrokerOpener}'s, on the thread that connects.)
 * Without the argument nothing here runs but one test of it.
 */
final class HelperTimeline {
    private HelperTimeline() {}

    /** Starts the helper's timeline when {@code args} ask for it; {@code premainEntered} is premain's first {@code nanoTime}. */
    static void start(AgentArgs args, long premainEntered) {
        if (args.timeline().isPresent()) {
            StartupTimeline.startHelper(args.timeline().getAsLong(), premainEntered);
        }
    }

    /**
     * Marks the hooks installed and watches, from here on, for the main class, on the thread
     * premain runs on: the launcher's, which loads the main class once every agent's premain has
     * returned.
     */
    static void installed(AgentArgs args, Instrumentation inst) {
        if (args.timeline().isEmpty()) {
            return;
        }
        StartupTimeline.mark("transforms-installed");
        CodeSource own = HelperTimeline.class.getProtectionDomain().getCodeSource();
        inst.addTransformer(new MainClassMark(
                inst, Thread.currentThread(), own == null ? null : String.valueOf(own.getLocation())));
    }

    /**
     * Marks the first class the launcher's thread defines from outside airlock.jar while
     * {@code sun.launcher.LauncherHelper} is loading it: the main class (a class path class, a
     * module's or a jar's {@code Main-Class}). Another agent's premain, on the same thread, is told
     * apart by that frame. Changes no class; removes itself once it has marked.
     */
    private static final class MainClassMark implements ClassFileTransformer {
        private final Instrumentation inst;
        private final Thread launcher;
        private final String ownLocation;
        private volatile boolean marked;

        MainClassMark(Instrumentation inst, Thread launcher, String ownLocation) {
            this.inst = inst;
            this.launcher = launcher;
            this.ownLocation = ownLocation;
        }

        @Override
        public byte[] transform(
                Module module,
                ClassLoader loader,
                String className,
                Class<?> classBeingRedefined,
                ProtectionDomain protectionDomain,
                byte[] classfileBuffer) {
            if (marked || classBeingRedefined != null || loader == null || Thread.currentThread() != launcher) {
                return null;
            }
            CodeSource source = protectionDomain == null ? null : protectionDomain.getCodeSource();
            // Compared as text: URL#equals may resolve host names.
            if (source != null && ownLocation != null && ownLocation.equals(String.valueOf(source.getLocation()))) {
                return null;
            }
            if (!loadedByLauncher()) {
                return null;
            }
            marked = true;
            StartupTimeline.mark("main-class-loaded");
            inst.removeTransformer(this);
            return null;
        }

        private static boolean loadedByLauncher() {
            for (StackTraceElement frame : new Throwable().getStackTrace()) {
                if (frame.getClassName().equals("sun.launcher.LauncherHelper")) {
                    return true;
                }
            }
            return false;
        }
    }
}
