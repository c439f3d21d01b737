package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.tools.attach.VirtualMachine;
import dev.airlock.it.app.Probe;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The drop-in, {@code java -javaagent:airlock.jar=policy=FILE ARGS}: the JVM that loads it runs
 * nothing of the program's, and the program runs confined exactly as under {@code airlock run}
 * (same identity, no_new_privs, seccomp, Landlock, descriptors, grants and denials), with its JVM
 * options, arguments, working directory, standard streams and exit status, on JDK 17 and 25.
 */
class DropInIT {
    static final Path JAR = Path.of(System.getProperty("airlock.jar", "../dist/target/airlock.jar"))
            .toAbsolutePath();

    /** {@code JAVA -javaagent:airlock.jar[=OPTIONS] ARGS}. */
    static List<String> dropIn(Jdk jdk, String options, List<String> args) {
        List<String> command = new ArrayList<>(List.of(jdk.java().toString()));
        command.add("-javaagent:" + JAR + (options == null ? "" : "=" + options));
        command.addAll(args);
        return command;
    }

    static List<String> probe(Sandbox s, String... operations) {
        List<String> args = new ArrayList<>(List.of("-cp", s.app.toString(), Probe.class.getName()));
        args.addAll(List.of(operations));
        return args;
    }

    static Sandbox.Result run(List<String> command, Path directory, Map<String, String> env) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory == null ? null : directory.toFile());
        builder.environment().putAll(env);
        return Sandbox.Result.of(builder.start(), 120);
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void classPathFormRunsConfinedAsAirlockRun(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path granted = s.file("granted/in.txt", "granted text");
            Path other = s.file("other/secret.txt", "not granted");
            Path policy = s.policy("app.policy", FileAccessIT.grant(s.data.resolve("granted/-"), "read"));
            String[] ops = {"status", "fis:" + granted, "nio-readstring:" + other, "props", "tcp-bind", "fds", "cmdline"
            };
            Sandbox.Result in = run(dropIn(jdk, "policy=" + policy, probe(s, ops)), null, Map.of());
            Sandbox.Result viaRun = s.run(jdk, policy, ops);
            assertEquals(0, in.exitCode(), in.stderr());
            assertEquals("", in.stderr(), "nothing of Airlock's printed");
            assertEquals("OK granted text", in.answer("fis:" + granted));
            assertTrue(
                    in.answer("nio-readstring:" + other)
                            .startsWith("EX java.nio.file.AccessDeniedException: " + other
                                    + ": denied by airlock policy " + policy),
                    in.answer("nio-readstring:" + other));
            String status = in.answer("status");
            assertTrue(status.contains("NoNewPrivs: 1") && status.contains("Seccomp: 2"), status);
            assertTrue(status.contains("CapEff: 0000000000000000"), status);
            if (Sandbox.isRoot()) {
                assertTrue(status.contains("Uid: 65534 65534 65534 65534"), status);
            }
            for (String op : List.of("status", "fis:" + granted, "nio-readstring:" + other, "props", "tcp-bind")) {
                assertEquals(viaRun.answer(op), in.answer(op), "the same as airlock run: " + op);
            }
            assertEquals(descriptorTargets(viaRun.answer("fds")), descriptorTargets(in.answer("fds")));
            // The helper's JVM options and agent arguments (policy, direct roots, cache), all but
            // the launcher's path and the private tmp's random name: the same plan.
            assertEquals(jvmArguments(viaRun.answer("cmdline")), jvmArguments(in.answer("cmdline")));
        }
    }

    /** A "cmdline" answer without the launcher (argv[0]), with the private tmp's random name masked. */
    private static List<String> jvmArguments(String cmdline) {
        assertTrue(cmdline.startsWith("OK "), cmdline);
        List<String> args = List.of(cmdline.substring(3).split("\\|", -1));
        assertTrue(args.stream().anyMatch(a -> a.startsWith("-javaagent:")), "the helper's agent: " + args);
        // Each argument as the sorted list of its ",", ":" and "=" separated parts: the direct
        // roots are sorted by path, and the private tmp's random name moves it in that order.
        return args.subList(1, args.size()).stream()
                .map(a -> String.join(
                        " ",
                        Stream.of(a.split("[,:=]", -1))
                                .map(part -> part.replaceAll("^/tmp/airlock-[A-Za-z0-9]{12}$", "/tmp/airlock-X"))
                                .sorted()
                                .toList()))
                .toList();
    }

    /** The targets of the helper's descriptors, without their numbers or the private tmp's random name. */
    private static java.util.Set<String> descriptorTargets(String fds) {
        java.util.Set<String> targets = new TreeSet<>();
        for (String entry : fds.substring(3).split("\\|", -1)) {
            String target = entry.split("=", 2)[1];
            targets.add(target.replaceAll("socket:\\[\\d+\\]", "socket")
                    .replaceAll("pipe:\\[\\d+\\]", "pipe")
                    .replaceAll("/tmp/airlock-[A-Za-z0-9]+", "/tmp/airlock-X")
                    .replaceAll("^/proc/\\d+/", "/proc/PID/"));
        }
        return targets;
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void jarFormWithJvmOptionsArgumentsAndWorkingDirectory(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path jar = s.root.resolve("probe.jar");
            Manifest manifest = new Manifest();
            manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
            manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Probe.class.getName());
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
                    Stream<Path> walk = Files.walk(s.app)) {
                for (Path file : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
                    out.putNextEntry(new JarEntry(s.app.relativize(file).toString()));
                    out.write(Files.readAllBytes(file));
                    out.closeEntry();
                }
            }
            s.worldReadable(s.root);
            Sandbox.Result r = run(
                    dropIn(
                            jdk,
                            null,
                            List.of(
                                    "-Dx=y z",
                                    "-Xmx123m",
                                    "-jar",
                                    jar.toString(),
                                    "property:x",
                                    "property:user.dir",
                                    "arg with spaces",
                                    "exit:7")),
                    s.root,
                    Map.of());
            assertEquals(7, r.exitCode(), r.stderr());
            assertEquals("OK y z", r.answer("property:x"));
            assertEquals("OK " + s.root.toRealPath(), r.answer("property:user.dir"));
            assertTrue(r.answer("arg with spaces").startsWith("EX "), "one argument: " + r.stdout());
            Sandbox.Result props =
                    run(dropIn(jdk, null, List.of("-Xmx123m", "-jar", jar.toString(), "props")), s.root, Map.of());
            Sandbox.Result plain =
                    run(List.of(jdk.java().toString(), "-Xmx123m", "-jar", jar.toString(), "props"), s.root, Map.of());
            assertEquals(
                    plain.answer("props").split(" ", -1)[2],
                    props.answer("props").split(" ", -1)[2],
                    "-Xmx kept");
        }
    }

    /** The module of {@link #moduleFormRunsConfinedAsAirlockRun}: its name, its status lines, the files it is given. */
    private static final String MODULE_MAIN = """
            package probe.mod;

            import java.nio.file.Files;
            import java.nio.file.Path;

            public final class Main {
                public static void main(String[] args) throws Exception {
                    System.out.println("module " + Main.class.getModule().getName());
                    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                        if (line.startsWith("NoNewPrivs:") || line.startsWith("Seccomp:")) {
                            System.out.println(line.replace('\\t', ' '));
                        }
                    }
                    for (String file : args) {
                        try {
                            System.out.println("read " + Files.readString(Path.of(file)));
                        } catch (Exception e) {
                            System.out.println("refused " + e);
                        }
                    }
                }
            }
            """;

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void moduleFormRunsConfinedAsAirlockRun(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path granted = s.file("granted/in.txt", "granted text");
            Path other = s.file("other/secret.txt", "not granted");
            Path policy = s.policy("app.policy", FileAccessIT.grant(s.data.resolve("granted/-"), "read"));
            // A module of the test's own, compiled here (release 17, so both JDKs run it).
            Path source = s.root.resolve("module-src");
            Files.createDirectories(source.resolve("probe/mod"));
            Files.writeString(source.resolve("module-info.java"), "module probe.mod {}\n");
            Files.writeString(source.resolve("probe/mod/Main.java"), MODULE_MAIN);
            Path modules = s.root.resolve("mods/probe.mod");
            int compiled = javax.tools.ToolProvider.getSystemJavaCompiler()
                    .run(
                            null,
                            null,
                            null,
                            "--release",
                            "17",
                            "-d",
                            modules.toString(),
                            source.resolve("module-info.java").toString(),
                            source.resolve("probe/mod/Main.java").toString());
            assertEquals(0, compiled, "the module compiles");
            s.worldReadable(s.root);
            List<String> args = List.of(
                    "-p",
                    s.root.resolve("mods").toString(),
                    "-m",
                    "probe.mod/probe.mod.Main",
                    granted.toString(),
                    other.toString());

            Sandbox.Result in = run(dropIn(jdk, "policy=" + policy, args), null, Map.of());
            Sandbox.Result viaRun = Sandbox.Result.of(Sandbox.start(Sandbox.javaCommand(jdk, policy, args)), 120);
            List<String> plainCommand = new ArrayList<>(List.of(jdk.java().toString()));
            plainCommand.addAll(args);
            Sandbox.Result plain = run(plainCommand, null, Map.of());

            assertEquals(0, in.exitCode(), in.stderr());
            assertEquals("", in.stderr(), "nothing of Airlock's printed");
            assertEquals(
                    List.of(
                            "module probe.mod",
                            "NoNewPrivs: 1",
                            "Seccomp: 2",
                            "read granted text",
                            "refused java.nio.file.AccessDeniedException: " + other + ": denied by airlock policy "
                                    + policy + ": read"),
                    in.stdout());
            assertEquals(viaRun.stdout(), in.stdout(), "the same as airlock run; its stderr: " + viaRun.stderr());
            assertEquals("module probe.mod", plain.stdout().get(0), "the module runs plainly too: " + plain.stderr());
            assertTrue(
                    plain.stdout().contains("read not granted"),
                    "outside the sandbox it reads both: " + plain.stdout());
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void standardStreamsAndASignalAreTheProgramsAndTheBrokerIsTheSameProcess(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Process p = new ProcessBuilder(dropIn(jdk, null, probe(s, "wait", "pause:60000"))).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("waiting", out.readLine());
            try (OutputStream in = p.getOutputStream()) {
                in.write("go\n".getBytes(StandardCharsets.UTF_8));
            }
            assertEquals("wait OK resumed", out.readLine());
            assertEquals("paused", out.readLine());
            // The pid the caller started is the broker's: the drop-in executed it in place.
            new ProcessBuilder("kill", "-TERM", String.valueOf(p.pid())).start().waitFor();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(128 + 15, p.exitValue(), "a program killed by SIGTERM gives 128+15");
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void javaToolOptionsStartsOneBrokerAndPrintsWhatAPlainRunPrints(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path policy = s.policy("app.policy", "grant {};\n");
            String options = "-javaagent:" + JAR + "=policy=" + policy;
            List<String> command = new ArrayList<>(List.of(jdk.java().toString()));
            command.addAll(probe(s, "status", "property:x"));
            Sandbox.Result r = run(command, null, Map.of("JAVA_TOOL_OPTIONS", options));
            Sandbox.Result plain = run(command, null, Map.of("JAVA_TOOL_OPTIONS", "-Dx=1"));
            assertEquals(0, r.exitCode(), r.stderr());
            assertEquals("Picked up JAVA_TOOL_OPTIONS: " + options + "\n", r.stderr(), "the JVM's line, once");
            assertEquals("Picked up JAVA_TOOL_OPTIONS: -Dx=1\n", plain.stderr());
            assertTrue(r.answer("status").contains("Seccomp: 2"), r.answer("status"));
            assertEquals(2, r.stdout().size(), "one program ran: " + r.stdout());
            // With other options beside it, those reach the program (and its JVM says so).
            Sandbox.Result mixed = run(command, null, Map.of("JAVA_TOOL_OPTIONS", "-Dx=1 " + options));
            assertEquals("OK 1", mixed.answer("property:x"));
            assertEquals(
                    "Picked up JAVA_TOOL_OPTIONS: -Dx=1 " + options + "\nPicked up JAVA_TOOL_OPTIONS: -Dx=1\n",
                    mixed.stderr());
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void policiesComeFromJavaSecurityPolicyWithoutPolicyOption(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path granted = s.file("granted/in.txt", "granted text");
            Path policy = s.policy("sm.policy", FileAccessIT.grant(granted, "read"));
            for (String form : List.of("=" + policy, policy.toString())) {
                List<String> args = new ArrayList<>(List.of("-Djava.security.policy=" + form));
                args.addAll(probe(s, "fis:" + granted));
                Sandbox.Result r = run(dropIn(jdk, null, args), null, Map.of());
                assertEquals("OK granted text", r.answer("fis:" + granted), form + ": " + r.stderr());
            }
            Sandbox.Result none = run(dropIn(jdk, null, probe(s, "fis:" + granted)), null, Map.of());
            assertTrue(none.answer("fis:" + granted).startsWith("EX java.io.FileNotFoundException"), "no policy");
            Sandbox.Result missing = run(
                    dropIn(
                            jdk,
                            null,
                            List.of(
                                    "-Djava.security.policy==/nonexistent.policy",
                                    "-cp",
                                    s.app.toString(),
                                    Probe.class.getName(),
                                    "status")),
                    null,
                    Map.of());
            assertEquals(2, missing.exitCode());
            assertEquals(List.of(), missing.stdout(), "nothing started");
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void auditOptionWritesTheBrokersLogRelativeToTheWorkingDirectory(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Path granted = s.file("granted/in.txt", "granted text");
            Path other = s.file("other/secret.txt", "not granted");
            Path work = Files.createDirectories(s.root.resolve("work"));
            s.policy("work/app.policy", FileAccessIT.grant(s.data.resolve("granted/*"), "read"));
            Path key = SignedPolicyIT.sshKey(s, "seal");
            Sandbox.Result r = run(
                    dropIn(
                            jdk,
                            "policy=app.policy,audit=run.audit,audit-allowed=true,audit-key=" + key,
                            probe(s, "fis:" + granted, "fis:" + other)),
                    work,
                    Map.of());
            assertEquals(0, r.exitCode(), r.stderr());
            assertEquals("OK granted text", r.answer("fis:" + granted));
            Path log = work.resolve("run.audit");
            List<String> lines = Files.readAllLines(log);
            assertTrue(lines.get(0).startsWith("{\"seq\":0,\"type\":\"run\","), lines.get(0));
            assertEquals(
                    1,
                    lines.stream()
                            .filter(l -> l.contains("\"target\":\"" + granted + "\"")
                                    && l.contains("\"decision\":\"allow\""))
                            .count(),
                    String.join("\n", lines));
            assertEquals(
                    1,
                    lines.stream()
                            .filter(l ->
                                    l.contains("\"target\":\"" + other + "\"") && l.contains("\"decision\":\"deny\""))
                            .count(),
                    String.join("\n", lines));
            assertTrue(lines.get(lines.size() - 1).contains("\"type\":\"seal\""), "sealed at the end");
            Sandbox.Result verified = Sandbox.Result.of(
                    Sandbox.start(List.of(
                            Sandbox.LAUNCHER.toString(), "audit", "verify", log.toString(), "--key", key + ".pub")),
                    60);
            assertEquals(0, verified.exitCode(), verified.stdout() + verified.stderr());
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void malformedOptionsStopTheJvmWithOneLineAndStatus2(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            for (String bad : List.of("polcy=x", "policy", "allow-weaker=seccomp", "user=a,user=b", "audit-key=k")) {
                Sandbox.Result r = run(dropIn(jdk, bad, probe(s, "status")), null, Map.of());
                assertEquals(2, r.exitCode(), bad + ": " + r.stderr());
                assertEquals(List.of(), r.stdout(), "the program never ran: " + bad);
                assertEquals(1, r.stderr().lines().count(), r.stderr());
                assertTrue(r.stderr().startsWith("airlock: -javaagent:airlock.jar: "), r.stderr());
            }
            Sandbox.Result unreadable =
                    run(dropIn(jdk, "policy=/nonexistent.policy", probe(s, "status")), null, Map.of());
            assertEquals(2, unreadable.exitCode(), unreadable.stderr());
            assertEquals(List.of(), unreadable.stdout());
            assertTrue(unreadable.stderr().startsWith("airlock: "), unreadable.stderr());
            Sandbox.Result forged = run(dropIn(jdk, null, probe(s, "status")), null, Map.of("AIRLOCK_SANDBOX", "1"));
            assertEquals(125, forged.exitCode(), "a marker outside a sandbox starts nothing: " + forged.stderr());
            assertEquals(List.of(), forged.stdout());
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void aDynamicAttachIsRefused(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Process p = new ProcessBuilder(
                            jdk.java().toString(), "-cp", s.app.toString(), Probe.class.getName(), "wait", "status")
                    .start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("waiting", out.readLine());
            VirtualMachine vm = VirtualMachine.attach(String.valueOf(p.pid()));
            try {
                Exception e = assertThrows(Exception.class, () -> vm.loadAgent(JAR.toString(), "policy=x"));
                assertFalse(e instanceof java.io.IOException && !(e.getMessage() + "").contains("agent"), e.toString());
            } finally {
                vm.detach();
            }
            try (OutputStream in = p.getOutputStream()) {
                in.write("go\n".getBytes(StandardCharsets.UTF_8));
            }
            assertEquals("wait OK resumed", out.readLine());
            assertTrue(out.readLine().contains("Seccomp: 0"), "the running JVM goes on as it was");
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(err.contains("airlock: the agent cannot be attached to a running JVM"), err);
        }
    }
}
