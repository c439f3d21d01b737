package dev.airlock.agent;

import java.io.FileDescriptor;
import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Defines {@code java.io.AirlockBridge} inside java.base and connects it to a {@link Router}.
 *
 * <p>Advice inlined into java.base runs with the boot loader's view and cannot name the agent's
 * classes, so it calls the bridge, which forwards through three method handles: opens on
 * {@link Router#dispatch}, TCP connects, binds and listens on {@link NetworkRouter#dispatch},
 * every other operation on {@link MetadataRouter#dispatch}. The bridge is defined
 * with {@code privateLookupIn(FileDescriptor.class, ...).defineClass(...)} after
 * {@code Instrumentation.redefineModule} opens {@code java.io} to the agent's module; appending a
 * jar to the boot class path would also work but disables CDS for application classes.
 *
 * <p>Side effect worth knowing: the agent sits in the application class loader's unnamed module,
 * so the opening applies to the whole class path (deep reflection on java.io succeeds where it
 * would otherwise throw InaccessibleObjectException). Only java.io is opened; the bridge itself
 * reaches {@code sun.nio.fs} and {@code jdk.internal.access} from inside java.base, which needs no
 * opening.
 */
final class Bridge {

    // Every operation number of the java.base edge, as java.io.AirlockBridge numbers them (the
    // advice compiles those in; BridgeTest checks that every one of its constants is here, with
    // the same value). Opens (Router), NIO metadata (MetadataRouter maps each to a Request), and
    // java.io.File's own operations from IO_QUERY on.
    static final int FILE_INPUT = 1;
    static final int FILE_OUTPUT = 2;
    static final int RANDOM_ACCESS = 3;
    static final int NIO_OPEN = 4;
    static final int NIO_OPENAT = 5;
    static final int STAT = 2;
    static final int ACCESS = 3;
    static final int READLINK = 4;
    static final int MKDIR = 5;
    static final int UNLINK = 6;
    static final int RENAME = 7;
    static final int LINK = 8;
    static final int SYMLINK = 9;
    static final int CHMOD = 10;
    static final int UTIMENS = 11;
    static final int WATCH = 13;
    static final int IO_QUERY = 20;
    static final int IO_NUMBER = 21;
    static final int IO_LIST = 22;
    static final int IO_CREATE = 23;
    static final int IO_CHANGE = 24;
    static final int IO_RENAME = 25;
    static final int IO_SET_LAST_MODIFIED = 26;
    static final int IO_SET_PERMISSION = 27;
    static final int IO_TEMP_FILE = 28;
    static final int IO_CANONICAL = 29;
    static final int NET_CONNECT = 40;
    static final int NET_BIND = 41;
    static final int NET_DATAGRAM = 42;
    static final int NET_SEND = 43;
    static final int NAME_LOOKUP = 50;
    static final int ADDRESS_LOOKUP = 51;
    /** Router result meaning "not routed: the JDK's own failure stands". */
    static final int NOT_ROUTED = Integer.MIN_VALUE;

    private Bridge() {}

    /**
     * Installs {@code router}, {@code metadata} and {@code network} as the bridge's three method handles, with the
     * errno messages, the UnixException subclass the bridge reports NIO failures with, the direct
     * roots and {@code user.dir}. The bridge refuses a second
     * install, so this fails if anything installed one before.
     */
    static void install(
            Class<?> bridge,
            Router router,
            MetadataRouter metadata,
            NetworkRouter network,
            List<String> directRoots,
            List<String> hiddenRoots,
            String userDir)
            throws Exception {
        // The bridge's operation numbers are compiled into the advice and mirrored in Router;
        // BridgeTest checks they agree (reading them here would cost start-up for a build-time fact).
        Router.install(router);
        MetadataRouter.install(metadata);
        NetworkRouter.install(network);
        // Core reflection on an (Object[]) -> Object method: on JDK 17 and 25 alike this spins no
        // lambda form at start-up (a method handle call here would).
        Method install = bridge.getDeclaredMethod("install", Object[].class);
        install.setAccessible(true);
        MethodHandle route = MethodHandles.lookup()
                .findStatic(
                        Router.class,
                        "dispatch",
                        MethodType.methodType(int.class, int.class, String.class, String.class, int.class, int.class));
        MethodHandle meta = MethodHandles.lookup()
                .findStatic(
                        MetadataRouter.class,
                        "dispatch",
                        MethodType.methodType(
                                Object.class,
                                int.class,
                                String.class,
                                String.class,
                                boolean.class,
                                int.class,
                                long.class,
                                long.class));
        MethodHandle net = MethodHandles.lookup()
                .findStatic(
                        NetworkRouter.class,
                        "dispatch",
                        MethodType.methodType(
                                int.class, int.class, int.class, byte[].class, int.class, int.class, int.class));
        MethodHandle datagram = MethodHandles.lookup()
                .findStatic(
                        NetworkRouter.class,
                        "datagram",
                        MethodType.methodType(
                                int.class, int.class, int.class, byte[].class, int.class, int.class, byte[].class));
        Object[] parts = {
            route,
            dev.airlock.unix.Errno.descriptions(),
            AgentJar.classFile(Hooks.UNIX_EXCEPTION),
            meta,
            directRoots.toArray(new String[0]),
            userDir,
            hiddenRoots.toArray(new String[0]),
            net,
            datagram
        };
        try {
            install.invoke(null, (Object) parts);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception exception) {
                throw exception;
            }
            throw e;
        }
    }

    /**
     * Installs {@code names} as the bridge's name router (the platform resolver's lookups), once,
     * after {@link #install}; the bridge refuses a second install.
     */
    static void installNames(Class<?> bridge, NameRouter names) throws Exception {
        NameRouter.install(names);
        Method install = bridge.getDeclaredMethod("installNames", Object.class);
        install.setAccessible(true);
        MethodHandle handle = MethodHandles.lookup()
                .findStatic(
                        NameRouter.class,
                        "dispatch",
                        MethodType.methodType(Object.class, int.class, String.class, byte[].class, int.class));
        try {
            install.invoke(null, handle);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception exception) {
                throw exception;
            }
            throw e;
        }
    }

    /**
     * Defines the bridge inside java.base (once; a second premain in the same JVM finds it).
     */
    static Class<?> define(Instrumentation inst, byte[] bridgeClassFile) throws ReflectiveOperationException {
        Module base = Object.class.getModule();
        Module agent = Bridge.class.getModule();
        if (!base.isOpen("java.io", agent)) {
            inst.redefineModule(base, Set.of(), Map.of(), Map.of("java.io", Set.of(agent)), Set.of(), Map.of());
        }
        MethodHandles.Lookup io = MethodHandles.privateLookupIn(FileDescriptor.class, MethodHandles.lookup());
        try {
            return io.defineClass(bridgeClassFile);
        } catch (LinkageError e) {
            // Defining twice fails (a second agent in one JVM); the existing bridge then refuses
            // the second install. Any other linkage failure is reported as it is.
            try {
                return Class.forName(Hooks.BRIDGE, false, null);
            } catch (ClassNotFoundException notDefined) {
                throw e;
            }
        }
    }
}
