package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.unix.Fd;
import dev.airlock.unix.Linux;
import dev.airlock.unix.Processes;
import dev.airlock.unix.SpawnPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The agent checks its channel before it routes anything: the socketpair must have been created
 * by its parent (SO_PEERCRED). Here the test JVM creates a pair and starts a helper JVM with the
 * agent on it, once as its direct child (the check passes) and once under a shell that stays its
 * parent (the check fails and the agent halts the JVM).
 */
class AgentPeerCheckIT {
    private static final Path JAR = Path.of(System.getProperty("airlock.jar", "../dist/target/airlock.jar"))
            .toAbsolutePath();

    private static int runHelper(Jdk jdk, Sandbox s, boolean shellStaysParent, Path out, Path err) throws Exception {
        String java = jdk.java().toString();
        String agent = " -XX:+PerfDisableSharedMem -javaagent:" + JAR + "=channel=3 -cp " + s.app
                + " dev.airlock.it.app.Probe status pause:20000 > " + out + " 2> " + err;
        // With exec the shell becomes the JVM, whose parent is then this test JVM: the pair's creator.
        String script = shellStaysParent ? "'" + java + "'" + agent + "; exit $?" : "exec '" + java + "'" + agent;
        List<String> env = new ArrayList<>();
        System.getenv().forEach((k, v) -> env.add(k + "=" + v));
        Fd[] pair = Linux.seqpacketPair();
        try (Fd mine = pair[0];
                Fd theirs = Linux.dupCloexec(pair[1].get(), 10)) {
            pair[1].close();
            int pid = SpawnPlan.prepare("/bin/sh", List.of("/bin/sh", "-c", script), env, theirs.get(), 3)
                    .spawn();
            if (!shellStaysParent) {
                // The check passed if the probe runs; end it instead of waiting out its pause.
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (!(Files.exists(out) && Files.readString(out).contains("paused"))
                        && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                Processes.kill(pid, 9);
            }
            int status = Processes.waitpid(pid);
            assertTrue(mine.isOpen(), "this end of the pair stayed with its creator");
            return (status & 0x7f) != 0 ? 128 + (status & 0x7f) : (status >> 8) & 0xff;
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void helperWhoseChannelDoesNotComeFromItsParentRefusesToRun(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path out = s.root.resolve("out");
            Path err = s.root.resolve("err");
            int code = runHelper(jdk, s, true, out, err);
            assertEquals(70, code, Files.readString(err));
            String stderr = Files.readString(err);
            assertTrue(
                    stderr.contains("airlock: the broker channel 3 failed its check: airlock channel 3 belongs to pid "
                            + ProcessHandle.current().pid() + ", not to this process's parent "),
                    stderr);
            assertTrue(!Files.readString(out).contains("resumed"), "the application did not run to its end");
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void helperWhoseParentCreatedTheChannelRuns(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path out = s.root.resolve("out");
            Path err = s.root.resolve("err");
            int code = runHelper(jdk, s, false, out, err);
            assertEquals(
                    128 + 9,
                    code,
                    "killed by the test while paused, not halted by the agent: " + Files.readString(err));
            assertTrue(Files.readString(out).startsWith("status OK "), Files.readString(out));
        }
    }
}
