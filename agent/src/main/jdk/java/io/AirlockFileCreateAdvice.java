/*
 * Advice template: compiled as a member of java.base and packaged as a resource; ByteBuddy reads
 * it through a TypePool and inlines its code. It is never loaded as a class.
 */
package java.io;

import net.bytebuddy.asm.Advice;

/**
 * Exit advice for {@code File#createNewFile()}: a failure (an IOException, or false outside the
 * direct roots, where "it exists" is for the policy to reveal) is asked of the broker, whose
 * answer stands: true, false when the file exists, or the JDK's IOException.
 */
final class AirlockFileCreateAdvice {

    private AirlockFileCreateAdvice() {}

    @Advice.OnMethodExit(onThrowable = IOException.class)
    static void exit(
            @Advice.This File self,
            @Advice.Return(readOnly = false) boolean result,
            @Advice.Thrown(readOnly = false) Throwable thrown)
            throws IOException {
        String path = self.getPath();
        if (thrown instanceof IOException || (thrown == null && !result && !AirlockBridge.direct(path))) {
            result = AirlockBridge.ioThrowing(AirlockBridge.IO_CREATE, path, null, 0) == Boolean.TRUE;
            thrown = null;
        }
    }
}
