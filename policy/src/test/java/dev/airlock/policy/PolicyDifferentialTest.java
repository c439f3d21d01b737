package dev.airlock.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.FilePermission;
import java.net.InetAddress;
import java.net.SocketPermission;
import java.net.UnknownHostException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.AllPermission;
import java.security.Permission;
import java.security.Permissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Airlock's decisions against the JDK's own {@code FilePermission}, {@code SocketPermission},
 * {@code AllPermission} and {@code Permissions.implies}, on policies and requests generated from
 * fixed seeds. Any disagreement fails with the seed, the policy and the request.
 *
 * <p>Two of Airlock's documented choices shape the oracle. Relative paths: Airlock resolves them
 * against {@code user.dir}; the oracle hands the JDK {@code user.dir + "/" + path}, which the JDK
 * then normalizes its own way. Host names: Airlock never resolves them; this test JVM runs with
 * {@code -Djdk.net.hosts.file} pointing at an empty file (policy/pom.xml), so every lookup the
 * JDK attempts fails immediately and without the network, and the JDK falls back to comparing
 * names as written. Any generated host, name, literal or wildcard, is therefore decided by the JDK
 * without DNS; {@link #theJdkResolvesNothingHere()} checks that this is so.
 */
class PolicyDifferentialTest {

    private static final String USER_DIR = System.getProperty("user.dir");
    private static final long[] SEEDS = {1, 2, 3, 42, 4711, 0xA1F10CL, 20261122, 99, 7, 12345};

    private static long fileQueries;
    private static long fileAllowed;
    private static long wildcardNamed;
    private static long socketQueries;
    private static long socketAllowed;
    private static long fileRefused;
    private static long socketRefused;

    @BeforeAll
    static void jdkResolverIsOffline() throws Exception {
        assertEquals(
                Path.of("src/test/resources/no-hosts").toAbsolutePath().toString(),
                Path.of(System.getProperty("jdk.net.hosts.file", "<unset>"))
                        .toAbsolutePath()
                        .toString(),
                "run through Maven: policy/pom.xml points jdk.net.hosts.file at an empty hosts file");
    }

    @Test
    // The test asks for exactly the one address the JDK's single-address lookup gives offline.
    @SuppressWarnings("AddressSelection")
    void theJdkResolvesNothingHere() throws UnknownHostException {
        long start = System.nanoTime();
        // The one name the JDK knows without a name service, and what Airlock assumes for it.
        assertEquals("127.0.0.1", InetAddress.getByName("LocalHost").getHostAddress());
        for (String name : new String[] {"example.com", "www.example.com", "bücher.example"}) {
            try {
                InetAddress.getByName(name);
                fail(name + " resolved: the differential test would depend on DNS");
            } catch (UnknownHostException expected) {
                // as configured
            }
        }
        assertTrue(System.nanoTime() - start < 2_000_000_000L, "lookups must fail fast, offline");
    }

    @Test
    void fileDecisionsAgreeWithTheJdk() throws Exception {
        long before = fileQueries;
        for (long seed : SEEDS) {
            Random r = new Random(seed);
            for (int policyNo = 0; policyNo < 25; policyNo++) {
                Case c = filePolicy(r);
                for (int q = 0; q < 400; q++) {
                    checkFileQuery(seed, c, r);
                }
            }
        }
        long n = fileQueries - before;
        System.out.println("file differential: " + n + " queries (" + fileAllowed + " allowed, " + wildcardNamed
                + " named like wildcards), 0 disagreements");
        assertTrue(n >= 100_000, "at least 100,000 file queries, ran " + n);
        // Both answers must be common, or the comparison proves little.
        assertTrue(fileAllowed > n / 20 && fileAllowed < n - n / 20, "allowed " + fileAllowed);
        // Queries whose last name the JDK would read as a wildcard, decided literally.
        assertTrue(wildcardNamed > n / 50, "queries named like wildcards: " + wildcardNamed);
    }

    @Test
    void socketDecisionsAgreeWithTheJdk() throws Exception {
        long before = socketQueries;
        for (long seed : SEEDS) {
            Random r = new Random(seed);
            for (int policyNo = 0; policyNo < 20; policyNo++) {
                Case c = socketPolicy(r);
                for (int q = 0; q < 300; q++) {
                    checkSocketQuery(seed, c, r);
                }
            }
        }
        long n = socketQueries - before;
        System.out.println("socket differential: " + n + " queries (" + socketAllowed + " allowed), 0 disagreements");
        assertTrue(n >= 60_000, "at least 60,000 socket queries, ran " + n);
        assertTrue(socketAllowed > n / 20 && socketAllowed < n - n / 20, "allowed " + socketAllowed);
    }

    /** Addresses a connect or bind names, as literals (parsed without a lookup). */
    private static final String[] QUERY_ADDRESSES = {
        "127.0.0.1",
        "127.0.0.2",
        "10.0.0.1",
        "1.2.3.4",
        "0.0.0.0",
        "::1",
        "::",
        "2001:db8::1",
        "fe80::1",
        "::ffff:10.0.0.1"
    };

    private static long addressQueries;
    private static long addressAllowed;

    /**
     * The broker's entry points, {@link Policy#decideConnect} (an address and the names the
     * broker resolved to it) and {@link Policy#decideListen} (a local address), against what the
     * JDK's SecurityManager asked: connect on the address or on a name the program connected by,
     * listen on {@code localhost:port} for every bind (or, Airlock's addition, on the address).
     */
    @Test
    void addressDecisionsAgreeWithTheJdk() throws Exception {
        long before = addressQueries;
        for (long seed : SEEDS) {
            Random r = new Random(seed);
            for (int policyNo = 0; policyNo < 20; policyNo++) {
                Case c = socketPolicy(r);
                for (int q = 0; q < 150; q++) {
                    checkAddressQuery(seed, c, r);
                }
            }
        }
        long n = addressQueries - before;
        System.out.println("address differential: " + n + " queries (" + addressAllowed + " allowed), 0 disagreements");
        assertTrue(n >= 30_000, "at least 30,000 address queries, ran " + n);
        assertTrue(addressAllowed > n / 50 && addressAllowed < n - n / 20, "allowed " + addressAllowed);
    }

    private static void checkAddressQuery(long seed, Case c, Random r) throws UnknownHostException {
        InetAddress address = InetAddress.getByName(QUERY_ADDRESSES[r.nextInt(QUERY_ADDRESSES.length)]);
        String text = address.getHostAddress();
        String literal = text.indexOf(':') >= 0 ? "[" + text + "]" : text;
        int port;
        do {
            port = Generators.QUERY_PORTS[r.nextInt(Generators.QUERY_PORTS.length)];
        } while (port < 0);
        Set<String> names = new java.util.TreeSet<>();
        int count = r.nextInt(3);
        for (int i = 0; i < count; i++) {
            String host = Generators.QUERY_HOSTS[r.nextInt(Generators.QUERY_HOSTS.length)];
            if (host.indexOf(':') < 0 && host.indexOf('*') < 0 && !host.isEmpty()) {
                names.add(host);
            }
        }
        boolean listen = r.nextBoolean();
        boolean jdkAnswer;
        SocketDecision d;
        String action = listen ? "listen" : "connect";
        if (listen) {
            jdkAnswer = jdkImplies(c, "localhost:" + port, action) || jdkImplies(c, literal + ":" + port, action);
            d = c.policy.decideListen(address.getAddress(), port);
        } else {
            jdkAnswer = jdkImplies(c, literal + ":" + port, action);
            for (String name : names) {
                jdkAnswer |= jdkImplies(c, name + ":" + port, action);
            }
            d = c.policy.decideConnect(address.getAddress(), port, names);
        }
        addressQueries++;
        if (jdkAnswer) {
            addressAllowed++;
        }
        if (d.allowed() != jdkAnswer) {
            fail("disagreement (seed " + seed + "): " + action + " " + literal + ":" + port + " names " + names
                    + ": JDK " + (jdkAnswer ? "allows" : "denies") + ", Airlock " + d + "\npolicy:\n" + c.text);
        }
        if (d.allowed()) {
            assertNotNull(d.rule());
        } else {
            assertEquals(
                    "denied by airlock policy " + c.policy.displayName() + ": " + action + " " + literal + ":" + port,
                    firstPart(d.reason(), d.closest()));
        }
    }

    /**
     * {@link Policy#decideResolve}, the question the broker asks before it resolves a name for
     * the program, against the JDK's {@code SocketPermission(name, "resolve")}: for every host
     * name of the generators' (literals are Airlock's documented exception, resolved without a
     * lookup, as {@code InetAddress.getAllByName} parses them before any check; and
     * {@code localhost}, which the JDK's own java.policy always granted).
     */
    @Test
    void resolveDecisionsAgreeWithTheJdk() throws Exception {
        long queries = 0;
        long allowed = 0;
        for (long seed : SEEDS) {
            Random r = new Random(seed);
            for (int policyNo = 0; policyNo < 20; policyNo++) {
                Case c = socketPolicy(r);
                for (String host : Generators.QUERY_HOSTS) {
                    if (host.isEmpty()
                            || host.indexOf('*') >= 0
                            || IpLiterals.isLiteral(host)
                            || host.equalsIgnoreCase("localhost")) {
                        continue;
                    }
                    boolean jdkAnswer = jdkImplies(c, host, "resolve");
                    SocketDecision d = c.policy.decideResolve(host);
                    queries++;
                    if (jdkAnswer) {
                        allowed++;
                    }
                    if (d.allowed() != jdkAnswer) {
                        fail("disagreement (seed " + seed + "): resolve " + host + ": JDK "
                                + (jdkAnswer ? "allows" : "denies") + ", Airlock " + d + "\npolicy:\n" + c.text);
                    }
                    if (!d.allowed()) {
                        assertEquals(
                                "denied by airlock policy " + c.policy.displayName() + ": resolve " + host,
                                firstPart(d.reason(), d.closest()));
                    }
                }
            }
        }
        System.out.println("resolve differential: " + queries + " queries (" + allowed + " allowed), 0 disagreements");
        assertTrue(queries >= 2_000, "ran " + queries);
        assertTrue(allowed > queries / 50 && allowed < queries - queries / 20, "allowed " + allowed);
    }

    private static boolean jdkImplies(Case c, String name, String actions) {
        try {
            return c.jdk.implies(new SocketPermission(name, actions));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Test
    void combinedPoliciesAgreeWithTheJdk() throws Exception {
        for (long seed : SEEDS) {
            Random r = new Random(seed * 31 + 5);
            for (int k = 0; k < 5; k++) {
                List<Policy> parts = new ArrayList<>();
                Permissions union = new Permissions();
                StringBuilder text = new StringBuilder();
                for (int i = 0; i < 1 + r.nextInt(3); i++) {
                    Case c = r.nextBoolean() ? filePolicy(r) : socketPolicy(r);
                    parts.add(c.policy);
                    for (Permission p : c.granted) {
                        union.add(p);
                    }
                    text.append("--- ")
                            .append(c.policy.displayName())
                            .append('\n')
                            .append(c.text);
                }
                Case combined = new Case(Policy.combine(parts), union, text.toString(), List.of());
                for (int q = 0; q < 200; q++) {
                    if (r.nextBoolean()) {
                        checkFileQuery(seed, combined, r);
                    } else {
                        checkSocketQuery(seed, combined, r);
                    }
                }
            }
        }
    }

    // ---- files -------------------------------------------------------------------------------

    private record Case(Policy policy, Permissions jdk, String text, List<Permission> granted) {}

    private static int counter;

    private static Case filePolicy(Random r) throws PolicySyntaxException {
        StringBuilder text = new StringBuilder("grant {\n");
        Permissions jdk = new Permissions();
        List<Permission> granted = new ArrayList<>();
        int n = 1 + r.nextInt(12);
        for (int i = 0; i < n; i++) {
            String target = r.nextInt(40) == 0 ? "<<ALL FILES>>" : Generators.path(r);
            String policyTarget = target;
            String jdkTarget = target;
            switch (r.nextInt(25)) {
                case 0 -> {
                    policyTarget = "${user.dir}${/}" + target;
                    jdkTarget = USER_DIR + "/" + target;
                }
                case 1 -> {
                    policyTarget = "${airlock.no.such.property}/" + target;
                    jdkTarget = null;
                }
                default -> {}
            }
            String actions = Generators.fileActions(r, 1 + r.nextInt(31));
            String entry =
                    "  permission java.io.FilePermission \"" + escape(policyTarget) + "\", \"" + actions + "\";\n";
            if (jdkTarget != null) {
                try {
                    FilePermission p = new FilePermission(resolve(jdkTarget), actions);
                    jdk.add(p);
                    granted.add(p);
                } catch (IllegalArgumentException e) {
                    // The JDK's constructor refuses the entry (its PolicyFile printed an error and
                    // dropped it): Airlock must refuse the policy, at that entry.
                    assertRefused(entry, e);
                    fileRefused++;
                    continue;
                }
            }
            text.append(entry);
        }
        if (r.nextInt(20) == 0) {
            text.append("  permission java.security.AllPermission;\n");
            jdk.add(new AllPermission());
            granted.add(new AllPermission());
        }
        text.append("};\n");
        // Restricted grants must never count.
        if (r.nextInt(3) == 0) {
            text.append("grant codeBase \"file:/x\" { permission java.io.FilePermission \"<<ALL FILES>>\","
                    + " \"read,write,execute,delete,readlink\"; };\n");
        }
        if (r.nextInt(3) == 0) {
            text.append("grant principal com.example.P \"u\" { permission java.io.FilePermission \"/-\","
                    + " \"read\"; };\n");
        }
        String name = "gen" + counter++ + ".policy";
        return new Case(Policy.parse(name, text.toString()), jdk, text.toString(), granted);
    }

    /**
     * A policy with {@code entry} between two valid ones is refused with one error, at the entry
     * (line 3, column 3), as every entry a JDK constructor refuses must be.
     */
    private static void assertRefused(String entry, IllegalArgumentException jdk) {
        String text = "grant {\n  permission java.io.FilePermission \"/ok\", \"read\";\n" + entry
                + "  permission java.net.SocketPermission \"localhost:80\", \"connect\";\n};\n";
        try {
            Policy.parse("refused.policy", text);
            fail("the JDK refuses this entry (" + jdk.getMessage() + "), Airlock accepted it:\n" + text);
        } catch (PolicySyntaxException e) {
            assertEquals(3, e.line(), e.getMessage());
            assertEquals(3, e.column(), e.getMessage());
            assertEquals(1, e.messages().size(), e.messages().toString());
        }
    }

    @Test
    void everyEntryTheJdkRefusesIsAnError() throws Exception {
        long files = fileRefused;
        long sockets = socketRefused;
        for (long seed : SEEDS) {
            Random r = new Random(seed ^ 0x5EEDL);
            for (int policyNo = 0; policyNo < 40; policyNo++) {
                filePolicy(r);
                socketPolicy(r);
            }
        }
        files = fileRefused - files;
        sockets = socketRefused - sockets;
        System.out.println("refused as the JDK refuses: " + files + " file and " + sockets + " socket entries");
        assertTrue(files > 20, "file entries the JDK refuses: " + files);
        assertTrue(sockets > 20, "socket entries the JDK refuses: " + sockets);
    }

    /**
     * Every action string the JDK's constructors accept is accepted, and every one they refuse is an
     * error: a curated list of near misses on top of the generated ones.
     */
    @Test
    void actionListsAreRefusedExactlyWhenTheJdkRefusesThem() {
        String[] actions = {
            "read", "raed", "READ", " read , write ", "read,", ",read", "read,,write", "", "read write",
            "readlink", "read\tlink", "execute,delete", "exec", "*", "all", "read;write", "r\u0435ad", "\tread\f"
        };
        for (String a : actions) {
            boolean jdkFile = accepts(() -> new FilePermission("/x", a));
            boolean jdkSocket = accepts(() -> new SocketPermission("localhost:80", a));
            String fileEntry = "  permission java.io.FilePermission \"/x\", \"" + escape(a) + "\";\n";
            String socketEntry = "  permission java.net.SocketPermission \"localhost:80\", \"" + escape(a) + "\";\n";
            assertEquals(jdkFile, parses("grant {\n" + fileEntry + "};"), "file actions \"" + a + "\"");
            assertEquals(jdkSocket, parses("grant {\n" + socketEntry + "};"), "socket actions \"" + a + "\"");
        }
        for (String connect : new String[] {"connect", "CONNECT", "conect", "connect,accept", "connect, resolve,"}) {
            boolean jdk = accepts(() -> new SocketPermission("localhost:80", connect));
            assertEquals(
                    jdk,
                    parses("grant { permission java.net.SocketPermission \"localhost:80\", \"" + connect + "\"; };"),
                    connect);
        }
        // No actions at all: the JDK's policy file calls the two-argument constructor with null.
        assertTrue(!accepts(() -> new FilePermission("/x", null)));
        assertTrue(!parses("grant { permission java.io.FilePermission \"/x\"; };"));
        assertTrue(!parses("grant { permission java.net.SocketPermission \"localhost:80\"; };"));
        assertTrue(!parses("grant { permission java.io.FilePermission; };"));
    }

    private static boolean accepts(Runnable constructor) {
        try {
            constructor.run();
            return true;
        } catch (IllegalArgumentException | NullPointerException e) {
            return false;
        }
    }

    private static boolean parses(String text) {
        try {
            Policy.parse("actions.policy", text);
            return true;
        } catch (PolicySyntaxException e) {
            return false;
        }
    }

    private static void checkFileQuery(long seed, Case c, Random r) {
        String path;
        switch (r.nextInt(100)) {
            case 0 -> path = "<<ALL FILES>>";
            case 1 -> path = "/a/\u0000b";
            case 2 -> path = "/a/\uD800b";
            default -> path = r.nextInt(10) < 4 ? nearGrant(c, r) : Generators.path(r);
        }
        int actions = 1 + r.nextInt(31);
        boolean jdkAnswer = c.jdk.implies(literal(resolveQuery(path), FileActions.toString(actions)));
        FileDecision d = c.policy.decideFile(path, actions);
        fileQueries++;
        if (jdkAnswer) {
            fileAllowed++;
        }
        String asked = jdkNormalized(resolveQuery(path));
        if (asked != null && (asked.endsWith("*") || asked.endsWith("/-"))) {
            wildcardNamed++;
        }
        if (d.allowed() != jdkAnswer || c.policy.allowsFile(path, actions) != jdkAnswer) {
            fail("disagreement (seed " + seed + "): " + FileActions.toString(actions) + " \""
                    + path + "\": JDK " + (jdkAnswer ? "allows" : "denies") + ", Airlock " + d
                    + "\npolicy:\n" + c.text);
        }
        String jdkNormalized = jdkNormalized(resolveQuery(path));
        if (jdkNormalized != null) {
            assertEquals(jdkNormalized, d.normalizedPath(), "normalization of " + path);
        }
        if (d.allowed()) {
            assertTrue(c.policy.fileGrantRoots().contains(d.root()), d.root());
            String n = d.normalizedPath();
            assertTrue(
                    d.root().equals("/") || n.equals(d.root()) || n.startsWith(d.root() + "/"),
                    n + " beneath " + d.root());
            assertNotNull(d.rule());
            assertEquals(null, d.reason());
        } else {
            assertEquals(
                    "denied by airlock policy " + c.policy.displayName() + ": " + FileActions.toString(actions),
                    firstPart(d.reason(), d.closest()));
        }
    }

    /** A path at, inside, next to or above one of the policy's file targets. */
    private static String nearGrant(Case c, Random r) {
        List<String> targets = new ArrayList<>();
        for (Permission p : c.granted) {
            if (p instanceof FilePermission && !p.getName().equals("<<ALL FILES>>")) {
                targets.add(p.getName());
            }
        }
        if (targets.isEmpty()) {
            return Generators.path(r);
        }
        String t = targets.get(r.nextInt(targets.size()));
        String[] tails = {"", "/x", "/x/y", "/-", "/*", "/..", "/../x", "-", "*", "/", "/.", "x"};
        String base = r.nextInt(4) == 0 && t.length() > 1 ? t.substring(0, t.length() - 1) : t;
        return base + tails[r.nextInt(tails.length)];
    }

    private static String resolve(String p) {
        if (p.equals("<<ALL FILES>>") || p.startsWith("/")) {
            return p;
        }
        return USER_DIR + "/" + p;
    }

    /** As {@link #resolve} for a requested path, where "<<ALL FILES>>" is a relative name like any other. */
    private static String resolveQuery(String p) {
        return p.startsWith("/") ? p : USER_DIR + "/" + p;
    }

    /** A name no generated grant or query uses: an ordinary sibling in the query's directory. */
    static final String ORDINARY = "airlock-literal-ordinary-name";

    /**
     * The JDK permission that asks what Airlock's literal query of {@code absolute} asks. The JDK
     * reads a final {@code *} or a final name {@code -} of a FilePermission's name as a wildcard,
     * Airlock's queries never do; so where the normalized query ends in such a name, the JDK is
     * asked an equivalent question it reads literally. A name ending in {@code *} followed by a
     * slash is the JDK's plain file of that name (it replaces only a final {@code *}). A plain file
     * named {@code -} has no such spelling, but no grant can name it either (every grant ending in
     * the name {@code -} is recursive), so exactly the grants that imply an ordinary sibling name
     * imply it.
     */
    static FilePermission literal(String absolute, String actions) {
        String n = jdkNormalized(absolute);
        if (n == null) {
            return new FilePermission(absolute, actions); // invalid: only <<ALL FILES>> implies it
        }
        String last = n.substring(n.lastIndexOf('/') + 1);
        if (last.endsWith("*")) {
            return new FilePermission(n + "/", actions);
        }
        if (last.equals("-")) {
            String parent = n.substring(0, n.lastIndexOf('/'));
            return new FilePermission(parent + "/" + ORDINARY, actions);
        }
        return new FilePermission(n, actions);
    }

    private static String jdkNormalized(String absolute) {
        try {
            return Path.of(new File(absolute).getPath()).normalize().toString();
        } catch (InvalidPathException e) {
            return null;
        }
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    // ---- sockets -----------------------------------------------------------------------------

    private static Case socketPolicy(Random r) throws PolicySyntaxException {
        StringBuilder text = new StringBuilder("grant {\n");
        Permissions jdk = new Permissions();
        List<Permission> granted = new ArrayList<>();
        int n = 1 + r.nextInt(10);
        for (int i = 0; i < n; i++) {
            String target = Generators.GRANT_HOSTS[r.nextInt(Generators.GRANT_HOSTS.length)]
                    + Generators.GRANT_PORTS[r.nextInt(Generators.GRANT_PORTS.length)];
            String actions = Generators.socketActions(r, 1 + r.nextInt(15));
            String entry = "  permission java.net.SocketPermission \"" + escape(target) + "\", \"" + actions + "\";\n";
            try {
                SocketPermission p = new SocketPermission(target, actions);
                jdk.add(p);
                granted.add(p);
            } catch (IllegalArgumentException e) {
                // Refused by the JDK's constructor: Airlock refuses the policy.
                assertRefused(entry, e);
                socketRefused++;
                continue;
            }
            text.append(entry);
        }
        if (r.nextInt(25) == 0) {
            text.append("  permission java.security.AllPermission;\n");
            jdk.add(new AllPermission());
            granted.add(new AllPermission());
        }
        text.append("};\n");
        if (r.nextInt(3) == 0) {
            text.append("grant signedBy \"x\" { permission java.net.SocketPermission \"*\","
                    + " \"connect,listen,accept\"; };\n");
        }
        String name = "gen" + counter++ + ".policy";
        return new Case(Policy.parse(name, text.toString()), jdk, text.toString(), granted);
    }

    private static void checkSocketQuery(long seed, Case c, Random r) {
        String host = Generators.QUERY_HOSTS[r.nextInt(Generators.QUERY_HOSTS.length)];
        if (r.nextInt(10) < 3) {
            // A host one of the grants names, as written there.
            List<String> granted = new ArrayList<>();
            for (Permission p : c.granted) {
                if (p instanceof SocketPermission) {
                    String n = p.getName();
                    int close = n.indexOf(']');
                    int colon = n.startsWith("[") ? (close < 0 ? -1 : n.indexOf(':', close)) : n.indexOf(':');
                    granted.add(colon < 0 ? n : n.substring(0, colon));
                }
            }
            if (!granted.isEmpty()) {
                host = granted.get(r.nextInt(granted.size()));
            }
        }
        int port = Generators.QUERY_PORTS[r.nextInt(Generators.QUERY_PORTS.length)];
        int actions = 1 + r.nextInt(15);
        // What the JDK's SecurityManager.checkConnect / checkAccept / checkListen built.
        String h = !host.startsWith("[") && host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        String name = port == -1 ? h : h + ":" + port;
        boolean jdkAnswer;
        try {
            jdkAnswer = c.jdk.implies(new SocketPermission(name, SocketActions.toString(actions)));
        } catch (IllegalArgumentException e) {
            jdkAnswer = false;
        }
        SocketDecision d = c.policy.decideSocket(host, port, actions);
        socketQueries++;
        if (jdkAnswer) {
            socketAllowed++;
        }
        if (d.allowed() != jdkAnswer) {
            fail("disagreement (seed " + seed + "): " + SocketActions.toString(actions) + " \""
                    + name + "\": JDK " + (jdkAnswer ? "allows" : "denies") + ", Airlock " + d
                    + "\npolicy:\n" + c.text);
        }
        if (d.allowed()) {
            assertNotNull(d.rule());
        } else {
            assertEquals(
                    "denied by airlock policy " + c.policy.displayName() + ": " + SocketActions.toString(actions),
                    firstPart(d.reason(), d.closest()));
        }
    }

    /**
     * The part of a denial's reason before the closest grant, which the JDK comparison is about;
     * checks that the rest is exactly the closest grant's sentence.
     */
    private static String firstPart(String reason, java.util.Optional<ClosestGrant> closest) {
        if (closest.isEmpty()) {
            return reason;
        }
        String suffix = " (closest grant: " + closest.get().sentence() + ")";
        assertTrue(reason.endsWith(suffix), reason);
        return reason.substring(0, reason.length() - suffix.length());
    }
}
