/*
 * Advice template: compiled as a member of java.base and packaged as a resource; ByteBuddy reads
 * it through a TypePool and inlines its code. It is never loaded as a class (it names the
 * package-private UnixException and UnixPath, which only code inside sun.nio.fs may do).
 */
package sun.nio.fs;

import java.io.AirlockBridge;
import net.bytebuddy.asm.Advice;

/**
 * Exit advice for JDK 25's {@code UnixNativeDispatcher#access(UnixPath, int)}, which returns an
 * errno (Files.exists, isReadable, checkAccess): outside the direct roots the broker answers.
 */
final class AirlockUnixAccessStatusAdvice {

    private AirlockUnixAccessStatusAdvice() {}

    @Advice.OnMethodExit
    static void exit(
            @Advice.Argument(0) UnixPath path,
            @Advice.Argument(1) int mode,
            @Advice.Return(readOnly = false) int errno) {
        String name = Util.toString(path.getByteArrayForSysCalls());
        if (!AirlockBridge.direct(name)) {
            errno = -AirlockBridge.nioStatus(AirlockBridge.ACCESS, name, false, mode);
        }
    }
}
