package dev.airlock.it;

import dev.airlock.it.app.Native;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The test process's own native witnesses, through the attack library loaded into the test JVM
 * (outside every sandbox): Unix datagram and seqpacket sockets that Java cannot make, and the
 * I/O priority of a process, which /proc does not show.
 */
final class NativeWitness {
    private static final int SOCKET = 41;
    private static final int ACCEPT4 = 288;
    private static final int RECVMSG = 47;
    private static final int BIND = 49;
    private static final int LISTEN = 50;
    private static final int CLOSE = 3;
    private static final int IOPRIO_GET = 252;
    private static final int AF_UNIX = 1;
    private static final int SOCK_NONBLOCK = 04000;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int MSG_DONTWAIT = 0x40;

    private NativeWitness() {}

    private static long check(String call, long r) {
        if (r < 0) {
            throw new IllegalStateException("witness " + call + " failed: errno " + -r);
        }
        return r;
    }

    private static long memory(byte[] content) {
        long address = Native.malloc(Math.max(1, content.length));
        Native.put(address, content);
        return address;
    }

    /** A bound Unix socket of {@code type} (listening, for connection types) at a path or, with a leading '@', an abstract name. */
    static int unixSocket(int type, String name) throws Exception {
        AttackKit.loadHere();
        int fd = (int)
                check("socket", Native.syscall6(SOCKET, AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, 0, 0, 0));
        boolean abstractName = name.startsWith("@");
        byte[] n = (abstractName ? name.substring(1) : name).getBytes(StandardCharsets.UTF_8);
        int length = 2 + n.length + 1;
        ByteBuffer address =
                ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN).putShort((short) AF_UNIX);
        if (abstractName) {
            address.put((byte) 0);
        }
        address.put(n);
        long a = memory(address.array());
        try {
            check("bind " + name, Native.syscall6(BIND, fd, a, length, 0, 0, 0));
        } finally {
            Native.free(a);
        }
        if (type != 2) {
            check("listen", Native.syscall6(LISTEN, fd, 8, 0, 0, 0, 0));
        }
        return fd;
    }

    /** Every datagram waiting on {@code fd}, with how many descriptors came with it (closed at once). */
    static List<String> drain(int fd) {
        List<String> received = new ArrayList<>();
        long data = Native.malloc(4096);
        long control = Native.malloc(512);
        long iov = memory(ByteBuffer.allocate(16)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(data)
                .putLong(4096)
                .array());
        long msg = Native.malloc(56);
        try {
            for (int i = 0; i < 100; i++) {
                Native.put(
                        msg,
                        ByteBuffer.allocate(56)
                                .order(ByteOrder.LITTLE_ENDIAN)
                                .putLong(0)
                                .putInt(0)
                                .putInt(0)
                                .putLong(iov)
                                .putLong(1)
                                .putLong(control)
                                .putLong(512)
                                .putInt(0)
                                .array());
                long n = Native.syscall6(RECVMSG, fd, msg, MSG_DONTWAIT, 0, 0, 0);
                if (n < 0) {
                    break;
                }
                ByteBuffer header = ByteBuffer.wrap(Native.get(msg, 56)).order(ByteOrder.LITTLE_ENDIAN);
                long controlLength = header.getLong(40);
                int descriptors = 0;
                if (controlLength >= 16) {
                    ByteBuffer c = ByteBuffer.wrap(Native.get(control, (int) controlLength))
                            .order(ByteOrder.LITTLE_ENDIAN);
                    long cmsgLength = c.getLong(0);
                    if (c.getInt(8) == 1 && c.getInt(12) == 1) {
                        descriptors = (int) (cmsgLength - 16) / 4;
                        for (int d = 0; d < descriptors; d++) {
                            Native.syscall6(CLOSE, c.getInt(16 + 4 * d), 0, 0, 0, 0, 0);
                        }
                    }
                }
                received.add("'" + new String(Native.get(data, (int) n), StandardCharsets.US_ASCII) + "' with "
                        + descriptors + " descriptors");
            }
        } finally {
            Native.free(data);
            Native.free(control);
            Native.free(iov);
            Native.free(msg);
        }
        return received;
    }

    /** Whether a connection was waiting on listening {@code fd} (it is accepted and closed). */
    static boolean acceptedSomething(int fd) {
        long c = Native.syscall6(ACCEPT4, fd, 0, 0, SOCK_CLOEXEC, 0, 0);
        if (c >= 0) {
            Native.syscall6(CLOSE, c, 0, 0, 0, 0, 0);
            return true;
        }
        return false;
    }

    static void close(int fd) {
        Native.syscall6(CLOSE, fd, 0, 0, 0, 0, 0);
    }

    /** ioprio_get(IOPRIO_WHO_PROCESS, pid): the class and level, or -errno. */
    static long ioPriority(long pid) throws Exception {
        AttackKit.loadHere();
        return Native.syscall6(IOPRIO_GET, 1, pid, 0, 0, 0, 0);
    }
}
