/*
 * Advice template: compiled as a member of java.base and packaged as a resource; ByteBuddy reads
 * it through a TypePool and inlines its code. It is never loaded as a class.
 */
package java.io;

import net.bytebuddy.asm.Advice;

/**
 * Exit advice for the java.io.File queries that return a boolean: exists, isFile, isDirectory,
 * isHidden, canRead, canWrite and canExecute (see dev.airlock.agent.Hooks).
 *
 * <p>For a path outside what the kernel lets the helper read itself, the JDK's own answer is
 * replaced by the broker's, whatever it was: Landlock does not confine stat or access, so the
 * direct answer could reveal a file the policy hides. A denial reads as the JDK's answer for a
 * file it cannot see: false.
 */
final class AirlockFileQueryAdvice {

    private AirlockFileQueryAdvice() {}

    @Advice.OnMethodExit
    static void exit(
            @Advice.This File self,
            @Advice.Origin("#m") String method,
            @Advice.Return(readOnly = false) boolean result) {
        String path = self.getPath();
        if (!AirlockBridge.direct(path)) {
            result = AirlockBridge.ioBoolean(AirlockBridge.IO_QUERY, path, method, 0, 0);
        }
    }
}
