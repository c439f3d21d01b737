package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.it.app.Attack;
import dev.airlock.it.app.Native;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * What the attack tests share: the native attack library (built once per test run from
 * {@code src/test/c/attacks.c} with the machine's gcc), the FFM backend (built once with JDK 25's
 * javac, since the test sources build for release 17), installing both with the {@link Attack}
 * program into a {@link Sandbox}, and running it interactively. The test process loads the same
 * library for the witnesses Java cannot be (datagram and seqpacket Unix sockets, SysV IPC).
 */
final class AttackKit {
    /** src/test, where the C and the FFM sources live (failsafe runs in the module's directory). */
    private static final Path SOURCES =
            Path.of(System.getProperty("airlock.it.sources", "src/test")).toAbsolutePath();

    private static final String LIBRARY = "libattacks.so";

    private static Path built;

    private AttackKit() {}

    /** Builds the library and the FFM classes once per JVM, into a world-readable directory removed at exit. */
    static synchronized Path built() throws IOException, InterruptedException {
        if (built != null) {
            return built;
        }
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "airlock-it-native-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path jdk17 = Jdk.JDK17.java().toRealPath().getParent().getParent();
        run(List.of(
                "gcc",
                "-shared",
                "-fPIC",
                "-O1",
                "-Wall",
                "-Wextra",
                "-Werror",
                "-I" + jdk17.resolve("include"),
                "-I" + jdk17.resolve("include/linux"),
                "-o",
                dir.resolve(LIBRARY).toString(),
                SOURCES.resolve("c/attacks.c").toString()));
        Path classes = Files.createDirectories(dir.resolve("classes"));
        Path jdk25 = Jdk.JDK25.java().toRealPath().getParent().getParent();
        Path testClasses = Path.of(
                Attack.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        run(List.of(
                jdk25.resolve("bin/javac").toString(),
                "--release",
                "25",
                "-Xlint:all,-restricted",
                "-Werror",
                "-cp",
                testClasses.toString(),
                "-d",
                classes.toString(),
                SOURCES.resolve("ffm/dev/airlock/it/app/Ffm.java").toString()));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
        built = dir;
        return dir;
    }

    /** The library loaded into this (the test's) JVM, for witnesses. */
    static void loadHere() throws IOException, InterruptedException {
        Native.load(built().resolve(LIBRARY).toString());
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(
                p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0,
                "building the attack code failed: " + command + "\n" + out);
    }

    /** Copies the attack program, its backends and the library into the sandbox's class path directory. */
    static void install(Sandbox s) throws IOException, InterruptedException {
        Path dir = built();
        Path testClasses = Path.of(
                Attack.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        Path pkg = Path.of("dev/airlock/it/app");
        Files.createDirectories(s.app.resolve(pkg));
        for (Path from :
                List.of(testClasses.resolve(pkg), dir.resolve("classes").resolve(pkg))) {
            try (Stream<Path> files = Files.list(from)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    String name = f.getFileName().toString();
                    if (name.startsWith("Attack")
                            || name.startsWith("Raw")
                            || name.startsWith("Native")
                            || name.startsWith("Ffm")) {
                        Files.copy(
                                f, s.app.resolve(pkg).resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }
        Files.copy(dir.resolve(LIBRARY), s.app.resolve(LIBRARY), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        s.worldReadable(s.app);
    }

    /** The native backends a helper on {@code jdk} can attack through: JNI always, FFM from JDK 22. */
    static List<String> backends(Jdk jdk) {
        return jdk == Jdk.JDK25 ? List.of("jni", "ffm") : List.of("jni");
    }

    /** Each of {@code ops} prefixed with each native backend of {@code jdk}. */
    static List<String> raw(Jdk jdk, String... ops) {
        List<String> all = new ArrayList<>();
        for (String backend : backends(jdk)) {
            for (String op : ops) {
                all.add(backend + "." + op);
            }
        }
        return all;
    }

    /** {@code airlock run [options] -- java-args Attack ops}. */
    static List<String> command(Sandbox s, Jdk jdk, Path policy, List<String> airlockOptions, List<String> ops) {
        List<String> command = new ArrayList<>(
                List.of(Sandbox.LAUNCHER.toString(), "run", "--java", jdk.java().toString()));
        if (policy != null) {
            command.add("--policy");
            command.add(policy.toString());
        }
        command.addAll(airlockOptions);
        command.add("--");
        command.add("-Dattack.lib=" + s.app.resolve(LIBRARY));
        command.add("-cp");
        command.add(s.app.toString());
        command.add(Attack.class.getName());
        command.addAll(ops);
        return command;
    }

    static Session start(List<String> command) throws IOException {
        return start(command, null);
    }

    /** Starts {@code command}; {@code stdin} null: a pipe the test writes lines to. */
    static Session start(List<String> command, Path stdin) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("AIRLOCK_JAVA", Jdk.JDK17.java().toString());
        if (stdin != null) {
            builder.redirectInput(stdin.toFile());
        }
        return new Session(builder.start());
    }

    static void deleteTree(Path top) {
        try (Stream<Path> walk = Files.walk(top)) {
            for (Path p : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // best effort at exit
        }
    }

    /** A running {@code airlock run} of the attack program: its lines as they come, and its end. */
    static final class Session implements AutoCloseable {
        final Process process;
        private final BlockingQueue<String> fresh = new LinkedBlockingQueue<>();
        private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        private final StringBuilder stderr = new StringBuilder();
        private final Thread[] readers = new Thread[2];

        Session(Process process) {
            this.process = process;
            readers[0] = new Thread(() -> {
                try (BufferedReader in =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        lines.add(line);
                        fresh.add(line);
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
            });
            readers[1] = new Thread(() -> {
                try {
                    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                    synchronized (stderr) {
                        stderr.append(err);
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
            });
            for (Thread t : readers) {
                t.setDaemon(true);
                t.start();
            }
        }

        /** Waits (bounded) for the next line matching {@code wanted}; fails the test with what it saw otherwise. */
        String await(Predicate<String> wanted, String what) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                String line = fresh.poll(100, TimeUnit.MILLISECONDS);
                if (line != null && wanted.test(line)) {
                    return line;
                }
                if (line == null && !process.isAlive() && fresh.isEmpty()) {
                    break;
                }
            }
            throw new AssertionError(
                    "no " + what + " from the attack program; stdout=" + lines + " stderr=" + stderr());
        }

        void send(String line) throws IOException {
            Writer w = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            w.write(line + "\n");
            w.flush();
        }

        /** Waits (bounded) for the end; the exit code. */
        int finish() throws InterruptedException, IOException {
            try {
                process.getOutputStream().close();
            } catch (IOException closed) {
                // stdin was a file, or the process is gone
            }
            boolean ended = process.waitFor(120, TimeUnit.SECONDS);
            if (!ended) {
                process.destroyForcibly();
            }
            for (Thread t : readers) {
                t.join(10_000);
            }
            assertTrue(ended, "airlock did not end within 120 s; stdout=" + lines + " stderr=" + stderr());
            return process.exitValue();
        }

        String stderr() {
            synchronized (stderr) {
                return stderr.toString();
            }
        }

        List<String> lines() {
            synchronized (lines) {
                return List.copyOf(lines);
            }
        }

        /** The attack program's outcome for {@code op}: {@code OK ...}, {@code REFUSED ...} or {@code EX ...}. */
        String answer(String op) {
            for (String line : lines()) {
                if (line.startsWith(op + " ")) {
                    return line.substring(op.length() + 1);
                }
            }
            throw new AssertionError("no answer for " + op + "; stdout=" + lines() + " stderr=" + stderr());
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }

    /** Runs the attack program to its end with stdin closed. */
    static Session runToEnd(Sandbox s, Jdk jdk, Path policy, List<String> ops)
            throws IOException, InterruptedException {
        Session session = start(command(s, jdk, policy, List.of(), ops));
        session.finish();
        return session;
    }

    /** The uid and gid the helper runs as: nobody when the tests run as root, else the test's own. */
    static int helperUid() {
        return Sandbox.isRoot() ? 65534 : (int) new com.sun.security.auth.module.UnixSystem().getUid();
    }

    static int helperGid() {
        return Sandbox.isRoot() ? 65534 : (int) new com.sun.security.auth.module.UnixSystem().getGid();
    }
}
