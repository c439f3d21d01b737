package dev.airlock.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The transform cache: its file format in-process, and in real JVMs (JDK 17 and 25) a prepare run
 * followed by helper runs that replay it without loading ByteBuddy, or fall back to the live path
 * when it does not match.
 */
class TransformCacheTest {

    private static Path root;
    private static Path jar;

    static Stream<String> jdks() {
        return ChildJvm.jdks();
    }

    @BeforeAll
    static void layout() throws IOException {
        root = ChildJvm.directory("airlock-cache-test");
        Path real = root.resolve("real");
        Files.createDirectories(real);
        Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rwxr-xr-x"));
        ChildJvm.file(real.resolve("fis.txt"), "fis-content", "rw-r--r--");
        ChildJvm.file(real.resolve("nio-read.txt"), "nio-read-content", "rw-r--r--");
        Path locked = root.resolve("locked");
        Files.createDirectories(locked);
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        jar = ChildJvm.agentJar(root, "test-agent.jar", TestAgent.class.getName());
    }

    @AfterAll
    static void clean() throws IOException {
        ChildJvm.delete(root);
    }

    // ---- in-process: the file format

    @Test
    void anEntryReplaysOnlyForTheExactInputAndAgentBuild(@TempDir Path dir) throws IOException {
        byte[] input = "input class file".getBytes(StandardCharsets.US_ASCII);
        byte[] output = "output class file".getBytes(StandardCharsets.US_ASCII);
        TransformCache.write(
                dir, 42L, Map.of("java.io.FileInputStream", input), Map.of("java.io.FileInputStream", output));
        assertArrayEquals(output, TransformCache.lookup(dir, "java.io.FileInputStream", 42L, input));
        assertNull(TransformCache.lookup(dir, "java.io.FileInputStream", 43L, input), "another agent build");
        byte[] other = input.clone();
        other[0] ^= 1;
        assertNull(TransformCache.lookup(dir, "java.io.FileInputStream", 42L, other), "other class bytes");
        assertNull(TransformCache.lookup(dir, "java.io.FileOutputStream", 42L, input), "another class");
        Path file = dir.resolve(TransformCache.fileName("java.io.FileInputStream", input));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.collect(Collectors.toList()), "no temporary file left");
        }
    }

    @Test
    void aDamagedEntryIsAMiss(@TempDir Path dir) throws IOException {
        byte[] input = "input".getBytes(StandardCharsets.US_ASCII);
        TransformCache.write(dir, 1L, Map.of("T", input), Map.of("T", "output".getBytes(StandardCharsets.US_ASCII)));
        Path file = dir.resolve(TransformCache.fileName("T", input));
        byte[] whole = Files.readAllBytes(file);
        for (int cut : new int[] {0, 5, whole.length - 1}) {
            Files.write(file, java.util.Arrays.copyOf(whole, cut));
            assertNull(TransformCache.lookup(dir, "T", 1L, input), "cut at " + cut);
        }
        byte[] longer = java.util.Arrays.copyOf(whole, whole.length + 1);
        Files.write(file, longer);
        assertNull(TransformCache.lookup(dir, "T", 1L, input), "trailing garbage");
        assertNull(TransformCache.lookup(dir.resolve("absent"), "T", 1L, input), "no directory");
    }

    @Test
    void refusesToRecordANonTransformation(@TempDir Path dir) {
        byte[] same = {1, 2, 3};
        IOException e = assertThrows(
                IOException.class, () -> TransformCache.write(dir, 1L, Map.of("T", same), Map.of("T", same.clone())));
        assertEquals("ByteBuddy left T unchanged", e.getMessage());
        assertThrows(IOException.class, () -> TransformCache.write(dir, 1L, Map.of("T", same), Map.of()));
    }

    // ---- child JVMs

    @ParameterizedTest
    @MethodSource("jdks")
    void prepareWritesOneEntryPerHookedClassSilentlyAndDeterministically(String jdk) throws Exception {
        Path first = prepare(jdk, "det-1");
        Path second = prepare(jdk, "det-2");
        Map<String, byte[]> a = entries(first);
        List<String> expected = new ArrayList<>(List.of(
                "java.io.File",
                "java.io.FileInputStream",
                "java.io.FileOutputStream",
                "java.io.RandomAccessFile",
                "java.net.InetAddress",
                "sun.nio.ch.AsynchronousServerSocketChannelImpl",
                "sun.nio.ch.DatagramChannelImpl",
                "sun.nio.ch.Net",
                "sun.nio.ch.NioSocketImpl",
                "sun.nio.ch.ServerSocketChannelImpl",
                "sun.nio.fs.LinuxFileStore",
                "sun.nio.fs.LinuxWatchService$Poller",
                "sun.nio.fs.UnixFileAttributeViews$Basic",
                "sun.nio.fs.UnixFileSystem",
                "sun.nio.fs.UnixNativeDispatcher"));
        if (jdk.equals(ChildJvm.JDK17)) {
            // JDK 17 copies files in a class of its own, which JDK 25 merged into UnixFileSystem.
            expected.add(12, "sun.nio.fs.UnixCopyFile");
            expected.add(4, "java.net.InetAddress$PlatformNameService");
        } else {
            expected.add(4, "java.net.InetAddress$PlatformResolver");
        }
        assertEquals(
                expected,
                a.keySet().stream().map(n -> n.substring(0, n.indexOf('-'))).collect(Collectors.toList()));
        Map<String, byte[]> b = entries(second);
        assertEquals(a.keySet(), b.keySet());
        for (String name : a.keySet()) {
            assertArrayEquals(a.get(name), b.get(name), name + " differs between two prepare runs");
        }
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void aClassNotLoadedBeforeTheAgentIsKeyedByTheRuntimeImagesClassFile(String jdk) throws Exception {
        // The watch service's Poller loads only when a WatchService is made: the agent loads it with
        // its transformers in place, so the key is the class file as the runtime image holds it, not
        // one the JVM reconstitutes (whose method order varied between runs, with the address layout).
        Path cache = prepare(jdk, "image");
        byte[] image;
        try (FileSystem jrt = FileSystems.newFileSystem(URI.create("jrt:/"), Map.of("java.home", jdk))) {
            image = Files.readAllBytes(jrt.getPath("/modules/java.base/sun/nio/fs/LinuxWatchService$Poller.class"));
        }
        assertArrayEquals(image, recordedInput(entry(cache, "sun.nio.fs.LinuxWatchService$Poller")));
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void aHelperReplaysTheCacheWithoutLoadingByteBuddy(String jdk) throws Exception {
        Path cache = prepare(jdk, "replay");
        Run run = helper(jdk, cache);
        assertEquals(0, run.result.exit, run.result::toString);
        assertEquals("", run.result.stderr);
        assertEquals("mode=CACHED\nbytebuddy=0\n", run.report);
        assertRoutes(run);
        assertEquals("bytebuddy=0\n", run.exitReport, "ByteBuddy loaded after premain");
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void aMissingEntryForAClassTheAgentLoadsFallsBackToTheLivePath(String jdk) throws Exception {
        // The Poller is loaded (and left unhooked) while the replay looks for its entry; the live
        // path that follows must still hook it.
        Path cache = prepare(jdk, "no-poller");
        Files.delete(entry(cache, "sun.nio.fs.LinuxWatchService$Poller"));
        Run run = helper(jdk, cache);
        assertEquals(0, run.result.exit, run.result::toString);
        assertEquals("", run.result.stderr);
        assertTrue(run.report.startsWith("mode=LIVE\nbytebuddy="), run.report);
        assertNotEquals("mode=LIVE\nbytebuddy=0\n", run.report);
        assertRoutes(run);
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void oneCacheServesBothJdks(String jdk) throws Exception {
        Path cache = root.resolve("cache-shared");
        synchronized (TransformCacheTest.class) {
            if (!Files.exists(cache)) {
                for (String each : ChildJvm.jdks().collect(Collectors.toList())) {
                    assertEquals(0, ChildJvm.run(each, root, false, prepareArgs(cache)).exit);
                }
            }
        }
        // Seventeen classes on JDK 17 and sixteen on 25 (no UnixCopyFile; each its own platform
        // resolver and InetAddress), each keyed by its own class bytes.
        assertEquals(33, entries(cache).size());
        Run run = helper(jdk, cache);
        assertEquals("mode=CACHED\nbytebuddy=0\n", run.report, run.result::toString);
        assertRoutes(run);
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void anEntryForOtherClassBytesFallsBackToTheLivePath(String jdk) throws Exception {
        Path cache = prepare(jdk, "tampered-input");
        // Flip one byte inside the recorded input of one entry: that JDK class no longer matches.
        Path entry = entry(cache, "java.io.RandomAccessFile");
        byte[] bytes = Files.readAllBytes(entry);
        bytes[20 + 8 + 4 + 100] ^= 1;
        Files.write(entry, bytes);
        Run run = helper(jdk, cache);
        assertEquals(0, run.result.exit, run.result::toString);
        assertEquals("", run.result.stderr);
        assertTrue(run.report.startsWith("mode=LIVE\nbytebuddy="), run.report);
        assertNotEquals("mode=LIVE\nbytebuddy=0\n", run.report);
        assertRoutes(run);
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void anotherAgentBuildsCacheFallsBackToTheLivePath(String jdk) throws Exception {
        Path cache = prepare(jdk, "tampered-fingerprint");
        try (Stream<Path> files = Files.list(cache)) {
            for (Path entry : files.collect(Collectors.toList())) {
                byte[] bytes = Files.readAllBytes(entry);
                bytes[20] ^= 1; // first byte of the fingerprint, after the 20-byte magic
                Files.write(entry, bytes);
            }
        }
        Run run = helper(jdk, cache);
        assertTrue(run.report.startsWith("mode=LIVE\n"), run.report);
        assertRoutes(run);
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void aMissingCacheFallsBackToTheLivePath(String jdk) throws Exception {
        Run run = helper(jdk, root.resolve("no-such-cache"));
        assertEquals("", run.result.stderr);
        assertTrue(run.report.startsWith("mode=LIVE\n"), run.report);
        assertRoutes(run);
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void theHooksSurviveAnotherAgentsRetransformation(String jdk) throws Exception {
        Path cache = prepare(jdk, "retransform");
        for (Path each : List.of(cache, root.resolve("no-cache"))) {
            Run run = helper(jdk, each, true);
            assertEquals("", run.result.stderr);
            assertRoutes(run);
        }
    }

    // ---- support

    private static final class Run {
        final ChildJvm.Result result;
        final String report;
        final String exitReport;
        final Map<String, String> outcomes = new TreeMap<>();

        Run(ChildJvm.Result result, String report, String exitReport) {
            this.result = result;
            this.report = report;
            this.exitReport = exitReport;
            for (String line : result.stdout.split("\n", -1)) {
                int bar = line.indexOf('|');
                if (bar > 0) {
                    outcomes.put(line.substring(0, bar), line.substring(bar + 1));
                }
            }
        }
    }

    /**
     * The woven code works whichever way it was installed: java.io, NIO, an NIO errno, and the watch
     * service's substitution (the fake opener has no watches: ENOSYS).
     */
    private static void assertRoutes(Run run) {
        assertEquals("OK fis-content", run.outcomes.get("fis_locked"), run.result::toString);
        assertEquals("OK nio-read-content", run.outcomes.get("nio_read_string"), run.result::toString);
        assertEquals(
                "THROW java.nio.file.FileSystemException: " + root + "/locked/loop.txt: Too many levels of"
                        + " symbolic links or unable to access attributes of symbolic link",
                run.outcomes.get("nio_errno"));
        assertEquals(
                "THROW java.nio.file.FileSystemException: " + root + "/locked: Function not implemented",
                run.outcomes.get("watch_locked"),
                run.result::toString);
    }

    private static List<String> prepareArgs(Path cache) throws IOException {
        Properties config = new Properties();
        config.setProperty("agent.args", "prepare=" + cache);
        Path file = Files.createTempFile(root, "prepare", ".properties");
        store(config, file);
        return List.of(
                "-javaagent:" + jar + "=config=" + file,
                "-cp",
                jar.toString(),
                Scenarios.class.getName(),
                root.toString(),
                "fis_direct");
    }

    /** An unconfined prepare run, as the broker would start it; checks it printed nothing. */
    private static Path prepare(String jdk, String name) throws Exception {
        Path cache = root.resolve("cache-" + name + "-" + Path.of(jdk).getFileName());
        ChildJvm.Result result = ChildJvm.run(jdk, root, false, prepareArgs(cache));
        assertEquals(0, result.exit, result::toString);
        assertEquals("", result.stdout, "a prepare run exits before main");
        assertEquals("", result.stderr);
        return cache;
    }

    /** A confined helper run with the cache, routing through the fake opener. */
    private static Run helper(String jdk, Path cache) throws Exception {
        return helper(jdk, cache, false);
    }

    private static Run helper(String jdk, Path cache, boolean retransform) throws Exception {
        Path report = ChildJvm.file(Files.createTempFile(root, "report", ".txt"), "", "rw-rw-rw-");
        Path exitReport = ChildJvm.file(Files.createTempFile(root, "exit-report", ".txt"), "", "rw-rw-rw-");
        Properties config = new Properties();
        config.setProperty("agent.args", "policy=" + RoutedRun.POLICY + ",cache=" + cache);
        config.setProperty("report", report.toString());
        config.setProperty("exit.report", exitReport.toString());
        config.setProperty(
                "sub." + root.resolve("locked/fis.txt"),
                root.resolve("real/fis.txt").toString());
        config.setProperty(
                "sub." + root.resolve("locked/nio-read.txt"),
                root.resolve("real/nio-read.txt").toString());
        config.setProperty("errno." + root.resolve("locked/loop.txt"), "40");
        config.setProperty("retransform", String.valueOf(retransform));
        Path file = Files.createTempFile(root, "helper", ".properties");
        store(config, file);
        List<String> args = new ArrayList<>(List.of(
                "-javaagent:" + jar + "=config=" + file,
                "-cp",
                jar.toString(),
                Scenarios.class.getName(),
                root.toString(),
                "fis_locked",
                "nio_read_string",
                "nio_errno",
                "watch_locked"));
        ChildJvm.Result result = ChildJvm.run(jdk, root, true, args);
        return new Run(result, Files.readString(report), Files.readString(exitReport));
    }

    private static void store(Properties config, Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            config.store(out, null);
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    }

    /** The one entry of {@code className} in {@code cache}. */
    private static Path entry(Path cache, String className) throws IOException {
        try (Stream<Path> files = Files.list(cache)) {
            List<Path> found = files.filter(p -> p.getFileName().toString().startsWith(className + "-"))
                    .collect(Collectors.toList());
            assertEquals(1, found.size(), found::toString);
            return found.get(0);
        }
    }

    /** The class file an entry is keyed by: after the magic and the fingerprint, length-prefixed. */
    private static byte[] recordedInput(Path entry) throws IOException {
        try (DataInputStream in = new DataInputStream(Files.newInputStream(entry))) {
            in.readFully(new byte[20 + 8]);
            byte[] input = new byte[in.readInt()];
            in.readFully(input);
            return input;
        }
    }

    private static Map<String, byte[]> entries(Path cache) throws IOException {
        Map<String, byte[]> entries = new TreeMap<>();
        try (Stream<Path> files = Files.list(cache)) {
            for (Path file : files.collect(Collectors.toList())) {
                entries.put(file.getFileName().toString(), Files.readAllBytes(file));
            }
        }
        return entries;
    }
}
