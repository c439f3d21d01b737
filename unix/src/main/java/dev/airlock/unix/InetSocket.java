package dev.airlock.unix;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;

/**
 * The calls on TCP sockets over IPv4 and IPv6 (sys/socket.h, netinet/in.h, netinet/tcp.h): what a
 * socket is, the options a program may have set on it and their copy onto another socket, a
 * connect that never blocks, bind, listen, the local address, and the {@code dup3} by which the
 * helper puts the broker's socket at its own socket's number. Addresses are raw (4 or 16 bytes)
 * with a port and an IPv6 scope id, so this module knows nothing of the protocol that carries
 * them. The native declarations are private to this class; each wrapper turns a failure into an
 * {@link ErrnoException} naming the call.
 */
public final class InetSocket {
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int SOCK_STREAM = 1;
    public static final int IPPROTO_TCP = 6;
    public static final int SOCK_DGRAM = 2;
    public static final int IPPROTO_UDP = 17;
    static final int MSG_DONTWAIT = 0x40;
    static final int AF_UNSPEC = 0;

    static final int SOCK_NONBLOCK = Linux.O_NONBLOCK;
    static final int SOCK_CLOEXEC = Linux.O_CLOEXEC;
    static final int SOL_SOCKET = 1;
    static final int IPPROTO_IP = 0;
    static final int IPPROTO_IPV6 = 41;

    static final int SO_REUSEADDR = 2;
    static final int SO_TYPE = 3;
    static final int SO_REUSEPORT = 15;
    static final int IP_MULTICAST_ALL = 49;
    static final int IPV6_MULTICAST_HOPS = 18;
    static final int SO_ERROR = 4;
    static final int SO_SNDBUF = 7;
    static final int SO_RCVBUF = 8;
    static final int SO_KEEPALIVE = 9;
    static final int SO_OOBINLINE = 10;
    static final int SO_LINGER = 13;
    static final int SO_PROTOCOL = 38;
    static final int SO_DOMAIN = 39;
    static final int SO_COOKIE = 57;
    static final int SO_BUF_LOCK = 72;
    static final int SOCK_SNDBUF_LOCK = 1;
    static final int SOCK_RCVBUF_LOCK = 2;
    static final int TCP_NODELAY = 1;
    static final int TCP_KEEPIDLE = 4;
    static final int TCP_KEEPINTVL = 5;
    static final int TCP_KEEPCNT = 6;
    static final int IP_TOS = 1;
    static final int IPV6_V6ONLY = 26;
    static final int IPV6_TCLASS = 67;
    static final int ENOPROTOOPT = 92;
    static final int EINPROGRESS = 115;

    private static final int SOCKADDR_IN_SIZE = 16;
    private static final int SOCKADDR_IN6_SIZE = 28;

    private InetSocket() {}

    /** Holder of the binding, private to this class (public only for jnr-ffi's generated class). */
    private static final class Native {
        /** The socket functions of libc, bound through jnr-ffi. */
        @SuppressWarnings("EffectivelyPrivate") // public for jnr-ffi's generated class, private to everything else
        public interface Calls {
            int socket(int domain, int type, int protocol);

            int connect(int fd, Pointer address, int length);

            int bind(int fd, Pointer address, int length);

            int listen(int fd, int backlog);

            int getsockname(int fd, Pointer address, IntByReference length);

            int getpeername(int fd, Pointer address, IntByReference length);

            int setsockopt(int fd, int level, int option, Pointer value, int length);

            int getsockopt(int fd, int level, int option, Pointer value, IntByReference length);

            int dup3(int from, int to, int flags);

            long sendto(int fd, byte[] buffer, long length, int flags, Pointer address, int addressLength);
        }

        static final Calls C = LibraryLoader.create(Calls.class).load("c");
    }

    /** Binds these calls now, with libc ({@link Linux}; see SocketCalls#bind for why together). */
    static void bind() {
        java.util.Objects.requireNonNull(Native.C);
    }

    private static Native.Calls calls() {
        Linux.runtime();
        return Native.C;
    }

    /** An IPv4 or IPv6 address with its port and scope id, as a socket's name. */
    public static final class Name {
        private final byte[] address;
        private final int port;
        private final int scopeId;

        /** {@code address} (4 or 16 bytes, copied), {@code port}, {@code scopeId} (0 for IPv4). */
        public Name(byte[] address, int port, int scopeId) {
            if (address.length != 4 && address.length != 16) {
                throw new IllegalArgumentException("an address is 4 or 16 bytes, not " + address.length);
            }
            this.address = address.clone();
            this.port = port;
            this.scopeId = scopeId;
        }

        public byte[] address() {
            return address.clone();
        }

        public int port() {
            return port;
        }

        public int scopeId() {
            return scopeId;
        }

        /** Whether every address byte is zero: the wildcard address. */
        public boolean isWildcard() {
            for (byte b : address) {
                if (b != 0) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Name n
                    && java.util.Arrays.equals(address, n.address)
                    && port == n.port
                    && scopeId == n.scopeId;
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(address) * 31 + port;
        }

        @Override
        public String toString() {
            return java.util.Arrays.toString(address) + ":" + port + (scopeId != 0 ? "%" + scopeId : "");
        }
    }

    /** What a socket is: its domain, type and protocol. */
    public record Kind(int domain, int type, int protocol) {
        /** Whether it is a TCP socket over IPv4 or IPv6, the only kind Airlock brokers. */
        public boolean isTcp() {
            return (domain == AF_INET || domain == AF_INET6) && type == SOCK_STREAM && protocol == IPPROTO_TCP;
        }

        /** Whether it is a UDP socket over IPv4 or IPv6 (the broker's own: the helper cannot make one). */
        public boolean isUdp() {
            return (domain == AF_INET || domain == AF_INET6) && type == SOCK_DGRAM && protocol == IPPROTO_UDP;
        }
    }

    /**
     * The options of a socket that a program sets and a copy must keep, read with
     * {@link #options}: flags as 0 or 1, a buffer size only when the program set it (the kernel's
     * SO_BUF_LOCK, else 0: copying a default would fix it and turn off the kernel's autotuning),
     * the keep-alive timers, the type of service (IPv4) or traffic class (IPv6), and whether an
     * IPv6 socket is IPv6 only (-1 for IPv4).
     */
    public record Options(
            int reuseAddress,
            int keepAlive,
            int oobInline,
            int lingerOn,
            int lingerSeconds,
            int noDelay,
            int receiveBuffer,
            int sendBuffer,
            int keepIdle,
            int keepInterval,
            int keepCount,
            int trafficClass,
            int v6Only) {}

    /** The domain, type and protocol of socket {@code fd} (ENOTSOCK for anything else). */
    public static Kind kind(int fd) throws ErrnoException {
        return new Kind(
                intOption(fd, SOL_SOCKET, SO_DOMAIN),
                intOption(fd, SOL_SOCKET, SO_TYPE),
                intOption(fd, SOL_SOCKET, SO_PROTOCOL));
    }

    /**
     * A new TCP socket of {@code domain} ({@link #AF_INET} or {@link #AF_INET6}), non-blocking
     * and close-on-exec, in the calling process's network namespace.
     */
    public static Fd open(int domain) throws ErrnoException {
        if (domain != AF_INET && domain != AF_INET6) {
            throw new IllegalArgumentException("not an inet domain: " + domain);
        }
        return Fd.adopt(Linux.check(
                calls().socket(domain, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP),
                "socket(" + (domain == AF_INET ? "AF_INET" : "AF_INET6") + ", SOCK_STREAM)"));
    }

    /**
     * A new unbound UDP socket of {@code domain} ({@link #AF_INET} or {@link #AF_INET6}),
     * close-on-exec and blocking (the JDK's own datagram sockets start blocking), in the calling
     * process's network namespace.
     */
    public static Fd openDatagram(int domain) throws ErrnoException {
        if (domain != AF_INET && domain != AF_INET6) {
            throw new IllegalArgumentException("not an inet domain: " + domain);
        }
        Fd socket = Fd.adopt(Linux.check(
                calls().socket(domain, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP),
                "socket(" + (domain == AF_INET ? "AF_INET" : "AF_INET6") + ", SOCK_DGRAM)"));
        try {
            // What the JDK's own socket0 sets on a datagram socket: only the groups this socket
            // joins are delivered to it; an IPv6 socket reaches IPv4 too, and its multicast hops
            // are 1, not the route's default.
            setInt(socket.get(), IPPROTO_IP, IP_MULTICAST_ALL, 0, "IP_MULTICAST_ALL");
            if (domain == AF_INET6) {
                setInt(socket.get(), IPPROTO_IPV6, IPV6_V6ONLY, 0, "IPV6_V6ONLY");
                setInt(socket.get(), IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 1, "IPV6_MULTICAST_HOPS");
            }
            return socket;
        } catch (ErrnoException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * Turns SO_REUSEPORT off on {@code fd} before the broker binds it: a reuse-port group of the
     * broker's user (another service of root's on that port) would share its datagrams with the
     * program's socket.
     */
    public static void clearReusePort(int fd) throws ErrnoException {
        setInt(fd, SOL_SOCKET, SO_REUSEPORT, 0, "SO_REUSEPORT");
    }

    /**
     * One datagram of {@code payload} to {@code target} on socket {@code fd}, without blocking
     * (MSG_DONTWAIT, whatever the socket's mode): the bytes sent. EAGAIN and every other
     * failure are the kernel's answer (ErrnoException).
     */
    public static int sendTo(int fd, byte[] payload, Name target) throws ErrnoException {
        Pointer address = sockaddr(target);
        while (true) {
            long n = calls().sendto(fd, payload, payload.length, MSG_DONTWAIT, address, (int) address.size());
            if (n >= 0) {
                return (int) n;
            }
            int errno = Linux.errno();
            if (errno != Errno.EINTR) {
                throw new ErrnoException("sendto", errno);
            }
        }
    }

    /** The options of TCP socket {@code fd} that {@link #apply} copies. */
    public static Options options(int fd, int domain) throws ErrnoException {
        int locks;
        try {
            locks = intOption(fd, SOL_SOCKET, SO_BUF_LOCK);
        } catch (ErrnoException e) {
            if (e.errno() != ENOPROTOOPT) {
                throw e;
            }
            locks = 0; // a kernel before 5.14 cannot say; the sizes then stay the kernel's
        }
        Pointer linger = Linux.allocate(8);
        IntByReference length = new IntByReference(8);
        Linux.check(calls().getsockopt(fd, SOL_SOCKET, SO_LINGER, linger, length), "getsockopt(SO_LINGER)");
        boolean v6 = domain == AF_INET6;
        return new Options(
                flag(fd, SOL_SOCKET, SO_REUSEADDR),
                flag(fd, SOL_SOCKET, SO_KEEPALIVE),
                flag(fd, SOL_SOCKET, SO_OOBINLINE),
                linger.getInt(0) != 0 ? 1 : 0,
                linger.getInt(4),
                flag(fd, IPPROTO_TCP, TCP_NODELAY),
                // getsockopt reports twice what setsockopt was given (the kernel's bookkeeping).
                (locks & SOCK_RCVBUF_LOCK) != 0 ? intOption(fd, SOL_SOCKET, SO_RCVBUF) / 2 : 0,
                (locks & SOCK_SNDBUF_LOCK) != 0 ? intOption(fd, SOL_SOCKET, SO_SNDBUF) / 2 : 0,
                intOption(fd, IPPROTO_TCP, TCP_KEEPIDLE),
                intOption(fd, IPPROTO_TCP, TCP_KEEPINTVL),
                intOption(fd, IPPROTO_TCP, TCP_KEEPCNT),
                v6 ? intOption(fd, IPPROTO_IPV6, IPV6_TCLASS) : intOption(fd, IPPROTO_IP, IP_TOS),
                v6 ? intOption(fd, IPPROTO_IPV6, IPV6_V6ONLY) : -1);
    }

    /**
     * Sets {@code options} on {@code fd} (a socket of {@code domain}): each flag that is on, each
     * buffer size that was set, the keep-alive timers when keep-alive is on and they differ from
     * what {@code fd} has, a non-zero type of service or traffic class, and IPV6_V6ONLY.
     */
    public static void apply(int fd, int domain, Options options) throws ErrnoException {
        setIfOn(fd, SOL_SOCKET, SO_REUSEADDR, options.reuseAddress());
        setIfOn(fd, SOL_SOCKET, SO_KEEPALIVE, options.keepAlive());
        setIfOn(fd, SOL_SOCKET, SO_OOBINLINE, options.oobInline());
        setIfOn(fd, IPPROTO_TCP, TCP_NODELAY, options.noDelay());
        if (options.lingerOn() != 0) {
            Pointer linger = Linux.allocate(8);
            linger.putInt(0, 1);
            linger.putInt(4, options.lingerSeconds());
            Linux.check(calls().setsockopt(fd, SOL_SOCKET, SO_LINGER, linger, 8), "setsockopt(SO_LINGER)");
        }
        if (options.receiveBuffer() > 0) {
            setInt(fd, SOL_SOCKET, SO_RCVBUF, options.receiveBuffer(), "SO_RCVBUF");
        }
        if (options.sendBuffer() > 0) {
            setInt(fd, SOL_SOCKET, SO_SNDBUF, options.sendBuffer(), "SO_SNDBUF");
        }
        if (options.keepAlive() != 0) {
            setIfDiffers(fd, IPPROTO_TCP, TCP_KEEPIDLE, options.keepIdle(), "TCP_KEEPIDLE");
            setIfDiffers(fd, IPPROTO_TCP, TCP_KEEPINTVL, options.keepInterval(), "TCP_KEEPINTVL");
            setIfDiffers(fd, IPPROTO_TCP, TCP_KEEPCNT, options.keepCount(), "TCP_KEEPCNT");
        }
        if (options.trafficClass() != 0) {
            if (domain == AF_INET6) {
                setInt(fd, IPPROTO_IPV6, IPV6_TCLASS, options.trafficClass(), "IPV6_TCLASS");
            } else {
                setInt(fd, IPPROTO_IP, IP_TOS, options.trafficClass(), "IP_TOS");
            }
        }
        if (domain == AF_INET6 && options.v6Only() >= 0) {
            setInt(fd, IPPROTO_IPV6, IPV6_V6ONLY, options.v6Only(), "IPV6_V6ONLY");
        }
    }

    /**
     * connect(2) on non-blocking socket {@code fd}: true when connected at once, false when the
     * connection is in progress (EINPROGRESS); any other failure throws (ECONNREFUSED...).
     */
    public static boolean connect(int fd, Name remote) throws ErrnoException {
        Pointer address = sockaddr(remote);
        if (calls().connect(fd, address, (int) address.size()) == 0) {
            return true;
        }
        int errno = Linux.errno();
        // EINTR too: an interrupted connect goes on in the background, as after EINPROGRESS.
        if (errno == EINPROGRESS || errno == Errno.EINTR) {
            return false;
        }
        throw new ErrnoException("connect", errno);
    }

    /** bind(2) of {@code fd} to {@code local}. */
    public static void bind(int fd, Name local) throws ErrnoException {
        Pointer address = sockaddr(local);
        Linux.check(calls().bind(fd, address, (int) address.size()), "bind");
    }

    /** listen(2) on {@code fd} with {@code backlog}. */
    public static void listen(int fd, int backlog) throws ErrnoException {
        Linux.check(calls().listen(fd, backlog), "listen");
    }

    /** The local name of {@code fd} (getsockname): the wildcard with port 0 when it is not bound. */
    public static Name localName(int fd) throws ErrnoException {
        Pointer address = Linux.allocate(SOCKADDR_IN6_SIZE);
        IntByReference length = new IntByReference(SOCKADDR_IN6_SIZE);
        Linux.check(calls().getsockname(fd, address, length), "getsockname");
        int family = address.getShort(0) & 0xFFFF;
        int port = (address.getByte(2) & 0xFF) << 8 | (address.getByte(3) & 0xFF);
        if (family == AF_INET) {
            byte[] v4 = new byte[4];
            address.get(4, v4, 0, 4);
            return new Name(v4, port, 0);
        }
        if (family == AF_INET6) {
            byte[] v6 = new byte[16];
            address.get(8, v6, 0, 16);
            return new Name(v6, port, address.getInt(24));
        }
        throw new ErrnoException("getsockname: not an inet socket", Errno.EINVAL);
    }

    /**
     * {@code dup3(from, to)}: {@code to} becomes the same socket as {@code from}, atomically (the
     * old one at {@code to} is closed), close-on-exec if {@code cloexec}. The helper's adoption of
     * the broker's socket at the number every JDK object holds.
     */
    public static void dup3(int from, int to, boolean cloexec) throws ErrnoException {
        while (true) {
            if (calls().dup3(from, to, cloexec ? Linux.O_CLOEXEC : 0) >= 0) {
                return;
            }
            int errno = Linux.errno();
            if (errno != Errno.EINTR && errno != Errno.EBUSY) {
                throw new ErrnoException("dup3(" + from + ", " + to + ")", errno);
            }
        }
    }

    /** The socket's pending error (SO_ERROR, which reading clears): a connect's outcome, 0 for none. */
    public static int pendingError(int fd) throws ErrnoException {
        return intOption(fd, SOL_SOCKET, SO_ERROR);
    }

    /** Whether {@code fd} is connected to a peer (getpeername succeeds). */
    public static boolean isConnected(int fd) {
        Pointer address = Linux.allocate(SOCKADDR_IN6_SIZE);
        IntByReference length = new IntByReference(SOCKADDR_IN6_SIZE);
        return calls().getpeername(fd, address, length) == 0;
    }

    /**
     * The socket's cookie (SO_COOKIE): a number the kernel gives each socket once and never
     * reuses while the machine runs, the same through every descriptor of it.
     */
    public static long cookie(int fd) throws ErrnoException {
        Pointer value = Linux.allocate(8);
        IntByReference length = new IntByReference(8);
        Linux.check(calls().getsockopt(fd, SOL_SOCKET, SO_COOKIE, value, length), "getsockopt(SO_COOKIE)");
        return value.getLong(0);
    }

    /** Whether {@code fd} is close-on-exec. */
    public static boolean isCloexec(int fd) throws ErrnoException {
        return (Linux.check(Linux.c().fcntl(fd, Linux.F_GETFD, 0), "fcntl(" + fd + ", F_GETFD)") & Linux.FD_CLOEXEC)
                != 0;
    }

    private static Pointer sockaddr(Name name) {
        byte[] a = name.address();
        Pointer p = Linux.allocate(a.length == 4 ? SOCKADDR_IN_SIZE : SOCKADDR_IN6_SIZE);
        p.putShort(0, (short) (a.length == 4 ? AF_INET : AF_INET6)); // sa_family, host order
        p.putByte(2, (byte) (name.port() >>> 8)); // the port, network order
        p.putByte(3, (byte) name.port());
        if (a.length == 4) {
            p.put(4, a, 0, 4);
        } else {
            p.putInt(4, 0); // flow info
            p.put(8, a, 0, 16);
            p.putInt(24, name.scopeId());
        }
        return p;
    }

    private static int intOption(int fd, int level, int option) throws ErrnoException {
        Pointer value = Linux.allocate(4);
        IntByReference length = new IntByReference(4);
        Linux.check(
                calls().getsockopt(fd, level, option, value, length),
                "getsockopt(" + fd + ", " + level + ", " + option + ")");
        return value.getInt(0);
    }

    private static int flag(int fd, int level, int option) throws ErrnoException {
        return intOption(fd, level, option) != 0 ? 1 : 0;
    }

    private static void setInt(int fd, int level, int option, int value, String name) throws ErrnoException {
        Pointer p = Linux.allocate(4);
        p.putInt(0, value);
        Linux.check(calls().setsockopt(fd, level, option, p, 4), "setsockopt(" + name + ")");
    }

    private static void setIfOn(int fd, int level, int option, int value) throws ErrnoException {
        if (value != 0) {
            setInt(fd, level, option, 1, "option " + option);
        }
    }

    private static void setIfDiffers(int fd, int level, int option, int value, String name) throws ErrnoException {
        if (intOption(fd, level, option) != value) {
            setInt(fd, level, option, value, name);
        }
    }
}
