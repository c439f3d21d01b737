package dev.airlock.broker;

import dev.airlock.policy.PolicyLearner;
import dev.airlock.policy.PolicySyntaxException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code airlock learn}: runs the program as {@code airlock run} does, with the same confinement,
 * but with the broker allowing every file and socket action it can perform itself (so the kernel
 * and the file modes still limit the program to what Airlock's user can reach), records each
 * allowed decision, and then writes the policy {@link PolicyLearner} learns from them to
 * {@code --output}. {@code --policy} files are the base: what they grant is not learnt, and the
 * kernel's direct grants stay theirs. An existing output is refused unless {@code --append} asks
 * to merge this run into it. Exits with the program's status.
 */
@Command(
        name = "learn",
        description = "Run a Java program confined, allowing what it uses, and write the policy that grants exactly"
                + " that.",
        mixinStandardHelpOptions = true)
final class LearnCommand implements Callable<Integer> {
    @Option(
            names = "--output",
            paramLabel = "FILE",
            required = true,
            description = "The learnt policy to write; refused if it exists, unless --append.")
    Path output;

    @Option(
            names = "--append",
            description = "Merge this run into the learnt policy --output already holds (or write it if it is absent).")
    boolean append;

    @Mixin
    RunOptions options = new RunOptions();

    private final PrintStream err;

    LearnCommand(PrintStream err) {
        this.err = err;
    }

    @Override
    public Integer call() throws Exception {
        Optional<String> earlier = earlier();
        RunCommand.Learning learning = new RunCommand.Learning();
        RunCommand run = new RunCommand(err, Optional.of(learning));
        run.options = options;
        learning.atEnd = exit -> {
            try {
                finish(learning, earlier, exit);
                return exit;
            } catch (AirlockException e) {
                err.println("airlock: " + e.getMessage());
                return e.exitCode();
            }
        };
        // The broker exits from its reaper, after atEnd, once the program is gone.
        return run.call();
    }

    private void finish(RunCommand.Learning learning, Optional<String> earlier, int exit) throws AirlockException {
        PolicyLearner learner = new PolicyLearner(learning.properties, Optional.of(learning.base), new Disk());
        if (earlier.isPresent()) {
            try {
                learner.merge(output.toString(), earlier.get());
            } catch (PolicySyntaxException e) {
                throw new AirlockException(ExitCodes.USAGE, e.getMessage());
            }
        }
        List<PolicyLearner.Observation> seen = learning.recorder.observations();
        seen.forEach(learner::observe);
        String text = learner.policyText();
        write(text);
        long permissions =
                text.lines().filter(l -> l.startsWith("    permission ")).count();
        err.println("airlock: learnt " + permissions + " permissions from " + seen.size() + " allowed decisions"
                + (earlier.isPresent() ? " and the earlier " + output : "") + "; wrote " + output
                + " (the program exited with " + exit + ")");
    }

    /** The learnt policy to merge with, read before the run so that a bad one fails first. */
    private Optional<String> earlier() throws AirlockException {
        if (!Files.exists(output)) {
            return Optional.empty();
        }
        if (!append) {
            throw new AirlockException(
                    ExitCodes.USAGE, "--output " + output + " exists: give --append to merge this run into it");
        }
        try {
            String text = new String(dev.airlock.policy.Policy.read(output), StandardCharsets.UTF_8);
            if (!text.startsWith(PolicyLearner.HEADER)) {
                throw new AirlockException(
                        ExitCodes.USAGE, output + ": not a learnt policy (airlock learn did not write it)");
            }
            return Optional.of(text);
        } catch (IOException e) {
            throw new AirlockException(
                    ExitCodes.USAGE, output + ": cannot read: " + dev.airlock.policy.Policy.describe(e));
        }
    }

    /** Written whole or not at all: a temporary file beside it, moved over it. */
    private void write(String text) throws AirlockException {
        Path target = output.toAbsolutePath();
        try {
            Path temp = Files.createTempFile(target.getParent(), ".airlock-learn", ".tmp");
            try {
                Files.writeString(temp, text, StandardCharsets.UTF_8);
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new AirlockException(ExitCodes.INTERNAL, "cannot write " + output + ": " + e);
        }
    }

    /** The disk as the program left it, for the collapse and scratch-file rules, looked at with the broker's rights. */
    private static final class Disk implements PolicyLearner.Directories {
        @Override
        public OptionalInt entryCount(String directory) {
            try (Stream<Path> entries = Files.list(Path.of(directory))) {
                return OptionalInt.of((int) Math.min(Integer.MAX_VALUE, entries.count()));
            } catch (IOException | RuntimeException e) {
                return OptionalInt.empty();
            }
        }

        @Override
        public boolean exists(String path) {
            return Files.exists(Path.of(path), LinkOption.NOFOLLOW_LINKS);
        }
    }
}
