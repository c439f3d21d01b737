/*
 * Advice template: compiled as a member of java.base and packaged as a resource; ByteBuddy reads
 * it through a TypePool and inlines its code. It is never loaded as a class (it names the
 * package-private UnixException and UnixPath, which only code inside sun.nio.fs may do).
 */
package sun.nio.fs;

import java.io.AirlockBridge;
import net.bytebuddy.asm.Advice;

/**
 * Exit advice for {@code UnixNativeDispatcher#opendir(UnixPath)}: when the kernel refused, or
 * outside the direct roots when it failed otherwise, the broker opens the directory (decided as
 * read) and the JDK reads it through {@code fdopendir} on that descriptor.
 */
final class AirlockUnixOpendirAdvice {

    private AirlockUnixOpendirAdvice() {}

    @Advice.OnMethodExit(onThrowable = UnixException.class)
    static void exit(
            @Advice.Argument(0) UnixPath path,
            @Advice.Return(readOnly = false) long dir,
            @Advice.Thrown(readOnly = false) Throwable thrown)
            throws Exception {
        if (thrown instanceof UnixException) {
            String name = Util.toString(path.getByteArrayForSysCalls());
            int errno = ((UnixException) thrown).errno();
            if (errno == 13 /* EACCES */ || errno == 1 /* EPERM */ || !AirlockBridge.direct(name)) {
                int fd = AirlockBridge.openNio(
                        AirlockBridge.NIO_OPEN,
                        name,
                        path.getPathForExceptionMessage(),
                        0200000 /* O_RDONLY | O_DIRECTORY */,
                        0);
                if (fd != AirlockBridge.NOT_ROUTED) {
                    try {
                        dir = UnixNativeDispatcher.fdopendir(fd);
                    } catch (UnixException e) {
                        UnixNativeDispatcher.close(fd);
                        throw e;
                    }
                    thrown = null;
                }
            }
        }
    }
}
