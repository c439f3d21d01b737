package dev.airlock.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Permission;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link JdkPermissions} is exactly the JDK's: every class of every {@code java.*} package of every
 * module, enumerated through the {@code jrt:} file system and loaded by reflection, on the JDK
 * running the build (17) and, in a child JVM running this same enumeration as a source file, on
 * JDK 25. Both JDKs are part of every build machine, so a missing one fails, never skips.
 */
class JdkPermissionsTest {

    private static final Path JDK25 = Path.of(System.getProperty("airlock.jdk25", "/usr/lib/jvm/temurin-25-jdk-amd64"));

    /** The enumeration, as source, so that another JDK can run it as it is. */
    private static final String LISTER = """
            import java.lang.reflect.Constructor;
            import java.lang.reflect.Modifier;
            import java.net.URI;
            import java.nio.file.FileSystem;
            import java.nio.file.FileSystems;
            import java.nio.file.Files;
            import java.nio.file.Path;
            import java.security.Permission;
            import java.util.TreeSet;
            import java.util.stream.Stream;

            public class ListPermissions {
                public static void main(String[] args) throws Exception {
                    TreeSet<String> out = new TreeSet<>();
                    FileSystem jrt = FileSystems.getFileSystem(URI.create("jrt:/"));
                    try (Stream<Path> files = Files.walk(jrt.getPath("/modules"))) {
                        for (Path p : (Iterable<Path>) files::iterator) {
                            if (p.getNameCount() < 3) {
                                continue;
                            }
                            String rel = p.subpath(2, p.getNameCount()).toString();
                            if (!rel.startsWith("java/") || !rel.endsWith(".class") || rel.endsWith("module-info.class")) {
                                continue;
                            }
                            String name = rel.substring(0, rel.length() - 6).replace('/', '.');
                            Class<?> c = Class.forName(name, false, ClassLoader.getPlatformClassLoader());
                            if (Permission.class.isAssignableFrom(c)) {
                                out.add((grantable(c) ? "grantable " : "other ") + name);
                            }
                        }
                    }
                    out.forEach(System.out::println);
                }

                static boolean grantable(Class<?> c) {
                    if (!Modifier.isPublic(c.getModifiers()) || Modifier.isAbstract(c.getModifiers())) {
                        return false;
                    }
                    for (Constructor<?> k : c.getConstructors()) {
                        Class<?>[] t = k.getParameterTypes();
                        boolean strings = true;
                        for (Class<?> x : t) {
                            strings &= x == String.class;
                        }
                        if (strings && t.length <= 2) {
                            return true;
                        }
                    }
                    return false;
                }
            }
            """;

    @Test
    void theListIsTheRunningJdksOwn() throws Exception {
        assertEquals(Runtime.version().feature(), 17, "the build runs on JDK 17");
        assertTheList(inThisJvm(), "JDK " + Runtime.version());
    }

    @Test
    void theListIsJdk25sToo(@TempDir Path dir) throws Exception {
        Path java = JDK25.resolve("bin/java");
        if (!Files.isExecutable(java)) {
            fail("JDK 25 not found at " + JDK25 + ": it is part of every Airlock build machine"
                    + " (override with -Dairlock.jdk25)");
        }
        Path source = dir.resolve("ListPermissions.java");
        Files.writeString(source, LISTER);
        Process p = new ProcessBuilder(java.toString(), source.toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the JDK 25 enumeration finished");
        assertEquals(0, p.exitValue(), output);
        assertTheList(output.lines().toList(), "JDK 25 at " + JDK25);
    }

    private static void assertTheList(List<String> lines, String jdk) {
        List<String> grantable = new ArrayList<>();
        List<String> other = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("grantable ")) {
                grantable.add(line.substring("grantable ".length()));
            } else if (line.startsWith("other ")) {
                other.add(line.substring("other ".length()));
            } else {
                fail("unexpected output line from the enumeration on " + jdk + ": " + line);
            }
        }
        assertEquals(JdkPermissions.GRANTABLE, grantable, "the grantable java.* permission classes of " + jdk);
        assertEquals(JdkPermissions.NOT_GRANTABLE, other, "the other java.* permission classes of " + jdk);
    }

    /** The same enumeration as {@link #LISTER}, in this JVM. */
    private static List<String> inThisJvm() throws IOException, ClassNotFoundException {
        TreeSet<String> out = new TreeSet<>();
        FileSystem jrt = FileSystems.getFileSystem(URI.create("jrt:/"));
        int classes = 0;
        try (Stream<Path> files = Files.walk(jrt.getPath("/modules"))) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (p.getNameCount() < 3) {
                    continue;
                }
                String rel = p.subpath(2, p.getNameCount()).toString();
                if (!rel.startsWith("java/") || !rel.endsWith(".class") || rel.endsWith("module-info.class")) {
                    continue;
                }
                String name = rel.substring(0, rel.length() - 6).replace('/', '.');
                Class<?> c = Class.forName(name, false, ClassLoader.getPlatformClassLoader());
                classes++;
                if (Permission.class.isAssignableFrom(c)) {
                    out.add((grantable(c) ? "grantable " : "other ") + name);
                }
            }
        }
        assertTrue(classes > 4000, "enumerated the java.* classes of every module: " + classes);
        return List.copyOf(out);
    }

    private static boolean grantable(Class<?> c) {
        if (!Modifier.isPublic(c.getModifiers()) || Modifier.isAbstract(c.getModifiers())) {
            return false;
        }
        for (Constructor<?> k : c.getConstructors()) {
            Class<?>[] types = k.getParameterTypes();
            boolean strings = true;
            for (Class<?> t : types) {
                strings &= t == String.class;
            }
            if (strings && types.length <= 2) {
                return true;
            }
        }
        return false;
    }

    @Test
    void onlyJavaNamesAreCheckedAndNearMissesGetAHint() {
        assertNull(JdkPermissions.whyNot("java.io.FilePermission"));
        assertNull(JdkPermissions.whyNot("com.example.FilePermision"));
        assertNull(JdkPermissions.whyNot("javax.management.MBeanPermission"));
        assertEquals("java.io.FilePermission", JdkPermissions.nearest("java.io.FilePermision"));
        assertEquals("java.io.FilePermission", JdkPermissions.nearest("JAVA.IO.FILEPERMISSION"));
        assertEquals("java.util.PropertyPermission", JdkPermissions.nearest("java.lang.PropertyPermission"));
        assertEquals("java.lang.RuntimePermission", JdkPermissions.nearest("java.lang.RuntimePermision"));
        assertNull(JdkPermissions.nearest("java.lang.Thread"));
        assertTrue(JdkPermissions.whyNot("java.lang.Thread").startsWith("expected a permission class the JDK has"));
        assertTrue(JdkPermissions.whyNot("java.security.UnresolvedPermission")
                .startsWith("expected a permission class a policy can grant"));
    }
}
