package dev.airlock.agent;

import com.sun.security.auth.module.UnixSystem;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Test support: builds agent jars from the module's compiled classes and starts real child JVMs
 * (JDK 17 and 25) with them.
 *
 * <p>To make the child's direct opens fail without the kernel sandbox, tests put files under a
 * directory with mode 000: searching it fails with EACCES. Root ignores file modes, so when the
 * tests run as root (as CI does) the child is started as nobody ({@code setpriv --reuid=65534
 * --regid=65534 --clear-groups}); everything the child needs is then made world-readable.
 */
final class ChildJvm {

    static final String JDK17 = System.getProperty("airlock.jdk17", "/usr/lib/jvm/java-17-openjdk-amd64");
    static final String JDK25 = System.getProperty("airlock.jdk25", "/usr/lib/jvm/temurin-25-jdk-amd64");

    static final boolean ROOT = new UnixSystem().getUid() == 0;

    private ChildJvm() {}

    /** The JDKs every child-JVM test runs on. */
    static Stream<String> jdks() {
        return Stream.of(JDK17, JDK25);
    }

    /** What a child did. */
    static final class Result {
        final int exit;
        final String stdout;
        final String stderr;

        Result(int exit, String stdout, String stderr) {
            this.exit = exit;
            this.stdout = stdout;
            this.stderr = stderr;
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    /** A fresh world-readable directory (the child may run as nobody). */
    static Path directory(String prefix) throws IOException {
        Path dir = Files.createTempDirectory(prefix);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir;
    }

    /** Writes {@code text} to {@code file} with {@code perms} (rw-rw-rw- for what the child writes). */
    static Path file(Path file, String text, String perms) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(perms));
        return file;
    }

    /**
     * Builds an agent jar in {@code dir}: the agent's classes and resources, the test classes, and
     * ByteBuddy next to it on the manifest's Class-Path (copied, since the local repository under
     * /root is not readable by nobody).
     */
    static Path agentJar(Path dir, String name, String premainClass) throws IOException {
        return agentJar(dir, name, premainClass, false);
    }

    /**
     * As {@link #agentJar(Path, String, String)}; with {@code withRuntime}, the rest of the agent's
     * run-time class path too (the helper's broker client, the ipc module, JNR), as in airlock.jar.
     */
    static Path agentJar(Path dir, String name, String premainClass, boolean withRuntime) throws IOException {
        Path lib = dir.resolve("lib");
        Files.createDirectories(lib);
        Files.setPosixFilePermissions(lib, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<Path> jars = new ArrayList<>();
        List<Path> directories = new ArrayList<>(List.of(location(AirlockAgent.class), location(TestAgent.class)));
        jars.add(location(net.bytebuddy.ByteBuddy.class));
        // The bridge's errno texts come from the unix module, the requests and replies from the
        // ipc module, and the kinds of failure from the helper's: classes every agent's router needs.
        for (Class<?> needed :
                List.of(dev.airlock.unix.Errno.class, dev.airlock.ipc.Reply.class, dev.airlock.helper.Answer.class)) {
            Path module = location(needed);
            if (Files.isDirectory(module)) {
                directories.add(module);
            } else {
                jars.add(module);
            }
        }
        if (withRuntime) {
            for (Path entry : testClassPath()) {
                String file = entry.toString();
                if (file.contains("junit")
                        || file.contains("opentest4j")
                        || file.contains("apiguardian")
                        || file.contains("surefire")
                        || file.contains("byte-buddy")
                        || directories.contains(entry)
                        || jars.contains(entry)) {
                    continue;
                }
                if (Files.isDirectory(entry)) {
                    directories.add(entry); // a sibling module's classes in a reactor build
                } else if (file.endsWith(".jar")) {
                    jars.add(entry);
                }
            }
        }
        StringBuilder classPath = new StringBuilder();
        for (Path jar : jars) {
            Path copy = lib.resolve(jar.getFileName());
            if (!Files.exists(copy)) {
                Files.copy(jar, copy);
                Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
            }
            classPath.append(classPath.length() == 0 ? "" : " ").append("lib/").append(copy.getFileName());
        }
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Premain-Class", premainClass);
        main.putValue("Can-Redefine-Classes", "true");
        main.putValue("Can-Retransform-Classes", "true");
        main.put(Attributes.Name.CLASS_PATH, classPath.toString());
        Path jar = dir.resolve(name);
        Set<String> added = new HashSet<>();
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            for (Path classes : directories) {
                add(out, classes, added);
            }
        }
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
        return jar;
    }

    /** The test JVM's class path, looking through surefire's manifest-only booter jar. */
    private static List<Path> testClassPath() throws IOException {
        List<Path> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator, -1)) {
            Path path = Path.of(entry);
            if (path.getFileName().toString().startsWith("surefirebooter")) {
                try (JarFile booter = new JarFile(path.toFile())) {
                    String manifestPath =
                            booter.getManifest().getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
                    for (String url : manifestPath.trim().split(" +", -1)) {
                        entries.add(Path.of(URI.create(url)));
                    }
                }
            } else {
                entries.add(path);
            }
        }
        return entries;
    }

    /**
     * Runs {@code java} (a JDK home) in {@code cwd} with {@code args}; as nobody when the tests run
     * as root and {@code confine} is set. Environment variables that make the JVM print notices
     * (JAVA_TOOL_OPTIONS and friends) are removed: the tests assert an empty stderr.
     */
    static Result run(String jdk, Path cwd, boolean confine, List<String> args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (confine && ROOT) {
            command.addAll(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        }
        Path java = Path.of(jdk, "bin", "java");
        if (!Files.isExecutable(java)) {
            throw new IllegalStateException("no JDK at " + jdk + " (set airlock.jdk17 / airlock.jdk25)");
        }
        command.add(java.toString());
        command.add("-XX:-UsePerfData");
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile());
        Map<String, String> env = pb.environment();
        env.remove("JAVA_TOOL_OPTIONS");
        env.remove("_JAVA_OPTIONS");
        env.remove("JDK_JAVA_OPTIONS");
        Path out = Files.createTempFile("child-out", ".txt");
        Path err = Files.createTempFile("child-err", ".txt");
        try {
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            Process p = pb.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("child JVM timed out: " + command);
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Deletes a tree the tests made, including directories they made unsearchable. */
    static void delete(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                // A directory a test locked (mode 000) cannot be listed by its owner unless root:
                // the walker opens it before preVisitDirectory runs, so unlock it and start over there.
                if (e instanceof java.nio.file.AccessDeniedException
                        && Files.isDirectory(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
                    delete(file);
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static Path location(Class<?> type) {
        try {
            return Path.of(
                    type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void add(JarOutputStream out, Path classesDir, Set<String> added) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(classesDir)) {
            files = walk.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
        }
        for (Path file : files) {
            String name = classesDir.relativize(file).toString().replace('\\', '/');
            if (name.startsWith("META-INF/MANIFEST") || !added.add(name)) {
                continue;
            }
            out.putNextEntry(new JarEntry(name));
            Files.copy(file, out);
            out.closeEntry();
        }
    }
}
