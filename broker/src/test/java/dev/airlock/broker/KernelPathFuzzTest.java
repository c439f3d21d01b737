package dev.airlock.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.airlock.broker.LandlockRules.Rule;
import dev.airlock.ipc.Reply;
import dev.airlock.ipc.Request;
import dev.airlock.policy.FileActions;
import dev.airlock.policy.Policy;
import dev.airlock.unix.Errno;
import dev.airlock.unix.ErrnoException;
import dev.airlock.unix.Fd;
import dev.airlock.unix.Landlock;
import dev.airlock.unix.Linux;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two paths of a grant decide alike: random policies over a small tree, and random file
 * operations each made twice, once by the kernel path (raw system calls on a thread confined by
 * the Landlock rules {@link NativeGrants} makes of the policy, {@link KernelThread}) on one tree,
 * and once by the broker ({@link RequestServer}, the policy's decision) on its twin. The rules of
 * the comparison:
 *
 * <ul>
 *   <li>the kernel allowing what the policy denies fails the test, and so does any other
 *       difference that would make the trees differ;
 *   <li>the kernel refusing what the policy allows must be one of the documented cases
 *       ({@link #documented}): the grant is not one the kernel carries (docs/ARCHITECTURE.md,
 *       "The kernel path"), listing a directory beneath a tree whose directory is not readable,
 *       or Landlock's stricter rules for a rename or a link. Then the operation is served by the
 *       broker on the kernel's tree, as the agent does for a refused JDK call, and must give the
 *       twin's answer;
 *   <li>the broker succeeding where the kernel failed otherwise must be a {@code ..} after a head
 *       the policy does not let the program read, which the broker climbs lexically
 *       ({@link #climbsLexically}); the broker then serves it on the kernel's tree too.
 * </ul>
 *
 * <p>The seed is printed; rerun one with {@code -Dairlock.fuzz.seed=N}.
 */
class KernelPathFuzzTest {
    private static final int ROUNDS = Integer.getInteger("airlock.kernelfuzz.rounds", 40);
    private static final int STEPS = Integer.getInteger("airlock.kernelfuzz.steps", 150);

    @TempDir
    Path dir;

    private long seed;
    private String last;
    private final Map<String, Integer> counts = new TreeMap<>();

    /** Names the operations use, relative to a tree: existing and new, through links and {@code ..}. */
    private static final String[] NAMES = {
        "t1", "t1/f", "t1/sub", "t1/sub/g", "t1/sub/new", "t1/new", "t1/newdir", "t1/newdir/x", "t1/l-in",
        "t1/l-out", "t1/l-files", "t1/l-dangling", "t1/sub/../f", "t2", "t2/h", "t2/new", "t2/sub2", "t2/sub2/y",
        "files", "files/f1", "files/f2", "files/new", "out", "out/secret", "out/new",
    };

    /** Grant targets, the trees more often than the rest, so that many operations are granted. */
    private static final String[] TARGETS = {"t1", "t1", "t2", "t2", "t1/sub", "files", "files/f1", "t1/sub/g"};

    private static final String[] ACTIONS = {
        "read",
        "write",
        "delete",
        "execute",
        "readlink",
        "read,write",
        "read,write,delete",
        "read,write,delete",
        "write,delete",
        "read,delete",
        "read,write,delete,execute,readlink"
    };

    private static final int[] OPEN_FLAGS = {
        Linux.O_RDONLY,
        Linux.O_RDONLY | Linux.O_DIRECTORY,
        Linux.O_WRONLY,
        Linux.O_RDWR,
        Linux.O_WRONLY | Linux.O_CREAT,
        Linux.O_WRONLY | Linux.O_CREAT | Linux.O_EXCL,
        Linux.O_WRONLY | Linux.O_TRUNC,
        Linux.O_WRONLY | Linux.O_APPEND,
        Linux.O_RDONLY | Linux.O_NOFOLLOW,
    };

    private enum Op {
        OPEN,
        MKDIR,
        UNLINK,
        RMDIR,
        RENAME,
        LINK,
        SYMLINK
    }

    /** One operation, by names relative to a tree. */
    private record Operation(Op op, String first, String second, int flags) {
        @Override
        public String toString() {
            return op + " " + first + (second != null ? " " + second : "")
                    + (op == Op.OPEN ? " flags 0" + Integer.toOctalString(flags) : "");
        }
    }

    @Test
    void aConfinedThreadIsRefusedWhatItsRulesDoNotGrantAndTheOtherThreadsAreNot() throws Exception {
        assumeLandlock();
        Path granted = Files.writeString(
                Files.createDirectories(dir.resolve("granted")).resolve("f"), "g");
        Path other = Files.writeString(dir.resolve("other"), "o");
        try (KernelThread thread =
                KernelThread.confinedBy(List.of(new Rule(granted.getParent(), Landlock.READ_FILE, false)))) {
            assertEquals(
                    0,
                    thread.errno(() ->
                            Linux.open(granted.toString(), Linux.O_RDONLY, 0).close()));
            assertEquals(
                    Errno.EACCES,
                    thread.errno(() ->
                            Linux.open(other.toString(), Linux.O_RDONLY, 0).close()));
            assertEquals(
                    Errno.EACCES,
                    thread.errno(() ->
                            Linux.open(granted.toString(), Linux.O_WRONLY, 0).close()),
                    "read only");
        }
        try (Fd fd = Linux.open(other.toString(), Linux.O_RDONLY, 0)) {
            assertTrue(fd.get() >= 0, "the test's own thread is not confined");
        }
    }

    @Test
    void randomOperationsDecideAlikeOnBothPaths() throws Exception {
        assumeLandlock();
        seed = Long.getLong("airlock.fuzz.seed", System.nanoTime());
        Random random = new Random(seed);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (int round = 0; round < ROUNDS; round++) {
            round(random, round);
        }
        System.out.println("KernelPathFuzzTest seed " + seed + ": " + ROUNDS + " policies x " + STEPS
                + " operations, outcomes " + counts);
        assertTrue(counts.getOrDefault("both allowed", 0) > 0, "some operation the kernel allowed: " + counts);
        assertTrue(counts.getOrDefault("both refused", 0) > 0, "some operation both refused: " + counts);
        assertTrue(
                counts.keySet().stream().anyMatch(k -> k.startsWith("kernel stricter")),
                "some operation only the broker allowed: " + counts);
    }

    private static void assumeLandlock() {
        Assumptions.assumeTrue(
                Landlock.abi() >= 3, "needs Landlock ABI 3 (truncate), this kernel has " + Landlock.abi());
    }

    private void round(Random random, int round) throws Exception {
        // Twin prefixes of equal length.
        Path kernelTree = Files.createDirectories(dir.resolve(String.format("K%03d/g", round)));
        Path brokerTree = Files.createDirectories(dir.resolve(String.format("B%03d/g", round)));
        populate(kernelTree);
        populate(brokerTree);
        List<String[]> grants = new ArrayList<>();
        for (int g = 0, n = 2 + random.nextInt(4); g < n; g++) {
            String target = TARGETS[random.nextInt(TARGETS.length)];
            int shape = random.nextInt(6);
            String suffix = shape <= 2 ? "/-" : shape == 3 ? "/*" : "";
            grants.add(new String[] {target + suffix, ACTIONS[random.nextInt(ACTIONS.length)]});
        }
        Policy kernelPolicy = policy(kernelTree, grants).build();
        PolicyBuilder brokerPolicy = policy(brokerTree, grants);
        NativeGrants kernelGrants =
                NativeGrants.lookUp(kernelPolicy, Linux.getuid(), Linux.getgid(), MountTable.lookUp());
        List<Rule> rules = kernelGrants.rules();
        Policy expressed = expressed(kernelTree, rules);
        try (KernelThread thread = KernelThread.confinedBy(rules);
                ServerFixture brokerForB = ServerFixture.start(brokerPolicy);
                ServerFixture brokerForK = ServerFixture.start(policy(kernelTree, grants))) {
            for (int step = 0; step < STEPS; step++) {
                Operation op = operation(random);
                last = "round " + round + " "
                        + grants.stream().map(g -> g[0] + " " + g[1]).toList() + " rules " + rules + ": " + op;
                compare(op, thread, kernelTree, brokerTree, brokerForB, brokerForK, kernelPolicy, expressed);
            }
        }
        assertEquals(
                "",
                Trees.diff(Trees.shape(brokerTree), Trees.shape(kernelTree)),
                message("the kernel's tree and the broker's stay twins"));
    }

    private static PolicyBuilder policy(Path tree, List<String[]> grants) {
        PolicyBuilder p = PolicyBuilder.named("kernel.policy");
        for (String[] g : grants) {
            p.grant(tree + "/" + g[0], g[1]);
        }
        return p;
    }

    /** The policy the kernel rules themselves mean: what the kernel path may allow at most, by name. */
    private static Policy expressed(Path tree, List<Rule> rules) throws Exception {
        PolicyBuilder p = PolicyBuilder.named("expressed.policy").grant(tree + "/unused-name", "read");
        for (Rule rule : rules) {
            List<String> actions = new ArrayList<>();
            if ((rule.rights() & Landlock.READ_FILE) != 0) {
                actions.add("read");
            }
            if ((rule.rights() & Landlock.MAKE_REG) != 0) {
                actions.add("write");
            }
            if ((rule.rights() & Landlock.REMOVE_FILE) != 0) {
                actions.add("delete");
            }
            if ((rule.rights() & Landlock.EXECUTE) != 0) {
                actions.add("execute");
            }
            boolean isTree = Files.isDirectory(rule.path(), LinkOption.NOFOLLOW_LINKS);
            p.grant(isTree ? rule.path() + "/-" : rule.path(), String.join(",", actions));
            if ((rule.rights() & Landlock.READ_DIR) != 0) {
                p.grant(rule.path(), "read");
            }
        }
        return p.build();
    }

    private static void populate(Path g) throws IOException {
        Files.createDirectories(g.resolve("t1/sub"));
        Files.writeString(g.resolve("t1/f"), "t1f");
        Files.writeString(g.resolve("t1/sub/g"), "g");
        Files.createSymbolicLink(g.resolve("t1/l-in"), Path.of("sub/g"));
        Files.createSymbolicLink(g.resolve("t1/l-out"), Path.of("../out/secret"));
        Files.createSymbolicLink(g.resolve("t1/l-files"), Path.of("../files/f1"));
        Files.createSymbolicLink(g.resolve("t1/l-dangling"), Path.of("../t2/made-through-a-link"));
        Files.createDirectories(g.resolve("t2"));
        Files.writeString(g.resolve("t2/h"), "h");
        Files.createDirectories(g.resolve("files"));
        Files.writeString(g.resolve("files/f1"), "f1");
        Files.writeString(g.resolve("files/f2"), "f2");
        Files.createDirectories(g.resolve("out"));
        Files.writeString(g.resolve("out/secret"), "never granted");
    }

    private static Operation operation(Random r) {
        Op op = Op.values()[r.nextInt(Op.values().length)];
        String first = NAMES[r.nextInt(NAMES.length)];
        String second = op == Op.RENAME || op == Op.LINK || op == Op.SYMLINK ? NAMES[r.nextInt(NAMES.length)] : null;
        return new Operation(op, first, second, OPEN_FLAGS[r.nextInt(OPEN_FLAGS.length)]);
    }

    private void compare(
            Operation op,
            KernelThread thread,
            Path kernelTree,
            Path brokerTree,
            ServerFixture brokerForB,
            ServerFixture brokerForK,
            Policy policy,
            Policy expressed)
            throws Exception {
        int kernel = thread.errno(() -> makeNatively(op, kernelTree));
        RequestServer.Outcome broker = serve(brokerForB, op, brokerTree);
        boolean denied = broker.reply() instanceof Reply.Denied;
        int brokerErrno = broker.errno();
        if (kernel == 0) {
            if (denied) {
                // The kernel decides the object a path leads to, the policy its name: a link whose own
                // name no grant covers, leading into a kernel grant, is followed natively.
                for (Check check : checks(op, kernelTree)) {
                    if (!policy.allowsFile(check.real(), check.actions())) {
                        fail(message("the kernel allowed what the policy denies: " + broker.reply() + "; "
                                + check.real() + " is not granted " + FileActions.toString(check.actions())));
                    }
                }
                count("kernel allowed the granted object by a name the policy does not grant");
                assertEquals(
                        0,
                        errnoOf(() -> makeNatively(op, brokerTree)),
                        message("the same call on the broker's tree, to keep the twins"));
                return;
            }
            assertEquals(0, brokerErrno, message("the kernel allowed, the broker failed"));
            count("both allowed");
        } else if (kernel == Errno.EACCES || kernel == Errno.EXDEV || kernel == Errno.EPERM) {
            if (denied) {
                count("both refused");
                return;
            }
            String why = documented(op, kernelTree, expressed);
            if (why == null) {
                fail(message("the kernel refused (" + Errno.name(kernel) + ") what the policy grants, and no"
                        + " documented case explains it; broker: " + broker.reply()));
            }
            count("kernel stricter: " + why);
            // The agent sends a refused JDK call to the broker: the kernel's tree then gets the twin's answer.
            RequestServer.Outcome fallback = serve(brokerForK, op, kernelTree);
            assertEquals(brokerErrno, fallback.errno(), message("the broker's answer on the kernel's tree"));
        } else if (!denied && brokerErrno == 0) {
            if (!climbsLexically(op, kernelTree, policy)) {
                fail(message("the kernel failed with " + Errno.name(kernel) + ", the broker succeeded"));
            }
            count("broker climbed .. lexically from a head the policy does not let the program read");
            assertEquals(
                    0,
                    serve(brokerForK, op, kernelTree).errno(),
                    message("the broker on the kernel's tree, to keep the twins"));
        } else {
            count(denied ? "both refused" : "both failed");
        }
    }

    private void count(String outcome) {
        counts.merge(outcome, 1, Integer::sum);
    }

    /** The operation as native code makes it. */
    private static void makeNatively(Operation op, Path tree) throws ErrnoException {
        String a = tree + "/" + op.first();
        String b = op.second() == null ? null : tree + "/" + op.second();
        switch (op.op()) {
            case OPEN ->
                Linux.open(a, op.flags() | Linux.O_NONBLOCK | Linux.O_CLOEXEC, 0644)
                        .close();
            case MKDIR -> Linux.mkdirat(Linux.AT_FDCWD, a, 0755);
            case UNLINK -> Linux.unlinkat(Linux.AT_FDCWD, a, 0);
            case RMDIR -> Linux.unlinkat(Linux.AT_FDCWD, a, Linux.AT_REMOVEDIR);
            case RENAME -> Linux.renameat2(Linux.AT_FDCWD, a, Linux.AT_FDCWD, b, 0);
            case LINK -> Linux.linkat(Linux.AT_FDCWD, b, Linux.AT_FDCWD, a, 0);
            case SYMLINK -> Linux.symlinkat(op.second().getBytes(StandardCharsets.UTF_8), Linux.AT_FDCWD, a);
        }
    }

    /** The operation as the agent sends it to the broker. */
    private static RequestServer.Outcome serve(ServerFixture broker, Operation op, Path tree) {
        byte[] a = Trees.bytes(tree + "/" + op.first());
        byte[] b = op.second() == null ? null : Trees.bytes(tree + "/" + op.second());
        Request request = switch (op.op()) {
            case OPEN -> Requests.open(a, op.flags(), 0644, false);
            case MKDIR -> Requests.mkdir(a, 0755);
            case UNLINK -> Requests.unlink(a);
            case RMDIR -> Requests.rmdir(a);
            case RENAME -> Requests.rename(a, b, false);
            case LINK -> Requests.link(a, b);
            case SYMLINK -> Requests.symlink(a, op.second().getBytes(StandardCharsets.UTF_8));
        };
        RequestServer.Outcome outcome = broker.serve(request);
        if (outcome.fd() != null) {
            outcome.fd().close();
        }
        return outcome;
    }

    /** One name the kernel resolves for an operation, where its lookup leads, and the actions the policy asks there. */
    private record Check(String real, int actions) {}

    /** What the policy would ask of each name of {@code op}, at the place the kernel's lookup leads. */
    private static List<Check> checks(Operation op, Path tree) {
        String a = tree + "/" + op.first();
        String b = op.second() == null ? null : tree + "/" + op.second();
        return switch (op.op()) {
            case OPEN -> {
                boolean followLast = (op.flags() & Linux.O_NOFOLLOW) == 0
                        && (op.flags() & (Linux.O_CREAT | Linux.O_EXCL)) != (Linux.O_CREAT | Linux.O_EXCL);
                yield List.of(new Check(physical(a, followLast), RequiredActions.open(op.flags())));
            }
            case MKDIR, SYMLINK -> List.of(new Check(physical(a, false), FileActions.WRITE));
            case UNLINK, RMDIR -> List.of(new Check(physical(a, false), FileActions.DELETE));
            case RENAME, LINK ->
                List.of(
                        new Check(physical(a, false), FileActions.WRITE),
                        new Check(physical(b, false), FileActions.WRITE));
        };
    }

    /**
     * Which documented case explains the kernel refusing what the policy allows, or null: the
     * place the kernel's lookup leads (links followed as the kernel follows them) is not granted by
     * the kernel rules at all (the grant is one the kernel does not carry); a directory listed
     * beneath a tree whose own directory the policy does not let the program read; a rename or
     * link, for which Landlock also wants removal on the source's directory and, between
     * directories, REFER on both sides and no gain of rights.
     */
    private static String documented(Operation op, Path tree, Policy expressed) {
        for (Check check : checks(op, tree)) {
            if (!expressed.allowsFile(check.real(), check.actions())) {
                return "not a kernel grant";
            }
        }
        if (op.op() == Op.OPEN
                && Files.isDirectory(Path.of(checks(op, tree).get(0).real()))) {
            return "a directory beneath a tree whose own directory is not readable";
        }
        if (op.op() == Op.RENAME || op.op() == Op.LINK) {
            return "a rename or link: Landlock also needs removal on the source's directory, and REFER on"
                    + " both directories without a gain of rights between them";
        }
        return null;
    }

    /**
     * Whether a name of {@code op} has a {@code ..} after a head the policy does not let the
     * program read: the broker climbs such a head lexically, as FilePermission did, so that its
     * answer does not depend on what exists there (docs/ARCHITECTURE.md, "{@code ..}"), where the
     * kernel walks it and fails when the head is missing or not a directory.
     */
    private static boolean climbsLexically(Operation op, Path tree, Policy policy) {
        List<String> names = new ArrayList<>();
        names.add(op.first());
        if (op.op() == Op.RENAME || op.op() == Op.LINK) {
            names.add(op.second());
        }
        for (String name : names) {
            int dotDot = name.lastIndexOf("/..");
            if (dotDot > 0 && !policy.allowsFile(tree + "/" + name.substring(0, dotDot), FileActions.READ)) {
                return true;
            }
        }
        return false;
    }

    private static int errnoOf(KernelThread.Call call) {
        try {
            call.run();
            return 0;
        } catch (ErrnoException e) {
            return e.errno();
        }
    }

    /**
     * Where the kernel's lookup of {@code path} leads: its directory's real path and its last
     * name, with a final link followed (to where it points, existing or not) when {@code followLast}.
     */
    private static String physical(String path, boolean followLast) {
        String current = path;
        for (int hop = 0; hop < 8; hop++) {
            int slash = current.lastIndexOf('/');
            String parent = current.substring(0, slash);
            String name = current.substring(slash + 1);
            String realParent;
            try {
                realParent = new String(Linux.realpath(parent), StandardCharsets.UTF_8);
            } catch (ErrnoException missing) {
                return current;
            }
            String resolved = realParent + "/" + name;
            if (name.equals("..") || name.equals(".")) {
                return Path.of(resolved).normalize().toString();
            }
            Path p = Path.of(resolved);
            if (!followLast || !Files.isSymbolicLink(p)) {
                return resolved;
            }
            try {
                current = p.resolveSibling(Files.readSymbolicLink(p)).toString();
            } catch (IOException e) {
                return resolved;
            }
        }
        return current;
    }

    private String message(String what) {
        return what + " [seed " + seed + ", rerun with -Dairlock.fuzz.seed=" + seed + "; " + last + "]";
    }
}
