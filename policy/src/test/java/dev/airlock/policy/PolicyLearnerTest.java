package dev.airlock.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.policy.PolicyLearner.Kind;
import dev.airlock.policy.PolicyLearner.Observation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PolicyLearnerTest {

    private static final PolicyLearner.Properties PROPS = new PolicyLearner.Properties(
            Optional.of("/home/u"), Optional.of("/tmp/airlock-1"), Optional.of("/home/u/project"));

    private static String expand(String name) {
        return switch (name) {
            case "user.home" -> "/home/u";
            case "java.io.tmpdir" -> "/tmp/airlock-1";
            case "user.dir" -> "/home/u/project";
            default -> null;
        };
    }

    private static final String HEAD = PolicyLearner.HEADER + "grant {\n";

    /** Directories on "disk": path → entry count; every path exists. */
    private static PolicyLearner.Directories disk(Map<String, Integer> counts) {
        return disk(counts, Set.of());
    }

    /** Directories on "disk": path → entry count; every path but those {@code gone} exists. */
    private static PolicyLearner.Directories disk(Map<String, Integer> counts, Set<String> gone) {
        return new PolicyLearner.Directories() {
            @Override
            public OptionalInt entryCount(String dir) {
                return counts.containsKey(dir) ? OptionalInt.of(counts.get(dir)) : OptionalInt.empty();
            }

            @Override
            public boolean exists(String path) {
                return !gone.contains(path);
            }
        };
    }

    private static PolicyLearner learner(Map<String, Integer> counts) {
        return new PolicyLearner(PROPS, Optional.empty(), disk(counts));
    }

    private static Observation file(String path, String actions, String op) {
        return new Observation(Kind.FILE, path, FileActions.parse(actions), op, Set.of());
    }

    @Test
    void aScratchFileIsItsDirectorysEntriesForTheActionsItUsed() {
        PolicyLearner l = new PolicyLearner(
                PROPS,
                Optional.empty(),
                disk(Map.of("/w/build", 3), Set.of("/w/build/rep123.tmp", "/w/build/old.txt")));
        l.observe(file("/w/build/rep123.tmp", "read,write", "OPEN"));
        l.observe(file("/w/build/rep123.tmp", "write", "RENAME"));
        l.observe(file("/w/build/notes.txt", "read,write,delete", "RENAME"));
        l.observe(file("/w/build/other.txt", "read", "OPEN"));
        // Removed, never written: an input the program consumed is no scratch file; its delete stays exact.
        l.observe(file("/w/build/old.txt", "read,delete", "REMOVE"));
        l.observe(file("/w/out.txt", "write", "OPEN"));
        assertEquals(HEAD + """
                    // 2\u00d7 OPEN, 2\u00d7 RENAME, 1\u00d7 REMOVE (4 entries)
                    permission java.io.FilePermission "/w/build/*", "read,write";
                    // 1\u00d7 RENAME
                    permission java.io.FilePermission "/w/build/notes.txt", "delete";
                    // 1\u00d7 REMOVE
                    permission java.io.FilePermission "/w/build/old.txt", "delete";
                    // 1\u00d7 OPEN
                    permission java.io.FilePermission "/w/out.txt", "write";
                };
                """, l.policyText());
    }

    @Test
    void threeFilesOfAThousandAreThreeFileGrants() {
        PolicyLearner l = learner(Map.of("/data/big", 1000));
        for (int i : new int[] {7, 512, 999}) {
            l.observe(file("/data/big/f" + i, "read", "OPEN"));
        }
        l.observe(file("/data/big/f7", "read", "STAT"));
        assertEquals(HEAD + """
                    // 1\u00d7 OPEN
                    permission java.io.FilePermission "/data/big/f512", "read";
                    // 1\u00d7 OPEN, 1\u00d7 STAT
                    permission java.io.FilePermission "/data/big/f7", "read";
                    // 1\u00d7 OPEN
                    permission java.io.FilePermission "/data/big/f999", "read";
                };
                """, l.policyText());
    }

    @Test
    void manyEntriesOfADirectoryCollapseToItsEntries() {
        PolicyLearner l = learner(Map.of("/src/pkg", 12));
        for (int i = 0; i < 10; i++) {
            l.observe(file("/src/pkg/C" + i + ".java", "read", "OPEN"));
        }
        // Write was used on one entry only: it stays a file grant, and its OPEN counts only there.
        l.observe(file("/src/pkg/C0.java", "write", "OPEN"));
        assertEquals(HEAD + """
                    // 10\u00d7 OPEN (10 entries)
                    permission java.io.FilePermission "/src/pkg/*", "read";
                    // 1\u00d7 OPEN
                    permission java.io.FilePermission "/src/pkg/C0.java", "write";
                };
                """, l.policyText());
    }

    @Test
    void fewerThanTheMinimumOrHalfDoNotCollapse() {
        PolicyLearner few = learner(Map.of("/d", 7));
        for (int i = 0; i < PolicyLearner.MIN_ENTRIES - 1; i++) {
            few.observe(file("/d/" + i, "read", "OPEN"));
        }
        assertFalse(few.policyText().contains("/d/*"), few.policyText());
        PolicyLearner half = learner(Map.of("/d", 21));
        for (int i = 0; i < 10; i++) {
            half.observe(file("/d/" + i, "read", "OPEN"));
        }
        assertFalse(half.policyText().contains("/d/*"), half.policyText());
        // Unknown on disk (gone, unreadable): never collapses.
        PolicyLearner unknown = learner(Map.of());
        for (int i = 0; i < 20; i++) {
            unknown.observe(file("/d/" + i, "read", "OPEN"));
        }
        assertFalse(unknown.policyText().contains("/d/*"), unknown.policyText());
    }

    @Test
    void aTreeWhoseEveryUsedDirectoryCollapsesIsOneTreeGrant() {
        Map<String, Integer> counts = new java.util.HashMap<>();
        counts.put("/r", 9);
        PolicyLearner l = learner(counts);
        for (int d = 0; d < 9; d++) {
            counts.put("/r/d" + d, 8);
            for (int f = 0; f < 8; f++) {
                l.observe(file("/r/d" + d + "/f" + f, "read", "OPEN"));
            }
        }
        assertEquals(HEAD + """
                    // 72\u00d7 OPEN (72 entries)
                    permission java.io.FilePermission "/r/-", "read";
                };
                """, l.policyText());
    }

    @Test
    void propertiesLongestMatchFirst() {
        PolicyLearner l = learner(Map.of());
        l.observe(file("/home/u/.m2/settings.xml", "read", "OPEN"));
        l.observe(file("/home/u/project/src/A.java", "read", "OPEN"));
        l.observe(file("/home/u/project", "read", "OPENDIR"));
        l.observe(file("/tmp/airlock-1/x.tmp", "write,delete", "OPEN"));
        l.observe(file("/home/user2/a", "read", "OPEN"));
        String text = l.policyText();
        assertEquals(HEAD + """
                    // 1\u00d7 OPEN
                    permission java.io.FilePermission "${user.home}/.m2/settings.xml", "read";
                    // 1\u00d7 OPENDIR
                    permission java.io.FilePermission "${user.dir}", "read";
                    // 1\u00d7 OPEN
                    permission java.io.FilePermission "${user.dir}/src/A.java", "read";
                    // 1\u00d7 OPEN
                    permission java.io.FilePermission "/home/user2/a", "read";
                    // 1\u00d7 OPEN
                    permission java.io.FilePermission "${java.io.tmpdir}/x.tmp", "write,delete";
                };
                """, text);
    }

    @Test
    void nothingTheBaseGrantsAndOnlyTheActionsItLacks() throws Exception {
        Policy base = Policy.parse("base.policy", """
                grant {
                  permission java.io.FilePermission "/etc/-", "read";
                  permission java.net.SocketPermission "db.example.com:5432", "connect";
                };
                """);
        PolicyLearner l = new PolicyLearner(PROPS, Optional.of(base), disk(Map.of()));
        l.observe(file("/etc/hosts", "read", "OPEN"));
        l.observe(file("/etc/app.conf", "read,write", "OPEN"));
        l.observe(new Observation(
                Kind.SOCKET, "10.0.0.5:5432", SocketActions.CONNECT, "CONNECT", Set.of("db.example.com")));
        assertEquals(HEAD + """
                    // 1\u00d7 OPEN
                    permission java.io.FilePermission "/etc/app.conf", "write";
                };
                """, l.policyText());
    }

    @Test
    void actionsAreTheUnionAskedAndNoMore() {
        PolicyLearner l = learner(Map.of());
        l.observe(file("/a", "read", "OPEN"));
        l.observe(file("/a", "read", "STAT"));
        l.observe(file("/a", "write", "OPEN"));
        l.observe(file("/a", "read", "OPEN"));
        assertEquals(HEAD + """
                    // 3\u00d7 OPEN, 1\u00d7 STAT
                    permission java.io.FilePermission "/a", "read,write";
                };
                """, l.policyText());
    }

    @Test
    void socketsByResolvedNameEphemeralListenAndNoRedundantResolve() {
        PolicyLearner l = learner(Map.of());
        l.observe(new Observation(Kind.SOCKET, "api.example.com", SocketActions.RESOLVE, "RESOLVE", Set.of()));
        l.observe(new Observation(
                Kind.SOCKET, "93.184.216.34:443", SocketActions.CONNECT, "CONNECT", Set.of("api.example.com")));
        l.observe(new Observation(Kind.SOCKET, "0.0.0.0:0", SocketActions.LISTEN, "LISTEN", Set.of()));
        l.observe(new Observation(Kind.SOCKET, "localhost", SocketActions.RESOLVE, "RESOLVE", Set.of()));
        l.observe(new Observation(Kind.SOCKET, "10.1.1.1:80", SocketActions.CONNECT, "CONNECT", Set.of()));
        l.observe(new Observation(Kind.SOCKET, "other.example", SocketActions.RESOLVE, "RESOLVE", Set.of()));
        assertEquals(HEAD + """
                    // 1\u00d7 CONNECT
                    permission java.net.SocketPermission "10.1.1.1:80", "connect";
                    // 1\u00d7 RESOLVE
                    permission java.net.SocketPermission "api.example.com", "resolve";
                    // 1\u00d7 CONNECT
                    permission java.net.SocketPermission "api.example.com:443", "connect";
                    // 1\u00d7 LISTEN
                    permission java.net.SocketPermission "localhost:0", "listen";
                    // 1\u00d7 RESOLVE
                    permission java.net.SocketPermission "other.example", "resolve";
                };
                """, l.policyText());
    }

    @Test
    void aLearntPolicyGrantsEveryObservationAndDeniesNearMisses() throws Exception {
        Map<String, Integer> counts = Map.of("/home/u/project/src", 10, "/data", 1000);
        PolicyLearner l = learner(counts);
        List<Observation> seen = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            seen.add(file("/home/u/project/src/S" + i + ".java", "read", "OPEN"));
        }
        seen.add(file("/data/one", "read", "OPEN"));
        seen.add(file("/data/two", "read,readlink", "READLINK"));
        seen.add(file("/tmp/airlock-1/t", "read,write,delete", "OPEN"));
        seen.add(new Observation(
                Kind.SOCKET, "93.184.216.34:443", SocketActions.CONNECT, "CONNECT", Set.of("api.example.com")));
        seen.add(new Observation(Kind.SOCKET, "0.0.0.0:0", SocketActions.LISTEN, "LISTEN", Set.of()));
        seen.forEach(l::observe);
        Policy learnt = Policy.parse("app.policy", l.policyText(), PolicyLearnerTest::expand);
        assertEquals(List.of(), learnt.warnings());
        for (Observation o : seen) {
            if (o.kind() == Kind.FILE) {
                assertTrue(learnt.allowsFile(o.target(), o.actions()), o.toString());
            }
        }
        assertTrue(learnt.decideConnect(new byte[] {93, (byte) 184, (byte) 216, 34}, 443, Set.of("api.example.com"))
                .allowed());
        assertTrue(learnt.decideListen(new byte[4], 0).allowed());
        // Near misses.
        assertFalse(learnt.allowsFile("/data/three", FileActions.READ));
        assertFalse(learnt.allowsFile("/data/one", FileActions.WRITE));
        assertFalse(learnt.allowsFile("/home/u/project/src", FileActions.READ));
        assertFalse(learnt.allowsFile("/home/u/project/src/sub/X.java", FileActions.READ));
        assertFalse(learnt.allowsFile("/home/u/project/src/S0.java", FileActions.WRITE));
        assertFalse(learnt.allowsFile("/tmp/airlock-1/u", FileActions.READ));
        assertFalse(learnt.decideConnect(new byte[] {93, (byte) 184, (byte) 216, 34}, 443, Set.of())
                .allowed());
        assertFalse(learnt.decideConnect(new byte[] {93, (byte) 184, (byte) 216, 34}, 80, Set.of("api.example.com"))
                .allowed());
        assertFalse(learnt.decideListen(new byte[4], 8080).allowed());
    }

    @Test
    void mergeReadsBackCountsAndJudgesTheCollapseOverBothRuns() throws Exception {
        Map<String, Integer> counts = Map.of("/d", 10);
        PolicyLearner first = learner(counts);
        for (int i = 0; i < 5; i++) {
            first.observe(file("/d/" + i, "read", "OPEN"));
        }
        first.observe(file("/home/u/project/out", "write", "OPEN"));
        first.observe(new Observation(Kind.SOCKET, "0.0.0.0:0", SocketActions.LISTEN, "LISTEN", Set.of()));
        String earlier = first.policyText();
        assertFalse(earlier.contains("/d/*"), earlier);

        PolicyLearner second = learner(counts);
        second.merge("app.policy", earlier);
        for (int i = 5; i < 10; i++) {
            second.observe(file("/d/" + i, "read", "OPEN"));
        }
        second.observe(file("/home/u/project/out", "write", "OPEN"));
        assertEquals(HEAD + """
                    // 10\u00d7 OPEN (10 entries)
                    permission java.io.FilePermission "/d/*", "read";
                    // 2\u00d7 OPEN
                    permission java.io.FilePermission "${user.dir}/out", "write";
                    // 1\u00d7 LISTEN
                    permission java.net.SocketPermission "localhost:0", "listen";
                };
                """, second.policyText());

        // A kept wildcard takes the new observations beneath it.
        PolicyLearner third = learner(Map.of());
        third.merge("app.policy", second.policyText());
        third.observe(file("/d/0", "read", "STAT"));
        assertTrue(third.policyText().contains("// 10\u00d7 OPEN, 1\u00d7 STAT (10 entries)\n"), third.policyText());
    }

    @Test
    void mergeRefusesAFileItDidNotWrite() {
        PolicyLearner l = learner(Map.of());
        PolicySyntaxException e = assertThrows(
                PolicySyntaxException.class,
                () -> l.merge("hand.policy", "grant { permission java.io.FilePermission \"/a\", \"read\"; };\n"));
        assertEquals(
                "hand.policy:1:1: not a learnt policy: it does not start with the comment airlock learn writes,"
                        + " so --append cannot merge it",
                e.getMessage());
        PolicySyntaxException noCount = assertThrows(
                PolicySyntaxException.class,
                () -> l.merge(
                        "edited.policy",
                        HEAD + "    // often\n    permission java.io.FilePermission \"/a\", \"read\";\n};\n"));
        assertEquals(
                "edited.policy:4:1: not in the layout airlock learn writes: expected a count such as 12\u00d7 OPEN,"
                        + " so --append cannot merge it",
                noCount.getMessage());
        assertThrows(PolicySyntaxException.class, () -> l.merge("broken.policy", HEAD + "    permission"));
    }
}
