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

    // Metadata and mutation operations: NIO's, each of which the agent's MetadataRouter maps to
    // one broker request, and java.io.File's own, which it answers with java.io's semantics
    // (false, 0 or null for a failure, never an exception). The agent's Bridge class holds the
    // same numbers; BridgeTest checks every constant here against it.
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
    /** ipc WATCH: an inotify watch added by the broker; the inotify descriptor rides in {@code first}. */
    public static final int WATCH = 13;
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

    /** {@code sun.nio.ch.Net#connect(ProtocolFamily, FileDescriptor, InetAddress, int)}: the agent's NetworkRouter. */
    public static final int NET_CONNECT = 40;
    /** {@code sun.nio.ch.Net#bind(ProtocolFamily, ...)} and the JDK's calls of {@code Net#listen}. */
    public static final int NET_BIND = 41;

    /** The platform resolver's name lookup: the agent's NameRouter (RESOLVE). */
    public static final int NAME_LOOKUP = 50;
    /** The platform resolver's address lookup: the agent's NameRouter (REVERSE_RESOLVE). */
    public static final int ADDRESS_LOOKUP = 51;

    /** {@code sun.nio.ch.Net#socket(ProtocolFamily, false)}: a datagram socket, the broker's (DATAGRAM). */
    public static final int NET_DATAGRAM = 42;
    /** {@code DatagramChannelImpl#send(FileDescriptor, ByteBuffer, InetSocketAddress)}: an unconnected send (SEND_DATAGRAM). */
    public static final int NET_SEND = 43;

    /** Router result meaning "not routed: let the JDK's own failure stand". */
    public static final int NOT_ROUTED = Integer.MIN_VALUE;

    /** The router's type: (op, path for the open, path for messages, flags, mode) -> fd or -errno. */
    private static final MethodType ROUTE_TYPE =
            MethodType.methodType(int.class, int.class, String.class, String.class, int.class, int.class);

    /** The metadata router's type: (op, path, second, flag, mode, first, last) -> result. */
    private static final MethodType META_TYPE = MethodType.methodType(
            Object.class, int.class, String.class, String.class, boolean.class, int.class, long.class, long.class);

    /** Written once by {@link #install}; volatile because JDK threads predating premain read it. */
    private static volatile MethodHandle route;

    /** The metadata router, written once by {@link #install}. */
    private static volatile MethodHandle meta;

    /** The network router's type: (op, fd, address, scope id, port, backlog) -> result. */
    private static final MethodType NET_TYPE =
            MethodType.methodType(int.class, int.class, int.class, byte[].class, int.class, int.class, int.class);

    /** The network router, written once by {@link #install}. */
    private static volatile MethodHandle net;

    /** The datagram router's type: (op, fd, address, scope id, port, payload) -> result. */
    private static final MethodType DATAGRAM_TYPE =
            MethodType.methodType(int.class, int.class, int.class, byte[].class, int.class, int.class, byte[].class);

    /** The datagram router, written once by {@link #install}. */
    private static volatile MethodHandle datagram;

    /** {@code sun.nio.ch.Net#isIPv6Available}, looked up at the first datagram socket. */
    private static volatile MethodHandle ipv6Available;

    /** {@code sun.nio.ch.Net}'s localAddress and listen, looked up at the first listen ({@link #netMethods}). */
    private static volatile MethodHandle[] netMethods;

    /**
     * The directories and files the kernel lets the helper read itself (its Landlock read rules:
     * the JDK, the class path, ...), absolute and without a trailing '/'. Metadata of paths within
     * them is the JDK's own answer; every other path's metadata is the broker's, because Landlock
     * does not confine stat, access or readlink, and the policy must decide what they reveal.
     */
    private static volatile String[] directRoots = {"/"}; // until installed, nothing is routed

    /**
     * The directories the broker covered in the helper's mount namespace to show it class path
     * entries beneath them (broker's ClassPathView): what else is beneath them is not there for the
     * kernel (ENOENT) but is the policy's, so an open that finds nothing there is the broker's.
     */
    private static volatile String[] hiddenRoots = {};

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

    private AirlockBridge() {}

    /**
     * Installs the router, the errno messages and {@code sun.nio.fs.AirlockUnixException}; called
     * once by the agent through core reflection. Refuses a second call so that nothing loaded after
     * the agent can redirect the JDK's opens.
     *
     * <p>Shaped {@code (Object[]) -> Object} because that is a shape whose invokers both JDKs ship
     * pre-generated: JDK 18+ reflection runs on method handles, and a typed signature made JDK 25
     * spin three lambda-form classes at start-up (measured with TRACE_RESOLVE).
     *
     * @param parts six parts, in this order: the open router ({@code MethodHandle} of the route
     *     type), the errno messages ({@code String[]}, indexed by errno), the class file of
     *     AirlockUnixException ({@code byte[]}), the metadata router ({@code MethodHandle}), the
     *     direct roots ({@code String[]}), {@code user.dir} ({@code String}), the hidden roots
     *     ({@code String[]}), the network router ({@code MethodHandle}) and the datagram router
     *     ({@code MethodHandle})
     * @return null
     */
    static synchronized Object install(Object[] parts) throws ReflectiveOperationException {
        if (route != null) {
            throw new IllegalStateException("airlock bridge is already installed");
        }
        if (parts.length != 9) {
            throw new IllegalArgumentException("install takes a router, errno messages, a class file, a metadata"
                    + " router, roots, user.dir, hidden roots, a network router and a datagram router");
        }
        MethodHandle router = (MethodHandle) parts[0];
        String[] errnoMessages = (String[]) parts[1];
        byte[] unixExceptionClassFile = (byte[]) parts[2];
        MethodHandle metaRouter = ((MethodHandle) parts[3]).asType(META_TYPE);
        String[] roots = ((String[]) parts[4]).clone();
        String dir = (String) parts[5];
        hiddenRoots = ((String[]) parts[6]).clone();
        net = ((MethodHandle) parts[7]).asType(NET_TYPE);
        datagram = ((MethodHandle) parts[8]).asType(DATAGRAM_TYPE);
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
    public static boolean openJavaIo(int op, String name, int flags, FileDescriptor fd) throws FileNotFoundException {
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
    public static int openNio(int op, String path, String display, int flags, int mode) throws Exception {
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
            for (String part : path.split("/", -1)) {
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
     * Whether {@code path} lies beneath a hidden root, where the kernel's ENOENT means only that
     * the helper's view holds nothing there (see {@link #hiddenRoots}).
     */
    public static boolean hidden(String path) {
        String[] roots = hiddenRoots;
        if (roots.length == 0 || path == null || path.isEmpty() || UNROUTED.get() != null) {
            return false;
        }
        if (path.charAt(0) != '/') {
            String dir = userDir;
            path = dir.endsWith("/") ? dir + path : dir + "/" + path;
        }
        for (String root : roots) {
            if (path.startsWith(root) && path.length() > root.length() && path.charAt(root.length()) == '/') {
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
        return r instanceof Long value ? value : 0L;
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
        if (r instanceof Integer errno && errno < 0) {
            throw unixException(-errno);
        }
        if (r instanceof java.nio.file.AccessDeniedException denied) {
            // The policy's denial: EACCES that keeps its reason when the JDK reports it.
            throw unixException(13 /* EACCES */, denied.getReason());
        }
        return r;
    }

    /**
     * {@link #nio} for STAT when only a descriptor will do (realpath's check, which follows
     * links, so the broker never has a link's status to send instead): the O_PATH descriptor.
     */
    public static int nioStat(String path, boolean noFollow) throws Exception {
        Object r = nio(STAT, path, null, noFollow, 0, 0, 0);
        if (!(r instanceof Integer fd)) {
            throw unixException(5); // EIO: a status where a descriptor belongs
        }
        return fd;
    }

    /**
     * {@link #nio} for STAT into the JDK's {@code UnixFileAttributes}: the O_PATH descriptor for
     * the advice to {@code fstat} (the JDK then fills its own structure), or -1 when the broker
     * answered with the file's status instead (a symbolic link whose target the policy does not
     * let this process read: no descriptor of it may reach the helper) and this method has
     * filled {@code attributes} from it, field by field, as the JDK's own {@code lstat} would.
     */
    public static int nioStat(String path, boolean noFollow, Object attributes) throws Exception {
        Object r = nio(STAT, path, null, noFollow, 0, 0, 0);
        if (r instanceof long[] status) {
            fill(attributes, status);
            return -1;
        }
        return (Integer) r;
    }

    /**
     * The fields of {@code sun.nio.fs.UnixFileAttributes}, in the order of the router's status
     * array (ipc FileStat#toArray), each an int or long field on JDK 17 and 25 alike. Looked up at
     * the first status answer, not at start-up. The birth time is filled whenever the file
     * system reported one, as the JDK's own natives fill it (JDK 17.0.15 too: unconfined, it
     * answers creationTime with the link's birth time, measured); the availability flag exists
     * only on JDKs that also remember whether there was one (JDK 25: {@code birthtime_available}).
     */
    private static final String[] ATTRIBUTE_FIELDS = {
        "st_mode",
        "st_ino",
        "st_dev",
        "st_rdev",
        "st_nlink",
        "st_uid",
        "st_gid",
        "st_size",
        "st_atime_sec",
        "st_atime_nsec",
        "st_mtime_sec",
        "st_mtime_nsec",
        "st_ctime_sec",
        "st_ctime_nsec",
        "st_birthtime_sec",
        "st_birthtime_nsec"
    };

    private static final int BIRTHTIME_SECONDS = 14;

    private static volatile java.lang.reflect.Field[] attributeFields;

    private static volatile java.lang.reflect.Field birthtimeAvailable;

    /** Fills a fresh {@code UnixFileAttributes} from the broker's status of a file. */
    private static void fill(Object attributes, long[] status) throws IOException {
        try {
            java.lang.reflect.Field[] fields = attributeFields;
            if (fields == null) {
                Class<?> type = Class.forName("sun.nio.fs.UnixFileAttributes", false, null);
                java.lang.reflect.Field available = null;
                try {
                    available = type.getDeclaredField("birthtime_available");
                    available.setAccessible(true);
                } catch (NoSuchFieldException notThisJdk) {
                    // JDK 17: no birth times on Linux.
                }
                fields = new java.lang.reflect.Field[ATTRIBUTE_FIELDS.length];
                for (int i = 0; i < fields.length; i++) {
                    fields[i] = type.getDeclaredField(ATTRIBUTE_FIELDS[i]);
                    fields[i].setAccessible(true);
                }
                birthtimeAvailable = available;
                attributeFields = fields;
            }
            if (!fields[0].getDeclaringClass().isInstance(attributes) || status.length != fields.length + 1) {
                throw new IOException(
                        "airlock cannot fill " + attributes + " from " + status.length + " status fields");
            }
            java.lang.reflect.Field available = birthtimeAvailable;
            boolean birthtime = status[fields.length] != 0;
            for (int i = 0; i < fields.length; i++) {
                if (i >= BIRTHTIME_SECONDS && !birthtime) {
                    continue;
                }
                if (fields[i].getType() == int.class) {
                    fields[i].setInt(attributes, (int) status[i]);
                } else {
                    fields[i].setLong(attributes, status[i]);
                }
            }
            if (available != null) {
                available.setBoolean(attributes, birthtime);
            }
        } catch (ReflectiveOperationException e) {
            throw new IOException("airlock cannot fill the JDK's file attributes", e);
        }
    }

    /** Handles into sun.nio.fs for {@link #inotifyAddWatch}, looked up at the first watch. */
    private static volatile MethodHandle addWatch;

    private static volatile MethodHandle unixErrno;
    private static volatile MethodHandle pathString;

    /**
     * Stands in for the JDK's private native {@code LinuxWatchService.inotifyAddWatch(int, long,
     * int)} inside {@code LinuxWatchService.Poller#implRegister} (the one call of it; the agent
     * substitutes the call, since advice cannot wrap a native method). Outside the direct roots
     * the broker adds the watch, after deciding read on the directory: the kernel does not refuse
     * the helper's own inotify_add_watch on a directory it may not read (Landlock does not confine
     * it), and the seccomp filter refuses it altogether. Within the direct roots the JDK's own call
     * runs first and goes to the broker only when the kernel refuses it (EACCES, EPERM).
     *
     * <p>Every failure is thrown as the JDK's {@code UnixException}, the one exception
     * implRegister catches and returns to the registering thread (a denial is EACCES, so
     * {@code register} throws the JDK's own AccessDeniedException; an unreachable broker is EIO):
     * anything else would escape the watch service's poller thread and leave {@code register}
     * waiting for ever.
     *
     * @param pathAddress the address of the path's NUL-terminated bytes, as the JDK passes it
     * @return the watch descriptor
     */
    public static int inotifyAddWatch(int inotifyFd, long pathAddress, int mask) throws Exception {
        String path = pathAt(pathAddress);
        if (direct(path)) {
            Throwable refused;
            try {
                return (int) addWatch().invokeExact(inotifyFd, pathAddress, mask);
            } catch (Throwable t) {
                refused = t;
            }
            int errno = errnoOf(refused);
            if (errno != 13 && errno != 1) { // EACCES, EPERM: the kernel's refusal, the broker's to decide
                throw rethrow(refused);
            }
        }
        Object r;
        try {
            r = meta(WATCH, path, null, false, mask, inotifyFd, 0);
        } catch (IOException | RuntimeException e) {
            throw unixException(5); // EIO: the broker failed; fail closed, as the JDK's own failure
        }
        if (r instanceof java.nio.file.AccessDeniedException denied) {
            throw unixException(13 /* EACCES */, denied.getReason());
        }
        int n = r instanceof Integer value ? value : -5;
        if (n <= 0) {
            throw unixException(n == 0 ? 5 : -n);
        }
        return n;
    }

    /**
     * The device number (as stat's {@code st_dev}) of the mount that {@code dir} lies on, from the
     * helper's own {@code /proc/self/mountinfo}: the longest mount point that is {@code dir} or one
     * of its parents, the last one mounted there where several are; -1 when none is or the table
     * cannot be read. For Files.getFileStore's walk above a grant (see the advice on
     * LinuxFileStore#findMountEntry): the mount table is the helper's to read, and says nothing of
     * the directory but the mount it is on.
     *
     * @param dir an absolute path, its bytes as ISO-8859-1 characters (so any file name compares exactly)
     */
    public static long mountDevice(String dir) {
        java.util.List<String> lines;
        try {
            lines = java.nio.file.Files.readAllLines(
                    java.nio.file.Path.of("/proc/self/mountinfo"), java.nio.charset.StandardCharsets.ISO_8859_1);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        long device = -1;
        int longest = -1;
        for (String line : lines) {
            // ID PARENT MAJOR:MINOR ROOT MOUNT-POINT ...; the mount point with \ooo escapes.
            String[] fields = line.split(" ", 6);
            if (fields.length < 6) {
                continue;
            }
            String point = unescape(fields[4]);
            boolean covers = point.equals("/")
                    || dir.equals(point)
                    || (dir.startsWith(point) && dir.charAt(point.length()) == '/');
            int colon = fields[2].indexOf(':');
            if (!covers || colon < 0 || point.length() < longest) {
                continue;
            }
            try {
                long major = Long.parseLong(fields[2].substring(0, colon));
                long minor = Long.parseLong(fields[2].substring(colon + 1));
                // glibc's makedev, the encoding of st_dev.
                device = ((major & 0xfffL) << 8)
                        | ((major & 0xfffff000L) << 32)
                        | (minor & 0xffL)
                        | ((minor & 0xffffff00L) << 12);
                longest = point.length();
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return device;
    }

    /** A mountinfo field with its octal escapes ({@code \040} for a space, ...) undone. */
    private static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1)) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }

    /** Handles on the JDK's own descriptor calls, for the copy's substitutes below; looked up at first use. */
    private static volatile MethodHandle ownFchown;

    private static volatile MethodHandle ownFchmod;
    private static volatile MethodHandle ownFutimes;
    private static volatile MethodHandle ownFutimens;

    /**
     * Stands in for {@code UnixNativeDispatcher.fchown(int, int, int)} inside the JDK's copy of a
     * file or directory (Files.copy with COPY_ATTRIBUTES, Files.move across file systems; the agent
     * substitutes those calls only, see the agent's Hooks). The JDK's own call runs first. Seccomp
     * refuses the chown family to the helper (EPERM), and nothing is brokered for it (the broker
     * may be root: brokering would give ownership away); but a chown to the owner and group the
     * file already has changes nothing, and the kernel grants it to the owner, so that one
     * succeeds here as a no-op: the descriptor's own status (fstat through the helper's
     * {@code /proc/self/fd}) says whether it is. Any other owner keeps the JDK's EPERM.
     */
    public static void fchown(int fd, int uid, int gid) throws Exception {
        Throwable refused;
        try {
            MethodHandle h = ownFchown;
            if (h == null) {
                h = dispatcher("fchown", MethodType.methodType(void.class, int.class, int.class, int.class));
                ownFchown = h;
            }
            h.invokeExact(fd, uid, gid);
            return;
        } catch (Throwable t) {
            refused = t;
        }
        if (!refusedByKernel(refused)) {
            throw rethrow(refused);
        }
        java.util.Map<String, Object> owner;
        try {
            owner = java.nio.file.Files.readAttributes(java.nio.file.Path.of("/proc/self/fd/" + fd), "unix:uid,gid");
        } catch (IOException e) {
            throw rethrow(refused);
        }
        if ((uid == -1 || Integer.valueOf(uid).equals(owner.get("uid")))
                && (gid == -1 || Integer.valueOf(gid).equals(owner.get("gid")))) {
            return;
        }
        throw rethrow(refused);
    }

    /**
     * Stands in for {@code UnixNativeDispatcher.fchmod(int, int)} inside the JDK's copy (as
     * {@link #fchown}). The JDK's own call runs first; when the kernel refuses it (seccomp refuses
     * the chmod family to the helper), the broker is asked to change the mode of the file by the
     * name the kernel gives the descriptor (the helper's {@code /proc/self/fd/N}), decided as
     * write on that path exactly as {@code Files.setPosixFilePermissions} is. If the file was
     * renamed meanwhile, the request names whatever is at that path now: a file the program could
     * change by that path anyway, so the race reaches nothing the path API does not. A removed
     * file, or a descriptor with no path, keeps the JDK's refusal.
     */
    public static void fchmod(int fd, int mode) throws Exception {
        Throwable refused;
        try {
            MethodHandle h = ownFchmod;
            if (h == null) {
                h = dispatcher("fchmod", MethodType.methodType(void.class, int.class, int.class));
                ownFchmod = h;
            }
            h.invokeExact(fd, mode);
            return;
        } catch (Throwable t) {
            refused = t;
        }
        nio(CHMOD, pathOf(fd, refused), null, false, mode, 0, 0);
    }

    /**
     * Stands in for JDK 17's {@code UnixNativeDispatcher.futimes(int, long, long)} (microseconds)
     * inside its copy: as {@link #fchmod}, the broker sets the times by the descriptor's name
     * (UTIMENS, decided as write, as {@code Files.setLastModifiedTime}).
     */
    public static void futimes(int fd, long accessMicros, long modifiedMicros) throws Exception {
        Throwable refused = ownTimes(false, fd, accessMicros, modifiedMicros);
        if (refused != null) {
            setTimes(fd, refused, micros(accessMicros), micros(modifiedMicros));
        }
    }

    /** JDK 25's {@code futimens(int, long, long)} (nanoseconds) inside its copy: as {@link #futimes}. */
    public static void futimens(int fd, long accessNanos, long modifiedNanos) throws Exception {
        Throwable refused = ownTimes(true, fd, accessNanos, modifiedNanos);
        if (refused != null) {
            setTimes(fd, refused, accessNanos, modifiedNanos);
        }
    }

    /** The JDK's own futimens (nanoseconds) or futimes call: null when it succeeded, else what it threw. */
    private static Throwable ownTimes(boolean nanos, int fd, long access, long modified) {
        try {
            MethodHandle h = nanos ? ownFutimens : ownFutimes;
            if (h == null) {
                h = dispatcher(
                        nanos ? "futimens" : "futimes",
                        MethodType.methodType(void.class, int.class, long.class, long.class));
                if (nanos) {
                    ownFutimens = h;
                } else {
                    ownFutimes = h;
                }
            }
            h.invokeExact(fd, access, modified);
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    private static void setTimes(int fd, Throwable refused, long accessNanos, long modifiedNanos) throws Exception {
        String path = pathOf(fd, refused);
        if (accessNanos == Long.MIN_VALUE || modifiedNanos == Long.MIN_VALUE) {
            throw unixException(22); // EINVAL: a time out of range, never "leave it" (the broker's OMIT)
        }
        nio(UTIMENS, path, null, false, 0, accessNanos, modifiedNanos);
    }

    /** Microseconds as nanoseconds, or Long.MIN_VALUE when they do not fit. */
    private static long micros(long micros) {
        long nanos = micros * 1000;
        return nanos / 1000 == micros ? nanos : Long.MIN_VALUE;
    }

    /**
     * The name the kernel gives descriptor {@code fd} when the JDK's own call on it was refused
     * (EPERM or EACCES); otherwise, or when the descriptor has no name that is a path of an
     * existing file, throws what the JDK's call threw.
     */
    private static String pathOf(int fd, Throwable refused) throws Exception {
        if (!refusedByKernel(refused)) {
            throw rethrow(refused);
        }
        java.nio.file.Path link = java.nio.file.Path.of("/proc/self/fd/" + fd);
        try {
            String name = java.nio.file.Files.readSymbolicLink(link).toString();
            Object nlink = java.nio.file.Files.getAttribute(link, "unix:nlink");
            if (name.startsWith("/") && nlink instanceof Integer count && count > 0) {
                return name;
            }
        } catch (IOException e) {
            // No name to route by: the JDK's refusal stands.
        }
        throw rethrow(refused);
    }

    /** Whether {@code t} is the JDK's UnixException for EPERM or EACCES. */
    private static boolean refusedByKernel(Throwable t) throws Exception {
        int errno = errnoOf(t);
        return errno == 1 || errno == 13;
    }

    /** A static method of {@code sun.nio.fs.UnixNativeDispatcher}, reached from inside java.base. */
    private static MethodHandle dispatcher(String name, MethodType type) throws ReflectiveOperationException {
        Class<?> dispatcher = Class.forName("sun.nio.fs.UnixNativeDispatcher", false, null);
        return MethodHandles.privateLookupIn(dispatcher, MethodHandles.lookup()).findStatic(dispatcher, name, type);
    }

    /** The path the JDK put at {@code address}, decoded as the JDK decodes file names (sun.jnu.encoding). */
    private static String pathAt(long address) throws Exception {
        jdk.internal.misc.Unsafe unsafe = jdk.internal.misc.Unsafe.getUnsafe();
        int length = 0;
        while (unsafe.getByte(address + length) != 0) {
            length++;
        }
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = unsafe.getByte(address + i);
        }
        MethodHandle h = pathString;
        if (h == null) {
            Class<?> util = Class.forName("sun.nio.fs.Util", false, null);
            h = MethodHandles.privateLookupIn(util, MethodHandles.lookup())
                    .findStatic(util, "toString", MethodType.methodType(String.class, byte[].class));
            pathString = h;
        }
        try {
            return (String) h.invokeExact(bytes);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static MethodHandle addWatch() throws ReflectiveOperationException {
        MethodHandle h = addWatch;
        if (h == null) {
            Class<?> service = Class.forName("sun.nio.fs.LinuxWatchService", false, null);
            h = MethodHandles.privateLookupIn(service, MethodHandles.lookup())
                    .findStatic(
                            service,
                            "inotifyAddWatch",
                            MethodType.methodType(int.class, int.class, long.class, int.class));
            addWatch = h;
        }
        return h;
    }

    /** The errno of a {@code UnixException}, else 0. */
    private static int errnoOf(Throwable t) throws Exception {
        Class<?> unix = Class.forName("sun.nio.fs.UnixException", false, null);
        if (!unix.isInstance(t)) {
            return 0;
        }
        MethodHandle h = unixErrno;
        if (h == null) {
            h = MethodHandles.privateLookupIn(unix, MethodHandles.lookup())
                    .findVirtual(unix, "errno", MethodType.methodType(int.class))
                    .asType(MethodType.methodType(int.class, Throwable.class));
            unixErrno = h;
        }
        try {
            return (int) h.invokeExact(t);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** {@code t} as what a method declaring {@code throws Exception} may throw, unchanged where it can be. */
    private static Exception rethrow(Throwable t) {
        if (t instanceof Error error) {
            throw error;
        }
        return t instanceof Exception exception ? exception : new IOException(t);
    }

    /**
     * {@link #nio} for the JDK's status-returning wrappers (JDK 25 access and stat2, JDK 17
     * exists): the negative errno (a policy denial, which the router answers as an
     * {@code AccessDeniedException}, is -EACCES), 0 for
     * success, never an exception. For STAT a success is the descriptor.
     */
    public static int nioStatus(int op, String path, boolean noFollow, int mode) {
        try {
            Object r = meta(op, path, null, noFollow, mode, 0, 0);
            if (r instanceof java.nio.file.AccessDeniedException) {
                return -13; // EACCES: the policy's denial (these wrappers report only the errno)
            }
            if (r instanceof Integer value) {
                int n = value;
                return n < 0 ? n : op == STAT ? n : 0;
            }
            // A status instead of a descriptor comes only for a link itself (lstat), which these
            // wrappers never ask for; should it come, it is a failure, never a descriptor number.
            return op == STAT ? -5 : 0;
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
     * A TCP connect of {@code fd} to {@code address} and {@code port}, asked of the broker (advice
     * on {@code sun.nio.ch.Net#connect}): the broker's socket, connected or connecting, is put at
     * {@code fd}'s number.
     *
     * @return 1 connected, -2 ({@code IOStatus.UNAVAILABLE}) connecting, 0 not routed (not a TCP
     *     socket, or the agent's own thread): the JDK's own connect then runs
     * @throws IOException the JDK's exception for a denial or failure
     */
    public static int connect(FileDescriptor fd, java.net.InetAddress address, int port) throws IOException {
        int r = network(NET_CONNECT, fd, address, port, 0);
        return r == NOT_ROUTED ? 0 : r;
    }

    /**
     * A TCP bind of {@code fd} to {@code address} and {@code port}, asked of the broker (advice on
     * {@code sun.nio.ch.Net#bind}).
     *
     * @return true when bound by the broker; false when not routed (the JDK's own bind runs)
     */
    public static boolean bind(FileDescriptor fd, java.net.InetAddress address, int port) throws IOException {
        return network(NET_BIND, fd, address, port, 0) != NOT_ROUTED;
    }

    /**
     * In place of the JDK's calls of the native {@code sun.nio.ch.Net#listen} (where an inet
     * server socket listens): the broker listens on the socket it bound (the helper may not
     * call listen at all), at the address the socket has.
     */
    public static void listen(FileDescriptor fd, int backlog) throws IOException {
        try {
            MethodHandle[] h = netMethods();
            java.net.InetSocketAddress local = (java.net.InetSocketAddress) h[0].invokeExact(fd);
            int r = network(NET_BIND, fd, local.getAddress(), local.getPort(), backlog < 1 ? 50 : backlog);
            if (r == NOT_ROUTED) {
                h[1].invokeExact(fd, backlog);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("airlock cannot listen", t);
        }
    }

    /**
     * {@code sun.nio.ch.Net#localAddress(FileDescriptor)} and the package-private native
     * {@code Net#listen(FileDescriptor, int)}, looked up at the first listen (named, not linked:
     * javac warns of every direct use of sun.nio.ch).
     */
    private static MethodHandle[] netMethods() throws ReflectiveOperationException {
        MethodHandle[] h = netMethods;
        if (h == null) {
            Class<?> type = Class.forName("sun.nio.ch.Net", false, null);
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(type, MethodHandles.lookup());
            h = new MethodHandle[] {
                lookup.findStatic(
                        type,
                        "localAddress",
                        MethodType.methodType(java.net.InetSocketAddress.class, FileDescriptor.class)),
                lookup.findStatic(type, "listen", MethodType.methodType(void.class, FileDescriptor.class, int.class))
            };
            netMethods = h;
        }
        return h;
    }

    private static int network(int op, FileDescriptor fd, java.net.InetAddress address, int port, int backlog)
            throws IOException {
        MethodHandle h = net;
        if (h == null) {
            throw new java.net.SocketException("airlock agent is not installed");
        }
        if (UNROUTED.get() != null) {
            return NOT_ROUTED;
        }
        int number = SharedSecrets.getJavaIOFileDescriptorAccess().get(fd);
        int scope = address instanceof java.net.Inet6Address v6 ? v6.getScopeId() : 0;
        UNROUTED.set(Boolean.TRUE);
        try {
            return (int) h.invokeExact(op, number, address.getAddress(), scope, port, backlog);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new java.net.SocketException("airlock network router failed: " + t);
        } finally {
            UNROUTED.remove();
        }
    }

    /**
     * A datagram socket for {@code sun.nio.ch.Net#socket(family, false)} (advice): the broker's,
     * made in its network namespace (the helper may not make one), as a new {@code FileDescriptor}.
     *
     * @param family the family asked for: IPv6 unless {@code INET} or the JDK sees no IPv6
     *     ({@code Net#isIPv6Available}), exactly the JDK's {@code preferIPv6}
     * @return the socket, or null when not routed (the agent's own thread): the JDK's own call runs
     */
    public static FileDescriptor datagramSocket(java.net.ProtocolFamily family) throws IOException {
        if (UNROUTED.get() != null) {
            return null;
        }
        boolean ipv6;
        try {
            MethodHandle available = ipv6Available;
            if (available == null) {
                Class<?> type = Class.forName("sun.nio.ch.Net", false, null);
                available = MethodHandles.privateLookupIn(type, MethodHandles.lookup())
                        .findStatic(type, "isIPv6Available", MethodType.methodType(boolean.class));
                ipv6Available = available;
            }
            ipv6 = (boolean) available.invokeExact() && family != java.net.StandardProtocolFamily.INET;
        } catch (Throwable t) {
            throw new java.net.SocketException("airlock cannot make a datagram socket: " + t);
        }
        int number = datagram(NET_DATAGRAM, -1, new byte[ipv6 ? 16 : 4], 0, 0, null);
        if (number == NOT_ROUTED) {
            return null;
        }
        FileDescriptor fd = new FileDescriptor();
        SharedSecrets.getJavaIOFileDescriptorAccess().set(fd, number);
        return fd;
    }

    /**
     * An unconnected send of {@code src}'s remaining bytes to {@code target} on datagram socket
     * {@code fd}, asked of the broker (advice on {@code DatagramChannelImpl#send(FileDescriptor,
     * ByteBuffer, InetSocketAddress)}): on success {@code src}'s position moves past what was sent,
     * as the JDK's own send moves it.
     *
     * @return 0 when not routed (the JDK's own send runs); else the JDK's result shifted so that
     *     it is never 0: bytes sent plus 1, or -2 ({@code IOStatus.UNAVAILABLE}: the socket's
     *     buffer is full, the JDK waits and retries)
     */
    public static int sendDatagram(FileDescriptor fd, java.nio.ByteBuffer src, java.net.InetSocketAddress target)
            throws IOException {
        if (UNROUTED.get() != null) {
            return 0;
        }
        int pos = src.position();
        int rem = Math.max(src.limit() - pos, 0);
        byte[] payload = new byte[rem];
        src.get(pos, payload);
        java.net.InetAddress address = target.getAddress();
        int scope = address instanceof java.net.Inet6Address v6 ? v6.getScopeId() : 0;
        int number = SharedSecrets.getJavaIOFileDescriptorAccess().get(fd);
        int n = datagram(NET_SEND, number, address.getAddress(), scope, target.getPort(), payload);
        if (n == NOT_ROUTED) {
            return 0;
        }
        if (n >= 0) {
            src.position(pos + n);
            return n + 1;
        }
        return n;
    }

    /**
     * In place of the JDK's native {@code DatagramChannelImpl#disconnect0}: a disconnect is a
     * {@code connect(2)} to {@code AF_UNSPEC}, which seccomp refuses to the helper (every connect
     * is the broker's), and the broker does not disconnect. Refused with the JDK's exception for
     * a socket call that failed, before the channel changes state.
     */
    @SuppressWarnings("DoNotCallSuggester") // the replacement of a JDK call must keep its descriptor and be callable
    public static void disconnectDatagram(FileDescriptor fd, boolean ipv6) throws IOException {
        throw new java.net.SocketException("airlock: a connected datagram socket cannot be disconnected"
                + " (connect it to another address, or close it and open a new one)");
    }

    private static int datagram(int op, int fd, byte[] address, int scope, int port, byte[] payload)
            throws IOException {
        MethodHandle h = datagram;
        if (h == null) {
            throw new java.net.SocketException("airlock agent is not installed");
        }
        UNROUTED.set(Boolean.TRUE);
        try {
            return (int) h.invokeExact(op, fd, address, scope, port, payload);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new java.net.SocketException("airlock datagram router failed: " + t);
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
        return unixException(errno, null);
    }

    /** The JDK's UnixException for {@code errno}; {@code denial}, when not null, is the policy's reason. */
    private static Exception unixException(int errno, String denial) throws IOException {
        try {
            MethodHandle constructor = newUnixException;
            if (constructor == null) {
                Class<?> type = airlockUnixException;
                constructor = MethodHandles.privateLookupIn(type, MethodHandles.lookup())
                        .findConstructor(type, MethodType.methodType(void.class, int.class, String.class))
                        .asType(MethodType.methodType(Exception.class, int.class, String.class));
                newUnixException = constructor;
            }
            return (Exception) constructor.invokeExact(errno, denial);
        } catch (Throwable t) {
            throw new IOException("airlock cannot report errno " + errno + " (" + strerror(errno) + ")", t);
        }
    }

    private static int call(int op, String path, String display, int flags, int mode) throws IOException {
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

    // ---------------------------------------------------------------- name resolution

    /** The name router's type: (op, host, address, characteristics) -> InetAddress[] or String. */
    private static final MethodType NAMES_TYPE =
            MethodType.methodType(Object.class, int.class, String.class, byte[].class, int.class);

    /** The name router, written once by {@link #installNames}. */
    private static volatile MethodHandle names;

    /** {@code InetAddressResolver.LookupPolicy#characteristics()} (JDK 18 and later), looked up at the first lookup. */
    private static volatile MethodHandle characteristics;

    /**
     * Installs the name router; called once by the agent through core reflection, after
     * {@link #install}. Refuses a second call.
     *
     * @param router the name router ({@code MethodHandle} of the names type)
     * @return null
     */
    static synchronized Object installNames(Object router) {
        if (names != null) {
            throw new IllegalStateException("airlock name router is already installed");
        }
        names = ((MethodHandle) router).asType(NAMES_TYPE);
        return null;
    }

    /**
     * The platform resolver's lookup of {@code host}, asked of the broker (RESOLVE).
     *
     * @param policy JDK 25's {@code LookupPolicy}, whose characteristics the answer follows; null
     *     on JDK 17
     * @return the addresses, each carrying {@code host}; null when not routed (the agent's own
     *     thread): the JDK's own lookup runs
     * @throws java.net.UnknownHostException for a name that does not resolve or that the policy
     *     does not let the program resolve
     */
    public static java.net.InetAddress[] lookupByName(String host, Object policy) throws java.net.UnknownHostException {
        int wanted = 0;
        if (policy != null) {
            try {
                MethodHandle h = characteristics;
                if (h == null) {
                    Class<?> type = Class.forName("java.net.spi.InetAddressResolver$LookupPolicy", false, null);
                    h = MethodHandles.publicLookup()
                            .findVirtual(type, "characteristics", MethodType.methodType(int.class))
                            .asType(MethodType.methodType(int.class, Object.class));
                    characteristics = h;
                }
                wanted = (int) h.invokeExact(policy);
            } catch (Throwable t) {
                throw new java.net.UnknownHostException(host + " (airlock cannot read the lookup policy: " + t + ")");
            }
        }
        return (java.net.InetAddress[]) names(NAME_LOOKUP, host, null, wanted);
    }

    /**
     * The platform resolver's reverse lookup of {@code address}, asked of the broker
     * (REVERSE_RESOLVE).
     *
     * @return the name; null when not routed
     * @throws java.net.UnknownHostException when the broker knows no name the program may resolve
     *     (the JDK then answers the address's text)
     */
    public static String lookupByAddress(byte[] address) throws java.net.UnknownHostException {
        return (String) names(ADDRESS_LOOKUP, null, address, 0);
    }

    /**
     * Whether {@code thrown} (or what caused it) is the name router's denial of a lookup: its
     * cause is a {@code SecurityException} with the policy's reason, as the JDK's lookup under a
     * SecurityManager threw one.
     */
    public static boolean deniedLookup(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof SecurityException
                    && String.valueOf(t.getMessage()).startsWith("denied by airlock policy")) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    private static Object names(int op, String host, byte[] address, int wanted) throws java.net.UnknownHostException {
        MethodHandle h = names;
        if (h == null || UNROUTED.get() != null) {
            return null;
        }
        UNROUTED.set(Boolean.TRUE);
        try {
            return h.invokeExact(op, host, address, wanted);
        } catch (java.net.UnknownHostException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new java.net.UnknownHostException(
                    (host != null ? host : "address") + " (airlock name router failed: " + t + ")");
        } finally {
            UNROUTED.remove();
        }
    }
}
