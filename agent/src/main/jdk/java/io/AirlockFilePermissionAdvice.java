/*
 * Advice template: compiled as a member of java.base and packaged as a resource; ByteBuddy reads
 * it through a TypePool and inlines its code. It is never loaded as a class.
 */
package java.io;

import net.bytebuddy.asm.Advice;

/**
 * Exit advice for {@code File#setReadable/setWritable/setExecutable(boolean, boolean)} (the
 * one-argument forms call these): a failure is asked of the broker.
 */
final class AirlockFilePermissionAdvice {

    private AirlockFilePermissionAdvice() {}

    @Advice.OnMethodExit
    static void exit(
            @Advice.This File self,
            @Advice.Origin("#m") String method,
            @Advice.Argument(0) boolean enable,
            @Advice.Argument(1) boolean ownerOnly,
            @Advice.Return(readOnly = false) boolean result) {
        if (!result) {
            result = AirlockBridge.ioBoolean(
                    AirlockBridge.IO_SET_PERMISSION,
                    self.getPath(),
                    method,
                    (enable ? 8 : 0) | (ownerOnly ? 16 : 0),
                    0);
        }
    }
}
