package dev.airlock.broker;

import dev.airlock.policy.FileActions;
import dev.airlock.unix.Linux;

/**
 * Which policy actions each request needs, on each path it names: the one table the broker decides
 * by. The actions are the ones the SecurityManager checked for the JDK call the request stands for
 * ({@code FilePermission} "read", "write", "execute", "delete", "readlink"), so that a policy
 * written for the SecurityManager means here what it meant there. {@link RequestServer} asks the
 * policy for exactly these, on every path it resolves.
 *
 * <p>Opens are allowed only with the flags in {@link #ALLOWED_OPEN_FLAGS}; anything else
 * ({@code O_PATH}, {@code O_TMPFILE}, {@code O_NOATIME}, {@code O_ASYNC}, ...) is refused before
 * the policy is asked, since the helper has no business asking for descriptors of another kind.
 */
final class RequiredActions {
    /** Open flags a request may carry. */
    static final int ALLOWED_OPEN_FLAGS = Linux.O_ACCMODE
            | Linux.O_CREAT
            | Linux.O_EXCL
            | Linux.O_NOCTTY
            | Linux.O_TRUNC
            | Linux.O_APPEND
            | Linux.O_NONBLOCK
            | Linux.O_SYNC
            | Linux.O_DSYNC
            | Linux.O_DIRECT
            | Linux.O_LARGEFILE
            | Linux.O_DIRECTORY
            | Linux.O_NOFOLLOW
            | Linux.O_CLOEXEC;

    /** What {@link #open} answers for a flag set Airlock refuses. */
    static final int REFUSED = -1;

    // ---- the fixed actions of every other operation, per path ----

    /** STAT: the metadata of the file, as {@code File#exists} and {@code Files.readAttributes} were checked. */
    static final int STAT = FileActions.READ;
    /** STAT of a symbolic link that gets a descriptor (which can read the link's target): read and readlink. */
    static final int STAT_LINK_DESCRIPTOR = FileActions.READ | FileActions.READLINK;
    /** READLINK: the link's target. */
    static final int READLINK = FileActions.READLINK;
    /** MKDIR: the new directory. */
    static final int MKDIR = FileActions.WRITE;
    /** UNLINK: the removed name, as {@code File#delete} and {@code Files.delete} were checked. */
    static final int REMOVE = FileActions.DELETE;
    /** RENAME: write on the source and on the target, as {@code File#renameTo} and {@code Files.move} were checked. */
    static final int RENAME_SOURCE = FileActions.WRITE;

    static final int RENAME_TARGET = FileActions.WRITE;
    /** LINK: write on the new name and on the existing file, as {@code Files.createLink} was checked. */
    static final int LINK_NEW_NAME = FileActions.WRITE;

    static final int LINK_EXISTING = FileActions.WRITE;
    /** SYMLINK: write on the new link; its target is stored, never decided (an open through it is decided then). */
    static final int SYMLINK = FileActions.WRITE;
    /** CHMOD: the file whose mode changes. */
    static final int CHMOD = FileActions.WRITE;
    /** UTIMENS: the file whose times change. */
    static final int UTIMENS = FileActions.WRITE;
    /** WATCH: read on the directory, which is what listing it needs (the events name what is created in it). */
    static final int WATCH = FileActions.READ;

    private RequiredActions() {}

    /** The actions an open with {@code flags} needs, or {@link #REFUSED} for a flag set Airlock refuses. */
    static int open(int flags) {
        if ((flags & ~ALLOWED_OPEN_FLAGS) != 0) {
            return REFUSED;
        }
        int actions;
        switch (flags & Linux.O_ACCMODE) {
            case Linux.O_RDONLY -> actions = FileActions.READ;
            case Linux.O_WRONLY -> actions = FileActions.WRITE;
            case Linux.O_RDWR -> actions = FileActions.READ | FileActions.WRITE;
            default -> {
                return REFUSED;
            }
        }
        if ((flags & (Linux.O_CREAT | Linux.O_TRUNC | Linux.O_APPEND)) != 0) {
            actions |= FileActions.WRITE; // O_RDONLY|O_TRUNC still truncates
        }
        return actions;
    }

    /**
     * The actions an access(2) check of {@code bits} needs: F_OK and R_OK are read (the
     * SecurityManager checked read for {@code exists()} and {@code canRead()}), W_OK write, X_OK
     * execute; all that are asked.
     */
    static int access(int bits) {
        int actions = 0;
        if (bits == Linux.F_OK || (bits & Linux.R_OK) != 0) {
            actions |= FileActions.READ;
        }
        if ((bits & Linux.W_OK) != 0) {
            actions |= FileActions.WRITE;
        }
        if ((bits & Linux.X_OK) != 0) {
            actions |= FileActions.EXECUTE;
        }
        return actions;
    }
}
