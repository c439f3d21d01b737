package dev.airlock.ipc;

/**
 * The status of a file as a STAT reply carries it in place of a descriptor: the fields the JDK's
 * {@code sun.nio.fs.UnixFileAttributes} holds, as {@code statx(2)} reports them.
 *
 * <p>Why it exists: an {@code O_PATH} descriptor of a symbolic link lets its holder read the
 * link's target ({@code readlinkat(fd, "")}), so the broker must not hand one out where the policy
 * grants {@code read} but not {@code readlink} on the link. It answers with these fields instead,
 * and the agent fills the JDK's attributes from them, so the program sees exactly what the JDK's
 * own {@code lstat} would have shown it.
 *
 * <p>Every instance satisfies the wire format's rules (the constructor refuses anything else), so
 * it encodes and decodes back to an equal value. Numbers the kernel reports unsigned (ino, dev,
 * rdev, nlink, uid, gid) are kept in Java's signed types bit for bit, as the JDK keeps them.
 *
 * @param mode {@code st_mode}: the file type and permission bits (16 bits, as statx reports them)
 * @param ino the inode number
 * @param dev the device of the file system, as glibc's {@code makedev} encodes major and minor
 * @param rdev the device a device file stands for, encoded likewise
 * @param nlink the number of hard links
 * @param uid the owner's uid
 * @param gid the group's gid
 * @param size the size in bytes, never negative
 * @param atimeSeconds last access, seconds since the epoch (with {@code atimeNanos}, 0..999,999,999)
 * @param mtimeSeconds last modification
 * @param ctimeSeconds last status change
 * @param birthtimeAvailable whether the file system reported a creation time (statx STATX_BTIME);
 *     when it did not, both birth time fields are 0
 * @param birthtimeSeconds creation time, when available
 */
public record FileStat(
        int mode,
        long ino,
        long dev,
        long rdev,
        int nlink,
        int uid,
        int gid,
        long size,
        long atimeSeconds,
        int atimeNanos,
        long mtimeSeconds,
        int mtimeNanos,
        long ctimeSeconds,
        int ctimeNanos,
        boolean birthtimeAvailable,
        long birthtimeSeconds,
        int birthtimeNanos) {

    /** The size of the encoded fields in a reply, in bytes (see {@link MessageCodec}). */
    static final int WIRE_SIZE = 4 + 8 + 8 + 8 + 4 + 4 + 4 + 8 + 4 * (8 + 4) + 4;

    /** Bit of the wire's flags word: a birth time follows. */
    static final int WIRE_BIRTHTIME = 1;

    private static final int NANOS_PER_SECOND = 1_000_000_000;

    /** st_mode's file-type bits and the type of a symbolic link, as Linux defines them (stat(2)). */
    private static final int S_IFMT = 0170000;

    private static final int S_IFLNK = 0120000;

    /** @throws IllegalArgumentException if a field breaks the format's rules */
    public FileStat {
        String problem = check(
                mode, size, atimeNanos, mtimeNanos, ctimeNanos, birthtimeAvailable, birthtimeSeconds, birthtimeNanos);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** The rules the constructor and the decoder share; null if the fields are acceptable. */
    static String check(
            int mode,
            long size,
            int atimeNanos,
            int mtimeNanos,
            int ctimeNanos,
            boolean birthtimeAvailable,
            long birthtimeSeconds,
            int birthtimeNanos) {
        if ((mode & ~0xFFFF) != 0) {
            return "stat mode " + Message.hex8(mode) + " has bits above the 16 of st_mode";
        }
        if (size < 0) {
            return "stat size " + size + " is negative";
        }
        String problem = checkNanos("atime", atimeNanos);
        problem = problem != null ? problem : checkNanos("mtime", mtimeNanos);
        problem = problem != null ? problem : checkNanos("ctime", ctimeNanos);
        problem = problem != null ? problem : checkNanos("birth time", birthtimeNanos);
        if (problem == null && !birthtimeAvailable && (birthtimeSeconds != 0 || birthtimeNanos != 0)) {
            // One encoding per value: an absent birth time is all zero.
            problem = "stat has a birth time but says none is available";
        }
        return problem;
    }

    private static String checkNanos(String what, int nanos) {
        if (nanos < 0 || nanos >= NANOS_PER_SECOND) {
            return "stat " + what + " nanoseconds " + nanos + " out of range 0..999999999";
        }
        return null;
    }

    /** Whether this is the status of a symbolic link. */
    public boolean isSymbolicLink() {
        return (mode & S_IFMT) == S_IFLNK;
    }

    /**
     * The fields in the order the agent's bridge fills them into the JDK's attributes (it sees no
     * ipc types, only a {@code long[]}): mode, ino, dev, rdev, nlink, uid, gid, size, atime s/ns,
     * mtime s/ns, ctime s/ns, birth time s/ns, and 1 or 0 for whether the birth time is available.
     */
    public long[] toArray() {
        return new long[] {
            mode,
            ino,
            dev,
            rdev,
            nlink,
            uid,
            gid,
            size,
            atimeSeconds,
            atimeNanos,
            mtimeSeconds,
            mtimeNanos,
            ctimeSeconds,
            ctimeNanos,
            birthtimeSeconds,
            birthtimeNanos,
            birthtimeAvailable ? 1 : 0
        };
    }
}
