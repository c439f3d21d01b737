package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real project's test suite, not written for Airlock, run confined the way a Maven user switches
 * Airlock on: one {@code -javaagent:airlock.jar=policy=...} in Surefire's {@code argLine}. The
 * project is Apache Commons CSV ({@link SurefireProject}); its suite reads its test data from
 * {@code src/test/resources} by path and writes temporary files and {@code @TempDir} directories,
 * which every run here puts in the build directory ({@code -Djava.io.tmpdir=target/tmp}, as builds
 * that keep to their own tree do), so the suite reads the source tree and writes the build tree.
 *
 * <p>Surefire's forked JVM is the case the drop-in must get right: it starts from a manifest-only
 * booter jar in {@code target/surefire} whose {@code Class-Path} names jars in the local
 * repository ({@code /root/.m2}, mode 0700, when the tests run as root and the helper as nobody),
 * and it talks to Maven over its standard streams.
 *
 * <p>The suite runs first without Airlock (and, when this build is online, fetches the plugins and
 * test dependencies the project's own build needs into the local repository), then offline, on
 * the same JDK 17, confined under {@code src/test/resources/surefire/commons-csv.policy}: the same test cases with
 * the same outcomes. Then the tests that write files run under the same policy without write on
 * the build directory, on JDK 25: each fails on the denied write, a file's creation with Airlock's reason in
 * Surefire's report, and the build ends with a failure; a hang is killed by {@link
 * SurefireProject}'s timeout and fails the test.
 */
final class SurefireArgLineIT {
    private static final Path AIRLOCK_JAR = Path.of(System.getProperty("airlock.jar", "../dist/target/airlock.jar"))
            .toAbsolutePath();

    /** The tests of the suite that write files: UserGuideTest's @TempDir, CSVPrinterTest's temporary files. */
    private static final String WRITING_TESTS = "UserGuideTest,CSVPrinterTest#testPrintTo*";

    /** Where the runs' times are collected for the closing note, beside the test reports. */
    private static final Path TIMES = Path.of("target", "surefire-argline-times.txt");

    private static SurefireProject project;
    private static SurefireProject.Run plain;
    private static SurefireReport plainReport;

    @BeforeAll
    static void runTheSuiteWithoutAirlock() throws IOException, InterruptedException {
        project = SurefireProject.commonsCsv();
        plain = project.test("plain", Jdk.JDK17, false, "-Djava.io.tmpdir=" + project.tmp());
        record("plain", plain);
        assertEquals(
                0,
                plain.exitCode(),
                "Commons CSV's suite fails without Airlock: the test is broken\n" + plain.logTail());
        plainReport = plain.report();
        assertEquals(0, plainReport.failures().size(), "failures without Airlock: " + plainReport.failures());
        assertTrue(plainReport.cases().size() > 500, "too few test cases ran: " + plainReport.summary());
    }

    @AfterAll
    static void removeTheProject() throws IOException {
        if (project != null) {
            project.close();
        }
    }

    private static String argLine(Path policy) {
        return "-javaagent:" + AIRLOCK_JAR + "=policy=" + policy + " -Djava.io.tmpdir=" + project.tmp();
    }

    @Test
    void theSuiteConfinedThroughArgLineHasTheSameResults() throws IOException, InterruptedException {
        SurefireProject.Run confined =
                project.test("confined", Jdk.JDK17, true, argLine(project.policy("commons-csv.policy")));
        record("confined", confined);
        assertEquals(0, confined.exitCode(), "Commons CSV's suite fails confined\n" + confined.logTail());
        SurefireReport report = confined.report();
        assertEquals(plainReport.summary(), report.summary());
        assertEquals(plainReport.cases(), report.cases(), "the same test cases with the same outcomes");
        assertConfined(report);
    }

    @Test
    void withoutWriteOnTheBuildDirectoryTheWritingTestsFailWithAirlocksReason()
            throws IOException, InterruptedException {
        Path policy = project.policy("commons-csv-read-only-build.policy");
        // On JDK 25: the whole suite runs confined on JDK 17 in the other test; this short run shows
        // Surefire's forked JVM under the drop-in on the other JDK the helper supports.
        SurefireProject.Run denied =
                project.test("denied", Jdk.JDK25, true, argLine(policy), "-Dtest=" + WRITING_TESTS);
        record("denied", denied);
        assertNotEquals(0, denied.exitCode(), "the build must fail when its tests do\n" + denied.logTail());
        SurefireReport report = denied.report();
        assertConfined(report);
        Set<String> selected = new TreeSet<>();
        for (String id : plainReport.cases().keySet()) {
            if (id.startsWith("org.apache.commons.csv.UserGuideTest#")
                    || id.startsWith("org.apache.commons.csv.CSVPrinterTest#testPrintTo")) {
                selected.add(id);
            }
        }
        assertFalse(selected.isEmpty(), "the plain run has none of " + WRITING_TESTS);
        assertEquals(selected, report.cases().keySet(), "the writing tests ran, and only they");
        assertEquals(selected, report.failures().keySet(), "each writing test fails: " + report.summary());
        String reason = "denied by airlock policy " + policy + ": write";
        for (Map.Entry<String, String> failure : report.failures().entrySet()) {
            String text = failure.getValue();
            assertTrue(
                    text.contains("java.nio.file.AccessDeniedException: " + project.tmp() + "/"),
                    failure.getKey() + " fails otherwise than by a denied write in " + project.tmp() + ":\n" + text);
            // Creating a file is an open, whose denial carries the policy's reason; JUnit's @TempDir
            // creates a directory, a mutation, whose denial is the JDK's own EACCES (agent Failures).
            if (failure.getKey().contains("CSVPrinterTest#")) {
                assertTrue(text.contains(reason), failure.getKey() + " fails without \"" + reason + "\":\n" + text);
            }
        }
        String log = Files.readString(denied.log(), StandardCharsets.UTF_8);
        assertTrue(log.contains("Tests run: " + selected.size() + ", Failures: "), "Surefire's summary:\n" + log);
    }

    /**
     * The forked JVM the report describes ran as the helper: as root, Airlock's helper runs as
     * nobody, so {@code user.name} says who ran the tests.
     */
    private static void assertConfined(SurefireReport report) {
        if (Sandbox.isRoot()) {
            assertEquals("root", plainReport.properties().get("user.name"), "the plain run ran as root");
            assertEquals("nobody", report.properties().get("user.name"), "the tests ran as Airlock's helper");
        }
        assertEquals(project.tmp().toString(), report.properties().get("java.io.tmpdir"));
    }

    private static void record(String name, SurefireProject.Run run) throws IOException {
        String line = String.format(
                Locale.ROOT, "commons-csv suite %-8s %6d ms (mvn exit %d)%n", name, run.millis(), run.exitCode());
        System.out.print(line);
        Files.writeString(TIMES, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
