package dev.airlock.build;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * The superclasses of the classes a jar holds or the running JDK has, read from their class files
 * without loading any: what computing stack map frames needs to know of two types to merge them.
 */
final class JarClassHierarchy {
    private static final String OBJECT = "java/lang/Object";

    /** What a class file says of the class's place in the hierarchy. */
    private record Facts(String superName, boolean isInterface) {}

    private final ZipFile jar;
    private final Map<String, Facts> known = new HashMap<>();

    JarClassHierarchy(ZipFile jar) {
        this.jar = jar;
    }

    /**
     * The nearest common superclass of two classes in internal form ({@code a/b/C}), {@code
     * java/lang/Object} when either is an interface, as the verifier merges them.
     *
     * @throws IllegalStateException when one is in neither the jar nor the JDK
     */
    String commonSuperClass(String first, String second) {
        if (facts(first).isInterface() || facts(second).isInterface()) {
            return OBJECT;
        }
        Set<String> firstAndAbove = new LinkedHashSet<>();
        for (String c = first; c != null; c = facts(c).superName()) {
            firstAndAbove.add(c);
        }
        for (String c = second; c != null; c = facts(c).superName()) {
            if (firstAndAbove.contains(c)) {
                return c;
            }
        }
        return OBJECT;
    }

    private Facts facts(String internalName) {
        Facts facts = known.get(internalName);
        if (facts == null) {
            ClassReader reader = new ClassReader(classFile(internalName));
            facts = new Facts(reader.getSuperName(), (reader.getAccess() & Opcodes.ACC_INTERFACE) != 0);
            known.put(internalName, facts);
        }
        return facts;
    }

    private byte[] classFile(String internalName) {
        String name = internalName + ".class";
        try {
            ZipEntry entry = jar.getEntry(name);
            if (entry != null) {
                return ClassFileUpgrade.read(jar, entry);
            }
            // A class file is a resource no module encapsulates.
            try (InputStream in = ClassLoader.getSystemResourceAsStream(name)) {
                if (in == null) {
                    throw new IllegalStateException(
                            "class " + internalName + " is neither in " + jar.getName() + " nor in the JDK");
                }
                return in.readAllBytes();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
