package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A real program not written for Airlock: javac compiling a generated project of
 * {@value JavacProject#PACKAGES} packages ({@link JavacProject}) inside the sandbox, with the
 * sources granted read and the output directory granted write, must write exactly the class
 * files the same javac writes outside it. javac exercises what an ordinary program does with
 * files: it stats and reads hundreds of sources, lists the source path's package directories,
 * creates the output's package directories and writes over a thousand class files.
 *
 * <p>The sources are named on the command line rather than in an {@code @argfile}, so neither the
 * java launcher nor Airlock's own argument parsing decides who reads the list. Both compiles run
 * in an empty working directory: without {@code -cp}, javac's class path (and Airlock's reading of
 * the helper's class path) is the current directory, which must not be one that holds the sources
 * or the output, or the kernel would let the helper read them without the policy.
 */
final class JavacIT {
    private static final String JAVAC = "jdk.compiler/com.sun.tools.javac.Main";
    /** Generous: a compile takes about 5 s outside the sandbox on the project's machines. */
    private static final int TIMEOUT_SECONDS = 300;

    /** The generated sources, in compile order, and the empty directory both compiles run in. */
    private record Project(Path sources, List<Path> files, Path workingDirectory) {
        static Project generate(Sandbox s) throws IOException {
            Path sources = s.data.resolve("src");
            List<Path> files = JavacProject.generate(sources);
            Path workingDirectory = Files.createDirectories(s.data.resolve("cwd"));
            s.worldReadable(s.data);
            return new Project(sources, files, workingDirectory);
        }

        /** What follows {@code java}: javac as a module, so the same arguments serve inside and outside. */
        List<String> javacArgs(Path out) {
            List<String> args =
                    new ArrayList<>(List.of("-m", JAVAC, "-d", out.toString(), "-sourcepath", sources.toString()));
            files.forEach(file -> args.add(file.toString()));
            return args;
        }
    }

    private static Path outputDirectory(Sandbox s, String name) throws IOException {
        Path out = Files.createDirectories(s.data.resolve(name));
        s.worldReadable(out);
        return out;
    }

    private static String policy(Path sources, Path out, String outActions, String outContentActions) {
        return "grant {\n"
                + "  permission java.io.FilePermission \"" + sources + "\", \"read\";\n"
                + "  permission java.io.FilePermission \"" + sources + "/-\", \"read\";\n"
                + "  permission java.io.FilePermission \"" + out + "\", \"" + outActions + "\";\n"
                + "  permission java.io.FilePermission \"" + out + "/-\", \"" + outContentActions + "\";\n"
                + "};\n";
    }

    private static Sandbox.Result compileOutside(Jdk jdk, Project project, Path out)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(jdk.java().toString()));
        command.addAll(project.javacArgs(out));
        Process process = new ProcessBuilder(command)
                .directory(project.workingDirectory().toFile())
                .start();
        return Sandbox.Result.of(process, TIMEOUT_SECONDS);
    }

    private static Sandbox.Result compileInside(Jdk jdk, Path policy, Project project, Path out)
            throws IOException, InterruptedException {
        Process process =
                Sandbox.start(Sandbox.javaCommand(jdk, policy, project.javacArgs(out)), project.workingDirectory());
        return Sandbox.Result.of(process, TIMEOUT_SECONDS);
    }

    /** Every regular file under {@code out}, relative to it, sorted. */
    private static List<String> outputFiles(Path out) throws IOException {
        try (Stream<Path> walk = Files.walk(out)) {
            return walk.filter(Files::isRegularFile)
                    .map(p -> out.relativize(p).toString())
                    .sorted()
                    .toList();
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void javacInTheSandboxWritesTheSameClassFilesAsOutside(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Project project = Project.generate(s);
            Path outside = outputDirectory(s, "out-outside");
            Path inside = outputDirectory(s, "out-inside");
            Path policy =
                    s.policy("javac.policy", policy(project.sources(), inside, "read,write", "read,write,delete"));

            Sandbox.Result plain = compileOutside(jdk, project, outside);
            assertEquals(0, plain.exitCode(), "javac outside the sandbox failed:\n" + plain.stderr());
            assertEquals("", plain.stderr(), "the generated project compiles without a warning");

            Sandbox.Result confined = compileInside(jdk, policy, project, inside);
            assertEquals(0, confined.exitCode(), "javac in the sandbox failed:\n" + confined.stderr());
            assertEquals(plain.stderr(), confined.stderr(), "Airlock adds nothing to javac's stderr");
            assertEquals(plain.stdout(), confined.stdout(), "Airlock adds nothing to javac's stdout");

            List<String> expected = outputFiles(outside);
            assertTrue(
                    expected.size() > project.files().size(),
                    "every source compiles to at least one class file: " + expected.size());
            assertEquals(expected, outputFiles(inside), "the same class files");
            List<String> differing = new ArrayList<>();
            for (String file : expected) {
                if (Files.mismatch(outside.resolve(file), inside.resolve(file)) != -1) {
                    differing.add(file);
                }
            }
            assertEquals(List.of(), differing, "class files that differ from javac's outside the sandbox");
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void withoutWriteOnTheOutputJavacFailsAndWritesNothing(Jdk jdk) throws Exception {
        try (Sandbox s = new Sandbox()) {
            Project project = Project.generate(s);
            Path out = outputDirectory(s, "out");
            // Read but not write on the output: only the missing write may stop javac.
            Path policy = s.policy("read-only.policy", policy(project.sources(), out, "read", "read"));

            Sandbox.Result confined = compileInside(jdk, policy, project, out);
            assertNotEquals(0, confined.exitCode(), "javac succeeded without write access:\n" + confined.stderr());
            // javac's compiler.err.class.cant.write, whatever the cause it adds after it.
            assertTrue(confined.stderr().contains("error while writing"), confined.stderr());
            try (Stream<Path> left = Files.list(out)) {
                assertEquals(List.of(), left.toList(), "nothing written under the output directory");
            }
        }
    }
}
