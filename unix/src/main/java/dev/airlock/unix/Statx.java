package dev.airlock.unix;

/**
 * What {@code statx(2)} reports of a file: every field the JDK's {@code UnixFileAttributes} holds,
 * the devices encoded as glibc's {@code makedev} (as stat(2) and the JDK report them), times as
 * seconds and nanoseconds since the epoch, and the birth time only when the file system reported
 * one (STATX_BTIME; both birth fields are 0 otherwise). A plain value of the kernel's answer: the
 * wire protocol carries its own copy of these fields, so that the protocol depends on no binding.
 */
public record Statx(
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
        int birthtimeNanos) {}
