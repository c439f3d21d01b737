package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The broker against a hostile or failing peer, and the user's mistakes. */
class BrokerHardeningIT {
    @ParameterizedTest
    @EnumSource(Jdk.class)
    void garbageMessageIsRefusedAndTheBrokerKeepsServing(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path file = s.file("granted/in.txt", "still served");
            Path policy = s.policy("app.policy", FileAccessIT.grant(s.data.resolve("granted/-"), "read"));
            Sandbox.Result r = s.run(jdk, policy, "raw:garbage", "fis:" + file);
            assertEquals("OK sent garbage", r.answer("raw:garbage"));
            assertEquals("OK still served", r.answer("fis:" + file));
            assertTrue(r.stderr().contains("airlock: refused a request: bad magic 0x74686973"), r.stderr());
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void requestFromAnotherProcessIsRefusedByItsKernelCredentials(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path file = s.file("granted/in.txt", "served to the helper only");
            Path policy = s.policy("app.policy", FileAccessIT.grant(s.data.resolve("granted/-"), "read"));
            Sandbox.Result r = s.run(jdk, policy, "child-raw:open:" + file, "fis:" + file);
            String child = r.answer("child-raw:open:" + file);
            assertTrue(child.matches("OK child \\d+ exited 0"), child);
            String childPid = child.split(" ", -1)[2];
            assertTrue(
                    r.stderr().contains("airlock: refused a request: credentials pid " + childPid + " "), r.stderr());
            assertTrue(r.stderr().contains("are not the helper's pid "), r.stderr());
            assertEquals(
                    "OK served to the helper only", r.answer("fis:" + file), "the broker keeps serving the helper");
        }
    }

    /**
     * A killed broker takes its helper with it (the parent-death signal the agent arms): nothing
     * the helper would have done after the kill happens, not even the brokered opens that would
     * fail closed, nor reads of what the kernel grants it directly. Its output goes to a file, not
     * to pipes the JDK closes when the broker dies. Its first read is brokered ({@code DIR/*} is
     * no kernel grant), so the agent has armed the parent-death signal by then (it arms it before
     * it connects, see the agent's ParentDeath); the reads after the kill are of a kernel grant.
     */
    @ParameterizedTest
    @EnumSource(Jdk.class)
    void killedBrokerTakesTheHelperWithIt(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path file = s.file("granted/in.txt", "granted content");
            Path brokered = s.file("entries/first.txt", "brokered content");
            Path policy = s.policy(
                    "app.policy",
                    "grant {\n  permission java.io.FilePermission \"" + s.data.resolve("granted") + "/-\", \"read\";\n"
                            + "  permission java.io.FilePermission \"" + s.data.resolve("entries")
                            + "/*\", \"read\";\n};\n");
            Path output = s.root.resolve("helper.out");
            ProcessBuilder builder = new ProcessBuilder(
                    s.command(jdk, policy, "fis:" + brokered, "pause:3000", "fis:" + file, "nio-readallbytes:" + file));
            builder.environment().put("AIRLOCK_JAVA", Jdk.JDK17.java().toString());
            builder.redirectOutput(output.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD);
            Process broker = builder.start();
            waitForLines(output, 2);
            ProcessHandle helper = broker.toHandle().children().findFirst().orElseThrow();
            broker.destroyForcibly();
            assertTrue(broker.waitFor(30, TimeUnit.SECONDS));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (helper.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(!helper.isAlive(), "the helper (pid " + helper.pid() + ") died within 5 s of its broker");
            Thread.sleep(3500); // past the pause, when the helper would have gone on
            java.util.List<String> lines = java.nio.file.Files.readAllLines(output);
            assertEquals(
                    java.util.List.of("fis:" + brokered + " OK brokered content", "paused"),
                    lines,
                    "served while the broker lived, nothing after");
        }
    }

    private static java.util.List<String> waitForLines(Path file, int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            java.util.List<String> lines =
                    java.nio.file.Files.exists(file) ? java.nio.file.Files.readAllLines(file) : java.util.List.of();
            if (lines.size() >= count) {
                return lines;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("fewer than " + count + " lines in " + file + ": "
                + (java.nio.file.Files.exists(file) ? java.nio.file.Files.readAllLines(file) : "(none)"));
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void exitCodeAndSignalDeathPassThrough(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            assertEquals(7, s.run(jdk, null, "exit:7").exitCode());
            Process broker = Sandbox.start(s.command(jdk, null, "wait"));
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(broker.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("waiting", out.readLine());
            ProcessHandle helper = broker.toHandle().children().findFirst().orElseThrow();
            new ProcessBuilder("kill", "-KILL", String.valueOf(helper.pid()))
                    .start()
                    .waitFor();
            assertTrue(broker.waitFor(30, TimeUnit.SECONDS));
            assertEquals(128 + 9, broker.exitValue(), "a helper killed by SIGKILL gives 128+9");
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void sigintSigtermAndSighupToTheBrokerArePassedToTheHelper(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            String[][] signals = {{"INT", "2"}, {"TERM", "15"}, {"HUP", "1"}};
            for (String[] signal : signals) {
                Process broker = Sandbox.start(s.command(jdk, null, "wait"));
                BufferedReader out =
                        new BufferedReader(new InputStreamReader(broker.getInputStream(), StandardCharsets.UTF_8));
                assertEquals("waiting", out.readLine());
                new ProcessBuilder("kill", "-" + signal[0], String.valueOf(broker.pid()))
                        .start()
                        .waitFor();
                assertTrue(broker.waitFor(30, TimeUnit.SECONDS), "SIG" + signal[0]);
                // The helper JVM ends on the signal as a JVM does, 128+N; the broker reports exactly that.
                assertEquals(128 + Integer.parseInt(signal[1]), broker.exitValue(), "SIG" + signal[0]);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void malformedPolicyStartsNothing(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path policy = s.policy("bad.policy", "grant {\n  permission java.io.FilePermission \"/x\" \"read\";\n};\n");
            Sandbox.Result r = s.run(jdk, policy, "status");
            assertEquals(2, r.exitCode());
            assertEquals(java.util.List.of(), r.stdout(), "no helper started");
            assertTrue(
                    r.stderr()
                            .matches("(?s)" + java.util.regex.Pattern.quote(policy.toString())
                                    + ":2:\\d+: .*expected.*\n"),
                    r.stderr());
        }
    }
}
