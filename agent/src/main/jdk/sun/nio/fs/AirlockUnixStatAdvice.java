/*
 * Advice template: compiled as a member of java.base and packaged as a resource; ByteBuddy reads
 * it through a TypePool and inlines its code. It is never loaded as a class (it names the
 * package-private UnixException and UnixPath, which only code inside sun.nio.fs may do).
 */
package sun.nio.fs;

import java.io.AirlockBridge;
import net.bytebuddy.asm.Advice;

/**
 * Exit advice for {@code UnixNativeDispatcher#stat(UnixPath, UnixFileAttributes)} and
 * {@code #lstat} (see dev.airlock.agent.Hooks): outside the direct roots the broker's answer
 * replaces the JDK's, whatever that was, because Landlock does not confine stat. The broker
 * sends an O_PATH descriptor of the file it resolved beneath the grant; the JDK's own
 * {@code fstat} fills the attributes from it, so they are exactly what the JDK would have read.
 * For a symbolic link whose target the policy does not let the helper read, the broker sends
 * the link's status instead of a descriptor, and the bridge fills the attributes from it.
 */
final class AirlockUnixStatAdvice {

    private AirlockUnixStatAdvice() {}

    @Advice.OnMethodExit(onThrowable = UnixException.class)
    static void exit(
            @Advice.Origin("#m") String method,
            @Advice.Argument(0) UnixPath path,
            @Advice.Argument(1) UnixFileAttributes attributes,
            @Advice.Thrown(readOnly = false) Throwable thrown)
            throws Exception {
        String name = Util.toString(path.getByteArrayForSysCalls());
        if (!AirlockBridge.direct(name)) {
            int fd = AirlockBridge.nioStat(name, method.equals("lstat"), attributes);
            if (fd >= 0) {
                try {
                    UnixNativeDispatcher.fstat(fd, attributes);
                } finally {
                    UnixNativeDispatcher.close(fd);
                }
            }
            thrown = null;
        }
    }
}
