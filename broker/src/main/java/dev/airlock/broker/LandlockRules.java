package dev.airlock.broker;

import dev.airlock.ipc.ErrnoException;
import dev.airlock.ipc.Fd;
import dev.airlock.ipc.Linux;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the helper's Landlock ruleset: every filesystem access the running kernel's ABI knows is
 * handled (so denied unless a rule allows it), TCP bind and connect are handled with no rule (so
 * denied), and abstract Unix sockets and signals are scoped to the helper's own domain. The
 * rules themselves only ever grant reading and executing: the helper writes nothing by itself.
 */
final class LandlockRules {
    static final long EXECUTE = 1L;
    static final long WRITE_FILE = 1L << 1;
    static final long READ_FILE = 1L << 2;
    static final long READ_DIR = 1L << 3;
    private static final long REMOVE_FILE = 1L << 5;
    private static final long MAKE_REG = 1L << 8;
    private static final long FS_ABI1 = (1L << 13) - 1; // execute .. make_sym
    private static final long REFER = 1L << 13; // ABI 2
    private static final long TRUNCATE = 1L << 14; // ABI 3
    private static final long IOCTL_DEV = 1L << 15; // ABI 5
    private static final long NET_BIND_TCP = 1L;
    private static final long NET_CONNECT_TCP = 2L;
    private static final long SCOPE_ABSTRACT_UNIX = 1L;
    private static final long SCOPE_SIGNAL = 2L;

    /** What a rule on a regular file may carry; the kernel refuses directory rights on a file. */
    private static final long FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV;

    static final long READ = READ_FILE | READ_DIR;
    static final long READ_EXECUTE = READ | EXECUTE;
    /** Creating, writing, renaming within and removing regular files: the cache preparation's staging directory only. */
    static final long CREATE_FILES = READ | WRITE_FILE | REMOVE_FILE | MAKE_REG | TRUNCATE;

    /** The minimum ABI Airlock needs to deny TCP bind and connect: TCP rules arrive with ABI 4. */
    static final int REQUIRED_ABI = 4;

    private final Map<Path, Long> rules = new LinkedHashMap<>();

    /** Every readable rule's path, both as named and as its real path, for {@link #readableRoots}. */
    private final java.util.Set<String> readable = new java.util.TreeSet<>();

    /** Allows {@code access} beneath {@code path} (its real path); a path that does not exist is skipped. */
    void allow(Path path, long access) {
        Path real;
        try {
            real = path.toRealPath();
        } catch (IOException missing) {
            return; // nothing there to read: nothing to grant
        }
        rules.merge(real, access, (a, b) -> a | b);
        if ((access & READ_FILE) != 0) {
            readable.add(real.toString());
            readable.add(path.toAbsolutePath().normalize().toString());
        }
    }

    /**
     * The paths beneath which the helper may read by itself, each both as it was named (the
     * helper's programs use those spellings) and as its real path (the kernel checks that one).
     * The agent answers metadata queries there directly (see the agent's Hooks, "Routing"); it is routing,
     * not a decision: everything else is the policy's, through the broker.
     */
    List<String> readableRoots() {
        return List.copyOf(readable);
    }

    Map<Path, Long> rules() {
        return rules;
    }

    static long handledFs(int abi) {
        long handled = FS_ABI1;
        if (abi >= 2) {
            handled |= REFER;
        }
        if (abi >= 3) {
            handled |= TRUNCATE;
        }
        if (abi >= 5) {
            handled |= IOCTL_DEV;
        }
        return handled;
    }

    /**
     * Creates the kernel ruleset for ABI {@code abi}. The returned descriptor is enforced later by
     * the spawner thread; the O_PATH descriptors of the rules are closed here, the kernel keeps
     * what it needs.
     */
    Fd create(int abi) throws ErrnoException {
        long handledNet = abi >= 4 ? NET_BIND_TCP | NET_CONNECT_TCP : 0;
        long scoped = abi >= 6 ? SCOPE_ABSTRACT_UNIX | SCOPE_SIGNAL : 0;
        Fd ruleset = Linux.landlockCreateRuleset(handledFs(abi), handledNet, scoped);
        try {
            for (Map.Entry<Path, Long> rule : rules.entrySet()) {
                Path path = rule.getKey();
                boolean directory = Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS);
                long access = rule.getValue() & handledFs(abi);
                if (!directory) {
                    access &= FILE_RIGHTS;
                }
                try (Fd target = Linux.open(path.toString(), Linux.O_PATH, 0)) {
                    Linux.landlockAllowPath(ruleset.get(), target.get(), access, path.toString());
                }
            }
        } catch (ErrnoException | RuntimeException e) {
            ruleset.close();
            throw e;
        }
        return ruleset;
    }
}
