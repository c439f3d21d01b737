package dev.airlock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The unprivileged accounts that root-only tests run programs as: each test names its own, and
 * makes it (as root, with {@code useradd}) when the machine lacks it, so that a fresh machine
 * needs nothing made by hand and no test depends on an account another test or {@code .ci/run}
 * happens to have made first.
 */
final class TestAccounts {
    private TestAccounts() {}

    /** Makes account {@code name} when there is none, with a home of its own when {@code home}, never a login shell. */
    static void ensure(String name, boolean home) throws IOException, InterruptedException {
        if (passwdEntry(name) != null) {
            return;
        }
        List<String> command = new ArrayList<>(List.of("useradd", "--shell", "/usr/sbin/nologin"));
        command.add(home ? "--create-home" : "--no-create-home");
        if (!home) {
            command.add("--system");
        }
        command.add(name);
        Process add = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(add.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, add.waitFor(), String.join(" ", command) + ": " + out);
    }

    /** {@code name}'s home from {@code /etc/passwd}, or null when there is no such account. */
    static String home(String name) throws IOException {
        String[] fields = passwdEntry(name);
        return fields == null ? null : fields[5];
    }

    private static String[] passwdEntry(String name) throws IOException {
        for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
            String[] fields = line.split(":", -1);
            if (fields.length >= 7 && fields[0].equals(name)) {
                return fields;
            }
        }
        return null;
    }
}
