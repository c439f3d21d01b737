/*
 * Advice template: compiled as a member of java.base and packaged as a resource; ByteBuddy reads
 * it through a TypePool and inlines its code. It is never loaded as a class (it names the
 * package-private UnixException and UnixPath, which only code inside sun.nio.fs may do).
 */
package sun.nio.fs;

import java.io.AirlockBridge;
import net.bytebuddy.asm.Advice;

/**
 * Exit advice for {@code UnixNativeDispatcher#statvfs(UnixPath, UnixFileStoreAttributes)}
 * (FileStore's getTotalSpace, getUsableSpace, getUnallocatedSpace, getBlockSize): statvfs(2) on a
 * path is not confined by Landlock, and fails where the helper's user cannot search a parent. So
 * outside the direct roots the broker decides, as the SecurityManager did (read on the file,
 * checked with the FileStore's own): it resolves the path as a STAT that follows links and sends
 * an O_PATH descriptor, and the JDK's own statvfs runs on the helper's {@code /proc/self/fd/N}
 * (a direct root), which reaches the file system of the file the broker resolved and needs no
 * search right on its parents. A denial is the JDK's AccessDeniedException.
 */
final class AirlockUnixStatvfsAdvice {

    private AirlockUnixStatvfsAdvice() {}

    @Advice.OnMethodExit(onThrowable = UnixException.class)
    static void exit(
            @Advice.Argument(0) UnixPath path,
            @Advice.Argument(1) UnixFileStoreAttributes attributes,
            @Advice.Thrown(readOnly = false) Throwable thrown)
            throws Exception {
        String name = Util.toString(path.getByteArrayForSysCalls());
        if (!AirlockBridge.direct(name)) {
            // Throws the denial (or the broker's errno) as the JDK's UnixException.
            int fd = AirlockBridge.nioStat(name, false);
            try {
                UnixNativeDispatcher.statvfs(new UnixPath(path.getFileSystem(), "/proc/self/fd/" + fd), attributes);
            } finally {
                UnixNativeDispatcher.close(fd);
            }
            thrown = null;
        }
    }
}
