/*
 * Advice template: compiled as a member of java.base and packaged as a resource; ByteBuddy reads
 * it through a TypePool and inlines its code. It is never loaded as a class (it names the
 * package-private UnixException and UnixPath, which only code inside sun.nio.fs may do).
 */
package sun.nio.fs;

import java.io.AirlockBridge;
import net.bytebuddy.asm.Advice;

/**
 * Exit advice for {@code UnixNativeDispatcher#open(UnixPath, int, int)} (see
 * dev.airlock.agent.Hooks).
 *
 * <p>Routed only when the direct open failed with EACCES or EPERM, the errnos by which Landlock,
 * seccomp and file modes refuse; any other errno (ENOENT, ELOOP, EEXIST...) is the file system's
 * own answer and stands, except ENOENT beneath a directory the broker covered to show the class
 * path (AirlockBridge#hidden), where it means only that the helper's view holds nothing. The flags are already Linux open(2) flags and go to the broker as they
 * are. Failures are thrown by the bridge from inside this advice, replacing the JDK's: a plain
 * errno from the broker as the JDK's own {@code UnixException}, so callers translate it exactly as
 * a native failure (NoSuchFileException and so on); a policy denial as an
 * {@code AccessDeniedException} carrying the reason.
 */
final class AirlockUnixOpenAdvice {

    private AirlockUnixOpenAdvice() {}

    @Advice.OnMethodExit(onThrowable = UnixException.class)
    static void exit(
            @Advice.Argument(0) UnixPath path,
            @Advice.Argument(1) int flags,
            @Advice.Argument(2) int mode,
            @Advice.Return(readOnly = false) int fd,
            @Advice.Thrown(readOnly = false) Throwable thrown)
            throws Exception {
        if (thrown instanceof UnixException) {
            int errno = ((UnixException) thrown).errno();
            if (errno == 13 /* EACCES */
                    || errno == 1 /* EPERM */
                    || (errno == 2 /* ENOENT */
                            && AirlockBridge.hidden(Util.toString(path.getByteArrayForSysCalls())))) {
                // The bytes the native open0 received (relative, or "." for an empty path), and
                // the text the JDK puts in its exception messages.
                int r = AirlockBridge.openNio(
                        AirlockBridge.NIO_OPEN,
                        Util.toString(path.getByteArrayForSysCalls()),
                        path.getPathForExceptionMessage(),
                        flags,
                        mode);
                if (r != AirlockBridge.NOT_ROUTED) {
                    fd = r;
                    thrown = null;
                }
            }
        }
    }
}
