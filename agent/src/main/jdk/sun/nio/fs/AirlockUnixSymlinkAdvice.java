/*
 * Advice template: compiled as a member of java.base and packaged as a resource; ByteBuddy reads
 * it through a TypePool and inlines its code. It is never loaded as a class (it names the
 * package-private UnixException and UnixPath, which only code inside sun.nio.fs may do).
 */
package sun.nio.fs;

import java.io.AirlockBridge;
import net.bytebuddy.asm.Advice;

/**
 * Exit advice for {@code UnixNativeDispatcher#symlink(byte[] target, UnixPath link)}: routed as
 * {@link AirlockUnixChangeAdvice} explains; the broker decides write on the link and stores the
 * target as it is.
 */
final class AirlockUnixSymlinkAdvice {

    private AirlockUnixSymlinkAdvice() {}

    @Advice.OnMethodExit(onThrowable = UnixException.class)
    static void exit(
            @Advice.Argument(0) byte[] target,
            @Advice.Argument(1) UnixPath link,
            @Advice.Thrown(readOnly = false) Throwable thrown)
            throws Exception {
        if (thrown instanceof UnixException) {
            String name = Util.toString(link.getByteArrayForSysCalls());
            int errno = ((UnixException) thrown).errno();
            if (errno == 13 /* EACCES */ || errno == 1 /* EPERM */ || !AirlockBridge.direct(name)) {
                AirlockBridge.nio(AirlockBridge.SYMLINK, name, Util.toString(target), false, 0, 0, 0);
                thrown = null;
            }
        }
    }
}
