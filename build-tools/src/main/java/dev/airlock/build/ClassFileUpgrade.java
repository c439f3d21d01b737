package dev.airlock.build;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * Rewrites the class files of one package of a jar from a class-file version before 50 (Java 6)
 * to version 52 (Java 8), with the stack map frames that version requires computed anew; every
 * other entry is copied byte for byte.
 *
 * <p>Why: Picocli ships Java 5 class files (version 49). The JVM verifies those with the old
 * type-inferring verifier, which is slower than checking stack maps, and refuses to put them into
 * a class data sharing archive, so every {@code airlock} start verified and parsed Picocli anew.
 * The dist build runs this on the shaded jar, after the shade plugin, for {@code
 * dev/airlock/shaded/picocli/}. The bytecode is not changed, only its version and frames: the
 * instructions Java 5 had are all valid at version 52 (none of {@code jsr}/{@code ret}, which
 * Java 7 dropped, is in Picocli; a class with them is refused here, not rewritten).
 *
 * <p>Usage: {@code ClassFileUpgrade JAR PACKAGE-PREFIX}. The jar is replaced atomically (a file
 * beside it, then a rename) and keeps its permissions; entries keep their order and times.
 */
public final class ClassFileUpgrade {
    /** The version written: Java 8, the first whose frames are the only verification (no fallback). */
    static final int TARGET = Opcodes.V1_8;

    /** Class files older than this carry no stack maps. */
    static final int FIRST_WITH_FRAMES = Opcodes.V1_6;

    private ClassFileUpgrade() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: ClassFileUpgrade JAR PACKAGE-PREFIX (as dev/airlock/shaded/picocli/)");
            System.exit(2);
        }
        int count = upgrade(Path.of(args[0]), args[1]);
        System.out.println("ClassFileUpgrade: " + count + " class files under " + args[1] + " now version "
                + (TARGET & 0xffff) + " in " + args[0]);
    }

    /**
     * Upgrades the classes under {@code prefix} (a path prefix ending in {@code /}) in {@code jar};
     * returns how many were rewritten.
     *
     * @throws IllegalArgumentException when no class under {@code prefix} was old (the build's
     *     configuration no longer matches the jar), or one of them uses {@code jsr}/{@code ret}
     */
    public static int upgrade(Path jar, String prefix) throws IOException {
        if (!prefix.endsWith("/")) {
            throw new IllegalArgumentException("the package prefix must end in /: " + prefix);
        }
        Path temporary = jar.resolveSibling(jar.getFileName() + ".upgrading");
        int count = 0;
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            JarClassHierarchy hierarchy = new JarClassHierarchy(zip);
            try (OutputStream file = Files.newOutputStream(temporary);
                    ZipOutputStream out = new ZipOutputStream(file)) {
                for (ZipEntry entry : entries(zip)) {
                    byte[] bytes = read(zip, entry);
                    ZipEntry copy = new ZipEntry(entry.getName());
                    copy.setTime(entry.getTime());
                    String name = entry.getName();
                    if (name.startsWith(prefix) && name.endsWith(".class") && version(bytes) < FIRST_WITH_FRAMES) {
                        bytes = upgrade(bytes, hierarchy);
                        count++;
                    }
                    out.putNextEntry(copy);
                    out.write(bytes);
                    out.closeEntry();
                }
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temporary);
            throw e;
        }
        if (count == 0) {
            Files.delete(temporary);
            throw new IllegalArgumentException("no class file older than Java 6 under " + prefix + " in " + jar);
        }
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(jar);
        Files.setPosixFilePermissions(temporary, mode);
        Files.move(temporary, jar, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return count;
    }

    /** One class file at version {@link #TARGET}, its frames computed with {@code hierarchy}. */
    static byte[] upgrade(byte[] classFile, JarClassHierarchy hierarchy) {
        ClassReader reader = new ClassReader(classFile);
        ClassWriter writer = new HierarchyClassWriter(hierarchy);
        reader.accept(new VersionSetter(writer, TARGET), ClassReader.SKIP_FRAMES);
        return writer.toByteArray();
    }

    /** The major version of a class file. */
    static int version(byte[] classFile) {
        if (classFile.length < 8
                || (classFile[0] & 0xff) != 0xca
                || (classFile[1] & 0xff) != 0xfe
                || (classFile[2] & 0xff) != 0xba
                || (classFile[3] & 0xff) != 0xbe) {
            throw new IllegalArgumentException("not a class file");
        }
        return (classFile[6] & 0xff) << 8 | (classFile[7] & 0xff);
    }

    private static List<ZipEntry> entries(ZipFile zip) {
        List<ZipEntry> entries = new ArrayList<>();
        zip.entries().asIterator().forEachRemaining(entries::add);
        return entries;
    }

    static byte[] read(ZipFile zip, ZipEntry entry) throws IOException {
        try (InputStream in = zip.getInputStream(entry)) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            in.transferTo(bytes);
            return bytes.toByteArray();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
