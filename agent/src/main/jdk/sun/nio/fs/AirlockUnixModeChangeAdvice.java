/*
 * Advice template: compiled as a member of java.base and packaged as a resource; ByteBuddy reads
 * it through a TypePool and inlines its code. It is never loaded as a class (it names the
 * package-private UnixException and UnixPath, which only code inside sun.nio.fs may do).
 */
package sun.nio.fs;

import java.io.AirlockBridge;
import net.bytebuddy.asm.Advice;

/**
 * Exit advice for {@code UnixNativeDispatcher#mkdir(UnixPath, int)} and
 * {@code #chmod(UnixPath, int)}: routed as {@link AirlockUnixChangeAdvice} explains, with the
 * mode the JDK passed.
 */
final class AirlockUnixModeChangeAdvice {

    private AirlockUnixModeChangeAdvice() {}

    @Advice.OnMethodExit(onThrowable = UnixException.class)
    static void exit(
            @Advice.Origin("#m") String method,
            @Advice.Argument(0) UnixPath path,
            @Advice.Argument(1) int mode,
            @Advice.Thrown(readOnly = false) Throwable thrown)
            throws Exception {
        if (thrown instanceof UnixException) {
            String name = Util.toString(path.getByteArrayForSysCalls());
            int errno = ((UnixException) thrown).errno();
            if (errno == 13 /* EACCES */ || errno == 1 /* EPERM */ || !AirlockBridge.direct(name)) {
                int op = method.equals("mkdir") ? AirlockBridge.MKDIR : AirlockBridge.CHMOD;
                AirlockBridge.nio(op, name, null, false, mode, 0, 0);
                thrown = null;
            }
        }
    }
}
