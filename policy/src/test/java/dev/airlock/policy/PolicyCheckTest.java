package dev.airlock.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyCheckTest {

    @Test
    void reportsEveryFilesErrorsAndWarnings(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("good.policy");
        Files.writeString(good, "grant { permission java.lang.RuntimePermission \"exitVM\"; };\n");
        Path bad = dir.resolve("bad.policy");
        Files.writeString(bad, "grant {\n  permission java.io.FilePermission \"/x\" \"read\";\n};\n");
        Path worse = dir.resolve("worse.policy");
        Files.writeString(worse, "grant { permission p.P \"x\", \"y\" }\n");
        PolicyCheck c = PolicyCheck.check(List.of(good, bad, dir.resolve("missing.policy"), worse));
        assertFalse(c.ok());
        assertEquals(
                List.of(
                        bad + ":2:42: expected ',' between target and actions, found string \"read\"",
                        dir.resolve("missing.policy") + ": cannot read: no such file",
                        worse + ":1:33: expected ';' after permission entry, found '}'"),
                c.errors());
        assertEquals(1, c.warnings().size());
        assertEquals(
                good + ":1:9: warning: java.lang.RuntimePermission is not enforced by Airlock,"
                        + " which decides only java.io.FilePermission, java.net.SocketPermission and"
                        + " java.security.AllPermission (1 entry of this type)",
                c.warnings().get(0).toString());
        assertTrue(c.policy().isEmpty());
    }

    @Test
    void validFilesGiveTheCombinedPolicy(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.policy");
        Files.writeString(a, "grant { permission java.io.FilePermission \"/a/-\", \"read\"; };");
        Path b = dir.resolve("b.policy");
        Files.writeString(b, "grant { permission java.io.FilePermission \"/b/-\", \"read\"; };");
        PolicyCheck c = PolicyCheck.check(List.of(a, b));
        assertTrue(c.ok());
        assertEquals(List.of(), c.errors());
        assertEquals(List.of(), c.warnings());
        Policy p = c.policy().orElseThrow();
        assertEquals(a + ", " + b, p.displayName());
        assertTrue(p.decideFile("/b/x", FileActions.READ).allowed());
    }

    @Test
    void checksText() {
        assertEquals(
                List.of("t.policy:1:1: expected 'grant', 'keystore' or 'keystorePasswordURL'," + " found '}'"),
                PolicyCheck.check("t.policy", "};").errors());
        assertTrue(PolicyCheck.check("t.policy", "").ok());
    }
}
