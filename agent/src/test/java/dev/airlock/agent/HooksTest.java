package dev.airlock.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The hook list against the JDK running the tests (the child-JVM tests cover the other JDK: live
 * weaving fails closed when a hook does not match exactly one method).
 */
class HooksTest {

    @Test
    void everyHookOfThisJdksShapeMatchesExactlyOneNonNativeMethod() throws ClassNotFoundException {
        // The tests run on JDK 17; the child-JVM tests weave JDK 25, whose shape differs.
        String otherShape = "JDK 25";
        int shaped = 0;
        for (Hooks.Hook hook : Hooks.ALL) {
            if (otherShape.equals(hook.shape)) {
                continue;
            }
            shaped += hook.shape != null ? 1 : 0;
            Class<?> type = Class.forName(hook.type, false, null);
            List<Method> matches = new ArrayList<>();
            for (Method m : type.getDeclaredMethods()) {
                String descriptor = MethodType.methodType(m.getReturnType(), m.getParameterTypes())
                        .toMethodDescriptorString();
                if (m.getName().equals(hook.method) && descriptor.equals(hook.descriptor)) {
                    matches.add(m);
                }
            }
            assertEquals(1, matches.size(), hook::toString);
            assertFalse(
                    Modifier.isNative(matches.get(0).getModifiers()), hook + " must be a Java method to carry advice");
        }
        assertEquals(
                11,
                shaped,
                "JDK 17 has eleven hooks of its own: stat(UnixPath), exists and throwing access, the three"
                        + " descriptor calls in each of UnixCopyFile's copyFile and copyDirectory, and the two"
                        + " lookups of InetAddress$PlatformNameService");
    }

    @Test
    void theJdkMembersAreShippedAsResourcesNotClasses() throws IOException {
        List<String> names = new ArrayList<>(List.of(Hooks.BRIDGE, Hooks.UNIX_EXCEPTION));
        Hooks.ALL.stream().filter(h -> h.advice != null).forEach(h -> names.add(h.advice));
        for (String name : names) {
            byte[] classFile = AgentJar.classFile(name);
            assertEquals(
                    0xCAFEBABE,
                    (classFile[0] & 0xff) << 24
                            | (classFile[1] & 0xff) << 16
                            | (classFile[2] & 0xff) << 8
                            | (classFile[3] & 0xff),
                    name);
            // Class file version 61: loadable by JDK 17.
            assertEquals(61, (classFile[6] & 0xff) << 8 | (classFile[7] & 0xff), name);
            assertEquals(
                    null,
                    HooksTest.class.getClassLoader().getResource(name.replace('.', '/') + ".class"),
                    name + " must not be loadable from the agent jar");
        }
    }

    @Test
    void theWatchServicesNativeIsReplacedByTheBridgesMethodOfTheSameShape() throws Exception {
        List<Hooks.Hook> substitutions = Hooks.ALL.stream()
                .filter(h -> h.replaced != null && h.type.contains("WatchService"))
                .toList();
        assertEquals(1, substitutions.size());
        Hooks.Hook hook = substitutions.get(0);
        assertEquals("sun.nio.fs.LinuxWatchService#inotifyAddWatch(IJI)I", hook.replaced);
        Class<?> service = Class.forName(hook.replacedOwner(), false, null);
        Method replaced = service.getDeclaredMethod(hook.replacedName(), int.class, long.class, int.class);
        assertEquals(
                true,
                Modifier.isNative(replaced.getModifiers()) && Modifier.isStatic(replaced.getModifiers()),
                "the JDK's inotifyAddWatch is a static native: advice cannot wrap it, a substitution must");
        assertEquals(int.class, replaced.getReturnType());
    }

    @Test
    void hooksAreGroupedByClassInAFixedOrder() {
        assertEquals(
                List.of(
                        "java.io.FileInputStream",
                        "java.io.FileOutputStream",
                        "java.io.RandomAccessFile",
                        "java.io.File",
                        "sun.nio.fs.UnixNativeDispatcher",
                        "sun.nio.fs.UnixFileAttributeViews$Basic",
                        "sun.nio.fs.LinuxFileStore",
                        "sun.nio.fs.LinuxWatchService$Poller",
                        "sun.nio.fs.UnixCopyFile",
                        "sun.nio.fs.UnixFileSystem",
                        "sun.nio.ch.Net",
                        "sun.nio.ch.ServerSocketChannelImpl",
                        "sun.nio.ch.NioSocketImpl",
                        "sun.nio.ch.AsynchronousServerSocketChannelImpl",
                        "java.net.InetAddress$PlatformNameService",
                        "java.net.InetAddress$PlatformResolver",
                        "java.net.InetAddress",
                        "sun.nio.ch.DatagramChannelImpl"),
                new ArrayList<>(Hooks.byType().keySet()));
        assertEquals(3, Hooks.byType().get("sun.nio.ch.Net").size(), "connect, bind and the datagram socket");
        assertEquals(23, Hooks.byType().get("java.io.File").size());
        assertEquals(21, Hooks.byType().get("sun.nio.fs.UnixNativeDispatcher").size());
    }

    @Test
    void theCopysDescriptorCallsAreReplacedByTheBridgesOnlyInsideTheCopyOfOneShape() throws Exception {
        List<Hooks.Hook> copies = Hooks.ALL.stream()
                .filter(h -> h.replaced != null && h.method.startsWith("copy"))
                .toList();
        assertEquals(12, copies.size(), "three calls in copyFile and copyDirectory, per JDK shape");
        for (Hooks.Hook hook : copies) {
            assertEquals("sun.nio.fs.UnixNativeDispatcher", hook.replacedOwner(), hook::toString);
            assertEquals(hook.replacedName(), hook.replacement, hook::toString);
            assertEquals(true, Hooks.shaped(hook.type), hook + " is hooked only on the JDK that has it");
        }
        // JDK 17 (the tests' JDK): the replaced calls are static natives, which advice cannot wrap.
        Class<?> dispatcher = Class.forName("sun.nio.fs.UnixNativeDispatcher", false, null);
        for (String name : List.of("fchown", "fchmod", "futimes")) {
            Method m = java.util.Arrays.stream(dispatcher.getDeclaredMethods())
                    .filter(d -> d.getName().equals(name))
                    .findFirst()
                    .orElseThrow();
            assertEquals(true, Modifier.isNative(m.getModifiers()) && Modifier.isStatic(m.getModifiers()), name);
        }
        assertEquals(false, Hooks.shaped("sun.nio.fs.UnixNativeDispatcher"));
    }
}
