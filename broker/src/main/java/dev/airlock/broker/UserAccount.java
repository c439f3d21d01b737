package dev.airlock.broker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The account the helper runs as when the broker is root, looked up in {@code /etc/passwd} by
 * name or given as a number, with its home directory as the JDK reads it from the same entry (the
 * helper's {@code user.home}; an empty or relative entry counts as {@link #NO_HOME}). Its primary
 * group becomes the helper's only group. Never uid 0
 * ({@link SandboxPlanner#checkArguments} refuses it): a helper running as root would keep every
 * capability (and with them the power to undo its own confinement's effect on files:
 * CAP_DAC_OVERRIDE reads any file Landlock lets it open, CAP_KILL signals anything), which the
 * README promises it never has.
 */
record UserAccount(String name, int uid, int gid, Path home) {
    /** The uid that is refused as the helper's, and that makes the broker root. */
    static final int ROOT_UID = 0;

    /** The home of an account whose entry names none that the JDK would use: Debian's {@code nobody}'s. */
    static final Path NO_HOME = Path.of("/nonexistent");

    /** An account whose home is not looked at ({@link #NO_HOME}). */
    UserAccount(String name, int uid, int gid) {
        this(name, uid, gid, NO_HOME);
    }

    /** The {@code /etc/passwd} entry whose name, or uid, is {@code user}. */
    static Optional<UserAccount> find(String user) throws IOException {
        for (String line : Files.readAllLines(Path.of("/etc/passwd"), StandardCharsets.UTF_8)) {
            String[] fields = line.split(":", -1);
            if (fields.length < 4) {
                continue;
            }
            if (fields[0].equals(user) || fields[2].equals(user)) {
                try {
                    String home = fields.length > 5 ? fields[5] : "";
                    return Optional.of(new UserAccount(
                            fields[0],
                            Integer.parseInt(fields[2]),
                            Integer.parseInt(fields[3]),
                            home.startsWith("/") ? Path.of(home) : NO_HOME));
                } catch (NumberFormatException malformed) {
                    throw new IOException("/etc/passwd: malformed entry for " + fields[0]);
                }
            }
        }
        return Optional.empty();
    }
}
