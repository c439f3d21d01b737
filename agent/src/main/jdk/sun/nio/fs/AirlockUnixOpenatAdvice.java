/*
 * Advice template: compiled as a member of java.base and packaged as a resource; ByteBuddy reads
 * it through a TypePool and inlines its code. It is never loaded as a class.
 */
package sun.nio.fs;

import java.io.AirlockBridge;
import net.bytebuddy.asm.Advice;

/**
 * Exit advice for {@code UnixNativeDispatcher#openat(int, byte[], int, int)} (see
 * dev.airlock.agent.Hooks).
 *
 * <p>Routed only for {@code AT_FDCWD}, where the path means what it would mean to open(2). With a
 * real directory descriptor (the JDK passes one from {@code SecureDirectoryStream}) the path is
 * relative to a directory that only this process can name: the broker cannot know what that
 * descriptor refers to, and resolving it here (readlink of /proc/self/fd) would be a
 * resolve-then-open race, so the kernel's refusal stands. Consequence (a known limit): under
 * confinement, {@code SecureDirectoryStream} opens relative to a directory outside the helper's
 * own grants fail with AccessDeniedException even where the policy would allow the file.
 */
final class AirlockUnixOpenatAdvice {

    private AirlockUnixOpenatAdvice() {}

    @Advice.OnMethodExit(onThrowable = UnixException.class)
    static void exit(
            @Advice.Argument(0) int dfd,
            @Advice.Argument(1) byte[] path,
            @Advice.Argument(2) int flags,
            @Advice.Argument(3) int mode,
            @Advice.Return(readOnly = false) int fd,
            @Advice.Thrown(readOnly = false) Throwable thrown)
            throws Exception {
        if (thrown instanceof UnixException && dfd == -100 /* AT_FDCWD on Linux */) {
            int errno = ((UnixException) thrown).errno();
            String name = Util.toString(path);
            if (errno == 13 /* EACCES */
                    || errno == 1 /* EPERM */
                    || (errno == 2 /* ENOENT */ && AirlockBridge.hidden(name))) {
                int r = AirlockBridge.openNio(AirlockBridge.NIO_OPENAT, name, name, flags, mode);
                if (r != AirlockBridge.NOT_ROUTED) {
                    fd = r;
                    thrown = null;
                }
            }
        }
    }
}
