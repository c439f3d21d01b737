package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.airlock.it.app.Catalogue;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The catalogue of JDK file entry points (docs/ARCHITECTURE.md, "The agent's chokepoints"), each
 * run three ways on each helper JDK: unconfined with the same JDK, inside Airlock under a policy
 * granting the fixtures, and inside Airlock under a policy granting only an unrelated directory.
 * Granted, Airlock must be invisible: every entry prints the unconfined line and leaves its
 * directory as the unconfined run left it. Denied, every entry must fail as the JDK fails on a file
 * the process may not see, print nothing only reading or listing could tell, and leave its fixture
 * untouched.
 *
 * <p>One JVM runs the whole catalogue per way (six launches in all), on fresh fixtures; the
 * comparisons then come out as one test per entry per way, so a report names each entry point
 * that differs.
 */
class CatalogueIT {
    private static final List<Catalogue.Entry> ENTRIES = Catalogue.entries();
    private static final List<String> NAMES =
            ENTRIES.stream().map(Catalogue.Entry::name).toList();
    /**
     * The only lines Airlock may add to a denied run's stderr: refusals in its own voice. The
     * application's failures are its own exceptions, in its own output.
     */
    private static final Pattern REFUSAL = Pattern.compile("airlock: (denied|refused) .*");

    private static final int TIMEOUT_SECONDS = 300;

    @Test
    void catalogueIsWellFormed() {
        assertTrue(ENTRIES.size() >= 85, "the catalogue must cover at least 85 entry points, it has " + ENTRIES.size());
        assertEquals(NAMES.size(), new HashSet<>(NAMES).size(), "entry names must be unique: " + NAMES);
        for (String name : NAMES) {
            assertTrue(name.matches("[A-Za-z0-9_.]+"), "an entry name is a directory name without spaces: " + name);
            // Names appear in every denied line's path: a secret there would make every line a leak.
            assertFalse(name.contains(Catalogue.SECRET), name);
        }
    }

    @TestFactory
    Stream<DynamicNode> catalogue() {
        // Lazily per JDK: a JDK's three runs happen when its container runs, not when the tests are listed.
        return Arrays.stream(Jdk.values())
                .map(jdk -> dynamicContainer("helper on " + jdk, Stream.of(jdk).flatMap(CatalogueIT::testsOn)));
    }

    private static Stream<DynamicNode> testsOn(Jdk jdk) {
        Runs runs;
        try {
            runs = Runs.of(jdk);
        } catch (Exception | AssertionError e) {
            return Stream.of(dynamicTest("run the catalogue", () -> {
                throw e;
            }));
        }
        String on = jdk + " ";
        return Stream.of(
                dynamicTest("every run started from the same fixtures", () -> {
                    assertEquals(
                            runs.plain.before,
                            runs.granted.before,
                            on + "granted run's fixtures differ from the unconfined run's");
                    assertEquals(
                            runs.plain.before,
                            runs.denied.before,
                            on + "denied run's fixtures differ from the unconfined run's");
                }),
                dynamicContainer(
                        "unconfined",
                        Stream.concat(
                                Stream.of(dynamicTest("run", () -> assertRun(on + "unconfined", runs.plain, false))),
                                ENTRIES.stream().map(e -> dynamicTest(e.name(), () -> assertUnconfined(on, runs, e))))),
                dynamicContainer(
                        "granted",
                        Stream.concat(
                                Stream.of(
                                        dynamicTest("run", () -> assertRun(on + "granted", runs.granted, false)),
                                        dynamicTest(
                                                FixtureTree.OUTSIDE,
                                                () -> assertEquals(
                                                        runs.plain.after.get(FixtureTree.OUTSIDE),
                                                        runs.granted.after.get(FixtureTree.OUTSIDE),
                                                        on + "granted " + FixtureTree.OUTSIDE))),
                                ENTRIES.stream().map(e -> dynamicTest(e.name(), () -> assertGranted(on, runs, e))))),
                dynamicContainer(
                        "denied",
                        Stream.concat(
                                Stream.of(
                                        dynamicTest("run", () -> assertRun(on + "denied", runs.denied, true)),
                                        dynamicTest(
                                                FixtureTree.OUTSIDE,
                                                () -> assertEquals(
                                                        runs.denied.before.get(FixtureTree.OUTSIDE),
                                                        runs.denied.after.get(FixtureTree.OUTSIDE),
                                                        on + "denied " + FixtureTree.OUTSIDE))),
                                ENTRIES.stream().map(e -> dynamicTest(e.name(), () -> assertDenied(on, runs, e))))));
    }

    /** The run as a whole: it ended normally, printed one line per entry in order, and nothing else. */
    private static void assertRun(String where, Way way, boolean refusalsAllowed) {
        assertEquals(0, way.result.exitCode(), where + ": exit code; stderr: " + way.result.stderr());
        List<String> printed =
                way.result.stdout().stream().map(CatalogueIT::nameOf).toList();
        assertEquals(NAMES, printed, where + ": one line per entry, in the catalogue's order");
        if (refusalsAllowed) {
            for (String line : way.result.stderr().lines().toList()) {
                assertTrue(
                        REFUSAL.matcher(line).matches(),
                        where + ": stderr holds more than Airlock's refusals: " + line);
                assertFalse(line.contains(Catalogue.SECRET), where + ": a refusal reveals what was refused: " + line);
            }
        } else {
            assertEquals("", way.result.stderr(), where + ": stderr");
        }
    }

    /** The catalogue works at all: every entry point succeeds when nothing confines it. */
    private static void assertUnconfined(String on, Runs runs, Catalogue.Entry entry) {
        String line = line(runs.plain, entry);
        assertFalse(
                line.startsWith("EX "), () -> on + "unconfined " + entry.name() + ": fails even unconfined: " + line);
    }

    private static void assertGranted(String on, Runs runs, Catalogue.Entry entry) {
        String where = on + "granted " + entry.name() + ": ";
        String expected = line(runs.plain, entry);
        String actual = line(runs.granted, entry);
        assertAll(
                () -> assertEquals(expected, actual, where + "result, as the unconfined run printed it"),
                () -> assertEquals(
                        runs.plain.after.get(entry.name()),
                        runs.granted.after.get(entry.name()),
                        where + "the entry's directory afterwards, as the unconfined run left it"));
    }

    private static void assertDenied(String on, Runs runs, Catalogue.Entry entry) {
        String where = on + "denied " + entry.name() + ": ";
        String actual = line(runs.denied, entry);
        String expected = entry.deniedExpectation();
        assertAll(
                () -> assertTrue(
                        actual.equals(expected) || actual.startsWith(expected + ":"),
                        () -> where + "expected <" + expected + "...> but was <" + actual + ">"),
                () -> assertFalse(
                        actual.contains(Catalogue.SECRET),
                        () -> where + "reveals what only reading or listing could tell: " + actual),
                () -> assertEquals(
                        runs.denied.before.get(entry.name()),
                        runs.denied.after.get(entry.name()),
                        where + "the entry's fixture must be untouched"));
    }

    private static String line(Way way, Catalogue.Entry entry) {
        String line = way.lines.get(entry.name());
        assertNotNull(line, () -> "no line for " + entry.name() + "; stderr: " + way.result.stderr());
        return line;
    }

    private static String nameOf(String line) {
        int space = line.indexOf(' ');
        return space < 0 ? line : line.substring(0, space);
    }

    /** One way of running the catalogue: what it printed, and its fixture tree before and after. */
    private record Way(
            Sandbox.Result result,
            Map<String, String> lines,
            Map<String, List<String>> before,
            Map<String, List<String>> after) {}

    /** The three runs on one JDK, each on its own fresh fixtures in one throwaway tree. */
    private record Runs(Way plain, Way granted, Way denied) {
        static Runs of(Jdk jdk) throws Exception {
            try (Sandbox s = new Sandbox()) {
                copyCatalogue(s);
                Path other = Files.createDirectory(s.root.resolve("other"));
                s.worldReadable(other);
                Way plain = run(s, jdk, "plain", null);
                Way granted = run(s, jdk, "granted", Runs::grant);
                // Grants a real directory, just not this one: a policy that grants nothing at all is another case.
                Way denied = run(s, jdk, "denied", base -> grant(other));
                return new Runs(plain, granted, denied);
            }
        }

        private static String grant(Path dir) {
            String actions = "read,write,delete,execute,readlink";
            return "grant {\n"
                    + "  permission java.io.FilePermission \"" + dir + "\", \"" + actions + "\";\n"
                    + "  permission java.io.FilePermission \"" + dir + "/-\", \"" + actions + "\";\n"
                    + "};\n";
        }

        /**
         * Runs the catalogue on fresh fixtures in {@code fixtures-LABEL}: unconfined if there is no
         * policy, otherwise inside Airlock under the policy made for that base directory.
         */
        private static Way run(Sandbox s, Jdk jdk, String label, Function<Path, String> policy) throws Exception {
            // "fixtures-" keeps the base's path from being a prefix of the policy's, which the lines would mangle.
            Path base = s.root.resolve("fixtures-" + label);
            FixtureTree.create(base, ENTRIES);
            Set<String> names = Set.copyOf(NAMES);
            Map<String, List<String>> before = FixtureTree.snapshot(base, names);
            List<String> command = new ArrayList<>();
            if (policy == null) {
                command.add(jdk.java().toString());
            } else {
                Path file = s.policy(label + ".policy", policy.apply(base));
                command.addAll(List.of(
                        Sandbox.LAUNCHER.toString(),
                        "run",
                        "--java",
                        jdk.java().toString(),
                        "--policy",
                        file.toString(),
                        "--"));
            }
            // java.io.tmpdir in the fixtures: default temporary files are the catalogue's to make, and stay in view.
            command.addAll(List.of(
                    "-Djava.io.tmpdir=" + base, "-cp", s.app.toString(), Catalogue.class.getName(), base.toString()));
            Sandbox.Result result = Sandbox.Result.of(Sandbox.start(command), TIMEOUT_SECONDS);
            Map<String, String> lines = new LinkedHashMap<>();
            for (String line : result.stdout()) {
                String name = nameOf(line);
                lines.putIfAbsent(name, line.length() > name.length() ? line.substring(name.length() + 1) : "");
            }
            return new Way(result, lines, before, FixtureTree.snapshot(base, names));
        }

        /** The catalogue and its nested classes into the application directory; Plugin stays out, in the fixture's jar. */
        private static void copyCatalogue(Sandbox s) throws IOException {
            for (Class<?> type : Catalogue.class.getNestMembers()) {
                String resource = type.getName().replace('.', '/') + ".class";
                Path target = s.app.resolve(resource);
                Files.createDirectories(target.getParent());
                try (InputStream in = type.getClassLoader().getResourceAsStream(resource)) {
                    Files.write(target, in.readAllBytes());
                }
            }
            s.worldReadable(s.app);
        }
    }
}
