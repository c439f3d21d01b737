package dev.airlock.build;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The upgrade of real Picocli class files: the new version, verified and run, and all else left as it was. */
class ClassFileUpgradeTest {
    @TempDir
    Path dir;

    /** Picocli's own jar, from the test class path. */
    private static Path picocliJar() throws Exception {
        return Path.of(CommandLine.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
    }

    private static Map<String, byte[]> entries(Path jar) throws Exception {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (ZipEntry e : java.util.Collections.list(zip.entries())) {
                entries.put(e.getName(), ClassFileUpgrade.read(zip, e));
            }
        }
        return entries;
    }

    private static java.util.List<String> names(Path dir) throws Exception {
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }

    private static void writeJar(Path jar, Map<String, byte[]> entries) throws Exception {
        try (OutputStream file = Files.newOutputStream(jar);
                ZipOutputStream out = new ZipOutputStream(file)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                out.putNextEntry(new ZipEntry(e.getKey()));
                out.write(e.getValue());
                out.closeEntry();
            }
        }
    }

    @Test
    void picocliBecomesVersion52AndRunsVerifiedAndNothingElseChanges() throws Exception {
        Map<String, byte[]> before = entries(picocliJar());
        try (var greet = Greet.class.getResourceAsStream("ClassFileUpgradeTest$Greet.class")) {
            before.put(Greet.class.getName().replace('.', '/') + ".class", greet.readAllBytes());
        }
        before.put("other/notes.txt", "left alone".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Path jar = dir.resolve("app.jar");
        writeJar(jar, before);
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r-----"));

        int count = ClassFileUpgrade.upgrade(jar, "picocli/");

        Map<String, byte[]> after = entries(jar);
        assertEquals(before.keySet().stream().toList(), after.keySet().stream().toList(), "the same entries, in order");
        int upgraded = 0;
        for (String name : before.keySet()) {
            boolean old = name.startsWith("picocli/")
                    && name.endsWith(".class")
                    && ClassFileUpgrade.version(before.get(name)) < ClassFileUpgrade.FIRST_WITH_FRAMES;
            if (old) {
                assertEquals(52, ClassFileUpgrade.version(after.get(name)), name);
                upgraded++;
            } else {
                assertArrayEquals(before.get(name), after.get(name), name);
            }
        }
        assertEquals(upgraded, count);
        assertTrue(count > 100, "Picocli's classes were Java 5: " + count);
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(jar)));
        assertEquals(java.util.List.of("app.jar"), names(dir));

        // Version 52 is checked by its stack maps alone (no fall-back to inference): a wrong frame
        // would be a VerifyError here. Parse and print usage, which loads most of Picocli.
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            Class<?> commandLine = Class.forName("picocli.CommandLine", true, loader);
            Object greet = Class.forName(Greet.class.getName(), true, loader)
                    .getConstructor()
                    .newInstance();
            Object cli = commandLine.getConstructor(Object.class).newInstance(greet);
            commandLine.getMethod("parseArgs", String[].class).invoke(cli, (Object) new String[] {"-n", "world"});
            assertEquals("world", greet.getClass().getField("name").get(greet));
            String usage = (String) commandLine.getMethod("getUsageMessage").invoke(cli);
            assertTrue(usage.contains("Usage: greet [-n=<name>]"), usage);
            assertTrue(usage.contains("who to greet"), usage);
        }
    }

    /** A command the upgraded Picocli runs, loaded from the jar beside it. */
    @CommandLine.Command(name = "greet")
    public static final class Greet {
        @CommandLine.Option(
                names = {"-n", "--name"},
                description = "who to greet")
        public String name;
    }

    @Test
    void aPrefixWithNothingOldIsRefusedAndTheJarIsLeftAsItWas() throws Exception {
        Path jar = dir.resolve("new.jar");
        writeJar(
                jar,
                Map.of(
                        "x/Y.class",
                        ClassFileUpgradeTest.class
                                .getResourceAsStream("ClassFileUpgradeTest.class")
                                .readAllBytes()));
        byte[] before = Files.readAllBytes(jar);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ClassFileUpgrade.upgrade(jar, "x/"));
        assertTrue(e.getMessage().contains("no class file older than Java 6 under x/"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(jar));
        assertEquals(1, names(dir).size(), "no temporary file left");
    }

    /** A Java 5 class whose one method calls a subroutine with jsr and returns from it with ret. */
    private static byte[] classWithSubroutine() {
        ClassWriter w = new ClassWriter(0);
        w.visit(Opcodes.V1_5, Opcodes.ACC_PUBLIC, "old/Finally", null, "java/lang/Object", null);
        MethodVisitor m = w.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "run", "()V", null, null);
        m.visitCode();
        Label subroutine = new Label();
        m.visitJumpInsn(Opcodes.JSR, subroutine);
        m.visitInsn(Opcodes.RETURN);
        m.visitLabel(subroutine);
        m.visitVarInsn(Opcodes.ASTORE, 0);
        m.visitVarInsn(Opcodes.RET, 0);
        m.visitMaxs(1, 1);
        m.visitEnd();
        w.visitEnd();
        return w.toByteArray();
    }

    @Test
    void aClassWithSubroutinesIsRefusedAndTheJarIsLeftAsItWas() throws Exception {
        Path jar = dir.resolve("jsr.jar");
        writeJar(jar, Map.of("old/Finally.class", classWithSubroutine()));
        byte[] before = Files.readAllBytes(jar);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ClassFileUpgrade.upgrade(jar, "old/"));
        assertTrue(e.getMessage().contains("old/Finally.run uses jsr"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(jar));
        assertEquals(1, names(dir).size(), "no temporary file left");
    }

    @Test
    void theVersionIsReadOnlyFromAClassFile() {
        assertEquals(
                49,
                ClassFileUpgrade.version(new byte[] {(byte) 0xca, (byte) 0xfe, (byte) 0xba, (byte) 0xbe, 0, 0, 0, 49}));
        assertThrows(
                IllegalArgumentException.class, () -> ClassFileUpgrade.version(new byte[] {1, 2, 3, 4, 0, 0, 0, 49}));
        assertThrows(IllegalArgumentException.class, () -> ClassFileUpgrade.version(new byte[3]));
    }
}
