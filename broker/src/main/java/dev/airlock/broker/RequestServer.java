package dev.airlock.broker;

import dev.airlock.broker.Resolver.Last;
import dev.airlock.broker.Resolver.Parent;
import dev.airlock.broker.Resolver.Refusal;
import dev.airlock.ipc.FileStat;
import dev.airlock.ipc.Reply;
import dev.airlock.ipc.Request;
import dev.airlock.policy.Policy;
import dev.airlock.unix.Errno;
import dev.airlock.unix.ErrnoException;
import dev.airlock.unix.Fd;
import dev.airlock.unix.Linux;
import dev.airlock.unix.Statx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Serves the helper's requests, one method per {@link Request} record ({@link Request.Handler}, so
 * that an operation without a method here does not compile). Every path is decided by the policy
 * with the actions of {@link RequiredActions} and resolved race-free beneath the grant that
 * allowed it ({@link Resolver}); the server never decides by itself.
 *
 * <p>Each method returns its success, or throws: a {@link Refusal} (a policy denial when it has a
 * reason, else an errno the broker chose) or an {@link ErrnoException} (the kernel's answer).
 * {@link #serve} turns those into the reply in one place, and anything else (a bug) into a broker
 * error, never into a denial.
 *
 * <p>Names are created, removed and renamed inside their directory, which {@link Resolver#parent}
 * resolves race-free beneath the grant, so the kernel only ever gets one last component relative
 * to a descriptor the broker resolved, and never follows a final link: the *at calls act on the
 * link itself. A path that ends in {@code .}, {@code ..} or {@code /} has no such component; it
 * gets the errno the kernel gives for it (checked on Linux 6.18 against the same calls made
 * directly): what comes before it must resolve as a directory, then EEXIST where a name would be
 * created, EISDIR for unlink, EINVAL / ENOTEMPTY / EBUSY for rmdir, EBUSY for rename (EEXIST as a
 * no-replace target), EPERM as a hard link's existing file. Modes follow {@link ModeRules}.
 *
 * <p>One instance per broker, used by the request loop's one thread (as its resolver is).
 */
final class RequestServer implements Request.Handler<RequestServer.Outcome, IOException> {
    /** Directory not empty; ipc's {@link Errno} table does not name it. */
    static final int ENOTEMPTY = 39;

    /** What {@code readlinkat(fd, "")} names a descriptor of an inotify instance: its /proc/self/fd link. */
    static final String INOTIFY_LINK = "anon_inode:inotify";

    private static final int O_PATH_CLOEXEC = Linux.O_PATH | Linux.O_CLOEXEC;

    private final Resolver resolver;
    private final GrantRoots roots;
    private final SocketOpener sockets;
    private final NameLookups names;
    private final DecisionRecorder recorder;

    /** The descriptor the request being served carried (WATCH's inotify instance), else null; see {@link #serve}. */
    private Fd attached;

    RequestServer(Policy policy, GrantRoots roots) {
        this(policy, roots, NameLookups.SYSTEM);
    }

    /**
     * A server that resolves the program's names with {@code service} and lets a connect use a
     * grant by host name for the addresses it resolved for this helper ({@link ResolvedNames}, one
     * per server).
     */
    RequestServer(Policy policy, GrantRoots roots, NameLookups.NameService service) {
        this(policy, roots, service, new ResolvedNames());
    }

    private RequestServer(Policy policy, GrantRoots roots, NameLookups.NameService service, ResolvedNames resolved) {
        this(policy, roots, service, resolved, DecisionRecorder.NONE);
    }

    /** A production server that reports every allowed decision to {@code recorder} ({@code airlock learn}). */
    RequestServer(Policy policy, GrantRoots roots, DecisionRecorder recorder) {
        this(policy, roots, NameLookups.SYSTEM, new ResolvedNames(), recorder);
    }

    private RequestServer(
            Policy policy,
            GrantRoots roots,
            NameLookups.NameService service,
            ResolvedNames resolved,
            DecisionRecorder recorder) {
        this(
                new Resolver(policy, roots, recorder),
                roots,
                new SocketOpener(policy, resolved).recordingTo(recorder),
                new NameLookups(policy, resolved, service).recordingTo(recorder),
                recorder);
    }

    /**
     * With a resolver of the caller's: for tests that need the server to meet a failure it does
     * not foresee (a resolver that throws). The production constructor is the other one.
     */
    RequestServer(Resolver resolver, GrantRoots roots) {
        this(resolver, roots, null, null, DecisionRecorder.NONE);
    }

    private RequestServer(
            Resolver resolver, GrantRoots roots, SocketOpener sockets, NameLookups names, DecisionRecorder recorder) {
        this.resolver = resolver;
        this.roots = roots;
        this.sockets = sockets;
        this.names = names;
        this.recorder = recorder;
    }

    /**
     * The reply to one request, and the descriptor that rides with a descriptor success (the
     * caller's to send and close). {@code internal} is the unforeseen failure behind a broker
     * error, for the caller to log; null otherwise.
     */
    record Outcome(Reply reply, Fd fd, RuntimeException internal) {
        static Outcome success(Reply.Success success) {
            return new Outcome(success, null, null);
        }

        static Outcome done() {
            return success(new Reply.Done());
        }

        static Outcome descriptor(Fd fd) {
            return new Outcome(new Reply.Descriptor(), fd, null);
        }

        static Outcome socket(Fd fd, Reply.SocketState state) {
            return new Outcome(new Reply.Socket(state), fd, null);
        }

        /** The errno of a denial or failure, 0 for anything else (tests read outcomes by it). */
        int errno() {
            if (reply instanceof Reply.Denied denied) {
                return denied.errno();
            }
            return reply instanceof Reply.Failed failed ? failed.errno() : 0;
        }

        /** The policy's reason of a denial, else empty. */
        String reason() {
            return reply instanceof Reply.Denied denied ? denied.reason() : "";
        }

        /** The data of a data success, else null. */
        byte[] data() {
            return reply instanceof Reply.Data data ? data.bytes() : null;
        }

        /** The status of a status success, else null. */
        FileStat stat() {
            return reply instanceof Reply.Status status ? status.stat() : null;
        }

        /** The watch descriptor of a watch success, else 0. */
        int watch() {
            return reply instanceof Reply.WatchDescriptor watch ? watch.descriptor() : 0;
        }
    }

    /** {@link #serve(Request, Fd)} for a request that names no descriptor (not a {@link Request.Carrying}). */
    Outcome serve(Request request) {
        return serve(request, null);
    }

    /**
     * Serves one decoded request with the descriptor it names, taken from the helper (null for
     * every operation but WATCH, CONNECT, BIND and SEND_DATAGRAM, which need one: EBADF without). Never throws. The outcome mapping, in one place: a
     * refusal with the policy's reason is a denial; a refusal without one, or the kernel's errno, a
     * failure; anything else the broker did not foresee is a broker error, which the helper reports
     * as an I/O error, never as a denial. The caller keeps {@code carried} and closes it afterwards.
     */
    Outcome serve(Request request, Fd carried) {
        attached = carried;
        try {
            return outcome(request);
        } finally {
            attached = null;
        }
    }

    /** Whether {@code request} is a name lookup, which {@link #serveLookup} serves from any thread. */
    static boolean isLookup(Request request) {
        return request instanceof Request.Resolve || request instanceof Request.ReverseResolve;
    }

    /**
     * Serves a RESOLVE or REVERSE_RESOLVE as {@link #serve} does, from any thread: a lookup uses
     * no descriptor and none of the loop's per-request state, only the immutable policy and the
     * synchronized {@link ResolvedNames}, so the request loop runs it on a resolver thread while it
     * goes on serving ({@link RequestLoop}).
     *
     * @throws IllegalArgumentException for any other request
     */
    Outcome serveLookup(Request request) {
        if (!isLookup(request)) {
            throw new IllegalArgumentException("not a name lookup: " + request);
        }
        return outcome(request);
    }

    /** The outcome mapping of {@link #serve}, in one place. */
    private Outcome outcome(Request request) {
        DecisionTrail.begin(); // taken by the request loop once it has the reply (RequestLoop#audit)
        recorder.begin(request);
        Outcome outcome = decided(request);
        // A probe of a name that does not exist used nothing: learning keeps no grant for it.
        recorder.end(!(outcome.reply() instanceof Reply.Failed failed && failed.errno() == Errno.ENOENT));
        return outcome;
    }

    private Outcome decided(Request request) {
        try {
            try {
                return request.accept(this);
            } catch (Refusal refusal) {
                return refusal.reason().isEmpty() ? failed(refusal.errno()) : denied(refusal);
            } catch (ErrnoException e) {
                return failed(e.errno());
            } catch (IOException e) {
                return new Outcome(
                        new Reply.BrokerError("airlock broker: internal error"), null, new IllegalStateException(e));
            }
        } catch (RuntimeException e) {
            return new Outcome(new Reply.BrokerError("airlock broker: internal error"), null, e);
        }
    }

    private static Outcome failed(int errno) {
        return new Outcome(new Reply.Failed(errno), null, null);
    }

    private static Outcome denied(Refusal refusal) {
        return new Outcome(new Reply.Denied(refusal.errno(), refusal.reason()), null, null);
    }

    // ---------------------------------------------------------------- opens and metadata

    @Override
    public Outcome open(Request.Open r) throws IOException {
        int flags = r.openFlags();
        int actions = RequiredActions.open(flags);
        if (actions == RequiredActions.REFUSED) {
            throw Refusal.of(Errno.EINVAL);
        }
        String path = resolver.decode(r.path().bytes());
        // openat2 refuses a mode without O_CREAT.
        int createMode = (flags & Linux.O_CREAT) != 0 ? ModeRules.created(r.mode()) : 0;
        Fd fd = resolver.open(path, actions, openFlags(flags), createMode, (flags & Linux.O_NOFOLLOW) == 0);
        try {
            Linux.Stat stat = Linux.fstat(fd.get());
            if (r.refuseDirectory() && stat.isDirectory()) {
                throw Refusal.of(Errno.EISDIR);
            }
            if ((flags & Linux.O_NONBLOCK) == 0) {
                // F_SETFL replaces exactly the changeable status flags: keep the requested ones, drop O_NONBLOCK.
                Linux.setStatusFlags(fd.get(), flags & (Linux.O_APPEND | Linux.O_DIRECT));
            }
            return Outcome.descriptor(fd);
        } catch (IOException | RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /**
     * Adds what every brokered open gets: close-on-exec (the broker never leaks it), no
     * controlling tty, and O_NONBLOCK so that opening a FIFO cannot block the broker (restored
     * afterwards when the helper did not ask for it).
     */
    private static int openFlags(int flags) {
        return flags | Linux.O_CLOEXEC | Linux.O_NOCTTY | Linux.O_NONBLOCK;
    }

    /**
     * An {@code O_PATH} descriptor of the file (of a final link itself with {@code noFollow}),
     * decided as read: the helper {@code fstat}s it, so the JDK fills its own structures, and an
     * {@code O_PATH} descriptor can be neither read nor written.
     *
     * <p>Except for a symbolic link: {@code readlinkat(fd, "")} on a descriptor of a link reads its
     * target, which is the policy's {@code readlink} to grant, not {@code read}'s. So when what was
     * resolved is a link, the broker asks the policy for read and readlink together (resolving the
     * path again with both actions decided on every hop, exactly as a READLINK request would be
     * decided); only if that is allowed does the helper get a descriptor, else it gets the link's
     * status as data, which is all that read lets it see.
     */
    @Override
    public Outcome stat(Request.Stat r) throws IOException {
        String path = resolver.decode(r.path().bytes());
        int flags = r.noFollow() ? O_PATH_CLOEXEC | Linux.O_NOFOLLOW : O_PATH_CLOEXEC;
        Fd fd = resolver.open(path, RequiredActions.STAT, flags, 0, !r.noFollow());
        try {
            if (!Linux.fstat(fd.get()).isSymbolicLink()) {
                return Outcome.descriptor(fd);
            }
            Fd withTarget = readlinkGranted(path, flags);
            if (withTarget != null) {
                fd.close();
                return Outcome.descriptor(withTarget);
            }
            // The status of the very link the read decision resolved, not of a second lookup.
            Outcome status = Outcome.success(new Reply.Status(wireStatus(Linux.statx(fd.get()))));
            fd.close();
            return status;
        } catch (IOException | RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /**
     * The link resolved again with read and readlink both decided by the policy, or null when
     * either is denied anywhere on the way (or the lookup fails now for any other reason: the
     * helper then gets the status, which reveals less, never more).
     */
    private Fd readlinkGranted(String path, int flags) {
        try {
            return resolver.open(path, RequiredActions.STAT_LINK_DESCRIPTOR, flags, 0, false);
        } catch (Refusal refusal) {
            return null;
        }
    }

    /**
     * access(2) as the broker would act: the policy decides the asked actions, then the kernel
     * answers for the broker's own credentials (AT_EACCESS) on the resolved file, which is what a
     * brokered open of it would meet. A denial is EACCES with the policy's reason.
     */
    @Override
    public Outcome access(Request.Access r) throws IOException {
        String path = resolver.decode(r.path().bytes());
        try (Fd fd = resolver.open(path, RequiredActions.access(r.accessBits()), O_PATH_CLOEXEC, 0, true)) {
            Linux.faccessat2(fd.get(), "", r.accessBits(), Linux.AT_EMPTY_PATH | Linux.AT_EACCESS);
            return Outcome.done();
        }
    }

    /** A link's target, decided as readlink; EINVAL for anything but a link, as readlink(2) says. */
    @Override
    public Outcome readLink(Request.ReadLink r) throws IOException {
        String path = resolver.decode(r.path().bytes());
        try (Fd fd = resolver.open(path, RequiredActions.READLINK, O_PATH_CLOEXEC | Linux.O_NOFOLLOW, 0, false)) {
            // readlinkat(fd, "") says ENOENT for anything but a link; readlink(2) says EINVAL.
            if (!Linux.fstat(fd.get()).isSymbolicLink()) {
                throw Refusal.of(Errno.EINVAL);
            }
            return Outcome.success(new Reply.Data(Linux.readlinkat(fd.get(), "")));
        }
    }

    /**
     * Adds an inotify watch on the directory to the helper's inotify instance that travelled with
     * the request, decided as read on the directory. The directory is resolved race-free as every
     * path is, and the watch is added through the resolved descriptor's {@code /proc/self/fd}
     * entry, so it is on exactly the inode the decision resolved, whatever the path names
     * meanwhile. The descriptor must really be an inotify instance (EINVAL otherwise, as
     * inotify_add_watch answers for a descriptor of anything else); the mask is already limited by
     * the request.
     */
    @Override
    public Outcome watch(Request.Watch r) throws IOException {
        Fd inotify = attached;
        if (inotify == null) {
            throw Refusal.of(Errno.EBADF);
        }
        byte[] kind = Linux.readlinkat(Linux.AT_FDCWD, "/proc/self/fd/" + inotify.get());
        if (!INOTIFY_LINK.equals(new String(kind, StandardCharsets.UTF_8))) {
            throw Refusal.of(Errno.EINVAL);
        }
        String path = resolver.decode(r.directory().bytes());
        try (Fd directory = resolver.open(path, RequiredActions.WATCH, O_PATH_CLOEXEC | Linux.O_DIRECTORY, 0, true)) {
            return Outcome.success(new Reply.WatchDescriptor(
                    Linux.inotifyAddWatch(inotify.get(), "/proc/self/fd/" + directory.get(), r.eventMask())));
        }
    }

    // ---------------------------------------------------------------- mutations

    /** mkdir(2), decided as write. */
    @Override
    public Outcome makeDirectory(Request.MakeDirectory r) throws IOException {
        try (Parent parent = resolver.parent(resolver.decode(r.path().bytes()), RequiredActions.MKDIR)) {
            if (parent.last() != Last.NAME) {
                throw Refusal.of(Errno.EEXIST);
            }
            Linux.mkdirat(parent.directory().get(), parent.name(), ModeRules.created(r.mode()));
            return Outcome.done();
        }
    }

    /**
     * unlink(2), decided as delete; rmdir(2) for a directory; for either, what remove(3) and
     * {@code java.io.File#delete} do: unlink, and rmdir when that says EISDIR. A grant root or a
     * directory above one is not removed (EBUSY, {@link #isGrantRoot}).
     */
    @Override
    public Outcome remove(Request.Remove r) throws IOException {
        boolean directory = r.kind() == Request.RemoveKind.DIRECTORY;
        boolean either = r.kind() == Request.RemoveKind.EITHER;
        try (Parent parent = resolver.parent(resolver.decode(r.path().bytes()), RequiredActions.REMOVE)) {
            if (parent.last() != Last.NAME) {
                throw Refusal.of(directory || either ? rmdirErrno(parent.last()) : Errno.EISDIR);
            }
            if (isGrantRoot(parent)) {
                throw Refusal.of(Errno.EBUSY);
            }
            int dir = parent.directory().get();
            if (directory) {
                Linux.unlinkat(dir, parent.name(), Linux.AT_REMOVEDIR);
                return Outcome.done();
            }
            try {
                Linux.unlinkat(dir, parent.name(), 0);
            } catch (ErrnoException e) {
                if (!either || e.errno() != Errno.EISDIR) {
                    throw e;
                }
                Linux.unlinkat(dir, parent.name(), Linux.AT_REMOVEDIR);
            }
            return Outcome.done();
        }
    }

    /** What rmdir(2) says for a path that does not end in a name. */
    private static int rmdirErrno(Last last) {
        switch (last) {
            case DOT:
                return Errno.EINVAL;
            case DOT_DOT:
                return ENOTEMPTY;
            default:
                return Errno.EBUSY;
        }
    }

    /**
     * rename(2) or, with {@code noReplace}, renameat2(RENAME_NOREPLACE); decided on both paths.
     * Each directory is resolved beneath its own grant. A rename across file systems fails with
     * the kernel's EXDEV, which {@code Files.move} turns into a copy.
     *
     * <p>A grant root, or a directory above one, is neither moved nor replaced (EBUSY, as for a
     * mount point; {@link #isGrantRoot}).
     */
    @Override
    public Outcome rename(Request.Rename r) throws IOException {
        String from = resolver.decode(r.from().bytes());
        String to = resolver.decode(r.to().bytes());
        resolver.check(from, RequiredActions.RENAME_SOURCE);
        resolver.check(to, RequiredActions.RENAME_TARGET);
        try (Parent source = resolver.parent(from, RequiredActions.RENAME_SOURCE);
                Parent target = resolver.parent(to, RequiredActions.RENAME_TARGET)) {
            if (source.last() != Last.NAME) {
                throw Refusal.of(Errno.EBUSY);
            }
            if (target.last() != Last.NAME) {
                throw Refusal.of(r.noReplace() ? Errno.EEXIST : Errno.EBUSY);
            }
            if (isGrantRoot(source) || isGrantRoot(target)) {
                throw Refusal.of(Errno.EBUSY);
            }
            Linux.renameat2(
                    source.directory().get(),
                    source.name(),
                    target.directory().get(),
                    target.name(),
                    r.noReplace() ? Linux.RENAME_NOREPLACE : 0);
            return Outcome.done();
        }
    }

    /**
     * Whether the entry {@code parent} names (the last component itself, never followed) is a
     * grant root or a directory above one, as opened at start. The broker resolves beneath each
     * root through a descriptor opened then, which follows the directory wherever it is moved:
     * removed, renamed or replaced by another directory, the root's name would no longer be what
     * the descriptor names, and what the policy grants there would be served from elsewhere. It
     * is decided by identity (device and inode), not by spelling, so that no other name for the
     * same directory gets around it. A name that does not exist is not one: the call itself then
     * answers.
     */
    private boolean isGrantRoot(Parent parent) {
        String name = parent.name();
        int end = name.length();
        while (end > 1 && name.charAt(end - 1) == '/') {
            end--; // "x/": the kernel's name calls act on x itself, never on what a link x names
        }
        try {
            return roots.isProtected(
                    Linux.fstatat(parent.directory().get(), name.substring(0, end), Linux.AT_SYMLINK_NOFOLLOW));
        } catch (ErrnoException e) {
            return false;
        }
    }

    /**
     * link(2): {@code link} becomes another name of {@code existing}, decided on both. As Linux's
     * link(2), a final link in {@code existing} is linked itself, not followed, and directories
     * cannot be linked.
     */
    @Override
    public Outcome link(Request.Link r) throws IOException {
        String link = resolver.decode(r.link().bytes());
        String existing = resolver.decode(r.existing().bytes());
        resolver.check(link, RequiredActions.LINK_NEW_NAME);
        resolver.check(existing, RequiredActions.LINK_EXISTING);
        if (Resolver.endsAsDirectory(existing) || Resolver.last(existing) == Last.ROOT) {
            return linkDirectory(link, existing);
        }
        try (Parent source = resolver.parent(existing, RequiredActions.LINK_EXISTING)) {
            if (source.last() != Last.NAME) {
                return linkDirectory(link, existing);
            }
            // The kernel looks the existing file up before it looks at the new name.
            lookUp(source.directory(), source.name());
            try (Parent target = resolver.parent(link, RequiredActions.LINK_NEW_NAME)) {
                if (target.last() != Last.NAME) {
                    throw Refusal.of(Errno.EEXIST);
                }
                Linux.linkat(
                        source.directory().get(),
                        source.name(),
                        target.directory().get(),
                        target.name(),
                        0);
                return Outcome.done();
            }
        }
    }

    /**
     * link(2) of a path that ends in {@code /}, {@code .} or {@code ..}: the kernel looks it up
     * following even a final link, which a linkat of a name inside its directory cannot express.
     * Whatever it names must be a directory, so the answer is an error in any case; it is computed
     * in the kernel's order without asking the kernel to follow anything: the existing path's
     * lookup, then the new name (EEXIST if taken, ENOENT if it ends in a slash), then whether it
     * may be created in its directory, then EPERM.
     */
    private Outcome linkDirectory(String link, String existing) throws IOException {
        resolver.open(
                        existing,
                        RequiredActions.LINK_EXISTING,
                        Linux.O_PATH | Linux.O_DIRECTORY | Linux.O_CLOEXEC,
                        0,
                        true)
                .close();
        try (Parent target = resolver.parent(link, RequiredActions.LINK_NEW_NAME)) {
            if (target.last() != Last.NAME) {
                throw Refusal.of(Errno.EEXIST);
            }
            boolean slash = target.name().endsWith("/");
            String name = slash ? target.name().substring(0, target.name().length() - 1) : target.name();
            try {
                lookUp(target.directory(), name);
            } catch (ErrnoException e) {
                if (e.errno() != Errno.ENOENT) {
                    throw e;
                }
                if (slash) {
                    throw Refusal.of(Errno.ENOENT);
                }
                // The kernel checks that the new name may be created (write and search on its
                // directory, which only a normal user's broker can lack) before it refuses a directory.
                Linux.faccessat2(
                        target.directory().get(), "", Linux.W_OK | Linux.X_OK, Linux.AT_EMPTY_PATH | Linux.AT_EACCESS);
                throw Refusal.of(Errno.EPERM);
            }
            throw Refusal.of(Errno.EEXIST);
        }
    }

    /** Whether {@code name} exists in {@code directory} (a link counts, it is not followed); the lookup's errno if not. */
    private static void lookUp(Fd directory, String name) throws ErrnoException {
        Linux.openat2(directory.get(), name, Linux.O_PATH | Linux.O_NOFOLLOW | Linux.O_CLOEXEC, 0, Resolver.RESOLVE)
                .close();
    }

    /**
     * symlink(2), decided on the link. The target is stored as sent, never resolved or decided
     * here: an open through the link is decided when it happens, as any other path.
     */
    @Override
    public Outcome symbolicLink(Request.SymbolicLink r) throws IOException {
        try (Parent parent = resolver.parent(resolver.decode(r.link().bytes()), RequiredActions.SYMLINK)) {
            if (parent.last() != Last.NAME) {
                throw Refusal.of(Errno.EEXIST);
            }
            Linux.symlinkat(r.target().bytes(), parent.directory().get(), parent.name());
            return Outcome.done();
        }
    }

    /**
     * chmod(2) on the resolved file (a final link itself with {@code noFollow}, which Linux
     * answers with EOPNOTSUPP: links have no mode), with the mode {@link ModeRules#changed} allows.
     */
    @Override
    public Outcome changeMode(Request.ChangeMode r) throws IOException {
        try (Fd fd = resolveForAttributes(r.path().bytes(), r.noFollow(), RequiredActions.CHMOD)) {
            Linux.chmodDescriptor(
                    fd.get(), ModeRules.changed(r.mode(), Linux.fstat(fd.get()).isDirectory()));
            return Outcome.done();
        }
    }

    /**
     * utimensat(2) on the resolved file (a final link's own times with {@code noFollow}); either
     * time may be {@link Request#OMIT}.
     */
    @Override
    public Outcome setTimes(Request.SetTimes r) throws IOException {
        if (r.accessNanos() == Request.OMIT && r.modifiedNanos() == Request.OMIT) {
            // Linux returns success for two UTIME_OMITs before it looks the path up at all (6.18,
            // do_utimes); after the policy's decision the broker answers the same.
            resolver.check(resolver.decode(r.path().bytes()), RequiredActions.UTIMENS);
            return Outcome.done();
        }
        try (Fd fd = resolveForAttributes(r.path().bytes(), r.noFollow(), RequiredActions.UTIMENS)) {
            Linux.utimensat(fd.get(), "", time(r.accessNanos()), time(r.modifiedNanos()), Linux.AT_EMPTY_PATH);
            return Outcome.done();
        }
    }

    // ---------------------------------------------------------------- sockets

    @Override
    public Outcome connect(Request.Connect r) throws IOException {
        return sockets().connect(r, attached);
    }

    @Override
    public Outcome bind(Request.Bind r) throws IOException {
        return sockets().bind(r, attached);
    }

    // ---------------------------------------------------------------- names

    @Override
    public Outcome resolve(Request.Resolve r) throws IOException {
        return Outcome.success(names().resolve(r));
    }

    @Override
    public Outcome reverseResolve(Request.ReverseResolve r) throws IOException {
        return Outcome.success(names().reverseResolve(r));
    }

    private NameLookups names() throws Refusal {
        if (names == null) {
            throw Refusal.of(Errno.EOPNOTSUPP); // a test's server over a resolver of its own
        }
        return names;
    }

    @Override
    public Outcome datagram(Request.Datagram r) throws IOException {
        return sockets().datagram(r);
    }

    @Override
    public Outcome sendDatagram(Request.SendDatagram r) throws IOException {
        return sockets().send(r, attached);
    }

    private SocketOpener sockets() throws Refusal {
        if (sockets == null) {
            throw Refusal.of(Errno.EOPNOTSUPP); // a test's server over a resolver of its own
        }
        return sockets;
    }

    private static long time(long nanos) {
        return nanos == Request.OMIT ? Linux.TIME_OMIT : nanos;
    }

    /** An {@code O_PATH} descriptor of the file whose attributes change, decided with {@code actions}. */
    private Fd resolveForAttributes(byte[] rawPath, boolean noFollow, int actions) throws Refusal {
        int flags = Linux.O_PATH | Linux.O_CLOEXEC | (noFollow ? Linux.O_NOFOLLOW : 0);
        return resolver.open(resolver.decode(rawPath), actions, flags, 0, !noFollow);
    }

    /** The kernel's statx answer as the wire carries it (the protocol has its own copy of the fields). */
    private static FileStat wireStatus(Statx s) {
        return new FileStat(
                s.mode(),
                s.ino(),
                s.dev(),
                s.rdev(),
                s.nlink(),
                s.uid(),
                s.gid(),
                s.size(),
                s.atimeSeconds(),
                s.atimeNanos(),
                s.mtimeSeconds(),
                s.mtimeNanos(),
                s.ctimeSeconds(),
                s.ctimeNanos(),
                s.birthtimeAvailable(),
                s.birthtimeSeconds(),
                s.birthtimeNanos());
    }
}
