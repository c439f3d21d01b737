package dev.airlock.broker;

import dev.airlock.unix.Errno;
import dev.airlock.unix.ErrnoException;
import dev.airlock.unix.Fd;
import dev.airlock.unix.Linux;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The helper's private temporary directory: made fresh for one run beneath the system's
 * {@code /tmp}, mode 0700, owned by the helper's user, and removed with everything in it when the
 * run ends.
 *
 * <p><b>Made race-free.</b> The name is random and made with {@code mkdirat} relative to a
 * descriptor of {@code /tmp}, then opened with {@code O_NOFOLLOW | O_DIRECTORY} and checked to be
 * the directory just made (a directory of the broker's user, on the same device and inode as the
 * name still names). As root it is given to the helper's user by that descriptor
 * ({@code fchown}), never by path, and its mode is set by the descriptor too, whatever the umask.
 *
 * <p><b>Removed without following links.</b> The helper may plant anything in it: links to files
 * outside, links to directories, directories it made unsearchable, a directory swapped for a link
 * while the broker walks. So the broker keeps the descriptor it opened at the start, and removes
 * beneath it: every entry is looked at with {@code fstatat(AT_SYMLINK_NOFOLLOW)}; only a real
 * directory on the same file system is descended into, opened relative to its parent's
 * descriptor with {@code O_NOFOLLOW | O_DIRECTORY}; everything else (files, links, FIFOs) is
 * unlinked by name with {@code unlinkat}, which never follows a link. A directory the helper made
 * unreadable or unwritable is given its owner's rights back through its own descriptor first (a
 * normal user's broker has no right to override modes). Finally the top directory's name is
 * removed from {@code /tmp} with {@code unlinkat(AT_REMOVEDIR)} if it still names the same inode.
 * Nothing is ever re-resolved through a path the helper could change, so nothing outside is
 * touched. What cannot be removed (another file system mounted inside) is left and reported.
 */
final class PrivateTmp implements AutoCloseable {
    /** The system's temporary directory, sticky and world-writable by convention (FHS): the private one is made in it. */
    static final Path SYSTEM_TMP = Path.of("/tmp");

    /** The private directory's mode: its owner's alone. */
    static final int MODE = 0700;

    private static final String PREFIX = "airlock-";
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0234567";
    private static final int ATTEMPTS = 100;
    private static final int STICKY = 01000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Fd parent;
    private final Fd directory;
    private final String name;
    private final Path path;
    private final long device;
    private final long inode;
    private boolean removed;

    private PrivateTmp(Fd parent, Fd directory, String name, Path path, long device, long inode) {
        this.parent = parent;
        this.directory = directory;
        this.name = name;
        this.path = path;
        this.device = device;
        this.inode = inode;
    }

    /**
     * Makes a fresh private directory beneath {@code parentPath} ({@link #SYSTEM_TMP} in
     * production), owned by {@code owner} when given (the broker must be root then), else by the
     * broker's user.
     */
    static PrivateTmp create(Path parentPath, Optional<UserAccount> owner) throws AirlockException {
        Fd parent;
        try {
            parent = Linux.open(parentPath.toString(), Linux.O_RDONLY | Linux.O_DIRECTORY, 0);
        } catch (ErrnoException e) {
            throw new AirlockException(
                    ExitCodes.INTERNAL, "cannot open " + parentPath + " for the private temporary directory: " + e);
        }
        try {
            Linux.Stat parentStat = Linux.fstat(parent.get());
            if ((parentStat.mode() & 022) != 0 && (parentStat.mode() & STICKY) == 0) {
                throw new AirlockException(
                        ExitCodes.INTERNAL,
                        parentPath + " is writable by others but not sticky: "
                                + "a private temporary directory made there could be replaced; use --tmp DIR");
            }
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                String name = PREFIX + randomName();
                try {
                    Linux.mkdirat(parent.get(), name, MODE);
                } catch (ErrnoException e) {
                    if (e.errno() == Errno.EEXIST) {
                        continue;
                    }
                    throw new AirlockException(
                            ExitCodes.INTERNAL,
                            "cannot make a private temporary directory in " + parentPath + ": " + e);
                }
                return open(parent, parentPath, name, owner);
            }
            throw new AirlockException(
                    ExitCodes.INTERNAL, "no free name for a private temporary directory in " + parentPath);
        } catch (ErrnoException e) {
            parent.close();
            throw new AirlockException(ExitCodes.INTERNAL, "private temporary directory: " + e.getMessage());
        } catch (AirlockException | RuntimeException e) {
            parent.close();
            throw e;
        }
    }

    /** Opens and checks the directory just made as {@code name}, and gives it to {@code owner}. */
    private static PrivateTmp open(Fd parent, Path parentPath, String name, Optional<UserAccount> owner)
            throws ErrnoException, AirlockException {
        Fd directory = Linux.openat2(
                parent.get(), name, Linux.O_RDONLY | Linux.O_DIRECTORY | Linux.O_NOFOLLOW, 0, Linux.RESOLVE_BENEATH);
        try {
            Linux.Stat made = Linux.fstat(directory.get());
            Linux.Stat named = Linux.fstatat(parent.get(), name, Linux.AT_SYMLINK_NOFOLLOW);
            if (!made.isDirectory()
                    || made.uid() != Linux.getuid()
                    || made.dev() != named.dev()
                    || made.ino() != named.ino()) {
                throw new AirlockException(
                        ExitCodes.INTERNAL, parentPath.resolve(name) + " changed while it was being made: not used");
            }
            if (owner.isPresent()) {
                Linux.fchown(directory.get(), owner.get().uid(), owner.get().gid());
            }
            Linux.chmodDescriptor(directory.get(), MODE);
            return new PrivateTmp(parent, directory, name, parentPath.resolve(name), made.dev(), made.ino());
        } catch (ErrnoException | AirlockException | RuntimeException e) {
            directory.close();
            try {
                Linux.unlinkat(parent.get(), name, Linux.AT_REMOVEDIR);
            } catch (ErrnoException ignored) {
                // nothing was put in it yet: an empty directory left behind at worst
            }
            throw e;
        }
    }

    private static String randomName() {
        StringBuilder b = new StringBuilder(12);
        for (int i = 0; i < 12; i++) {
            b.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return b.toString();
    }

    /** Where it is: the helper's {@code java.io.tmpdir} and {@code TMPDIR}. */
    Path path() {
        return path;
    }

    /**
     * Removes the directory and everything in it, beneath the descriptor opened when it was made;
     * once. Returns the paths (relative to {@link #path()}) that could not be removed, each with
     * why; empty when all is gone.
     */
    synchronized List<String> remove() {
        List<String> left = new ArrayList<>();
        if (removed) {
            return left;
        }
        removed = true;
        try {
            removeContents(directory, "", left);
        } catch (ErrnoException e) {
            left.add(". (" + e.getMessage() + ")");
        }
        if (left.isEmpty()) {
            try {
                Linux.Stat named = Linux.fstatat(parent.get(), name, Linux.AT_SYMLINK_NOFOLLOW);
                if (named.dev() == device && named.ino() == inode) {
                    Linux.unlinkat(parent.get(), name, Linux.AT_REMOVEDIR);
                } else {
                    left.add(". (its name in " + SYSTEM_TMP + " no longer names it)");
                }
            } catch (ErrnoException e) {
                left.add(". (" + e.getMessage() + ")");
            }
        }
        return left;
    }

    /** Removes every entry of the directory open on {@code dir} ({@code relative}: its name for reports). */
    private void removeContents(Fd dir, String relative, List<String> left) throws ErrnoException {
        ownerRights(dir);
        for (byte[] raw : Linux.readDirectory(dir.get())) {
            String entry = new String(raw, StandardCharsets.UTF_8);
            String shown = relative.isEmpty() ? entry : relative + "/" + entry;
            if (!Arrays.equals(entry.getBytes(StandardCharsets.UTF_8), raw)) {
                // The bindings pass names as UTF-8: a name that is not cannot be named back exactly.
                left.add(shown + " (a name that is not UTF-8)");
                continue;
            }
            try {
                Linux.Stat stat = Linux.fstatat(dir.get(), entry, Linux.AT_SYMLINK_NOFOLLOW);
                if (!stat.isDirectory()) {
                    Linux.unlinkat(dir.get(), entry, 0);
                    continue;
                }
                if (stat.dev() != device) {
                    left.add(shown + " (another file system is mounted there)");
                    continue;
                }
                try (Fd sub = openDirectory(dir, entry)) {
                    removeContents(sub, shown, left);
                }
                Linux.unlinkat(dir.get(), entry, Linux.AT_REMOVEDIR);
            } catch (ErrnoException e) {
                if (e.errno() != Errno.ENOENT) {
                    left.add(shown + " (" + e.getMessage() + ")");
                }
            }
        }
    }

    /**
     * Opens the subdirectory {@code entry} of {@code dir} without following a link; one its owner
     * made unreadable is first given back its owner's rights through an {@code O_PATH} descriptor
     * of it, which names the same inode whatever happens to the name.
     */
    private static Fd openDirectory(Fd dir, String entry) throws ErrnoException {
        int flags = Linux.O_RDONLY | Linux.O_DIRECTORY | Linux.O_NOFOLLOW;
        try {
            return Linux.openat2(dir.get(), entry, flags, 0, Linux.RESOLVE_BENEATH | Linux.RESOLVE_NO_SYMLINKS);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EACCES) {
                throw e;
            }
        }
        try (Fd path = Linux.openat2(
                dir.get(),
                entry,
                Linux.O_PATH | Linux.O_DIRECTORY | Linux.O_NOFOLLOW,
                0,
                Linux.RESOLVE_BENEATH | Linux.RESOLVE_NO_SYMLINKS)) {
            Linux.chmodDescriptor(path.get(), MODE);
            return Linux.openat2(path.get(), ".", flags, 0, Linux.RESOLVE_BENEATH | Linux.RESOLVE_NO_SYMLINKS);
        }
    }

    /** Gives the directory open on {@code dir} its owner's full rights, so its entries can be removed. */
    private static void ownerRights(Fd dir) throws ErrnoException {
        Linux.Stat stat = Linux.fstat(dir.get());
        if ((stat.mode() & MODE) != MODE) {
            Linux.chmodDescriptor(dir.get(), (stat.mode() & 07777) | MODE);
        }
    }

    /** Closes the descriptors without removing anything: for a run that keeps its directory. */
    @Override
    public void close() {
        directory.close();
        parent.close();
    }
}
