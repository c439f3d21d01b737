/*
 * Advice template: compiled as a member of java.base and packaged as a resource; ByteBuddy reads
 * it through a TypePool and inlines its code. It is never loaded as a class.
 */
package java.io;

import net.bytebuddy.asm.Advice;

/**
 * Exit advice for the java.io.File changes that take no argument and return a boolean: delete,
 * mkdir and setReadOnly (see dev.airlock.agent.Hooks). Only a failure is routed: the kernel
 * refuses every change outside the helper's grants, and a change it allowed needs no broker.
 */
final class AirlockFileChangeAdvice {

    private AirlockFileChangeAdvice() {}

    @Advice.OnMethodExit
    static void exit(
            @Advice.This File self,
            @Advice.Origin("#m") String method,
            @Advice.Return(readOnly = false) boolean result) {
        if (!result) {
            result = AirlockBridge.ioBoolean(AirlockBridge.IO_CHANGE, self.getPath(), method, 0, 0);
        }
    }
}
