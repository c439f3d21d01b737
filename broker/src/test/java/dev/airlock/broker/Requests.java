package dev.airlock.broker;

import dev.airlock.ipc.HelperDescriptor;
import dev.airlock.ipc.LinkTarget;
import dev.airlock.ipc.Request;
import dev.airlock.ipc.RequestPath;
import dev.airlock.unix.ErrnoException;
import dev.airlock.unix.Fd;
import dev.airlock.unix.Linux;

/** Short factories for the broker tests: each request record from raw path bytes, as the tests' trees give them. */
final class Requests {
    private Requests() {}

    static Request.Open open(byte[] path, int flags, int mode, boolean refuseDirectory) {
        return new Request.Open(RequestPath.of(path), flags, mode, refuseDirectory);
    }

    static Request.Stat stat(byte[] path, boolean noFollow) {
        return new Request.Stat(RequestPath.of(path), noFollow);
    }

    static Request.Access access(byte[] path, int bits) {
        return new Request.Access(RequestPath.of(path), bits);
    }

    static Request.ReadLink readlink(byte[] path) {
        return new Request.ReadLink(RequestPath.of(path));
    }

    static Request.MakeDirectory mkdir(byte[] path, int mode) {
        return new Request.MakeDirectory(RequestPath.of(path), mode);
    }

    static Request.Remove unlink(byte[] path) {
        return new Request.Remove(RequestPath.of(path), Request.RemoveKind.FILE);
    }

    static Request.Remove rmdir(byte[] path) {
        return new Request.Remove(RequestPath.of(path), Request.RemoveKind.DIRECTORY);
    }

    static Request.Remove remove(byte[] path) {
        return new Request.Remove(RequestPath.of(path), Request.RemoveKind.EITHER);
    }

    static Request.Rename rename(byte[] from, byte[] to, boolean noReplace) {
        return new Request.Rename(RequestPath.of(from), RequestPath.of(to), noReplace);
    }

    static Request.Link link(byte[] link, byte[] existing) {
        return new Request.Link(RequestPath.of(link), RequestPath.of(existing));
    }

    static Request.SymbolicLink symlink(byte[] link, byte[] target) {
        return new Request.SymbolicLink(RequestPath.of(link), LinkTarget.of(target));
    }

    static Request.ChangeMode chmod(byte[] path, int mode, boolean noFollow) {
        return new Request.ChangeMode(RequestPath.of(path), mode, noFollow);
    }

    static Request.SetTimes utimens(byte[] path, long accessNanos, long modifiedNanos, boolean noFollow) {
        return new Request.SetTimes(RequestPath.of(path), accessNanos, modifiedNanos, noFollow);
    }

    /** A WATCH naming {@link #NOT_OPEN}: for a server served the instance directly ({@code serve(request, fd)}). */
    static Request.Watch watch(byte[] path, int mask) {
        return new Request.Watch(RequestPath.of(path), mask, NOT_OPEN);
    }

    /** A WATCH naming {@code instance}, one of this process's, as the helper names its own. */
    static Request.Watch watch(byte[] path, int mask, Fd instance) {
        return new Request.Watch(RequestPath.of(path), mask, named(instance));
    }

    /**
     * A number no test process has open (far above what a JVM opens), for requests whose
     * descriptor the server is handed directly or that must find none.
     */
    static final HelperDescriptor NOT_OPEN = new HelperDescriptor(1 << 20);

    /**
     * This process's descriptors, for a request loop in the test process, which plays the helper
     * too: one pidfd, opened once and kept for the test JVM's life.
     */
    static HelperDescriptors ownDescriptors() {
        return Own.DESCRIPTORS;
    }

    private static final class Own {
        static final HelperDescriptors DESCRIPTORS;

        static {
            try {
                DESCRIPTORS = HelperDescriptors.open(Linux.getpid());
            } catch (ErrnoException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    /** {@code fd}, named as a request names one of the helper's. */
    static HelperDescriptor named(Fd fd) {
        return new HelperDescriptor(fd.get());
    }
}
