/*
 * Advice template: compiled as a member of java.base and packaged as a resource; ByteBuddy reads
 * it through a TypePool and inlines its code. It is never loaded as a class.
 */
package java.io;

import net.bytebuddy.asm.Advice;

/** Exit advice for {@code File#renameTo(File)}: a failed rename is asked of the broker. */
final class AirlockFileRenameAdvice {

    private AirlockFileRenameAdvice() {}

    @Advice.OnMethodExit
    static void exit(
            @Advice.This File self, @Advice.Argument(0) File dest, @Advice.Return(readOnly = false) boolean result) {
        if (!result) {
            result = AirlockBridge.ioBoolean(AirlockBridge.IO_RENAME, self.getPath(), dest.getPath(), 0, 0);
        }
    }
}
