/*
 * Advice template: compiled as a member of java.base and packaged as a resource; ByteBuddy reads
 * it through a TypePool and inlines its code. It is never loaded as a class.
 */
package java.io;

import net.bytebuddy.asm.Advice;

/**
 * Exit advice for {@code File#getCanonicalPath()}: the JDK resolves links with realpath(3), which
 * Landlock does not confine. Outside the direct roots, when the policy does not let this process
 * look at the path, the answer is the one the JDK gives for a path it cannot resolve: the
 * absolute path with "." and ".." folded, no link followed. Otherwise the JDK's answer stands.
 */
final class AirlockFileCanonicalAdvice {

    private AirlockFileCanonicalAdvice() {}

    @Advice.OnMethodExit
    static void exit(@Advice.This File self, @Advice.Return(readOnly = false) String result) {
        String path = self.getPath();
        if (!AirlockBridge.direct(path)) {
            Object lexical = AirlockBridge.io(AirlockBridge.IO_CANONICAL, path, null, 0, 0);
            if (lexical instanceof String canonical) {
                result = canonical;
            }
        }
    }
}
