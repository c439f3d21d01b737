/*
 * Advice template: compiled as a member of java.base and packaged as a resource; ByteBuddy reads
 * it through a TypePool and inlines its code. It is never loaded as a class.
 */
package java.io;

import net.bytebuddy.asm.Advice;

/**
 * Exit advice for {@code File#normalizedList()}, behind list() and every listFiles(): outside the
 * direct roots the broker's listing (through a directory descriptor it opens) replaces the JDK's;
 * a denial is the JDK's null. Within them the kernel lets the helper list by itself.
 */
final class AirlockFileListAdvice {

    private AirlockFileListAdvice() {}

    @Advice.OnMethodExit
    static void exit(@Advice.This File self, @Advice.Return(readOnly = false) String[] result) {
        String path = self.getPath();
        if (!AirlockBridge.direct(path)) {
            result = (String[]) AirlockBridge.io(AirlockBridge.IO_LIST, path, null, 0, 0);
        }
    }
}
