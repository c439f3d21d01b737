/*
 * Advice template: compiled as a member of java.base and packaged as a resource; ByteBuddy reads
 * it through a TypePool and inlines its code. It is never loaded as a class.
 */
package java.io;

import net.bytebuddy.asm.Advice;

/**
 * Exit advice for {@code FileInputStream#open(String)} (see dev.airlock.agent.Hooks for the list
 * of hooked methods and why they suffice).
 *
 * <p>The JDK's direct open runs first; only when it threw {@link FileNotFoundException} is the
 * broker asked for the same file read-only. On success the received descriptor goes into the
 * stream's {@code fd} and the exception is cleared, so the constructor continues exactly as after
 * a successful native open (it then registers the descriptor's cleanup).
 */
final class AirlockFileInputStreamAdvice {

    private AirlockFileInputStreamAdvice() {}

    @Advice.OnMethodExit(onThrowable = FileNotFoundException.class)
    static void exit(
            @Advice.Argument(0) String name,
            @Advice.FieldValue("fd") FileDescriptor fd,
            @Advice.Thrown(readOnly = false) Throwable thrown)
            throws FileNotFoundException {
        if (thrown instanceof FileNotFoundException
                && AirlockBridge.openJavaIo(AirlockBridge.FILE_INPUT, name, 0, fd)) {
            thrown = null;
        }
    }
}
