package dev.airlock.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link JdkPermissions} is exactly the JDK's: every class of every {@code java.*} package of every
 * module, enumerated through the {@code jrt:} file system and loaded by reflection, on the JDK
 * running the build (17) and, in a child JVM running the same compiled enumeration
 * ({@link PermissionClasses}), on JDK 25. Both JDKs are part of every build machine, so a missing one fails, never skips.
 */
class JdkPermissionsTest {

    private static final Path JDK25 = Path.of(System.getProperty("airlock.jdk25", "/usr/lib/jvm/temurin-25-jdk-amd64"));

    @Test
    void theListIsTheRunningJdksOwn() throws Exception {
        assertEquals(Runtime.version().feature(), 17, "the build runs on JDK 17");
        assertTheList(PermissionClasses.list(), "JDK " + Runtime.version());
    }

    @Test
    void theListIsJdk25sToo() throws Exception {
        Path java = JDK25.resolve("bin/java");
        if (!Files.isExecutable(java)) {
            fail("JDK 25 not found at " + JDK25 + ": it is part of every Airlock build machine"
                    + " (override with -Dairlock.jdk25)");
        }
        // The same compiled class (release 17) on JDK 25, from this build's test classes.
        Path classes = Path.of(PermissionClasses.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        Process p = new ProcessBuilder(java.toString(), "-cp", classes.toString(), PermissionClasses.class.getName())
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
        int classes = -1;
        for (String line : lines) {
            if (line.startsWith("grantable ")) {
                grantable.add(line.substring("grantable ".length()));
            } else if (line.startsWith("other ")) {
                other.add(line.substring("other ".length()));
            } else if (line.startsWith("classes ")) {
                classes = Integer.parseInt(line.substring("classes ".length()));
            } else {
                fail("unexpected output line from the enumeration on " + jdk + ": " + line);
            }
        }
        assertTrue(classes > 4000, "enumerated the java.* classes of every module of " + jdk + ": " + classes);
        assertEquals(JdkPermissions.GRANTABLE, grantable, "the grantable java.* permission classes of " + jdk);
        assertEquals(JdkPermissions.NOT_GRANTABLE, other, "the other java.* permission classes of " + jdk);
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
