/*
 * Advice template: compiled as a member of java.base and packaged as a resource; ByteBuddy reads
 * it through a TypePool and inlines its code. It is never loaded as a class (it names the
 * package-private UnixException and UnixPath, which only code inside sun.nio.fs may do).
 */
package sun.nio.fs;

import java.io.AirlockBridge;
import java.io.IOException;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;
import net.bytebuddy.asm.Advice;

/**
 * Exit advice for {@code UnixFileAttributeViews.Basic#setTimes(FileTime, FileTime, FileTime)}
 * (Files.setLastModifiedTime and every BasicFileAttributeView): the JDK opens the file (routed)
 * and sets the times through the descriptor with futimes/futimens, which the kernel allows only
 * to the file's owner, and the helper is not. So a failure outside the direct roots is asked of
 * the broker by path (UTIMENS, decided as write); a time left null is left as it is.
 */
final class AirlockUnixSetTimesAdvice {

    private AirlockUnixSetTimesAdvice() {}

    @Advice.OnMethodExit(onThrowable = IOException.class)
    static void exit(
            @Advice.FieldValue("file") UnixPath file,
            @Advice.FieldValue("followLinks") boolean followLinks,
            @Advice.Argument(0) FileTime modified,
            @Advice.Argument(1) FileTime accessed,
            @Advice.Thrown(readOnly = false) Throwable thrown)
            throws Exception {
        if (thrown instanceof IOException && !(thrown instanceof java.nio.file.NoSuchFileException)) {
            String name = Util.toString(file.getByteArrayForSysCalls());
            if (!AirlockBridge.direct(name)) {
                long mtime = modified != null ? modified.to(TimeUnit.NANOSECONDS) : Long.MIN_VALUE;
                long atime = accessed != null ? accessed.to(TimeUnit.NANOSECONDS) : Long.MIN_VALUE;
                try {
                    AirlockBridge.nio(AirlockBridge.UTIMENS, name, null, !followLinks, 0, atime, mtime);
                } catch (UnixException x) {
                    // The view's own translation, as for a failure of its native call.
                    x.rethrowAsIOException(file);
                }
                thrown = null;
            }
        }
    }
}
