package dev.airlock.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The JDKs' own policy files check clean. Both JDKs are always installed on the project's
 * machines, so a missing JDK fails here with a message, it is never skipped.
 */
class JdkPolicyFilesTest {

    private static final Path JDK17 =
            Path.of(System.getProperty("airlock.jdk17", "/usr/lib/jvm/java-17-openjdk-amd64"));
    private static final Path JDK25 = Path.of(System.getProperty("airlock.jdk25", "/usr/lib/jvm/temurin-25-jdk-amd64"));

    private static Path existing(Path p, String what) {
        if (!Files.isRegularFile(p)) {
            fail(what + " not found at " + p + ": the JDKs at " + JDK17 + " and " + JDK25
                    + " are part of every Airlock build machine (override with -Dairlock.jdk17/25)");
        }
        return p;
    }

    @Test
    void jdk17JavaPolicyChecksClean() throws Exception {
        Path file = existing(JDK17.resolve("conf/security/java.policy"), "JDK 17's java.policy");
        PolicyCheck check = PolicyCheck.check(List.of(file));
        assertEquals(List.of(), check.errors());
        // It grants "localhost:0" listen (enforced: the broker binds) and properties (not enforced):
        // one group, and no warning.
        assertEquals(List.of(), check.warnings());
        assertEquals(1, check.notEnforced().size(), check.notEnforced().toString());
        assertEquals(
                "java.util.PropertyPermission grants",
                check.notEnforced().get(0).subject());
        assertTrue(
                check.notEnforced().get(0).rules().size() > 10,
                check.notEnforced().toString());
        Policy p = check.policy().orElseThrow();
        assertTrue(p.decideSocket("localhost", 0, SocketActions.LISTEN).allowed());
        assertFalse(p.decideSocket("localhost", 80, SocketActions.LISTEN).allowed());
        assertFalse(p.decideSocket("localhost", 0, SocketActions.CONNECT).allowed());
        assertFalse(p.decideFile("/etc/passwd", FileActions.READ).allowed());
        assertEquals(List.of(), p.fileGrantRoots());
    }

    @Test
    void jdk17DefaultPolicyChecksClean() throws Exception {
        // Its grants are for jrt:/ modules (restricted: they grant the broker nothing), plus one
        // unrestricted grant of RuntimePermissions, which Airlock does not enforce.
        Path file = existing(JDK17.resolve("lib/security/default.policy"), "JDK 17's default.policy");
        PolicyCheck check = PolicyCheck.check(List.of(file));
        assertEquals(List.of(), check.errors());
        Policy p = check.policy().orElseThrow();
        assertEquals(List.of(), p.fileGrantRoots());
        assertFalse(p.decideFile("/tmp/x", FileActions.READ).allowed());
        assertEquals(List.of(), check.warnings());
        assertEquals(
                List.of("grants restricted by codeBase, signedBy or principal", "java.lang.RuntimePermission grants"),
                check.notEnforced().stream().map(NotEnforced::subject).toList());
        assertTrue(
                check.notEnforced().get(0).rules().size() > 10,
                check.notEnforced().toString());
    }

    @Test
    void jdk25JavaPolicyChecksCleanOrWasRemovedByJep486() throws Exception {
        Path release = existing(JDK25.resolve("release"), "JDK 25's release file");
        Path file = JDK25.resolve("conf/security/java.policy");
        if (Files.exists(file)) {
            PolicyCheck check = PolicyCheck.check(List.of(file));
            assertEquals(List.of(), check.errors());
            return;
        }
        // JEP 486 (JDK 24) removed conf/security/java.policy with the Security Manager. Its absence
        // is only right for such a JDK.
        int feature = featureVersion(release);
        assertTrue(
                feature >= 24,
                "JDK " + feature + " at " + JDK25
                        + " has no conf/security/java.policy, which only JDK 24 and later lack");
    }

    private static int featureVersion(Path release) throws IOException {
        Matcher m = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)").matcher(Files.readString(release));
        if (!m.find()) {
            fail("no JAVA_VERSION in " + release);
        }
        return Integer.parseInt(m.group(1));
    }
}
