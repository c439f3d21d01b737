/*
 * Advice template: compiled as a member of java.base and packaged as a resource; ByteBuddy reads
 * it through a TypePool and inlines its code. It is never loaded as a class.
 */
package java.io;

import net.bytebuddy.asm.Advice;

/**
 * Exit advice for {@code RandomAccessFile#open(String, int)} (see dev.airlock.agent.Hooks).
 *
 * <p>{@code mode} is the JDK's private bit set (O_RDONLY 1, O_RDWR 2, O_SYNC 4, O_DSYNC 8, equal on
 * JDK 17 and 25); the agent maps it to Linux open(2) flags as the JDK's native code does.
 */
final class AirlockRandomAccessFileAdvice {

    private AirlockRandomAccessFileAdvice() {}

    @Advice.OnMethodExit(onThrowable = FileNotFoundException.class)
    static void exit(
            @Advice.Argument(0) String name,
            @Advice.Argument(1) int mode,
            @Advice.FieldValue("fd") FileDescriptor fd,
            @Advice.Thrown(readOnly = false) Throwable thrown)
            throws FileNotFoundException {
        if (thrown instanceof FileNotFoundException
                && AirlockBridge.openJavaIo(AirlockBridge.RANDOM_ACCESS, name, mode, fd)) {
            thrown = null;
        }
    }
}
