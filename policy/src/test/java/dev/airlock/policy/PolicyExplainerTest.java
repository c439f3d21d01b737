package dev.airlock.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.StringReader;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyExplainerTest {

    private static final PolicyExplainer EXPLAINER;

    static {
        try {
            EXPLAINER = new PolicyExplainer(Policy.parse("app.policy", """
          grant {
            permission java.io.FilePermission "/srv/data/-", "read";
            permission java.io.FilePermission "/srv/data/out/*", "write";
            permission java.net.SocketPermission "db.example.com:5432", "connect";
            permission java.net.SocketPermission "[::1]:8080", "accept";
            permission java.net.SocketPermission "localhost:0", "listen";
          };
          """, Map.of("user.dir", "/work")::get));
        } catch (PolicySyntaxException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void fileQueries() {
        assertEquals("ALLOW read /srv/data/x by app.policy:2", EXPLAINER.explain("read /srv/data/x"));
        assertEquals(
                "ALLOW read,write /srv/data/out/r by app.policy:2",
                EXPLAINER.explain("  read,write   /srv/data/out/r  \r"));
        assertEquals("DENY read /etc/shadow", EXPLAINER.explain("read /etc/shadow"));
        assertEquals(
                "ALLOW read /srv/data/in/../x as /srv/data/x by app.policy:2",
                EXPLAINER.explain("read /srv/data/in/../x"));
        assertEquals("DENY read rel/x as /work/rel/x", EXPLAINER.explain("read rel/x"));
        assertEquals("ALLOW READ /srv/data/with space by app.policy:2", EXPLAINER.explain("READ /srv/data/with space"));
    }

    @Test
    void socketQueries() {
        assertEquals(
                "ALLOW connect db.example.com:5432 by app.policy:4", EXPLAINER.explain("connect db.example.com:5432"));
        assertEquals(
                "DENY connect db.example.com:5433"
                        + " (closest grant: app.policy:4 \"db.example.com:5432\" grants connect, not on port 5433)",
                EXPLAINER.explain("connect db.example.com:5433"));
        assertEquals("ALLOW accept [::1]:8080 by app.policy:5", EXPLAINER.explain("accept [::1]:8080"));
        assertEquals("ALLOW listen localhost:0 by app.policy:6", EXPLAINER.explain("listen localhost:0"));
        assertEquals("ALLOW resolve db.example.com by app.policy:4", EXPLAINER.explain("resolve db.example.com"));
        assertEquals("DENY resolve evil.example.com", EXPLAINER.explain("resolve evil.example.com"));
        assertEquals("ALLOW resolve localhost by app.policy:6", EXPLAINER.explain("resolve localhost"));
        assertEquals(
                "ALLOW resolve localhost by " + Policy.LOCALHOST_RULE,
                new PolicyExplainer(Policy.empty()).explain("resolve localhost"));
        assertEquals("ALLOW resolve 10.1.2.3 by " + Policy.LITERAL_RULE, EXPLAINER.explain("resolve 10.1.2.3"));
        assertEquals(
                "ALLOW resolve [2001:db8::1] by " + Policy.LITERAL_RULE, EXPLAINER.explain("resolve [2001:db8::1]"));
    }

    @Test
    void malformedQueriesGetAnErrorLine() {
        assertEquals(
                "ERROR frobnicate /x: expected file actions (read, write, execute, delete,"
                        + " readlink) or socket actions (connect, listen, accept, resolve), found 'frobnicate'",
                EXPLAINER.explain("frobnicate /x"));
        assertEquals("ERROR read: expected ACTION TARGET, found no target", EXPLAINER.explain("read"));
        assertEquals("ERROR : expected ACTION TARGET, found an empty query", EXPLAINER.explain("  "));
        assertEquals("ERROR connect db: expected HOST:PORT, found no port", EXPLAINER.explain("connect db"));
        assertEquals(
                "ERROR connect db:http: expected a port from 0 to 65535 after ':', found 'http'",
                EXPLAINER.explain("connect db:http"));
        assertEquals(
                "ERROR connect db:65536: expected a port from 0 to 65535 after ':', found" + " '65536'",
                EXPLAINER.explain("connect db:65536"));
        assertEquals(
                "ERROR connect ::1:80: expected HOST:PORT with an IPv6 address in brackets"
                        + " ([::1]:80), found '::1:80'",
                EXPLAINER.explain("connect ::1:80"));
        assertEquals(
                "ERROR connect [::1:80: expected ']' after an IPv6 address, found none",
                EXPLAINER.explain("connect [::1:80"));
        assertEquals(
                "ERROR read,connect /x: expected file actions (read, write, execute, delete,"
                        + " readlink) or socket actions (connect, listen, accept, resolve), found 'read,connect'",
                EXPLAINER.explain("read,connect /x"));
    }

    @Test
    void saysWhetherTheAnswerIsAnError() {
        StringBuilder out = new StringBuilder();
        assertTrue(EXPLAINER.explain("read /srv/data/x", out));
        out.setLength(0);
        assertTrue(EXPLAINER.explain("read /etc/shadow", out));
        assertTrue(out.toString().startsWith("DENY "));
        out.setLength(0);
        assertTrue(EXPLAINER.explain("connect db.example.com:5433", out));
        for (String bad :
                new String[] {"frobnicate /x", "read", "  ", "connect db", "connect [::1:80", "connect ::1:80"}) {
            out.setLength(0);
            assertFalse(EXPLAINER.explain(bad, out), bad);
            assertTrue(out.toString().startsWith("ERROR "), out.toString());
        }
    }

    @Test
    void streamsQueriesAndKeepsGoingAfterErrors() throws Exception {
        StringBuilder out = new StringBuilder();
        PolicyExplainer.Tally n = EXPLAINER.explainAll(
                new BufferedReader(
                        new StringReader("# a comment\nread /srv/data/a\n\nbogus\nconnect db.example.com:5432\n")),
                out);
        assertEquals(new PolicyExplainer.Tally(3, 1), n);
        assertEquals("""
        ALLOW read /srv/data/a by app.policy:2
        ERROR bogus: expected ACTION TARGET, found no target
        ALLOW connect db.example.com:5432 by app.policy:4
        """, out.toString());
    }

    @Test
    void aMillionQueriesAreAnsweredOneLineEach() throws Exception {
        // Streaming must not hold the answers: a million queries give a million lines. How fast they
        // go is measured by the decision benchmark (bench/), not asserted by a test on a shared machine.
        StringBuilder in = new StringBuilder();
        String[] queries = {
            "read /srv/data/a/b/c.txt",
            "write /srv/data/out/x",
            "read /etc/passwd",
            "connect db.example.com:5432",
            "accept [::1]:8080"
        };
        for (int i = 0; i < 1_000_000; i++) {
            in.append(queries[i % queries.length]).append('\n');
        }
        CountingAppendable out = new CountingAppendable();
        PolicyExplainer.Tally n = EXPLAINER.explainAll(new BufferedReader(new StringReader(in.toString())), out);
        assertEquals(new PolicyExplainer.Tally(1_000_000, 0), n);
        assertEquals(1_000_000, out.lines);
    }

    private static final class CountingAppendable implements Appendable {
        long lines;

        @Override
        public Appendable append(CharSequence csq) {
            for (int i = 0; i < csq.length(); i++) {
                if (csq.charAt(i) == '\n') {
                    lines++;
                }
            }
            return this;
        }

        @Override
        public Appendable append(CharSequence csq, int start, int end) {
            return append(csq.subSequence(start, end));
        }

        @Override
        public Appendable append(char c) {
            if (c == '\n') {
                lines++;
            }
            return this;
        }
    }
}
