/*
 * Advice template: compiled as a member of java.base and packaged as a resource; ByteBuddy reads
 * it through a TypePool and inlines its code. It is never loaded as a class (it names the
 * package-private UnixException and UnixPath, which only code inside sun.nio.fs may do).
 */
package sun.nio.fs;

import java.io.AirlockBridge;
import net.bytebuddy.asm.Advice;

/**
 * Exit advice for JDK 17's {@code UnixNativeDispatcher#access(UnixPath, int)}, which throws:
 * outside the direct roots the broker's answer replaces the JDK's (Landlock does not confine
 * access(2); the broker checks the policy, then access as its own user).
 */
final class AirlockUnixAccessAdvice {

    private AirlockUnixAccessAdvice() {}

    @Advice.OnMethodExit(onThrowable = UnixException.class)
    static void exit(
            @Advice.Argument(0) UnixPath path,
            @Advice.Argument(1) int mode,
            @Advice.Thrown(readOnly = false) Throwable thrown)
            throws Exception {
        String name = Util.toString(path.getByteArrayForSysCalls());
        if (!AirlockBridge.direct(name)) {
            AirlockBridge.nio(AirlockBridge.ACCESS, name, null, false, mode, 0, 0);
            thrown = null;
        }
    }
}
