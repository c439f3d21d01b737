/*
 * Compiled as a member of java.base (--patch-module java.base=src/main/jdk) and packaged as a
 * resource under META-INF/airlock/jdk/, never as a loadable class of the agent jar. At premain the
 * agent defines it inside java.base with privateLookupIn(FileDescriptor.class, ...).defineClass(...).
 */
package java.io;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

import jdk.internal.access.JavaIOFileDescriptorAccess;
import jdk.internal.access.SharedSecrets;

/**
 * Airlock's bridge between advice inlined into java.base and the agent in the application class
 * loader.
 *
 * <p>Advice woven into {@code FileInputStream}, {@code FileOutputStream}, {@code RandomAccessFile}
 * and {@code sun.nio.fs.UnixNativeDispatcher} is loaded by the boot loader and cannot see the
 * agent's classes. It calls the static methods here instead; they forward through one
 * {@link MethodHandle} that the agent installs exactly once at premain (a second install is
 * refused), pointing at the agent's router. Until then every routed open fails closed. The bridge
 * also does the two things only code inside java.base can: install a descriptor into a
 * {@code FileDescriptor}, and build the JDK's package-private {@code UnixException}.
 *
 * <p>This class is public only because advice in {@code sun.nio.fs} must call it across packages
 * of java.base. Calling it from elsewhere gains nothing: it asks the broker, which an application
 * can ask directly anyway, and the broker's policy decides (the agent is for transparency, not for
 * security).
 */
public final class AirlockBridge {

    /** {@code FileInputStream#open(String)}; flags unused. */
    public static final int FILE_INPUT = 1;
    /** {@code FileOutputStream#open(String, boolean)}; flags is 1 for append, else 0. */
    public static final int FILE_OUTPUT = 2;
    /** {@code RandomAccessFile#open(String, int)}; flags is the JDK's private mode bits. */
    public static final int RANDOM_ACCESS = 3;
    /** {@code UnixNativeDispatcher#open(UnixPath, int, int)}; Linux open(2) flags and mode. */
    public static final int NIO_OPEN = 4;
    /** {@code UnixNativeDispatcher#openat(AT_FDCWD, byte[], int, int)}; Linux flags and mode. */
    public static final int NIO_OPENAT = 5;

    /** Router result meaning "not routed: let the JDK's own failure stand". */
    public static final int NOT_ROUTED = Integer.MIN_VALUE;

    /** The router's type: (op, path for the open, path for messages, flags, mode) -> fd or -errno. */
    private static final MethodType ROUTE_TYPE = MethodType.methodType(
            int.class, int.class, String.class, String.class, int.class, int.class);

    /** Written once by {@link #install}; volatile because JDK threads predating premain read it. */
    private static volatile MethodHandle route;

    /** errno -> glibc's message, from the agent; see {@link #strerror}. */
    private static volatile String[] messages;

    /** {@code sun.nio.fs.AirlockUnixException}, defined by {@link #install}. */
    private static volatile Class<?> airlockUnixException;

    /** Its constructor, looked up at the first routed NIO failure rather than at start-up. */
    private static volatile MethodHandle newUnixException;

    private AirlockBridge() {
    }

    /**
     * Installs the router, the errno messages and {@code sun.nio.fs.AirlockUnixException}; called
     * once by the agent through core reflection. Refuses a second call so that nothing loaded after
     * the agent can redirect the JDK's opens.
     *
     * <p>Shaped {@code (Object[]) -> Object} because that is a shape whose invokers both JDKs ship
     * pre-generated: JDK 18+ reflection runs on method handles, and a typed signature made JDK 25
     * spin three lambda-form classes at start-up (measured with TRACE_RESOLVE).
     *
     * @param parts the router ({@code MethodHandle} of the route type), the errno messages
     *     ({@code String[]}, indexed by errno) and the class file of AirlockUnixException ({@code byte[]})
     * @return null
     */
    static synchronized Object install(Object[] parts) throws ReflectiveOperationException {
        if (route != null) {
            throw new IllegalStateException("airlock bridge is already installed");
        }
        if (parts.length != 3) {
            throw new IllegalArgumentException("install takes a router, errno messages and a class file");
        }
        MethodHandle router = (MethodHandle) parts[0];
        String[] errnoMessages = (String[]) parts[1];
        byte[] unixExceptionClassFile = (byte[]) parts[2];
        messages = errnoMessages.clone();
        // Code in java.base reaches into sun.nio.fs without opening that package to anyone.
        Class<?> unixException = Class.forName("sun.nio.fs.UnixException", false, null);
        airlockUnixException = MethodHandles.privateLookupIn(unixException, MethodHandles.lookup())
                .defineClass(unixExceptionClassFile);
        // The agent hands a static method of exactly this type, so this adapts nothing.
        route = router.asType(ROUTE_TYPE);
        return null;
    }

    /** glibc's message for {@code errno}, as the JDK's natives word it right after a failure. */
    public static String strerror(int errno) {
        String[] text = messages;
        return text != null && errno > 0 && errno < text.length ? text[errno] : "Unknown error " + errno;
    }

    /**
     * Routes a java.io open that the kernel refused and, on success, installs the received
     * descriptor into {@code fd} as the JDK's native {@code fileOpen} would.
     *
     * @return true when the descriptor was installed; false when the open is not routed and the
     *     JDK's own exception should stand
     * @throws FileNotFoundException worded like the JDK's: {@code NAME (REASON)}
     */
    public static boolean openJavaIo(int op, String name, int flags, FileDescriptor fd)
            throws FileNotFoundException {
        int n;
        try {
            n = call(op, name, name, flags, 0);
        } catch (FileNotFoundException e) {
            throw e;
        } catch (IOException e) {
            // The router words java.io failures itself; this only keeps the declared type if it
            // ever does not.
            FileNotFoundException f = new FileNotFoundException(name + " (" + e.getMessage() + ")");
            f.initCause(e);
            throw f;
        }
        if (n == NOT_ROUTED) {
            return false;
        }
        if (n < 0) {
            // The router throws for java.io itself; never install a negative number as a descriptor.
            throw new FileNotFoundException(name + " (" + strerror(-n) + ")");
        }
        JavaIOFileDescriptorAccess access = SharedSecrets.getJavaIOFileDescriptorAccess();
        access.set(fd, n);
        if (op == FILE_OUTPUT && flags == 1) {
            // fileOpen records O_APPEND in the FileDescriptor; FileChannelImpl#position reads it.
            access.setAppend(fd, true);
        }
        return true;
    }

    /**
     * Routes an NIO open that the kernel refused with EACCES or EPERM.
     *
     * @return the descriptor (>= 0), or {@link #NOT_ROUTED}
     * @throws Exception what the hooked method must throw instead of its own failure: the JDK's
     *     {@code UnixException} for a plain errno (its callers translate it exactly as a native
     *     failure), an {@code AccessDeniedException} for a policy denial, an IOException for an
     *     unreachable broker
     */
    public static int openNio(int op, String path, String display, int flags, int mode)
            throws Exception {
        int n = call(op, path, display, flags, mode);
        if (n >= 0 || n == NOT_ROUTED) {
            return n;
        }
        throw unixException(-n);
    }

    /** The JDK's {@code UnixException} for {@code errno}, worded right (AirlockUnixException). */
    private static Exception unixException(int errno) throws IOException {
        try {
            MethodHandle constructor = newUnixException;
            if (constructor == null) {
                Class<?> type = airlockUnixException;
                constructor = MethodHandles.privateLookupIn(type, MethodHandles.lookup())
                        .findConstructor(type, MethodType.methodType(void.class, int.class))
                        .asType(MethodType.methodType(Exception.class, int.class));
                newUnixException = constructor;
            }
            return (Exception) constructor.invokeExact(errno);
        } catch (Throwable t) {
            throw new IOException("airlock cannot report errno " + errno + " (" + strerror(errno) + ")", t);
        }
    }

    private static int call(int op, String path, String display, int flags, int mode)
            throws IOException {
        MethodHandle h = route;
        if (h == null) {
            // Advice is only woven after install; failing closed covers any reordering.
            throw new IOException("airlock agent is not installed");
        }
        try {
            return (int) h.invokeExact(op, path, display, flags, mode);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("airlock router failed", t);
        }
    }
}
