package dev.airlock.policy;

import static dev.airlock.policy.FileActions.EXECUTE;
import static dev.airlock.policy.FileActions.READ;
import static dev.airlock.policy.FileActions.WRITE;
import static dev.airlock.policy.SocketActions.CONNECT;
import static dev.airlock.policy.SocketActions.LISTEN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which grant a denial names as the closest, for each kind of near miss, and when it names none. */
class ClosestGrantTest {

    private static final Map<String, String> PROPS = Map.of("user.home", "/home/u", "user.dir", "/work/app");

    private static Policy policy(String text) throws PolicySyntaxException {
        return Policy.parse("app.policy", text, PROPS::get);
    }

    /** The closest grant's sentence for a denied file request. */
    private static String file(Policy p, String path, int actions) {
        FileDecision d = p.decideFile(path, actions);
        assertFalse(d.allowed(), path);
        return d.closest().map(ClosestGrant::sentence).orElse("none");
    }

    private static String socket(Policy p, String host, int port, int actions) {
        SocketDecision d = p.decideSocket(host, port, actions);
        assertFalse(d.allowed(), host + ":" + port);
        return d.closest().map(ClosestGrant::sentence).orElse("none");
    }

    @Test
    void aGrantOnThePathThatLacksAnActionIsClosestAndTheReasonNamesIt() throws Exception {
        Policy p = policy("""
                grant {
                  permission java.io.FilePermission "/data/in/-", "read";
                };
                """);
        FileDecision d = p.decideFile("/data/in/x", WRITE);
        ClosestGrant c = d.closest().orElseThrow();
        assertEquals("app.policy:2", c.rule());
        assertEquals("/data/in/-", c.target());
        assertEquals("read", c.actions());
        assertEquals("app.policy:2 \"/data/in/-\" grants read, not write", c.sentence());
        assertEquals(
                "denied by airlock policy app.policy: write (closest grant: app.policy:2 \"/data/in/-\" grants read,"
                        + " not write)",
                d.reason());
        assertEquals(Optional.empty(), p.decideFile("/data/in/x", READ).closest(), "nothing when allowed");
    }

    @Test
    void theMostSpecificCoveringTargetWinsAndTheSentenceNamesOnlyWhatNoGrantGave() throws Exception {
        Policy p = policy("""
                grant {
                  permission java.io.FilePermission "<<ALL FILES>>", "execute";
                  permission java.io.FilePermission "/a/-", "read";
                  permission java.io.FilePermission "/a/b/-", "read";
                  permission java.io.FilePermission "/a/b/*", "read";
                  permission java.io.FilePermission "/a/b/f", "read";
                };
                """);
        assertEquals("app.policy:6 \"/a/b/f\" grants read, not write", file(p, "/a/b/f", WRITE));
        assertEquals("app.policy:5 \"/a/b/*\" grants read, not write", file(p, "/a/b/g", WRITE));
        assertEquals("app.policy:4 \"/a/b/-\" grants read, not write", file(p, "/a/b/c/d", WRITE));
        assertEquals("app.policy:3 \"/a/-\" grants read, not write", file(p, "/a/x", WRITE));
        assertEquals("app.policy:2 \"<<ALL FILES>>\" grants execute, not write", file(p, "/etc/x", WRITE));
        // read comes from /a/b/f and execute from <<ALL FILES>>: only write is missing.
        assertEquals("app.policy:6 \"/a/b/f\" grants read, not write", file(p, "/a/b/f", READ | WRITE | EXECUTE));
    }

    @Test
    void tiesGoToMoreRequestedActionsThenToPolicyOrder() throws Exception {
        Policy p = policy("""
                grant {
                  permission java.io.FilePermission "/d/-", "execute";
                  permission java.io.FilePermission "/d/-", "read";
                  permission java.io.FilePermission "/d/-", "delete";
                };
                """);
        assertEquals("app.policy:3 \"/d/-\" grants read, not write", file(p, "/d/x", READ | WRITE));
        assertEquals("app.policy:2 \"/d/-\" grants execute, not write", file(p, "/d/x", WRITE));
        // The same answer every time, whatever order the index keeps grants in.
        for (int i = 0; i < 3; i++) {
            assertEquals("app.policy:2 \"/d/-\" grants execute, not write", file(policy("""
                    grant {
                      permission java.io.FilePermission "/d/-", "execute";
                      permission java.io.FilePermission "/d/-", "read";
                      permission java.io.FilePermission "/d/-", "delete";
                    };
                    """), "/d/x", WRITE));
        }
    }

    @Test
    void entriesOfADirectoryAreOneLevelUnlikeTheTree() throws Exception {
        Policy p = policy("""
                grant {
                  permission java.io.FilePermission "/data/in/*", "read";
                  permission java.io.FilePermission "/data/out/-", "write";
                };
                """);
        assertTrue(p.decideFile("/data/in/x", READ).allowed());
        assertEquals(
                "app.policy:2 \"/data/in/*\" grants read on the entries of /data/in, not on /data/in/sub/x:"
                        + " the * covers one level",
                file(p, "/data/in/sub/x", READ));
        assertTrue(p.decideFile("/data/out/sub/x", WRITE).allowed());
        assertEquals(
                "app.policy:2 \"/data/in/*\" grants read on the entries of /data/in, not on /data/in itself",
                file(p, "/data/in", READ));
        assertEquals(
                "app.policy:3 \"/data/out/-\" grants write beneath /data/out, not on /data/out itself",
                file(p, "/data/out", WRITE));
    }

    @Test
    void anAncestorsOwnNameOrASiblingIsNearWhenNothingCoversThePath() throws Exception {
        Policy p = policy("""
                grant {
                  permission java.io.FilePermission "/srv", "read";
                  permission java.io.FilePermission "/srv/app/a.conf", "read";
                  permission java.io.FilePermission "/srv/app/b.conf", "read,write";
                };
                """);
        // Siblings share the deepest directory; the one with more requested actions wins.
        assertEquals(
                "app.policy:4 \"/srv/app/b.conf\" grants read,write on /srv/app/b.conf, not on its sibling"
                        + " /srv/app/c.conf",
                file(p, "/srv/app/c.conf", READ | WRITE));
        assertEquals(
                "app.policy:3 \"/srv/app/a.conf\" grants read on /srv/app/a.conf, not on its sibling"
                        + " /srv/app/c.conf",
                file(p, "/srv/app/c.conf", READ));
        assertEquals(
                "app.policy:2 \"/srv\" grants read on /srv itself, not on what is beneath it",
                file(p, "/srv/other/x", READ));
        assertEquals("none", file(p, "/etc/passwd", READ));
        assertEquals("none", file(p, "/", READ));
    }

    @Test
    void targetsAreShownAsExpandedAndNormalized() throws Exception {
        Policy p = policy("""
                grant {
                  permission java.io.FilePermission "${user.home}/.config/-", "read";
                  permission java.io.FilePermission "logs/*", "write";
                };
                """);
        assertEquals("app.policy:2 \"/home/u/.config/-\" grants read, not write", file(p, "/home/u/.config/x", WRITE));
        assertEquals("app.policy:3 \"/work/app/logs/*\" grants write, not read", file(p, "logs/today", READ));
    }

    @Test
    void anInvalidPathIsNearOnlyToAllFiles() throws Exception {
        Policy some = policy("grant { permission java.io.FilePermission \"/a/-\", \"read\"; };");
        assertEquals("none", file(some, "/a/x\u0000y", READ));
        Policy all = policy("grant { permission java.io.FilePermission \"<<ALL FILES>>\", \"read\"; };");
        assertEquals("app.policy:1 \"<<ALL FILES>>\" grants read, not write", file(all, "/a/x\u0000y", WRITE));
    }

    @Test
    void anEmptyPolicyNamesNothing() {
        FileDecision d = Policy.empty().decideFile("/x", READ);
        assertEquals(Optional.empty(), d.closest());
        assertEquals("denied by airlock policy (none): read", d.reason());
    }

    @Test
    void socketsOnTheSameHostWithOtherPortsOrActions() throws Exception {
        Policy p = policy("""
                grant {
                  permission java.net.SocketPermission "db.example.com:5432", "connect";
                  permission java.net.SocketPermission "db.example.com:6000-6010", "accept";
                  permission java.net.SocketPermission "cache.example.com:5433", "connect";
                };
                """);
        assertEquals(
                "app.policy:2 \"db.example.com:5432\" grants connect, not on port 5433",
                socket(p, "db.example.com", 5433, CONNECT));
        // Fewer ways of missing first: the port range covers 6001 but lacks listen.
        assertEquals(
                "app.policy:3 \"db.example.com:6000-6010\" grants accept, not listen",
                socket(p, "DB.example.com", 6001, LISTEN));
        // Both miss once; the grant with the requested action wins.
        assertEquals(
                "app.policy:2 \"db.example.com:5432\" grants connect, not on port 6001",
                socket(p, "db.example.com", 6001, CONNECT));
        assertEquals(
                "app.policy:2 \"db.example.com:5432\" grants connect, not listen and not on port 7000",
                socket(p, "db.example.com", 7000, LISTEN));
        assertEquals(
                "app.policy:4 \"cache.example.com:5433\" grants connect on port 5433, for another host",
                socket(p, "other.example.com", 5433, CONNECT));
        assertEquals("none", socket(p, "other.example.com", 80, CONNECT));
        assertEquals(Optional.empty(), p.decideResolve("evil.example.net").closest());
    }

    @Test
    void anAddressDecisionNamesTheClosestGrantOfTheLiteralOrElseOfItsNames() throws Exception {
        Policy p = policy("""
                grant {
                  permission java.net.SocketPermission "db:5432", "connect";
                };
                """);
        byte[] local = {127, 0, 0, 1};
        SocketDecision d = p.decideConnect(local, 5433, Set.of("db"));
        assertEquals(
                "denied by airlock policy app.policy: connect 127.0.0.1:5433 (closest grant: app.policy:2 \"db:5432\""
                        + " grants connect, not on port 5433)",
                d.reason());
        assertEquals(
                "none",
                p.decideConnect(local, 80, Set.of())
                        .closest()
                        .map(ClosestGrant::sentence)
                        .orElse("none"));
    }

    @Test
    void aDeniedBindNamesTheListenGrantOnLocalhost() throws Exception {
        Policy p = policy("grant { permission java.net.SocketPermission \"localhost:8080\", \"listen\"; };");
        assertEquals(
                "denied by airlock policy app.policy: listen 0.0.0.0:8081 (closest grant: app.policy:1"
                        + " \"localhost:8080\" grants listen, not on port 8081)",
                p.decideListen(new byte[4], 8081).reason());
    }

    @Test
    void explainShowsTheSameClosestGrant() throws Exception {
        Policy p = policy("grant { permission java.io.FilePermission \"/data/in/-\", \"read\"; };");
        assertEquals(
                "DENY write /data/in/x (closest grant: app.policy:1 \"/data/in/-\" grants read, not write)",
                new PolicyExplainer(p).explain("write /data/in/x"));
        assertEquals("DENY write /etc/x", new PolicyExplainer(p).explain("write /etc/x"));
    }
}
