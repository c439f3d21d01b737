package dev.airlock.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.airlock.ipc.Envelope;
import dev.airlock.ipc.Operation;
import dev.airlock.ipc.Reply;
import dev.airlock.ipc.Request;
import dev.airlock.unix.Errno;
import dev.airlock.unix.ErrnoException;
import dev.airlock.unix.Fd;
import dev.airlock.unix.Linux;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of random requests of every type, with ordinary and hostile paths, served by the
 * broker the way the request loop serves them ({@link RequestLoop#answer}), and checked against
 * the kernel itself.
 *
 * <p>The broker serves tree {@code A/granted}, the only grant. A twin tree {@code B/granted}
 * starts identical and gets every request the broker should pass to the kernel as the same
 * system call made directly. A small model decides which requests must never reach the kernel:
 * a path the policy denies (outside {@code A/granted} once its {@code ..} are resolved by the
 * broker's rule: physically where the helper may read, lexically elsewhere, {@link #climb}),
 * a lookup that escapes the tree through a link (the twin's {@code openat2(RESOLVE_BENEATH)} says
 * EXDEV), a path that is not UTF-8 or is PATH_MAX long. For every request the broker's errno must
 * equal the model's or the twin's exactly; a descriptor must name an inode inside {@code
 * A/granted}; the two trees must stay twins; and at the end everything outside the grant (a
 * sibling tree with the links' targets, {@code A} itself, a name in {@code /tmp}) must be exactly
 * as before, and the broker must hold no more descriptors than at the start.
 *
 * <p>As a normal user permission bits stop the twin's calls where they stop the broker's own (the
 * requests change modes), with one difference the model keeps: the kernel climbs {@code ..} only
 * from a directory it may search, the broker's rule does not ask for that ({@link #kernelPath}).
 *
 * <p>The seed is printed in every failure; rerun one with {@code -Dairlock.fuzz.seed=N}, add
 * {@code -Dairlock.fuzz.debug=1} to print the served tree at a mismatch, and
 * {@code -Dairlock.fuzz.requests=N} for a longer run.
 */
class RequestServerFuzzTest {
    private static final int REQUESTS = Integer.getInteger("airlock.fuzz.requests", 6000);

    @TempDir
    Path dir;

    private Path grantA;
    private Path grantB;
    private Path outside;
    private Fd twinRoot;
    private ServerFixture broker;
    private long seed;
    private String lastRequest;
    private final Map<Integer, Map<Integer, Integer>> outcomes = new java.util.TreeMap<>();
    private final ByteArrayOutputStream internalErrors = new ByteArrayOutputStream();
    private final RefusalLog log =
            new RefusalLog(new PrintStream(internalErrors, true, StandardCharsets.UTF_8), System::nanoTime);

    /**
     * Path components of the initial tree and of what requests create. Never {@code A}, {@code B}
     * or {@code granted}: a path that climbs out of a tree must not be able to climb back into
     * either, or the twin's RESOLVE_BENEATH would call an escape what is a way back in.
     */
    private static final String[] NAMES = {
        "f1",
        "d1",
        "d2",
        "f2",
        "f3",
        "empty",
        "l-f1",
        "l-d1",
        "l-up",
        "l-upup",
        "l-out",
        "l-out-dir",
        "l-abs-out",
        "l-root",
        "l-proc",
        "l-dotdot",
        "loop1",
        "loop2",
        "self",
        "l-missing",
        "é-utf8",
        "x".repeat(255),
        "y".repeat(256),
        "new",
        "n2",
        "n3",
        ".",
        "..",
        ""
    };

    /**
     * Targets of links that requests create: inside, out of the tree, loops. Relative ones never
     * climb back in, and ".." only leads them, where it follows the link's own directory: after a
     * name that may itself have become a link out of the tree and dangle, the broker decides the
     * lexical path and answers the kernel's ENOENT, where the twin's RESOLVE_BENEATH sees the escape
     * first (both refuse; the model could not tell which errno).
     */
    private String[] targets() {
        return new String[] {
            "f1",
            "d1",
            "d1/f2",
            "../f1",
            "../../O/secret",
            "../../O/sdir",
            outside + "/secret",
            "/",
            "/proc/self/root",
            "loop1",
            "nowhere",
            "l-f1",
            ".",
            "..",
            "../d1",
            "n2",
            "x".repeat(255),
            "new/deeper",
            "l-d1/d2"
        };
    }

    @Test
    void randomRequestsNeverActOutsideTheGrantAndAgreeWithTheKernel() throws Exception {
        seed = Long.getLong("airlock.fuzz.seed", System.nanoTime());
        Random random = new Random(seed);
        // Twin prefixes of equal length, so that PATH_MAX falls at the same request in both trees.
        grantA = Files.createDirectories(dir.resolve("A/granted"));
        grantB = Files.createDirectories(dir.resolve("B/granted"));
        outside = Files.createDirectory(dir.resolve("O"));
        Files.writeString(outside.resolve("secret"), "outside the grant");
        Files.createDirectory(outside.resolve("sdir"));
        Files.writeString(outside.resolve("sdir/x"), "also outside");
        Path tmpProbe = Path.of("/tmp/airlock-fuzz-" + seed);
        populate(grantA);
        populate(grantB);
        Map<String, String> outsideBefore = Trees.snapshot(outside);
        String aBefore = Trees.describe(dir.resolve("A"), true);
        broker = ServerFixture.start(
                PolicyBuilder.named("fuzz.policy").beneath(grantA, "read,write,execute,delete,readlink"));
        twinRoot = Linux.open(grantB.toString(), Linux.O_PATH | Linux.O_DIRECTORY, 0);
        try {
            List<String> hostile = hostilePaths(tmpProbe);
            // Warm up every request type once, so that the descriptor count below is not disturbed
            // by what the JVM opens when it first loads a class.
            for (int type = Operation.OPEN.code(); type <= Operation.UTIMENS.code(); type++) {
                Served warm = serve(request(new Random(type), type, grantA + "/f1", grantA + "/n3"));
                if (warm.fd() != null) {
                    warm.fd().close();
                }
            }
            reset(grantA);
            Map<String, String> descriptorsBefore = openDescriptors();
            for (int i = 0; i < REQUESTS; i++) {
                if (i > 0 && i % 1500 == 0) {
                    reset(grantA);
                    reset(grantB);
                }
                step(random, hostile);
                if (i % 100 == 0) {
                    assertTwins("after request " + i);
                }
            }
            assertTwins("at the end");
            System.out.println("RequestServerFuzzTest seed " + seed + ": " + REQUESTS
                    + " requests, errno counts by type " + outcomes);
            for (int type = Operation.OPEN.code(); type <= Operation.UTIMENS.code(); type++) {
                Map<Integer, Integer> counts = outcomes.getOrDefault(type, Map.of());
                // Guards the generator: every type must have been served and refused, or the
                // comparison above proves little.
                assertTrue(
                        counts.getOrDefault(0, 0) > 0,
                        message("some request of type " + type + " succeeded: " + counts));
                assertTrue(
                        counts.getOrDefault(Errno.EACCES, 0) > 0,
                        message("some request of type " + type + " was denied: " + counts));
            }
            // The JVM itself may open a descriptor meanwhile (a jar, a random source), so what counts as
            // a leak is a new descriptor of anything in the trees the requests name.
            Map<String, String> leaked = new TreeMap<>(openDescriptors());
            leaked.keySet().removeAll(descriptorsBefore.keySet());
            leaked.values().removeIf(target -> !target.startsWith(dir.toString()));
            assertEquals(Map.of(), leaked, message("the broker leaks no descriptor"));
        } finally {
            twinRoot.close();
            broker.close();
        }
        assertEquals(
                "", internalErrors.toString(StandardCharsets.UTF_8), message("no request failed inside the broker"));
        assertEquals(
                "", Trees.diff(outsideBefore, Trees.snapshot(outside)), message("nothing outside the grant changed"));
        assertEquals(aBefore, Trees.describe(dir.resolve("A"), true), message("the grant's own root did not change"));
        assertFalse(Files.exists(tmpProbe, LinkOption.NOFOLLOW_LINKS), message("nothing was made in /tmp"));
    }

    // ---- the trees ----

    private void populate(Path g) throws IOException {
        Files.writeString(g.resolve("f1"), "hello");
        Files.createDirectories(g.resolve("d1/d2"));
        Files.writeString(g.resolve("d1/f2"), "world");
        Files.writeString(g.resolve("d1/d2/f3"), "!");
        Files.createDirectory(g.resolve("empty"));
        Files.writeString(g.resolve("é-utf8"), "unicode name");
        Files.writeString(g.resolve("x".repeat(255)), "longest name");
        link(g, "l-f1", "f1");
        link(g, "l-d1", "d1");
        link(g, "d1/l-up", "../f1");
        link(g, "d1/d2/l-upup", "../../d1");
        link(g, "l-out", "../../O/secret");
        link(g, "l-out-dir", "../../O/sdir");
        link(g, "l-abs-out", outside + "/secret");
        link(g, "l-root", "/");
        link(g, "l-proc", "/proc/self/root");
        link(g, "l-dotdot", "..");
        link(g, "loop1", "loop2");
        link(g, "loop2", "loop1");
        link(g, "self", "self");
        link(g, "l-missing", "nowhere");
    }

    private static void link(Path g, String name, String target) throws IOException {
        Files.createSymbolicLink(g.resolve(name), Path.of(target));
    }

    /** Empties a tree (never the grant's directory itself: the broker holds it open) and fills it again. */
    private void reset(Path g) throws IOException {
        int rootMode = Trees.mode(g);
        if (!Trees.ROOT) {
            Files.setAttribute(g, "unix:mode", rootMode | 0700);
        }
        List<Path> all = new ArrayList<>();
        Trees.visit(g, all::add);
        java.util.Collections.reverse(all);
        for (Path p : all) {
            if (!p.equals(g)) {
                Path parent = p.getParent();
                if (!Trees.ROOT && (Trees.mode(parent) & 0300) != 0300) {
                    // Removing a name needs write and search on its directory, which a request may
                    // have taken away (root needs neither); the directory itself goes next.
                    Files.setAttribute(parent, "unix:mode", 0700);
                }
                Files.delete(p);
            }
        }
        populate(g);
        if (!Trees.ROOT) {
            Files.setAttribute(g, "unix:mode", rootMode);
        }
    }

    private void assertTwins(String when) {
        assertEquals(
                "",
                Trees.diff(Trees.shape(grantB), Trees.shape(grantA)),
                message("the served tree and its twin differ " + when));
    }

    /** This process's open descriptors: number to what its /proc/self/fd link names. */
    private static Map<String, String> openDescriptors() throws IOException {
        Map<String, String> open = new TreeMap<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    open.put(
                            fd.getFileName().toString(),
                            Files.readSymbolicLink(fd).toString());
                } catch (NoSuchFileException closedMeanwhile) {
                    // the listing's own descriptor, or one another thread closed
                }
            }
        }
        return open;
    }

    // ---- paths ----

    /**
     * A path in one of the classes the model knows, as the request's bytes (in {@code A}) and, for
     * the model, the same path in the twin ({@code B} for {@code A}). A class, not a record: the raw bytes are an array, which a record would compare
     * by identity.
     */
    private static final class Slot {
        private final String b;
        private final byte[] raw;
        private final Kind kind;

        Slot(String b, byte[] raw, Kind kind) {
            this.b = b;
            this.raw = raw;
            this.kind = kind;
        }

        /** The same path in the twin, null where the model needs none (hostile, not UTF-8). */
        String b() {
            return b;
        }

        /** The bytes the request carries. */
        byte[] raw() {
            return raw;
        }

        Kind kind() {
            return kind;
        }
    }

    /**
     * The classes of paths: beneath {@code A/granted} (the model decides), hostile (always denied
     * by the policy), not UTF-8 (EINVAL), and PATH_MAX or longer (ENAMETOOLONG).
     */
    private enum Kind {
        PREFIXED,
        HOSTILE,
        NOT_UTF8,
        TOO_LONG
    }

    private Slot slot(Random r, List<String> hostile) {
        int k = r.nextInt(100);
        if (k < 10) {
            String h = hostile.get(r.nextInt(hostile.size()));
            return new Slot(null, h.getBytes(StandardCharsets.UTF_8), Kind.HOSTILE);
        }
        if (k < 13) {
            byte[] prefix = (grantA + "/" + pick(r, NAMES)).getBytes(StandardCharsets.UTF_8);
            byte[] raw = Arrays.copyOf(prefix, prefix.length + 2);
            raw[prefix.length] = (byte) (0x80 + r.nextInt(0x80));
            raw[prefix.length + 1] = (byte) 'z';
            return new Slot(null, raw, Kind.NOT_UTF8);
        }
        String suffix = k < 17 ? longSuffix(r) : k < 20 ? deepSuffix(r) : k < 60 ? simpleSuffix(r) : suffix(r);
        String a = grantA + suffix;
        String b = grantB + suffix;
        byte[] raw = a.getBytes(StandardCharsets.UTF_8);
        return new Slot(b, raw, raw.length >= Resolver.PATH_MAX ? Kind.TOO_LONG : Kind.PREFIXED);
    }

    /** One or two ordinary names: most requests should reach real files, to succeed or fail as the kernel says. */
    private static String simpleSuffix(Random r) {
        String name = NAMES[r.nextInt(NAMES.length - 3)]; // not ".", ".." or ""
        return r.nextInt(3) == 0 ? "/" + (r.nextBoolean() ? "d1" : "empty") + "/" + name : "/" + name;
    }

    private static String suffix(Random r) {
        StringBuilder s = new StringBuilder();
        int depth = 1 + r.nextInt(4);
        for (int i = 0; i < depth; i++) {
            s.append(r.nextInt(12) == 0 ? "//" : "/").append(pick(r, NAMES));
        }
        int end = r.nextInt(20);
        if (end == 0) {
            s.append('/');
        } else if (end == 1) {
            s.append("/.");
        } else if (end == 2) {
            s.append("/..");
        }
        return s.toString();
    }

    /** Paths right at PATH_MAX: 4094, 4095 (the longest the kernel takes), 4096 bytes. */
    private String longSuffix(Random random) {
        // Its own generator: how many draws filling takes depends on the temporary directory's
        // name, and must not shift the requests that follow, or a seed would not replay.
        Random r = new Random(random.nextLong());
        String name = r.nextBoolean() ? "f1" : "new";
        int total = 4094 + r.nextInt(3);
        int fill = total - grantA.toString().length() - 1 - name.length();
        StringBuilder s = new StringBuilder();
        while (s.length() + 2 <= fill) {
            s.append(r.nextBoolean() ? "/." : "//");
        }
        while (s.length() < fill) {
            s.append('/');
        }
        return s.append('/').append(name).toString();
    }

    /** Deep nesting: many real components, some created by earlier requests, and .. chains. */
    private static String deepSuffix(Random r) {
        StringBuilder s = new StringBuilder();
        int depth = 10 + r.nextInt(60);
        for (int i = 0; i < depth; i++) {
            int c = r.nextInt(10);
            s.append(c < 4 ? "/new" : c < 6 ? "/.." : c < 8 ? "/d1" : "/l-d1");
        }
        return s.append('/').append(pick(r, NAMES)).toString();
    }

    private List<String> hostilePaths(Path tmpProbe) {
        int rootFd = broker.roots().get(grantA.toString()).fd().get();
        List<String> h = new ArrayList<>(List.of(
                "/",
                "//",
                "/.",
                "/..",
                "/etc/passwd",
                "/etc/../etc/shadow",
                "/proc/self/root" + grantA + "/f1",
                "/proc/self/root" + grantA + "/new",
                "/proc/thread-self/root" + grantA + "/d1/f2",
                "/proc/self/cwd",
                "/proc/self/cwd/pom.xml",
                "/proc/self/fd/" + rootFd + "/f1",
                "/proc/self/fd/" + rootFd + "/new",
                "/proc/self/fd/" + twinRoot.get() + "/f1",
                outside + "/secret",
                outside + "/sdir/x",
                outside + "/../O/secret",
                outside + "/new",
                dir + "/A",
                dir + "/A/",
                dir + "/A/x",
                grantA.toString(),
                grantA + "/",
                grantA + "/.",
                grantA + "/..",
                grantA + "/../x",
                grantA + "/d1/../..",
                grantA + "/../../O/secret",
                grantB + "/f1",
                grantB + "/new",
                tmpProbe.toString(),
                tmpProbe + "/"));
        for (int fd = 0; fd < 24; fd++) {
            h.add("/proc/self/fd/" + fd + "/f1");
        }
        return h;
    }

    private static String pick(Random r, String[] values) {
        return values[r.nextInt(values.length)];
    }

    // ---- requests ----

    private Request request(Random r, int type, String first, String second) {
        byte[] path = first.getBytes(StandardCharsets.UTF_8);
        byte[] other = second.getBytes(StandardCharsets.UTF_8);
        return request(r, type, path, other);
    }

    private static final int[] OPEN_FLAGS = {
        Linux.O_RDONLY,
        Linux.O_RDONLY | Linux.O_DIRECTORY,
        Linux.O_WRONLY | Linux.O_CREAT,
        Linux.O_WRONLY | Linux.O_CREAT | Linux.O_EXCL,
        Linux.O_RDWR | Linux.O_TRUNC,
        Linux.O_WRONLY | Linux.O_APPEND,
        Linux.O_RDONLY | Linux.O_NOFOLLOW,
        Linux.O_WRONLY | Linux.O_CREAT | Linux.O_NOFOLLOW,
        Linux.O_RDWR
    };

    private Request request(Random r, int type, byte[] path, byte[] second) {
        // Requests once drew an id here; the draw stays so that a recorded seed replays the same requests.
        r.nextInt();
        switch (Operation.ofCode(type)) {
            case OPEN:
                return Requests.open(path, OPEN_FLAGS[r.nextInt(OPEN_FLAGS.length)], r.nextInt(01000), r.nextBoolean());
            case STAT:
                return Requests.stat(path, r.nextBoolean());
            case ACCESS:
                return Requests.access(path, r.nextInt(8));
            case READLINK:
                return Requests.readlink(path);
            case MKDIR:
                return Requests.mkdir(path, r.nextInt(010000));
            case UNLINK:
                int kind = r.nextInt(3);
                return kind == 0 ? Requests.unlink(path) : kind == 1 ? Requests.rmdir(path) : Requests.remove(path);
            case RENAME:
                return Requests.rename(path, second, r.nextBoolean());
            case LINK:
                return Requests.link(path, second);
            case SYMLINK:
                return Requests.symlink(path, pick(r, targets()).getBytes(StandardCharsets.UTF_8));
            case CHMOD:
                return Requests.chmod(path, r.nextInt(010000), r.nextBoolean());
            case UTIMENS:
                return Requests.utimens(path, time(r), time(r), r.nextBoolean());
            default:
                throw new IllegalArgumentException("no request type " + type);
        }
    }

    private static long time(Random r) {
        int k = r.nextInt(5);
        return k == 0
                ? Request.OMIT
                : k == 1 ? -r.nextInt(1_000_000_000) * 7L : r.nextLong() % 4_000_000_000_000_000_000L;
    }

    // By operation code, OPEN (1) to UTIMENS (11); WATCH has tests of its own (RequestServerStatWatchTest).
    private static final int[] TYPE_WEIGHTS = {0, 10, 10, 8, 6, 10, 10, 10, 6, 8, 8, 6};

    private int type(Random r) {
        int total = Arrays.stream(TYPE_WEIGHTS).sum();
        int x = r.nextInt(total);
        for (int type = Operation.OPEN.code(); ; type++) {
            x -= TYPE_WEIGHTS[type];
            if (x < 0) {
                return type;
            }
        }
    }

    /** A served request as the helper would get it: the reply, and the descriptor, if any. */
    private record Served(Reply reply, Fd fd) {}

    private Served serve(Request request) {
        RequestLoop.Answer answer = RequestLoop.answer(broker.server(), new Envelope<>(1, request), log);
        Served served = new Served(answer.reply(), answer.descriptor());
        if (served.fd() == null) {
            return served;
        }
        // Whatever it is, a descriptor must name something inside the grant.
        try {
            Linux.Stat stat = Linux.fstat(served.fd().get());
            if (!inodesInside().contains(List.of(stat.dev(), stat.ino()))) {
                served.fd().close();
                fail(message("descriptor for " + request + " names inode " + stat.ino() + " outside " + grantA));
            }
        } catch (IOException e) {
            served.fd().close();
            throw new AssertionError(message(e.toString()), e);
        }
        return served;
    }

    private Set<List<Long>> inodesInside() throws IOException {
        Set<List<Long>> inodes = new HashSet<>();
        Trees.visit(grantA, p -> {
            if (!p.equals(grantA)) {
                inodes.add(List.of(Trees.device(p), Trees.inode(p)));
            }
        });
        return inodes;
    }

    private void step(Random r, List<String> hostile) throws Exception {
        int type = type(r);
        Slot first = slot(r, hostile);
        Slot second = slot(r, hostile);
        Request request;
        try {
            request = request(r, type, first.raw(), second.raw());
        } catch (IllegalArgumentException refusedByTheCodec) {
            return; // e.g. a path over Message.MAX_PATH_LENGTH: it never reaches the broker
        }
        lastRequest = request.toString();
        Expected expected = expect(request, first, second);
        Served served = serve(request);
        int errno = errno(served.reply());
        outcomes.computeIfAbsent(request.operation().code(), t -> new java.util.TreeMap<>())
                .merge(errno, 1, Integer::sum);
        try {
            if (expected.errno != errno && System.getProperty("airlock.fuzz.debug") != null) {
                System.err.println("DEBUG " + request + "\n A: " + Trees.shape(grantA) + "\n");
            }
            assertEquals(expected.errno, errno, message("errno of " + request + " (expected by " + expected.why + ")"));
            if (expected.twin != null) {
                compare(request, served, expected.twin);
            }
        } finally {
            if (served.fd() != null) {
                served.fd().close();
            }
            if (expected.twin != null && expected.twin.fd != null) {
                expected.twin.fd.close();
            }
        }
    }

    /** What the broker must answer, and why; the twin's own outcome when the kernel decided. */
    private record Expected(int errno, String why, Twin twin) {
        static Expected of(int errno, String why) {
            return new Expected(errno, why, null);
        }
    }

    /**
     * The twin's outcome: errno, and for STAT/OPEN its descriptor, for READLINK the link's target
     * with one char per byte (ISO-8859-1 maps every byte to a char and back), so that the record
     * compares it by content.
     */
    private record Twin(int errno, Fd fd, String target) {}

    private void compare(Request request, Served served, Twin twin) throws ErrnoException {
        if (served.fd() != null && twin.fd != null) {
            Linux.Stat mine = Linux.fstat(served.fd().get());
            Linux.Stat theirs = Linux.fstat(twin.fd.get());
            assertEquals(theirs.mode(), mine.mode(), message("file type and mode of the descriptor for " + request));
            assertEquals(theirs.size(), mine.size(), message("size of the file of the descriptor for " + request));
        }
        if (request.operation() == Operation.READLINK && twin.errno == 0) {
            assertEquals(
                    twin.target,
                    new String(((Reply.Data) served.reply()).bytes(), StandardCharsets.ISO_8859_1),
                    message("link target for " + request));
        }
    }

    /** A denial's or failure's errno, 0 for a success; a broker error fails the test (the model has none). */
    private int errno(Reply reply) {
        if (reply instanceof Reply.Denied denied) {
            return denied.errno();
        }
        if (reply instanceof Reply.Failed failed) {
            return failed.errno();
        }
        if (reply instanceof Reply.BrokerError) {
            fail(message("broker error for " + lastRequest + ": " + reply));
        }
        return 0;
    }

    /** The model's view of a request: its operation and the fields the model reads, by what they mean. */
    private static final class Fields {
        private final Request request;

        Fields(Request request) {
            this.request = request;
        }

        Operation operation() {
            return request.operation();
        }

        int openFlags() {
            return ((Request.Open) request).openFlags();
        }

        /** The creation or new mode (OPEN, MKDIR, CHMOD) or the access bits (ACCESS). */
        int mode() {
            if (request instanceof Request.Access access) {
                return access.accessBits();
            }
            if (request instanceof Request.MakeDirectory mkdir) {
                return mkdir.mode();
            }
            if (request instanceof Request.ChangeMode chmod) {
                return chmod.mode();
            }
            return ((Request.Open) request).mode();
        }

        boolean refuseDirectory() {
            return ((Request.Open) request).refuseDirectory();
        }

        boolean noFollow() {
            if (request instanceof Request.Stat stat) {
                return stat.noFollow();
            }
            if (request instanceof Request.ChangeMode chmod) {
                return chmod.noFollow();
            }
            return ((Request.SetTimes) request).noFollow();
        }

        boolean directory() {
            return ((Request.Remove) request).kind() == Request.RemoveKind.DIRECTORY;
        }

        boolean either() {
            return ((Request.Remove) request).kind() == Request.RemoveKind.EITHER;
        }

        boolean noReplace() {
            return ((Request.Rename) request).noReplace();
        }

        long firstNumber() {
            return ((Request.SetTimes) request).accessNanos();
        }

        long secondNumber() {
            return ((Request.SetTimes) request).modifiedNanos();
        }

        /** SYMLINK's target. */
        byte[] second() {
            return ((Request.SymbolicLink) request).target().bytes();
        }
    }

    // ---- the model ----

    private Expected expect(Request request, Slot first, Slot second) throws Exception {
        Fields q = new Fields(request);
        boolean two = q.operation() == Operation.RENAME || q.operation() == Operation.LINK;
        Expected early = beforeThePolicy(first);
        if (early == null && two) {
            early = beforeThePolicy(second);
        }
        if (early != null) {
            return early;
        }
        if (denied(first) || (two && denied(second))) {
            return Expected.of(Errno.EACCES, "policy");
        }
        // The paths the twin's system calls get (the same as the requests' but where the kernel's
        // own .. would meet a directory the user may not search, see kernelPath).
        String k1 = kernelPath(first.b(), q.operation());
        String k2 = two ? kernelPath(second.b(), q.operation()) : null;
        switch (q.operation()) {
            case OPEN: {
                int flags = q.openFlags();
                boolean exclusive = (flags & (Linux.O_CREAT | Linux.O_EXCL)) == (Linux.O_CREAT | Linux.O_EXCL);
                String name = last(first.b());
                boolean slash = first.b().endsWith("/") && !name.equals(".") && !name.equals("..");
                // With O_CREAT a trailing slash is EISDIR before the last component is looked up.
                Expected e = (flags & Linux.O_CREAT) != 0 && slash
                        ? parentLookup(first.b())
                        : lookup(first.b(), (flags & Linux.O_NOFOLLOW) == 0 && !exclusive, false);
                return e != null
                        ? e
                        : twin(() -> {
                            Fd fd = Linux.open(k1, flags | Linux.O_NONBLOCK, q.mode() & 0777);
                            if (q.refuseDirectory() && Linux.fstat(fd.get()).isDirectory()) {
                                fd.close();
                                throw new ErrnoException("open", Errno.EISDIR);
                            }
                            return new Twin(0, fd, null);
                        });
            }
            case STAT: {
                Expected e = lookup(first.b(), !q.noFollow(), false);
                return e != null
                        ? e
                        : twin(() -> new Twin(
                                0, Linux.open(k1, Linux.O_PATH | (q.noFollow() ? Linux.O_NOFOLLOW : 0), 0), null));
            }
            case ACCESS: {
                Expected e = lookup(first.b(), true, false);
                return e != null
                        ? e
                        : twin(() -> done(() -> Linux.faccessat2(Linux.AT_FDCWD, k1, q.mode(), Linux.AT_EACCESS)));
            }
            case READLINK: {
                Expected e = lookup(first.b(), false, false);
                return e != null
                        ? e
                        : twin(() -> new Twin(
                                0,
                                null,
                                new String(Linux.readlinkat(Linux.AT_FDCWD, k1), StandardCharsets.ISO_8859_1)));
            }
            case CHMOD: {
                Expected e = lookup(first.b(), !q.noFollow(), false);
                return e != null
                        ? e
                        : twin(() -> done(() -> {
                            int keep = 0777;
                            try (Fd fd = Linux.open(k1, Linux.O_PATH | (q.noFollow() ? Linux.O_NOFOLLOW : 0), 0)) {
                                keep = Linux.fstat(fd.get()).isDirectory() ? 01777 : 0777;
                            } catch (ErrnoException fchmodat2WillSay) {
                                // fall through: the call itself gives the errno
                            }
                            Linux.fchmodat2(
                                    Linux.AT_FDCWD, k1, q.mode() & keep, q.noFollow() ? Linux.AT_SYMLINK_NOFOLLOW : 0);
                        }));
            }
            case UTIMENS: {
                if (q.firstNumber() == Request.OMIT && q.secondNumber() == Request.OMIT) {
                    return Expected.of(0, "two UTIME_OMITs: Linux looks nothing up");
                }
                Expected e = lookup(first.b(), !q.noFollow(), false);
                long a = q.firstNumber() == Request.OMIT ? Linux.TIME_OMIT : q.firstNumber();
                long m = q.secondNumber() == Request.OMIT ? Linux.TIME_OMIT : q.secondNumber();
                return e != null
                        ? e
                        : twin(() -> done(() -> Linux.utimensat(
                                Linux.AT_FDCWD, k1, a, m, q.noFollow() ? Linux.AT_SYMLINK_NOFOLLOW : 0)));
            }
            case MKDIR: {
                Expected e = parentLookup(first.b());
                return e != null ? e : twin(() -> done(() -> Linux.mkdirat(Linux.AT_FDCWD, k1, q.mode() & 0777)));
            }
            case SYMLINK: {
                Expected e = parentLookup(first.b());
                return e != null ? e : twin(() -> done(() -> Linux.symlinkat(q.second(), Linux.AT_FDCWD, k1)));
            }
            case UNLINK: {
                Expected e = parentLookup(first.b());
                return e != null
                        ? e
                        : twin(() -> done(() -> {
                            if (q.directory()) {
                                Linux.unlinkat(Linux.AT_FDCWD, k1, Linux.AT_REMOVEDIR);
                            } else {
                                try {
                                    Linux.unlinkat(Linux.AT_FDCWD, k1, 0);
                                } catch (ErrnoException x) {
                                    if (!q.either() || x.errno() != Errno.EISDIR) {
                                        throw x;
                                    }
                                    Linux.unlinkat(Linux.AT_FDCWD, k1, Linux.AT_REMOVEDIR);
                                }
                            }
                        }));
            }
            case RENAME: {
                Expected e = parentLookup(first.b());
                if (e == null) {
                    e = parentLookup(second.b());
                }
                return e != null
                        ? e
                        : twin(() -> done(() -> Linux.renameat2(
                                Linux.AT_FDCWD, k1, Linux.AT_FDCWD, k2, q.noReplace() ? Linux.RENAME_NOREPLACE : 0)));
            }
            case LINK: {
                // The existing file (second) is looked up first, as the kernel does.
                Expected e;
                if (endsAsDirectory(second.b()) || last(second.b()).isEmpty()) {
                    e = lookup(second.b(), true, true);
                } else {
                    e = parentLookup(second.b());
                    if (e == null) {
                        e = kernelErrno(
                                () -> Linux.open(k2, Linux.O_PATH | Linux.O_NOFOLLOW, 0)
                                        .close(),
                                "existing file's lookup");
                    }
                }
                if (e == null) {
                    e = parentLookup(first.b());
                }
                return e != null ? e : twin(() -> done(() -> Linux.linkat(Linux.AT_FDCWD, k2, Linux.AT_FDCWD, k1, 0)));
            }
            default:
                throw new IllegalStateException("type " + q.operation());
        }
    }

    private static Expected beforeThePolicy(Slot s) {
        if (s.kind() == Kind.NOT_UTF8) {
            return Expected.of(Errno.EINVAL, "not UTF-8");
        }
        if (s.kind() == Kind.TOO_LONG) {
            return Expected.of(Errno.ENAMETOOLONG, "PATH_MAX");
        }
        return null;
    }

    /** Whether the policy denies the path: hostile paths always, prefixed ones when they leave the grant. */
    private boolean denied(Slot s) {
        return s.kind() == Kind.HOSTILE || !decide(s.b()).inside;
    }

    /** The twin's view of the broker's decision: where the path goes once its .. prefix is resolved. */
    private record Decision(boolean inside, int headErrno, String relative) {}

    private Decision decide(String pathB) {
        Climb climbed = climb(pathB);
        String normalized = Path.of(climbed.path()).normalize().toString();
        String prefix = grantB + "/";
        boolean inside = normalized.startsWith(prefix);
        return new Decision(inside, climbed.errno(), inside ? normalized.substring(prefix.length()) : null);
    }

    /**
     * A path with its .. resolved as the broker must, the errno of a head that did not resolve,
     * and whether a head climbed from where it really is is a directory the user may not search.
     */
    private record Climb(String path, int errno, boolean unsearchable) {}

    /**
     * The broker's rule for {@code ..}, on the twin: the head before the last {@code ..} (its own
     * {@code ..} first) is climbed from where it really is when the policy lets the helper read it
     * (strictly beneath the grant) and it resolves beneath the twin's root, without escaping and
     * without being the root itself, which the policy does not grant; otherwise lexically, with
     * the lookup's errno (EXDEV, an escape, being a denial) kept for a path the policy allows.
     */
    private Climb climb(String path) {
        java.util.regex.Matcher dotDot =
                java.util.regex.Pattern.compile("(?<=^|/)\\.\\.(?=/|$)").matcher(path);
        int end = -1;
        while (dotDot.find()) {
            end = dotDot.end();
        }
        if (end < 0) {
            return new Climb(path, 0, false);
        }
        String rest = path.substring(end);
        Climb head = climb(end == 2 ? "." : path.substring(0, end - 2));
        String headPath = Path.of(head.path()).normalize().toString();
        int errno = head.errno();
        boolean unsearchable = head.unsearchable();
        if (errno == 0 && headPath.startsWith(grantB + "/")) {
            // A head that ends in "." is a lookup inside its directory, which must be searchable.
            String ending = last(head.path()).equals(".") ? "/." : "";
            String relative = headPath.substring(grantB.toString().length() + 1) + ending;
            try (Fd fd = Linux.openat2(
                    twinRoot.get(),
                    relative,
                    Linux.O_PATH | Linux.O_DIRECTORY,
                    0,
                    Linux.RESOLVE_BENEATH | Linux.RESOLVE_NO_MAGICLINKS)) {
                if (Linux.fstat(fd.get()).ino() == Linux.fstat(twinRoot.get()).ino()) {
                    errno = Errno.EACCES;
                } else {
                    headPath = new String(Linux.realpath(headPath), StandardCharsets.UTF_8);
                    unsearchable |= !searchable(fd);
                }
            } catch (ErrnoException e) {
                errno = e.errno() == Errno.EXDEV ? Errno.EACCES : e.errno();
            }
        }
        int slash = headPath.lastIndexOf('/');
        String up = slash <= 0 ? "/" : headPath.substring(0, slash);
        return new Climb(rest.isEmpty() ? up : (up.equals("/") ? "" : up) + rest, errno, unsearchable);
    }

    /** Whether the test's user may search the directory: root always may. */
    private static boolean searchable(Fd directory) {
        try {
            Linux.faccessat2(directory.get(), "", Linux.X_OK, Linux.AT_EACCESS | Linux.AT_EMPTY_PATH);
            return true;
        } catch (ErrnoException e) {
            return false;
        }
    }

    /**
     * The path the twin's system call gets for a request's path: the same, unless the kernel's
     * own walk would be stopped by a permission the broker's rule does not ask for. The kernel
     * climbs {@code ..} only from a directory it may search; the broker, resolving {@code ..} by
     * the policy, climbs from where a head the helper may read really is, whatever its mode:
     * {@code ..} reveals none of that directory's entries, and its parent is where the broker
     * found the head, so its search permission protects nothing there. Root may search every
     * directory, so for root this is always the request's path; for a normal user such a path
     * goes to the twin with its {@code ..} climbed as the broker climbed them, and every other
     * permission still checked by the kernel, as the broker's own calls are. A final {@code ..}
     * becomes {@code /.} after the directory it climbs to, which the kernel walks to with the same
     * checks and answers the same; for UNLINK {@code /..}, because rmdir(2) answers by the kind of
     * the last name (ENOTEMPTY for {@code ..}, EINVAL for {@code .}), and that walk needs search
     * on the same directories too.
     */
    private String kernelPath(String pathB, Operation type) {
        Climb climbed = climb(pathB);
        if (!climbed.unsearchable()) {
            return pathB;
        }
        if (!last(pathB).equals("..")) {
            return climbed.path();
        }
        return climbed.path().replaceAll("/+$", "") + (type == Operation.UNLINK ? "/.." : "/.");
    }

    /**
     * The model's answer for a lookup of the whole path (null: it stays inside, let the kernel
     * answer): the policy, the .. prefix, then the twin's lookup beneath its root, where EXDEV
     * means the path leaves the tree through a link, which the broker answers with EACCES.
     */
    private Expected lookup(String pathB, boolean followLast, boolean directory) {
        Decision d = decide(pathB);
        if (!d.inside) {
            return Expected.of(Errno.EACCES, "policy");
        }
        if (d.headErrno != 0) {
            return Expected.of(d.headErrno, ".. prefix");
        }
        boolean mustBeDirectory = endsAsDirectory(pathB);
        // A final "." or ".." is a name the kernel looks up inside the directory, which it must
        // search (".." climbed to its parent first, by the broker's rule); a final "/" is not.
        String name = last(pathB);
        String ending = name.equals(".") || name.equals("..") ? "/." : mustBeDirectory ? "/" : "";
        String relative = d.relative + ending;
        int flags = Linux.O_PATH
                | (followLast || mustBeDirectory ? 0 : Linux.O_NOFOLLOW)
                | (directory ? Linux.O_DIRECTORY : 0);
        // A directory that must resolve fails the request where it fails; a file may be missing
        // (O_CREAT), so its errors are left to the twin's call.
        return beneath(relative, flags, directory, true);
    }

    /** As {@link #lookup}, for the directory that holds the last component of a name to create, remove or rename. */
    private Expected parentLookup(String pathB) {
        Decision d = decide(pathB);
        if (!d.inside) {
            return Expected.of(Errno.EACCES, "policy");
        }
        if (d.headErrno != 0) {
            return Expected.of(d.headErrno, ".. prefix");
        }
        String name = last(pathB);
        if (name.equals(".")) {
            // The kernel walks into the directory for a last ".": it must resolve, and be searchable.
            return lookup(pathB, true, true);
        }
        if (name.isEmpty() || name.equals("..")) {
            // What the kernel walks before a last "..": it must resolve, as a directory.
            return lookup(withoutLast(pathB), true, true);
        }
        // The kernel searches the directory for the name, whatever the call.
        int slash = d.relative.lastIndexOf('/');
        return beneath(
                (slash < 0 ? "." : d.relative.substring(0, slash)) + "/.",
                Linux.O_PATH | Linux.O_DIRECTORY,
                true,
                false);
    }

    /**
     * The twin's lookup beneath its root. For a whole path, reaching the root itself (through a
     * link to "." or "..") is a denial too: the policy grants what is beneath the root, not the root.
     */
    private Expected beneath(String relative, int flags, boolean errorsAreFinal, boolean wholePath) {
        try (Fd fd = Linux.openat2(
                twinRoot.get(), relative, flags, 0, Linux.RESOLVE_BENEATH | Linux.RESOLVE_NO_MAGICLINKS)) {
            if (wholePath
                    && Linux.fstat(fd.get()).ino()
                            == Linux.fstat(twinRoot.get()).ino()) {
                return Expected.of(Errno.EACCES, "the grant's root itself");
            }
            return null;
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EXDEV) {
                return Expected.of(Errno.EACCES, "escape through a link");
            }
            if (e.errno() == Errno.ELOOP) {
                return Expected.of(Errno.ELOOP, "link loop");
            }
            return errorsAreFinal ? Expected.of(e.errno(), "the kernel's lookup") : null;
        }
    }

    private static Expected kernelErrno(Call call, String why) {
        try {
            call.run();
            return null;
        } catch (ErrnoException e) {
            return Expected.of(e.errno(), why);
        }
    }

    private static Twin done(Call call) throws ErrnoException {
        call.run();
        return new Twin(0, null, null);
    }

    private static Expected twin(TwinCall call) {
        try {
            Twin t = call.run();
            return new Expected(0, "the twin's system call", t);
        } catch (ErrnoException e) {
            return new Expected(e.errno(), "the twin's system call", new Twin(e.errno(), null, null));
        }
    }

    /** A direct system call on the twin. */
    private interface Call {
        void run() throws ErrnoException;
    }

    /** A direct system call on the twin with an outcome to compare. */
    private interface TwinCall {
        Twin run() throws ErrnoException;
    }

    /** The last component, trailing slashes ignored; empty for a path of slashes only. */
    private static String last(String path) {
        String trimmed = path.replaceAll("/+$", "");
        return trimmed.substring(trimmed.lastIndexOf('/') + 1);
    }

    private static boolean endsAsDirectory(String path) {
        return (path.length() > 1 && path.endsWith("/"))
                || last(path).equals(".")
                || last(path).equals("..");
    }

    private static String withoutLast(String path) {
        String trimmed = path.replaceAll("/+$", "");
        String parent = trimmed.substring(0, trimmed.lastIndexOf('/') + 1).replaceAll("/+$", "");
        return parent.isEmpty() ? "/" : parent;
    }

    private String message(String what) {
        return what + " [seed " + seed + ", rerun with -Dairlock.fuzz.seed=" + seed + "; last request " + lastRequest
                + "]";
    }
}
