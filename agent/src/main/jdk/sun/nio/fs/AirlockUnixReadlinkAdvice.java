/*
 * Advice template: compiled as a member of java.base and packaged as a resource; ByteBuddy reads
 * it through a TypePool and inlines its code. It is never loaded as a class (it names the
 * package-private UnixException and UnixPath, which only code inside sun.nio.fs may do).
 */
package sun.nio.fs;

import java.io.AirlockBridge;
import net.bytebuddy.asm.Advice;

/**
 * Exit advice for {@code UnixNativeDispatcher#readlink(UnixPath)}: outside the direct roots the
 * broker's answer replaces the JDK's (Landlock does not confine readlink(2)).
 */
final class AirlockUnixReadlinkAdvice {

    private AirlockUnixReadlinkAdvice() {}

    @Advice.OnMethodExit(onThrowable = UnixException.class)
    static void exit(
            @Advice.Argument(0) UnixPath path,
            @Advice.Return(readOnly = false) byte[] target,
            @Advice.Thrown(readOnly = false) Throwable thrown)
            throws Exception {
        String name = Util.toString(path.getByteArrayForSysCalls());
        if (!AirlockBridge.direct(name)) {
            target = (byte[]) AirlockBridge.nio(AirlockBridge.READLINK, name, null, false, 0, 0, 0);
            thrown = null;
        }
    }
}
