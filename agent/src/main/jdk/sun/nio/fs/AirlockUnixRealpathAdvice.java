/*
 * Advice template: compiled as a member of java.base and packaged as a resource; ByteBuddy reads
 * it through a TypePool and inlines its code. It is never loaded as a class (it names the
 * package-private UnixException and UnixPath, which only code inside sun.nio.fs may do).
 */
package sun.nio.fs;

import java.io.AirlockBridge;
import net.bytebuddy.asm.Advice;

/**
 * Exit advice for {@code UnixNativeDispatcher#realpath(UnixPath)} (Path.toRealPath): realpath(3)
 * resolves with lstat and readlink, which Landlock does not confine, so outside the direct roots
 * the broker is asked first whether the policy lets this process look at the path (STAT, decided
 * as read). A denial replaces the JDK's answer; otherwise the JDK's own answer stands.
 */
final class AirlockUnixRealpathAdvice {

    private AirlockUnixRealpathAdvice() {}

    @Advice.OnMethodExit(onThrowable = UnixException.class)
    static void exit(@Advice.Argument(0) UnixPath path) throws Exception {
        String name = Util.toString(path.getByteArrayForSysCalls());
        if (!AirlockBridge.direct(name)) {
            // Throws the denial (or the broker's errno); a granted path keeps the JDK's result.
            UnixNativeDispatcher.close(AirlockBridge.nioStat(name, false));
        }
    }
}
