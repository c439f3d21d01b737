package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One real program of {@link RealProgramsIT} in a {@link Sandbox}: the artifact jars it runs with
 * (copied from the build's own class path into the sandbox, world-readable, as a user installs an
 * application), and its two runs, plainly with the same {@code java} and under {@code airlock
 * run}, each in its own JVM, timed as the user waits for them. {@link #assertSameOutput} is the
 * check every program must pass: both runs succeed and print exactly the same bytes.
 */
final class RealProgram {
    /** Generous: the slowest of these programs takes a few seconds on the project's machines. */
    private static final int TIMEOUT_SECONDS = 180;

    /** Where the times of every run are collected for the closing note, beside the test reports. */
    private static final Path TIMES = Path.of("target", "real-program-times.txt");

    private final String name;
    private final Sandbox sandbox;
    private final List<Path> classPath = new ArrayList<>();

    /** A run that ended, with how long it took from start to exit. */
    record Run(Sandbox.Result result, long millis) {}

    /**
     * A program called {@code name} whose class path is the sandbox's class directory followed by
     * the jars holding {@code artifactClasses} (each given by name: the test JVM never initialises
     * them).
     */
    RealProgram(String name, Sandbox sandbox, String... artifactClasses) throws IOException {
        this.name = name;
        this.sandbox = sandbox;
        classPath.add(sandbox.app);
        Path lib = Files.createDirectories(sandbox.root.resolve("lib"));
        for (String artifactClass : artifactClasses) {
            Path jar = jarOf(artifactClass);
            Path copy = lib.resolve(jar.getFileName());
            if (!Files.exists(copy)) {
                Files.copy(jar, copy);
            }
            classPath.add(copy);
        }
        sandbox.worldReadable(sandbox.root);
    }

    /** The directory a program runs in: empty, and granted nothing. */
    Path workingDirectory() throws IOException {
        return Files.createDirectories(sandbox.root.resolve("cwd"));
    }

    /** A directory for the plain run's files, the test's own. */
    Path plainDirectory() throws IOException {
        return Files.createDirectories(sandbox.data.resolve("plain"));
    }

    /**
     * A directory for the sandboxed run's files. When {@code helperOwned}, it belongs to the
     * helper's user as a program's data directory belongs to the account that runs it: native
     * code (SQLite) opens and creates files there with the kernel's own checks, which include the
     * file's owner and mode.
     */
    Path confinedDirectory(boolean helperOwned) throws IOException {
        Path dir = Files.createDirectories(sandbox.data.resolve("confined"));
        if (helperOwned && Sandbox.isRoot()) {
            Files.setAttribute(dir, "unix:uid", AttackKit.helperUid());
            Files.setAttribute(dir, "unix:gid", AttackKit.helperGid());
        }
        return dir;
    }

    /** What a driver's two runs left: their data directories, and what the plain run printed. */
    record Outcome(Path plainDirectory, Path confinedDirectory, List<String> stdout) {}

    /**
     * The shape most programs here share: {@code driver} (a class of the test's, copied into the
     * sandbox) runs in an empty working directory, once plainly and once confined, with {@code
     * leadingArgs} and then its run's own data directory as arguments, under the policy {@code
     * policyFor} writes for the confined data directory; both runs must print the same
     * ({@link #assertSameOutput}).
     */
    Outcome runDriver(
            Jdk jdk,
            Class<?> driver,
            boolean helperOwned,
            java.util.function.Function<Path, String> policyFor,
            String... leadingArgs)
            throws IOException, InterruptedException {
        sandbox.copyClass(driver);
        Path cwd = workingDirectory();
        Path plainDir = plainDirectory();
        Path confinedDir = confinedDirectory(helperOwned);
        Path policy = sandbox.policy(name + ".policy", policyFor.apply(confinedDir));
        Run plain = plain(jdk, cwd, javaArgs(driver, withLast(leadingArgs, plainDir)));
        Run confined = confined(jdk, cwd, policy, javaArgs(driver, withLast(leadingArgs, confinedDir)));
        assertSameOutput(jdk, plain, confined);
        return new Outcome(plainDir, confinedDir, plain.result().stdout());
    }

    private static String[] withLast(String[] args, Path last) {
        String[] all = java.util.Arrays.copyOf(args, args.length + 1);
        all[args.length] = last.toString();
        return all;
    }

    private static Path jarOf(String className) {
        try {
            Class<?> type = Class.forName(className, false, RealProgram.class.getClassLoader());
            return Path.of(
                    type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (ClassNotFoundException | URISyntaxException e) {
            throw new IllegalStateException("the build's class path lacks " + className, e);
        }
    }

    /** {@code -cp CLASSPATH MAIN ARGS...}: what follows {@code java} for a driver of this program. */
    List<String> javaArgs(Class<?> main, String... args) {
        List<String> javaArgs = new ArrayList<>(List.of(
                "-cp", String.join(":", classPath.stream().map(Path::toString).toList()), main.getName()));
        javaArgs.addAll(List.of(args));
        return javaArgs;
    }

    /** Runs {@code java JAVA-ARGS} in {@code directory}, outside the sandbox. */
    Run plain(Jdk jdk, Path directory, List<String> javaArgs) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(jdk.java().toString()));
        command.addAll(javaArgs);
        long start = System.nanoTime();
        Process process =
                new ProcessBuilder(command).directory(directory.toFile()).start();
        Sandbox.Result result = Sandbox.Result.of(process, TIMEOUT_SECONDS);
        return new Run(result, (System.nanoTime() - start) / 1_000_000);
    }

    /** Runs {@code airlock run --policy POLICY -- JAVA-ARGS} (no policy when null) in {@code directory}. */
    Run confined(Jdk jdk, Path directory, Path policy, List<String> javaArgs) throws IOException, InterruptedException {
        long start = System.nanoTime();
        Process process = Sandbox.start(Sandbox.javaCommand(jdk, policy, javaArgs), directory);
        Sandbox.Result result = Sandbox.Result.of(process, TIMEOUT_SECONDS);
        return new Run(result, (System.nanoTime() - start) / 1_000_000);
    }

    /**
     * Both runs succeeded and printed the same stdout and stderr, byte for byte (stderr as {@link
     * #comparable}); the plain run printed something (so equality says something). Records the
     * two times.
     */
    void assertSameOutput(Jdk jdk, Run plain, Run confined) throws IOException {
        record(jdk, plain, confined);
        assertEquals(
                0,
                plain.result().exitCode(),
                name + " fails outside the sandbox: the test is broken\n"
                        + plain.result().stderr());
        assertFalse(
                plain.result().stdout().isEmpty() && plain.result().stderr().isEmpty(),
                name + " printed nothing outside the sandbox");
        assertEquals(
                0,
                confined.result().exitCode(),
                name + " fails in the sandbox (outside it, it printed "
                        + plain.result().stdout() + ")\n" + confined.result().stderr());
        assertEquals(
                String.join("\n", plain.result().stdout()),
                String.join("\n", confined.result().stdout()),
                name + " prints something else in the sandbox; its stderr there:\n"
                        + confined.result().stderr());
        assertEquals(
                comparable(plain.result().stderr()),
                comparable(confined.result().stderr()),
                name + ": Airlock adds nothing to stderr");
    }

    /** The header java.util.logging's default format prints before each record: the time it was logged. */
    private static final Pattern LOG_RECORD_TIME =
            Pattern.compile("[A-Z][a-z]{2} \\d{1,2}, \\d{4} \\d{1,2}:\\d{2}:\\d{2} [AP]M .*");

    /**
     * The JDK's warning (JDK 24 and later) when code on the class path calls a restricted method
     * such as {@code Linker.downcallHandle} (Lucene does) or {@code System.load} (sqlite-jdbc does): the helper runs with {@code
     * --enable-native-access=ALL-UNNAMED}, as the README's known limits say, so only the plain
     * run prints it.
     */
    private static final Pattern RESTRICTED_METHOD_WARNING = Pattern.compile("WARNING: (A restricted method in"
            + "|java\\.lang\\.(foreign\\..*|System::load.*) has been called by"
            + "|Use --enable-native-access="
            + "|Restricted methods will be blocked).*");

    /**
     * A run's stderr as the two runs must agree on it: without the times java.util.logging
     * prints, the JDK's restricted-method warning and blank lines.
     */
    static String comparable(String stderr) {
        return stderr.lines()
                .filter(line -> !line.isEmpty())
                .filter(line -> !LOG_RECORD_TIME.matcher(line).matches())
                .filter(line -> !RESTRICTED_METHOD_WARNING.matcher(line).matches())
                .collect(Collectors.joining("\n"));
    }

    private void record(Jdk jdk, Run plain, Run confined) throws IOException {
        String line = String.format(
                Locale.ROOT,
                "real program %-10s %s: plain %5d ms (exit %d), sandboxed %5d ms (exit %d)%n",
                name,
                jdk,
                plain.millis(),
                plain.result().exitCode(),
                confined.millis(),
                confined.result().exitCode());
        System.out.print(line);
        Files.writeString(TIMES, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
