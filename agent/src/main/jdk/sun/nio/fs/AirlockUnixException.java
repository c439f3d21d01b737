/*
 * Compiled as a member of java.base and packaged as a resource; the bridge defines it inside
 * java.base, in sun.nio.fs (same runtime package as UnixException), when the agent installs it.
 */
package sun.nio.fs;

import java.io.AirlockBridge;
import java.io.IOException;
import java.nio.file.AccessDeniedException;

/**
 * The JDK's {@code UnixException} for an errno that came from the broker.
 *
 * <p>A plain {@code new UnixException(errno)} would be translated by type correctly (ENOENT to
 * NoSuchFileException and so on) but worded wrongly where the JDK falls back to the errno's text:
 * {@code errorString()} calls {@code UnixNativeDispatcher.strerror(errno)}, whose native ignores
 * its argument and words the thread's current errno (JDK 17.0.15 and 25.0.3), which for a routed
 * failure is that of some later system call. Setting the message field instead is no way out:
 * the JDK translates an exception with a message into a plain IOException. So this subclass keeps
 * the errno semantics and overrides only the wording, with glibc's text for the current errno
 * (callers may change it with {@code setError}).
 *
 * <p>A policy denial (EACCES with the policy's reason) stays a {@code UnixException}, since some
 * of the JDK's callers catch only that type (the watch service's poller, {@code UnixFileStore}),
 * but where the JDK turns it into an {@code IOException} for the program (the
 * {@code rethrowAsIOException} and {@code asIOException} family, which every
 * {@code java.nio.file.Files} operation uses) it becomes {@code AccessDeniedException(FILE,
 * OTHER, reason)}, as a denied open already reads, instead of the JDK's reason-less one.
 */
final class AirlockUnixException extends UnixException {

    private static final long serialVersionUID = 1L;

    /** The policy's reason for a denial ("denied by airlock policy NAME: ACTIONS"), else null. */
    private final String denial;

    AirlockUnixException(int errno) {
        this(errno, null);
    }

    AirlockUnixException(int errno, String denial) {
        super(errno);
        this.denial = denial;
    }

    @Override
    void rethrowAsIOException(UnixPath file, UnixPath other) throws IOException {
        if (denied()) {
            throw new AccessDeniedException(
                    file.getPathForExceptionMessage(),
                    other == null ? null : other.getPathForExceptionMessage(),
                    denial);
        }
        super.rethrowAsIOException(file, other);
    }

    @Override
    void rethrowAsIOException(UnixPath file) throws IOException {
        rethrowAsIOException(file, null);
    }

    @Override
    IOException asIOException(UnixPath file) {
        if (denied()) {
            return new AccessDeniedException(file.getPathForExceptionMessage(), null, denial);
        }
        return super.asIOException(file);
    }

    /** Whether this is still the policy's denial (a caller may have changed the errno with setError). */
    private boolean denied() {
        return denial != null && errno() == 13 /* EACCES */;
    }

    @Override
    String errorString() {
        return AirlockBridge.strerror(errno());
    }
}
