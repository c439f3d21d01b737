package dev.airlock.broker;

import dev.airlock.broker.ClassPathFiles.Reach;
import dev.airlock.unix.Errno;
import dev.airlock.unix.ErrnoException;
import dev.airlock.unix.Fd;
import dev.airlock.unix.Linux;
import dev.airlock.unix.Mounts;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The helper's own view of the class path entries its user may read but not reach (as root the
 * helper runs as {@code nobody}, and a project or {@code ~/.m2} under a {@code 0700} {@code /root}
 * is out of its reach). The launcher and the JVM open the class path natively before any agent
 * runs, so no brokered open can serve it (docs/ARCHITECTURE.md, "The class path"); instead the
 * spawner thread, in the helper's private mount namespace ({@link dev.airlock.unix.Namespace#MOUNT}),
 * covers each highest directory the helper may not search ({@link Cover#directory}) with a small
 * tmpfs (root's, mode {@code 0711}: searchable, not listable), recreates on it the directories
 * down to each entry ({@code 0711}), and bind-mounts the real entry there, read-only, nosuid,
 * nodev. Every path stays what it is outside, the helper gains no capability, and nothing
 * propagates back to the host (the tree is made private first). What else is beneath a covered
 * directory is not there for native code; for Java it stays the policy's, through the broker,
 * whose own namespace is untouched (the agent routes any failure outside the class path).
 *
 * <p>Built at plan time from the entries {@link ClassPathFiles#helperReach} found hidden ({@link #of},
 * pure); applied on the spawner thread before no_new_privs, Landlock, seccomp and the uid drop
 * ({@link #apply}), which fail closed: nothing is spawned.
 */
record ClassPathView(List<Cover> covers) {
    /** No view: the helper sees the host's tree. */
    static final ClassPathView NONE = new ClassPathView(List.of());

    /** The mode of a covering tmpfs and of each directory on it: the helper searches them and cannot list them. */
    static final int DIRECTORY_MODE = 0711;

    /** The mode of a placeholder file, which the bind mount covers at once. */
    static final int PLACEHOLDER_MODE = 0444;

    /** The size of each covering tmpfs: it holds only directories and empty placeholders. */
    static final long TMPFS_BYTES = 64 * 1024;

    /** A directory the helper may not search, and the entries beneath it that it is shown. */
    record Cover(Path directory, List<Shown> entries) {
        Cover {
            entries = List.copyOf(entries);
        }
    }

    /** One real entry shown at its own path: a directory (a classes tree) or a file (a jar, an argfile). */
    record Shown(Path path, boolean directory) {}

    ClassPathView {
        covers = List.copyOf(covers);
    }

    boolean isEmpty() {
        return covers.isEmpty();
    }

    /** The covered directories, for the agent: beneath them a native ENOENT is the broker's to answer. */
    List<String> coveredDirectories() {
        List<String> directories = new ArrayList<>();
        for (Cover cover : covers) {
            directories.add(cover.directory().toString());
        }
        return directories;
    }

    /**
     * The view of the {@code hidden} entries: one cover per highest directory the helper may not
     * search, shared by every entry beneath it. An entry beneath a shown directory is seen through
     * that directory's bind and gets none of its own, unless a directory between them is one the
     * helper may not search (refused: the bind shows the real tree, whose modes stand).
     *
     * @throws AirlockException an entry beneath {@code /} itself unsearchable, or beneath an
     *     unsearchable directory inside a shown one
     */
    static ClassPathView of(List<Reach.Hidden> hidden) throws AirlockException {
        Map<Path, Reach.Hidden> byPath = new TreeMap<>();
        for (Reach.Hidden entry : hidden) {
            byPath.putIfAbsent(entry.real(), entry);
        }
        Map<Path, List<Shown>> byCover = new LinkedHashMap<>();
        List<Path> shownDirectories = new ArrayList<>();
        // in path order, so that a directory comes before everything beneath it
        for (Reach.Hidden entry : byPath.values()) {
            Path cover = entry.unsearchable().get(0);
            if (cover.getNameCount() == 0) {
                throw new AirlockException(
                        ExitCodes.USAGE,
                        "the class path entry " + entry.real() + " is not readable by the helper's user: it may not"
                                + " search /");
            }
            Path through = null;
            for (Path directory : shownDirectories) {
                if (entry.real().startsWith(directory)) {
                    through = directory;
                }
            }
            if (through != null) {
                for (Path unsearchable : entry.unsearchable()) {
                    if (unsearchable.startsWith(through) && !unsearchable.equals(through)) {
                        throw new AirlockException(
                                ExitCodes.USAGE,
                                "the class path entry " + entry.real() + " is not readable by the helper's user: it"
                                        + " lies beneath " + unsearchable + ", which that user may not search, inside"
                                        + " the class path directory " + through + ", which the helper is shown as it"
                                        + " is; make " + unsearchable + " searchable to that user");
                    }
                }
                continue;
            }
            byCover.computeIfAbsent(cover, c -> new ArrayList<>()).add(new Shown(entry.real(), entry.directory()));
            if (entry.directory()) {
                shownDirectories.add(entry.real());
            }
        }
        List<Cover> covers = new ArrayList<>();
        for (Map.Entry<Path, List<Shown>> cover : byCover.entrySet()) {
            for (Path other : byCover.keySet()) {
                if (!other.equals(cover.getKey()) && cover.getKey().startsWith(other)) {
                    // each entry's highest unsearchable directory: nested covers mean the disk changed meanwhile
                    throw new AirlockException(
                            ExitCodes.USAGE,
                            "the class path changed while it was read: " + cover.getKey() + " and " + other
                                    + " both hide entries from the helper's user");
                }
            }
            covers.add(new Cover(cover.getKey(), cover.getValue()));
        }
        return new ClassPathView(covers);
    }

    /**
     * Builds the view in the calling thread's mount namespace, which must be its own and private
     * ({@link Mounts#makeTreePrivate}); called on the spawner thread, as root, before it confines
     * itself. Every entry is opened first ({@code O_PATH}, no symbolic link on the way, of the kind
     * planned), while its path still leads to it; then each cover is mounted and the entries bound.
     *
     * @throws IOException naming the entry and the call that failed, with its errno; the thread's
     *     namespace is then half built, and nothing may be spawned from it
     */
    void apply() throws IOException {
        if (covers.isEmpty()) {
            return;
        }
        Map<Path, Fd> sources = new LinkedHashMap<>();
        Path current = null;
        try {
            for (Cover cover : covers) {
                for (Shown shown : cover.entries()) {
                    current = shown.path();
                    sources.put(shown.path(), openReal(shown));
                }
            }
            for (Cover cover : covers) {
                current = cover.directory();
                Mounts.mountTmpfs(cover.directory().toString(), DIRECTORY_MODE, TMPFS_BYTES);
                Set<Path> made = new HashSet<>();
                for (Shown shown : cover.entries()) {
                    current = shown.path();
                    Path directory = cover.directory();
                    for (Path name : cover.directory().relativize(shown.path().getParent())) {
                        directory = directory.resolve(name);
                        if (made.add(directory)) {
                            makeDirectory(directory);
                        }
                    }
                    if (shown.directory()) {
                        makeDirectory(shown.path());
                    } else {
                        Linux.openat2(
                                        Linux.AT_FDCWD,
                                        shown.path().toString(),
                                        Linux.O_WRONLY | Linux.O_CREAT | Linux.O_EXCL | Linux.O_CLOEXEC,
                                        PLACEHOLDER_MODE,
                                        Linux.RESOLVE_NO_SYMLINKS)
                                .close();
                    }
                    Mounts.bindReadOnly(sources.get(shown.path()), shown.path().toString());
                }
            }
        } catch (ErrnoException e) {
            throw new IOException(
                    "the class path entry " + current + " could not be shown to the helper: " + e.getMessage(), e);
        } finally {
            for (Fd source : sources.values()) {
                source.close();
            }
        }
    }

    /** The real entry, opened {@code O_PATH} without following links; refused if it is no longer of the planned kind. */
    private static Fd openReal(Shown shown) throws ErrnoException {
        Fd fd = Linux.openat2(
                Linux.AT_FDCWD,
                shown.path().toString(),
                Linux.O_PATH | Linux.O_CLOEXEC | Linux.O_NOFOLLOW,
                0,
                Linux.RESOLVE_NO_SYMLINKS);
        Linux.Stat stat;
        try {
            stat = Linux.fstat(fd.get());
        } catch (ErrnoException e) {
            fd.close();
            throw e;
        }
        boolean planned = shown.directory() ? stat.isDirectory() : stat.isRegularFile();
        if (!planned) {
            fd.close();
            // ENOTDIR or EISDIR: what it is now is not what was planned
            throw new ErrnoException(
                    "open(" + shown.path() + ") as planned", shown.directory() ? Errno.ENOTDIR : Errno.EISDIR);
        }
        return fd;
    }

    /** A directory of the view, {@link #DIRECTORY_MODE} whatever the thread's umask (the helper inherits that umask). */
    private static void makeDirectory(Path directory) throws ErrnoException {
        Linux.mkdirat(Linux.AT_FDCWD, directory.toString(), DIRECTORY_MODE);
        try (Fd made = Linux.openat2(
                Linux.AT_FDCWD,
                directory.toString(),
                Linux.O_PATH | Linux.O_DIRECTORY | Linux.O_CLOEXEC,
                0,
                Linux.RESOLVE_NO_SYMLINKS)) {
            Linux.chmodDescriptor(made.get(), DIRECTORY_MODE);
        }
    }
}
