/*
 * Advice template: compiled as a member of java.base and packaged as a resource; ByteBuddy reads
 * it through a TypePool and inlines its code. It is never loaded as a class (it names the
 * package-private UnixException and UnixPath, which only code inside sun.nio.fs may do).
 */
package sun.nio.fs;

import java.io.AirlockBridge;
import net.bytebuddy.asm.Advice;

/**
 * Exit advice for JDK 17's {@code UnixNativeDispatcher#exists(UnixPath)} (Files.exists):
 * outside the direct roots the broker answers; a denial is "does not exist", as the JDK says of
 * a file it cannot see.
 */
final class AirlockUnixExistsAdvice {

    private AirlockUnixExistsAdvice() {}

    @Advice.OnMethodExit
    static void exit(@Advice.Argument(0) UnixPath path, @Advice.Return(readOnly = false) boolean exists) {
        String name = Util.toString(path.getByteArrayForSysCalls());
        if (!AirlockBridge.direct(name)) {
            int fd = AirlockBridge.nioStatus(AirlockBridge.STAT, name, false, 0);
            exists = fd >= 0;
            if (fd >= 0) {
                UnixNativeDispatcher.close(fd);
            }
        }
    }
}
