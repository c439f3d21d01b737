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

    // Metadata and mutation operations: the ipc Message request types (STAT = 2 .. TRUNCATE = 12)
    // for NIO, and java.io.File's own operations, which the router answers with java.io's
    // semantics (false, 0 or null for a failure, never an exception).
    public static final int STAT = 2;
    public static final int ACCESS = 3;
    public static final int READLINK = 4;
    public static final int MKDIR = 5;
    public static final int UNLINK = 6;
    public static final int RENAME = 7;
    public static final int LINK = 8;
    public static final int SYMLINK = 9;
    public static final int CHMOD = 10;
    public static final int UTIMENS = 11;
    /** java.io.File boolean queries (exists, isFile, ..., canExecute); the method name says which. */
    public static final int IO_QUERY = 20;
    /** java.io.File long queries (length, lastModified, get*Space); the method name says which. */
    public static final int IO_NUMBER = 21;
    public static final int IO_LIST = 22;
    public static final int IO_CREATE = 23;
    /** java.io.File changes without argument (delete, mkdir, setReadOnly); the method name says which. */
    public static final int IO_CHANGE = 24;
    public static final int IO_RENAME = 25;
    public static final int IO_SET_LAST_MODIFIED = 26;
    /** setReadable/Writable/Executable; arg = 8 for enable | 16 for owner only. */
    public static final int IO_SET_PERMISSION = 27;
    public static final int IO_TEMP_FILE = 28;
    /** getCanonicalPath of a path the policy hides: the lexical answer, else null. */
    public static final int IO_CANONICAL = 29;

    /** Router result meaning "not routed: let the JDK's own failure stand". */
    public static final int NOT_ROUTED = Integer.MIN_VALUE;

    /** The router's type: (op, path for the open, path for messages, flags, mode) -> fd or -errno. */
    private static final MethodType ROUTE_TYPE = MethodType.methodType(
            int.class, int.class, String.class, String.class, int.class, int.class);

    /** The metadata router's type: (op, path, second, flag, mode, first, last) -> result. */
    private static final MethodType META_TYPE = MethodType.methodType(
            Object.class, int.class, String.class, String.class, boolean.class, int.class, long.class, long.class);

    /** Written once by {@link #install}; volatile because JDK threads predating premain read it. */
    private static volatile MethodHandle route;

    /** The metadata router, written once by {@link #install}. */
    private static volatile MethodHandle meta;

    /**
     * The directories and files the kernel lets the helper read itself (its Landlock read rules:
     * the JDK, the class path, ...), absolute and without a trailing '/'. Metadata of paths within
     * them is the JDK's own answer; every other path's metadata is the broker's, because Landlock
     * does not confine stat, access or readlink, and the policy must decide what they reveal.
     */
    private static volatile String[] directRoots = {"/"}; // until installed, nothing is routed

    /**
     * Set on a thread while it is inside the router or the broker client (and on the thread that
     * checks the broker channel): whatever file operations those do themselves (jnr-ffi looking
     * for libc, say) are the JDK's own, never routed back into the router that is waiting on them.
     */
    private static final ThreadLocal<Boolean> UNROUTED = new ThreadLocal<>();

    /** user.dir as the router captured it, for relative paths. */
    private static volatile String userDir = "/";

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
        if (parts.length != 6) {
            throw new IllegalArgumentException(
                    "install takes a router, errno messages, a class file, a metadata router, roots and user.dir");
        }
        MethodHandle router = (MethodHandle) parts[0];
        String[] errnoMessages = (String[]) parts[1];
        byte[] unixExceptionClassFile = (byte[]) parts[2];
        MethodHandle metaRouter = ((MethodHandle) parts[3]).asType(META_TYPE);
        String[] roots = ((String[]) parts[4]).clone();
        String dir = (String) parts[5];
        messages = errnoMessages.clone();
        directRoots = roots;
        userDir = dir;
        meta = metaRouter;
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

    /**
     * Whether the kernel lets the helper see {@code path} itself: it lies within one of the
     * direct roots. A path with a "." or ".." component is never direct (it may leave the root),
     * so the broker resolves it.
     */
    public static boolean direct(String path) {
        if (path == null || path.isEmpty() || UNROUTED.get() != null) {
            return true; // the JDK's own ENOENT stands, as for opens
        }
        if (path.charAt(0) != '/') {
            String dir = userDir;
            path = dir.endsWith("/") ? dir + path : dir + "/" + path;
        }
        if (path.contains("/.")) {
            // Cheap pre-check; only a whole "." or ".." component matters.
            for (String part : path.split("/")) {
                if (part.equals(".") || part.equals("..")) {
                    return false;
                }
            }
        }
        for (String root : directRoots) {
            if (path.startsWith(root)
                    && (path.length() == root.length() || path.charAt(root.length()) == '/' || root.equals("/"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * A java.io.File operation answered by the broker, with java.io's semantics: never throws for
     * a failure, and returns what the JDK returns for a file it cannot see or change.
     *
     * @return a Boolean, Integer, Long, String[] (a listing, or null) or File (a temporary file)
     */
    public static Object io(int op, String path, String second, int arg, long number) {
        try {
            return meta(op, path, second, false, arg, number, 0);
        } catch (IOException e) {
            // A broker failure on an operation java.io reports by value: the value for failure.
            return null;
        }
    }

    /** {@link #io} for the boolean-returning java.io.File methods. */
    public static boolean ioBoolean(int op, String path, String second, int arg, long number) {
        return io(op, path, second, arg, number) == Boolean.TRUE;
    }

    /** {@link #io} for the long-returning java.io.File methods (0 for a failure, as the JDK). */
    public static long ioLong(int op, String path, String method) {
        Object r = io(op, path, method, 0, 0);
        return r instanceof Long ? (Long) r : 0L;
    }

    /** {@link #io} for createNewFile and createTempFile, which do throw IOException. */
    public static Object ioThrowing(int op, String path, String second, long number) throws IOException {
        return meta(op, path, second, false, 0, number, 0);
    }

    /**
     * An NIO metadata or mutation operation answered by the broker.
     *
     * @return the router's answer: a descriptor (STAT), data (READLINK) or TRUE
     * @throws Exception the JDK's {@code UnixException} for an errno (a policy denial is EACCES,
     *     as the JDK would report it), an IOException for a broker failure
     */
    public static Object nio(int op, String path, String second, boolean flag, int mode, long first, long last)
            throws Exception {
        Object r = meta(op, path, second, flag, mode, first, last);
        if (r instanceof Integer && (Integer) r < 0) {
            throw unixException(-(Integer) r);
        }
        return r;
    }

    /** {@link #nio} for STAT: the O_PATH descriptor to fstat. */
    public static int nioStat(String path, boolean noFollow) throws Exception {
        return (Integer) nio(STAT, path, null, noFollow, 0, 0, 0);
    }

    /**
     * {@link #nio} for the JDK's status-returning wrappers (JDK 25 access and stat2, JDK 17
     * exists): the negative errno (a policy denial arrives as -EACCES from the router), 0 for
     * success, never an exception. For STAT a success is the descriptor.
     */
    public static int nioStatus(int op, String path, boolean noFollow, int mode) {
        try {
            Object r = meta(op, path, null, noFollow, mode, 0, 0);
            if (r instanceof Integer) {
                int n = (Integer) r;
                return n < 0 ? n : op == STAT ? n : 0;
            }
            return 0;
        } catch (IOException e) {
            return -5; // EIO: the broker failed
        }
    }

    private static Object meta(int op, String path, String second, boolean flag, int mode, long first, long last)
            throws IOException {
        MethodHandle h = meta;
        if (h == null) {
            throw new IOException("airlock agent is not installed");
        }
        if (UNROUTED.get() != null) {
            // Inside the router or the broker check: the JDK's own failure stands (java.io's
            // callers turn this into their failure value).
            throw new IOException("not routed: inside airlock's own broker client");
        }
        UNROUTED.set(Boolean.TRUE);
        try {
            return h.invokeExact(op, path, second, flag, mode, first, last);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("airlock router failed", t);
        } finally {
            UNROUTED.remove();
        }
    }

    /**
     * Runs {@code task} with this thread's own file operations unrouted: for the agent's check of
     * the broker channel, which loads the broker client (jnr-ffi probes for libc with
     * File.exists) while application threads may already wait for it.
     *
     * @return null
     */
    static Object unrouted(Object task) {
        UNROUTED.set(Boolean.TRUE);
        try {
            ((Runnable) task).run();
        } finally {
            UNROUTED.remove();
        }
        return null;
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
        UNROUTED.set(Boolean.TRUE);
        try {
            return (int) h.invokeExact(op, path, display, flags, mode);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("airlock router failed", t);
        } finally {
            UNROUTED.remove();
        }
    }
}
