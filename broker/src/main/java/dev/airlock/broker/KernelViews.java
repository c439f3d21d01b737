package dev.airlock.broker;

import dev.airlock.policy.FileActions;
import dev.airlock.policy.FileGrant;
import dev.airlock.policy.Policy;
import dev.airlock.unix.Errno;
import dev.airlock.unix.ErrnoException;
import dev.airlock.unix.Fd;
import dev.airlock.unix.Linux;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * procfs and sysfs, the file systems whose content depends on who looks: {@code /proc/self} is
 * whoever opens it, {@code /proc/PID/environ} and {@code mem} are readable by that process's
 * owner, and many of {@code /sys}'s files are writable by root only. Served by the broker, they
 * would be the broker's view, with its credentials: its own memory and environment under a
 * {@code /proc/-} grant. So the broker never opens anything on them for the helper (decided by
 * the file system of what was resolved, {@code fstatfs}, never by spelling), and the read grants
 * on them become Landlock rules instead ({@link #landlockReadRules}): the helper then reads its own
 * view, with its own credentials, as the kernel shows it to the helper.
 */
final class KernelViews {
    /** The reason a request is refused, which the helper's exception carries. */
    static final String REASON = "denied by airlock: the broker never opens files in /proc or /sys for the program"
            + " (a read grant there is the program's own view, given to it directly)";

    private KernelViews() {}

    /** Whether {@code fd} is on procfs or sysfs; true when that cannot be told (fail closed). */
    static boolean isKernelView(Fd fd) {
        return isKernelView(fd.get());
    }

    static boolean isKernelView(int fd) {
        try {
            long type = Linux.fileSystemType(fd);
            return type == Linux.PROC_SUPER_MAGIC || type == Linux.SYSFS_MAGIC;
        } catch (ErrnoException e) {
            return true;
        }
    }

    static Resolver.Refusal refusal() {
        return new Resolver.Refusal(Errno.EACCES, REASON);
    }

    /**
     * The paths the launcher adds to the helper's Landlock rules as READ: the policy's read grants
     * whose target is on procfs or sysfs, as opened at start by {@code roots}, race-free and
     * without following a link. A {@code /d/-} grant is its directory; a plain grant is the file
     * when it is not a directory. Not listed, because a Landlock rule cannot be that narrow or
     * cannot name it before the helper exists: a plain grant of a directory and a {@code /d/*}
     * grant (a rule grants everything beneath), a target through a link ({@code /proc/self/...}
     * names the broker until the helper reads it), and grants that only cover a procfs or sysfs
     * mount from above ({@code /-}, {@code <<ALL FILES>>}). Those stay refused: the helper gets
     * EACCES there.
     */
    static List<Path> landlockReadRules(Policy policy, GrantRoots roots) {
        List<Path> rules = new ArrayList<>();
        for (FileGrant grant : policy.fileGrants()) {
            if ((grant.actions() & FileActions.READ) == 0) {
                continue;
            }
            if (grant.kind() == FileGrant.Kind.TREE) {
                GrantRoots.Root root = roots.get(grant.path());
                if (root != null && root.directory().equals(grant.path()) && root.kernelView()) {
                    rules.add(Path.of(grant.path()));
                }
            } else if (grant.kind() == FileGrant.Kind.FILE && !grant.path().equals("/")) {
                int slash = grant.path().lastIndexOf('/');
                String parent = slash == 0 ? "/" : grant.path().substring(0, slash);
                GrantRoots.Root root = roots.get(parent);
                if (root != null
                        && root.directory().equals(parent)
                        && root.kernelView()
                        && isLinkFreeNonDirectory(root.fd(), grant.path().substring(slash + 1))) {
                    rules.add(Path.of(grant.path()));
                }
            }
        }
        return rules;
    }

    private static boolean isLinkFreeNonDirectory(Fd directory, String name) {
        try (Fd file = Linux.openat2(
                directory.get(), name, Linux.O_PATH | Linux.O_NOFOLLOW | Linux.O_CLOEXEC, 0, Resolver.RESOLVE)) {
            Linux.Stat stat = Linux.fstat(file.get());
            return !stat.isDirectory() && !stat.isSymbolicLink() && isKernelView(file);
        } catch (ErrnoException e) {
            return false;
        }
    }
}
