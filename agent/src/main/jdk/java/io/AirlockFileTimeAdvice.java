/*
 * Advice template: compiled as a member of java.base and packaged as a resource; ByteBuddy reads
 * it through a TypePool and inlines its code. It is never loaded as a class.
 */
package java.io;

import net.bytebuddy.asm.Advice;

/** Exit advice for {@code File#setLastModified(long)}: a failure is asked of the broker. */
final class AirlockFileTimeAdvice {

    private AirlockFileTimeAdvice() {}

    @Advice.OnMethodExit
    static void exit(
            @Advice.This File self, @Advice.Argument(0) long time, @Advice.Return(readOnly = false) boolean result) {
        if (!result) {
            result = AirlockBridge.ioBoolean(AirlockBridge.IO_SET_LAST_MODIFIED, self.getPath(), null, 0, time);
        }
    }
}
