/*
 * Advice template: compiled as a member of java.base and packaged as a resource; ByteBuddy reads
 * it through a TypePool and inlines its code. It is never loaded as a class.
 */
package java.io;

import net.bytebuddy.asm.Advice;

/**
 * Exit advice for {@code File#createTempFile(String, String, File)}, which calls the file
 * system directly rather than through File's own methods: when it failed, the router creates the
 * file through the broker with a name of the JDK's shape (prefix, random digits, suffix) in a
 * directory outside the direct roots; in a direct root the JDK's failure stands.
 */
final class AirlockFileTempAdvice {

    private AirlockFileTempAdvice() {}

    @Advice.OnMethodExit(onThrowable = IOException.class)
    static void exit(
            @Advice.Argument(0) String prefix,
            @Advice.Argument(1) String suffix,
            @Advice.Argument(2) File directory,
            @Advice.Return(readOnly = false) File result,
            @Advice.Thrown(readOnly = false) Throwable thrown)
            throws IOException {
        String dir = directory != null ? directory.getPath() : System.getProperty("java.io.tmpdir");
        if (thrown instanceof IOException && !AirlockBridge.direct(dir)) {
            Object made = AirlockBridge.ioThrowing(
                    AirlockBridge.IO_TEMP_FILE, dir, prefix + "/" + (suffix != null ? suffix : ".tmp"), 0);
            if (made instanceof File file) {
                result = file;
                thrown = null;
            }
        }
    }
}
