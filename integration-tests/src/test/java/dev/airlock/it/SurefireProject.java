package dev.airlock.it;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A real project not written for Airlock, Apache Commons CSV, laid out as its own source tree from
 * the artifacts it released (its pom, its sources jar, its test-sources jar, which holds the test
 * data too; the integration tests' pom fetches them into {@code airlock.it.commonsCsv}), and built
 * with Maven, the same Maven, local repository and offline setting as the build running these
 * tests, so that a fresh machine needs nothing but that build.
 *
 * <p>The tree lies in a world-readable directory under {@code /tmp}, as {@link Sandbox}'s do: the
 * helper runs as nobody when the tests run as root and must reach the classes and the test data.
 * Each {@link #test} run's Surefire reports and Maven log are kept under {@code
 * target/surefire-argline/NAME} for reading after the build; the tree itself is removed by {@link
 * #close()}.
 */
final class SurefireProject implements AutoCloseable {
    /** Generous: one whole run of the suite takes about two minutes on the project's busy machines. */
    private static final int TIMEOUT_SECONDS = 900;

    /** Where each run's reports and log are kept, beside this module's own reports. */
    private static final Path KEPT = Path.of("target", "surefire-argline").toAbsolutePath();

    private static final Path MAVEN_HOME = Path.of(required("airlock.it.mavenHome"));
    private static final String LOCAL_REPOSITORY = required("airlock.it.localRepository");
    /** Whether this build runs offline: the pom passes {@code settings.offline=true} or {@code =false}. */
    private static final boolean OFFLINE = required("airlock.it.offline").equals("settings.offline=true");

    /** The placeholder for the local repository in the policies under {@code src/test/resources/surefire}. */
    private static final String REPOSITORY_PLACEHOLDER = "@LOCAL_REPOSITORY@";

    final Path root;
    /** The project's base directory: its pom.xml, src/ and, once built, target/. */
    final Path basedir;

    /** One finished Maven run: its exit code, how long it took, its log and, if any, its reports. */
    record Run(int exitCode, long millis, Path log, Path reports) {
        SurefireReport report() throws IOException {
            return SurefireReport.read(reports);
        }

        String logTail() throws IOException {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        }
    }

    private SurefireProject(Path root, Path basedir) {
        this.root = root;
        this.basedir = basedir;
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isEmpty() || value.contains("${")) {
            throw new IllegalStateException(
                    property + " is not set: run the integration tests through Maven (mvn verify)");
        }
        return value;
    }

    /** Lays out Commons CSV's source tree from its released artifacts. */
    static SurefireProject commonsCsv() throws IOException {
        Path release = Path.of(required("airlock.it.commonsCsv"));
        String version = required("airlock.it.commonsCsvVersion");
        Path root = Files.createTempDirectory(Path.of("/tmp"), "airlock-surefire-");
        Path basedir = root.resolve("commons-csv-" + version);
        Files.createDirectories(basedir);
        Files.copy(release.resolve("commons-csv-" + version + ".pom"), basedir.resolve("pom.xml"));
        unpack(release.resolve("commons-csv-" + version + "-sources.jar"), basedir.resolve("src/main/java"), null);
        // The test-sources jar holds the tests and their data side by side; the tests read the data
        // from src/test/resources by path, where the project keeps it.
        unpack(
                release.resolve("commons-csv-" + version + "-test-sources.jar"),
                basedir.resolve("src/test/java"),
                basedir.resolve("src/test/resources"));
        // Maven looks upwards from the project for a .mvn directory to take its configuration from;
        // an empty one here keeps it from reaching anything outside the project.
        Files.createDirectories(basedir.resolve(".mvn"));
        worldReadable(root);
        return new SurefireProject(root, basedir);
    }

    /**
     * Unpacks {@code jar} without its META-INF: {@code .java} files into {@code sources}, the
     * others into {@code resources} (or also into {@code sources} when null).
     */
    private static void unpack(Path jar, Path sources, Path resources) throws IOException {
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(jar))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                String name = entry.getName();
                if (entry.isDirectory() || name.startsWith("META-INF/")) {
                    continue;
                }
                Path into = resources == null || name.endsWith(".java") ? sources : resources;
                Path target = into.resolve(name).normalize();
                if (!target.startsWith(into)) {
                    throw new IOException(jar + " has an entry outside its tree: " + name);
                }
                Files.createDirectories(target.getParent());
                Files.copy(in, target);
            }
        }
    }

    private static void worldReadable(Path top) throws IOException {
        try (Stream<Path> walk = Files.walk(top)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Files.setPosixFilePermissions(
                        p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }

    /** The build directory's temporary directory, which the runs give the tests as {@code java.io.tmpdir}. */
    Path tmp() {
        return basedir.resolve("target/tmp");
    }

    /**
     * The policy {@code src/test/resources/surefire/RESOURCE}, with this build's local repository
     * filled in, written world-readable beside the project.
     */
    Path policy(String resource) throws IOException {
        String text;
        try (InputStream in = SurefireProject.class.getResourceAsStream("/surefire/" + resource)) {
            if (in == null) {
                throw new IOException("no resource surefire/" + resource);
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Path file = root.resolve(resource);
        Files.writeString(file, text.replace(REPOSITORY_PLACEHOLDER, LOCAL_REPOSITORY));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        return file;
    }

    /**
     * Runs {@code mvn test} on the project with the forked test JVM {@code jdk} and {@code argLine},
     * offline when {@code offline} or when this build is, plus {@code extra} arguments; keeps the
     * reports and the log as {@code name}. A run that does not end in time is killed with its
     * whole process tree and fails the test.
     */
    Run test(String name, Jdk jdk, boolean offline, String argLine, String... extra)
            throws IOException, InterruptedException {
        Path kept = KEPT.resolve(name);
        deleteTree(kept);
        Files.createDirectories(kept);
        Path reports = basedir.resolve("target/surefire-reports");
        deleteTree(reports);
        Files.createDirectories(tmp());
        List<String> command = new ArrayList<>(List.of(
                MAVEN_HOME.resolve("bin/mvn").toString(),
                "-B",
                "-Dmaven.repo.local=" + LOCAL_REPOSITORY,
                // The forked test JVM: Surefire's own parameter, and the property commons-parent
                // sets that parameter from.
                "-Djvm=" + jdk.java(),
                "-Dcommons.surefire.java=" + jdk.java(),
                "-DargLine=" + argLine,
                "-DtrimStackTrace=false"));
        if (offline || OFFLINE) {
            command.add("-o");
        }
        command.addAll(List.of(extra));
        command.add("test");
        Path log = kept.resolve("mvn.log");
        Files.writeString(log, String.join(" ", command) + "\n");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(basedir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment()
                .put("JAVA_HOME", Jdk.JDK17.java().getParent().getParent().toString());
        long start = System.nanoTime();
        Process process = builder.start();
        process.getOutputStream().close();
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError("mvn test (" + name + ") did not end within " + TIMEOUT_SECONDS
                    + " s: it hangs; its log is " + log);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        Path keptReports = kept.resolve("surefire-reports");
        if (Files.isDirectory(reports)) {
            copyTree(reports, keptReports);
        }
        return new Run(process.exitValue(), millis, log, keptReports);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void deleteTree(Path top) throws IOException {
        if (!Files.exists(top)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(top)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    public void close() throws IOException {
        deleteTree(root);
    }
}
