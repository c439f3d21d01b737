package dev.airlock.broker;

import dev.airlock.broker.FileBroker.Outcome;
import dev.airlock.broker.Resolver.Last;
import dev.airlock.broker.Resolver.Parent;
import dev.airlock.broker.Resolver.Refusal;
import dev.airlock.ipc.Errno;
import dev.airlock.ipc.ErrnoException;
import dev.airlock.ipc.Fd;
import dev.airlock.ipc.Linux;
import dev.airlock.ipc.Request;
import dev.airlock.policy.FileActions;

/**
 * Serves the requests that change the file system: MKDIR, UNLINK, RENAME, LINK, SYMLINK, CHMOD and
 * UTIMENS, each decided by the policy with the action the SecurityManager checked for it (write,
 * or delete for a removal), on every path it names.
 *
 * <p>Names are created, removed and renamed inside their directory, which {@link Resolver#parent}
 * resolves race-free beneath the grant, so the kernel only ever gets one last component relative
 * to a descriptor the broker resolved, and never follows a final link: the *at calls act on the
 * link itself. A path that ends in {@code .}, {@code ..} or {@code /} has no such component; it
 * gets the errno the kernel gives for it (checked on Linux 6.18 against the same calls made
 * directly): what comes before it must resolve as a directory, then EEXIST where a name would be
 * created, EISDIR for unlink, EINVAL / ENOTEMPTY / EBUSY for rmdir, EBUSY for rename (EEXIST as a
 * no-replace target), EPERM as a hard link's existing file.
 *
 * <p>The broker runs as root: what the helper creates is owned by root and modes lose their
 * set-user-ID and set-group-ID bits, so that no request can mint a set-id file.
 */
final class MutationBroker {
    /** Directory not empty; ipc's {@link Errno} table does not name it. */
    static final int ENOTEMPTY = 39;

    private final Resolver resolver;
    private final GrantRoots roots;

    /** {@code roots}: the grant roots as opened, which must not be removed, moved or replaced ({@link #isGrantRoot}). */
    MutationBroker(Resolver resolver, GrantRoots roots) {
        this.resolver = resolver;
        this.roots = roots;
    }

    /** mkdir(2), decided as write; the mode loses everything but the permission bits, like a created file's. */
    Outcome mkdir(byte[] rawPath, int mode) {
        try (Parent parent = resolver.parent(resolver.decode(rawPath), FileActions.WRITE)) {
            if (parent.last() != Last.NAME) {
                return Outcome.failed(Errno.EEXIST);
            }
            Linux.mkdirat(parent.directory().get(), parent.name(), mode & 0777);
            return Outcome.DONE;
        } catch (Refusal refusal) {
            return Outcome.refused(refusal);
        } catch (ErrnoException e) {
            return Outcome.failed(e.errno());
        }
    }

    /**
     * unlink(2), decided as delete; rmdir(2) with {@code directory}; with {@code either} what
     * remove(3) and {@code java.io.File#delete} do: unlink, and rmdir when that says EISDIR. A
     * grant root or a directory above one is not removed (EBUSY, {@link #isGrantRoot}).
     */
    Outcome unlink(byte[] rawPath, boolean directory, boolean either) {
        try (Parent parent = resolver.parent(resolver.decode(rawPath), FileActions.DELETE)) {
            if (parent.last() != Last.NAME) {
                return Outcome.failed(directory || either ? rmdirErrno(parent.last()) : Errno.EISDIR);
            }
            if (isGrantRoot(parent)) {
                return Outcome.failed(Errno.EBUSY);
            }
            int dir = parent.directory().get();
            if (directory) {
                Linux.unlinkat(dir, parent.name(), Linux.AT_REMOVEDIR);
                return Outcome.DONE;
            }
            try {
                Linux.unlinkat(dir, parent.name(), 0);
            } catch (ErrnoException e) {
                if (!either || e.errno() != Errno.EISDIR) {
                    throw e;
                }
                Linux.unlinkat(dir, parent.name(), Linux.AT_REMOVEDIR);
            }
            return Outcome.DONE;
        } catch (Refusal refusal) {
            return Outcome.refused(refusal);
        } catch (ErrnoException e) {
            return Outcome.failed(e.errno());
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
     * rename(2) or, with {@code noReplace}, renameat2(RENAME_NOREPLACE); decided as write on both
     * paths, as {@code File#renameTo} and {@code Files.move} were checked. Each directory is
     * resolved beneath its own grant. A rename across file systems fails with the kernel's EXDEV,
     * which {@code Files.move} turns into a copy.
     *
     * <p>A grant root, or a directory above one, is neither moved nor replaced (EBUSY, as for a
     * mount point; {@link #isGrantRoot}).
     */
    Outcome rename(byte[] rawFrom, byte[] rawTo, boolean noReplace) {
        try {
            String from = resolver.decode(rawFrom);
            String to = resolver.decode(rawTo);
            resolver.check(from, FileActions.WRITE);
            resolver.check(to, FileActions.WRITE);
            try (Parent source = resolver.parent(from, FileActions.WRITE); Parent target = resolver.parent(to, FileActions.WRITE)) {
                if (source.last() != Last.NAME) {
                    return Outcome.failed(Errno.EBUSY);
                }
                if (target.last() != Last.NAME) {
                    return Outcome.failed(noReplace ? Errno.EEXIST : Errno.EBUSY);
                }
                if (isGrantRoot(source) || isGrantRoot(target)) {
                    return Outcome.failed(Errno.EBUSY);
                }
                Linux.renameat2(source.directory().get(), source.name(), target.directory().get(), target.name(),
                        noReplace ? Linux.RENAME_NOREPLACE : 0);
                return Outcome.DONE;
            }
        } catch (Refusal refusal) {
            return Outcome.refused(refusal);
        } catch (ErrnoException e) {
            return Outcome.failed(e.errno());
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
            return roots.isProtected(Linux.fstatat(parent.directory().get(), name.substring(0, end), Linux.AT_SYMLINK_NOFOLLOW));
        } catch (ErrnoException e) {
            return false;
        }
    }

    /**
     * link(2): {@code rawLink} becomes another name of {@code rawExisting}, decided as write on
     * both (as {@code Files.createLink} was checked). As Linux's link(2), a final link in
     * {@code existing} is linked itself, not followed, and directories cannot be linked.
     */
    Outcome link(byte[] rawLink, byte[] rawExisting) {
        try {
            String link = resolver.decode(rawLink);
            String existing = resolver.decode(rawExisting);
            resolver.check(link, FileActions.WRITE);
            resolver.check(existing, FileActions.WRITE);
            if (Resolver.endsAsDirectory(existing) || Resolver.last(existing) == Last.ROOT) {
                return linkDirectory(link, existing);
            }
            try (Parent source = resolver.parent(existing, FileActions.WRITE)) {
                if (source.last() != Last.NAME) {
                    return linkDirectory(link, existing);
                }
                // The kernel looks the existing file up before it looks at the new name.
                lookUp(source.directory(), source.name());
                return linkInto(source, link);
            }
        } catch (Refusal refusal) {
            return Outcome.refused(refusal);
        } catch (ErrnoException e) {
            return Outcome.failed(e.errno());
        }
    }

    private Outcome linkInto(Parent source, String link) throws Refusal, ErrnoException {
        try (Parent target = resolver.parent(link, FileActions.WRITE)) {
            if (target.last() != Last.NAME) {
                return Outcome.failed(Errno.EEXIST);
            }
            Linux.linkat(source.directory().get(), source.name(), target.directory().get(), target.name(), 0);
            return Outcome.DONE;
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
    private Outcome linkDirectory(String link, String existing) throws Refusal, ErrnoException {
        resolver.open(existing, FileActions.WRITE, Linux.O_PATH | Linux.O_DIRECTORY | Linux.O_CLOEXEC, 0, true).close();
        try (Parent target = resolver.parent(link, FileActions.WRITE)) {
            if (target.last() != Last.NAME) {
                return Outcome.failed(Errno.EEXIST);
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
                    return Outcome.failed(Errno.ENOENT);
                }
                // The kernel checks that the new name may be created (write and search on its
                // directory, which only a normal user's broker can lack) before it refuses a directory.
                Linux.faccessat2(target.directory().get(), "", Linux.W_OK | Linux.X_OK, Linux.AT_EMPTY_PATH | Linux.AT_EACCESS);
                return Outcome.failed(Errno.EPERM);
            }
            return Outcome.failed(Errno.EEXIST);
        }
    }

    /** Whether {@code name} exists in {@code directory} (a link counts, it is not followed); the lookup's errno if not. */
    private static void lookUp(Fd directory, String name) throws ErrnoException {
        Linux.openat2(directory.get(), name, Linux.O_PATH | Linux.O_NOFOLLOW | Linux.O_CLOEXEC, 0, Resolver.RESOLVE).close();
    }

    /**
     * symlink(2), decided as write on the link. The target is stored as sent, never resolved or
     * decided here: an open through the link is decided when it happens, as any other path.
     */
    Outcome symlink(byte[] rawLink, byte[] target) {
        try (Parent parent = resolver.parent(resolver.decode(rawLink), FileActions.WRITE)) {
            if (parent.last() != Last.NAME) {
                return Outcome.failed(Errno.EEXIST);
            }
            Linux.symlinkat(target, parent.directory().get(), parent.name());
            return Outcome.DONE;
        } catch (Refusal refusal) {
            return Outcome.refused(refusal);
        } catch (ErrnoException e) {
            return Outcome.failed(e.errno());
        }
    }

    /**
     * chmod(2), decided as write, on the resolved file (a final link itself with {@code noFollow},
     * which Linux answers with EOPNOTSUPP: links have no mode). The set-user-ID and set-group-ID
     * bits are dropped, as for created files; the sticky bit is kept on directories, where it
     * restricts who may remove entries (it only takes away), and dropped elsewhere, where Linux
     * ignores it.
     */
    Outcome chmod(byte[] rawPath, int mode, boolean noFollow) {
        try (Fd fd = resolveForAttributes(rawPath, noFollow)) {
            int keep = Linux.fstat(fd.get()).isDirectory() ? 01777 : 0777;
            Linux.chmodDescriptor(fd.get(), mode & keep);
            return Outcome.DONE;
        } catch (Refusal refusal) {
            return Outcome.refused(refusal);
        } catch (ErrnoException e) {
            return Outcome.failed(e.errno());
        }
    }

    /**
     * utimensat(2), decided as write, on the resolved file (a final link's own times with
     * {@code noFollow}); either time may be {@link Request#OMIT}.
     */
    Outcome utimens(byte[] rawPath, long accessNanos, long modifiedNanos, boolean noFollow) {
        if (accessNanos == Request.OMIT && modifiedNanos == Request.OMIT) {
            // Linux returns success for two UTIME_OMITs before it looks the path up at all (6.18,
            // do_utimes); after the policy's decision the broker answers the same.
            try {
                resolver.check(resolver.decode(rawPath), FileActions.WRITE);
                return Outcome.DONE;
            } catch (Refusal refusal) {
                return Outcome.refused(refusal);
            }
        }
        try (Fd fd = resolveForAttributes(rawPath, noFollow)) {
            Linux.utimensat(fd.get(), "", time(accessNanos), time(modifiedNanos), Linux.AT_EMPTY_PATH);
            return Outcome.DONE;
        } catch (Refusal refusal) {
            return Outcome.refused(refusal);
        } catch (ErrnoException e) {
            return Outcome.failed(e.errno());
        }
    }

    private static long time(long nanos) {
        return nanos == Request.OMIT ? Linux.TIME_OMIT : nanos;
    }

    /** An {@code O_PATH} descriptor of the file whose attributes change, decided as write. */
    private Fd resolveForAttributes(byte[] rawPath, boolean noFollow) throws Refusal {
        int flags = Linux.O_PATH | Linux.O_CLOEXEC | (noFollow ? Linux.O_NOFOLLOW : 0);
        return resolver.open(resolver.decode(rawPath), FileActions.WRITE, flags, 0, !noFollow);
    }
}
