/*
 * Advice template: compiled as a member of java.base and packaged as a resource; ByteBuddy reads
 * it through a TypePool and inlines its code. It is never loaded as a class.
 */
package java.io;

import net.bytebuddy.asm.Advice;

/**
 * Exit advice for the java.io.File queries that return a long: length, lastModified,
 * getTotalSpace, getFreeSpace and getUsableSpace (see dev.airlock.agent.Hooks). Outside the
 * direct roots the broker answers; a denial reads as the JDK's 0.
 */
final class AirlockFileNumberAdvice {

    private AirlockFileNumberAdvice() {}

    @Advice.OnMethodExit
    static void exit(
            @Advice.This File self, @Advice.Origin("#m") String method, @Advice.Return(readOnly = false) long result) {
        String path = self.getPath();
        if (!AirlockBridge.direct(path)) {
            result = AirlockBridge.ioLong(AirlockBridge.IO_NUMBER, path, method);
        }
    }
}
