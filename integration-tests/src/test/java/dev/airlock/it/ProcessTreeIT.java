package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.it.app.ProcessProbe;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The helper's session and process tree: a session of its own with no controlling terminal (yet
 * the caller's terminal as its standard streams), every process it leaves behind ended when
 * {@code airlock run} returns, the helper ended when the broker is killed, and no root helper.
 * Witnesses are the kernel's {@code /proc} entries, read from this test JVM.
 */
class ProcessTreeIT {
    /** Runs the process probe with {@code operations}, output to a file (a leftover process could hold a pipe open). */
    private static Run run(Jdk jdk, Sandbox s, String... operations) throws Exception {
        Path out = Files.createTempFile(s.root, "out", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command(jdk, s, operations))
                .redirectOutput(out.toFile())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.PIPE);
        builder.environment().put("AIRLOCK_JAVA", Jdk.JDK17.java().toString());
        Process broker = builder.start();
        broker.getOutputStream().close();
        assertTrue(broker.waitFor(120, TimeUnit.SECONDS), "airlock run did not end");
        return new Run(broker.exitValue(), Files.readAllLines(out));
    }

    private static List<String> command(Jdk jdk, Sandbox s, String... operations) throws IOException {
        copyProbe(s);
        List<String> javaArgs = new ArrayList<>(List.of("-cp", s.app.toString(), ProcessProbe.class.getName()));
        javaArgs.addAll(List.of(operations));
        return Sandbox.javaCommand(jdk, null, javaArgs);
    }

    static void copyProbe(Sandbox s) throws IOException {
        String resource = ProcessProbe.class.getName().replace('.', '/') + ".class";
        Path target = s.app.resolve(resource);
        Files.createDirectories(target.getParent());
        try (InputStream in = ProcessProbe.class.getClassLoader().getResourceAsStream(resource)) {
            Files.write(target, in.readAllBytes());
        }
        s.worldReadable(s.app);
    }

    record Run(int exitCode, List<String> lines) {
        String answer(String operation) {
            for (String line : lines) {
                if (line.startsWith(operation + " ")) {
                    return line.substring(operation.length() + 1);
                }
            }
            throw new AssertionError("no answer for " + operation + " in " + lines);
        }
    }

    /** Whether {@code pid} is still a live (not zombie) process that runs the probe. */
    private static boolean probeAlive(long pid) {
        Path proc = Path.of("/proc", String.valueOf(pid));
        try {
            String stat = Files.readString(proc.resolve("stat"), StandardCharsets.ISO_8859_1);
            String state = stat.substring(stat.lastIndexOf(')') + 2).split(" ", -1)[0];
            String cmdline = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8);
            return !state.equals("Z") && cmdline.contains(ProcessProbe.class.getName());
        } catch (IOException gone) {
            return false;
        }
    }

    private static boolean goneWithin(long pid, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (probeAlive(pid)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    private static String[] fields(String answer) {
        assertTrue(answer.startsWith("OK "), answer);
        return answer.substring(3).split(" ");
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void helperLeadsASessionOfItsOwnWithoutAControllingTerminal(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            String[] f = fields(run(jdk, s, "session").answer("session"));
            // pid P ppid B pgrp G session S tty_nr T
            assertEquals(f[1], f[7], "session == pid: the helper leads a new session");
            assertEquals(f[1], f[5], "process group == pid: it leads its own group");
            assertEquals("0", f[9], "no controlling terminal");
        }
    }

    /**
     * An interactive program keeps working with a terminal as its standard streams: run under
     * script(1), the broker's and so the helper's stdin and stdout are a pty, which the helper
     * reads and writes without it being its controlling terminal.
     */
    @ParameterizedTest
    @EnumSource(Jdk.class)
    void programOnATerminalStillReadsAndWritesIt(Jdk jdk) throws Exception {
        Path script = Path.of("/usr/bin/script");
        Assumptions.assumeTrue(Files.isExecutable(script), "needs script(1) from util-linux to give the run a pty");
        try (Sandbox s = new Sandbox()) {
            StringBuilder shell = new StringBuilder();
            for (String word : command(jdk, s, "session", "read-line")) {
                shell.append('\'').append(word.replace("'", "'\\''")).append("' ");
            }
            ProcessBuilder builder = new ProcessBuilder(script.toString(), "-qec", shell.toString(), "/dev/null")
                    .redirectErrorStream(true);
            builder.environment().put("AIRLOCK_JAVA", Jdk.JDK17.java().toString());
            Process process = builder.start();
            try (OutputStream in = process.getOutputStream()) {
                in.write("typed at the terminal\n".getBytes(StandardCharsets.UTF_8));
            }
            String output =
                    new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).replace("\r", "");
            assertTrue(process.waitFor(120, TimeUnit.SECONDS));
            assertEquals(0, process.exitValue(), output);
            assertTrue(output.contains("read-line OK read typed at the terminal\n"), output);
            assertTrue(
                    output.matches("(?s).*session OK pid \\d+ ppid \\d+ pgrp \\d+ session \\d+ tty_nr 0\n.*"),
                    "the helper has no controlling terminal although its stdin is one: " + output);
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void childLeftRunningIsEndedWhenTheRunReturns(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Run r = run(jdk, s, "child", "orphan", "new-session-child");
            assertEquals(0, r.exitCode(), r.lines().toString());
            long child = Long.parseLong(fields(r.answer("child"))[1]);
            long grandchild = Long.parseLong(fields(r.answer("orphan"))[1]);
            assertFalse(probeAlive(child), "the child the program left running is gone after airlock run returned");
            assertFalse(probeAlive(grandchild), "the orphaned grandchild (re-parented to the broker) is gone");
            String newSession = r.answer("new-session-child");
            if (newSession.startsWith("OK ")) {
                long pid = Long.parseLong(fields(newSession)[1]);
                assertFalse(
                        probeAlive(pid), "a child in a session of its own, outside the helper's group, is gone too");
            } else {
                assertTrue(newSession.contains("EPERM"), "setsid refused by the seccomp filter: " + newSession);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void killedBrokerTakesTheHelperWithIt(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path out = s.root.resolve("out.txt");
            ProcessBuilder builder = new ProcessBuilder(command(jdk, s, "session", "wait"))
                    .redirectOutput(out.toFile())
                    .redirectErrorStream(true);
            builder.environment().put("AIRLOCK_JAVA", Jdk.JDK17.java().toString());
            Process broker = builder.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(out).contains("waiting") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            String session = Files.readAllLines(out).get(0);
            assertTrue(session.startsWith("session OK pid "), session);
            long helper = Long.parseLong(session.split(" ", -1)[3]);
            assertEquals(broker.pid(), Long.parseLong(session.split(" ", -1)[5]), "the broker is the helper's parent");
            assertTrue(probeAlive(helper));
            broker.destroyForcibly();
            assertTrue(broker.waitFor(30, TimeUnit.SECONDS));
            assertTrue(goneWithin(helper, 5), "the helper dies with its broker (parent-death signal)");
        }
    }

    @Test
    void rootHelperIsRefusedAndNothingStarts() throws Exception {
        try (Sandbox s = new Sandbox()) {
            for (String user : new String[] {"root", "0"}) {
                List<String> command = new ArrayList<>(command(Jdk.JDK17, s, "session"));
                command.add(2, "--user");
                command.add(3, user);
                Sandbox.Result r = Sandbox.Result.of(Sandbox.start(command), 60);
                assertEquals(2, r.exitCode(), r.stderr());
                assertEquals(List.of(), r.stdout(), "no helper started");
                assertEquals(
                        "airlock: --user " + user
                                + ": the helper must not run as root (uid 0): it would keep every capability; "
                                + "name an unprivileged user (default: nobody)\n",
                        r.stderr());
            }
        }
    }
}
