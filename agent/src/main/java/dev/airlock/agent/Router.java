package dev.airlock.agent;

import dev.airlock.helper.Answer;
import dev.airlock.helper.BrokerClient;
import dev.airlock.helper.OperationFailedException;
import dev.airlock.ipc.Reply;
import dev.airlock.ipc.Request;
import dev.airlock.unix.Errno;
import java.io.IOException;

/**
 * Turns a JDK open that the kernel refused into a request to the {@link Opener}, and the answer
 * back into what the JDK would have produced.
 *
 * <p>The bridge inside java.base holds a handle on {@link #dispatch}, which calls the installed
 * router's {@link #route}; advice calls the bridge only after the JDK's own direct open failed
 * (java.io: any {@code FileNotFoundException}; NIO: EACCES or EPERM).
 * This class owns everything that can be written as plain Java in the application loader, so that
 * the code inlined into the JDK stays a few instructions: the mapping from the JDK's arguments to
 * Linux open(2) flags, making a relative path absolute, and the exact wording of failures.
 *
 * <p>Failures read like the JDK's own ({@link Failures}): java.io throws
 * {@code FileNotFoundException("NAME (REASON)")} as the JDK's native {@code fileOpen} does, REASON
 * being the strerror text of the broker's errno (glibc's, see {@link dev.airlock.unix.Errno}) or the
 * policy's reason ({@code denied by airlock policy NAME: ACTIONS}, as the broker sends it). NIO
 * returns a plain errno as {@code -errno} for the bridge to throw as the JDK's {@code UnixException}
 * (so {@code NoSuchFileException} and friends come out of the JDK's own translation), and throws
 * {@code AccessDeniedException(PATH, null, "denied by airlock policy ...")} for a denial. A broker
 * that failed or is unreachable fails closed with an I/O error, never a denial and never a direct
 * open.
 *
 * <p>Called concurrently from any thread that opens a file; holds no mutable state but the
 * per-thread re-entry guard, so the opener must be thread-safe.
 */
final class Router {

    // The open operations, as java.io.AirlockBridge numbers them (Bridge holds every such number).
    static final int FILE_INPUT = Bridge.FILE_INPUT;
    static final int FILE_OUTPUT = Bridge.FILE_OUTPUT;
    static final int RANDOM_ACCESS = Bridge.RANDOM_ACCESS;
    static final int NIO_OPEN = Bridge.NIO_OPEN;
    static final int NIO_OPENAT = Bridge.NIO_OPENAT;
    /** "Not routed: the JDK's own failure stands." */
    static final int NOT_ROUTED = Bridge.NOT_ROUTED;

    // Linux x86-64/aarch64 open(2) flags (asm-generic/fcntl.h).
    static final int O_RDONLY = 0;
    static final int O_WRONLY = 01;
    static final int O_RDWR = 02;
    static final int O_CREAT = 0100;
    static final int O_TRUNC = 01000;
    static final int O_APPEND = 02000;
    static final int O_DSYNC = 010000;
    static final int O_SYNC = 04010000;

    // RandomAccessFile's private mode bits (identical on JDK 17 and 25).
    static final int RAF_RDONLY = 1;
    static final int RAF_RDWR = 2;
    static final int RAF_SYNC = 4;
    static final int RAF_DSYNC = 8;

    /** The mode the JDK's java.io natives create files with (before the umask). */
    static final int JAVA_IO_MODE = 0666;

    private final Opener opener;
    private final String userDir;

    /**
     * Set while this thread is inside the opener. An open the opener itself triggers (a broker
     * client loading a native library, say) is not routed back into it: its direct failure stands.
     */
    static final ThreadLocal<Boolean> ROUTING = new ThreadLocal<>();

    /**
     * @param opener asked when a direct open failed
     * @param userDir {@code user.dir} as captured at premain; relative paths are resolved against it
     */
    Router(Opener opener, String userDir) {
        if (userDir == null || !userDir.startsWith("/")) {
            throw new IllegalArgumentException("user.dir is not an absolute path: " + userDir);
        }
        this.opener = opener;
        this.userDir = userDir;
    }

    /** The router the bridge dispatches to; set once, before the bridge is wired. */
    private static volatile Router installed;

    /** Makes {@code router} the one {@link #dispatch} serves. Refuses a second router. */
    static synchronized void install(Router router) {
        if (installed != null) {
            throw new IllegalStateException("an airlock router is already installed");
        }
        installed = router;
    }

    /**
     * The target of the bridge's method handle: a static method of exactly the bridge's type, so
     * the handle needs no binding or adaptation (no lambda forms spun at start-up).
     */
    static int dispatch(int op, String path, String display, int flags, int mode) throws IOException {
        Router router = installed;
        if (router == null) {
            throw new IOException("airlock router is not installed");
        }
        return router.route(op, path, display, flags, mode);
    }

    /**
     * Routes one open.
     *
     * @param op one of the operation numbers above
     * @param path the path the JDK was opening (relative or absolute)
     * @param display the path as the JDK words it in exception messages
     * @param flags java.io: 1 for append (FileOutputStream) or the RandomAccessFile mode bits;
     *     NIO: Linux open(2) flags
     * @param mode NIO: the creation mode; java.io: unused
     * @return a descriptor, a negative errno (NIO only), or {@link #NOT_ROUTED}
     * @throws IOException java.io: always a {@code FileNotFoundException}; NIO: a denial or an
     *     unreachable broker
     */
    int route(int op, String path, String display, int flags, int mode) throws IOException {
        boolean javaIo = op == FILE_INPUT || op == FILE_OUTPUT || op == RANDOM_ACCESS;
        if (!javaIo && op != NIO_OPEN && op != NIO_OPENAT) {
            throw new IllegalArgumentException("unknown airlock operation " + op);
        }
        if (path == null || path.isEmpty() || ROUTING.get() != null) {
            // An empty name means the JDK's own ENOENT (resolving it would name user.dir itself).
            return NOT_ROUTED;
        }
        int linuxFlags;
        int linuxMode;
        if (javaIo) {
            linuxFlags = javaIoFlags(op, flags);
            linuxMode = JAVA_IO_MODE;
            if (linuxFlags < 0) {
                // A RandomAccessFile mode the JDK itself would not accept; keep its failure.
                return NOT_ROUTED;
            }
        } else {
            linuxFlags = flags;
            linuxMode = mode;
        }
        Exception failure;
        ROUTING.set(Boolean.TRUE);
        try {
            // open(2) uses only the permission bits of the mode; the JDK passes a whole st_mode
            // when it copies a file's mode (Files.copy), file-type bits included.
            Request.Open open = new Request.Open(
                    BrokerClient.path(absolute(path)), linuxFlags, Request.permissionBits(linuxMode), javaIo);
            Answer answer = opener.send(open);
            if (answer.success() instanceof Reply.Descriptor) {
                return answer.descriptor();
            }
            // Not a descriptor: a broken opener; treat like any other invalid answer.
            failure = new OperationFailedException(display, Errno.EINVAL);
        } catch (IOException | RuntimeException e) {
            // Fail closed: whatever failed, the open fails; no direct retry.
            failure = e;
        } finally {
            ROUTING.remove();
        }
        if (javaIo) {
            throw Failures.javaIoOpen(display, failure);
        }
        return Failures.nioOpen(display, failure);
    }

    /**
     * The Linux flags the JDK's java.io natives pass to open(2), or -1 for a RandomAccessFile mode
     * with neither read bit.
     */
    static int javaIoFlags(int op, int flags) {
        switch (op) {
            case FILE_INPUT:
                return O_RDONLY;
            case FILE_OUTPUT:
                return O_WRONLY | O_CREAT | (flags == 1 ? O_APPEND : O_TRUNC);
            case RANDOM_ACCESS:
                if ((flags & RAF_RDONLY) != 0) {
                    return O_RDONLY;
                }
                if ((flags & RAF_RDWR) != 0) {
                    int linux = O_RDWR | O_CREAT;
                    if ((flags & RAF_SYNC) != 0) {
                        linux |= O_SYNC;
                    } else if ((flags & RAF_DSYNC) != 0) {
                        linux |= O_DSYNC;
                    }
                    return linux;
                }
                return -1;
            default:
                throw new IllegalArgumentException("not a java.io operation: " + op);
        }
    }

    /**
     * Makes {@code path} absolute against the captured {@code user.dir}, lexically: no "." or ".."
     * folding and no symlink resolution, both of which are for the broker to do race-free.
     */
    String absolute(String path) {
        if (path.startsWith("/")) {
            return path;
        }
        return userDir.endsWith("/") ? userDir + path : userDir + "/" + path;
    }
}
