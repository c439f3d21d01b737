package dev.airlock.agent;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Test support: one child JVM per JDK running every {@link Scenarios} scenario under the agent
 * (with the {@link FakeOpener}), plus one without the agent for the JDK's own wording of the same
 * failures. Shared by the test classes so that each JDK starts only once.
 *
 * <p>Layout under the root (per JDK, since scenarios write): {@code real/} the files, world
 * accessible; {@code locked/} mode 000, so every direct open beneath it fails with EACCES;
 * {@code missing/} absent. The opener's rules map {@code locked/X} to {@code real/X}.
 */
final class RoutedRun {

    static final String POLICY = "app.policy";

    private static final Map<String, RoutedRun> RUNS = new ConcurrentHashMap<>();

    final Path root;
    final ChildJvm.Result result;
    final Map<String, String> outcomes;
    final List<String> log;
    final String report;
    /** The same failures without the agent: the JDK's own exceptions. */
    final Map<String, String> oracle;

    private RoutedRun(Path root, ChildJvm.Result result, List<String> log, String report, ChildJvm.Result oracle) {
        this.root = root;
        this.result = result;
        this.outcomes = parse(result.stdout);
        this.log = log;
        this.report = report;
        this.oracle = parse(oracle.stdout);
    }

    /** The run for {@code jdk}, started on first use. */
    static RoutedRun on(String jdk) {
        return RUNS.computeIfAbsent(jdk, j -> {
            try {
                return start(j);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        });
    }

    /** What scenario {@code name} printed after its name. */
    String outcome(String name) {
        String outcome = outcomes.get(name);
        if (outcome == null) {
            throw new AssertionError("scenario " + name + " did not run:\n" + result);
        }
        return outcome;
    }

    String oracle(String name) {
        String outcome = oracle.get(name);
        if (outcome == null) {
            throw new AssertionError("oracle " + name + " did not run");
        }
        return outcome;
    }

    /** The absolute path of {@code relative} under the root. */
    String path(String relative) {
        return root.resolve(relative).toString();
    }

    String read(String relative) throws IOException {
        return Files.readString(root.resolve(relative));
    }

    /** The log lines the opener wrote for requests for {@code relative}. */
    List<String> requests(String relative) {
        String prefix = "open " + path(relative) + " ";
        List<String> lines = new ArrayList<>();
        for (String line : log) {
            if (line.startsWith(prefix)) {
                lines.add(line);
            }
        }
        return lines;
    }

    private static RoutedRun start(String jdk) throws IOException, InterruptedException {
        Path root = ChildJvm.directory("airlock-agent-test");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                ChildJvm.delete(root);
            } catch (IOException e) {
                // a leftover temporary directory is not worth failing for
            }
        }));
        Path real = root.resolve("real");
        Files.createDirectories(real.resolve("dir"));
        Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setPosixFilePermissions(real.resolve("dir"), PosixFilePermissions.fromString("rwxr-xr-x"));
        String ro = "rw-r--r--";
        String rw = "rw-rw-rw-";
        ChildJvm.file(real.resolve("fis.txt"), "fis-content", ro);
        ChildJvm.file(real.resolve("rel.txt"), "rel-content", ro);
        ChildJvm.file(real.resolve("direct.txt"), "direct-content", ro);
        ChildJvm.file(real.resolve("reader.txt"), "reader-content", ro);
        ChildJvm.file(real.resolve("raf-r.txt"), "raf-r-content", ro);
        ChildJvm.file(real.resolve("nio-read.txt"), "nio-read-content", ro);
        ChildJvm.file(real.resolve("dir/entry.txt"), "entry", ro);
        for (String w : List.of("raf-rw.txt", "raf-rws.txt", "raf-rwd.txt", "writer.txt")) {
            ChildJvm.file(real.resolve(w), "", rw);
        }
        ChildJvm.file(real.resolve("fos.txt"), "old-old-old", rw);
        ChildJvm.file(real.resolve("fos-append.txt"), "abc", rw);
        ChildJvm.file(real.resolve("nio-out.txt"), "old-old-old-old", rw);
        ChildJvm.file(real.resolve("nio-write.txt"), "old-old-old-old", rw);
        // A symlink loop, for the JDK's own wording of ELOOP.
        Files.createSymbolicLink(real.resolve("loop.txt"), real.resolve("loop2.txt"));
        Files.createSymbolicLink(real.resolve("loop2.txt"), real.resolve("loop.txt"));
        Path locked = root.resolve("locked");
        Files.createDirectories(locked);
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));

        Properties rules = new Properties();
        rules.setProperty("agent.args", "policy=" + POLICY);
        rules.setProperty(
                "log", ChildJvm.file(root.resolve("opener.log"), "", rw).toString());
        rules.setProperty(
                "report", ChildJvm.file(root.resolve("report.txt"), "", rw).toString());
        for (String name : List.of(
                "fis.txt",
                "rel.txt",
                "reader.txt",
                "raf-r.txt",
                "raf-rw.txt",
                "raf-rws.txt",
                "raf-rwd.txt",
                "fos.txt",
                "fos-append.txt",
                "writer.txt",
                "nio-read.txt",
                "nio-out.txt",
                "nio-write.txt",
                "dir")) {
            rules.setProperty("sub." + locked.resolve(name), real.resolve(name).toString());
        }
        rules.setProperty(
                "sub." + root.resolve("missing/fis.txt"),
                real.resolve("fis.txt").toString());
        rules.setProperty(
                "sub." + locked.resolve("after.txt"), real.resolve("fis.txt").toString());
        rules.setProperty("deny." + locked.resolve("secret.txt"), "denied by airlock policy " + POLICY + ": read");
        rules.setProperty("errno." + locked.resolve("loop.txt"), "40");
        rules.setProperty("gone." + locked.resolve("gone.txt"), "airlock broker is gone");
        Path config = root.resolve("opener.properties");
        try (OutputStream out = Files.newOutputStream(config)) {
            rules.store(out, "FakeOpener rules");
        }
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString(ro));

        Path jar = ChildJvm.agentJar(root, "test-agent.jar", TestAgent.class.getName());
        ChildJvm.Result result = ChildJvm.run(
                jdk,
                root,
                true,
                List.of(
                        "-javaagent:" + jar + "=config=" + config,
                        "-cp",
                        jar.toString(),
                        Scenarios.class.getName(),
                        root.toString()));
        ChildJvm.Result oracle = ChildJvm.run(
                jdk,
                root,
                true,
                List.of(
                        "-cp",
                        jar.toString(),
                        Scenarios.class.getName(),
                        root.toString(),
                        "oracle_fis_enoent",
                        "oracle_fis_directory",
                        "oracle_fis_eloop",
                        "oracle_nio_enoent",
                        "oracle_nio_eloop"));
        List<String> log = Files.readAllLines(root.resolve("opener.log"), StandardCharsets.UTF_8);
        String report = Files.readString(root.resolve("report.txt"));
        return new RoutedRun(root, result, log, report, oracle);
    }

    private static Map<String, String> parse(String stdout) {
        Map<String, String> outcomes = new LinkedHashMap<>();
        for (String line : stdout.split("\n", -1)) {
            int bar = line.indexOf('|');
            if (bar > 0) {
                outcomes.put(line.substring(0, bar), line.substring(bar + 1));
            }
        }
        return outcomes;
    }
}
