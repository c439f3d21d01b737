package dev.airlock.broker;

import dev.airlock.ipc.Errno;
import dev.airlock.ipc.ErrnoException;
import dev.airlock.ipc.Fd;
import dev.airlock.ipc.FileStat;
import dev.airlock.ipc.Linux;
import dev.airlock.ipc.Message;
import dev.airlock.ipc.Request;
import dev.airlock.policy.FileActions;
import dev.airlock.policy.Policy;

/**
 * Serves the helper's file requests: opens, and the metadata requests answered from a descriptor
 * (STAT, ACCESS, READLINK, TRUNCATE); the requests that change names and attributes go to {@link
 * MutationBroker}. Every path is decided by the policy with the SecurityManager's meaning of the
 * request and resolved race-free beneath the grant that allowed it ({@link Resolver}); the broker
 * never decides by itself.
 */
final class FileBroker {
    /** Open flags a request may carry; anything else (O_PATH, O_TMPFILE, O_NOATIME, O_ASYNC...) is refused. */
    static final int ALLOWED_FLAGS = Linux.O_ACCMODE | Linux.O_CREAT | Linux.O_EXCL | Linux.O_NOCTTY | Linux.O_TRUNC
            | Linux.O_APPEND | Linux.O_NONBLOCK | Linux.O_SYNC | Linux.O_DSYNC | Linux.O_DIRECT | Linux.O_LARGEFILE
            | Linux.O_DIRECTORY | Linux.O_NOFOLLOW | Linux.O_CLOEXEC;

    private static final int O_PATH_CLOEXEC = Linux.O_PATH | Linux.O_CLOEXEC;

    private final Resolver resolver;
    private final MutationBroker mutations;

    FileBroker(Policy policy, GrantRoots roots) {
        this.resolver = new Resolver(policy, roots);
        this.mutations = new MutationBroker(resolver, roots);
    }

    /** What {@code readlinkat(fd, "")} names a descriptor of an inotify instance: its /proc/self/fd link. */
    static final String INOTIFY_LINK = "anon_inode:inotify";

    /**
     * The outcome of one request: a descriptor, data (a link's target), a file's status (STAT of a
     * link whose target is not the helper's to read), a watch descriptor (WATCH, else 0), plain
     * success, or an errno with the policy's reason (empty if not a denial). At most one of them.
     */
    record Outcome(Fd fd, byte[] data, FileStat stat, int watch, int errno, String reason) {
        static final Outcome DONE = new Outcome(null, null, null, 0, 0, "");

        static Outcome descriptor(Fd fd) {
            return new Outcome(fd, null, null, 0, 0, "");
        }

        static Outcome data(byte[] data) {
            return new Outcome(null, data, null, 0, 0, "");
        }

        static Outcome status(FileStat stat) {
            return new Outcome(null, null, stat, 0, 0, "");
        }

        static Outcome watching(int watch) {
            return new Outcome(null, null, null, watch, 0, "");
        }

        static Outcome failed(int errno) {
            return new Outcome(null, null, null, 0, errno, "");
        }

        static Outcome refused(Resolver.Refusal refusal) {
            return new Outcome(null, null, null, 0, refusal.errno(), refusal.reason());
        }
    }

    /**
     * Serves one decoded request of any type that carries no descriptor. Every failure, whatever
     * the input, is an errno outcome; the descriptor of a successful outcome is the caller's to
     * send and close.
     */
    Outcome serve(Request r) {
        return serve(r, null);
    }

    /**
     * Serves one decoded request with the descriptor it carried: null for every type but WATCH,
     * which needs one (EBADF without). The caller keeps {@code attached} and closes it afterwards.
     */
    Outcome serve(Request r, Fd attached) {
        if (r.type() == Message.WATCH) {
            return attached == null ? Outcome.failed(Errno.EBADF) : watch(attached, r.path(), r.mode());
        }
        switch (r.type()) {
            case Message.OPEN:
                return open(r.path(), r.openFlags(), r.mode(), r.refuseDirectory());
            case Message.STAT:
                return stat(r.path(), r.noFollow());
            case Message.ACCESS:
                return access(r.path(), r.mode());
            case Message.READLINK:
                return readlink(r.path());
            case Message.TRUNCATE:
                return truncate(r.path(), r.firstNumber());
            case Message.MKDIR:
                return mutations.mkdir(r.path(), r.mode());
            case Message.UNLINK:
                return mutations.unlink(r.path(), r.directory(), r.either());
            case Message.RENAME:
                return mutations.rename(r.path(), r.second(), r.noReplace());
            case Message.LINK:
                return mutations.link(r.path(), r.second());
            case Message.SYMLINK:
                return mutations.symlink(r.path(), r.second());
            case Message.CHMOD:
                return mutations.chmod(r.path(), r.mode(), r.noFollow());
            case Message.UTIMENS:
                return mutations.utimens(r.path(), r.firstNumber(), r.secondNumber(), r.noFollow());
            default:
                return Outcome.failed(Errno.ENOSYS); // the codec admits no other type; fail closed if it ever did
        }
    }

    /** The actions an open needs, as the SecurityManager required them; -1 for a flag set Airlock refuses. */
    static int actionsFor(int flags) {
        if ((flags & ~ALLOWED_FLAGS) != 0) {
            return -1;
        }
        int actions;
        switch (flags & Linux.O_ACCMODE) {
            case Linux.O_RDONLY -> actions = FileActions.READ;
            case Linux.O_WRONLY -> actions = FileActions.WRITE;
            case Linux.O_RDWR -> actions = FileActions.READ | FileActions.WRITE;
            default -> {
                return -1;
            }
        }
        if ((flags & (Linux.O_CREAT | Linux.O_TRUNC | Linux.O_APPEND)) != 0) {
            actions |= FileActions.WRITE; // O_RDONLY|O_TRUNC still truncates
        }
        return actions;
    }

    /**
     * The actions an access(2) check needs: F_OK and R_OK are read (the SecurityManager checked
     * read for {@code exists()} and {@code canRead()}), W_OK write, X_OK execute; all that are asked.
     */
    static int accessActions(int mode) {
        int actions = 0;
        if (mode == Linux.F_OK || (mode & Linux.R_OK) != 0) {
            actions |= FileActions.READ;
        }
        if ((mode & Linux.W_OK) != 0) {
            actions |= FileActions.WRITE;
        }
        if ((mode & Linux.X_OK) != 0) {
            actions |= FileActions.EXECUTE;
        }
        return actions;
    }

    Outcome open(byte[] rawPath, int flags, int mode, boolean refuseDirectory) {
        int actions = actionsFor(flags);
        if (actions < 0) {
            return Outcome.failed(Errno.EINVAL);
        }
        try {
            String path = resolver.decode(rawPath);
            // openat2 refuses a mode without O_CREAT; set-id and sticky bits are never the helper's to set.
            int createMode = (flags & Linux.O_CREAT) != 0 ? mode & 0777 : 0;
            Fd fd = resolver.open(path, actions, openFlags(flags), createMode, (flags & Linux.O_NOFOLLOW) == 0);
            return opened(fd, flags, refuseDirectory);
        } catch (Resolver.Refusal refusal) {
            return Outcome.refused(refusal);
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

    private static Outcome opened(Fd fd, int flags, boolean refuseDirectory) {
        try {
            Linux.Stat stat = Linux.fstat(fd.get());
            if (refuseDirectory && stat.isDirectory()) {
                fd.close();
                return Outcome.failed(Errno.EISDIR);
            }
            if ((flags & Linux.O_NONBLOCK) == 0) {
                // F_SETFL replaces exactly the changeable status flags: keep the requested ones, drop O_NONBLOCK.
                Linux.setStatusFlags(fd.get(), flags & (Linux.O_APPEND | Linux.O_DIRECT));
            }
            return Outcome.descriptor(fd);
        } catch (ErrnoException e) {
            fd.close();
            return Outcome.failed(e.errno());
        }
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
    Outcome stat(byte[] rawPath, boolean noFollow) {
        try {
            String path = resolver.decode(rawPath);
            int flags = noFollow ? O_PATH_CLOEXEC | Linux.O_NOFOLLOW : O_PATH_CLOEXEC;
            Fd fd = resolver.open(path, FileActions.READ, flags, 0, !noFollow);
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
                Outcome status = Outcome.status(Linux.statx(fd.get()));
                fd.close();
                return status;
            } catch (ErrnoException | RuntimeException e) {
                fd.close();
                throw e;
            }
        } catch (Resolver.Refusal refusal) {
            return Outcome.refused(refusal);
        } catch (ErrnoException e) {
            return Outcome.failed(e.errno());
        }
    }

    /**
     * The link resolved again with read and readlink both decided by the policy, or null when
     * either is denied anywhere on the way (or the lookup fails now for any other reason: the
     * helper then gets the status, which reveals less, never more).
     */
    private Fd readlinkGranted(String path, int flags) {
        try {
            return resolver.open(path, FileActions.READ | FileActions.READLINK, flags, 0, false);
        } catch (Resolver.Refusal refusal) {
            return null;
        }
    }

    /**
     * WATCH: adds an inotify watch on the directory {@code rawPath} to the helper's inotify
     * instance {@code inotify}, decided as read on the directory (which is what listing it needs:
     * the events name what is created in it). The directory is resolved race-free as every path
     * is, and the watch is added through the resolved descriptor's {@code /proc/self/fd} entry,
     * so it is on exactly the inode the decision resolved, whatever the path names meanwhile.
     * The descriptor must really be an inotify instance (EINVAL otherwise, as inotify_add_watch
     * answers for a descriptor of anything else); the mask is already limited by the codec.
     */
    Outcome watch(Fd inotify, byte[] rawPath, int mask) {
        try {
            byte[] kind = Linux.readlinkat(Linux.AT_FDCWD, "/proc/self/fd/" + inotify.get());
            if (!INOTIFY_LINK.equals(new String(kind, java.nio.charset.StandardCharsets.UTF_8))) {
                return Outcome.failed(Errno.EINVAL);
            }
            String path = resolver.decode(rawPath);
            try (Fd directory = resolver.open(path, FileActions.READ, O_PATH_CLOEXEC | Linux.O_DIRECTORY, 0, true)) {
                return Outcome.watching(Linux.inotifyAddWatch(inotify.get(), "/proc/self/fd/" + directory.get(), mask));
            }
        } catch (Resolver.Refusal refusal) {
            return Outcome.refused(refusal);
        } catch (ErrnoException e) {
            return Outcome.failed(e.errno());
        }
    }

    /**
     * access(2) as the broker would act: the policy decides the asked actions, then the kernel
     * answers for the broker's own credentials (AT_EACCESS) on the resolved file, which is what a
     * brokered open of it would meet. A denial is EACCES with the policy's reason.
     */
    Outcome access(byte[] rawPath, int mode) {
        try {
            String path = resolver.decode(rawPath);
            try (Fd fd = resolver.open(path, accessActions(mode), O_PATH_CLOEXEC, 0, true)) {
                Linux.faccessat2(fd.get(), "", mode, Linux.AT_EMPTY_PATH | Linux.AT_EACCESS);
                return Outcome.DONE;
            }
        } catch (Resolver.Refusal refusal) {
            return Outcome.refused(refusal);
        } catch (ErrnoException e) {
            return Outcome.failed(e.errno());
        }
    }

    /** A link's target, decided as readlink; EINVAL for anything but a link, as readlink(2) says. */
    Outcome readlink(byte[] rawPath) {
        try {
            String path = resolver.decode(rawPath);
            try (Fd fd = resolver.open(path, FileActions.READLINK, O_PATH_CLOEXEC | Linux.O_NOFOLLOW, 0, false)) {
                // readlinkat(fd, "") says ENOENT for anything but a link; readlink(2) says EINVAL.
                if (!Linux.fstat(fd.get()).isSymbolicLink()) {
                    return Outcome.failed(Errno.EINVAL);
                }
                return Outcome.data(Linux.readlinkat(fd.get(), ""));
            }
        } catch (Resolver.Refusal refusal) {
            return Outcome.refused(refusal);
        } catch (ErrnoException e) {
            return Outcome.failed(e.errno());
        }
    }

    /**
     * truncate(2), decided as write. The file is resolved as {@code O_PATH} and checked to be a
     * regular file before it is opened for writing, through its {@code /proc/self/fd} entry
     * (the same inode, no second lookup): a truncate must not open a device or FIFO, which as
     * root can have effects of its own. EISDIR for a directory and EINVAL for anything else but a
     * regular file, as truncate(2) answers.
     */
    Outcome truncate(byte[] rawPath, long length) {
        try {
            String path = resolver.decode(rawPath);
            try (Fd fd = resolver.open(path, FileActions.WRITE, O_PATH_CLOEXEC, 0, true)) {
                Linux.Stat stat = Linux.fstat(fd.get());
                if (stat.isDirectory()) {
                    return Outcome.failed(Errno.EISDIR);
                }
                if (!stat.isRegularFile()) {
                    return Outcome.failed(Errno.EINVAL);
                }
                try (Fd writable = Linux.open("/proc/self/fd/" + fd.get(), Linux.O_WRONLY | Linux.O_NOCTTY | Linux.O_NONBLOCK, 0)) {
                    Linux.ftruncate(writable.get(), length);
                }
                return Outcome.DONE;
            }
        } catch (Resolver.Refusal refusal) {
            return Outcome.refused(refusal);
        } catch (ErrnoException e) {
            return Outcome.failed(e.errno());
        }
    }
}
