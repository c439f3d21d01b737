package dev.airlock.policy;

import static dev.airlock.policy.FileActions.DELETE;
import static dev.airlock.policy.FileActions.EXECUTE;
import static dev.airlock.policy.FileActions.READ;
import static dev.airlock.policy.FileActions.WRITE;
import static dev.airlock.policy.SocketActions.ACCEPT;
import static dev.airlock.policy.SocketActions.CONNECT;
import static dev.airlock.policy.SocketActions.LISTEN;
import static dev.airlock.policy.SocketActions.RESOLVE;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The public API: decisions, roots, rules, reasons, warnings, combination. */
class PolicyTest {

    private static final Map<String, String> PROPS =
            new HashMap<>(Map.of("user.home", "/home/u", "java.home", "/opt/jdk", "user.dir", "/work/app"));
    private static final Function<String, String> PROPERTIES = PROPS::get;

    @Test
    void datagramDecisionsAreTheJdksConnectAcceptAndMulticast() throws Exception {
        Policy p = policy("u.policy", """
                grant {
                  permission java.net.SocketPermission "127.0.0.1:53", "connect";
                  permission java.net.SocketPermission "127.0.0.1:123", "connect,accept";
                  permission java.net.SocketPermission "239.1.2.3", "connect,accept";
                  permission java.net.SocketPermission "239.9.9.9:5000", "connect,accept";
                };
                """);
        byte[] local = {127, 0, 0, 1};
        java.util.Set<String> none = java.util.Set.of();
        // An unconnected send asks connect; a connect asks connect and then accept (JDK 17's DatagramChannel).
        assertTrue(p.decideDatagramSend(local, 53, none).allowed());
        assertEquals(
                "denied by airlock policy u.policy: accept 127.0.0.1:53"
                        + " (closest grant: u.policy:3 \"127.0.0.1:123\" grants connect,accept, not on port 53)",
                p.decideDatagramConnect(local, 53, none).reason());
        assertTrue(p.decideDatagramConnect(local, 123, none).allowed());
        assertEquals(
                "denied by airlock policy u.policy: connect 127.0.0.1:54"
                        + " (closest grant: u.policy:2 \"127.0.0.1:53\" grants connect, not on port 54)",
                p.decideDatagramSend(local, 54, none).reason());
        // A multicast group: connect,accept on the group with every port, whatever port is sent to.
        byte[] group = {(byte) 239, 1, 2, 3};
        assertTrue(p.decideDatagramSend(group, 9, none).allowed());
        assertTrue(p.decideDatagramConnect(group, 9, none).allowed());
        byte[] onePort = {(byte) 239, 9, 9, 9};
        assertEquals(
                "denied by airlock policy u.policy: connect,accept 239.9.9.9"
                        + " (closest grant: u.policy:5 \"239.9.9.9:5000\" grants connect,accept, not on every port)",
                p.decideDatagramSend(onePort, 5000, none).reason());
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 239, 1, 2, 3};
        assertTrue(Policy.isMulticast(mapped));
        assertTrue(p.decideDatagramSend(mapped, 9, none).allowed(), "an IPv4-mapped group is the group");
        byte[] v6Group = new byte[16];
        v6Group[0] = (byte) 0xff;
        v6Group[15] = 1;
        assertTrue(Policy.isMulticast(v6Group));
        assertFalse(Policy.isMulticast(local));
        assertFalse(p.decideDatagramSend(v6Group, 9, none).allowed());
    }

    private static Policy policy(String name, String text) throws PolicySyntaxException {
        return Policy.parse(name, text, PROPERTIES);
    }

    private static final String APP = """
      grant {
        permission java.io.FilePermission "/srv/data/-", "read";
        permission java.io.FilePermission "/srv/data/out/*", "write";
        permission java.io.FilePermission "/etc/app.conf", "read";
        permission java.io.FilePermission "${user.home}/cache/-", "read,write,delete";
        permission java.io.FilePermission "logs/-", "write";
        permission java.io.FilePermission "/srv/data/out/-", "delete";
        permission java.net.SocketPermission "db.example.com:5432", "connect";
        permission java.util.PropertyPermission "user.home", "read";
      };
      grant codeBase "file:/opt/plugins/-" {
        permission java.io.FilePermission "/secret/-", "read";
      };
      """;

    @Test
    void fileGrantRootsAreTheDirectoriesGrantsCover() throws Exception {
        Policy p = policy("app.policy", APP);
        assertEquals(
                List.of("/etc", "/home/u/cache", "/srv/data", "/srv/data/out", "/work/app/logs"), p.fileGrantRoots());
        Policy all = policy(
                "all.policy",
                "grant { permission java.io.FilePermission \"<<ALL FILES>>\", \"read\";"
                        + " permission java.io.FilePermission \"/\", \"read\";"
                        + " permission java.io.FilePermission \"/a/b*\", \"read\"; };");
        assertEquals(List.of("/", "/a"), all.fileGrantRoots());
        assertEquals(
                List.of("/"),
                policy("x", "grant { permission java.security.AllPermission; };")
                        .fileGrantRoots());
    }

    @Test
    void allowedDecisionsNameTheirRootAndRule() throws Exception {
        Policy p = policy("app.policy", APP);
        FileDecision d = p.decideFile("/srv/data/in/x.csv", READ);
        assertTrue(d.allowed());
        assertEquals("/srv/data/in/x.csv", d.normalizedPath());
        assertEquals("/srv/data", d.root());
        assertEquals("app.policy:2", d.rule());
        assertNull(d.reason());

        // Read from one grant, write from another: allowed together, beneath the deeper root,
        // naming the first entry that contributed.
        FileDecision rw = p.decideFile("/srv/data/out/r.txt", READ | WRITE);
        assertTrue(rw.allowed());
        assertEquals("/srv/data/out", rw.root());
        assertEquals("app.policy:2", rw.rule());

        FileDecision file = p.decideFile("/etc/app.conf", READ);
        assertEquals("/etc", file.root());
        assertEquals("app.policy:4", file.rule());

        FileDecision rel = p.decideFile("logs/today.log", WRITE);
        assertTrue(rel.allowed());
        assertEquals("/work/app/logs/today.log", rel.normalizedPath());
        assertEquals("app.policy:6", rel.rule());
    }

    @Test
    void deniedDecisionsSayWhoDeniedWhat() throws Exception {
        Policy p = policy("app.policy", APP);
        FileDecision d = p.decideFile("/home/u/.ssh/id_rsa", READ);
        assertFalse(d.allowed());
        assertEquals("denied by airlock policy app.policy: read", d.reason());
        assertNull(d.root());
        assertNull(d.rule());
        assertEquals(
                "denied by airlock policy app.policy: read,write,execute,delete"
                        + " (closest grant: app.policy:2 \"/srv/data/-\" grants read, not write,execute,delete)",
                p.decideFile("/srv/data/x", READ | WRITE | EXECUTE | DELETE).reason());
        // "/srv/data/-" covers what is below /srv/data, not /srv/data itself (as in the JDK).
        assertFalse(p.decideFile("/srv/data", READ).allowed());
        // A restricted grant grants nothing.
        assertFalse(p.decideFile("/secret/key", READ).allowed());
        // ".." cannot climb out lexically.
        FileDecision up = p.decideFile("/srv/data/../../etc/shadow", READ);
        assertFalse(up.allowed());
        assertEquals("/etc/shadow", up.normalizedPath());
    }

    @Test
    void fileGrantsListEachGrantWithItsKindAndCombinedActions() throws Exception {
        Policy p = policy("g.policy", """
        grant {
          permission java.io.FilePermission "/proc/-", "read";
          permission java.io.FilePermission "/proc/-", "write";
          permission java.io.FilePermission "/sys/x*", "read";
          permission java.io.FilePermission "/a/*", "delete";
          permission java.io.FilePermission "<<ALL FILES>>", "readlink";
        };
        grant codeBase "file:/x" { permission java.io.FilePermission "/r/-", "read"; };
        """);
        java.util.Set<String> grants = new java.util.TreeSet<>();
        for (FileGrant g : p.fileGrants()) {
            grants.add(g.toString());
        }
        assertEquals(
                java.util.Set.of(
                        "TREE /proc read,write", "FILE /sys/x- read", "ENTRIES /a delete", "ALL_FILES / readlink"),
                grants);
    }

    @Test
    void aRequestedPathIsALiteralNameNeverAWildcard() throws Exception {
        Policy p = policy("w.policy", """
        grant {
          permission java.io.FilePermission "/a/*", "read";
          permission java.io.FilePermission "/b/report-", "read";
          permission java.io.FilePermission "/c/x*", "read";
          permission java.io.FilePermission "/d/-", "read";
          permission java.io.FilePermission "/e/*/", "read";
          permission java.io.FilePermission "/f/report*", "read";
        };
        """);
        // The hole: only the plain file "report-" is granted; "report*" is another file.
        assertFalse(p.decideFile("/b/report*", READ).allowed());
        assertTrue(p.decideFile("/b/report-", READ).allowed());
        // A grant "x*" is the JDK's plain file "x-": the file literally named "x*" is not it.
        assertTrue(p.decideFile("/c/x-", READ).allowed());
        assertFalse(p.decideFile("/c/x*", READ).allowed());
        assertFalse(p.decideFile("/f/report*", READ).allowed());
        // Files named "*" and "-" are entries of /a like any other, and not all of /a or below it.
        assertTrue(p.decideFile("/a/*", READ).allowed());
        assertTrue(p.decideFile("/a/-", READ).allowed());
        assertFalse(p.decideFile("/a/-/x", READ).allowed());
        assertFalse(p.decideFile("/a/*/x", READ).allowed());
        // "/d/-" is not the grant's own tree asked for: it is the file "-" in /d, covered by /d/-.
        assertTrue(p.decideFile("/d/-", READ).allowed());
        assertFalse(p.decideFile("/-", READ).allowed());
        assertFalse(p.decideFile("/d/*", WRITE).allowed());
        // The grant "/e/*/" is the plain file named "*" (the JDK's reading of the grant): only it.
        assertTrue(p.decideFile("/e/*", READ).allowed());
        assertFalse(p.decideFile("/e/x", READ).allowed());
        assertFalse(p.decideFile("/e/-", READ).allowed());
        // The decided path is the name as asked for, normalized, wildcard characters kept.
        FileDecision star = p.decideFile("/c//x-/", READ);
        assertTrue(star.allowed());
        assertEquals("/c/x-", star.normalizedPath());
        assertEquals("/c", star.root());
        assertEquals("/a/*", p.decideFile("/a/./*", READ).normalizedPath());
        assertTrue(p.decideFile("/d/x/", READ).allowed());
        assertEquals("/d/x", p.decideFile("/d/x/", READ).normalizedPath());
        // "<<ALL FILES>>" asked for is a relative name, not every file.
        Policy all = policy("all.policy", """
        grant { permission java.io.FilePermission "<<ALL FILES>>", "read"; };
        """);
        Policy some = policy("some.policy", """
        grant { permission java.io.FilePermission "/nowhere/-", "read"; };
        """);
        assertTrue(all.decideFile("<<ALL FILES>>", READ).allowed());
        assertFalse(some.decideFile("<<ALL FILES>>", READ).allowed());
        assertTrue(some.decideFile("<<ALL FILES>>", READ).normalizedPath().endsWith("/<<ALL FILES>>"));
    }

    @Test
    void allowsFileAgreesWithDecideFile() throws Exception {
        Policy p = policy("app.policy", APP);
        for (String path : new String[] {
            "/srv/data/a", "/srv/data", "/srv/data/out/x", "/etc/app.conf", "/etc/other", "logs/x", "/home/u/cache/a/b"
        }) {
            for (int a = 1; a <= FileActions.ALL; a++) {
                assertEquals(p.decideFile(path, a).allowed(), p.allowsFile(path, a), path + " " + a);
            }
        }
    }

    @Test
    void badArgumentsAreRejected() throws Exception {
        Policy p = policy("app.policy", APP);
        assertThrows(IllegalArgumentException.class, () -> p.decideFile("/x", 0));
        assertThrows(IllegalArgumentException.class, () -> p.decideFile("/x", 32));
        assertThrows(NullPointerException.class, () -> p.decideFile(null, READ));
        assertThrows(IllegalArgumentException.class, () -> p.decideSocket("h", 80, 0));
        assertThrows(IllegalArgumentException.class, () -> p.decideSocket("h", 80, 16));
        assertThrows(IllegalArgumentException.class, () -> p.decideSocket("h", 65536, CONNECT));
        assertThrows(IllegalArgumentException.class, () -> p.decideSocket("h", -2, CONNECT));
        assertThrows(IllegalArgumentException.class, () -> Policy.parse("x", "", Map.of("user.dir", "relative")::get));
    }

    @Test
    void socketDecisions() throws Exception {
        Policy p = policy("net.policy", """
        grant {
          permission java.net.SocketPermission "db.example.com:5432", "connect";
          permission java.net.SocketPermission "*.example.org:443", "connect";
          permission java.net.SocketPermission "localhost:1024-", "listen";
          permission java.net.SocketPermission "[::1]:8080", "accept";
          permission java.net.SocketPermission "10.0.0.0:-1024", "connect";
          permission java.net.SocketPermission "127.0.0.1:9000", "connect";
        };
        """);
        SocketDecision d = p.decideSocket("DB.Example.COM", 5432, CONNECT);
        assertTrue(d.allowed());
        assertEquals("net.policy:2", d.rule());
        assertFalse(p.decideSocket("db.example.com", 5433, CONNECT).allowed());
        assertEquals(
                "denied by airlock policy net.policy: connect"
                        + " (closest grant: net.policy:2 \"db.example.com:5432\" grants connect, not on port 5433)",
                p.decideSocket("db.example.com", 5433, CONNECT).reason());
        // Resolving is implied by every socket grant, and ignores ports.
        assertTrue(p.decideSocket("db.example.com", -1, RESOLVE).allowed());
        assertTrue(p.decideSocket("www.example.org", 443, CONNECT | RESOLVE).allowed());
        assertFalse(p.decideSocket("example.org", 443, CONNECT).allowed());
        assertTrue(p.decideSocket("localhost", 1024, LISTEN).allowed());
        assertFalse(p.decideSocket("localhost", 1023, LISTEN).allowed());
        assertTrue(p.decideSocket("::1", 8080, ACCEPT).allowed());
        assertTrue(p.decideSocket("[0:0:0:0:0:0:0:1]", 8080, ACCEPT).allowed());
        assertFalse(p.decideSocket("::1", 8080, CONNECT).allowed());
        assertFalse(p.decideSocket("*.example.com", 5432, CONNECT).allowed());
    }

    @Test
    void surprisingJdkSocketRulesAreKept() throws Exception {
        // A range starting at 0 also grants the ephemeral range (here 32768-60999, the Linux default).
        Policy p = Policy.parse("e.policy", """
        grant {
          permission java.net.SocketPermission "10.0.0.0:-1024", "connect";
          permission java.net.SocketPermission "127.0.0.1:9000", "connect";
          permission java.net.SocketPermission "*.0.1", "accept";
          permission java.net.SocketPermission "localhost", "resolve";
        };
        """, key -> switch (key) {
            case "user.dir" -> "/w";
            case "jdk.net.ephemeralPortRange.low" -> "32768";
            case "jdk.net.ephemeralPortRange.high" -> "60999";
            default -> null;
        });
        assertTrue(p.decideSocket("10.0.0.0", 40000, CONNECT).allowed());
        assertFalse(p.decideSocket("10.0.0.0", 61000, CONNECT).allowed());
        assertFalse(p.decideSocket("10.0.0.0", 2000, CONNECT).allowed());
        // localhost is 127.0.0.1, as the JDK resolves it without any name service.
        assertTrue(p.decideSocket("localhost", 9000, CONNECT).allowed());
        assertTrue(p.decideSocket("127.1", 9000, CONNECT).allowed());
        assertTrue(p.decideSocket("::ffff:127.0.0.1", 9000, CONNECT).allowed());
        assertTrue(p.decideSocket("127.0.0.1", -1, RESOLVE).allowed());
        // A wildcard is matched against an address's text when reverse lookup fails.
        assertTrue(p.decideSocket("10.0.0.1", 1, ACCEPT).allowed());
        assertTrue(p.decideSocket("localhost", 1, ACCEPT).allowed());
        assertFalse(p.decideSocket("10.0.1.1", 1, ACCEPT).allowed());
        // No DNS: a name never matches an address grant other than through localhost.
        assertFalse(p.decideSocket("some.host", 9000, CONNECT).allowed());
    }

    @Test
    void combineIsAUnionNamedAfterItsParts() throws Exception {
        Policy a = policy("a.policy", "grant { permission java.io.FilePermission \"/a/-\", \"read\"; };");
        Policy b = policy(
                "b.policy",
                "grant { permission java.io.FilePermission \"/a/-\", \"write\";"
                        + " permission java.net.SocketPermission \"h:1\", \"connect\"; };");
        Policy ab = Policy.combine(List.of(a, b));
        assertEquals("a.policy, b.policy", ab.displayName());
        FileDecision d = ab.decideFile("/a/x", READ | WRITE);
        assertTrue(d.allowed());
        assertEquals("a.policy:1", d.rule());
        assertEquals("b.policy:1", ab.decideFile("/a/x", WRITE).rule());
        assertTrue(ab.decideSocket("h", 1, CONNECT).allowed());
        assertEquals(
                "denied by airlock policy a.policy, b.policy: execute"
                        + " (closest grant: a.policy:1 \"/a/-\" grants read, not execute)",
                ab.decideFile("/a/x", EXECUTE).reason());
        assertEquals(List.of("/a"), ab.fileGrantRoots());
        assertEquals(a, Policy.combine(List.of(a)));
        assertEquals("(none)", Policy.combine(List.of()).displayName());
    }

    @Test
    void emptyGrantsNothing() {
        Policy p = Policy.empty();
        assertEquals("(none)", p.displayName());
        assertFalse(p.decideFile("/", READ).allowed());
        assertEquals(
                "denied by airlock policy (none): read",
                p.decideFile("/x", READ).reason());
        assertFalse(p.decideSocket("localhost", 0, LISTEN).allowed());
        assertEquals(List.of(), p.fileGrantRoots());
        assertEquals(List.of(), p.warnings());
    }

    @Test
    void onlyAcceptSocketGrantsAreListedAsNotEnforced() throws Exception {
        Policy p = policy("s.policy", """
        grant {
          permission java.net.SocketPermission "db:5432", "connect";
          permission java.net.SocketPermission "localhost:8080", "listen";
          permission java.net.SocketPermission "*", "accept";
          permission java.net.SocketPermission "localhost:1024-", "listen,accept";
          permission java.net.SocketPermission "example.com", "resolve";
        };
        """);
        List<String> n = new ArrayList<>();
        for (NotEnforced x : p.notEnforced()) {
            n.add(x.toString());
        }
        assertEquals(
                List.of("not enforced by Airlock: 2 java.net.SocketPermission accept grants (s.policy:4, 5): who may"
                        + " connect in, or send datagrams in, is not checked: a socket the broker lets the"
                        + " program listen on or bind accepts any peer that can reach it, and only the program"
                        + " itself could check each one (its connect and listen actions are enforced, and a"
                        + " datagram connect is decided on accept too, as the JDK decided it)"),
                n,
                "a resolve-only grant is enforced: the broker resolves names by it");
        assertTrue(p.decideResolve("example.com").allowed());
        assertEquals("s.policy:4", p.decideResolve("example.com").rule(), "the accept grant on * comes first");
        assertTrue(p.decideConnect(new byte[] {127, 0, 0, 1}, 5432, java.util.Set.of("db"))
                .allowed());
        assertFalse(p.decideConnect(new byte[] {127, 0, 0, 1}, 5432, java.util.Set.of())
                .allowed());
        assertTrue(p.decideListen(new byte[4], 8080).allowed());
        assertEquals(
                "denied by airlock policy s.policy: listen 0.0.0.0:80"
                        + " (closest grant: s.policy:4 \"*\" grants accept, not listen)",
                p.decideListen(new byte[4], 80).reason());
        byte[] v6Loopback = new byte[16];
        v6Loopback[15] = 1;
        assertEquals(
                "denied by airlock policy s.policy: connect [0:0:0:0:0:0:0:1]:5432"
                        + " (closest grant: s.policy:4 \"*\" grants accept, not connect)",
                p.decideConnect(v6Loopback, 5432, java.util.Set.of()).reason());
    }

    @Test
    void warningsSayWhatDoesNotDoWhatItSeemsTo() throws Exception {
        Policy p = policy("w.policy", """
        grant {
          permission java.util.PropertyPermission "a", "read";
          permission java.util.PropertyPermission "b", "read";
          permission com.example.CustomPermission "x";
          permission java.net.SocketPermission "h:80", "connect";
          permission java.io.FilePermission "rel", "read";
          permission java.io.FilePermission "${{self}}", "read";
          permission java.io.FilePermission "/s", "read", signedBy "duke";
          permission java.util.PropertyPermission "c", "read";
        };
        grant signedBy "duke" { permission java.io.FilePermission "/-", "read"; };
        grant codeBase "file:/x" {
          permission java.io.FilePermission "/-", "read";
          permission java.lang.RuntimePermission "exitVM";
        };
        """);
        List<String> w = new ArrayList<>();
        for (PolicyWarning x : p.warnings()) {
            w.add(x.toString());
        }
        assertEquals(
                List.of(
                        "w.policy:6:3: warning: the relative target \"rel\" is resolved against user.dir"
                                + " /work/app (the JDK would match it only against relative paths)",
                        "w.policy:7:3: warning: permission ignored: ${{self}} only means something in a grant"
                                + " with principals (the JDK ignores it here)",
                        "w.policy:8:3: warning: signedBy on a permission entry names the signer of the"
                                + " permission class; the JDK ignores it for java.io.FilePermission, and so does"
                                + " Airlock"),
                w);
        List<String> n = new ArrayList<>();
        for (NotEnforced x : p.notEnforced()) {
            n.add(x.toString());
        }
        assertEquals(
                List.of(
                        "not enforced by Airlock: 2 grants restricted by codeBase, signedBy or principal (w.policy:11,"
                                + " 12): the broker serves the whole JVM and cannot tell which code or principal"
                                + " asked, so their 3 permissions grant nothing",
                        "not enforced by Airlock: 3 java.util.PropertyPermission grants (w.policy:2, 3, 9):"
                                + " in-process permissions: the SecurityManager checked them inside the JVM, and"
                                + " Airlock confines only the files and connections the program reaches outside it",
                        "not enforced by Airlock: 1 com.example.CustomPermission grant (w.policy:4): a third-party"
                                + " permission class: only the program's own code could check it, and the broker"
                                + " decides files and connections only"),
                n);
        assertTrue(p.decideFile("/s", READ).allowed());
        assertFalse(p.decideFile("/x", READ).allowed());
        // Restricted grants grant nothing.
        assertFalse(p.decideFile("/etc/hostname", READ).allowed());
    }

    @Test
    void notEnforcedEntriesAreGroupedOnceAcrossFiles() throws Exception {
        Policy a = policy("a.policy", """
        grant { permission java.util.PropertyPermission "a", "read"; };
        grant { permission java.lang.RuntimePermission "exitVM"; permission java.util.PropertyPermission "b", "read"; };
        """);
        Policy b = policy("b.policy", "grant {\n permission java.util.PropertyPermission \"c\", \"read\";\n};\n");
        List<NotEnforced> groups = Policy.combine(List.of(a, b)).notEnforced();
        assertEquals(2, groups.size(), groups.toString());
        assertEquals("java.util.PropertyPermission grants", groups.get(0).subject());
        assertEquals(
                List.of("a.policy:1", "a.policy:2", "b.policy:2"), groups.get(0).rules());
        assertTrue(
                groups.get(0)
                        .toString()
                        .startsWith("not enforced by Airlock: 3 java.util.PropertyPermission"
                                + " grants (a.policy:1, 2; b.policy:2): in-process permissions"),
                groups.get(0).toString());
        assertEquals("java.lang.RuntimePermission grant", groups.get(1).subject());
    }

    @Test
    void mistakesAreErrorsAtTheirEntryAndEveryOneIsReported() {
        PolicySyntaxException e = assertThrows(PolicySyntaxException.class, () -> policy("m.policy", """
        grant {
          permission java.io.FilePermission "/x", "raed";
          permission java.io.FilePermision "/x", "read";
          permission java.io.filepermission "/x", "read";
          permission java.io.FilePermission "/x";
          permission java.io.FilePermission "/x", "";
          permission java.io.FilePermission;
          permission java.net.SocketPermission "h:abc", "connect";
          permission java.net.SocketPermission "h:80", "conect";
          permission java.net.SocketPermission "h:80";
          permission java.security.BasicPermission "x";
          permission java.lang.NoSuchPermission "x";
          permission java.io.FilePermission "/fine", "read";
        };
        grant codeBase "file:/x" { permission java.io.FilePermission "/-", "rwx"; };
        """));
        assertEquals(
                List.of(
                        "m.policy:2:3: invalid actions \"raed\" for java.io.FilePermission: expected read, write,"
                                + " execute, delete or readlink, separated by commas (the JDK refuses the permission)",
                        "m.policy:3:3: expected a permission class the JDK has, found java.io.FilePermision (did you"
                                + " mean java.io.FilePermission?): only the JDK can define classes in java.* packages,"
                                + " so this entry would grant nothing",
                        "m.policy:4:3: expected a permission class the JDK has, found java.io.filepermission (did you"
                                + " mean java.io.FilePermission?): only the JDK can define classes in java.* packages,"
                                + " so this entry would grant nothing",
                        "m.policy:5:3: expected actions for java.io.FilePermission (read, write, execute, delete,"
                                + " readlink), found none (the JDK refuses the permission without them)",
                        "m.policy:6:3: expected actions for java.io.FilePermission (read, write, execute, delete,"
                                + " readlink), found an empty string (the JDK refuses the permission without them)",
                        "m.policy:7:3: expected a target and actions for java.io.FilePermission, e.g."
                                + " \"/srv/data/-\", \"read\" (the JDK refuses the permission without them)",
                        "m.policy:8:3: invalid target \"h:abc\" for java.net.SocketPermission: invalid port range:"
                                + " abc (expected HOST, HOST:PORT or HOST:LOW-HIGH; the JDK refuses the permission)",
                        "m.policy:9:3: invalid actions \"conect\" for java.net.SocketPermission: expected connect,"
                                + " listen, accept or resolve, separated by commas (the JDK refuses the permission)",
                        "m.policy:10:3: expected a target and actions for java.net.SocketPermission, e.g."
                                + " \"db.example.com:5432\", \"connect\" (the JDK refuses the permission without"
                                + " them)",
                        "m.policy:11:3: expected a permission class a policy can grant, found"
                                + " java.security.BasicPermission: the JDK cannot construct it from a policy entry",
                        "m.policy:12:3: expected a permission class the JDK has, found java.lang.NoSuchPermission:"
                                + " only the JDK can define classes in java.* packages, so this entry would grant"
                                + " nothing",
                        "m.policy:15:28: invalid actions \"rwx\" for java.io.FilePermission: expected read, write,"
                                + " execute, delete or readlink, separated by commas (the JDK refuses the permission)"),
                e.messages());
        assertEquals(e.messages().get(0), e.getMessage());
        assertEquals(2, e.line());
        assertEquals(3, e.column());
    }

    @Test
    void anEntryTheJdkSkipsUnreadIsCheckedOnlyForItsClass() {
        // An unset property makes the JDK skip the entry without building it: its actions are
        // unknown, its class is not.
        assertDoesNotThrow(
                () -> policy("u.policy", "grant { permission java.io.FilePermission \"${no.such}\", \"raed\"; };"));
        assertThrows(
                PolicySyntaxException.class,
                () -> policy("u.policy", "grant { permission java.io.FilePermision \"${no.such}\", \"read\"; };"));
    }

    @Test
    void parsesFilesAsUtf8WithTheJdksReplacementOfBadBytes(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("u.policy");
        byte[] text =
                "grant { permission java.io.FilePermission \"/d/é\", \"read\"; };".getBytes(StandardCharsets.UTF_8);
        Files.write(f, text);
        assertTrue(Policy.parse(f, "u.policy").decideFile("/d/é", READ).allowed());
        Files.write(f, new byte[] {'g', 'r', 'a', 'n', 't', ' ', '{', ' ', (byte) 0xff, '}', ';'});
        PolicySyntaxException e = assertThrows(PolicySyntaxException.class, () -> Policy.parse(f, "u.policy"));
        assertEquals("u.policy:1:9: expected 'permission' or '}', found unknown keyword '\uFFFD'", e.getMessage());
        assertThrows(NoSuchFileException.class, () -> Policy.parse(dir.resolve("none"), "none"));
    }

    @Test
    void decisionsAreSafeToMakeFromManyThreads() throws Exception {
        StringBuilder text = new StringBuilder("grant {\n");
        for (int i = 0; i < 200; i++) {
            text.append("permission java.io.FilePermission \"/d").append(i).append("/-\", \"read\";\n");
        }
        Policy p = policy("t.policy", text.append("};").toString());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                results.add(pool.submit(() -> {
                    int allowed = 0;
                    for (int i = 0; i < 20_000; i++) {
                        if (p.decideFile("/d" + (i % 400) + "/f", READ).allowed()) {
                            allowed++;
                        }
                    }
                    return allowed;
                }));
            }
            for (Future<Integer> f : results) {
                assertEquals(10_000, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aThousandGrantsAreIndexed() throws Exception {
        StringBuilder text = new StringBuilder("grant {\n");
        for (int i = 0; i < 1000; i++) {
            text.append("permission java.io.FilePermission \"/srv/t")
                    .append(i % 50)
                    .append("/u")
                    .append(i)
                    .append(i % 3 == 0 ? "/-" : i % 3 == 1 ? "/*" : "/f")
                    .append("\", \"read\";\n");
        }
        Policy p = policy("big.policy", text.append("};").toString());
        assertTrue(p.decideFile("/srv/t0/u0/a/b", READ).allowed());
        assertEquals("big.policy:2", p.decideFile("/srv/t0/u0/a/b", READ).rule());
        assertTrue(p.decideFile("/srv/t1/u1/a", READ).allowed());
        assertFalse(p.decideFile("/srv/t1/u1/a/b", READ).allowed());
        assertTrue(p.decideFile("/srv/t2/u2/f", READ).allowed());
        assertEquals("/srv/t2/u2", p.decideFile("/srv/t2/u2/f", READ).root());
        assertEquals(1000, p.fileGrantRoots().size());
    }

    @Test
    void ownDirectoriesAreGrantedWholeWithoutChangingTheNameOrTheRest() throws Exception {
        Policy p = policy("app.policy", APP).withOwnDirectories("airlock private tmp", List.of("/tmp/airlock-x"));
        int all = READ | WRITE | EXECUTE | DELETE | FileActions.READLINK;
        for (String path : new String[] {"/tmp/airlock-x", "/tmp/airlock-x/f", "/tmp/airlock-x/a/b/c"}) {
            assertTrue(p.decideFile(path, all).allowed(), path);
        }
        assertEquals("/tmp/airlock-x", p.decideFile("/tmp/airlock-x/a/f", READ).root());
        assertFalse(p.decideFile("/tmp/airlock-xy", READ).allowed(), "a sibling with a longer name is not beneath");
        assertFalse(p.decideFile("/tmp/other", READ).allowed());
        assertFalse(p.decideFile("/tmp", WRITE).allowed(), "its parent is not granted");
        assertEquals("app.policy", p.displayName(), "denial reasons keep naming the user's policy");
        assertEquals(
                "denied by airlock policy app.policy: read",
                p.decideFile("/secret/x", READ).reason());
        assertTrue(p.decideFile("/srv/data/x", READ).allowed(), "the policy's own grants stay");
        assertTrue(p.fileGrantRoots().contains("/tmp/airlock-x"));
        assertEquals(p.warnings(), policy("app.policy", APP).warnings(), "nothing to warn about added");
        assertTrue(p.withOwnDirectories("none", List.of()) == p);
        for (String bad : new String[] {"relative", "/a/../b", "/a/-", "/a/*", "/a/"}) {
            assertThrows(
                    IllegalArgumentException.class, () -> Policy.empty().withOwnDirectories("x", List.of(bad)), bad);
        }
    }

    @Test
    void resolveIsGrantedByEverySocketGrantOnTheNameAndNothingElse() throws Exception {
        Policy p = policy("net.policy", """
        grant {
          permission java.net.SocketPermission "db.example.com:5432", "connect";
          permission java.net.SocketPermission "*.internal.example", "connect";
          permission java.net.SocketPermission "in.example.org:8080", "accept";
          permission java.net.SocketPermission "only.example.net", "resolve";
          permission java.net.SocketPermission "10.0.0.0/8", "connect";
        };
        """);
        assertEquals("net.policy:2", p.decideResolve("db.example.com").rule(), "connect implies resolve");
        assertEquals("net.policy:2", p.decideResolve("DB.Example.COM").rule(), "names compare without case");
        assertEquals("net.policy:3", p.decideResolve("a.b.internal.example").rule(), "a wildcard covers names beneath");
        assertFalse(p.decideResolve("internal.example").allowed(), "but not its own suffix");
        assertEquals("net.policy:4", p.decideResolve("in.example.org").rule(), "accept implies resolve");
        assertEquals("net.policy:5", p.decideResolve("only.example.net").rule());
        assertEquals(Policy.LITERAL_RULE, p.decideResolve("192.168.1.1").rule(), "a literal needs no resolution");
        assertEquals(Policy.LITERAL_RULE, p.decideResolve("::1").rule());
        assertEquals(Policy.LITERAL_RULE, p.decideResolve("[2001:db8::1]").rule());
        assertEquals(Policy.LOCALHOST_RULE, p.decideResolve("localhost").rule());
        SocketDecision d = p.decideResolve("evil.example.com");
        assertFalse(d.allowed());
        assertEquals("denied by airlock policy net.policy: resolve evil.example.com", d.reason());
        assertFalse(p.decideResolve("db.example.com.evil").allowed());
        assertFalse(Policy.empty().decideResolve("db.example.com").allowed());
        assertTrue(Policy.empty().decideResolve("LOCALHOST").allowed());
        Policy all = policy("all.policy", "grant { permission java.security.AllPermission; };");
        assertTrue(all.decideResolve("anything.example").allowed());
        Policy star = policy("star.policy", "grant { permission java.net.SocketPermission \"*\", \"connect\"; };");
        assertEquals("star.policy:1", star.decideResolve("anything.example").rule());
    }
}
