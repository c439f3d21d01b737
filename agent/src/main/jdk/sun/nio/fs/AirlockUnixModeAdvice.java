/*
 * Advice template: compiled as a member of java.base and packaged as a resource; ByteBuddy reads
 * it through a TypePool and inlines its code. It is never loaded as a class (it names the
 * package-private UnixException and UnixPath, which only code inside sun.nio.fs may do).
 */
package sun.nio.fs;

import java.io.AirlockBridge;
import net.bytebuddy.asm.Advice;

/**
 * Exit advice for JDK 17's {@code UnixNativeDispatcher#stat(UnixPath)}, which returns the mode
 * or 0 when stat fails (isDirectory, isRegularFile): outside the direct roots the broker answers.
 */
final class AirlockUnixModeAdvice {

    private AirlockUnixModeAdvice() {}

    @Advice.OnMethodExit
    static void exit(@Advice.Argument(0) UnixPath path, @Advice.Return(readOnly = false) int mode) {
        String name = Util.toString(path.getByteArrayForSysCalls());
        if (!AirlockBridge.direct(name)) {
            int fd = AirlockBridge.nioStatus(AirlockBridge.STAT, name, false, 0);
            if (fd < 0) {
                mode = 0;
            } else {
                try {
                    mode = UnixFileAttributes.get(fd).mode();
                } catch (UnixException e) {
                    mode = 0;
                } finally {
                    UnixNativeDispatcher.close(fd);
                }
            }
        }
    }
}
