package dev.airlock.broker.signing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Makes real key files with the tools people make them with, {@code ssh-keygen} and
 * {@code openssl}, so that the parsers are tested on what those tools write, not on what Bouncy
 * Castle's own encoders write.
 */
final class KeyMaker {
    private final Path dir;

    KeyMaker(Path dir) {
        this.dir = dir;
    }

    /** {@code ssh-keygen -t TYPE [-b BITS] -N PASSPHRASE -f NAME}: NAME (private) and NAME.pub. */
    Path sshKeygen(String name, String type, int bits, String passphrase) throws Exception {
        List<String> command = new ArrayList<>(List.of("ssh-keygen", "-q", "-t", type));
        if (bits > 0) {
            command.addAll(List.of("-b", Integer.toString(bits)));
        }
        command.addAll(List.of(
                "-N", passphrase, "-C", "test@airlock", "-f", dir.resolve(name).toString()));
        run(command);
        return dir.resolve(name);
    }

    /** {@code ssh-keygen -l -f FILE}'s fingerprint, {@code SHA256:...}. */
    static String sshFingerprint(Path file) throws Exception {
        String line = run(List.of("ssh-keygen", "-l", "-f", file.toString()));
        int start = line.indexOf(' ') + 1;
        return line.substring(start, line.indexOf(' ', start));
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        return run(command, null);
    }

    private static String run(List<String> command, Path directory) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        assertEquals(0, process.exitValue(), command + ": " + output);
        return output;
    }

    /** {@code openssl ARGS...} run in the key directory (paths relative to it); {@code output} is the file it writes. */
    Path openssl(String output, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        run(command, dir);
        return dir.resolve(output);
    }
}
