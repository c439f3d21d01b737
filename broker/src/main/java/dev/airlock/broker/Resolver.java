package dev.airlock.broker;

import dev.airlock.policy.FileActions;
import dev.airlock.policy.FileDecision;
import dev.airlock.policy.Policy;
import dev.airlock.unix.Errno;
import dev.airlock.unix.ErrnoException;
import dev.airlock.unix.Fd;
import dev.airlock.unix.Linux;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns a request's path into a descriptor beneath the root of the grant that allows it, race-free,
 * for every request type: the file itself (opens, and {@code O_PATH} descriptors for metadata) or
 * the directory that holds its last component (creating, removing, renaming and linking names).
 *
 * <p>The policy decides on the lexically normalised path, after its {@code ..} components have been
 * resolved by the policy: through the lookup where the helper may read, lexically where it may
 * not, never by the broker's own view ({@link #withoutDotDots}). The lookup then happens beneath the pre-opened root
 * of the grant that allowed it, with {@code openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS |
 * RESOLVE_NO_SYMLINKS)}, so neither {@code ..} nor a link planted in a granted tree can lead out of
 * it. A symbolic link is not refused outright: its target is decided by the policy again, as a new
 * path, and looked up beneath the grant that allows it, at most {@link #MAX_HOPS} times (the
 * kernel's own limit). A lookup that would leave every grant is EACCES; every other failure is the
 * kernel's errno.
 *
 * <p>One instance per broker; not thread-safe (it reuses one decoder), like the request loop that
 * owns it.
 */
final class Resolver {
    static final int MAX_HOPS = 40;

    /** The kernel's PATH_MAX, which counts the terminating NUL: a longer path never reaches a lookup. */
    static final int PATH_MAX = 4096;

    static final long RESOLVE = Linux.RESOLVE_BENEATH | Linux.RESOLVE_NO_MAGICLINKS | Linux.RESOLVE_NO_SYMLINKS;

    /** What a path ends in, which the kernel's name-changing calls tell apart (its LAST_* types). */
    enum Last {
        /** An ordinary name: the only thing a directory entry can be created, removed or renamed by. */
        NAME,
        /** {@code .}: the directory the path walked to. */
        DOT,
        /** {@code ..}: its parent. */
        DOT_DOT,
        /** Nothing but slashes: {@code /}. */
        ROOT
    }

    /**
     * Why a request is not served: the errno for the reply and, for a policy denial, the policy's
     * reason. An {@link java.io.IOException} like the kernel's {@link ErrnoException}, so that
     * the request server's methods declare one exception type and map both in one place.
     */
    static final class Refusal extends java.io.IOException {
        private static final long serialVersionUID = 1L;

        private final int errno;

        Refusal(int errno, String reason) {
            super(reason);
            this.errno = errno;
        }

        /** No stack trace: refusals are ordinary answers, on the hot path of a denied request. */
        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }

        static Refusal of(int errno) {
            return new Refusal(errno, "");
        }

        int errno() {
            return errno;
        }

        String reason() {
            return getMessage();
        }
    }

    /**
     * The directory that holds a path's last component, resolved beneath a grant, and that
     * component as the kernel should get it (with the path's trailing slash, which means "a
     * directory" to the kernel's name calls). For a path that does not end in a name, {@link
     * #last()} says what it ends in and there is no directory.
     */
    record Parent(Fd directory, String name, String decidedPath, Last last) implements AutoCloseable {
        @Override
        public void close() {
            if (directory != null) {
                directory.close();
            }
        }
    }

    /**
     * A path as the policy decided it, and where it lives: the grant's root and the path beneath
     * it; and when the part before its last {@code ..} failed to resolve, that failure, which is
     * the answer if the policy allows the path (see {@link #withoutDotDots}).
     */
    private record Decided(GrantRoots.Root root, String normalized, String relative, Refusal headFailure) {}

    /** A path with its {@code ..} components resolved away, and why the part before them did not resolve, if it did not. */
    private record Climbed(String path, Refusal failure) {}

    private final Policy policy;
    private final GrantRoots roots;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);

    private final DecisionRecorder recorder;

    Resolver(Policy policy, GrantRoots roots) {
        this(policy, roots, DecisionRecorder.NONE);
    }

    /** A resolver that reports each allowed decision of a path to {@code recorder}. */
    Resolver(Policy policy, GrantRoots roots, DecisionRecorder recorder) {
        this.policy = policy;
        this.roots = roots;
        this.recorder = recorder;
    }

    /**
     * The request path as text, checked as the kernel would check it first.
     *
     * @throws Refusal ENAMETOOLONG for {@value #PATH_MAX} bytes or more (the kernel's limit counts
     *     the NUL; the broker must not accept longer paths just because it looks up shorter
     *     relative ones); EINVAL when the bytes are not UTF-8, since a replacement character would
     *     make the broker decide and act on another name than the one the helper sent
     */
    String decode(byte[] raw) throws Refusal {
        if (raw.length >= PATH_MAX) {
            throw Refusal.of(Errno.ENAMETOOLONG);
        }
        String text = decodeOrNull(raw);
        if (text == null) {
            throw Refusal.of(Errno.EINVAL);
        }
        return text;
    }

    private String decodeOrNull(byte[] bytes) {
        try {
            return utf8.reset().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException notUtf8) {
            return null;
        }
    }

    /**
     * Refuses unless the policy allows {@code actions} on {@code path}; for requests naming two
     * paths, which the SecurityManager checked both before the system call ran, so that a denial
     * of either wins over any error of the file system.
     */
    void check(String path, int actions) throws Refusal {
        decide(path, actions);
    }

    /**
     * Opens {@code path} beneath its grant.
     *
     * @param flags openat2 flags, passed as they are ({@code O_PATH}, {@code O_NOFOLLOW} included)
     * @param followLast whether a final symbolic link is followed; a path that ends in {@code /},
     *     {@code .} or {@code ..} always follows it, as the kernel does
     * @throws Refusal EACCES with the policy's reason when a path on the way is denied, EACCES when
     *     the lookup would escape the grant, ELOOP after {@link #MAX_HOPS} links, else the errno
     */
    Fd open(String path, int actions, int flags, int mode, boolean followLast) throws Refusal {
        return resolve(path, actions, flags, mode, followLast).fd();
    }

    /** A descriptor as {@link #open} opened it, and the path it was opened as: absolute, normalized, no link in it. */
    private record Resolved(Fd fd, String path) {}

    private Resolved resolve(String path, int actions, int flags, int mode, boolean followLast) throws Refusal {
        // Normalising drops a final "/", "." or "..", but to the kernel they mean "a directory", and
        // that a final link is followed even under O_NOFOLLOW. They are not the same to it either:
        // with O_CREAT, "x/" is EISDIR before x is even looked up, while "x/." walks x first (and
        // says ENOTDIR for a file); so the kernel gets back the kind of ending the helper sent.
        Last last = last(path);
        String ending = last == Last.DOT || last == Last.DOT_DOT ? "/." : endsAsDirectory(path) ? "/" : "";
        boolean follow = followLast || !ending.isEmpty();
        for (int hop = 0; hop <= MAX_HOPS; hop++) {
            Decided d = decide(path, actions);
            if (d.headFailure != null) {
                throw d.headFailure;
            }
            String relative = d.relative.equals(".") ? "." : d.relative + ending;
            Fd fd;
            try {
                fd = Linux.openat2(d.root.fd().get(), relative, flags, mode, RESOLVE);
            } catch (ErrnoException e) {
                path = afterLink(d, e.errno(), !follow);
                continue;
            }
            if (KernelViews.isKernelView(fd)) {
                fd.close();
                throw KernelViews.refusal();
            }
            return new Resolved(fd, d.normalized);
        }
        throw Refusal.of(Errno.ELOOP);
    }

    /**
     * Resolves the directory that holds {@code path}'s last component, beneath the grant that
     * allows {@code actions} on the whole path; the caller acts on the name inside it. The last
     * component itself is never followed (the kernel's name calls act on a link, not on what it
     * names). For a path ending in {@code .}, {@code ..} or {@code /}, the policy decides the path
     * and what comes before the last component must resolve to a directory, as the kernel walks
     * it; the caller answers the kernel's errno for such a name.
     */
    Parent parent(String path, int actions) throws Refusal {
        Last last = last(path);
        if (last != Last.NAME) {
            Decided d = decide(path, actions);
            if (d.headFailure != null) {
                throw d.headFailure;
            }
            if (last != Last.ROOT) {
                // Only whether it resolves, as a directory, matters. For "." the kernel looks the
                // name up inside that directory, which needs search permission on it (a normal
                // user's broker is stopped where the kernel stops the helper); for ".." the head
                // was climbed by the policy's rule above, which asks for none.
                String walked = last == Last.DOT ? path : withoutLast(path);
                open(walked, actions, Linux.O_PATH | Linux.O_DIRECTORY | Linux.O_CLOEXEC, 0, true)
                        .close();
            }
            return new Parent(null, null, d.normalized, last);
        }
        String slash = path.endsWith("/") ? "/" : "";
        for (int hop = 0; hop <= MAX_HOPS; hop++) {
            Decided d = decide(path, actions);
            if (d.headFailure != null) {
                throw d.headFailure;
            }
            if (d.relative.equals(".")) {
                // The grant's root itself (only "/" is ever granted as itself): no parent beneath it.
                return new Parent(null, null, d.normalized, Last.ROOT);
            }
            int at = d.relative.lastIndexOf('/');
            String directory = at < 0 ? "." : d.relative.substring(0, at);
            String name = d.relative.substring(at + 1) + slash;
            Fd fd;
            try {
                // Through "/.": the kernel's name calls search the directory for the name before
                // they look at anything else, so a directory a normal user's broker may not search
                // fails here with the kernel's EACCES, not after an answer made without the kernel.
                fd = Linux.openat2(
                        d.root.fd().get(),
                        directory + "/.",
                        Linux.O_PATH | Linux.O_DIRECTORY | Linux.O_CLOEXEC,
                        0,
                        RESOLVE);
            } catch (ErrnoException e) {
                path = afterLink(d, e.errno(), true);
                continue;
            }
            if (KernelViews.isKernelView(fd)) {
                fd.close();
                throw KernelViews.refusal();
            }
            return new Parent(fd, name, d.normalized, Last.NAME);
        }
        throw Refusal.of(Errno.ELOOP);
    }

    /**
     * The path to go on with after a lookup beneath {@code d}'s root failed with {@code errno}:
     * for ELOOP or EXDEV, the first symbolic link replaced by its target.
     */
    private String afterLink(Decided d, int errno, boolean noFollowLast) throws Refusal {
        if (errno != Errno.ELOOP && errno != Errno.EXDEV) {
            if (crossesKernelView(d.root, d.relative)) {
                throw KernelViews.refusal(); // the errno would be procfs's or sysfs's answer to the broker
            }
            throw Refusal.of(errno);
        }
        String next = followFirstLink(d.root, d.relative, noFollowLast);
        if (next == null) {
            // No link to follow: a final link under O_NOFOLLOW (the kernel's ELOOP), or the tree
            // changed under us. EXDEV without a link would be an escape: never the kernel's answer.
            throw Refusal.of(errno == Errno.EXDEV ? Errno.EACCES : Errno.ELOOP);
        }
        return next;
    }

    /**
     * Decides {@code path}, after its {@code ..} components are resolved by the policy ({@link
     * #withoutDotDots}). When the part before a {@code ..} did not resolve, the kernel's lookup
     * would fail there too: the policy then decides the path as if it had been climbed lexically,
     * and a path it allows fails with that failure ({@link Decided#headFailure}), never succeeds
     * somewhere else.
     */
    private Decided decide(String path, int actions) throws Refusal {
        Climbed climbed = withoutDotDots(path);
        FileDecision decision = policy.decideFile(climbed.path(), actions);
        DecisionTrail.file(decision, actions);
        if (!decision.allowed()) {
            throw new Refusal(Errno.EACCES, decision.reason());
        }
        recorder.file(decision.normalizedPath(), actions);
        GrantRoots.Root root = roots.get(decision.root());
        if (root == null) {
            throw Refusal.of(Errno.EACCES); // cannot happen: the roots come from this policy
        }
        if (root.kernelView()) {
            throw KernelViews.refusal(); // before any lookup, which would be the broker's view
        }
        String normalized = decision.normalizedPath();
        return new Decided(root, normalized, relativeTo(root.directory(), normalized), climbed.failure());
    }

    /**
     * {@code path} with every {@code ..} resolved, by the policy and never by the broker's own
     * view of the file system. For the last {@code ..}, the part before it (the head, its own
     * {@code ..} resolved the same way first) is where the climb starts:
     *
     * <ul>
     *   <li>If the policy lets the helper read the head, the head is resolved as any path is,
     *       beneath its grant, its links decided by the policy, and the climb goes on from where
     *       it really is, as the kernel's would (after a link, {@code ..} leaves the link's
     *       target). What the lookup reveals, that the head exists and is a directory, and where
     *       its links lead, the helper may know.
     *   <li>If not, the head is climbed lexically, as the SecurityManager's FilePermission did,
     *       without consulting the file system: the answer must not depend on whether names
     *       exist in a directory the helper cannot search (the broker could, and with {@code
     *       realpath} as root it did). The lexical path is then what is decided and opened.
     * </ul>
     *
     * A head that is readable but does not resolve (missing, not a directory, a link the policy
     * denies) is climbed lexically too, and its failure is kept as the answer for a path the
     * policy allows.
     */
    private Climbed withoutDotDots(String path) {
        int last = lastDotDot(path);
        if (last < 0) {
            return new Climbed(path, null);
        }
        String rest = path.substring(last + 2);
        Climbed head = withoutDotDots(last == 0 ? "." : path.substring(0, last));
        FileDecision readable = policy.decideFile(head.path(), FileActions.READ);
        String headPath = readable.normalizedPath();
        Refusal failure = head.failure();
        if (readable.allowed() && failure == null) {
            try {
                Resolved real = resolve(
                        head.path(), FileActions.READ, Linux.O_PATH | Linux.O_DIRECTORY | Linux.O_CLOEXEC, 0, true);
                real.fd().close();
                headPath = real.path();
            } catch (Refusal unresolved) {
                failure = unresolved;
            }
        }
        String up = parentOf(headPath);
        return new Climbed(rest.isEmpty() ? up : (up.equals("/") ? "" : up) + rest, failure);
    }

    /**
     * Finds the first symbolic link along {@code relative} beneath {@code root} and returns the
     * absolute path the kernel would go on with: the link's target, joined to the link's
     * directory when relative, followed by the rest of the path. Null when there is no link to
     * follow (or the last component is a link and {@code noFollowLast}).
     *
     * <p>Walks one component at a time from the root's descriptor, each opened {@code O_PATH |
     * O_NOFOLLOW} beneath the one before, so that what is read is the link on the path the lookup
     * took, even if the tree changes meanwhile; the target is then decided again by the caller.
     *
     * @throws Refusal EINVAL for a target that is not UTF-8 (it could not be decided faithfully)
     */
    private String followFirstLink(GrantRoots.Root root, String relative, boolean noFollowLast) throws Refusal {
        if (relative.equals(".")) {
            return null;
        }
        String[] parts = relative.split("/", -1);
        Fd directory = null; // null: the root's own descriptor, which is not this method's to close
        try {
            for (int i = 0; i < parts.length; i++) {
                int from = directory == null ? root.fd().get() : directory.get();
                Fd component = openNoFollow(from, parts[i]);
                if (component == null) {
                    return null;
                }
                if (KernelViews.isKernelView(component)) {
                    component.close();
                    throw KernelViews.refusal(); // a link there is the broker's (/proc/self)
                }
                Linux.Stat stat = statOrNull(component);
                if (stat != null && stat.isDirectory()) {
                    if (directory != null) {
                        directory.close();
                    }
                    directory = component;
                    continue;
                }
                try (component) {
                    boolean last = i == parts.length - 1;
                    if (stat == null || !stat.isSymbolicLink() || (last && noFollowLast)) {
                        return null;
                    }
                    return afterTarget(root, parts, i, Linux.readlinkat(component.get(), ""));
                } catch (ErrnoException e) {
                    return null;
                }
            }
            return null;
        } finally {
            if (directory != null) {
                directory.close();
            }
        }
    }

    /**
     * Whether the lookup of {@code relative} beneath {@code root} reaches procfs or sysfs before
     * it fails: walked again one component at a time, links not followed, as far as it goes. Only
     * for a lookup that failed, whose errno would otherwise tell the helper what the broker sees
     * there (whether {@code /proc/PID} exists, for one).
     */
    private static boolean crossesKernelView(GrantRoots.Root root, String relative) {
        if (relative.equals(".")) {
            return false;
        }
        Fd directory = null;
        try {
            for (String part : relative.split("/", -1)) {
                Fd component = openNoFollow(directory == null ? root.fd().get() : directory.get(), part);
                if (component == null) {
                    return false;
                }
                if (directory != null) {
                    directory.close();
                }
                directory = component;
                if (KernelViews.isKernelView(component)) {
                    return true;
                }
            }
            return false;
        } finally {
            if (directory != null) {
                directory.close();
            }
        }
    }

    private static Fd openNoFollow(int directory, String name) {
        try {
            return Linux.openat2(directory, name, Linux.O_PATH | Linux.O_NOFOLLOW | Linux.O_CLOEXEC, 0, RESOLVE);
        } catch (ErrnoException e) {
            return null;
        }
    }

    private static Linux.Stat statOrNull(Fd fd) {
        try {
            return Linux.fstat(fd.get());
        } catch (ErrnoException e) {
            return null;
        }
    }

    /** The path the kernel goes on with when {@code parts[i]} is a link to {@code target}. */
    private String afterTarget(GrantRoots.Root root, String[] parts, int i, byte[] target) throws Refusal {
        String text = decodeOrNull(target);
        if (text == null) {
            throw Refusal.of(Errno.EINVAL);
        }
        StringBuilder next = new StringBuilder();
        if (text.startsWith("/")) {
            next.append(text);
        } else {
            StringBuilder link = new StringBuilder(root.directory());
            for (int j = 0; j <= i; j++) {
                link.append(link.length() > 0 && link.charAt(link.length() - 1) == '/' ? "" : "/")
                        .append(parts[j]);
            }
            String linkDirectory = parentOf(link.toString());
            next.append(linkDirectory)
                    .append(linkDirectory.endsWith("/") ? "" : "/")
                    .append(text);
        }
        for (int j = i + 1; j < parts.length; j++) {
            next.append('/').append(parts[j]);
        }
        return next.toString();
    }

    /** The index of the last {@code ..} component, or -1. */
    static int lastDotDot(String path) {
        int from = path.length();
        while (true) {
            int at = path.lastIndexOf("..", from);
            if (at < 0) {
                return -1;
            }
            boolean startsComponent = at == 0 || path.charAt(at - 1) == '/';
            boolean endsComponent = at + 2 == path.length() || path.charAt(at + 2) == '/';
            if (startsComponent && endsComponent) {
                return at;
            }
            from = at - 1;
            if (from < 0) {
                return -1;
            }
        }
    }

    /** What {@code path} ends in, ignoring trailing slashes. */
    static Last last(String path) {
        int end = path.length();
        while (end > 0 && path.charAt(end - 1) == '/') {
            end--;
        }
        if (end == 0) {
            return Last.ROOT;
        }
        int start = path.lastIndexOf('/', end - 1) + 1;
        int length = end - start;
        if (length == 1 && path.charAt(start) == '.') {
            return Last.DOT;
        }
        if (length == 2 && path.charAt(start) == '.' && path.charAt(start + 1) == '.') {
            return Last.DOT_DOT;
        }
        return Last.NAME;
    }

    /** Whether the kernel reads {@code path} as naming a directory: it ends in {@code /}, {@code .} or {@code ..}. */
    static boolean endsAsDirectory(String path) {
        Last last = last(path);
        return (path.length() > 1 && path.endsWith("/")) || last == Last.DOT || last == Last.DOT_DOT;
    }

    /** {@code path} without its last component and the slashes around it; {@code /} for a top-level name. */
    static String withoutLast(String path) {
        int end = path.length();
        while (end > 1 && path.charAt(end - 1) == '/') {
            end--;
        }
        int slash = path.lastIndexOf('/', end - 1);
        while (slash > 0 && path.charAt(slash - 1) == '/') {
            slash--;
        }
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    static String relativeTo(String directory, String normalizedPath) {
        if (normalizedPath.equals(directory)) {
            return ".";
        }
        String prefix = directory.equals("/") ? "/" : directory + "/";
        if (!normalizedPath.startsWith(prefix)) {
            throw new IllegalStateException(normalizedPath + " is not beneath its grant root " + directory);
        }
        return normalizedPath.substring(prefix.length());
    }

    private static String parentOf(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }
}
