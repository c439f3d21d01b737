package dev.airlock.agent;

import dev.airlock.helper.Answer;
import dev.airlock.helper.BrokerClient;
import dev.airlock.helper.OperationFailedException;
import dev.airlock.helper.PolicyDeniedException;
import dev.airlock.ipc.HelperDescriptor;
import dev.airlock.ipc.Reply;
import dev.airlock.ipc.Request;
import dev.airlock.ipc.RequestPath;
import dev.airlock.unix.Errno;
import dev.airlock.unix.ErrnoException;
import dev.airlock.unix.Fd;
import dev.airlock.unix.Linux;
import java.io.File;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.security.SecureRandom;
import java.util.List;

/**
 * Answers the metadata and mutation operations that advice hands to the bridge: NIO's (one broker
 * request each, answered as the JDK's wrapper would answer) and java.io.File's (answered with
 * java.io's semantics: false, 0 or null for any failure, as the JDK gives for a file it cannot see
 * or change, and IOException only where File itself throws one).
 *
 * <p>The broker decides everything; this class only translates. A STAT answer is an O_PATH
 * descriptor of the file the broker resolved beneath its grant; java.io's answers are read from
 * it through {@code /proc/self/fd/N}, whose stat follows the descriptor (Landlock confines opens,
 * not stat), so sizes and times come from the JDK's own attribute code. Listings come from a
 * directory descriptor the broker opened (decided as read on the directory), read with
 * getdents64.
 *
 * <p>Shares {@link Router#ROUTING}: an operation the broker client itself triggers while a
 * request is in flight is not routed again (it keeps the JDK's direct answer).
 */
final class MetadataRouter {

    // java.io.FileSystem's ACCESS_* and SPACE_* values (identical on JDK 17 and 25).
    static final int ACCESS_READ = 4;
    static final int ACCESS_WRITE = 2;
    static final int ACCESS_EXECUTE = 1;

    private static final int O_RDWR_CREAT_EXCL = 02 | 0100 | 0200;
    private static final int O_DIRECTORY_RDONLY = 0200000;

    private static volatile MetadataRouter installed;

    private final Opener opener;
    private final Router paths;
    private final Charset fileNames;
    private SecureRandom random;

    MetadataRouter(Opener opener, Router paths) {
        this.opener = opener;
        this.paths = paths;
        String jnu = System.getProperty("sun.jnu.encoding");
        this.fileNames = jnu != null && Charset.isSupported(jnu) ? Charset.forName(jnu) : Charset.defaultCharset();
    }

    static synchronized void install(MetadataRouter router) {
        if (installed != null) {
            throw new IllegalStateException("an airlock metadata router is already installed");
        }
        installed = router;
    }

    /** The bridge's metadata handle points here: a static method of exactly the bridge's type. */
    static Object dispatch(int op, String path, String second, boolean flag, int mode, long first, long last)
            throws IOException {
        MetadataRouter router = installed;
        if (router == null) {
            throw new IOException("airlock router is not installed");
        }
        if (Router.ROUTING.get() != null) {
            // Re-entered from inside a request: the JDK's own answer stands (java.io) or the
            // kernel's refusal does (NIO).
            return op < Bridge.IO_QUERY ? (Object) (-Errno.EACCES) : null;
        }
        Router.ROUTING.set(Boolean.TRUE);
        try {
            return op < Bridge.IO_QUERY
                    ? router.nio(op, path, second, flag, mode, first, last)
                    : router.io(op, path, second, mode, first);
        } finally {
            Router.ROUTING.remove();
        }
    }

    /**
     * One NIO operation: the broker's answer, a policy denial (an {@code AccessDeniedException}
     * value with the reason, or a negative errno) or a kernel failure's negative errno;
     * a broker failure throws ({@link Failures#nioMetadata}).
     *
     * @return a descriptor (STAT), a {@code long[]} status (STAT of a link whose target the policy
     *     hides), the data (READLINK), the watch descriptor (WATCH) or {@code TRUE}
     */
    Object nio(int op, String path, String second, boolean flag, int mode, long first, long last) throws IOException {
        if (path == null || path.isEmpty()) {
            return -Errno.ENOENT;
        }
        try {
            Request request = request(op, path, second, flag, mode, first, last);
            if (request instanceof Request.Watch watch) {
                return opener.watch(watch);
            }
            return value(opener.send(request));
        } catch (IOException | RuntimeException e) {
            return Failures.nioMetadata(path, e);
        }
    }

    /**
     * The request the bridge's NIO operation {@code op} stands for: the one switch from the
     * java.base edge's numbers ({@link Bridge}) and positional arguments to a typed request.
     * Modes are cut to what a request carries ({@link Request#permissionBits}); a field the
     * request refuses is EINVAL, as the kernel would answer it.
     *
     * @param flag STAT, CHMOD, UTIMENS: do not follow a trailing link; RENAME: do not replace;
     *     UNLINK: remove a directory
     * @param mode ACCESS bits, MKDIR or CHMOD mode, WATCH event mask; UNLINK: 1 for "either"
     * @param first UTIMENS access time (ns, or {@link Request#OMIT})
     * @param last UTIMENS modification time (ns, or {@link Request#OMIT})
     */
    Request request(int op, String path, String second, boolean flag, int mode, long first, long last)
            throws OperationFailedException {
        if (op != Bridge.WATCH && (op < Bridge.STAT || op > Bridge.UTIMENS)) {
            throw new IllegalArgumentException("unknown airlock NIO operation " + op);
        }
        RequestPath p = BrokerClient.path(paths.absolute(path));
        try {
            switch (op) {
                case Bridge.STAT:
                    return new Request.Stat(p, flag);
                case Bridge.ACCESS:
                    return new Request.Access(p, mode);
                case Bridge.READLINK:
                    return new Request.ReadLink(p);
                case Bridge.MKDIR:
                    return new Request.MakeDirectory(p, Request.permissionBits(mode));
                case Bridge.UNLINK:
                    return new Request.Remove(
                            p,
                            mode == 1
                                    ? Request.RemoveKind.EITHER
                                    : flag ? Request.RemoveKind.DIRECTORY : Request.RemoveKind.FILE);
                case Bridge.RENAME:
                    return new Request.Rename(p, BrokerClient.path(paths.absolute(second)), flag);
                case Bridge.LINK:
                    return new Request.Link(p, BrokerClient.path(paths.absolute(second)));
                case Bridge.SYMLINK:
                    return new Request.SymbolicLink(
                            p, BrokerClient.target(second)); // stored as given, never made absolute
                case Bridge.CHMOD:
                    return new Request.ChangeMode(p, Request.permissionBits(mode), flag);
                case Bridge.UTIMENS:
                    return new Request.SetTimes(p, first, last, flag);
                case Bridge.WATCH:
                    // The inotify instance's descriptor rides in the first number (see AirlockBridge#inotifyAddWatch).
                    return new Request.Watch(p, mode, new HelperDescriptor((int) first));
                default:
                    throw new AssertionError(op); // refused above
            }
        } catch (IllegalArgumentException e) {
            throw new OperationFailedException(path, Errno.EINVAL);
        }
    }

    /**
     * A success as the bridge takes it: a descriptor number, a link's status as a {@code long[]}
     * (the one shape it can fill the JDK's attributes from: it sees no ipc types), the data, or
     * {@code TRUE}.
     */
    private static Object value(Answer answer) {
        Reply.Success success = answer.success();
        if (success instanceof Reply.Descriptor) {
            return answer.descriptor();
        }
        if (success instanceof Reply.Status status) {
            return status.stat().toArray();
        }
        if (success instanceof Reply.Data data) {
            return data.bytes();
        }
        if (success instanceof Reply.WatchDescriptor watch) {
            return watch.descriptor();
        }
        return true;
    }

    /** One java.io.File operation, with java.io's semantics. */
    Object io(int op, String path, String second, int arg, long number) throws IOException {
        switch (op) {
            case Bridge.IO_QUERY:
                return query(path, second);
            case Bridge.IO_NUMBER:
                return number(path, second);
            case Bridge.IO_LIST:
                return list(path);
            case Bridge.IO_CREATE:
                return create(path);
            case Bridge.IO_CHANGE:
                return change(path, second);
            case Bridge.IO_RENAME:
                return succeeds(Bridge.RENAME, path, second, false, 0, 0, 0);
            case Bridge.IO_SET_LAST_MODIFIED:
                return succeeds(
                        Bridge.UTIMENS, path, null, false, 0, Request.OMIT, Math.multiplyExact(number, 1_000_000L));
            case Bridge.IO_SET_PERMISSION:
                return setPermission(path, second, arg);
            case Bridge.IO_TEMP_FILE:
                return tempFile(path, second);
            case Bridge.IO_CANONICAL:
                return canonical(path);
            default:
                throw new IllegalArgumentException("unknown airlock java.io operation " + op);
        }
    }

    private Boolean query(String path, String method) throws IOException {
        switch (method) {
            case "canRead":
                return succeeds(Bridge.ACCESS, path, null, false, ACCESS_READ, 0, 0);
            case "canWrite":
                return succeeds(Bridge.ACCESS, path, null, false, ACCESS_WRITE, 0, 0);
            case "canExecute":
                return succeeds(Bridge.ACCESS, path, null, false, ACCESS_EXECUTE, 0, 0);
            default:
                break;
        }
        PosixFileAttributes attributes = attributes(path);
        if (attributes == null) {
            return Boolean.FALSE;
        }
        switch (method) {
            case "exists":
                return Boolean.TRUE;
            case "isFile":
                return attributes.isRegularFile();
            case "isDirectory":
                return attributes.isDirectory();
            default:
                throw new IllegalArgumentException("not a java.io.File query: " + method);
        }
    }

    private Long number(String path, String method) throws IOException {
        int fd = stat(path);
        if (fd < 0) {
            return 0L;
        }
        try (Fd owned = Fd.adopt(fd)) {
            Path view = viewOf(owned.get());
            switch (method) {
                case "length":
                    return Files.readAttributes(view, PosixFileAttributes.class).size();
                case "lastModified":
                    return Files.readAttributes(view, PosixFileAttributes.class)
                            .lastModifiedTime()
                            .toMillis();
                // java.io's own statvfs of the descriptor's file system: a FileStore of the
                // descriptor would walk the real path's parents, which the helper's user may not search.
                case "getTotalSpace":
                    return view.toFile().getTotalSpace();
                case "getFreeSpace":
                    return view.toFile().getFreeSpace();
                case "getUsableSpace":
                    return view.toFile().getUsableSpace();
                default:
                    throw new IllegalArgumentException("not a java.io.File number: " + method);
            }
        } catch (IOException e) {
            return 0L;
        }
    }

    private String[] list(String path) throws IOException {
        int fd;
        try {
            fd = open(path, O_DIRECTORY_RDONLY, 0);
        } catch (IOException e) {
            Failures.javaIoByValue(e);
            return null;
        }
        try (Fd owned = Fd.adopt(fd)) {
            List<byte[]> names = Linux.readDirectory(owned.get());
            String[] result = new String[names.size()];
            for (int i = 0; i < result.length; i++) {
                result[i] = new String(names.get(i), fileNames);
            }
            return result;
        } catch (ErrnoException e) {
            return null;
        }
    }

    /** createNewFile: true, false if it exists, or the IOException the JDK's native throws. */
    private Boolean create(String path) throws IOException {
        int fd;
        try {
            fd = open(path, O_RDWR_CREAT_EXCL, 0666);
        } catch (OperationFailedException e) {
            if (e.errno() == Errno.EEXIST) {
                return Boolean.FALSE;
            }
            throw Failures.javaIoCreate(e);
        } catch (PolicyDeniedException e) {
            throw Failures.javaIoCreate(e);
        }
        Fd.adopt(fd).close();
        return Boolean.TRUE;
    }

    private Boolean change(String path, String method) throws IOException {
        switch (method) {
            case "delete":
                return succeeds(Bridge.UNLINK, path, null, false, 1 /* either */, 0, 0);
            case "mkdir":
                return succeeds(Bridge.MKDIR, path, null, false, 0777, 0, 0);
            case "setReadOnly":
                return chmod(path, 0222, false);
            default:
                throw new IllegalArgumentException("not a java.io.File change: " + method);
        }
    }

    private Boolean setPermission(String path, String method, int arg) throws IOException {
        int bits;
        switch (method) {
            case "setReadable":
                bits = 0444;
                break;
            case "setWritable":
                bits = 0222;
                break;
            case "setExecutable":
                bits = 0111;
                break;
            default:
                throw new IllegalArgumentException("not a java.io.File permission: " + method);
        }
        if ((arg & 16) != 0) {
            bits &= 0700; // owner only
        }
        return chmod(path, bits, (arg & 8) != 0);
    }

    /** Sets ({@code enable}) or clears {@code bits} of the file's mode, as the JDK's natives do. */
    private Boolean chmod(String path, int bits, boolean enable) throws IOException {
        int fd = stat(path);
        if (fd < 0) {
            return Boolean.FALSE;
        }
        int mode;
        try (Fd owned = Fd.adopt(fd)) {
            // The whole st_mode, set-id and sticky bits included, as the JDK's natives keep them.
            mode = (Integer) Files.getAttribute(viewOf(owned.get()), "unix:mode") & 07777;
        } catch (IOException e) {
            return Boolean.FALSE;
        }
        mode = enable ? mode | bits : mode & ~bits;
        return succeeds(Bridge.CHMOD, path, null, false, mode, 0, 0);
    }

    /**
     * getCanonicalPath outside the direct roots: null (the JDK's answer stands) when the policy
     * lets this process look at the path, else the absolute path folded lexically, as the JDK
     * answers for a path it cannot resolve.
     */
    private String canonical(String path) throws IOException {
        int fd = stat(path);
        if (fd >= 0) {
            Fd.adopt(fd).close();
            return null;
        }
        if (fd != -Errno.EACCES) {
            return null; // missing, not a directory...: the JDK's lexical answer is already right
        }
        return Path.of(paths.absolute(path)).normalize().toString();
    }

    /** createTempFile in a directory outside the direct roots: the JDK's name shape, created exclusively. */
    private File tempFile(String directory, String prefixAndSuffix) throws IOException {
        String dir = directory != null ? directory : System.getProperty("java.io.tmpdir");
        int slash = prefixAndSuffix.indexOf('/');
        String prefix = prefixAndSuffix.substring(0, slash);
        String suffix = prefixAndSuffix.substring(slash + 1);
        if (random == null) {
            random = new SecureRandom();
        }
        for (int attempt = 0; attempt < 100; attempt++) {
            File file = new File(dir, prefix + Long.toUnsignedString(random.nextLong()) + suffix);
            if (Boolean.TRUE.equals(create(file.getPath()))) {
                return file;
            }
        }
        throw new IOException("Unable to create temporary file in " + dir);
    }

    /** The file's attributes as the broker lets the helper see them, or null if it does not. */
    private PosixFileAttributes attributes(String path) throws IOException {
        int fd = stat(path);
        if (fd < 0) {
            return null;
        }
        try (Fd owned = Fd.adopt(fd)) {
            return Files.readAttributes(viewOf(owned.get()), PosixFileAttributes.class);
        } catch (IOException e) {
            return null;
        }
    }

    /** The broker's O_PATH descriptor for {@code path}, or a negative errno (a denial included). */
    private int stat(String path) throws IOException {
        Object r = callQuietly(Bridge.STAT, path, null, false, 0, 0, 0);
        return r instanceof Integer result ? result : -Errno.EIO;
    }

    /** A brokered open of {@code path} for java.io's own use: the descriptor; a failure throws its {@code BrokerException}. */
    private int open(String path, int flags, int mode) throws IOException {
        if (path == null || path.isEmpty()) {
            throw new OperationFailedException(String.valueOf(path), Errno.ENOENT);
        }
        Answer answer = opener.send(new Request.Open(BrokerClient.path(paths.absolute(path)), flags, mode, false));
        if (!(answer.success() instanceof Reply.Descriptor)) {
            throw new OperationFailedException(path, Errno.EINVAL); // a broken opener
        }
        return answer.descriptor();
    }

    private Boolean succeeds(int op, String path, String second, boolean flag, int mode, long first, long last)
            throws IOException {
        Object r = callQuietly(op, path, second, flag, mode, first, last);
        return (r instanceof Integer result && result < 0) ? Boolean.FALSE : Boolean.TRUE;
    }

    /**
     * A request whose denial or failure is just a failure value (java.io): the answer, or a
     * negative errno; a broker failure still throws ({@link Failures#javaIoByValue}).
     */
    private Object callQuietly(int op, String path, String second, boolean flag, int mode, long first, long last)
            throws IOException {
        if (path == null || path.isEmpty()) {
            return -Errno.ENOENT;
        }
        try {
            return value(opener.send(request(op, path, second, flag, mode, first, last)));
        } catch (IOException e) {
            return Failures.javaIoByValue(e);
        }
    }

    /** A path whose stat follows descriptor {@code fd} (this process's /proc, a direct root). */
    private static Path viewOf(int fd) {
        return Path.of("/proc/self/fd/" + fd);
    }
}
