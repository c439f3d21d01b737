package dev.airlock.broker;

import dev.airlock.broker.LandlockRules.Rule;
import dev.airlock.policy.FileActions;
import dev.airlock.policy.KernelGrant;
import dev.airlock.policy.Policy;
import dev.airlock.unix.ErrnoException;
import dev.airlock.unix.Fd;
import dev.airlock.unix.Landlock;
import dev.airlock.unix.Linux;
import dev.airlock.unix.Statx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The policy's grants that become rules of the helper's own Landlock ruleset, so that the program
 * uses them by itself, from Java and from native code alike (a native library opening its
 * database, the dynamic loader mapping a {@code .so}), with no broker round trip. Which grants the
 * kernel can carry, and with which meaning, is the policy's decision ({@link Policy#kernelGrants});
 * this class turns each into Landlock rights ({@link #rights}) and keeps only those whose path, as
 * found on disk before the helper exists, a rule on its inode grants exactly ({@link #refusal}):
 *
 * <ul>
 *   <li>it exists, and neither it nor any directory above it is a symbolic link (a rule is
 *       attached to what the path leads to; the policy decides names, and decides a link by
 *       where it leads);
 *   <li>a single file is a regular file with no other hard link (another name would be granted
 *       too); a tree is a directory;
 *   <li>it is not on procfs or sysfs, and a tree has none mounted beneath it ({@link KernelViews}
 *       decides those: the broker never serves them);
 *   <li>no other mount shows it under another name ({@link MountTable#reachableElsewhere}: a bind
 *       mount of it or of a directory above it);
 *   <li>the helper's user may reach it by its own permissions (Landlock never adds to them): every
 *       directory on the way searchable, a tree's directory searchable, a single file readable
 *       (for read) or executable (for execute) by the owner, group or other class the helper's uid
 *       and primary gid fall in ({@link #permits}); a right the permissions refuse is dropped.
 * </ul>
 *
 * <p>Everything else the policy grants stays the broker's: the agent sends Java's refused calls
 * there as before, and native code gets the kernel's EACCES. Where the two paths cannot match, the
 * kernel is the stricter one; docs/ARCHITECTURE.md ("The kernel path") lists each case.
 */
final class NativeGrants {
    /** A kernel grant that stays brokered, and why. */
    record Skipped(KernelGrant grant, String reason) {}

    private static final int MAY_EXECUTE = 1;
    private static final int MAY_READ = 4;

    /** What {@link FileActions#WRITE} means beneath a tree: writing, truncating, creating files, directories and links. */
    static final long TREE_WRITE =
            Landlock.WRITE_FILE | Landlock.TRUNCATE | Landlock.MAKE_REG | Landlock.MAKE_DIR | Landlock.MAKE_SYM;
    /** What {@link FileActions#DELETE} means beneath a tree: removing files and directories. */
    static final long TREE_DELETE = Landlock.REMOVE_FILE | Landlock.REMOVE_DIR;

    private final List<Rule> rules;
    private final List<Skipped> skipped;

    NativeGrants(List<Rule> rules, List<Skipped> skipped) {
        this.rules = List.copyOf(rules);
        this.skipped = List.copyOf(skipped);
    }

    /** No kernel grants: everything is brokered. */
    static NativeGrants none() {
        return new NativeGrants(List.of(), List.of());
    }

    /** The rules, each on a real path; a single file that reads is a direct root. */
    List<Rule> rules() {
        return rules;
    }

    /** The kernel grants that stay brokered, with the reason. */
    List<Skipped> skipped() {
        return skipped;
    }

    /**
     * The Landlock rights that mean what {@code grant}'s actions mean, and nothing more:
     *
     * <ul>
     *   <li>read: {@code READ_FILE}; beneath a tree also {@code READ_DIR} when the directory itself
     *       is readable ({@link KernelGrant#listable}), since a rule on it lists it too;
     *   <li>write beneath a tree: {@link #TREE_WRITE}. Not {@code MAKE_FIFO}, {@code MAKE_SOCK},
     *       {@code MAKE_CHAR} or {@code MAKE_BLOCK} (no JDK call makes them, and the broker serves
     *       none), not {@code IOCTL_DEV};
     *   <li>delete beneath a tree: {@link #TREE_DELETE}; with write too, {@code REFER}, so that a
     *       rename or link between directories (write on both names) works where both sides may
     *       write and delete. A rename also needs the source's directory to grant removal, which
     *       write alone does not: such a rename stays brokered;
     *   <li>execute: {@code EXECUTE};
     *   <li>a single file: read and execute only (see {@link Policy#kernelGrants}).
     * </ul>
     */
    static long rights(KernelGrant grant) {
        int actions = grant.actions();
        long rights = 0;
        if ((actions & FileActions.READ) != 0) {
            rights |= Landlock.READ_FILE;
        }
        if ((actions & FileActions.EXECUTE) != 0) {
            rights |= Landlock.EXECUTE;
        }
        if (grant.kind() == KernelGrant.Kind.FILE) {
            return rights;
        }
        if (grant.listable()) {
            rights |= Landlock.READ_DIR;
        }
        if ((actions & FileActions.WRITE) != 0) {
            rights |= TREE_WRITE;
        }
        if ((actions & FileActions.DELETE) != 0) {
            rights |= TREE_DELETE;
        }
        if ((actions & (FileActions.WRITE | FileActions.DELETE)) == (FileActions.WRITE | FileActions.DELETE)) {
            rights |= Landlock.REFER;
        }
        return rights;
    }

    /**
     * Looks up each of {@code policy}'s kernel grants on disk, as the helper running as
     * {@code uid}:{@code gid} would meet it, and keeps those a rule grants exactly.
     */
    static NativeGrants lookUp(Policy policy, int uid, int gid, MountTable mounts) {
        List<Rule> rules = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        for (KernelGrant grant : policy.kernelGrants()) {
            Optional<String> refused;
            long rights = rights(grant);
            try {
                List<Statx> chain = chain(grant.path());
                refused = refusal(grant, chain, uid, gid, mounts);
                if (refused.isEmpty() && grant.kind() == KernelGrant.Kind.FILE) {
                    rights = fileRights(rights, chain.get(chain.size() - 1), uid, gid);
                }
            } catch (ErrnoException e) {
                refused = Optional.of("not found at start (" + e.getMessage() + ")");
            }
            if (refused.isPresent()) {
                skipped.add(new Skipped(grant, refused.get()));
            } else {
                boolean direct = grant.kind() == KernelGrant.Kind.FILE && (rights & Landlock.READ_FILE) != 0;
                rules.add(new Rule(Path.of(grant.path()), rights, direct));
            }
        }
        return new NativeGrants(rules, skipped);
    }

    /**
     * Why {@code grant} cannot be a kernel rule, from {@code chain}, the status of {@code /} and
     * of each component of its path as found without following links; empty when it can.
     */
    static Optional<String> refusal(KernelGrant grant, List<Statx> chain, int uid, int gid, MountTable mounts) {
        if (mounts.isEmpty()) {
            return Optional.of("the mount table could not be read");
        }
        Statx target = chain.get(chain.size() - 1);
        for (Statx entry : chain) {
            if (isLink(entry)) {
                return Optional.of("reached through a symbolic link");
            }
        }
        if (grant.kind() == KernelGrant.Kind.FILE) {
            if ((target.mode() & Linux.S_IFMT) != Linux.S_IFREG) {
                return Optional.of("not a regular file");
            }
            if (target.nlink() != 1) {
                return Optional.of("the file has other hard links");
            }
        } else if ((target.mode() & Linux.S_IFMT) != Linux.S_IFDIR) {
            return Optional.of("not a directory");
        }
        boolean tree = grant.kind() == KernelGrant.Kind.TREE;
        if (tree ? mounts.kernelViewAtOrBeneath(grant.path()) : mounts.kernelViewAtOrBeneath(parent(grant.path()))) {
            return Optional.of("procfs or sysfs is at or beneath it");
        }
        if (mounts.reachableElsewhere(grant.path())) {
            return Optional.of("another mount shows it under another name");
        }
        int directories = tree ? chain.size() : chain.size() - 1;
        for (int i = 0; i < directories; i++) {
            if (!permits(chain.get(i), uid, gid, MAY_EXECUTE)) {
                return Optional.of("the helper's user cannot search a directory on its path");
            }
        }
        if (!tree && fileRights(rights(grant), target, uid, gid) == 0) {
            return Optional.of("the helper's user may neither read nor execute it");
        }
        return Optional.empty();
    }

    /** {@code rights} of a single file, less what its permissions refuse the helper's user. */
    private static long fileRights(long rights, Statx file, int uid, int gid) {
        long kept = rights;
        if (!permits(file, uid, gid, MAY_READ)) {
            kept &= ~Landlock.READ_FILE;
        }
        if (!permits(file, uid, gid, MAY_EXECUTE)) {
            kept &= ~Landlock.EXECUTE;
        }
        return kept;
    }

    /**
     * Whether the permission bits of {@code entry} give {@code may} (4 read, 2 write, 1
     * execute or search) to {@code uid}:{@code gid}, by the one class the kernel picks: owner,
     * else group, else other. The helper is never root; its supplementary groups are not counted
     * (as root it has none; as a normal user a group it has only as a supplementary one leaves the
     * grant brokered), and neither are ACLs: both can only leave the kernel stricter.
     */
    static boolean permits(Statx entry, int uid, int gid, int may) {
        int mode = entry.mode();
        int bits;
        if (entry.uid() == uid) {
            bits = (mode >> 6) & 7;
        } else if (entry.gid() == gid) {
            bits = (mode >> 3) & 7;
        } else {
            bits = mode & 7;
        }
        return (bits & may) == may;
    }

    private static boolean isLink(Statx entry) {
        return (entry.mode() & Linux.S_IFMT) == Linux.S_IFLNK;
    }

    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    /**
     * The status of {@code /} and of each component of {@code path}, each opened beneath the one
     * before without following a link, so that a link shows as a link (and ends the chain).
     */
    private static List<Statx> chain(String path) throws ErrnoException {
        List<Statx> chain = new ArrayList<>();
        Fd current = Linux.open("/", Linux.O_PATH | Linux.O_DIRECTORY | Linux.O_CLOEXEC, 0);
        try {
            chain.add(Linux.statx(current.get()));
            for (String name : path.substring(1).split("/", -1)) {
                if (name.isEmpty()) {
                    continue;
                }
                Fd next = Linux.openat2(
                        current.get(),
                        name,
                        Linux.O_PATH | Linux.O_NOFOLLOW | Linux.O_CLOEXEC,
                        0,
                        Linux.RESOLVE_BENEATH | Linux.RESOLVE_NO_SYMLINKS | Linux.RESOLVE_NO_MAGICLINKS);
                current.close();
                current = next;
                Statx status = Linux.statx(current.get());
                chain.add(status);
                if (isLink(status)) {
                    break;
                }
            }
            return chain;
        } finally {
            current.close();
        }
    }
}
