package dev.airlock.unix;

import java.nio.charset.StandardCharsets;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * The native calls on paths and files, and the binding of libc they go through ({@link LibC},
 * bound here): one public wrapper per call that turns a failure into an {@link ErrnoException}
 * naming the call and the errno. The confinement and process calls live beside their constants
 * in {@link Landlock}, {@link Seccomp}, {@link ThreadConfinement}, {@link SpawnPlan} and
 * {@link Processes}; the channel socket's calls in their own binding, {@link SocketCalls}, beside
 * its structures (this class keeps the channel's public set-up calls, which delegate there). The structure layouts are those
 * of Linux on x86_64, the only platform Airlock supports (checked at first use).
 *
 * <p>libc is bound lazily, on the first call, because binding costs start-up time that a helper
 * whose every open is allowed by the kernel never needs to pay.
 */
public final class Linux {
    // open(2)
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_ACCMODE = 3;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_NOCTTY = 0400;
    public static final int O_TRUNC = 01000;
    public static final int O_APPEND = 02000;
    public static final int O_NONBLOCK = 04000;
    public static final int O_DSYNC = 010000;
    public static final int O_DIRECT = 040000;
    public static final int O_LARGEFILE = 0100000;
    public static final int O_DIRECTORY = 0200000;
    public static final int O_NOFOLLOW = 0400000;
    public static final int O_NOATIME = 01000000;
    public static final int O_CLOEXEC = 02000000;
    public static final int O_SYNC = 04010000;
    public static final int O_PATH = 010000000;
    public static final int O_TMPFILE = 020200000;

    // openat2(2) resolve flags
    public static final long RESOLVE_NO_MAGICLINKS = 0x02;
    public static final long RESOLVE_NO_SYMLINKS = 0x04;
    public static final long RESOLVE_BENEATH = 0x08;

    public static final int AT_FDCWD = -100;

    // *at(2) flags
    public static final int AT_SYMLINK_NOFOLLOW = 0x100;
    public static final int AT_REMOVEDIR = 0x200;
    public static final int AT_EACCESS = 0x200;
    public static final int AT_EMPTY_PATH = 0x1000;

    // renameat2(2)
    public static final int RENAME_NOREPLACE = 1;

    // access(2) modes
    public static final int F_OK = 0;
    public static final int X_OK = 1;
    public static final int W_OK = 2;
    public static final int R_OK = 4;

    /** A time for {@link #utimensat} meaning "leave this one as it is" (the kernel's UTIME_OMIT). */
    public static final long TIME_OMIT = Long.MIN_VALUE;

    private static final long UTIME_OMIT = (1L << 30) - 2;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    // stat(2) file types
    public static final int S_IFMT = 0170000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFLNK = 0120000;
    public static final int S_IFIFO = 0010000;

    // fcntl(2)
    static final int F_DUPFD_CLOEXEC = 1030;
    static final int F_GETFD = 1;
    static final int F_SETFD = 2;
    static final int F_GETFL = 3;
    static final int F_SETFL = 4;
    static final int FD_CLOEXEC = 1;

    // x86_64 system call numbers
    static final long SYS_CLOSE_RANGE = 436;
    static final long SYS_OPENAT2 = 437;
    static final long SYS_GETDENTS64 = 217;
    static final long SYS_FSTATFS = 138;
    static final long SYS_NEWFSTATAT = 262;
    static final long SYS_FACCESSAT2 = 439;
    static final long SYS_FCHMODAT2 = 452;
    static final long SYS_STATX = 332;
    static final long SYS_INOTIFY_INIT1 = 294;
    static final long SYS_INOTIFY_ADD_WATCH = 254;

    private static final int STAT_SIZE = 144; // also holds a struct statfs (120 bytes)
    private static final int STAT_DEV_OFFSET = 0;
    private static final int STAT_INO_OFFSET = 8;
    private static final int STAT_MODE_OFFSET = 24;
    private static final int STAT_UID_OFFSET = 28;
    private static final int STAT_SIZE_OFFSET = 48;

    private Linux() {}

    /** Lazy holder: libc is bound on first use, never at class initialisation of callers. */
    private static final class Lib {
        static final LibC C;
        static final Runtime RUNTIME;

        static {
            String arch = System.getProperty("os.arch");
            if (!"Linux".equals(System.getProperty("os.name")) || !("amd64".equals(arch) || "x86_64".equals(arch))) {
                throw new UnsupportedOperationException(
                        "Airlock supports Linux on x86_64 only, not " + System.getProperty("os.name") + " on " + arch);
            }
            C = LibraryLoader.create(LibC.class).load("c");
            RUNTIME = Runtime.getRuntime(C);
            SocketCalls.bind(); // every binding of libc at once, on this thread: see SocketCalls.bind
            InetSocket.bind();
            LoopbackInterface.bind();
        }
    }

    static LibC c() {
        return Lib.C;
    }

    static Runtime runtime() {
        return Lib.RUNTIME;
    }

    static int errno() {
        return Lib.RUNTIME.getLastError();
    }

    static Pointer allocate(int size) {
        return Memory.allocateDirect(Lib.RUNTIME, size, true);
    }

    private static final int SCRATCH_PATH = 0;
    private static final int SCRATCH_PATH_SIZE = 4096 + 1;
    private static final int SCRATCH_STRUCT = 4104; // 8-aligned, after the path
    private static final int SCRATCH_SIZE = SCRATCH_STRUCT + STAT_SIZE;

    /**
     * Per-thread native scratch memory for the calls on the brokered-open path (a path and one
     * small struct), so they allocate no native memory per call.
     */
    private static final ThreadLocal<Pointer> SCRATCH = ThreadLocal.withInitial(() -> allocate(SCRATCH_SIZE));

    /** Forces libc to be bound now, e.g. before a thread confines itself. */
    public static void load() {
        c().getpid();
    }

    static int check(int result, String call) throws ErrnoException {
        if (result < 0) {
            throw new ErrnoException(call, errno());
        }
        return result;
    }

    static long check(long result, String call) throws ErrnoException {
        if (result < 0) {
            throw new ErrnoException(call, errno());
        }
        return result;
    }

    // ---- descriptors ----

    static void closeQuietly(int fd) {
        c().close(fd);
    }

    /** A close-on-exec duplicate of {@code fd} numbered at least {@code minimum}. */
    public static Fd dupCloexec(int fd, int minimum) throws ErrnoException {
        return Fd.adopt(check(c().fcntl(fd, F_DUPFD_CLOEXEC, minimum), "fcntl(" + fd + ", F_DUPFD_CLOEXEC)"));
    }

    /** Sets or clears close-on-exec on {@code fd}. */
    public static void setCloexec(int fd, boolean on) throws ErrnoException {
        int flags = check(c().fcntl(fd, F_GETFD, 0), "fcntl(" + fd + ", F_GETFD)");
        int updated = on ? flags | FD_CLOEXEC : flags & ~FD_CLOEXEC;
        check(c().fcntl(fd, F_SETFD, updated), "fcntl(" + fd + ", F_SETFD)");
    }

    /** The file status flags ({@code F_GETFL}). */
    public static int statusFlags(int fd) throws ErrnoException {
        return check(c().fcntl(fd, F_GETFL, 0), "fcntl(" + fd + ", F_GETFL)");
    }

    /** Replaces the file status flags ({@code F_SETFL}). */
    public static void setStatusFlags(int fd, int flags) throws ErrnoException {
        check(c().fcntl(fd, F_SETFL, flags), "fcntl(" + fd + ", F_SETFL)");
    }

    /** Opens a path with plain open(2); the broker uses it only for its own O_PATH grant roots. */
    public static Fd open(String path, int flags, int mode) throws ErrnoException {
        return Fd.adopt(check(c().open(path, flags | O_CLOEXEC, mode), "open(" + path + ")"));
    }

    /**
     * openat2(2): opens {@code path} relative to {@code dirfd} with the given resolve flags.
     * Retries on EAGAIN, which the kernel returns when a concurrent rename raced a
     * RESOLVE_BENEATH lookup.
     */
    public static Fd openat2(int dirfd, String path, int flags, int mode, long resolve) throws ErrnoException {
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        if (bytes.length >= SCRATCH_PATH_SIZE) {
            throw new ErrnoException("openat2(" + path + ")", Errno.ENAMETOOLONG);
        }
        Pointer scratch = SCRATCH.get();
        scratch.put(SCRATCH_PATH, bytes, 0, bytes.length);
        scratch.putByte(SCRATCH_PATH + bytes.length, (byte) 0);
        scratch.putLong(SCRATCH_STRUCT, flags & 0xffffffffL);
        scratch.putLong(SCRATCH_STRUCT + 8, mode);
        scratch.putLong(SCRATCH_STRUCT + 16, resolve);
        long name = scratch.address() + SCRATCH_PATH;
        long how = scratch.address() + SCRATCH_STRUCT;
        for (int attempt = 0; ; attempt++) {
            long fd = c().syscall(SYS_OPENAT2, dirfd, name, how, 24, 0, 0);
            if (fd >= 0) {
                return Fd.adopt((int) fd);
            }
            int errno = errno();
            if ((errno != Errno.EAGAIN && errno != Errno.EINTR) || attempt >= 64) {
                throw new ErrnoException("openat2(" + path + ")", errno);
            }
        }
    }

    /**
     * The names in the directory open on {@code fd}, in the kernel's order, without "." and "..":
     * what readdir(3) on that descriptor would return. Reads from the descriptor's current offset,
     * so a fresh descriptor lists the whole directory.
     */
    public static java.util.List<byte[]> readDirectory(int fd) throws ErrnoException {
        java.util.List<byte[]> names = new java.util.ArrayList<>();
        int size = 32768;
        Pointer buffer = allocate(size);
        while (true) {
            long n = check(c().syscall(SYS_GETDENTS64, fd, buffer.address(), size, 0, 0, 0), "getdents64(" + fd + ")");
            if (n == 0) {
                return names;
            }
            // struct linux_dirent64: u64 d_ino, s64 d_off, u16 d_reclen, u8 d_type, char d_name[].
            for (int at = 0; at < n; ) {
                int reclen = buffer.getShort(at + 16) & 0xFFFF;
                int nameStart = at + 19;
                int end = nameStart;
                while (end < at + reclen && buffer.getByte(end) != 0) {
                    end++;
                }
                byte[] name = new byte[end - nameStart];
                buffer.get(nameStart, name, 0, name.length);
                boolean dot = name.length == 1 && name[0] == '.';
                boolean dotDot = name.length == 2 && name[0] == '.' && name[1] == '.';
                if (!dot && !dotDot) {
                    names.add(name);
                }
                at += reclen;
            }
        }
    }

    /**
     * The target of the symbolic link {@code path} relative to {@code dirfd}, as raw bytes. With an
     * empty path it reads the link an {@code O_PATH | O_NOFOLLOW} descriptor names; on a descriptor
     * of anything but a link the kernel then answers ENOENT (6.18), not readlink's EINVAL.
     */
    public static byte[] readlinkat(int dirfd, String path) throws ErrnoException {
        Pointer buffer = allocate(4096);
        long n = check(c().readlinkat(dirfd, cPath(path), buffer, 4096), "readlinkat(" + name(dirfd, path) + ")");
        if (n >= 4096) {
            throw new ErrnoException("readlinkat(" + name(dirfd, path) + ")", Errno.ENAMETOOLONG);
        }
        byte[] target = new byte[(int) n];
        buffer.get(0, target, 0, target.length);
        return target;
    }

    /** The parts of fstat(2) Airlock uses. */
    public record Stat(int mode, int uid, long size, long dev, long ino) {
        public boolean isDirectory() {
            return (mode & S_IFMT) == S_IFDIR;
        }

        public boolean isRegularFile() {
            return (mode & S_IFMT) == S_IFREG;
        }

        public boolean isSymbolicLink() {
            return (mode & S_IFMT) == S_IFLNK;
        }
    }

    /** fstat(2); works on {@code O_PATH} descriptors too, which is how the broker inspects what it resolved. */
    public static Stat fstat(int fd) throws ErrnoException {
        Pointer scratch = SCRATCH.get();
        check(c().fstat(fd, scratch.slice(SCRATCH_STRUCT, STAT_SIZE)), "fstat(" + fd + ")");
        return new Stat(
                scratch.getInt(SCRATCH_STRUCT + STAT_MODE_OFFSET),
                scratch.getInt(SCRATCH_STRUCT + STAT_UID_OFFSET),
                scratch.getLong(SCRATCH_STRUCT + STAT_SIZE_OFFSET),
                scratch.getLong(SCRATCH_STRUCT + STAT_DEV_OFFSET),
                scratch.getLong(SCRATCH_STRUCT + STAT_INO_OFFSET));
    }

    /**
     * fstatat(2) (the x86_64 newfstatat system call, so it works whatever glibc exports): the
     * entry {@code path} names relative to {@code dirfd}; with {@link #AT_SYMLINK_NOFOLLOW} a final
     * link itself, which is how the broker identifies what a name-changing call would act on.
     */
    public static Stat fstatat(int dirfd, String path, int flags) throws ErrnoException {
        long address = scratchPath(path, "fstatat");
        Pointer scratch = SCRATCH.get();
        check(
                c().syscall(SYS_NEWFSTATAT, dirfd, address, scratch.address() + SCRATCH_STRUCT, flags, 0, 0),
                "fstatat(" + name(dirfd, path) + ")");
        return new Stat(
                scratch.getInt(SCRATCH_STRUCT + STAT_MODE_OFFSET),
                scratch.getInt(SCRATCH_STRUCT + STAT_UID_OFFSET),
                scratch.getLong(SCRATCH_STRUCT + STAT_SIZE_OFFSET),
                scratch.getLong(SCRATCH_STRUCT + STAT_DEV_OFFSET),
                scratch.getLong(SCRATCH_STRUCT + STAT_INO_OFFSET));
    }

    /** procfs's {@code f_type} in {@code struct statfs} (linux/magic.h). */
    public static final long PROC_SUPER_MAGIC = 0x9fa0L;

    /** sysfs's {@code f_type} in {@code struct statfs} (linux/magic.h). */
    public static final long SYSFS_MAGIC = 0x62656572L;

    /**
     * The type of the file system {@code fd} is on: fstatfs(2)'s {@code f_type} (its first field,
     * a long on x86_64); works on {@code O_PATH} descriptors.
     */
    public static long fileSystemType(int fd) throws ErrnoException {
        Pointer scratch = SCRATCH.get();
        check(c().syscall(SYS_FSTATFS, fd, scratch.address() + SCRATCH_STRUCT, 0, 0, 0, 0), "fstatfs(" + fd + ")");
        return scratch.getLong(SCRATCH_STRUCT);
    }

    private static final int STATX_ALL = 0x0fff;
    private static final int STATX_BTIME = 0x0800;
    private static final int STATX_SIZE = 256;

    /**
     * statx(2) of what an {@code O_PATH} descriptor names, the descriptor's object itself (a link
     * is not followed: AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW), with every field the JDK's attributes
     * hold; the devices encoded as glibc's {@code makedev}, as stat(2) and the JDK report them.
     */
    public static Statx statx(int fd) throws ErrnoException {
        Pointer buffer = allocate(STATX_SIZE);
        long path = scratchPath("", "statx");
        check(
                c().syscall(SYS_STATX, fd, path, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_ALL, buffer.address(), 0),
                "statx(fd " + fd + ")");
        boolean birthtime = (buffer.getInt(0) & STATX_BTIME) != 0;
        return new Statx(
                buffer.getShort(28) & 0xFFFF,
                buffer.getLong(32),
                makedev(buffer.getInt(136), buffer.getInt(140)),
                makedev(buffer.getInt(128), buffer.getInt(132)),
                buffer.getInt(16),
                buffer.getInt(20),
                buffer.getInt(24),
                buffer.getLong(40),
                buffer.getLong(64),
                buffer.getInt(72),
                buffer.getLong(112),
                buffer.getInt(120),
                buffer.getLong(96),
                buffer.getInt(104),
                birthtime,
                birthtime ? buffer.getLong(80) : 0,
                birthtime ? buffer.getInt(88) : 0);
    }

    /** glibc's {@code makedev}: major and minor in the 64-bit encoding stat(2) reports. */
    static long makedev(int major, int minor) {
        long ma = major & 0xFFFFFFFFL;
        long mi = minor & 0xFFFFFFFFL;
        return (ma & 0xFFFFF000L) << 32 | (ma & 0xFFFL) << 8 | (mi & 0xFFFFFF00L) << 12 | (mi & 0xFFL);
    }

    // ---- inotify ----

    /** inotify_init1(IN_CLOEXEC): a new inotify instance. */
    public static Fd inotifyInit() throws ErrnoException {
        return Fd.adopt((int) check(c().syscall(SYS_INOTIFY_INIT1, O_CLOEXEC, 0, 0, 0, 0, 0), "inotify_init1"));
    }

    /**
     * inotify_add_watch(2): watches {@code path} (followed if a link, as the call does without
     * IN_DONT_FOLLOW) for {@code mask} in the instance {@code inotifyFd}; the watch descriptor.
     */
    public static int inotifyAddWatch(int inotifyFd, String path, int mask) throws ErrnoException {
        long address = scratchPath(path, "inotify_add_watch");
        return (int) check(
                c().syscall(SYS_INOTIFY_ADD_WATCH, inotifyFd, address, mask & 0xFFFFFFFFL, 0, 0, 0),
                "inotify_add_watch(" + path + ")");
    }

    // ---- names: create, remove, rename, link, change ----
    //
    // Each takes a directory descriptor and a name relative to it, as the *at(2) calls do: the broker
    // resolves the directory race-free itself and only ever hands the kernel one last component.
    // Pass AT_FDCWD to act on an ordinary path.

    /** mkdirat(2). */
    public static void mkdirat(int dirfd, String path, int mode) throws ErrnoException {
        check(c().mkdirat(dirfd, cPath(path), mode), "mkdirat(" + path + ")");
    }

    /** unlinkat(2); {@link #AT_REMOVEDIR} removes an empty directory instead of a file. */
    public static void unlinkat(int dirfd, String path, int flags) throws ErrnoException {
        check(
                c().unlinkat(dirfd, cPath(path), flags),
                (flags & AT_REMOVEDIR) != 0 ? "rmdir(" + path + ")" : "unlinkat(" + path + ")");
    }

    /** renameat2(2) (glibc 2.28+); {@link #RENAME_NOREPLACE} fails with EEXIST instead of replacing. */
    public static void renameat2(int fromDirfd, String from, int toDirfd, String to, int flags) throws ErrnoException {
        check(c().renameat2(fromDirfd, cPath(from), toDirfd, cPath(to), flags), "renameat2(" + from + ", " + to + ")");
    }

    /** linkat(2): {@code newPath} becomes another name of {@code oldPath} (a final link is not followed without AT_SYMLINK_FOLLOW). */
    public static void linkat(int oldDirfd, String oldPath, int newDirfd, String newPath, int flags)
            throws ErrnoException {
        check(
                c().linkat(oldDirfd, cPath(oldPath), newDirfd, cPath(newPath), flags),
                "linkat(" + oldPath + ", " + newPath + ")");
    }

    /** symlinkat(2): a link at {@code path} holding {@code target}, any bytes but NUL, stored as they are. */
    public static void symlinkat(byte[] target, int dirfd, String path) throws ErrnoException {
        byte[] terminated = java.util.Arrays.copyOf(target, target.length + 1);
        check(c().symlinkat(terminated, dirfd, cPath(path)), "symlinkat(" + path + ")");
    }

    /**
     * fchmodat2(2) (Linux 6.6+), the first chmod that takes flags: {@link #AT_SYMLINK_NOFOLLOW} (a
     * link itself: EOPNOTSUPP, Linux links have no mode) and {@link #AT_EMPTY_PATH}.
     */
    public static void fchmodat2(int dirfd, String path, int mode, int flags) throws ErrnoException {
        long address = scratchPath(path, "fchmodat2");
        check(c().syscall(SYS_FCHMODAT2, dirfd, address, mode, flags, 0, 0), "fchmodat2(" + name(dirfd, path) + ")");
    }

    /**
     * Changes the mode of the file an {@code O_PATH} descriptor names: {@code fchmod} refuses
     * {@code O_PATH} descriptors (EBADF), so this is fchmodat2 with an empty path, or on kernels
     * before 6.6 (ENOSYS) chmod of the descriptor's {@code /proc/self/fd} entry, which names the
     * same inode and, for a link, likewise answers EOPNOTSUPP.
     */
    public static void chmodDescriptor(int fd, int mode) throws ErrnoException {
        long address = scratchPath("", "fchmodat2");
        long r = c().syscall(SYS_FCHMODAT2, fd, address, mode, AT_EMPTY_PATH, 0, 0);
        if (r >= 0) {
            return;
        }
        int errno = errno();
        if (errno != Errno.ENOSYS) {
            throw new ErrnoException("fchmodat2(" + name(fd, "") + ")", errno);
        }
        String proc = "/proc/self/fd/" + fd;
        check(c().chmod(cPath(proc), mode), "chmod(" + proc + ")");
    }

    /**
     * fchown(2): gives the file open on {@code fd} (not an {@code O_PATH} descriptor) to {@code uid}
     * and {@code gid}. By descriptor, so that the file changed is the one opened, never whatever a
     * path names by then: the broker gives the helper its private directory this way.
     */
    public static void fchown(int fd, int uid, int gid) throws ErrnoException {
        check(c().fchown(fd, uid, gid), "fchown(" + fd + ")");
    }

    /**
     * utimensat(2) with times in nanoseconds since the epoch, or {@link #TIME_OMIT}. With an empty
     * path and {@link #AT_EMPTY_PATH} it works on an {@code O_PATH} descriptor (a link's own times
     * for a descriptor of a link); futimens' NULL path would answer EBADF there.
     */
    public static void utimensat(int dirfd, String path, long accessNanos, long modifiedNanos, int flags)
            throws ErrnoException {
        Pointer scratch = SCRATCH.get();
        putTimespec(scratch, SCRATCH_STRUCT, accessNanos);
        putTimespec(scratch, SCRATCH_STRUCT + 16, modifiedNanos);
        check(
                c().utimensat(dirfd, cPath(path), scratch.slice(SCRATCH_STRUCT, 32), flags),
                "utimensat(" + name(dirfd, path) + ")");
    }

    /** A time in nanoseconds as a {@code struct timespec}; floor division, so times before 1970 keep 0 &lt;= tv_nsec &lt; 10^9. */
    private static void putTimespec(Pointer p, long offset, long nanos) {
        if (nanos == TIME_OMIT) {
            p.putLong(offset, 0);
            p.putLong(offset + 8, UTIME_OMIT);
        } else {
            p.putLong(offset, Math.floorDiv(nanos, NANOS_PER_SECOND));
            p.putLong(offset + 8, Math.floorMod(nanos, NANOS_PER_SECOND));
        }
    }

    /**
     * faccessat2(2) (Linux 5.8+): the first access check that honours flags in the kernel,
     * {@link #AT_EACCESS} (the effective ids) and {@link #AT_EMPTY_PATH} (an {@code O_PATH}
     * descriptor). glibc's faccessat without it emulates AT_EACCESS from a stat, which cannot see ACLs.
     */
    public static void faccessat2(int dirfd, String path, int mode, int flags) throws ErrnoException {
        long address = scratchPath(path, "faccessat2");
        check(c().syscall(SYS_FACCESSAT2, dirfd, address, mode, flags, 0, 0), "faccessat2(" + name(dirfd, path) + ")");
    }

    /**
     * Reads {@code fd} from its current offset to its end, refusing more than {@code limit}
     * bytes (EFBIG): for files the broker copies out of a directory it does not trust.
     */
    public static byte[] readAll(int fd, int limit) throws ErrnoException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int chunk = 65536;
        Pointer buffer = allocate(chunk);
        byte[] bytes = new byte[chunk];
        while (true) {
            long n = c().read(fd, buffer, chunk);
            if (n < 0) {
                int errno = errno();
                if (errno == Errno.EINTR) {
                    continue;
                }
                throw new ErrnoException("read(" + fd + ")", errno);
            }
            if (n == 0) {
                return out.toByteArray();
            }
            if (out.size() + n > limit) {
                throw new ErrnoException("read(" + fd + ")", Errno.EFBIG);
            }
            buffer.get(0, bytes, 0, (int) n);
            out.write(bytes, 0, (int) n);
        }
    }

    /** realpath(3): the absolute path without symbolic links, {@code .} or {@code ..}, as raw bytes. */
    public static byte[] realpath(String path) throws ErrnoException {
        Pointer resolved = allocate(4096 + 1);
        Pointer result = c().realpath(cPath(path), resolved);
        if (result == null || result.address() == 0) {
            throw new ErrnoException("realpath(" + path + ")", errno());
        }
        int length = resolved.indexOf(0, (byte) 0, 4096 + 1);
        byte[] bytes = new byte[length];
        resolved.get(0, bytes, 0, length);
        return bytes;
    }

    /** How a message names what a call acted on: the path, or for an empty path the descriptor. */
    private static String name(int dirfd, String path) {
        return path.isEmpty() ? "fd " + dirfd : path;
    }

    /** A path as the libc bindings take it: UTF-8 and a terminating NUL. */
    private static byte[] cPath(String path) {
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        return java.util.Arrays.copyOf(bytes, bytes.length + 1);
    }

    /** Puts {@code path} NUL-terminated into this thread's scratch memory, for raw system calls; its address. */
    private static long scratchPath(String path, String call) throws ErrnoException {
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        if (bytes.length >= SCRATCH_PATH_SIZE) {
            throw new ErrnoException(call + "(" + path + ")", Errno.ENAMETOOLONG);
        }
        Pointer scratch = SCRATCH.get();
        scratch.put(SCRATCH_PATH, bytes, 0, bytes.length);
        scratch.putByte(SCRATCH_PATH + bytes.length, (byte) 0);
        return scratch.address() + SCRATCH_PATH;
    }

    // ---- the channel's socket: its calls and structures are SocketCalls' ----

    /** A connected AF_UNIX SOCK_SEQPACKET pair, both ends close-on-exec. */
    public static Fd[] seqpacketPair() throws ErrnoException {
        return SocketCalls.seqpacketPair();
    }

    /** Turns on SO_PASSCRED: the kernel then attaches the sender's pid, uid and gid to every message. */
    public static void enablePassCred(int socket) throws ErrnoException {
        SocketCalls.passCredentials(socket);
    }

    /** SO_PEERCRED: the credentials of whoever created the peer end (for a socketpair, its creator). */
    public static Credentials peerCredentials(int socket) throws ErrnoException {
        return SocketCalls.peerCredentials(socket);
    }

    // ---- this process's ids (the credential checks on the channel compare them) ----

    public static int getpid() {
        return c().getpid();
    }

    public static int getppid() {
        return c().getppid();
    }

    public static int getuid() {
        return c().getuid();
    }

    public static int getgid() {
        return c().getgid();
    }
}
