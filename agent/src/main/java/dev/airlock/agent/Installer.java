package dev.airlock.agent;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Installs the routing into this JVM: defines the bridge inside java.base, points it at a
 * {@link Router} over the given {@link Opener}, then weaves the hooks into the JDK classes, from
 * the transform cache when it holds this JDK's classes, else live with ByteBuddy.
 *
 * <p>The order matters: the bridge must exist and be wired before any woven method can run, since
 * the woven code links against it.
 */
final class Installer {

    /** How the hooks were woven; reported to tests, never printed. */
    enum Mode {
        LIVE,
        CACHED
    }

    private Installer() {}

    /** Installs routing to {@code opener}. Throws on any failure; the caller halts the JVM. */
    static Mode install(Instrumentation inst, AgentArgs args, Opener opener) throws Exception {
        // Captured once: relative paths are resolved against the directory the program started in,
        // whatever it later does to the property.
        String userDir = System.getProperty("user.dir");
        List<String> targets = prepareJvm(inst);
        Class<?> bridge = Bridge.define(inst, AgentJar.classFile(Hooks.BRIDGE));
        Router router = new Router(opener, userDir);
        Bridge.install(
                bridge,
                router,
                new MetadataRouter(opener, router),
                new NetworkRouter(opener),
                args.directRoots(),
                args.hiddenRoots(),
                userDir);
        Bridge.installNames(bridge, new NameRouter(opener));
        if (opener instanceof BrokerOpener broker) {
            // The parent-death signal is armed and the channel checked on a thread whose own file
            // operations (jnr-ffi probing for libc) are never routed: a routed one would wait for
            // the very check it is part of.
            java.lang.reflect.Method unrouted = bridge.getDeclaredMethod("unrouted", Object.class);
            unrouted.setAccessible(true);
            broker.verifyInBackground(task -> () -> {
                try {
                    unrouted.invoke(null, task);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("airlock bridge cannot run the broker check", e);
                }
            });
        }

        Path cache = args.cache();
        if (cache != null && TransformCache.replay(inst, cache, AgentJar.fingerprint(), targets)) {
            return Mode.CACHED;
        }
        weaveLive(inst, targets);
        return Mode.LIVE;
    }

    /** What live weaving started from and made, keyed by class name. */
    private static final class Woven {
        final Map<String, byte[]> inputs;
        final Map<String, byte[]> outputs;

        Woven(Map<String, byte[]> inputs, Map<String, byte[]> outputs) {
            this.inputs = inputs;
            this.outputs = outputs;
        }
    }

    /** Weaves live and leaves a replay of the result registered in place of ByteBuddy's transformer. */
    private static Woven weaveLive(Instrumentation inst, List<String> targets) throws Exception {
        TransformCache.InputRecorder inputs = new TransformCache.InputRecorder(targets);
        // Registered before ByteBuddy's transformer, so it sees the bytes ByteBuddy starts from.
        inst.addTransformer(inputs, true);
        Map<String, byte[]> outputs;
        try {
            outputs = LiveTransformer.install(inst, targets, inputs.loading);
        } finally {
            inst.removeTransformer(inputs);
        }
        if (!inputs.inputs.keySet().equals(outputs.keySet())) {
            throw new IllegalStateException(
                    "saw the original bytes of " + inputs.inputs.keySet() + " but wove " + outputs.keySet());
        }
        inst.addTransformer(TransformCache.replayer(targets, inputs.inputs, outputs), true);
        return new Woven(inputs.inputs, outputs);
    }

    /**
     * The prepare run: weaves live, exactly as a helper without a cache would, and records what
     * ByteBuddy made of each original class file into {@code dir}. The bridge is defined but
     * routes nowhere; the JVM is meant to exit right after.
     */
    static void prepare(Instrumentation inst, Path dir) throws Exception {
        List<String> targets = prepareJvm(inst);
        Bridge.define(inst, AgentJar.classFile(Hooks.BRIDGE));
        Woven woven = weaveLive(inst, targets);
        TransformCache.write(dir, AgentJar.fingerprint(), woven.inputs, woven.outputs);
    }

    /**
     * Checks what the installation needs; returns the hooked classes' names. They are not loaded
     * here: one not loaded yet is loaded only once the transformers are registered, so that both
     * paths see it as it loads (see TransformCache#loadOrRetransform).
     */
    private static List<String> prepareJvm(Instrumentation inst) throws IOException {
        if (!inst.isRetransformClassesSupported()) {
            throw new IOException("the JVM does not support class retransformation"
                    + " (the agent's manifest needs Can-Retransform-Classes: true)");
        }
        if (!inst.isModifiableModule(Object.class.getModule())) {
            throw new IOException("the JVM does not allow java.base to be opened to the agent");
        }
        List<String> targets = hookedClasses();
        preloadNameClasses(targets);
        return targets;
    }

    /**
     * Loads the hooked classes of {@code java.net} (InetAddress and its platform resolver) before
     * any transformer is registered, in the preparation and in every helper alike. The agent's
     * own classes name them (NameRouter, NetworkRouter), and the JVM may load them while it
     * verifies those, or on the broker check's thread, in one run and not in another; a class
     * loaded under the transformers is keyed by its runtime-image class file, one loaded before by
     * the class file the JVM reconstitutes on retransformation, and the two differ, so the cache
     * missed (measured: the helper wove live). Loaded here, they are always retransformed, from
     * the CDS archive, which holds all three (the JDKs' lib/classlist), so their reconstituted
     * class files are the same in every run (see TransformCache).
     */
    private static void preloadNameClasses(List<String> targets) throws IOException {
        for (String type : targets) {
            if (type.startsWith("java.net.")) {
                try {
                    Class.forName(type, false, null);
                } catch (ClassNotFoundException e) {
                    throw new IOException("java.base lacks " + type, e);
                }
            }
        }
    }

    /**
     * The classes this JDK's hooks are in: every hooked class, but one all of whose hooks belong
     * to JDK shapes only where java.base has it (Hooks#shaped).
     */
    static List<String> hookedClasses() throws IOException {
        List<String> targets = new ArrayList<>();
        for (String type : Hooks.byType().keySet()) {
            if (!Hooks.shaped(type) || inJavaBase(type)) {
                targets.add(type);
            }
        }
        return targets;
    }

    /**
     * Whether java.base has a class, asked of its class file so that the class is not loaded
     * before the transformers are registered (class files are never encapsulated).
     */
    private static boolean inJavaBase(String type) throws IOException {
        try (java.io.InputStream in = Object.class.getModule().getResourceAsStream(type.replace('.', '/') + ".class")) {
            return in != null;
        }
    }
}
