package dev.airlock.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.policy.PolicyModel.Grant;
import dev.airlock.policy.PolicyModel.Permission;
import dev.airlock.policy.PolicyModel.PrincipalKind;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The grammar, property expansion, and the exact text and position of every kind of error. */
class PolicyParserTest {

    private static final Map<String, String> PROPS =
            Map.of("user.home", "/home/u", "java.home", "/opt/jdk", "user.dir", "/work", "user.name", "u");
    private static final Function<String, String> PROPERTIES = PROPS::get;

    private static PolicyModel.File parse(String text) throws PolicySyntaxException {
        return PolicyParser.parse("app.policy", text, PROPERTIES);
    }

    private static String error(String text) {
        PolicySyntaxException e = assertThrows(PolicySyntaxException.class, () -> parse(text));
        assertEquals("app.policy", e.file());
        assertEquals("app.policy:" + e.line() + ":" + e.column() + ": " + e.bareMessage(), e.getMessage());
        return e.getMessage();
    }

    // ---- the errors the issue lists, with their exact text and position -----------------------

    @Test
    void missingSemicolonAfterPermission() {
        assertEquals("app.policy:3:5: expected ';' after permission entry, found 'permission'", error("""
            grant {
                permission java.io.FilePermission "/tmp/x", "read"
                permission java.io.FilePermission "/tmp/y", "read";
            };
            """));
    }

    @Test
    void missingCommaBetweenTargetAndActions() {
        assertEquals("app.policy:2:48: expected ',' between target and actions, found string \"read\"", error("""
            grant {
                permission java.io.FilePermission "/tmp/x" "read";
            };
            """));
    }

    @Test
    void unterminatedStringAtEndOfLine() {
        assertEquals("app.policy:2:39: unterminated string: expected '\"', found end of line", error("""
            grant {
                permission java.io.FilePermission "/tmp/x, read;
            };
            """));
    }

    @Test
    void unterminatedStringAtEndOfFile() {
        assertEquals(
                "app.policy:1:24: unterminated string: expected '\"', found end of file",
                error("grant { permission p.P \"abc"));
        assertEquals(
                "app.policy:1:24: unterminated string: expected '\"', found end of file",
                error("grant { permission p.P \"abc\\"));
    }

    @Test
    void unterminatedComment() {
        assertEquals(
                "app.policy:2:3: unterminated comment: expected '*/', found end of file",
                error("grant { };\n  /* the rest\n\n is commented out"));
    }

    @Test
    void unknownKeywords() {
        assertEquals(
                "app.policy:1:1: expected 'grant', 'keystore' or 'keystorePasswordURL',"
                        + " found unknown keyword 'grnt'",
                error("grnt { };"));
        assertEquals(
                "app.policy:1:7: expected 'codeBase', 'signedBy', 'principal' or '{',"
                        + " found unknown keyword 'codebse'",
                error("grant codebse \"file:/x\" { };"));
        assertEquals(
                "app.policy:2:3: expected 'permission' or '}', found unknown keyword" + " 'permision'",
                error("grant {\n  permision java.io.FilePermission \"/x\", \"read\";\n};"));
    }

    @Test
    void closingBraceWithoutSemicolon() {
        assertEquals("app.policy:5:1: expected ';' after grant entry, found 'grant'", error("""
        grant {
        };
        grant {
        }
        grant {
        };
        """));
        assertEquals("app.policy:1:10: expected ';' after grant entry, found end of file", error("grant { }"));
    }

    @Test
    void endOfFileInTheMiddleOfAnEntry() {
        assertEquals(
                "app.policy:1:6: expected 'codeBase', 'signedBy', 'principal' or '{', found" + " end of file",
                error("grant"));
        assertEquals("app.policy:1:8: expected 'permission' or '}', found end of file", error("grant {"));
        assertEquals(
                "app.policy:1:48: expected ';' after permission entry, found end of file",
                error("grant { permission java.io.FilePermission \"/x\","));
        assertEquals(
                "app.policy:1:19: expected a permission class name after 'permission', found" + " end of file",
                error("grant { permission"));
        assertEquals(
                "app.policy:2:1: expected a quoted URL after 'codeBase', found end of file", error("grant codeBase\n"));
    }

    // ---- more mistakes ---------------------------------------------------------------------

    @Test
    void otherMistakesSayWhatWasExpectedAndFound() {
        assertEquals(
                "app.policy:1:24: expected ';' after permission entry, found single-quoted"
                        + " string 'x' (policy strings use double quotes)",
                error("grant { permission p.P 'x'; };"));
        assertEquals(
                "app.policy:1:24: expected ';' after permission entry, found '/'",
                error("grant { permission p.P /tmp, \"read\"; };"));
        assertEquals(
                "app.policy:1:27: expected at most one 'codeBase' in a grant entry, found a" + " second one",
                error("grant codeBase \"file:/a\", codeBase \"file:/b\" { };"));
        assertEquals(
                "app.policy:1:16: expected a non-empty alias around every ',' in signedBy," + " found \"a,,b\"",
                error("grant signedBy \"a,,b\" { };"));
        assertEquals(
                "app.policy:1:19: expected '*' as the principal name after the principal class"
                        + " '*', found string \"bob\"",
                error("grant principal * \"bob\" { };"));
        assertEquals(
                "app.policy:1:17: expected a principal class, '*' or a quoted keystore alias"
                        + " after 'principal', found '{'",
                error("grant principal { };"));
        assertEquals(
                "app.policy:1:24: expected a property name in '${}', found an empty one",
                error("grant { permission p.P \"${}\"; };"));
        assertEquals(
                "app.policy:1:56: expected an X.500 distinguished name for"
                        + " javax.security.auth.x500.X500Principal, found \"not a dn\" (improperly specified"
                        + " input name: not a dn)",
                error("grant principal javax.security.auth.x500.X500Principal \"not a dn\" { };"));
        assertEquals(
                "app.policy:2:1: expected at most one 'keystore' entry per file, found a second" + " one",
                error("keystore \"file:/a\";\nkeystore \"file:/b\";"));
        assertEquals(
                "app.policy:1:1: expected a 'keystore' entry in a file with" + " 'keystorePasswordURL', found none",
                error("keystorePasswordURL \"file:/pw\";"));
        assertEquals(
                "app.policy:1:12: expected 'grant', 'keystore' or 'keystorePasswordURL', found"
                        + " 'domain' (a domain entry must come before grant and keystore entries)",
                error("grant { }; domain D { };"));
        assertEquals(
                "app.policy:1:9: expected 'permission' or '}', found character U+0085", error("grant { \u0085 };"));
        assertEquals(
                "app.policy:1:1: expected 'grant', 'keystore' or 'keystorePasswordURL', found"
                        + " unknown keyword '\uFEFFgrant'",
                error("\uFEFFgrant { };"));
    }

    @Test
    void columnsCountCodePointsAndLinesCountEveryBreak() {
        // A supplementary character is one column; CR, LF and CRLF each end a line; blank lines in
        // a block comment count (the JDK's own tokenizer miscounts them).
        assertEquals(
                "app.policy:1:29: expected ',' between target and actions, found string" + " \"read\"",
                error("grant { permission p.P \"\uD83D\uDE00\u00e9\" \"read\"; };"));
        assertEquals(
                "app.policy:4:2: expected 'permission' or '}', found unknown keyword 'x'",
                error("grant {\r\n\r\r\n\tx };"));
        assertEquals(
                "app.policy:6:1: expected 'permission' or '}', found unknown keyword 'x'",
                error("grant { /*\n\n\n\n*/\nx };"));
        assertEquals(
                "app.policy:3:1: expected 'permission' or '}', found unknown keyword 'x'",
                error("grant { permission p.P \"a\\\nb\";\nx };"));
    }

    @Test
    void exceptionAccessors() {
        PolicySyntaxException e = new PolicySyntaxException("f.policy", 3, 7, "expected X, found Y");
        assertEquals("f.policy:3:7: expected X, found Y", e.getMessage());
        assertEquals("f.policy", e.file());
        assertEquals(3, e.line());
        assertEquals(7, e.column());
        assertEquals("expected X, found Y", e.bareMessage());
        assertThrows(IllegalArgumentException.class, () -> new PolicySyntaxException("f", 0, 1, "m"));
    }

    // ---- the grammar -------------------------------------------------------------------------

    @Test
    void readsEveryPartOfTheGrammar() throws Exception {
        PolicyModel.File f = parse("""
        // line comment
        /* block comment */
        keystore "file:${user.home}/ks", "JKS", "SUN";
        keystorePasswordURL "file:/pw";
        ;;
        GRANT signedBy "duke, ann", CODEBASE "file:${java.home}/lib/-"
              principal com.example.P "alice", Principal com.example.Q *,
              principal * *, principal "alias" {
          permission java.io.FilePermission "${user.home}${/}x", "read", signedBy "duke";
          Permission "java.util.PropertyPermission" "a.b", "read",;
          permission java.security.AllPermission;
          permission java.lang.RuntimePermission, signedBy "x";
          permission p.P "tab\\t\\101\\0123\\"q\\\\";
        };
        """);
        assertEquals("JKS", f.keystore().type());
        assertEquals("SUN", f.keystore().provider());
        assertEquals("file:${user.home}/ks", f.keystore().url());
        assertEquals("file:/pw", f.keystorePasswordUrl());
        Grant g = f.grants().get(0);
        assertEquals("duke, ann", g.signedBy());
        assertEquals("file:/opt/jdk/lib/-", g.codeBase());
        assertEquals(
                List.of(
                        PrincipalKind.CLASS_AND_NAME,
                        PrincipalKind.CLASS_ANY_NAME,
                        PrincipalKind.ANY,
                        PrincipalKind.KEYSTORE_ALIAS),
                g.principals().stream().map(PolicyModel.Principal::kind).toList());
        assertEquals("alice", g.principals().get(0).name());
        assertEquals("com.example.Q", g.principals().get(1).className());
        assertEquals("alias", g.principals().get(3).name());
        List<Permission> ps = g.permissions();
        assertEquals(5, ps.size());
        assertEquals("/home/u/x", ps.get(0).name());
        assertEquals("duke", ps.get(0).signedBy());
        assertEquals(9, ps.get(0).position().line());
        assertEquals("java.util.PropertyPermission", ps.get(1).type());
        assertEquals("read", ps.get(1).actions());
        assertNull(ps.get(2).name());
        assertEquals("x", ps.get(3).signedBy());
        assertNull(ps.get(3).actions());
        assertEquals("tab\tA\n3\"q\\", ps.get(4).name());
        assertTrue(g.ignoredBecause() == null && !g.unrestricted());
    }

    @Test
    void domainEntries() throws Exception {
        PolicyModel.File f = parse("""
        domain Sys keystoreType="JKS" {
          keystore a keystoreURI="file:${user.home}/a";
          keystore b;
        };
        grant { };
        """);
        assertEquals(1, f.domains().size());
        assertEquals("JKS", f.domains().get(0).properties().get("keystoretype"));
        assertEquals(
                "file:/home/u/a",
                f.domains().get(0).keystores().get(0).properties().get("keystoreuri"));
        assertTrue(f.parseWarnings().get(0).message().contains("DomainKeyStore"));
        assertEquals(
                "app.policy:1:33: expected a unique keystore name in domain 'D', found a second" + " keystore 'a'",
                error("domain D { keystore a; keystore a; };"));
    }

    @Test
    void x500NamesAreCanonical() throws Exception {
        PolicyModel.File f =
                parse("grant principal javax.security.auth.x500.X500Principal" + " \"cn=Duke,  o=Example\" { };");
        assertEquals("CN=Duke,O=Example", f.grants().get(0).principals().get(0).name());
    }

    @Test
    void keywordsIgnoreCaseTheWayStringEqualsIgnoreCaseDoes() throws Exception {
        // U+017F (long s) upper-cases to S, U+212A (Kelvin) lower-cases to k, as in the JDK.
        PolicyModel.File f = parse("grant \u017FignedBy \"x\" { };\n\u212Aeystore \"file:/k\";");
        assertEquals("x", f.grants().get(0).signedBy());
        assertEquals("file:/k", f.keystore().url());
    }

    // ---- property expansion and the JDK's rule for what cannot be expanded ------------------

    @Test
    void unexpandablePropertyInAPermissionIgnoresThatPermission() throws Exception {
        PolicyModel.File f = parse("""
        grant {
          permission java.io.FilePermission "${no.such}/x", "read";
          permission java.io.FilePermission "/ok", "read";
          permission java.io.FilePermission "${no.such}/also" "not checked" ${nothing} };
        };
        """);
        List<Permission> ps = f.grants().get(0).permissions();
        assertEquals(
                "cannot expand ${no.such}: the property is not set", ps.get(0).ignoredBecause());
        assertNull(ps.get(1).ignoredBecause());
        assertEquals(3, ps.size());
        assertEquals(
                "app.policy:2:3: warning: permission ignored, as the JDK ignores it: cannot"
                        + " expand ${no.such}: the property is not set",
                f.parseWarnings().get(0).toString());
        assertEquals(2, f.parseWarnings().size());
    }

    @Test
    void theSkipAfterAnUnexpandablePropertyRunsToTheNextSemicolonEvenPastABrace() {
        // The JDK skips tokens up to ';' without looking at them, so a missing ';' swallows the '}'.
        assertEquals(
                "app.policy:3:1: expected 'permission' or '}', found unknown keyword 'grant'",
                error("grant {\n  permission p.P \"${no.such}\" };\ngrant { };"));
    }

    @Test
    void unexpandablePropertyInCodeBaseSignedByOrPrincipalIgnoresTheGrant() throws Exception {
        PolicyModel.File f = parse("""
        grant codeBase "file:${no.such}/x" { permission java.io.FilePermission "/a", "read"; };
        grant principal p.P "${no.such}" { };
        grant signedBy "${no.such}" { };
        grant { permission java.io.FilePermission "${user.dir}/b", "read"; };
        """);
        assertEquals(
                "codeBase: cannot expand ${no.such}: the property is not set",
                f.grants().get(0).ignoredBecause());
        assertTrue(f.grants().get(1).ignoredBecause().startsWith("principal name"));
        assertTrue(f.grants().get(2).ignoredBecause().startsWith("signedBy"));
        assertNull(f.grants().get(3).ignoredBecause());
        assertEquals("/work/b", f.grants().get(3).permissions().get(0).name());
        assertEquals(3, f.parseWarnings().size());
    }

    @Test
    void expansionRules() throws Exception {
        assertEquals("/home/u/x", PropertyExpansion.expand("${user.home}/x", PROPERTIES));
        assertEquals("/", PropertyExpansion.expand("${/}", PROPERTIES));
        assertEquals("a${b", PropertyExpansion.expand("a${b", PROPERTIES));
        assertEquals("${{self}}/u", PropertyExpansion.expand("${{self}}/${user.name}", PROPERTIES));
        assertEquals("x${{open", PropertyExpansion.expand("x${{open", PROPERTIES));
        assertEquals("$x{y}", PropertyExpansion.expand("$x{y}", PROPERTIES));
        assertThrows(
                PropertyExpansion.UndefinedPropertyException.class,
                () -> PropertyExpansion.expand("${ user.home}", PROPERTIES));
        assertThrows(
                PropertyExpansion.EmptyPropertyNameException.class, () -> PropertyExpansion.expand("${}", PROPERTIES));
    }

    @Test
    void aDomainEntryAfterADroppedGrantIsAllowedAsInTheJdk() throws Exception {
        // The JDK only remembers whether the most recent grant entry was kept.
        PolicyModel.File f = parse("grant signedBy \"${no.such}\" { }; domain D { };");
        assertEquals(1, f.domains().size());
    }
}
