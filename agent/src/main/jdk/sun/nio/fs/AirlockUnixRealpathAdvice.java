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
 * resolves with lstat and readlink, which Landlock does not confine, and fails where the helper's
 * user cannot search a parent the broker's can. So outside the direct roots the broker's answer
 * replaces the JDK's, whatever that was: the broker resolves the path as a STAT that follows links
 * (decided as read; every link decided by the policy, as for an open) and sends an O_PATH
 * descriptor of the file it reached, and the real path is the kernel's name of that descriptor,
 * read from the helper's own {@code /proc/self/fd} (a direct root), which needs no search right on
 * any parent. Where the policy lets every link be followed this is what realpath(3) answers
 * outside; a denial is the JDK's AccessDeniedException, as before. A file removed meanwhile is
 * ENOENT, as realpath(3) would say.
 */
final class AirlockUnixRealpathAdvice {

    private AirlockUnixRealpathAdvice() {}

    @Advice.OnMethodExit(onThrowable = UnixException.class)
    static void exit(
            @Advice.Argument(0) UnixPath path,
            @Advice.Return(readOnly = false) byte[] real,
            @Advice.Thrown(readOnly = false) Throwable thrown)
            throws Exception {
        String name = Util.toString(path.getByteArrayForSysCalls());
        if (!AirlockBridge.direct(name)) {
            // Throws the denial (or the broker's errno) as the JDK's UnixException.
            int fd = AirlockBridge.nioStat(name, false);
            try {
                byte[] link = UnixNativeDispatcher.readlink(new UnixPath(path.getFileSystem(), "/proc/self/fd/" + fd));
                if (UnixFileAttributes.get(fd).nlink() == 0) {
                    // The kernel names a removed file "PATH (deleted)"; realpath(3) finds nothing.
                    throw new UnixException(UnixConstants.ENOENT);
                }
                real = link;
            } finally {
                UnixNativeDispatcher.close(fd);
            }
            thrown = null;
        }
    }
}
