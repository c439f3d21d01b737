/*
 * Advice template: compiled as a member of java.base and packaged as a resource; ByteBuddy reads
 * it through a TypePool and inlines its code. It is never loaded as a class (it names the
 * package-private UnixException and UnixPath, which only code inside sun.nio.fs may do).
 */
package sun.nio.fs;

import java.io.AirlockBridge;
import net.bytebuddy.asm.Advice;

/**
 * Exit advice for {@code UnixNativeDispatcher#rename(UnixPath from, UnixPath to)} and
 * {@code #link(UnixPath existing, UnixPath newfile)}: routed as {@link AirlockUnixChangeAdvice}
 * explains, when either path lies outside the direct roots. The broker decides write on both
 * names, as the SecurityManager did.
 */
final class AirlockUnixTwoPathAdvice {

    private AirlockUnixTwoPathAdvice() {}

    @Advice.OnMethodExit(onThrowable = UnixException.class)
    static void exit(
            @Advice.Origin("#m") String method,
            @Advice.Argument(0) UnixPath first,
            @Advice.Argument(1) UnixPath second,
            @Advice.Thrown(readOnly = false) Throwable thrown)
            throws Exception {
        if (thrown instanceof UnixException) {
            String a = Util.toString(first.getByteArrayForSysCalls());
            String b = Util.toString(second.getByteArrayForSysCalls());
            int errno = ((UnixException) thrown).errno();
            if (errno == 13 /* EACCES */
                    || errno == 1 /* EPERM */
                    || !AirlockBridge.direct(a)
                    || !AirlockBridge.direct(b)) {
                if (method.equals("rename")) {
                    AirlockBridge.nio(AirlockBridge.RENAME, a, b, false, 0, 0, 0);
                } else {
                    AirlockBridge.nio(AirlockBridge.LINK, b, a, false, 0, 0, 0);
                }
                thrown = null;
            }
        }
    }
}
