package dev.airlock.broker;

import dev.airlock.unix.Landlock;
import dev.airlock.unix.Linux;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the launcher looked up about this process and this machine before planning a run: the
 * environment variables the program would have had, the working directory its relative paths are
 * against, the broker's uid and gid (uid 0: root), the account {@code --user} names in
 * {@code /etc/passwd} (empty if none), the Landlock ABI the kernel reports (0: none), and the
 * broker's own home as its JDK computed it from the broker user's entry ({@code user.home}): the
 * helper's when it keeps the broker's user.
 */
record Environment(
        Map<String, String> variables,
        Path workingDirectory,
        int uid,
        int gid,
        Optional<UserAccount> account,
        int landlockAbi,
        Path ownHome) {
    /** An environment whose own home is not looked at ({@link UserAccount#NO_HOME}). */
    Environment(
            Map<String, String> variables,
            Path workingDirectory,
            int uid,
            int gid,
            Optional<UserAccount> account,
            int landlockAbi) {
        this(variables, workingDirectory, uid, gid, account, landlockAbi, UserAccount.NO_HOME);
    }

    Environment {
        variables = Collections.unmodifiableMap(new LinkedHashMap<>(variables));
        if (!workingDirectory.isAbsolute()) {
            throw new IllegalArgumentException("the working directory is not absolute: " + workingDirectory);
        }
        // The JDK answers "?" for a uid without an entry: no home it could use.
        ownHome = ownHome.isAbsolute() ? ownHome : UserAccount.NO_HOME;
    }

    /** This environment with {@code extra} variables set too (a drop-in's, {@link DropInVariables}). */
    Environment withVariables(Map<String, String> extra) {
        if (extra.isEmpty()) {
            return this;
        }
        Map<String, String> merged = new LinkedHashMap<>(variables);
        merged.putAll(extra);
        return new Environment(merged, workingDirectory, uid, gid, account, landlockAbi, ownHome);
    }

    /** Whether the broker runs as root: then the helper drops to an account and gets namespaces. */
    boolean root() {
        return uid == UserAccount.ROOT_UID;
    }

    /** This process's environment, with {@code account} as looked up for {@code --user}; libc must be bound. */
    static Environment lookUp(Optional<UserAccount> account) {
        return new Environment(
                System.getenv(),
                Path.of(System.getProperty("user.dir")),
                Linux.getuid(),
                Linux.getgid(),
                account,
                Landlock.abi(),
                Path.of(System.getProperty("user.home")));
    }
}
