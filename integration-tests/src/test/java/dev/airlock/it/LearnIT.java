package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.it.app.LearnProgram;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code airlock learn} on a small program (its configuration and a missing override, 3 files of
 * a directory of 1,000, a temporary file, its output, directories it creates): the learnt policy
 * exactly, a run under it with no denial and the same output, and a run without any one of its
 * grants failing. The missing override is probed and never created, so it is not learnt;
 * {@code Files.createDirectories} looks at each missing ancestor before it makes it, so those
 * looks are learnt.
 */
class LearnIT {

    private static final String LEARNT = """
            // Learnt by airlock learn: what the program used, and nothing a base policy granted.
            // Each comment says how often and by which operations the permission below it was used.
            grant {
                // 1\u00d7 OPEN
                permission java.io.FilePermission "${user.dir}/big/f3", "read";
                // 1\u00d7 OPEN
                permission java.io.FilePermission "${user.dir}/big/f500", "read";
                // 1\u00d7 OPEN
                permission java.io.FilePermission "${user.dir}/big/f999", "read";
                // 1\u00d7 OPEN
                permission java.io.FilePermission "${user.dir}/conf/app.properties", "read";
                // 1\u00d7 ACCESS
                permission java.io.FilePermission "${user.dir}/out", "read";
                // 1\u00d7 ACCESS, 1\u00d7 MAKE_DIRECTORY
                permission java.io.FilePermission "${user.dir}/out/reports", "read,write";
                // 2\u00d7 MAKE_DIRECTORY
                permission java.io.FilePermission "${user.dir}/out/reports/daily", "write";
                // 1\u00d7 OPEN
                permission java.io.FilePermission "${user.dir}/out/reports/daily/summary.txt", "write";
                // 1\u00d7 OPEN
                permission java.io.FilePermission "${user.dir}/out/result.txt", "write";
            };
            """;

    /** {@code out} as the program first found it: empty (it creates what it writes there). */
    private static void emptied(Path out) throws java.io.IOException {
        try (java.util.stream.Stream<Path> walk = Files.walk(out)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (!p.equals(out)) {
                    Files.delete(p);
                }
            }
        }
    }

    @Test
    void learnsExactlyWhatTheProgramUsedAndNoGrantCanGo() throws Exception {
        try (Sandbox s = new Sandbox()) {
            s.copyClass(LearnProgram.class);
            s.worldReadable(s.app);
            s.file("conf/app.properties", "name=learn\n");
            for (int i = 0; i < 1000; i++) {
                s.file("big/f" + i, "line " + i + "\n");
            }
            Path out = Files.createDirectories(s.data.resolve("out"));
            Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rwxrwxrwx"));
            Path learnt = s.root.resolve("app.policy");
            List<String> program = List.of("-cp", s.app.toString(), LearnProgram.class.getName());

            List<String> learn = new ArrayList<>(List.of(
                    Sandbox.LAUNCHER.toString(),
                    "learn",
                    "--java",
                    Jdk.JDK17.java().toString(),
                    "--output",
                    learnt.toString(),
                    "--"));
            learn.addAll(program);
            Sandbox.Result learning = Sandbox.Result.of(Sandbox.start(learn, s.data), 120);
            assertEquals(0, learning.exitCode(), learning.stderr());
            String expectedOut = "wrote 36 characters: name=learn line 3 line 500 line 999 ";
            assertEquals(List.of(expectedOut), learning.stdout());
            assertTrue(
                    learning.stderr()
                            .contains("airlock: learnt 9 permissions from 11 allowed decisions; wrote " + learnt
                                    + " (the program exited with 0)"),
                    learning.stderr());
            assertEquals(LEARNT, Files.readString(learnt));

            // Learning again into the same file without --append is refused, the file kept.
            Sandbox.Result again = Sandbox.Result.of(Sandbox.start(learn, s.data), 120);
            assertEquals(2, again.exitCode(), again.stderr());
            assertTrue(again.stderr().contains("exists: give --append"), again.stderr());
            assertEquals(LEARNT, Files.readString(learnt));

            // Under the learnt policy: the same output, no denial.
            emptied(out);
            Sandbox.Result confined =
                    Sandbox.Result.of(Sandbox.start(Sandbox.javaCommand(Jdk.JDK17, learnt, program), s.data), 120);
            assertEquals(0, confined.exitCode(), confined.stderr());
            assertEquals(List.of(expectedOut), confined.stdout());
            assertFalse(confined.stderr().contains("denied"), confined.stderr());

            // Without any one grant line, the run fails.
            List<String> lines = LEARNT.lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                if (!lines.get(i).startsWith("    permission ")) {
                    continue;
                }
                List<String> fewer = new ArrayList<>(lines);
                fewer.remove(i);
                Path smaller = s.policy("without-" + i + ".policy", String.join("\n", fewer) + "\n");
                emptied(out);
                Sandbox.Result r =
                        Sandbox.Result.of(Sandbox.start(Sandbox.javaCommand(Jdk.JDK17, smaller, program), s.data), 120);
                assertNotEquals(0, r.exitCode(), "without " + lines.get(i) + ": " + r.stdout());
                assertTrue(r.stderr().contains("denied by airlock policy"), lines.get(i) + ": " + r.stderr());
            }

            // --append merges a second run: the same grants, each used twice.
            emptied(out);
            List<String> append = new ArrayList<>(learn);
            append.add(append.indexOf("--"), "--append");
            Sandbox.Result merged = Sandbox.Result.of(Sandbox.start(append, s.data), 120);
            assertEquals(0, merged.exitCode(), merged.stderr());
            assertEquals(
                    LEARNT.replace("// 2\u00d7 MAKE_DIRECTORY", "// 4\u00d7 MAKE_DIRECTORY")
                            .replace("1\u00d7", "2\u00d7"),
                    Files.readString(learnt));
        }
    }
}
