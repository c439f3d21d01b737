package dev.airlock.broker;

import dev.airlock.unix.Errno;
import dev.airlock.unix.ErrnoException;
import dev.airlock.unix.Fd;
import dev.airlock.unix.Linux;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One O_PATH descriptor per grant root of the policy, opened once at start. Every brokered open
 * resolves beneath one of these, so the broker never walks a granted path from the filesystem
 * root again.
 *
 * <p>The roots themselves are resolved race-free from {@code /}: {@code /} is opened once, then
 * each root one component at a time beneath it, every component with {@code openat2(RESOLVE_BENEATH
 * | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)}, so no symbolic link is ever followed. A root
 * whose path passes through a link, or does not exist yet, is represented by its deepest existing,
 * link-free ancestor: the {@link Resolver} then meets the link during the lookup beneath it, and
 * decides where it leads by the policy, as for any path. (A plain {@code open} of the root would
 * follow a link the confined program planted there in an earlier run, and serve whatever it names
 * with the broker's credentials.)
 *
 * <p>The identities (device and inode) of every directory opened on the way, the roots' own and
 * all their ancestors', are kept: the descriptors follow those directories wherever they move, so
 * the broker refuses to remove, rename or replace any of them ({@link #isProtected}).
 */
final class GrantRoots implements AutoCloseable {
    /**
     * A grant root as opened: the directory the descriptor names, the descriptor, and whether it
     * is on procfs or sysfs, which the broker never serves ({@link KernelViews}).
     */
    record Root(String directory, Fd fd, boolean kernelView) {}

    /** A directory's identity: what stays the same whatever it is renamed to. */
    private record Identity(long device, long inode) {}

    private static final long RESOLVE = Linux.RESOLVE_BENEATH | Linux.RESOLVE_NO_SYMLINKS | Linux.RESOLVE_NO_MAGICLINKS;
    private static final int DIRECTORY = Linux.O_PATH | Linux.O_DIRECTORY | Linux.O_CLOEXEC;

    private final Map<String, Root> byGrantRoot = new HashMap<>();
    private final Set<Identity> opened = new HashSet<>();

    /**
     * Opens every grant root.
     *
     * @param grantRoots absolute, normalized directories (the policy's {@code fileGrantRoots()})
     * @throws ErrnoException when a root or an ancestor exists but cannot be opened (e.g. EACCES
     *     for a broker that is not root); a missing one, a file or a link on the way are not errors
     */
    static GrantRoots open(List<String> grantRoots) throws ErrnoException {
        GrantRoots roots = new GrantRoots();
        try (Fd slash = Linux.open("/", DIRECTORY, 0)) {
            for (String grantRoot : grantRoots) {
                roots.byGrantRoot.put(grantRoot, roots.openDeepestExisting(slash, grantRoot));
            }
        } catch (ErrnoException | RuntimeException e) {
            roots.close();
            throw e;
        }
        return roots;
    }

    /** Walks {@code grantRoot} from {@code /} one link-free directory at a time, as deep as it goes. */
    private Root openDeepestExisting(Fd slash, String grantRoot) throws ErrnoException {
        if (!grantRoot.startsWith("/")) {
            throw new IllegalArgumentException("not an absolute grant root: " + grantRoot);
        }
        Fd current = Linux.dupCloexec(slash.get(), 0);
        StringBuilder directory = new StringBuilder("/");
        try {
            remember(current);
            for (String name : grantRoot.substring(1).split("/", -1)) {
                if (name.isEmpty()) {
                    continue; // "/" itself
                }
                if (name.equals(".") || name.equals("..")) {
                    throw new IllegalArgumentException("not a normalized grant root: " + grantRoot);
                }
                Fd next;
                try {
                    next = Linux.openat2(current.get(), name, DIRECTORY, 0, RESOLVE);
                } catch (ErrnoException e) {
                    if (e.errno() == Errno.ENOENT || e.errno() == Errno.ENOTDIR || e.errno() == Errno.ELOOP) {
                        break; // missing, a file, or a link: the lookup beneath this directory meets it
                    }
                    throw e;
                }
                current.close();
                current = next;
                remember(current);
                directory.append(directory.length() > 1 ? "/" : "").append(name);
            }
            return new Root(directory.toString(), current, KernelViews.isKernelView(current));
        } catch (ErrnoException | RuntimeException e) {
            current.close();
            throw e;
        }
    }

    private void remember(Fd directory) throws ErrnoException {
        Linux.Stat stat = Linux.fstat(directory.get());
        opened.add(new Identity(stat.dev(), stat.ino()));
    }

    /**
     * What the launcher adds to the helper's Landlock rules as READ: the policy's read grants on
     * procfs and sysfs, which the broker does not serve ({@link KernelViews#landlockReadRules}).
     */
    List<java.nio.file.Path> kernelViewReadRules(dev.airlock.policy.Policy policy) {
        return KernelViews.landlockReadRules(policy, this);
    }

    /** The opened root for a grant root the policy named; null if the policy named one not given at start. */
    Root get(String grantRoot) {
        return byGrantRoot.get(grantRoot);
    }

    /**
     * Whether {@code entry} is a grant root or a directory above one as opened at start: the
     * broker must not let it be removed, renamed or replaced (EBUSY, as for a mount point).
     */
    boolean isProtected(Linux.Stat entry) {
        return entry.isDirectory() && opened.contains(new Identity(entry.dev(), entry.ino()));
    }

    @Override
    public void close() {
        for (Root root : byGrantRoot.values()) {
            root.fd().close();
        }
    }
}
