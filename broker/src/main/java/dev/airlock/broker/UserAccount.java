package dev.airlock.broker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The account the helper runs as when the broker is root, looked up in {@code /etc/passwd} by
 * name or given as a number. Its primary group becomes the helper's only group. Never uid 0: a
 * helper running as root would keep every capability (and with them the power to undo its own
 * confinement's effect on files: CAP_DAC_OVERRIDE reads any file Landlock lets it open, CAP_KILL
 * signals anything), which the README promises it never has.
 */
record UserAccount(String name, int uid, int gid) {
    /** The uid that is refused as the helper's. */
    static final int ROOT_UID = 0;

    /**
     * The helper's account for {@code --user USER}, when the broker runs as root: refused
     * (usage error) if unknown or if it is uid 0.
     */
    static UserAccount helper(String user) throws IOException, AirlockException {
        UserAccount account = find(user).orElseThrow(() -> new AirlockException(ExitCodes.USAGE,
                "--user " + user + ": no such user in /etc/passwd"));
        refuseRoot(user, account.uid());
        return account;
    }

    /**
     * Refuses {@code --user USER} naming uid 0 even when the broker is not root (the option then
     * changes nothing, but a command line asking for a root helper is a mistake worth stopping).
     */
    static void refuseRootByName(String user) throws IOException, AirlockException {
        if (user.equals(String.valueOf(ROOT_UID))) {
            refuseRoot(user, ROOT_UID);
        }
        Optional<UserAccount> account = find(user);
        if (account.isPresent()) {
            refuseRoot(user, account.get().uid());
        }
    }

    private static void refuseRoot(String user, int uid) throws AirlockException {
        if (uid == ROOT_UID) {
            throw new AirlockException(ExitCodes.USAGE, "--user " + user + ": the helper must not run as root (uid 0): "
                    + "it would keep every capability; name an unprivileged user (default: nobody)");
        }
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
                    return Optional.of(new UserAccount(fields[0], Integer.parseInt(fields[2]), Integer.parseInt(fields[3])));
                } catch (NumberFormatException malformed) {
                    throw new IOException("/etc/passwd: malformed entry for " + fields[0]);
                }
            }
        }
        return Optional.empty();
    }
}
