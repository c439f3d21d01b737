/*
 * Advice template: compiled as a member of java.base and packaged as a resource; ByteBuddy reads
 * it through a TypePool and inlines its code. It is never loaded as a class (it names the
 * package-private UnixException and UnixPath, which only code inside sun.nio.fs may do).
 */
package sun.nio.fs;

import java.io.AirlockBridge;
import net.bytebuddy.asm.Advice;

/**
 * Exit advice for JDK 25's {@code UnixNativeDispatcher#fchmodat(int, UnixPath, int, int)}, routed
 * as chmod for {@code AT_FDCWD} only (a real directory descriptor names a directory the broker
 * cannot know, as for openat); AT_SYMLINK_NOFOLLOW (0x100) becomes the request's no-follow flag.
 */
final class AirlockUnixFchmodatAdvice {

    private AirlockUnixFchmodatAdvice() {}

    @Advice.OnMethodExit(onThrowable = UnixException.class)
    static void exit(
            @Advice.Argument(0) int dfd,
            @Advice.Argument(1) UnixPath path,
            @Advice.Argument(2) int mode,
            @Advice.Argument(3) int flags,
            @Advice.Thrown(readOnly = false) Throwable thrown)
            throws Exception {
        if (thrown instanceof UnixException && dfd == -100 /* AT_FDCWD */) {
            String name = Util.toString(path.getByteArrayForSysCalls());
            int errno = ((UnixException) thrown).errno();
            if (errno == 13 /* EACCES */ || errno == 1 /* EPERM */ || !AirlockBridge.direct(name)) {
                AirlockBridge.nio(AirlockBridge.CHMOD, name, null, (flags & 0x100) != 0, mode, 0, 0);
                thrown = null;
            }
        }
    }
}
