package dev.airlock.agent;

import java.io.IOException;

/**
 * What the agent asks when the kernel refused a direct open: the seam between the advice (through
 * {@link Router}) and the broker client.
 *
 * <p>The agent never decides policy: it consults an opener only after the JDK's own direct open
 * failed, and passes on what the opener answers. Production wraps the helper's broker client
 * ({@link BrokerOpener}); tests substitute a fake. Called from whichever application thread is
 * opening a file, concurrently; an open the opener itself performs while answering is not routed
 * back into it (its direct failure stands).
 */
interface Opener {

    /**
     * Opens {@code absolutePath} as open(2) would with {@code linuxFlags} and {@code mode}.
     *
     * @param absolutePath an absolute path, made so lexically (no normalisation) by the agent
     * @param linuxFlags Linux open(2) flags (O_RDONLY, O_CREAT, O_APPEND, ...)
     * @param mode the creation mode (0666 for java.io; whatever NIO asked)
     * @param refuseDirectory true for java.io, whose native open fails with EISDIR on a directory
     * @return an open descriptor, {@code >= 0}, now owned by the caller; or a negative errno
     *     ({@code -ENOENT}, {@code -EISDIR}, ...) for a plain failure
     * @throws PolicyDenied when the broker's policy refused; carries the reason
     * @throws IOException when the broker cannot be reached ("airlock broker is gone"): the caller
     *     fails closed and never falls back to a direct open
     */
    int open(String absolutePath, int linuxFlags, int mode, boolean refuseDirectory)
            throws IOException;

    /**
     * Sends one metadata or mutation request (an ipc {@code Message} type from STAT to TRUNCATE),
     * with the arguments of {@code dev.airlock.helper.BrokerClient#call}.
     *
     * @return a descriptor (STAT, now owned by the caller), data (READLINK) or {@code TRUE}; or an
     *     {@code Integer} holding a negative errno for a plain failure
     * @throws PolicyDenied when the broker's policy refused; carries the reason
     * @throws IOException when the broker cannot be reached: the caller fails closed
     */
    default Object call(int type, String absolutePath, String second, boolean flag, int mode, long first, long last)
            throws IOException {
        // An opener that serves only opens (the agent's own tests use such fakes) answers as a
        // kernel without the call would.
        return -dev.airlock.ipc.Errno.ENOSYS;
    }

    /**
     * Asks for an inotify watch on a directory (ipc {@code WATCH}): the broker adds it to this
     * process's inotify instance {@code inotifyFd}, which travels with the request and stays the
     * caller's.
     *
     * @param mask inotify event bits, a subset of the ipc {@code Message.WATCH_EVENTS}
     * @return the watch descriptor ({@code >= 1}), or a negative errno for a plain failure
     * @throws PolicyDenied when the broker's policy refused read on the directory
     * @throws IOException when the broker cannot be reached: the caller fails closed
     */
    default int watch(int inotifyFd, String absolutePath, int mask) throws IOException {
        return -dev.airlock.ipc.Errno.ENOSYS;
    }
}
