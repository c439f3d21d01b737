package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Attacks from the helper on other processes (docs/ARCHITECTURE.md, "Threat model": the rows on
 * other processes, SysV IPC, privileges, outliving the run and /proc): SysV IPC and the scheduler
 * and rlimit calls on a victim of the helper's own uid and on the broker, processes left behind, a
 * killed broker, {@code --user root}, and /proc served as the broker. Every verdict is the
 * victim's, read from outside the sandbox.
 */
class ProcessAttackIT {
    /** The command prefix that runs a victim as the helper's user: nobody when we are root, else ourselves. */
    private static List<String> asHelperUser(List<String> command) {
        List<String> full = new ArrayList<>();
        if (Sandbox.isRoot()) {
            full.addAll(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"));
        }
        full.addAll(command);
        return full;
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void aThreadWithADescriptorTableOfItsOwnIsRefused(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            AttackKit.install(s);
            List<String> ops = AttackKit.raw(jdk, "clone-thread");
            AttackKit.Session attack = AttackKit.runToEnd(s, jdk, null, ops);
            for (String op : ops) {
                assertEquals(
                        "OK clone(THREAD)=EPERM clone(THREAD|FILES)=EINVAL",
                        attack.answer(op),
                        op + ": seccomp refuses a thread without CLONE_FILES, and only that; " + attack.lines());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void sysvIpcOfAnotherProcessOfTheSameUserIsOutOfReach(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            AttackKit.install(s);
            long key = 0x41000000L + ThreadLocalRandom.current().nextInt(0xffffff);
            ProcessBuilder victimBuilder = new ProcessBuilder(asHelperUser(List.of(
                    Jdk.JDK17.java().toString(),
                    "-XX:+PerfDisableSharedMem",
                    "-Dattack.lib=" + s.app.resolve("libattacks.so"),
                    "-cp",
                    s.app.toString(),
                    "dev.airlock.it.app.Attack",
                    "jni.victim:" + key)));
            try (AttackKit.Session victim = new AttackKit.Session(victimBuilder.start())) {
                String ready = victim.await(l -> l.startsWith("ready "), "victim ready line");
                Map<String, String> ids = new LinkedHashMap<>();
                for (String kv : ready.substring(6).split(" ", -1)) {
                    ids.put(kv.split("=", -1)[0], kv.split("=", -1)[1]);
                }
                List<String> ops = AttackKit.raw(
                        jdk,
                        "shm:key:" + key,
                        "shm:id:" + ids.get("shm"),
                        "msg:key:" + key,
                        "msg:id:" + ids.get("msg"),
                        "sem:key:" + key,
                        "sem:id:" + ids.get("sem"));
                AttackKit.Session attack = AttackKit.runToEnd(s, jdk, null, ops);
                victim.send("check");
                victim.finish();
                String verdict = victim.answer("jni.victim:" + key);
                assertEquals(
                        "OK shm='ORIGINAL' messages=[QUEUED] sem=7",
                        verdict,
                        "the victim's SysV objects must be untouched by the helper (hole 5); attacks: "
                                + attack.lines());
                for (String op : ops) {
                    assertTrue(
                            attack.answer(op).startsWith("REFUSED"),
                            op + " must not reach the victim's object: " + attack.answer(op));
                }
            }
        }
    }

    /** What the test can see from outside of a process's resource limits and scheduling. */
    private static Map<String, String> schedulingOf(long pid) throws Exception {
        Map<String, String> seen = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/limits"))) {
            if (line.startsWith("Max cpu time")) {
                seen.put("RLIMIT_CPU", line.replaceAll("\\s+", " ").strip());
            }
        }
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ", -1);
        seen.put("nice", f[16]); // field 19
        seen.put("policy", f[38]); // field 41
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("Cpus_allowed_list:")) {
                seen.put("affinity", line.substring(line.indexOf(':') + 1).strip());
            }
        }
        seen.put("ioprio", String.valueOf(NativeWitness.ioPriority(pid)));
        return seen;
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void rlimitPriorityAffinityAndIoPriorityOfOtherProcessesStayUnchanged(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            AttackKit.install(s);
            Process victim = new ProcessBuilder(asHelperUser(List.of("sleep", "120"))).start();
            try {
                Thread.sleep(200);
                Map<String, String> victimBefore = schedulingOf(victim.pid());
                Map<String, String> ours = schedulingOf(ProcessHandle.current().pid());
                List<String> ops = new ArrayList<>(AttackKit.raw(jdk, "sched:all:" + victim.pid(), "sched:all:ppid"));
                ops.add("java.wait");
                try (AttackKit.Session attack = AttackKit.start(AttackKit.command(s, jdk, null, List.of(), ops))) {
                    attack.await("waiting"::equals, "waiting line");
                    // The broker (bin/airlock execs java) inherited our limits and scheduling: they must still be ours.
                    Map<String, String> broker = schedulingOf(attack.process.pid());
                    attack.send("go");
                    assertEquals(
                            0,
                            attack.finish(),
                            "the broker survives and returns the helper's status: " + attack.stderr());
                    assertEquals(
                            ours,
                            broker,
                            "the broker's limits and scheduling, changed by the helper (hole 6); attacks: "
                                    + attack.lines());
                    assertTrue(victim.isAlive(), "the victim is alive");
                    assertEquals(
                            victimBefore,
                            schedulingOf(victim.pid()),
                            "a process of the helper's uid outside the sandbox, changed by the helper (hole 6); attacks: "
                                    + attack.lines());
                }
            } finally {
                victim.destroyForcibly();
            }
        }
    }

    private static boolean gone(long pid, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (!Files.exists(Path.of("/proc/" + pid))) {
                return true;
            }
            try {
                // A zombie waiting for init to reap it runs nothing: it counts as gone.
                if (Files.readString(Path.of("/proc/" + pid + "/stat")).matches("(?s).*\\) Z .*")) {
                    return true;
                }
            } catch (java.io.IOException vanished) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void processesTheProgramLeavesBehindEndWithIt(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            AttackKit.install(s);
            List<String> ops = List.of("jni.sleeper:300", "jni.sleeper:300:detach", "java.child:300000");
            AttackKit.Session run = AttackKit.runToEnd(s, jdk, null, ops);
            List<Long> left = new ArrayList<>();
            try {
                for (String op : ops) {
                    String answer = run.answer(op);
                    assertTrue(
                            answer.startsWith("OK sleeper "),
                            "the program could start " + op + ": " + answer + " " + run.stderr());
                    left.add(Long.parseLong(answer.substring("OK sleeper ".length())));
                }
                for (int i = 0; i < ops.size(); i++) {
                    assertTrue(
                            gone(left.get(i), 5),
                            "process " + left.get(i) + " left behind by " + ops.get(i)
                                    + " still runs 5 s after airlock run returned (hole 8)");
                }
            } finally {
                for (long pid : left) {
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void theHelperDiesWithAKilledBroker(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            AttackKit.install(s);
            List<ProcessHandle> helpers = new ArrayList<>();
            // Output to a file, not to pipes: the JDK closes its pipe ends when the broker dies, and a helper
            // writing there would die of SIGPIPE, a death by accident that would prove nothing. The brokered
            // open first waits for the agent's start-up check of the channel, which halts a helper whose
            // parent is not its broker: the program runs on past it, as any program would.
            Path output = s.root.resolve("helper.out");
            ProcessBuilder builder = new ProcessBuilder(AttackKit.command(
                    s, jdk, null, List.of(), List.of("java.fis:/etc/hostname", "java.pid", "java.sleep:60000")));
            builder.environment().put("AIRLOCK_JAVA", Jdk.JDK17.java().toString());
            builder.redirectOutput(output.toFile())
                    .redirectError(s.root.resolve("helper.err").toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Process broker = builder.start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (System.nanoTime() < deadline && !Files.readString(output).contains("java.pid ")) {
                    Thread.sleep(50);
                }
                assertTrue(
                        Files.readString(output).contains("java.pid "),
                        "the helper started: " + Files.readString(output));
                helpers.addAll(broker.toHandle().descendants().toList());
                assertFalse(helpers.isEmpty(), "the broker has a helper");
                new ProcessBuilder("kill", "-KILL", String.valueOf(broker.pid()))
                        .start()
                        .waitFor();
                assertTrue(broker.waitFor(30, TimeUnit.SECONDS));
                for (ProcessHandle helper : helpers) {
                    assertTrue(
                            gone(helper.pid(), 10),
                            "helper process " + helper.pid() + " "
                                    + helper.info().command().orElse("?")
                                    + " still runs 10 s after its broker was killed (hole 8: parent-death signal)");
                }
            } finally {
                broker.destroyForcibly();
                helpers.forEach(ProcessHandle::destroyForcibly);
            }
        }
    }

    private static Map<String, String> capabilities(String status) {
        Map<String, String> caps = new LinkedHashMap<>();
        for (String field : status.substring(3).split("\\|", -1)) {
            if (field.startsWith("Cap")) {
                caps.put(
                        field.substring(0, field.indexOf(':')),
                        field.substring(field.indexOf(':') + 1).strip());
            }
        }
        return caps;
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void theHelperHoldsNoCapabilities(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            AttackKit.install(s);
            AttackKit.Session run = AttackKit.runToEnd(s, jdk, null, List.of("java.status"));
            Map<String, String> caps = capabilities(run.answer("java.status"));
            for (String set : new String[] {"CapInh", "CapPrm", "CapEff", "CapAmb"}) {
                assertEquals("0000000000000000", caps.get(set), set + " of the helper: " + caps);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void userRootIsRefusedOrLeavesNoCapabilities(Jdk jdk) throws Exception {
        Assumptions.assumeTrue(Sandbox.isRoot(), "needs root: --user applies only when Airlock runs as root");
        try (Sandbox s = new Sandbox()) {
            AttackKit.install(s);
            AttackKit.Session run =
                    AttackKit.start(AttackKit.command(s, jdk, null, List.of("--user", "root"), List.of("java.status")));
            int exit = run.finish();
            boolean ran = run.lines().stream().anyMatch(l -> l.startsWith("java.status "));
            if (!ran) {
                assertTrue(
                        exit != 0, "refusing --user root must say so with a failing exit code; stderr=" + run.stderr());
                return;
            }
            Map<String, String> caps = capabilities(run.answer("java.status"));
            for (String set : new String[] {"CapInh", "CapPrm", "CapEff", "CapAmb"}) {
                assertEquals(
                        "0000000000000000",
                        caps.get(set),
                        "--user root: " + set + " of the helper must be empty, is " + caps);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void procGrantIsServedAsTheHelperSeesIt(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            AttackKit.install(s);
            Path secret = s.file("secret/s.txt", "UNGRANTED-SECRET");
            Path policy = s.policy("proc.policy", FileAccessIT.grant(Path.of("/proc/-"), "read"));
            try (AttackKit.Session run =
                    AttackKit.start(AttackKit.command(s, jdk, policy, List.of(), List.of("java.readinput")))) {
                run.await("waiting"::equals, "waiting line");
                long broker = run.process.pid();
                List<Long> helpers = run.process
                        .toHandle()
                        .descendants()
                        .map(ProcessHandle::pid)
                        .toList();
                List<String> paths = List.of(
                        "/proc/self/status",
                        "/proc/thread-self/status",
                        "/proc/" + broker + "/environ",
                        "/proc/" + broker + "/mem",
                        "/proc/" + broker + "/root" + secret,
                        "/proc/self/root" + secret,
                        "/proc/" + broker + "/maps");
                for (String p : paths) {
                    run.send(p);
                }
                run.send("");
                run.finish();
                Map<String, String> got = new LinkedHashMap<>();
                for (String p : paths) {
                    got.put(p, run.answer("input " + p));
                }
                for (String self : List.of("/proc/self/status", "/proc/thread-self/status")) {
                    String status = got.get(self);
                    assertTrue(status.startsWith("OK "), self + " readable: " + status);
                    // Tgid: in /proc/thread-self/status, Pid is the thread's id.
                    long pid = Long.parseLong(status.replaceAll(".*\\|Tgid:\\s*(\\d+)\\|.*", "$1"));
                    assertTrue(
                            pid != broker && helpers.contains(pid),
                            self + " under a /proc/- grant names pid " + pid + ": it must be the helper (" + helpers
                                    + "), not the broker " + broker + " (weak: /proc served as the broker)");
                }
                for (String p : paths.subList(2, paths.size())) {
                    assertFalse(got.get(p).startsWith("OK"), p + " must not be readable by the helper: " + got.get(p));
                    assertFalse(
                            got.get(p).contains("UNGRANTED-SECRET"), p + " leaked an ungranted file: " + got.get(p));
                }
            }
        }
    }
}
