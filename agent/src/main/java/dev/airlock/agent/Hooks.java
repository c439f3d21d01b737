package dev.airlock.agent;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JDK methods the agent hooks, and the advice each one gets (or, where advice cannot wrap the
 * call, the member substitution).
 *
 * <p>The advice templates live in {@code src/main/jdk} (compiled as members of java.base, shipped
 * as resources under {@value #RESOURCE_PREFIX}) and are exit advice on chokepoints of java.base,
 * mapped with {@code javap -c -p} on JDK 17.0.15 and 25.0.3. Where the two JDKs differ, each hook
 * names the shape it belongs to and a JDK must match every hook of one shape (see
 * {@link Hook#shape}).
 *
 * <table>
 *   <caption>Hooked methods</caption>
 *   <tr><th>method</th><th>reached from</th></tr>
 *   <tr><td>{@code java.io.FileInputStream#open(String)}</td>
 *       <td>every FileInputStream constructor, hence FileReader, Scanner(File), Properties.load,
 *       file: URL streams (FileURLConnection), ...</td></tr>
 *   <tr><td>{@code java.io.FileOutputStream#open(String, boolean)}</td>
 *       <td>every FileOutputStream constructor, hence FileWriter, PrintStream(File), ...</td></tr>
 *   <tr><td>{@code java.io.RandomAccessFile#open(String, int)}</td>
 *       <td>every RandomAccessFile constructor, hence ZipFile, JarFile, URLClassLoader's jars</td></tr>
 *   <tr><td>{@code java.io.File}: exists, isFile, isDirectory, canRead, canWrite,
 *       canExecute, length, lastModified, get{Total,Free,Usable}Space, delete, mkdir,
 *       setReadOnly, renameTo, setLastModified, set{Readable,Writable,Executable}(boolean,
 *       boolean), createNewFile, normalizedList, createTempFile(String, String, File),
 *       getCanonicalPath</td>
 *       <td>every java.io.File method that touches the disk: on both JDKs each calls exactly one
 *       {@code java.io.FileSystem} method (on JDK 17 most of UnixFileSystem's are public natives,
 *       which advice cannot wrap, so the hooks sit one level up, in File, on both JDKs alike);
 *       the one-argument setters, mkdirs, listFiles and list(filter) call these; isHidden is
 *       decided by the name alone on Unix and touches nothing; getCanonicalPath of a path the
 *       policy hides folds it lexically instead of following its links</td></tr>
 *   <tr><td>{@code sun.nio.fs.UnixNativeDispatcher#open(UnixPath, int, int)}</td>
 *       <td>UnixChannelFactory (Files.newByteChannel, newInputStream, newOutputStream, readAllBytes,
 *       readString, write, FileChannel.open, AsynchronousFileChannel.open), Files.copy,
 *       newDirectoryStream, walk, list, find (Linux opens the directory, then fdopendir), and
 *       UnixPath#openForAttributeAccess; zip file systems read and write through these</td></tr>
 *   <tr><td>{@code sun.nio.fs.UnixNativeDispatcher#openat(int, byte[], int, int)}</td>
 *       <td>UnixChannelFactory and SecureDirectoryStream, always with a directory descriptor:
 *       routed only for AT_FDCWD, see its advice</td></tr>
 *   <tr><td>{@code UnixNativeDispatcher}: stat and lstat (UnixPath, UnixFileAttributes);
 *       JDK 17: stat(UnixPath) and exists; JDK 25: stat2; access (throwing on 17, returning an
 *       errno on 25); readlink; realpath (the file the broker resolved, by the name the kernel gives its
 *       descriptor); opendir</td>
 *       <td>every NIO attribute read (readAttributes, getAttribute, size, getLastModifiedTime,
 *       getPosixFilePermissions, isDirectory, isRegularFile, isSameFile, exists, notExists,
 *       isReadable/Writable/Executable, readSymbolicLink), and ZipFile's cache key</td></tr>
 *   <tr><td>{@code UnixNativeDispatcher}: mkdir, rmdir, unlink, rename, link, symlink, chmod;
 *       JDK 25: fchmodat</td>
 *       <td>createDirectory(ies), createTempDirectory, delete(IfExists), move, createLink,
 *       createSymbolicLink, setPosixFilePermissions and the POSIX view</td></tr>
 *   <tr><td>{@code sun.nio.fs.UnixFileAttributeViews$Basic#setTimes}</td>
 *       <td>setLastModifiedTime and every basic view: the JDK sets times through a descriptor
 *       (futimes, futimens), which the kernel allows only to the owner, so the view's failure
 *       is routed by path</td></tr>
 *   <tr><td>{@code UnixNativeDispatcher#statvfs(UnixPath, UnixFileStoreAttributes)}</td>
 *       <td>FileStore's getTotalSpace, getUsableSpace, getUnallocatedSpace, getBlockSize: outside
 *       the direct roots the JDK's own statvfs runs on the descriptor the broker resolved (read)</td></tr>
 *   <tr><td>{@code sun.nio.fs.LinuxFileStore#findMountEntry()}</td>
 *       <td>Files.getFileStore: where the JDK's walk up to the mount point is refused above a
 *       grant, the walk is finished from the mount table</td></tr>
 *   <tr><td>JDK 17 {@code UnixCopyFile}, JDK 25 {@code UnixFileSystem}: copyFile and
 *       copyDirectory, whose calls of {@code UnixNativeDispatcher}'s fchown, fchmod and futimes
 *       (17) or futimens (25) are replaced by the bridge's methods of the same name (member
 *       substitutions: on JDK 17 those are static natives, and their other callers, the
 *       attribute views and SecureDirectoryStream, keep the JDK's calls)</td>
 *       <td>Files.copy with COPY_ATTRIBUTES, Files.move across file systems: mode and times by
 *       the descriptor's name through the broker (write), an owner unchanged as a no-op</td></tr>
 *   <tr><td>{@code sun.nio.fs.LinuxWatchService$Poller#implRegister}: its one call of the private
 *       static native {@code LinuxWatchService.inotifyAddWatch(int, long, int)} is replaced by a
 *       call of {@code AirlockBridge#inotifyAddWatch} (a member substitution, not advice)</td>
 *       <td>{@code Path#register} with a WatchService of the default file system (Watchable
 *       register, and so every directory watch); the JDK's key bookkeeping and its translation of
 *       the UnixException it catches there stay as they are</td></tr>
 *   <tr><td>{@code sun.nio.ch.Net#connect(ProtocolFamily, FileDescriptor, InetAddress, int)} and
 *       {@code #bind(ProtocolFamily, FileDescriptor, InetAddress, int)} (enter advice that skips
 *       the JDK's own call); the calls of the native {@code Net#listen} in
 *       {@code ServerSocketChannelImpl#netBind}, {@code NioSocketImpl#listen} and
 *       {@code AsynchronousServerSocketChannelImpl#bind} (member substitutions)</td>
 *       <td>every TCP connect, bind and listen: Socket and ServerSocket (NioSocketImpl),
 *       SocketChannel and ServerSocketChannel, the asynchronous channels, and what is built on
 *       them (HttpURLConnection, HttpClient, HttpServer, JDBC drivers); the broker makes the
 *       socket (dev.airlock.agent.NetworkRouter)</td></tr>
 *   <tr><td>JDK 17's {@code InetAddress$PlatformNameService#lookupAllHostAddr} and
 *       {@code #getHostByAddr}, JDK 25's {@code InetAddress$PlatformResolver#lookupByName} and
 *       {@code #lookupByAddress} (enter advice that skips the JDK's call);
 *       {@code InetAddress#getLocalHost} (exit advice)</td>
 *       <td>every lookup of the JDK's platform resolver, below its caches: getByName,
 *       getAllByName, connects by name, getCanonicalHostName; the broker decides and resolves
 *       (dev.airlock.agent.NameRouter)</td></tr>
 * </table>
 *
 * <p>Why these suffice: each java.io stream class has exactly one Java method in front of its
 * native {@code open0}; every java.io.File disk operation is one of the File methods above; on
 * Linux every NIO operation on a path but a watch's registration goes through a static wrapper of
 * a private native in UnixNativeDispatcher, and the callers of each wrapper (listed above from
 * {@code javap -c} of sun.nio.fs on both JDKs) call nothing else for that operation; a watch's
 * registration calls LinuxWatchService's own native, once, hence its substitution. Zip and jar
 * files, URLClassLoader and file: URLs are built on java.io streams, RandomAccessFile, File and
 * NIO, so they need no hook of their own. Descriptor-based calls (fstat, read, write, mmap, flock, ftruncate, fdopendir and
 * readdir) work on a brokered descriptor unchanged.
 *
 * <p>Routing: opens and changes run directly first and are routed when the kernel refused them
 * (EACCES, EPERM), or when they failed for any reason outside the direct roots (the paths the
 * kernel lets the helper read; see java.io.AirlockBridge#direct), where an ENOENT or EEXIST is the
 * policy's to reveal. Queries (stat, access, readlink, java.io.File's) outside the direct roots
 * are always answered by the broker, because Landlock does not confine them. Inside the direct
 * roots (the JDK, the class path) nothing is brokered, so class loading costs nothing extra.
 *
 * <p>Left out, and why: chown/lchown (the broker
 * runs as root, so brokering chown would give away ownership; the helper's own EPERM stands),
 * mknod, the extended-attribute calls (on descriptors), and calls relative to
 * a real directory descriptor (SecureDirectoryStream), which the broker cannot resolve.
 *
 * <p>NIO failures replace a {@code UnixException} with an IOException (a denial, an unreachable
 * broker) that the wrapper does not declare. Every caller of the wrappers in sun.nio.fs declares
 * IOException or passes the exception up to a method that does, with one exception on both JDKs:
 * {@code UnixFileStore#isExtendedAttributesEnabled(UnixPath)} (reached from
 * {@code FileStore#supportsFileAttributeView("user")} on Linux) declares nothing and catches only
 * UnixException; there a denial or broker failure on its probe of the mount point escapes as an
 * undeclared checked exception instead of the JDK's "false".
 *
 * <p>Each hook is matched by name and full descriptor, so a JDK whose shape differs fails the
 * installation (closed) instead of silently leaving the method unhooked. A class all of whose
 * hooks belong to JDK shapes ({@link #shaped}) is hooked only where java.base has it, and a shape
 * is all or nothing across classes: a JDK woven with a shape must have every hook of it.
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
        /**
         * Null for a method both JDKs have; else the name of the JDK shape it belongs to. A JDK
         * must have every hook of at least one shape, and gets the hooks of those it has.
         */
        final String shape;

        Hook(String type, String method, String descriptor, String advice) {
            this(type, method, descriptor, advice, null);
        }

        /**
         * For a substitution instead of advice: the call inside {@link #method} that is replaced,
         * as {@code owner#name descriptor} of a static method, and the bridge's static method of
         * the same descriptor that is called instead. Null for advice hooks.
         */
        final String replaced;

        final String replacement;

        Hook(String type, String method, String descriptor, String advice, String shape) {
            this(type, method, descriptor, advice, shape, null, null);
        }

        private Hook(
                String type,
                String method,
                String descriptor,
                String advice,
                String shape,
                String replaced,
                String replacement) {
            this.type = type;
            this.method = method;
            this.descriptor = descriptor;
            this.advice = advice;
            this.shape = shape;
            this.replaced = replaced;
            this.replacement = replacement;
        }

        /**
         * A hook that replaces the calls of static method {@code replacedName} (of {@code
         * replacedOwner}, with {@code replacedDescriptor}) inside {@code type#method} by calls of the
         * bridge's static method {@code replacement}, which must take and return the same.
         */
        static Hook substitution(
                String type,
                String method,
                String descriptor,
                String replacedOwner,
                String replacedName,
                String replacedDescriptor,
                String replacement) {
            return substitution(
                    type, method, descriptor, replacedOwner, replacedName, replacedDescriptor, replacement, null);
        }

        /** {@link #substitution} for a method of one JDK shape only (see {@link #shape}). */
        static Hook substitution(
                String type,
                String method,
                String descriptor,
                String replacedOwner,
                String replacedName,
                String replacedDescriptor,
                String replacement,
                String shape) {
            return new Hook(
                    type,
                    method,
                    descriptor,
                    null,
                    shape,
                    replacedOwner + "#" + replacedName + replacedDescriptor,
                    replacement);
        }

        String replacedOwner() {
            return replaced.substring(0, replaced.indexOf('#'));
        }

        String replacedName() {
            return replaced.substring(replaced.indexOf('#') + 1, replaced.indexOf('('));
        }

        String replacedDescriptor() {
            return replaced.substring(replaced.indexOf('('));
        }

        @Override
        public String toString() {
            return type + "#" + method + descriptor;
        }
    }

    private static final String FILE = "java.io.File";
    private static final String UND = "sun.nio.fs.UnixNativeDispatcher";
    private static final String PATH = "Lsun/nio/fs/UnixPath;";
    private static final String ATTRIBUTES = "Lsun/nio/fs/UnixFileAttributes;";
    private static final String JDK17 = "JDK 17";
    private static final String JDK25 = "JDK 25";
    /** Where JDK 17 copies a file; JDK 25 does it in UnixFileSystem. */
    private static final String COPY17 = "sun.nio.fs.UnixCopyFile";

    private static final String COPY25 = "sun.nio.fs.UnixFileSystem";

    private static final String NET = "sun.nio.ch.Net";

    /** JDK 17's platform name service; JDK 25 has the platform resolver instead. */
    private static final String NAME_SERVICE17 = "java.net.InetAddress$PlatformNameService";

    private static final String RESOLVER25 = "java.net.InetAddress$PlatformResolver";

    private static final String DATAGRAM = "sun.nio.ch.DatagramChannelImpl";

    static final List<Hook> ALL = List.of(
            new Hook(
                    "java.io.FileInputStream", "open", "(Ljava/lang/String;)V", "java.io.AirlockFileInputStreamAdvice"),
            new Hook(
                    "java.io.FileOutputStream",
                    "open",
                    "(Ljava/lang/String;Z)V",
                    "java.io.AirlockFileOutputStreamAdvice"),
            new Hook(
                    "java.io.RandomAccessFile",
                    "open",
                    "(Ljava/lang/String;I)V",
                    "java.io.AirlockRandomAccessFileAdvice"),
            new Hook(FILE, "exists", "()Z", "java.io.AirlockFileQueryAdvice"),
            new Hook(FILE, "isFile", "()Z", "java.io.AirlockFileQueryAdvice"),
            new Hook(FILE, "isDirectory", "()Z", "java.io.AirlockFileQueryAdvice"),
            new Hook(FILE, "canRead", "()Z", "java.io.AirlockFileQueryAdvice"),
            new Hook(FILE, "canWrite", "()Z", "java.io.AirlockFileQueryAdvice"),
            new Hook(FILE, "canExecute", "()Z", "java.io.AirlockFileQueryAdvice"),
            new Hook(FILE, "length", "()J", "java.io.AirlockFileNumberAdvice"),
            new Hook(FILE, "lastModified", "()J", "java.io.AirlockFileNumberAdvice"),
            new Hook(FILE, "getTotalSpace", "()J", "java.io.AirlockFileNumberAdvice"),
            new Hook(FILE, "getFreeSpace", "()J", "java.io.AirlockFileNumberAdvice"),
            new Hook(FILE, "getUsableSpace", "()J", "java.io.AirlockFileNumberAdvice"),
            new Hook(FILE, "delete", "()Z", "java.io.AirlockFileChangeAdvice"),
            new Hook(FILE, "mkdir", "()Z", "java.io.AirlockFileChangeAdvice"),
            new Hook(FILE, "setReadOnly", "()Z", "java.io.AirlockFileChangeAdvice"),
            new Hook(FILE, "renameTo", "(Ljava/io/File;)Z", "java.io.AirlockFileRenameAdvice"),
            new Hook(FILE, "setLastModified", "(J)Z", "java.io.AirlockFileTimeAdvice"),
            new Hook(FILE, "setReadable", "(ZZ)Z", "java.io.AirlockFilePermissionAdvice"),
            new Hook(FILE, "setWritable", "(ZZ)Z", "java.io.AirlockFilePermissionAdvice"),
            new Hook(FILE, "setExecutable", "(ZZ)Z", "java.io.AirlockFilePermissionAdvice"),
            new Hook(FILE, "createNewFile", "()Z", "java.io.AirlockFileCreateAdvice"),
            new Hook(FILE, "normalizedList", "()[Ljava/lang/String;", "java.io.AirlockFileListAdvice"),
            new Hook(
                    FILE,
                    "createTempFile",
                    "(Ljava/lang/String;Ljava/lang/String;Ljava/io/File;)Ljava/io/File;",
                    "java.io.AirlockFileTempAdvice"),
            new Hook(FILE, "getCanonicalPath", "()Ljava/lang/String;", "java.io.AirlockFileCanonicalAdvice"),
            new Hook(UND, "open", "(" + PATH + "II)I", "sun.nio.fs.AirlockUnixOpenAdvice"),
            new Hook(UND, "openat", "(I[BII)I", "sun.nio.fs.AirlockUnixOpenatAdvice"),
            new Hook(UND, "stat", "(" + PATH + ATTRIBUTES + ")V", "sun.nio.fs.AirlockUnixStatAdvice"),
            new Hook(UND, "lstat", "(" + PATH + ATTRIBUTES + ")V", "sun.nio.fs.AirlockUnixStatAdvice"),
            new Hook(UND, "stat", "(" + PATH + ")I", "sun.nio.fs.AirlockUnixModeAdvice", JDK17),
            new Hook(UND, "exists", "(" + PATH + ")Z", "sun.nio.fs.AirlockUnixExistsAdvice", JDK17),
            new Hook(UND, "access", "(" + PATH + "I)V", "sun.nio.fs.AirlockUnixAccessAdvice", JDK17),
            new Hook(UND, "stat2", "(" + PATH + ATTRIBUTES + ")I", "sun.nio.fs.AirlockUnixStatusAdvice", JDK25),
            new Hook(UND, "access", "(" + PATH + "I)I", "sun.nio.fs.AirlockUnixAccessStatusAdvice", JDK25),
            new Hook(UND, "fchmodat", "(I" + PATH + "II)V", "sun.nio.fs.AirlockUnixFchmodatAdvice", JDK25),
            new Hook(UND, "readlink", "(" + PATH + ")[B", "sun.nio.fs.AirlockUnixReadlinkAdvice"),
            new Hook(UND, "realpath", "(" + PATH + ")[B", "sun.nio.fs.AirlockUnixRealpathAdvice"),
            new Hook(UND, "opendir", "(" + PATH + ")J", "sun.nio.fs.AirlockUnixOpendirAdvice"),
            new Hook(
                    UND,
                    "statvfs",
                    "(" + PATH + "Lsun/nio/fs/UnixFileStoreAttributes;)V",
                    "sun.nio.fs.AirlockUnixStatvfsAdvice"),
            new Hook(UND, "unlink", "(" + PATH + ")V", "sun.nio.fs.AirlockUnixChangeAdvice"),
            new Hook(UND, "rmdir", "(" + PATH + ")V", "sun.nio.fs.AirlockUnixChangeAdvice"),
            new Hook(UND, "mkdir", "(" + PATH + "I)V", "sun.nio.fs.AirlockUnixModeChangeAdvice"),
            new Hook(UND, "chmod", "(" + PATH + "I)V", "sun.nio.fs.AirlockUnixModeChangeAdvice"),
            new Hook(UND, "rename", "(" + PATH + PATH + ")V", "sun.nio.fs.AirlockUnixTwoPathAdvice"),
            new Hook(UND, "link", "(" + PATH + PATH + ")V", "sun.nio.fs.AirlockUnixTwoPathAdvice"),
            new Hook(UND, "symlink", "([B" + PATH + ")V", "sun.nio.fs.AirlockUnixSymlinkAdvice"),
            new Hook(
                    "sun.nio.fs.UnixFileAttributeViews$Basic",
                    "setTimes",
                    "(Ljava/nio/file/attribute/FileTime;Ljava/nio/file/attribute/FileTime;"
                            + "Ljava/nio/file/attribute/FileTime;)V",
                    "sun.nio.fs.AirlockUnixSetTimesAdvice"),
            new Hook(
                    "sun.nio.fs.LinuxFileStore",
                    "findMountEntry",
                    "()Lsun/nio/fs/UnixMountEntry;",
                    "sun.nio.fs.AirlockLinuxFileStoreMountAdvice"),
            // The one call of the private native inotifyAddWatch (JDK 17 and 25 alike): advice cannot
            // wrap a native method, and advice on implRegister would have to redo the JDK's key
            // bookkeeping; replacing just the call keeps all of it, and the JDK's own translation of
            // the UnixException it catches there (see AirlockBridge#inotifyAddWatch).
            Hook.substitution(
                    "sun.nio.fs.LinuxWatchService$Poller",
                    "implRegister",
                    "(Ljava/nio/file/Path;Ljava/util/Set;[Ljava/nio/file/WatchEvent$Modifier;)Ljava/lang/Object;",
                    "sun.nio.fs.LinuxWatchService",
                    "inotifyAddWatch",
                    "(IJI)I",
                    "inotifyAddWatch"),
            // The copy of a file or directory with its attributes (COPY_ATTRIBUTES, and a move
            // across file systems) sets owner, mode and times through the new file's descriptor;
            // on JDK 17 those are public static natives, which advice cannot wrap, and on both
            // JDKs other callers (the attribute views, SecureDirectoryStream) must keep the
            // JDK's own calls, so just these calls are replaced (see AirlockBridge#fchmod).
            copyCall(COPY17, "copyFile", copyFile(COPY17), "fchown", "(III)V", JDK17),
            copyCall(COPY17, "copyFile", copyFile(COPY17), "fchmod", "(II)V", JDK17),
            copyCall(COPY17, "copyFile", copyFile(COPY17), "futimes", "(IJJ)V", JDK17),
            copyCall(COPY17, "copyDirectory", copyDirectory(COPY17), "fchown", "(III)V", JDK17),
            copyCall(COPY17, "copyDirectory", copyDirectory(COPY17), "fchmod", "(II)V", JDK17),
            copyCall(COPY17, "copyDirectory", copyDirectory(COPY17), "futimes", "(IJJ)V", JDK17),
            copyCall(COPY25, "copyFile", copyFile(COPY25), "fchown", "(III)V", JDK25),
            copyCall(COPY25, "copyFile", copyFile(COPY25), "fchmod", "(II)V", JDK25),
            copyCall(COPY25, "copyFile", copyFile(COPY25), "futimens", "(IJJ)V", JDK25),
            copyCall(COPY25, "copyDirectory", copyDirectory(COPY25), "fchown", "(III)V", JDK25),
            copyCall(COPY25, "copyDirectory", copyDirectory(COPY25), "fchmod", "(II)V", JDK25),
            copyCall(COPY25, "copyDirectory", copyDirectory(COPY25), "futimens", "(IJJ)V", JDK25),
            // TCP: the one Java method in front of each native connect and bind of an inet socket
            // (JDK 17 and 25 alike); the broker connects and binds (NetworkRouter).
            new Hook(
                    NET,
                    "connect",
                    "(Ljava/net/ProtocolFamily;Ljava/io/FileDescriptor;Ljava/net/InetAddress;I)I",
                    "sun.nio.ch.AirlockNetConnectAdvice"),
            new Hook(
                    NET,
                    "bind",
                    "(Ljava/net/ProtocolFamily;Ljava/io/FileDescriptor;Ljava/net/InetAddress;I)V",
                    "sun.nio.ch.AirlockNetBindAdvice"),
            // Net.listen is a native (no advice): its three calls for inet sockets are replaced
            // by the bridge's listen, which the broker serves (seccomp refuses listen to the helper).
            listenCall(
                    "sun.nio.ch.ServerSocketChannelImpl",
                    "netBind",
                    "(Ljava/net/SocketAddress;I)Ljava/net/SocketAddress;"),
            listenCall("sun.nio.ch.NioSocketImpl", "listen", "(I)V"),
            listenCall(
                    "sun.nio.ch.AsynchronousServerSocketChannelImpl",
                    "bind",
                    "(Ljava/net/SocketAddress;I)Ljava/nio/channels/AsynchronousServerSocketChannel;"),
            // Names: the platform resolver's two lookups, below the JDK's caches (JDK 17's name
            // service, JDK 25's resolver), go to the broker (NameRouter); getLocalHost answers the
            // loopback address for a local host name the policy does not grant, as under a
            // SecurityManager.
            new Hook(
                    NAME_SERVICE17,
                    "lookupAllHostAddr",
                    "(Ljava/lang/String;)[Ljava/net/InetAddress;",
                    "java.net.AirlockNameServiceAdvice",
                    JDK17),
            new Hook(
                    NAME_SERVICE17,
                    "getHostByAddr",
                    "([B)Ljava/lang/String;",
                    "java.net.AirlockAddressLookupAdvice",
                    JDK17),
            new Hook(
                    RESOLVER25,
                    "lookupByName",
                    "(Ljava/lang/String;Ljava/net/spi/InetAddressResolver$LookupPolicy;)Ljava/util/stream/Stream;",
                    "java.net.AirlockResolverAdvice",
                    JDK25),
            new Hook(
                    RESOLVER25,
                    "lookupByAddress",
                    "([B)Ljava/lang/String;",
                    "java.net.AirlockAddressLookupAdvice",
                    JDK25),
            new Hook(
                    "java.net.InetAddress",
                    "getLocalHost",
                    "()Ljava/net/InetAddress;",
                    "java.net.AirlockLocalHostAdvice"),
            // UDP (JDK 17 and 25 alike): every datagram socket is the broker's (the one Java method
            // in front of socket0), and every unconnected send is (the one Java method in front of
            // send0, whose signature differs between the JDKs); the disconnect native, a
            // connect(2) seccomp refuses, is replaced by a precise refusal.
            new Hook(
                    NET,
                    "socket",
                    "(Ljava/net/ProtocolFamily;Z)Ljava/io/FileDescriptor;",
                    "sun.nio.ch.AirlockNetSocketAdvice"),
            new Hook(
                    DATAGRAM,
                    "send",
                    "(Ljava/io/FileDescriptor;Ljava/nio/ByteBuffer;Ljava/net/InetSocketAddress;)I",
                    "sun.nio.ch.AirlockDatagramSendAdvice"),
            Hook.substitution(
                    DATAGRAM,
                    "disconnect",
                    "()Ljava/nio/channels/DatagramChannel;",
                    DATAGRAM,
                    "disconnect0",
                    "(Ljava/io/FileDescriptor;Z)V",
                    "disconnectDatagram"));

    private Hooks() {}

    /** The call of {@code sun.nio.ch.Net#listen(FileDescriptor, int)} inside {@code type#method}, replaced by the bridge's. */
    private static Hook listenCall(String type, String method, String descriptor) {
        return Hook.substitution(type, method, descriptor, NET, "listen", "(Ljava/io/FileDescriptor;I)V", "listen");
    }

    /** One descriptor call inside a JDK copy method, replaced by the bridge's method of the same name. */
    private static Hook copyCall(
            String type, String method, String descriptor, String call, String callDescriptor, String shape) {
        return Hook.substitution(type, method, descriptor, UND, call, callDescriptor, call, shape);
    }

    /** {@code copyFile(UnixPath, UnixFileAttributes, UnixPath, Flags, long)}, Flags nested in {@code type}. */
    private static String copyFile(String type) {
        return "(" + PATH + ATTRIBUTES + PATH + "L" + type.replace('.', '/') + "$Flags;J)V";
    }

    /** {@code copyDirectory(UnixPath, UnixFileAttributes, UnixPath, Flags)}, Flags nested in {@code type}. */
    private static String copyDirectory(String type) {
        return "(" + PATH + ATTRIBUTES + PATH + "L" + type.replace('.', '/') + "$Flags;)V";
    }

    /**
     * Whether every hook of {@code type} belongs to a JDK shape: such a type is hooked only on a
     * JDK that has it (JDK 17's UnixCopyFile is gone from 25), and, where it exists, only with the
     * hooks of the shapes it has.
     */
    static boolean shaped(String type) {
        List<Hook> hooks = byType().get(type);
        return hooks != null && hooks.stream().allMatch(h -> h.shape != null);
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
            if (hook.advice != null && !members.contains(hook.advice)) {
                members.add(hook.advice);
            }
        }
        return members;
    }

    /** The resource holding the class file of a java.base member shipped with the agent. */
    static String resource(String binaryName) {
        return RESOURCE_PREFIX + binaryName.replace('.', '/') + ".class";
    }
}
