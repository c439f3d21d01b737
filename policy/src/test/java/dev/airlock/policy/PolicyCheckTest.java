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
        Path typos = dir.resolve("typos.policy");
        Files.writeString(typos, """
                grant {
                  permission java.io.FilePermission "/x", "raed";
                  permission java.util.PropertyPermission "a", "read";
                  permission java.net.SocketPermission "h:80", "conect";
                };
                """);
        PolicyCheck c = PolicyCheck.check(List.of(good, bad, dir.resolve("missing.policy"), worse, typos));
        assertFalse(c.ok());
        assertEquals(
                List.of(
                        bad + ":2:42: expected ',' between target and actions, found string \"read\"",
                        dir.resolve("missing.policy") + ": cannot read: no such file",
                        worse + ":1:33: expected ';' after permission entry, found '}'",
                        typos + ":2:3: invalid actions \"raed\" for java.io.FilePermission: expected read, write,"
                                + " execute, delete or readlink, separated by commas (the JDK refuses the permission)",
                        typos + ":4:3: invalid actions \"conect\" for java.net.SocketPermission: expected connect,"
                                + " listen, accept or resolve, separated by commas (the JDK refuses the permission)"),
                c.errors());
        assertEquals(List.of(), c.warnings());
        // Not-enforced groups and notes describe the policy Airlock would run with: none here.
        assertEquals(List.of(), c.notEnforced());
        assertEquals(List.of(), c.notes());
        PolicyCheck valid = PolicyCheck.check(List.of(good));
        assertEquals(1, valid.notEnforced().size(), valid.notEnforced().toString());
        assertEquals(
                "not enforced by Airlock: 1 java.lang.RuntimePermission grant (" + good + ":1): in-process"
                        + " permissions: the SecurityManager checked them inside the JVM, and Airlock confines only"
                        + " the files and connections the program reaches outside it",
                valid.notEnforced().get(0).toString());
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
    void notesATreeGrantThatLeavesItsDirectoryHidden() {
        PolicyCheck c = PolicyCheck.check("t.policy", """
        grant {
          permission java.io.FilePermission "/srv/data/-", "read";
          permission java.io.FilePermission "/srv/logs/*", "read,write";
          permission java.io.FilePermission "/srv/out/-", "write";
          permission java.io.FilePermission "/srv/conf/-", "read";
          permission java.io.FilePermission "/srv/conf", "read";
          permission java.io.FilePermission "/opt/-", "read";
          permission java.io.FilePermission "/opt/app/-", "read";
        };
        """);
        assertTrue(c.ok());
        assertEquals(
                List.of(
                        "note: /opt/- does not cover /opt itself, which stays hidden as it was under the"
                                + " SecurityManager (listing it and File.exists() or stat of it are denied); to allow"
                                + " them, add: permission java.io.FilePermission \"/opt\", \"read\";",
                        "note: /srv/data/- does not cover /srv/data itself, which stays hidden as it was under the"
                                + " SecurityManager (listing it and File.exists() or stat of it are denied); to allow"
                                + " them, add: permission java.io.FilePermission \"/srv/data\", \"read\";",
                        "note: /srv/logs/* does not cover /srv/logs itself, which stays hidden as it was under the"
                                + " SecurityManager (listing it and File.exists() or stat of it are denied); to allow"
                                + " them, add: permission java.io.FilePermission \"/srv/logs\", \"read\";"),
                c.notes());
        // The line the note names is what it says: with it, the directory is readable.
        Policy fixed = PolicyCheck.check(
                        "f.policy",
                        "grant { permission java.io.FilePermission \"/srv/data/-\", \"read\";"
                                + " permission java.io.FilePermission \"/srv/data\", \"read\"; };")
                .policy()
                .orElseThrow();
        assertTrue(fixed.allowsFile("/srv/data", FileActions.READ));
        assertEquals(
                List.of(),
                PolicyCheck.check(
                                "f.policy",
                                "grant { permission java.io.FilePermission \"/srv/data/-\", \"read\";"
                                        + " permission java.io.FilePermission \"/srv/data\", \"read\"; };")
                        .notes());
        assertEquals(
                List.of(),
                PolicyCheck.check(
                                "a.policy",
                                "grant { permission java.io.FilePermission \"<<ALL FILES>>\", \"read\";"
                                        + " permission java.io.FilePermission \"/srv/-\", \"read\"; };")
                        .notes());
    }

    @Test
    void checksText() {
        assertEquals(
                List.of("t.policy:1:1: expected 'grant', 'keystore' or 'keystorePasswordURL'," + " found '}'"),
                PolicyCheck.check("t.policy", "};").errors());
        assertTrue(PolicyCheck.check("t.policy", "").ok());
        PolicyCheck typos = PolicyCheck.check(
                "t.policy",
                "grant {\n permission java.io.FilePermission \"/x\", \"raed\";\n permission java.io.FilePermision"
                        + " \"/x\", \"read\";\n};");
        assertEquals(2, typos.errors().size(), typos.errors().toString());
        assertTrue(typos.errors().get(0).startsWith("t.policy:2:2: invalid actions \"raed\""));
        assertTrue(typos.errors().get(1).startsWith("t.policy:3:2: expected a permission class the JDK has"));
    }
}
