package dev.airlock.unix;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.Out;
import jnr.ffi.byref.IntByReference;

/**
 * The socket's own binding: the libc calls on the broker-helper channel (socketpair, sendmsg,
 * recvmsg, SO_PASSCRED, SO_PEERCRED) and their constants (sys/socket.h), beside the structures
 * they take ({@link MessageHeader}, {@link IoVector}, {@link ControlMessage}, {@link Ucred}).
 * The native declarations are private to this class; each wrapper turns a failure into an
 * {@link ErrnoException} naming the call. {@link SeqPacketSocket} builds messages on top of it.
 */
final class SocketCalls {
    static final int AF_UNIX = 1;
    static final int SOCK_SEQPACKET = 5;
    static final int SOCK_CLOEXEC = Linux.O_CLOEXEC;
    static final int SOL_SOCKET = 1;
    static final int SO_PASSCRED = 16;
    static final int SO_PEERCRED = 17;
    static final int SCM_RIGHTS = 1;
    static final int SCM_CREDENTIALS = 2;
    static final int MSG_CTRUNC = 0x08;
    static final int MSG_TRUNC = 0x20;
    static final int MSG_NOSIGNAL = 0x4000;
    static final int MSG_CMSG_CLOEXEC = 0x40000000;

    private SocketCalls() {}

    /**
     * Holder of the binding. The interface must be public for jnr-ffi, which implements it in a
     * class loader of its own; nesting it in this private class keeps every other class from
     * naming it.
     */
    private static final class Native {
        /** The socket functions of libc, bound through jnr-ffi. */
        @SuppressWarnings("EffectivelyPrivate") // public for jnr-ffi's generated class, private to everything else
        public interface Calls {
            int socketpair(int domain, int type, int protocol, @Out int[] sv);

            long sendmsg(int fd, long msg, int flags);

            long send(int fd, long buffer, long length, int flags);

            long recvmsg(int fd, long msg, int flags);

            int setsockopt(int fd, int level, int option, Pointer value, int length);

            int getsockopt(int fd, int level, int option, Pointer value, IntByReference length);
        }

        static final Calls C = LibraryLoader.create(Calls.class).load("c");
    }

    /**
     * Binds these calls now. {@link Linux} calls it while it binds libc, so that they are bound
     * by the same thread at the same moment: binding searches the file system for libc, and in
     * the helper that must happen where the agent lets the search through (its broker check
     * thread), never on an application thread whose refused file calls would wait for a broker
     * connection that itself waits for this binding.
     */
    static void bind() {
        java.util.Objects.requireNonNull(Native.C);
    }

    /** The binding, once {@link Linux} has checked the platform and bound libc (and with it, these calls). */
    private static Native.Calls calls() {
        Linux.runtime();
        return Native.C;
    }

    /** A connected AF_UNIX SOCK_SEQPACKET pair, both ends close-on-exec. */
    static Fd[] seqpacketPair() throws ErrnoException {
        int[] sv = new int[2];
        Linux.check(
                calls().socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv),
                "socketpair(AF_UNIX, SOCK_SEQPACKET)");
        return new Fd[] {Fd.adopt(sv[0]), Fd.adopt(sv[1])};
    }

    /** setsockopt(SO_PASSCRED): the kernel then attaches the sender's pid, uid and gid to every message. */
    static void passCredentials(int socket) throws ErrnoException {
        Pointer one = Linux.allocate(Integer.BYTES);
        one.putInt(0, 1);
        Linux.check(calls().setsockopt(socket, SOL_SOCKET, SO_PASSCRED, one, Integer.BYTES), "setsockopt(SO_PASSCRED)");
    }

    /** getsockopt(SO_PEERCRED): the credentials of whoever created the peer end (for a socketpair, its creator). */
    static Credentials peerCredentials(int socket) throws ErrnoException {
        Pointer ucred = Linux.allocate(Ucred.SIZE);
        IntByReference length = new IntByReference(Ucred.SIZE);
        Linux.check(calls().getsockopt(socket, SOL_SOCKET, SO_PEERCRED, ucred, length), "getsockopt(SO_PEERCRED)");
        return Ucred.read(ucred, 0);
    }

    /** sendmsg(2) of the message {@code header} describes; retried on EINTR. The number of bytes sent. */
    static long sendmsg(int socket, MessageHeader header, int flags) throws ErrnoException {
        while (true) {
            long sent = calls().sendmsg(socket, header.address(), flags);
            if (sent >= 0) {
                return sent;
            }
            int errno = Linux.errno();
            if (errno != Errno.EINTR) {
                throw new ErrnoException("sendmsg", errno);
            }
        }
    }

    /**
     * send(2) of {@code length} bytes at native address {@code buffer}, with no control data and
     * no address (libc makes it sendto(2) with a null address, the one form of sending the helper's
     * seccomp filter allows); retried on EINTR. The number of bytes sent.
     */
    static long send(int socket, long buffer, int length, int flags) throws ErrnoException {
        while (true) {
            long sent = calls().send(socket, buffer, length, flags);
            if (sent >= 0) {
                return sent;
            }
            int errno = Linux.errno();
            if (errno != Errno.EINTR) {
                throw new ErrnoException("send", errno);
            }
        }
    }

    /** recvmsg(2) into the buffers {@code header} describes; retried on EINTR. The number of bytes received. */
    static long recvmsg(int socket, MessageHeader header, int flags) throws ErrnoException {
        while (true) {
            long received = calls().recvmsg(socket, header.address(), flags);
            if (received >= 0) {
                return received;
            }
            int errno = Linux.errno();
            if (errno != Errno.EINTR) {
                throw new ErrnoException("recvmsg", errno);
            }
        }
    }
}
