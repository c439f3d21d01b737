/*
 * Compiled as a member of java.base and packaged as a resource; the bridge defines it inside
 * java.base, in sun.nio.fs (same runtime package as UnixException), when the agent installs it.
 */
package sun.nio.fs;

import java.io.AirlockBridge;

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
 */
final class AirlockUnixException extends UnixException {

    private static final long serialVersionUID = 1L;

    AirlockUnixException(int errno) {
        super(errno);
    }

    @Override
    String errorString() {
        return AirlockBridge.strerror(errno());
    }
}
