package dev.airlock.agent;

import java.io.IOException;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.MemberSubstitution;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.method.MethodList;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.Nexus;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.matcher.ElementMatchers;
import net.bytebuddy.pool.TypePool;
import net.bytebuddy.utility.JavaModule;

/**
 * Weaves the advice into the JDK classes with ByteBuddy, live (about half a second of start-up:
 * ByteBuddy loads some thousand classes). The fallback when no prepared transform is cached, and
 * what a prepare run records into the cache.
 *
 * <p>Everything ByteBuddy lives behind this class: the cached path never loads it, so ByteBuddy is
 * never loaded at all when the cache hits.
 *
 * <p>The advice templates are described through a {@link TypePool} over their class files (shipped
 * as resources) and never loaded: they name package-private JDK types, and as classes of the
 * application loader they could not even be linked.
 */
final class LiveTransformer {

    private LiveTransformer() {}

    /**
     * Weaves the hooks' advice into the classes {@code targets}, each as it loads or, if loaded
     * before, by retransformation ({@link TransformCache#loadOrRetransform}), and returns, per
     * class name, the class file ByteBuddy produced. Throws if any hook did not apply: a JDK whose
     * shape differs must not run unrouted.
     *
     * <p>ByteBuddy's transformer is unregistered afterwards (the classes keep their new bytes):
     * left in place it would describe every class the application loads from then on, for
     * nothing. The caller registers a plain replay of the result instead, so that a later
     * retransformation by anyone still yields the hooked classes.
     *
     * @param loading the targets the caller's transformer, registered before, saw being loaded
     */
    static Map<String, byte[]> install(Instrumentation inst, Collection<String> targets, Set<String> loading)
            throws IOException {
        Map<String, byte[]> adviceFiles = new LinkedHashMap<>();
        for (Hooks.Hook hook : Hooks.ALL) {
            if (hook.advice != null) {
                adviceFiles.put(hook.advice, AgentJar.classFile(hook.advice));
            }
        }
        // The bridge, for the substitutions' replacement methods (it is defined in java.base by now,
        // but described, like the advice, from the agent's own class file).
        adviceFiles.put(Hooks.BRIDGE, AgentJar.classFile(Hooks.BRIDGE));
        // The advice first; the JDK's own types (UnixPath, UnixException) from the boot loader's
        // class files; ByteBuddy's annotation types from the agent's loader.
        ClassFileLocator locator = new ClassFileLocator.Compound(
                new ClassFileLocator.Simple(adviceFiles),
                ClassFileLocator.ForClassLoader.ofBootLoader(),
                ClassFileLocator.ForClassLoader.of(LiveTransformer.class.getClassLoader()));
        TypePool pool = TypePool.Default.of(locator);

        Recorder recorder = new Recorder();
        // Raw: registered and driven by loadOrRetransform below, as the replay is, rather than by
        // ByteBuddy's own retransformation of loaded classes (which would need the classes that
        // are not loaded yet to be loaded before its transformer is in place).
        AgentBuilder builder = newAgentBuilder()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                .with(AgentBuilder.TypeStrategy.Default.REDEFINE)
                .with(recorder)
                // ByteBuddy ignores the boot loader's classes by default; they are the point here.
                .ignore(ElementMatchers.none());
        Map<String, List<Hooks.Hook>> byType = Hooks.byType();
        Map<String, Set<String>> shapesWoven = new java.util.concurrent.ConcurrentHashMap<>();
        for (String type : targets) {
            builder = builder.type(ElementMatchers.named(type), ElementMatchers.isBootstrapClassLoader())
                    .transform(new Weaver(byType.get(type), pool, locator, shapesWoven));
        }
        ClassFileTransformer transformer = builder.makeRaw();
        inst.addTransformer(transformer, true);
        try {
            TransformCache.loadOrRetransform(inst, targets, loading);
        } catch (ClassNotFoundException | UnmodifiableClassException e) {
            throw new IllegalStateException("cannot weave the JDK's file opens: " + e, e);
        } finally {
            inst.removeTransformer(transformer);
        }

        if (!recorder.errors.isEmpty()) {
            IllegalStateException e = new IllegalStateException("cannot weave the JDK's file opens: "
                    + recorder.errors.get(0).getMessage());
            recorder.errors.forEach(e::addSuppressed);
            throw e;
        }
        if (!recorder.transformed.keySet().equals(new java.util.HashSet<>(targets))) {
            throw new IllegalStateException("cannot weave the JDK's file opens: transformed "
                    + recorder.transformed.keySet() + ", expected " + targets);
        }
        checkShapes(shapesWoven);
        for (Hooks.Hook hook : Hooks.ALL) {
            boolean woven = hook.shape == null
                    || shapesWoven.getOrDefault(hook.type, Set.of()).contains(hook.shape);
            if (hook.replaced != null && woven && !callsBridge(recorder.transformed.get(hook.type))) {
                // A substitution that matched no call changes nothing and says nothing: fail closed.
                throw new IllegalStateException("cannot weave the JDK's file opens: " + hook + " has no call of "
                        + hook.replaced + " to replace");
            }
        }
        return recorder.transformed;
    }

    /**
     * {@code new AgentBuilder.Default()} eagerly builds its default initialisation strategy
     * (SelfInjection.Split), whose NexusAccessor injects ByteBuddy's {@code Nexus} class into the
     * system class loader through {@code ClassInjector.UsingReflection}, which initialises
     * {@code ClassInjector.UsingUnsafe}: {@code sun.misc.Unsafe::objectFieldOffset} and
     * {@code putBoolean}, each a warning on the application's stderr on JDK 24 and later. The agent
     * replaces that strategy with NoOp anyway, so ByteBuddy's documented switch turns the injection
     * off while the builder is made; the property is restored at once (no application code runs
     * during premain), and NexusAccessor keeps the answer it computed.
     */
    private static AgentBuilder newAgentBuilder() {
        String previous = System.getProperty(Nexus.PROPERTY);
        System.setProperty(Nexus.PROPERTY, "true");
        try {
            return new AgentBuilder.Default();
        } finally {
            if (previous == null) {
                System.clearProperty(Nexus.PROPERTY);
            } else {
                System.setProperty(Nexus.PROPERTY, previous);
            }
        }
    }

    /**
     * A JDK shape is all or nothing across classes: every hooked class with hooks of a shape this
     * JDK was woven with got them (a class of a shape's own that is missing, or whose methods
     * moved, fails the installation instead of leaving part of the shape unhooked).
     */
    private static void checkShapes(Map<String, Set<String>> shapesWoven) {
        Set<String> woven = new java.util.HashSet<>();
        shapesWoven.values().forEach(woven::addAll);
        for (Hooks.Hook hook : Hooks.ALL) {
            if (hook.shape != null
                    && woven.contains(hook.shape)
                    && !shapesWoven.getOrDefault(hook.type, Set.of()).contains(hook.shape)) {
                throw new IllegalStateException(
                        "cannot weave the JDK's file opens: this JDK has the shape " + hook.shape + " but not " + hook);
            }
        }
    }

    /** Applies the hooks of one JDK class, after checking that each matches exactly one method. */
    private static final class Weaver implements AgentBuilder.Transformer {
        private final List<Hooks.Hook> hooks;
        private final TypePool pool;
        private final ClassFileLocator locator;
        private final Map<String, Set<String>> shapesWoven;

        Weaver(List<Hooks.Hook> hooks, TypePool pool, ClassFileLocator locator, Map<String, Set<String>> shapesWoven) {
            this.hooks = hooks;
            this.pool = pool;
            this.locator = locator;
            this.shapesWoven = shapesWoven;
        }

        /**
         * The member substitution of a hook: every call of the replaced static method becomes a
         * call of the bridge's static method of the same descriptor, both found by exact name and
         * descriptor (a JDK whose native changed shape fails the installation).
         */
        private MemberSubstitution substitution(Hooks.Hook hook) {
            TypeDescription bridge = pool.describe(Hooks.BRIDGE).resolve();
            MethodList<MethodDescription.InDefinedShape> replacements = bridge.getDeclaredMethods()
                    .filter(ElementMatchers.<MethodDescription>named(hook.replacement)
                            .and(ElementMatchers.hasDescriptor(hook.replacedDescriptor()))
                            .and(ElementMatchers.isStatic())
                            .and(ElementMatchers.isPublic()));
            if (replacements.size() != 1) {
                throw new IllegalStateException("the bridge has " + replacements.size() + " methods " + hook.replacement
                        + hook.replacedDescriptor());
            }
            // The agent's pool resolves the bridge: where several calls in one method are replaced,
            // each later substitution meets the calls of the bridge the earlier ones put there, and
            // the JDK's own locator has no class file of a class defined at run time.
            return MemberSubstitution.strict()
                    .with(new MemberSubstitution.TypePoolResolver.ForExplicitPool(pool))
                    .method(ElementMatchers.<MethodDescription>named(hook.replacedName())
                            .and(ElementMatchers.hasDescriptor(hook.replacedDescriptor()))
                            .and(ElementMatchers.isDeclaredBy(ElementMatchers.named(hook.replacedOwner()))))
                    .replaceWith(replacements.getOnly());
        }

        @Override
        public DynamicType.Builder<?> transform(
                DynamicType.Builder<?> builder,
                TypeDescription type,
                ClassLoader loader,
                JavaModule module,
                ProtectionDomain domain) {
            DynamicType.Builder<?> woven = builder;
            // Shapes (see Hooks.Hook#shape): keep those this JDK has every hook of.
            Map<String, Boolean> shapes = new LinkedHashMap<>();
            for (Hooks.Hook hook : hooks) {
                if (hook.shape != null) {
                    boolean present =
                            type.getDeclaredMethods().filter(matcher(hook)).size() == 1;
                    shapes.merge(hook.shape, present, Boolean::logicalAnd);
                }
            }
            boolean allShaped = hooks.stream().allMatch(h -> h.shape != null);
            if (!shapes.isEmpty() && !shapes.containsValue(true) && !allShaped) {
                throw new IllegalStateException(type.getName() + " matches none of the JDK shapes " + shapes.keySet());
            }
            // A class all of whose hooks belong to shapes it does not have (UnixFileSystem on JDK 17)
            // is left as it is; checkShapes makes sure that no shape this JDK has is missing from it.
            Set<String> present = new java.util.HashSet<>();
            shapes.forEach((shape, has) -> {
                if (has) {
                    present.add(shape);
                }
            });
            shapesWoven.put(type.getName(), present);
            for (Hooks.Hook hook : hooks) {
                if (hook.shape != null && !shapes.get(hook.shape)) {
                    continue;
                }
                ElementMatcher.Junction<MethodDescription> method = matcher(hook);
                int found = type.getDeclaredMethods().filter(method).size();
                if (found != 1) {
                    throw new IllegalStateException("this JDK has " + found + " methods " + hook);
                }
                if (hook.replaced != null) {
                    woven = woven.visit(substitution(hook).on(method));
                } else {
                    woven = woven.visit(Advice.to(pool.describe(hook.advice).resolve(), locator)
                            .on(method));
                }
            }
            return woven;
        }
    }

    /** Whether a class file names the bridge: in a class that had no advice, only a substitution put it there. */
    private static boolean callsBridge(byte[] classFile) {
        byte[] name = Hooks.BRIDGE.replace('.', '/').getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; classFile != null && i + name.length <= classFile.length; i++) {
            for (int j = 0; j < name.length; j++) {
                if (classFile[i + j] != name[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static ElementMatcher.Junction<MethodDescription> matcher(Hooks.Hook hook) {
        return ElementMatchers.<MethodDescription>named(hook.method)
                .and(ElementMatchers.hasDescriptor(hook.descriptor));
    }

    /** Keeps ByteBuddy's output per class and every error, which ByteBuddy would only log. */
    private static final class Recorder extends AgentBuilder.Listener.Adapter {
        final Map<String, byte[]> transformed = new LinkedHashMap<>();
        final List<Throwable> errors = new ArrayList<>();

        @Override
        public synchronized void onTransformation(
                TypeDescription type, ClassLoader loader, JavaModule module, boolean loaded, DynamicType dynamicType) {
            transformed.put(type.getName(), dynamicType.getBytes());
        }

        @Override
        public synchronized void onError(
                String typeName, ClassLoader loader, JavaModule module, boolean loaded, Throwable throwable) {
            errors.add(new IllegalStateException(typeName + ": " + throwable, throwable));
        }
    }
}
