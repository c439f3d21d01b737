package dev.airlock.broker;

import dev.airlock.unix.ErrnoException;
import dev.airlock.unix.Fd;
import dev.airlock.unix.Landlock;
import dev.airlock.unix.Linux;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A confined process's Landlock rules, resolved to real paths, and the ruleset built from them:
 * every filesystem access the running kernel's ABI knows is handled (so denied unless a rule
 * allows it), TCP bind and connect are handled with no rule (so denied), and abstract Unix
 * sockets and signals are scoped to the process's own domain. Which paths get a rule is
 * {@link SandboxPlanner}'s decision; this class only turns the named rules into kernel rules.
 */
final class LandlockRules {
    /** The minimum ABI Airlock needs to deny TCP bind and connect: TCP rules arrive with ABI 4. */
    static final int REQUIRED_ABI = Landlock.NET_ABI;

    /**
     * The fixed accesses of the rules that do not come from the policy: the helper reads and
     * executes its JVM, class path and Airlock's files by itself, and writes only in its own
     * directories (and the cache preparation in its staging directory).
     */
    enum Access {
        READ(Landlock.READ_FILE | Landlock.READ_DIR),
        READ_EXECUTE(Landlock.READ_FILE | Landlock.READ_DIR | Landlock.EXECUTE),
        /** Listing directories, reading no file: a class path wildcard's directory, which the launcher lists. */
        LIST(Landlock.READ_DIR),
        /** Creating, writing, renaming within and removing regular files: the cache preparation's staging directory only. */
        CREATE_FILES(Landlock.READ_FILE
                | Landlock.READ_DIR
                | Landlock.WRITE_FILE
                | Landlock.REMOVE_FILE
                | Landlock.MAKE_REG
                | Landlock.TRUNCATE),
        /**
         * What a directory's owner does beneath it, short of executing a program there: read,
         * write, truncate, create files, directories, links and FIFOs, remove, and rename within
         * (REFER). The helper's own directories only: its temporary directory and its
         * {@code --home} ({@link SandboxPlanner#helperDirectories}). Loading a native library
         * from there needs no execute right (the dynamic loader opens it for reading).
         */
        OWN_TREE(Landlock.READ_FILE
                | Landlock.READ_DIR
                | Landlock.WRITE_FILE
                | Landlock.TRUNCATE
                | Landlock.REMOVE_FILE
                | Landlock.REMOVE_DIR
                | Landlock.MAKE_REG
                | Landlock.MAKE_DIR
                | Landlock.MAKE_SYM
                | Landlock.MAKE_FIFO
                | Landlock.REFER);

        final long rights;

        Access(long rights) {
            this.rights = rights;
        }
    }

    /**
     * A rule as the planner names it: the Landlock {@code rights} beneath {@code path}, an absolute
     * path, as spelled; {@code direct} when the agent may answer metadata beneath it itself (see
     * {@link #readableRoots}). Most rules are one of the {@link Access} sets, readable roots when
     * they read; the policy's kernel grants ({@link NativeGrants}) carry rights of their own.
     */
    record Rule(Path path, long rights, boolean direct) {
        Rule {
            if (!path.isAbsolute()) {
                throw new IllegalArgumentException("a Landlock rule needs an absolute path: " + path);
            }
            if (direct && (rights & Landlock.READ_FILE) == 0) {
                throw new IllegalArgumentException("a direct root must be readable: " + path);
            }
        }

        /** {@code access} beneath {@code path}: a direct root when it reads. */
        Rule(Path path, Access access) {
            this(path, access.rights, (access.rights & Landlock.READ_FILE) != 0);
        }
    }

    private final Map<Path, Long> rules;
    private final List<String> readableRoots;

    private LandlockRules(Map<Path, Long> rules, List<String> readableRoots) {
        this.rules = rules;
        this.readableRoots = readableRoots;
    }

    /**
     * Resolves {@code named} by {@code real}: a rule whose path did not exist is skipped (nothing
     * there to read), rules on the same real path merge their rights.
     */
    static LandlockRules resolve(List<Rule> named, RealPaths real) {
        Map<Path, Long> rules = new LinkedHashMap<>();
        TreeSet<String> readable = new TreeSet<>();
        for (Rule rule : named) {
            Path path = real.of(rule.path()).orElse(null);
            if (path == null) {
                continue;
            }
            rules.merge(path, rule.rights(), (a, b) -> a | b);
            if (rule.direct()) {
                readable.add(path.toString());
                readable.add(rule.path().normalize().toString());
            }
        }
        return new LandlockRules(Collections.unmodifiableMap(rules), List.copyOf(readable));
    }

    /**
     * The paths beneath which the process may read by itself and the agent answers metadata
     * directly (the rules marked {@link Rule#direct}), each both as it was named (the helper's
     * programs use those spellings) and as its real path (the kernel checks that one).
     * The agent answers metadata queries there directly (see the agent's Hooks, "Routing"); it is routing,
     * not a decision: everything else is the policy's, through the broker.
     */
    List<String> readableRoots() {
        return readableRoots;
    }

    /** Each real path and the Landlock rights granted beneath it, in the order first named. */
    Map<Path, Long> rules() {
        return rules;
    }

    /**
     * Creates the kernel ruleset for ABI {@code abi}. The returned descriptor is enforced later by
     * the spawner thread; the O_PATH descriptors of the rules are closed here, the kernel keeps
     * what it needs.
     */
    Fd create(int abi) throws ErrnoException {
        long handledNet = abi >= Landlock.NET_ABI ? Landlock.NET_BIND_TCP | Landlock.NET_CONNECT_TCP : 0;
        long scoped = abi >= Landlock.SCOPE_ABI ? Landlock.SCOPE_ABSTRACT_UNIX_SOCKET | Landlock.SCOPE_SIGNAL : 0;
        long handledFs = Landlock.handledFilesystemRights(abi);
        Fd ruleset = Landlock.createRuleset(handledFs, handledNet, scoped);
        try {
            for (Map.Entry<Path, Long> rule : rules.entrySet()) {
                Path path = rule.getKey();
                // Real paths: a link met now was planted after they were looked up, so fail rather than follow it.
                try (Fd target = Linux.openat2(
                        Linux.AT_FDCWD,
                        path.toString(),
                        Linux.O_PATH | Linux.O_CLOEXEC,
                        0,
                        Linux.RESOLVE_NO_SYMLINKS | Linux.RESOLVE_NO_MAGICLINKS)) {
                    long access = rule.getValue() & handledFs;
                    if (!Linux.fstat(target.get()).isDirectory()) {
                        access &= Landlock.FILE_RIGHTS;
                    }
                    Landlock.allowBeneath(ruleset, target, access, path.toString());
                }
            }
        } catch (ErrnoException | RuntimeException e) {
            ruleset.close();
            throw e;
        }
        return ruleset;
    }
}
