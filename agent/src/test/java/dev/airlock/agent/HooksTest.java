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
    void everyHookMatchesExactlyOneNonNativeMethodOfThisJdk() throws ClassNotFoundException {
        for (Hooks.Hook hook : Hooks.ALL) {
            Class<?> type = Class.forName(hook.type, false, null);
            List<Method> matches = new ArrayList<>();
            for (Method m : type.getDeclaredMethods()) {
                String descriptor = MethodType.methodType(m.getReturnType(), m.getParameterTypes()).toMethodDescriptorString();
                if (m.getName().equals(hook.method) && descriptor.equals(hook.descriptor)) {
                    matches.add(m);
                }
            }
            assertEquals(1, matches.size(), hook::toString);
            assertFalse(Modifier.isNative(matches.get(0).getModifiers()), hook + " must be a Java method to carry advice");
        }
    }

    @Test
    void theJdkMembersAreShippedAsResourcesNotClasses() throws IOException {
        List<String> names = new ArrayList<>(List.of(Hooks.BRIDGE, Hooks.UNIX_EXCEPTION));
        Hooks.ALL.forEach(h -> names.add(h.advice));
        for (String name : names) {
            byte[] classFile = AgentJar.classFile(name);
            assertEquals(0xCAFEBABE, (classFile[0] & 0xff) << 24 | (classFile[1] & 0xff) << 16
                    | (classFile[2] & 0xff) << 8 | (classFile[3] & 0xff), name);
            // Class file version 61: loadable by JDK 17.
            assertEquals(61, (classFile[6] & 0xff) << 8 | (classFile[7] & 0xff), name);
            assertEquals(null, HooksTest.class.getClassLoader().getResource(name.replace('.', '/') + ".class"),
                    name + " must not be loadable from the agent jar");
        }
    }

    @Test
    void hooksAreGroupedByClassInAFixedOrder() {
        assertEquals(List.of("java.io.FileInputStream", "java.io.FileOutputStream", "java.io.RandomAccessFile",
                "sun.nio.fs.UnixNativeDispatcher"), new ArrayList<>(Hooks.byType().keySet()));
        assertEquals(2, Hooks.byType().get("sun.nio.fs.UnixNativeDispatcher").size());
    }
}
