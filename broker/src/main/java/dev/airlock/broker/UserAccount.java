package dev.airlock.broker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The account the helper runs as when the broker is root, looked up in {@code /etc/passwd} by
 * name or given as a number. Its primary group becomes the helper's only group.
 */
record UserAccount(String name, int uid, int gid) {
    static UserAccount lookup(String user) throws IOException {
        for (String line : Files.readAllLines(Path.of("/etc/passwd"), StandardCharsets.UTF_8)) {
            String[] fields = line.split(":", -1);
            if (fields.length < 4) {
                continue;
            }
            if (fields[0].equals(user) || fields[2].equals(user)) {
                try {
                    return new UserAccount(fields[0], Integer.parseInt(fields[2]), Integer.parseInt(fields[3]));
                } catch (NumberFormatException malformed) {
                    throw new IOException("/etc/passwd: malformed entry for " + fields[0]);
                }
            }
        }
        throw new IOException("no such user: " + user);
    }
}
