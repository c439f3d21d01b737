package dev.airlock.ipc;

import java.util.Objects;

/**
 * A request from the helper to the broker: open a path, or look at or change the file system
 * object a path names ({@link FileRequest}); or connect or bind a TCP socket ({@link Connect},
 * {@link Bind}); or resolve a host name or an address ({@link Resolve}, {@link ReverseResolve}). One record per {@link Operation}, each field named for what it is.
 *
 * <p>Immutable, so that the broker checks the policy and acts on one and the same value: a path
 * that could change between check and use would reopen the race the broker exists to close. Every
 * record validates its fields in its constructor ({@link IllegalArgumentException}) with the
 * rules the decoder applies ({@link Message}), so every instance encodes and decodes back equal.
 * The request id is not part of the value: it travels in an {@link Envelope}.
 *
 * <p>{@link Handler} visits the records with one method each, so that code serving every
 * operation (the broker's request server, the codec's encoder) stops compiling when one is added.
 */
public sealed interface Request
        permits Request.FileRequest, Request.Carrying, Request.Resolve, Request.ReverseResolve, Request.Datagram {

    /** A {@link SetTimes} time meaning "leave this time as it is" (UTIME_OMIT). */
    long OMIT = Long.MIN_VALUE;

    /** The operation this request is. */
    Operation operation();

    /**
     * A request about the file system object a path names: every operation whose wire body starts
     * with a path ({@link Operation#hasPath}).
     */
    sealed interface FileRequest extends Request
            permits Open,
                    Stat,
                    Access,
                    ReadLink,
                    MakeDirectory,
                    Remove,
                    Rename,
                    Link,
                    SymbolicLink,
                    ChangeMode,
                    SetTimes,
                    Watch {
        /** The path the request is about (for RENAME the source, for LINK and SYMLINK the new name). */
        RequestPath path();
    }

    /**
     * A request that acts on one of the helper's own descriptors, which it names
     * ({@link HelperDescriptor}): the broker takes that descriptor from the helper before it
     * serves the request, and closes its copy after.
     */
    sealed interface Carrying extends Request permits Watch, Connect, Bind, SendDatagram {
        /** The helper's descriptor the request acts on. */
        HelperDescriptor carried();
    }

    /** Calls {@code handler}'s method for this record. */
    <R, X extends Exception> R accept(Handler<R, X> handler) throws X;

    /**
     * The permission, set-id and sticky bits of {@code mode}: what {@code open(2)},
     * {@code mkdir(2)} and {@code chmod(2)} use of a mode. The one place where a caller's mode is
     * cut to what a request carries: the JDK passes a whole {@code st_mode} when it copies a
     * file's mode ({@code Files.copy} with COPY_ATTRIBUTES), file-type bits included, and the
     * records refuse anything beyond 07777 rather than guess.
     */
    static int permissionBits(int mode) {
        return mode & Message.MAX_MODE;
    }

    /**
     * One method per record: an implementation serves every operation, checked by the compiler.
     *
     * @param <R> what handling a request yields
     * @param <X> the checked exception handling may throw
     */
    interface Handler<R, X extends Exception> {
        R open(Open request) throws X;

        R stat(Stat request) throws X;

        R access(Access request) throws X;

        R readLink(ReadLink request) throws X;

        R makeDirectory(MakeDirectory request) throws X;

        R remove(Remove request) throws X;

        R rename(Rename request) throws X;

        R link(Link request) throws X;

        R symbolicLink(SymbolicLink request) throws X;

        R changeMode(ChangeMode request) throws X;

        R setTimes(SetTimes request) throws X;

        R watch(Watch request) throws X;

        R connect(Connect request) throws X;

        R bind(Bind request) throws X;

        R resolve(Resolve request) throws X;

        R reverseResolve(ReverseResolve request) throws X;

        R datagram(Datagram request) throws X;

        R sendDatagram(SendDatagram request) throws X;
    }

    /**
     * Open a file.
     *
     * @param openFlags the {@code open(2)} flags, passed through unchecked: which flags are allowed
     *     is the broker's policy decision, not the codec's
     * @param mode the creation mode, 0..07777 ({@link #permissionBits})
     * @param refuseDirectory whether a directory should fail with EISDIR, as java.io expects
     */
    record Open(RequestPath path, int openFlags, int mode, boolean refuseDirectory) implements FileRequest {
        public Open {
            Objects.requireNonNull(path, "path");
            check(Message.checkMode(mode));
        }

        @Override
        public Operation operation() {
            return Operation.OPEN;
        }

        @Override
        public <R, X extends Exception> R accept(Handler<R, X> handler) throws X {
            return handler.open(this);
        }

        @Override
        public String toString() {
            return "OPEN " + path + " flags=0x" + Integer.toHexString(openFlags) + " mode=0"
                    + Integer.toOctalString(mode) + (refuseDirectory ? " refuseDirectory" : "");
        }
    }

    /** An {@code O_PATH} descriptor for {@code path}, or for a final link itself if {@code noFollow}. */
    record Stat(RequestPath path, boolean noFollow) implements FileRequest {
        public Stat {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public Operation operation() {
            return Operation.STAT;
        }

        @Override
        public <R, X extends Exception> R accept(Handler<R, X> handler) throws X {
            return handler.stat(this);
        }

        @Override
        public String toString() {
            return "STAT " + path + (noFollow ? " noFollow" : "");
        }
    }

    /** {@code access(2)}: {@code accessBits} are R_OK (4), W_OK (2) and X_OK (1), 0 for F_OK. */
    record Access(RequestPath path, int accessBits) implements FileRequest {
        public Access {
            Objects.requireNonNull(path, "path");
            check(Message.checkAccessBits(accessBits));
        }

        @Override
        public Operation operation() {
            return Operation.ACCESS;
        }

        @Override
        public <R, X extends Exception> R accept(Handler<R, X> handler) throws X {
            return handler.access(this);
        }

        @Override
        public String toString() {
            return "ACCESS " + path + " bits=" + accessBits;
        }
    }

    /** A symbolic link's target. */
    record ReadLink(RequestPath path) implements FileRequest {
        public ReadLink {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public Operation operation() {
            return Operation.READLINK;
        }

        @Override
        public <R, X extends Exception> R accept(Handler<R, X> handler) throws X {
            return handler.readLink(this);
        }

        @Override
        public String toString() {
            return "READLINK " + path;
        }
    }

    /** {@code mkdir(2)}; {@code mode} 0..07777 before the broker's own rules ({@link #permissionBits}). */
    record MakeDirectory(RequestPath path, int mode) implements FileRequest {
        public MakeDirectory {
            Objects.requireNonNull(path, "path");
            check(Message.checkMode(mode));
        }

        @Override
        public Operation operation() {
            return Operation.MKDIR;
        }

        @Override
        public <R, X extends Exception> R accept(Handler<R, X> handler) throws X {
            return handler.makeDirectory(this);
        }

        @Override
        public String toString() {
            return "MKDIR " + path + " mode=0" + Integer.toOctalString(mode);
        }
    }

    /** What a {@link Remove} removes. */
    enum RemoveKind {
        /** A file ({@code unlink(2)}). */
        FILE,
        /** An empty directory ({@code rmdir(2)}). */
        DIRECTORY,
        /** Whichever it is, as {@code remove(3)} and {@code java.io.File#delete} do. */
        EITHER
    }

    /** Remove a name. */
    record Remove(RequestPath path, RemoveKind kind) implements FileRequest {
        public Remove {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(kind, "kind");
        }

        @Override
        public Operation operation() {
            return Operation.UNLINK;
        }

        @Override
        public <R, X extends Exception> R accept(Handler<R, X> handler) throws X {
            return handler.remove(this);
        }

        @Override
        public String toString() {
            return "UNLINK " + path
                    + (kind == RemoveKind.FILE ? "" : " " + kind.name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    /** {@code rename(2)}; with {@code noReplace} an existing {@code to} fails with EEXIST. */
    record Rename(RequestPath from, RequestPath to, boolean noReplace) implements FileRequest {
        public Rename {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
        }

        @Override
        public Operation operation() {
            return Operation.RENAME;
        }

        @Override
        public RequestPath path() {
            return from;
        }

        @Override
        public <R, X extends Exception> R accept(Handler<R, X> handler) throws X {
            return handler.rename(this);
        }

        @Override
        public String toString() {
            return "RENAME " + from + " " + to + (noReplace ? " noReplace" : "");
        }
    }

    /** {@code link(2)}: {@code link} becomes a new hard link to {@code existing}. */
    record Link(RequestPath link, RequestPath existing) implements FileRequest {
        public Link {
            Objects.requireNonNull(link, "link");
            Objects.requireNonNull(existing, "existing");
        }

        @Override
        public Operation operation() {
            return Operation.LINK;
        }

        @Override
        public RequestPath path() {
            return link;
        }

        @Override
        public <R, X extends Exception> R accept(Handler<R, X> handler) throws X {
            return handler.link(this);
        }

        @Override
        public String toString() {
            return "LINK " + link + " " + existing;
        }
    }

    /** {@code symlink(2)}: {@code link} becomes a symbolic link holding {@code target}. */
    record SymbolicLink(RequestPath link, LinkTarget target) implements FileRequest {
        public SymbolicLink {
            Objects.requireNonNull(link, "link");
            Objects.requireNonNull(target, "target");
        }

        @Override
        public Operation operation() {
            return Operation.SYMLINK;
        }

        @Override
        public RequestPath path() {
            return link;
        }

        @Override
        public <R, X extends Exception> R accept(Handler<R, X> handler) throws X {
            return handler.symbolicLink(this);
        }

        @Override
        public String toString() {
            return "SYMLINK " + link + " -> " + target;
        }
    }

    /** {@code chmod(2)}, of a final link itself if {@code noFollow}; {@code mode} 0..07777. */
    record ChangeMode(RequestPath path, int mode, boolean noFollow) implements FileRequest {
        public ChangeMode {
            Objects.requireNonNull(path, "path");
            check(Message.checkMode(mode));
        }

        @Override
        public Operation operation() {
            return Operation.CHMOD;
        }

        @Override
        public <R, X extends Exception> R accept(Handler<R, X> handler) throws X {
            return handler.changeMode(this);
        }

        @Override
        public String toString() {
            return "CHMOD " + path + " mode=0" + Integer.toOctalString(mode) + (noFollow ? " noFollow" : "");
        }
    }

    /**
     * {@code utimensat(2)}, of a final link itself if {@code noFollow}.
     *
     * @param accessNanos the access time in nanoseconds since the epoch, or {@link #OMIT}
     * @param modifiedNanos the modification time in nanoseconds since the epoch, or {@link #OMIT}
     */
    record SetTimes(RequestPath path, long accessNanos, long modifiedNanos, boolean noFollow) implements FileRequest {
        public SetTimes {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public Operation operation() {
            return Operation.UTIMENS;
        }

        @Override
        public <R, X extends Exception> R accept(Handler<R, X> handler) throws X {
            return handler.setTimes(this);
        }

        @Override
        public String toString() {
            return "UTIMENS " + path + " atime=" + time(accessNanos) + " mtime=" + time(modifiedNanos)
                    + (noFollow ? " noFollow" : "");
        }

        private static String time(long nanos) {
            return nanos == OMIT ? "omit" : Long.toString(nanos);
        }
    }

    /**
     * Add an inotify watch for {@code eventMask} on the directory {@code directory} to the
     * helper's inotify instance {@code instance}.
     *
     * @param eventMask a non-empty subset of {@link Message#WATCH_EVENTS}
     */
    record Watch(RequestPath directory, int eventMask, HelperDescriptor instance) implements FileRequest, Carrying {
        public Watch {
            Objects.requireNonNull(directory, "directory");
            check(Message.checkWatchMask(eventMask));
            Objects.requireNonNull(instance, "instance");
        }

        @Override
        public HelperDescriptor carried() {
            return instance;
        }

        @Override
        public Operation operation() {
            return Operation.WATCH;
        }

        @Override
        public RequestPath path() {
            return directory;
        }

        @Override
        public <R, X extends Exception> R accept(Handler<R, X> handler) throws X {
            return handler.watch(this);
        }

        @Override
        public String toString() {
            return "WATCH " + directory + " mask=0x" + Integer.toHexString(eventMask);
        }
    }

    /** Connect the helper's TCP socket {@code socket} to {@code remote}. */
    record Connect(InetEndpoint remote, HelperDescriptor socket) implements Carrying {
        public Connect {
            Objects.requireNonNull(remote, "remote");
            Objects.requireNonNull(socket, "socket");
        }

        @Override
        public HelperDescriptor carried() {
            return socket;
        }

        @Override
        public Operation operation() {
            return Operation.CONNECT;
        }

        @Override
        public <R, X extends Exception> R accept(Handler<R, X> handler) throws X {
            return handler.connect(this);
        }

        @Override
        public String toString() {
            return "CONNECT " + remote;
        }
    }

    /**
     * Bind the helper's TCP socket {@code socket} to {@code local}, and listen on it with {@code backlog} unless that is 0. A socket already bound to exactly
     * {@code local} (by an earlier BIND) is only made to listen.
     *
     * @param backlog 0 to bind only, else the listen backlog
     */
    record Bind(InetEndpoint local, int backlog, HelperDescriptor socket) implements Carrying {
        public Bind {
            Objects.requireNonNull(local, "local");
            check(Message.checkBacklog(backlog));
            Objects.requireNonNull(socket, "socket");
        }

        @Override
        public HelperDescriptor carried() {
            return socket;
        }

        /** Whether the socket is to listen after the bind. */
        public boolean listens() {
            return backlog > 0;
        }

        @Override
        public Operation operation() {
            return Operation.BIND;
        }

        @Override
        public <R, X extends Exception> R accept(Handler<R, X> handler) throws X {
            return handler.bind(this);
        }

        @Override
        public String toString() {
            return "BIND " + local + (backlog > 0 ? " listen backlog=" + backlog : "");
        }
    }

    /**
     * Resolve {@code host}, a host name ({@link Message#checkHostName}: ASCII letters, digits,
     * {@code .}, {@code -}, {@code _}, {@code :}, {@code %}, 1 to {@value Message#MAX_HOST_NAME_LENGTH}
     * characters), to its addresses.
     */
    record Resolve(String host) implements Request {
        public Resolve {
            Objects.requireNonNull(host, "host");
            check(Message.checkHostName(host));
        }

        @Override
        public Operation operation() {
            return Operation.RESOLVE;
        }

        @Override
        public <R, X extends Exception> R accept(Handler<R, X> handler) throws X {
            return handler.resolve(this);
        }

        @Override
        public String toString() {
            return "RESOLVE " + host;
        }
    }

    /** Find the host name of {@code address} (a reverse lookup, forward-confirmed by the broker). */
    record ReverseResolve(HostAddress address) implements Request {
        public ReverseResolve {
            Objects.requireNonNull(address, "address");
        }

        @Override
        public Operation operation() {
            return Operation.REVERSE_RESOLVE;
        }

        @Override
        public <R, X extends Exception> R accept(Handler<R, X> handler) throws X {
            return handler.reverseResolve(this);
        }

        @Override
        public String toString() {
            return "REVERSE_RESOLVE " + address;
        }
    }

    /** The address family of a socket the helper asks for: on the wire 4 or 6. */
    enum Family {
        /** IPv4 ({@code AF_INET}). */
        INET(4),
        /** IPv6 ({@code AF_INET6}), which also reaches IPv4 through mapped addresses. */
        INET6(6);

        private final int wire;

        Family(int wire) {
            this.wire = wire;
        }

        /** Its value on the wire. */
        int wire() {
            return wire;
        }

        /** The family of wire value {@code wire}, which {@link Message#checkFamily} accepted. */
        static Family ofWire(int wire) {
            return wire == 4 ? INET : INET6;
        }
    }

    /**
     * A new unbound UDP socket of {@code family}, made by the broker in its network namespace:
     * the helper's datagram sockets are all the broker's (the helper may not make one).
     */
    record Datagram(Family family) implements Request {
        public Datagram {
            Objects.requireNonNull(family, "family");
        }

        @Override
        public Operation operation() {
            return Operation.DATAGRAM;
        }

        @Override
        public <R, X extends Exception> R accept(Handler<R, X> handler) throws X {
            return handler.datagram(this);
        }

        @Override
        public String toString() {
            return "DATAGRAM " + family;
        }
    }

    /**
     * Send {@code payload} as one datagram to {@code target} on the helper's UDP socket
     * {@code socket}: an unconnected send, which the kernel cannot confine
     * to the policy's destinations, so the broker decides and sends each one.
     */
    record SendDatagram(InetEndpoint target, DatagramPayload payload, HelperDescriptor socket) implements Carrying {
        public SendDatagram {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(payload, "payload");
            Objects.requireNonNull(socket, "socket");
        }

        @Override
        public HelperDescriptor carried() {
            return socket;
        }

        @Override
        public Operation operation() {
            return Operation.SEND_DATAGRAM;
        }

        @Override
        public <R, X extends Exception> R accept(Handler<R, X> handler) throws X {
            return handler.sendDatagram(this);
        }

        @Override
        public String toString() {
            return "SEND_DATAGRAM " + target + " " + payload;
        }
    }

    /** Turns a shared rule's complaint ({@link Message}) into the constructors' exception. */
    private static void check(String problem) {
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }
}
