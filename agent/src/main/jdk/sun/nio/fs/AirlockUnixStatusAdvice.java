/*
 * Advice template: compiled as a member of java.base and packaged as a resource; ByteBuddy reads
 * it through a TypePool and inlines its code. It is never loaded as a class (it names the
 * package-private UnixException and UnixPath, which only code inside sun.nio.fs may do).
 */
package sun.nio.fs;

import java.io.AirlockBridge;
import net.bytebuddy.asm.Advice;

/**
 * Exit advice for JDK 25's {@code UnixNativeDispatcher#stat2(UnixPath, UnixFileAttributes)},
 * which returns an errno instead of throwing: outside the direct roots the broker answers, as
 * for {@link AirlockUnixStatAdvice}.
 */
final class AirlockUnixStatusAdvice {

    private AirlockUnixStatusAdvice() {}

    @Advice.OnMethodExit
    static void exit(
            @Advice.Argument(0) UnixPath path,
            @Advice.Argument(1) UnixFileAttributes attributes,
            @Advice.Return(readOnly = false) int errno) {
        String name = Util.toString(path.getByteArrayForSysCalls());
        if (!AirlockBridge.direct(name)) {
            int fd = AirlockBridge.nioStatus(AirlockBridge.STAT, name, false, 0);
            if (fd < 0) {
                errno = -fd;
            } else {
                try {
                    UnixNativeDispatcher.fstat(fd, attributes);
                    errno = 0;
                } catch (UnixException e) {
                    errno = e.errno();
                } finally {
                    UnixNativeDispatcher.close(fd);
                }
            }
        }
    }
}
