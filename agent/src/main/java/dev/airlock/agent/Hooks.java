package dev.airlock.agent;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JDK methods the agent hooks, and the advice each one gets.
 *
 * <p>The advice templates live in {@code src/main/jdk} (compiled as members of java.base, shipped
 * as resources under {@value #RESOURCE_PREFIX}) and are exit advice on these private or
 * package-private chokepoints of java.base, identical in name and descriptor on JDK 17 and 25
 * (checked with {@code javap -p} on 17.0.15 and 25.0.3):
 *
 * <table>
 *   <caption>Hooked methods</caption>
 *   <tr><th>method</th><th>reached from</th></tr>
 *   <tr><td>{@code java.io.FileInputStream#open(String)}</td>
 *       <td>every FileInputStream constructor, hence FileReader, Scanner(File), ...</td></tr>
 *   <tr><td>{@code java.io.FileOutputStream#open(String, boolean)}</td>
 *       <td>every FileOutputStream constructor, hence FileWriter, PrintStream(File), ...</td></tr>
 *   <tr><td>{@code java.io.RandomAccessFile#open(String, int)}</td>
 *       <td>every RandomAccessFile constructor, hence ZipFile and JarFile</td></tr>
 *   <tr><td>{@code sun.nio.fs.UnixNativeDispatcher#open(UnixPath, int, int)}</td>
 *       <td>UnixChannelFactory (Files.newByteChannel, newInputStream, newOutputStream, readAllBytes,
 *       readString, write, FileChannel.open, AsynchronousFileChannel.open), Files.copy's
 *       fallback, newDirectoryStream (Linux opens the directory, then fdopendir), and
 *       UnixPath#openForAttributeAccess (timestamps, DOS and user-defined attributes)</td></tr>
 *   <tr><td>{@code sun.nio.fs.UnixNativeDispatcher#openat(int, byte[], int, int)}</td>
 *       <td>UnixChannelFactory and SecureDirectoryStream, always with a directory descriptor:
 *       routed only for AT_FDCWD, see its advice</td></tr>
 * </table>
 *
 * <p>Why these suffice for the opens in scope (java.io streams, RandomAccessFile, NIO channel and
 * stream opens): each java.io class has exactly one Java method in front of its native
 * {@code open0}, and every constructor funnels into it; on Linux every NIO open of a path goes
 * through one of the two static wrappers of the private natives {@code open0}/{@code openat0}
 * (their callers, listed above from {@code javap -c} of sun.nio.fs on both JDKs, call nothing
 * else). Hooking the wrappers rather than public methods keeps the woven code to five small
 * methods, and the advice sees the exact flags the JDK chose. {@code opendir}, metadata calls
 * and java.io.File's operations are not in this list (DESIGN.md); whatever is not hooked is still
 * confined by the kernel.
 *
 * <p>NIO failures replace a {@code UnixException} with an IOException (a denial, an unreachable
 * broker) that the wrapper does not declare. Every caller of the two wrappers in sun.nio.fs
 * declares IOException or passes the exception up to a method that does, with one exception on
 * both JDKs: {@code UnixFileStore#isExtendedAttributesEnabled(UnixPath)} (reached from
 * {@code FileStore#supportsFileAttributeView("user")} on Linux) declares nothing and catches only
 * UnixException; there a denial or broker failure on its probe of the mount point escapes as an
 * undeclared checked exception instead of the JDK's "false".
 *
 * <p>Each hook is matched by name and full descriptor, so a JDK whose shape differs fails the
 * installation (closed) instead of silently leaving the method unhooked.
 */
final class Hooks {

    /** Where the java.base members (bridge and advice) sit inside the agent jar. */
    static final String RESOURCE_PREFIX = "META-INF/airlock/jdk/";

    /** The bridge class defined inside java.base at premain. */
    static final String BRIDGE = "java.io.AirlockBridge";

    /** The bridge's UnixException for errnos from the broker, defined by the bridge in sun.nio.fs. */
    static final String UNIX_EXCEPTION = "sun.nio.fs.AirlockUnixException";

    /** One hooked method. */
    static final class Hook {
        final String type;
        final String method;
        final String descriptor;
        final String advice;

        Hook(String type, String method, String descriptor, String advice) {
            this.type = type;
            this.method = method;
            this.descriptor = descriptor;
            this.advice = advice;
        }

        @Override
        public String toString() {
            return type + "#" + method + descriptor;
        }
    }

    static final List<Hook> ALL = List.of(
            new Hook("java.io.FileInputStream", "open", "(Ljava/lang/String;)V",
                    "java.io.AirlockFileInputStreamAdvice"),
            new Hook("java.io.FileOutputStream", "open", "(Ljava/lang/String;Z)V",
                    "java.io.AirlockFileOutputStreamAdvice"),
            new Hook("java.io.RandomAccessFile", "open", "(Ljava/lang/String;I)V",
                    "java.io.AirlockRandomAccessFileAdvice"),
            new Hook("sun.nio.fs.UnixNativeDispatcher", "open", "(Lsun/nio/fs/UnixPath;II)I",
                    "sun.nio.fs.AirlockUnixOpenAdvice"),
            new Hook("sun.nio.fs.UnixNativeDispatcher", "openat", "(I[BII)I",
                    "sun.nio.fs.AirlockUnixOpenatAdvice"));

    private Hooks() {
    }

    /** The hooked classes in a fixed order, each with its hooks. */
    static Map<String, List<Hook>> byType() {
        Map<String, List<Hook>> types = new LinkedHashMap<>();
        for (Hook hook : ALL) {
            List<Hook> hooks = types.get(hook.type);
            if (hooks == null) {
                hooks = new ArrayList<>();
                types.put(hook.type, hooks);
            }
            hooks.add(hook);
        }
        return types;
    }

    /** Every java.base member the agent ships: the bridge, its UnixException, the advice. */
    static List<String> jdkMembers() {
        List<String> members = new ArrayList<>();
        members.add(BRIDGE);
        members.add(UNIX_EXCEPTION);
        for (Hook hook : ALL) {
            members.add(hook.advice);
        }
        return members;
    }

    /** The resource holding the class file of a java.base member shipped with the agent. */
    static String resource(String binaryName) {
        return RESOURCE_PREFIX + binaryName.replace('.', '/') + ".class";
    }
}
