package dev.airlock.unix;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;

/**
 * The loopback interface {@code lo} of the calling thread's network namespace (netdevice(7)).
 * A new network namespace has only {@code lo}, and it is down: no address, not even 127.0.0.1 or
 * {@code ::1}, answers. The spawner brings it up in the helper's namespace, so that the helper's
 * JDK sees IPv6 as it does outside (it looks for an IPv6 interface) and makes dual-stack sockets;
 * the namespace stays otherwise empty, so its loopback reaches only the helper itself. The native
 * declarations are private to this class; each wrapper turns a failure into an
 * {@link ErrnoException} naming the call.
 */
public final class LoopbackInterface {
    static final String NAME = "lo";
    static final int SIOCGIFFLAGS = 0x8913;
    static final int SIOCSIFFLAGS = 0x8914;
    static final int IFF_UP = 0x1;
    static final int SOCK_DGRAM = 2;

    /** {@code struct ifreq}: the name in 16 bytes (IFNAMSIZ), then a union whose {@code short ifr_flags} starts it. */
    private static final int IFREQ_SIZE = 40;

    private static final int IFREQ_FLAGS_OFFSET = 16;
    private static final int IFNAMSIZ = 16;

    private LoopbackInterface() {}

    /** Holder of the binding, private to this class (public only for jnr-ffi's generated class). */
    private static final class Native {
        /** The calls on a network interface, bound through jnr-ffi. */
        @SuppressWarnings("EffectivelyPrivate") // public for jnr-ffi's generated class, private to everything else
        public interface Calls {
            int socket(int domain, int type, int protocol);

            int ioctl(int fd, long request, Pointer argument);
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

    /**
     * Brings {@code lo} up in the calling thread's network namespace (SIOCSIFFLAGS with IFF_UP,
     * the other flags kept). Needs CAP_NET_ADMIN over the namespace. The ioctl goes through a
     * throwaway datagram socket, which is made in that namespace and closed before this returns.
     */
    public static void up() throws ErrnoException {
        try (Fd socket = controlSocket()) {
            Pointer request = request();
            Linux.check(calls().ioctl(socket.get(), SIOCGIFFLAGS, request), "ioctl(lo, SIOCGIFFLAGS)");
            short flags = request.getShort(IFREQ_FLAGS_OFFSET);
            request.putShort(IFREQ_FLAGS_OFFSET, (short) (flags | IFF_UP));
            Linux.check(calls().ioctl(socket.get(), SIOCSIFFLAGS, request), "ioctl(lo, SIOCSIFFLAGS)");
        }
    }

    /** Whether {@code lo} is up in the calling thread's network namespace. */
    public static boolean isUp() throws ErrnoException {
        try (Fd socket = controlSocket()) {
            Pointer request = request();
            Linux.check(calls().ioctl(socket.get(), SIOCGIFFLAGS, request), "ioctl(lo, SIOCGIFFLAGS)");
            return (request.getShort(IFREQ_FLAGS_OFFSET) & IFF_UP) != 0;
        }
    }

    /** An AF_INET datagram socket: any socket of the namespace carries interface ioctls. */
    private static Fd controlSocket() throws ErrnoException {
        return Fd.adopt(Linux.check(
                calls().socket(InetSocket.AF_INET, SOCK_DGRAM | InetSocket.SOCK_CLOEXEC, 0),
                "socket(AF_INET, SOCK_DGRAM)"));
    }

    /** A zeroed {@code struct ifreq} naming {@code lo}. */
    private static Pointer request() {
        Pointer request = Linux.allocate(IFREQ_SIZE);
        byte[] name = NAME.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        request.put(0, name, 0, Math.min(name.length, IFNAMSIZ - 1));
        return request;
    }
}
