package dev.airlock.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The agent end to end in real JVMs (JDK 17 and 25): the JDK's own file APIs, whose direct open
 * fails, get the substituted file, the exact flags, and the JDK's exact exception wording; nothing
 * is printed; a bad installation halts before main.
 */
class AirlockAgentTest {

    static Stream<String> jdks() {
        return ChildJvm.jdks();
    }

    private static String fnfe(RoutedRun run, String relative, String reason) {
        return "THROW java.io.FileNotFoundException: " + run.path(relative) + " (" + reason + ")";
    }

    private static String denial() {
        return "denied by airlock policy " + RoutedRun.POLICY + ": read";
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void childRunsCleanlyAndPrintsNothingOnStderr(String jdk) {
        RoutedRun run = RoutedRun.on(jdk);
        assertEquals(0, run.result.exit, run.result::toString);
        assertEquals("", run.result.stderr, "the agent must print nothing");
        assertTrue(run.report.contains("mode=LIVE"), run.report);
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void fileInputStreamReadsTheSubstitutedFile(String jdk) {
        RoutedRun run = RoutedRun.on(jdk);
        assertEquals("OK fis-content", run.outcome("fis_locked"));
        assertEquals(
                List.of("open " + run.path("locked/fis.txt") + " flags=0 mode=666 refuseDirectory=true"),
                run.requests("locked/fis.txt"));
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void anyJavaIoFailureIsRouted(String jdk) {
        // ENOENT, not EACCES: java.io routes on every FileNotFoundException.
        RoutedRun run = RoutedRun.on(jdk);
        assertEquals("OK fis-content", run.outcome("fis_missing"));
        assertEquals(1, run.requests("missing/fis.txt").size());
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void aSuccessfulDirectOpenIsNotRouted(String jdk) {
        RoutedRun run = RoutedRun.on(jdk);
        assertEquals("OK direct-content", run.outcome("fis_direct"));
        assertEquals(List.of(), run.requests("real/direct.txt"));
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void relativePathsAreResolvedAgainstUserDir(String jdk) {
        RoutedRun run = RoutedRun.on(jdk);
        assertEquals("OK rel-content", run.outcome("fis_relative"));
        assertEquals("OK rel-content", run.outcome("nio_relative"));
        List<String> requests = run.requests("locked/rel.txt");
        assertEquals(2, requests.size(), requests::toString);
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void javaIoDenialReadsLikeTheJdk(String jdk) {
        RoutedRun run = RoutedRun.on(jdk);
        assertEquals(fnfe(run, "locked/secret.txt", denial()), run.outcome("fis_denied"));
        assertEquals(fnfe(run, "locked/secret.txt", denial()), run.outcome("fos_denied"));
        assertEquals(fnfe(run, "locked/secret.txt", denial()), run.outcome("raf_denied"));
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void javaIoErrnoIsWordedExactlyAsTheJdkWordsItsOwn(String jdk) {
        RoutedRun run = RoutedRun.on(jdk);
        assertEquals(fnfe(run, "locked/absent.txt", "No such file or directory"), run.outcome("fis_enoent"));
        assertEquals(run.oracle("oracle_fis_enoent").replace("/real/", "/locked/"), run.outcome("fis_enoent"));
        assertEquals(run.oracle("oracle_fis_eloop").replace("/real/", "/locked/"), run.outcome("fis_errno"));
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void javaIoRefusesDirectoriesLikeTheJdk(String jdk) {
        RoutedRun run = RoutedRun.on(jdk);
        assertEquals(fnfe(run, "real/dir", "Is a directory"), run.outcome("fis_directory"));
        assertEquals(run.oracle("oracle_fis_directory"), run.outcome("fis_directory"));
        assertEquals(
                List.of("open " + run.path("real/dir") + " flags=0 mode=666 refuseDirectory=true"),
                run.requests("real/dir"));
        assertEquals(fnfe(run, "locked/dir", "Is a directory"), run.outcome("fis_directory_routed"));
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void unreachableBrokerFailsClosed(String jdk) {
        RoutedRun run = RoutedRun.on(jdk);
        assertEquals(fnfe(run, "locked/gone.txt", "airlock broker is gone"), run.outcome("fis_gone"));
        assertEquals(
                "THROW java.nio.file.FileSystemException: " + run.path("locked/gone.txt") + ": airlock broker is gone",
                run.outcome("nio_gone"));
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void fileOutputStreamTruncates(String jdk) throws Exception {
        RoutedRun run = RoutedRun.on(jdk);
        assertEquals("OK written", run.outcome("fos_truncate"));
        assertEquals("new", run.read("real/fos.txt"));
        // O_WRONLY|O_CREAT|O_TRUNC
        assertEquals(
                List.of("open " + run.path("locked/fos.txt") + " flags=1101 mode=666 refuseDirectory=true"),
                run.requests("locked/fos.txt"));
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void fileOutputStreamAppendsAndRecordsAppendMode(String jdk) throws Exception {
        RoutedRun run = RoutedRun.on(jdk);
        // position() is the file size only if the FileDescriptor carries the append bit.
        assertEquals("OK position=3,6", run.outcome("fos_append"));
        assertEquals("abcdef", run.read("real/fos-append.txt"));
        // O_WRONLY|O_CREAT|O_APPEND
        assertEquals(
                List.of("open " + run.path("locked/fos-append.txt") + " flags=2101 mode=666 refuseDirectory=true"),
                run.requests("locked/fos-append.txt"));
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void fileReaderAndFileWriter(String jdk) throws Exception {
        RoutedRun run = RoutedRun.on(jdk);
        assertEquals("OK reader-content", run.outcome("file_reader"));
        assertEquals("OK written", run.outcome("file_writer"));
        assertEquals("writer-data", run.read("real/writer.txt"));
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void randomAccessFileModesMapToLinuxFlags(String jdk) throws Exception {
        RoutedRun run = RoutedRun.on(jdk);
        assertEquals("OK raf-r-content length=13", run.outcome("raf_r"));
        assertEquals("OK data-rw", run.outcome("raf_rw"));
        assertEquals("OK data-rws", run.outcome("raf_rws"));
        assertEquals("OK data-rwd", run.outcome("raf_rwd"));
        assertEquals("data-rws", run.read("real/raf-rws.txt"));
        String prefix = "open " + run.root + "/locked/";
        assertEquals(
                List.of(prefix + "raf-r.txt flags=0 mode=666 refuseDirectory=true"), run.requests("locked/raf-r.txt"));
        // O_RDWR|O_CREAT, plus O_SYNC (04010000) or O_DSYNC (010000)
        assertEquals(
                List.of(prefix + "raf-rw.txt flags=102 mode=666 refuseDirectory=true"),
                run.requests("locked/raf-rw.txt"));
        assertEquals(
                List.of(prefix + "raf-rws.txt flags=4010102 mode=666 refuseDirectory=true"),
                run.requests("locked/raf-rws.txt"));
        assertEquals(
                List.of(prefix + "raf-rwd.txt flags=10102 mode=666 refuseDirectory=true"),
                run.requests("locked/raf-rwd.txt"));
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void nioReadsTheSubstitutedFile(String jdk) {
        RoutedRun run = RoutedRun.on(jdk);
        assertEquals("OK nio-read-content", run.outcome("nio_new_byte_channel"));
        assertEquals("OK nio-read-content", run.outcome("nio_new_input_stream"));
        assertEquals("OK nio-read-content", run.outcome("nio_read_all_bytes"));
        assertEquals("OK nio-read-content", run.outcome("nio_read_string"));
        assertEquals("OK size=16", run.outcome("nio_file_channel"));
        List<String> requests = run.requests("locked/nio-read.txt");
        assertEquals(5, requests.size(), requests::toString);
        for (String request : requests) {
            assertEquals(
                    "open " + run.path("locked/nio-read.txt") + " flags=0 mode=666 refuseDirectory=false", request);
        }
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void nioWritesTheSubstitutedFile(String jdk) throws Exception {
        RoutedRun run = RoutedRun.on(jdk);
        assertEquals("OK written", run.outcome("nio_new_output_stream"));
        assertEquals("nio-out-data", run.read("real/nio-out.txt"));
        assertEquals("OK written", run.outcome("nio_write"));
        assertEquals("nio-write-data", run.read("real/nio-write.txt"));
        assertEquals(
                List.of("open " + run.path("locked/nio-write.txt") + " flags=1101 mode=666 refuseDirectory=false"),
                run.requests("locked/nio-write.txt"));
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void nioDirectoryStreamsOpenTheDirectoryThroughTheHook(String jdk) {
        // Linux's directory stream opens the directory with open(2) and reads it with fdopendir.
        RoutedRun run = RoutedRun.on(jdk);
        assertEquals("OK entry.txt", run.outcome("nio_directory_stream"));
        List<String> requests = run.requests("locked/dir");
        assertEquals(2, requests.size(), requests::toString);
        assertEquals("open " + run.path("locked/dir") + " flags=0 mode=0 refuseDirectory=false", requests.get(1));
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void nioDenialIsAccessDeniedWithTheReason(String jdk) {
        RoutedRun run = RoutedRun.on(jdk);
        String expected =
                "THROW java.nio.file.AccessDeniedException: " + run.path("locked/secret.txt") + ": " + denial();
        assertEquals(expected, run.outcome("nio_denied"));
        assertEquals(expected, run.outcome("nio_denied_channel"));
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void nioErrnoIsTranslatedByTheJdkItself(String jdk) {
        RoutedRun run = RoutedRun.on(jdk);
        assertEquals(
                "THROW java.nio.file.NoSuchFileException: " + run.path("locked/absent.txt"), run.outcome("nio_enoent"));
        assertEquals(run.oracle("oracle_nio_enoent").replace("/real/", "/locked/"), run.outcome("nio_enoent"));
        assertEquals(run.oracle("oracle_nio_eloop").replace("/real/", "/locked/"), run.outcome("nio_errno"));
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void nioRoutesOnlyAccessErrors(String jdk) {
        RoutedRun run = RoutedRun.on(jdk);
        assertEquals(
                "THROW java.nio.file.NoSuchFileException: " + run.path("missing/nio.txt"),
                run.outcome("nio_not_routed"));
        assertEquals(List.of(), run.requests("missing/nio.txt"));
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void badArgumentsHaltBeforeMain(String jdk) throws Exception {
        Path dir = ChildJvm.directory("airlock-agent-halt");
        try {
            Path jar = ChildJvm.agentJar(dir, "airlock-agent.jar", AirlockAgent.class.getName());
            ChildJvm.Result result = ChildJvm.run(
                    jdk,
                    dir,
                    false,
                    List.of(
                            "-javaagent:" + jar + "=channel=three,policy=app.policy",
                            "-cp",
                            jar.toString(),
                            Scenarios.class.getName(),
                            dir.toString(),
                            "fis_direct"));
            assertEquals(AirlockAgent.FAILED, result.exit, result::toString);
            assertEquals("", result.stdout, "main must not run");
            assertEquals(
                    "airlock: cannot install the file-access agent: agent argument 'channel' is not a descriptor: 'three'\n",
                    result.stderr);
        } finally {
            ChildJvm.delete(dir);
        }
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void productionPremainRefusesToRunWithoutItsBroker(String jdk) throws Exception {
        Path dir = ChildJvm.directory("airlock-agent-prod");
        try {
            Files.createDirectories(dir.resolve("real"));
            Files.writeString(dir.resolve("real/direct.txt"), "direct-content");
            Path jar = ChildJvm.agentJar(dir, "airlock-agent.jar", AirlockAgent.class.getName(), true);
            List<String> args = new ArrayList<>();
            if (jdk.equals(ChildJvm.JDK25)) {
                // Not for the agent (it needs neither): the helper's JNR (jffi) loads a native stub
                // and uses sun.misc.Unsafe when the broker check binds libc, and JDK 24+ warns about
                // both on stderr. What the broker must pass on JDK 24+.
                args.addAll(List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"));
            }
            args.addAll(List.of(
                    "-javaagent:" + jar + "=channel=3,policy=app.policy",
                    "-cp",
                    jar.toString(),
                    Scenarios.class.getName(),
                    dir.toString(),
                    "fis_direct",
                    "fis_missing"));
            ChildJvm.Result result = ChildJvm.run(jdk, dir, false, args);
            // Descriptor 3 is no broker channel here: the agent's check refuses it and halts the
            // JVM; nothing is ever routed, and nothing falls back to a direct open.
            assertEquals(AirlockAgent.FAILED, result.exit, result::toString);
            assertEquals(
                    "airlock: the broker channel 3 failed its check: getsockopt(SO_PEERCRED) failed: ENOTSOCK"
                            + " (Socket operation on non-socket)\n",
                    result.stderr);
            assertFalse(result.stdout.contains("fis_missing|OK"), result::toString);
        } finally {
            ChildJvm.delete(dir);
        }
    }
}
