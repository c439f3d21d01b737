/*
 * Advice template: compiled as a member of java.base and packaged as a resource; ByteBuddy reads
 * it through a TypePool and inlines its code. It is never loaded as a class.
 */
package java.io;

import net.bytebuddy.asm.Advice;

/**
 * Exit advice for {@code FileOutputStream#open(String, boolean)} (see dev.airlock.agent.Hooks).
 *
 * <p>Only after the direct open threw {@link FileNotFoundException} is the broker asked for the
 * same open: write-only, created, and appended or truncated as {@code append} says.
 */
final class AirlockFileOutputStreamAdvice {

    private AirlockFileOutputStreamAdvice() {}

    @Advice.OnMethodExit(onThrowable = FileNotFoundException.class)
    static void exit(
            @Advice.Argument(0) String name,
            @Advice.Argument(1) boolean append,
            @Advice.FieldValue("fd") FileDescriptor fd,
            @Advice.Thrown(readOnly = false) Throwable thrown)
            throws FileNotFoundException {
        if (thrown instanceof FileNotFoundException
                && AirlockBridge.openJavaIo(AirlockBridge.FILE_OUTPUT, name, append ? 1 : 0, fd)) {
            thrown = null;
        }
    }
}
