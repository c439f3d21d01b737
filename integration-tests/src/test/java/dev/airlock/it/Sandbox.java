package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.it.app.Probe;
import dev.airlock.it.app.Workloads;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs the real {@code bin/airlock} with the real airlock.jar on a throwaway, world-readable
 * directory tree (the helper runs as nobody when the tests run as root, and must reach the probe
 * application's classes itself). One instance per test; {@link #close()} removes the tree.
 */
final class Sandbox implements AutoCloseable {
    static final Path LAUNCHER =
            Path.of(System.getProperty("airlock.launcher", "../bin/airlock")).toAbsolutePath();

    final Path root;
    final Path app;
    final Path data;

    Sandbox() throws IOException, ClassNotFoundException {
        root = Files.createTempDirectory(Path.of("/tmp"), "airlock-it-");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        app = Files.createDirectories(root.resolve("app"));
        data = Files.createDirectories(root.resolve("data"));
        copyClass(Probe.class);
        copyClass(Probe.Operation.class);
        copyClass(Workloads.class);
        copyClass(Class.forName("dev.airlock.it.app.RawChannel", false, Probe.class.getClassLoader()));
        copyClass(dev.airlock.it.app.LinkProbe.class);
        copyClass(Class.forName("dev.airlock.it.app.RawLinks", false, Probe.class.getClassLoader()));
        copyClass(Class.forName("dev.airlock.it.app.LinkProbe$1", false, Probe.class.getClassLoader()));
        worldReadable(root);
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Copies one compiled class of the test sources into {@link #app}, where the helper loads it. */
    void copyClass(Class<?> type) throws IOException {
        String resource = type.getName().replace('.', '/') + ".class";
        Path target = app.resolve(resource);
        Files.createDirectories(target.getParent());
        try (InputStream in = type.getClassLoader().getResourceAsStream(resource)) {
            Files.write(target, in.readAllBytes());
        }
    }

    /** Makes the tree readable by the helper's user, as any installed application is. */
    void worldReadable(Path top) throws IOException {
        try (Stream<Path> walk = Files.walk(top)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (Files.isSymbolicLink(p)) {
                    continue;
                }
                Files.setPosixFilePermissions(
                        p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }

    Path file(String relative, String content) throws IOException {
        Path file = data.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        worldReadable(file.getParent());
        return file;
    }

    Path policy(String name, String text) throws IOException {
        Path file = root.resolve(name);
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        return file;
    }

    /** The command line of {@code airlock run} for the probe with these operations. */
    List<String> command(Jdk jdk, Path policy, String... operations) {
        List<String> command = new ArrayList<>(
                List.of(LAUNCHER.toString(), "run", "--java", jdk.java().toString()));
        if (policy != null) {
            command.add("--policy");
            command.add(policy.toString());
        }
        command.add("--");
        command.add("-cp");
        command.add(app.toString());
        command.add(Probe.class.getName());
        command.addAll(List.of(operations));
        return command;
    }

    /**
     * The command line of {@code airlock run} for any java arguments, for programs other than the
     * probe (whose class path is this sandbox's {@link #app}).
     */
    static List<String> javaCommand(Jdk jdk, Path policy, List<String> javaArgs) {
        List<String> command = new ArrayList<>(
                List.of(LAUNCHER.toString(), "run", "--java", jdk.java().toString()));
        if (policy != null) {
            command.add("--policy");
            command.add(policy.toString());
        }
        command.add("--");
        command.addAll(javaArgs);
        return command;
    }

    Result run(Jdk jdk, Path policy, String... operations) throws IOException, InterruptedException {
        return Result.of(start(command(jdk, policy, operations)), 120);
    }

    static Process start(List<String> command) throws IOException {
        return start(command, null);
    }

    /**
     * Starts {@code command} in {@code directory} (null: this JVM's). The directory matters to
     * {@code airlock run}: without {@code -cp} the class path is the current directory, which the
     * helper may then read directly.
     */
    static Process start(List<String> command, Path directory) throws IOException {
        return start(command, directory, null);
    }

    /**
     * Starts {@code command} (a plain {@code java} command line, or one that runs {@link #LAUNCHER}) with every
     * host name looked up in {@code hostsFile} alone (null: the machine's resolver), the JDK's
     * {@code jdk.net.hosts.file}, so that a test's names are its own: {@code java} gets the option
     * right after the launcher, and {@code bin/airlock} in {@code AIRLOCK_JAVA_OPTIONS}, which it
     * gives the broker's JVM only: the broker resolves the program's names, and the program's own
     * JVM must not have a view of its own. Put {@code localhost} in the file too.
     */
    static Process start(List<String> command, Path directory, Path hostsFile) throws IOException {
        List<String> line = new ArrayList<>(command);
        // A plain java command line, or one that runs bin/airlock (maybe under a tool such as strace).
        boolean plainJava = Path.of(command.get(0)).getFileName().toString().equals("java");
        String option = hostsFile == null ? null : "-Djdk.net.hosts.file=" + hostsFile;
        if (option != null && plainJava) {
            line.add(1, option);
        }
        ProcessBuilder builder = new ProcessBuilder(line).directory(directory == null ? null : directory.toFile());
        builder.environment().put("AIRLOCK_JAVA", Jdk.JDK17.java().toString());
        if (option != null && !plainJava) {
            builder.environment().put("AIRLOCK_JAVA_OPTIONS", option);
        }
        return builder.start();
    }

    /** A hosts file of {@code lines} ("ADDRESS NAME...") for {@link #start(List, Path, Path)}, with localhost in it. */
    Path hostsFile(String... lines) throws IOException {
        StringBuilder text = new StringBuilder("127.0.0.1 localhost\n::1 localhost\n");
        for (String line : lines) {
            text.append(line).append('\n');
        }
        Path file = root.resolve("hosts");
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        return file;
    }

    /** What a finished run printed and returned. */
    record Result(int exitCode, List<String> stdout, String stderr) {
        static Result of(Process process, int timeoutSeconds) throws IOException, InterruptedException {
            process.getOutputStream().close();
            byte[][] out = new byte[2][];
            Thread errReader = new Thread(() -> {
                try {
                    out[1] = process.getErrorStream().readAllBytes();
                } catch (IOException e) {
                    out[1] = ("<unreadable: " + e + ">").getBytes(StandardCharsets.UTF_8);
                }
            });
            errReader.start();
            out[0] = process.getInputStream().readAllBytes();
            boolean ended = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            errReader.join();
            if (!ended) {
                process.destroyForcibly();
            }
            assertTrue(ended, "airlock did not end within " + timeoutSeconds + " s");
            return new Result(
                    process.exitValue(),
                    new String(out[0], StandardCharsets.UTF_8).lines().toList(),
                    new String(out[1], StandardCharsets.UTF_8));
        }

        /** The probe's answer for one operation, e.g. {@code OK hello} or {@code EX java.io...: msg}. */
        String answer(String operation) {
            for (String line : stdout) {
                if (line.startsWith(operation + " ")) {
                    return line.substring(operation.length() + 1);
                }
            }
            throw new AssertionError("no answer for " + operation + "; stdout=" + stdout + " stderr=" + stderr);
        }
    }

    @Override
    public void close() throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
