/*
 * Advice template: compiled as a member of java.base and packaged as a resource; ByteBuddy reads
 * it through a TypePool and inlines its code. It is never loaded as a class (it names the
 * package-private UnixException and UnixPath, which only code inside sun.nio.fs may do).
 */
package sun.nio.fs;

import java.io.AirlockBridge;
import net.bytebuddy.asm.Advice;

/**
 * Exit advice for the one-path changes of {@code UnixNativeDispatcher}: {@code unlink(UnixPath)}
 * and {@code rmdir(UnixPath)} (see dev.airlock.agent.Hooks). Routed when the kernel refused
 * (EACCES, EPERM), or whenever it failed outside the direct roots, where any other errno
 * (ENOENT, ENOTEMPTY) is the policy's to reveal; the broker's answer replaces the JDK's failure.
 */
final class AirlockUnixChangeAdvice {

    private AirlockUnixChangeAdvice() {}

    @Advice.OnMethodExit(onThrowable = UnixException.class)
    static void exit(
            @Advice.Origin("#m") String method,
            @Advice.Argument(0) UnixPath path,
            @Advice.Thrown(readOnly = false) Throwable thrown)
            throws Exception {
        if (thrown instanceof UnixException) {
            String name = Util.toString(path.getByteArrayForSysCalls());
            int errno = ((UnixException) thrown).errno();
            if (errno == 13 /* EACCES */ || errno == 1 /* EPERM */ || !AirlockBridge.direct(name)) {
                AirlockBridge.nio(AirlockBridge.UNLINK, name, null, method.equals("rmdir"), 0, 0, 0);
                thrown = null;
            }
        }
    }
}
