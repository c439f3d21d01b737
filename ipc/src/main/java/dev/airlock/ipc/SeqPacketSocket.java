package dev.airlock.ipc;

import java.nio.ByteBuffer;
import java.util.concurrent.locks.ReentrantLock;
import jnr.ffi.Pointer;

/**
 * One end of the broker-helper socketpair: sends and receives whole messages with at most one
 * passed descriptor (SCM_RIGHTS) and, on the receiving side, the sender's kernel-verified
 * credentials (SCM_CREDENTIALS, present on every message once SO_PASSCRED is on).
 *
 * <p>Sends and receives each use one preallocated native buffer, so the hot path allocates no
 * native memory; sends are serialised among themselves, receives among themselves.
 */
public final class SeqPacketSocket implements AutoCloseable {
    /** The largest message either side accepts (the protocol's); one byte more lets a receiver see oversize as truncation. */
    public static final int MAX_MESSAGE = Message.MAX_SIZE;

    /** Room for SCM_CREDENTIALS plus up to this many descriptors, so extra ones are seen and closed. */
    private static final int MAX_FDS_SEEN = 8;

    private static final int MSGHDR = 56;
    private static final int IOVEC = 16;
    private static final int CMSG_HEADER = 16;
    private static final int CREDS_SPACE = CMSG_HEADER + 16; // CMSG_SPACE(sizeof(struct ucred)) = 32
    private static final int RIGHTS_SPACE = CMSG_HEADER + 4 * MAX_FDS_SEEN;
    private static final int CONTROL = CREDS_SPACE + RIGHTS_SPACE;

    private final Fd fd;
    private final ReentrantLock sendLock = new ReentrantLock();
    private final ReentrantLock receiveLock = new ReentrantLock();
    private Pointer sendBlock;
    private Pointer receiveBlock;

    /** A message as received. The caller owns {@link #descriptors()} and must close or release each. */
    public record Received(int length, Fd[] descriptors, Credentials sender, boolean truncated) {
    }

    public SeqPacketSocket(Fd fd) {
        this.fd = fd;
    }

    public Fd fd() {
        return fd;
    }

    /**
     * Sends {@code length} bytes of {@code data} (from position 0) and, when {@code attach} is not
     * null, that descriptor with SCM_RIGHTS. The caller keeps ownership of {@code attach}.
     */
    public void send(ByteBuffer data, int length, Fd attach) throws ErrnoException {
        if (length <= 0 || length > MAX_MESSAGE) {
            throw new IllegalArgumentException("message length " + length + " outside 1.." + MAX_MESSAGE);
        }
        sendLock.lock();
        try {
            if (sendBlock == null) {
                sendBlock = Linux.allocate(MSGHDR + IOVEC + CMSG_HEADER + 8 + MAX_MESSAGE);
            }
            Pointer block = sendBlock;
            long base = block.address();
            long iov = base + MSGHDR;
            long control = iov + IOVEC;
            long payload = control + CMSG_HEADER + 8;
            if (data.hasArray()) {
                block.put(payload - base, data.array(), data.arrayOffset(), length);
            } else {
                for (int i = 0; i < length; i++) {
                    block.putByte(payload - base + i, data.get(i));
                }
            }
            block.putLong(0, 0L); // msg_name
            block.putInt(8, 0); // msg_namelen
            block.putLong(16, iov); // msg_iov
            block.putLong(24, 1); // msg_iovlen
            block.putLong(MSGHDR, payload);
            block.putLong(MSGHDR + 8, length);
            if (attach != null) {
                block.putLong(32, control); // msg_control
                block.putLong(40, CMSG_HEADER + 8); // msg_controllen = CMSG_SPACE(sizeof(int))
                block.putLong(MSGHDR + IOVEC, CMSG_HEADER + 4); // cmsg_len = CMSG_LEN(sizeof(int))
                block.putInt(MSGHDR + IOVEC + 8, Linux.SOL_SOCKET);
                block.putInt(MSGHDR + IOVEC + 12, Linux.SCM_RIGHTS);
                block.putInt(MSGHDR + IOVEC + 16, attach.get());
            } else {
                block.putLong(32, 0L);
                block.putLong(40, 0L);
            }
            block.putInt(48, 0);
            while (true) {
                long sent = Linux.c().sendmsg(fd.get(), block, Linux.MSG_NOSIGNAL);
                if (sent == length) {
                    return;
                }
                int errno = sent < 0 ? Linux.errno() : Errno.EIO;
                if (errno != Errno.EINTR) {
                    throw new ErrnoException("sendmsg", errno);
                }
            }
        } finally {
            sendLock.unlock();
        }
    }

    /**
     * Receives one message into {@code into} (from position 0, up to its capacity, at most
     * {@link #MAX_MESSAGE}). Returns null at end of stream (the peer closed its end). Received
     * descriptors are close-on-exec. A message longer than the buffer, or whose control data
     * did not fit, is reported with {@code truncated} set; its descriptors are still returned so
     * the caller can close them.
     */
    public Received receive(ByteBuffer into) throws ErrnoException {
        receiveLock.lock();
        try {
            if (receiveBlock == null) {
                receiveBlock = Linux.allocate(MSGHDR + IOVEC + CONTROL + MAX_MESSAGE + 1);
            }
            Pointer block = receiveBlock;
            long base = block.address();
            long iov = base + MSGHDR;
            long control = iov + IOVEC;
            long payload = control + CONTROL;
            int capacity = Math.min(into.capacity(), MAX_MESSAGE + 1);
            block.putLong(0, 0L);
            block.putInt(8, 0);
            block.putLong(16, iov);
            block.putLong(24, 1);
            block.putLong(32, control);
            block.putLong(40, CONTROL);
            block.putInt(48, 0);
            block.putLong(MSGHDR, payload);
            block.putLong(MSGHDR + 8, capacity);
            long n;
            while (true) {
                n = Linux.c().recvmsg(fd.get(), block, Linux.MSG_CMSG_CLOEXEC);
                if (n >= 0) {
                    break;
                }
                int errno = Linux.errno();
                if (errno == Errno.ECONNRESET) {
                    return null;
                }
                if (errno != Errno.EINTR) {
                    throw new ErrnoException("recvmsg", errno);
                }
            }
            int flags = block.getInt(48);
            long controlLength = block.getLong(40);
            Fd[] descriptors = new Fd[0];
            Credentials sender = null;
            long offset = 0;
            while (offset + CMSG_HEADER <= controlLength) {
                long cmsgLen = block.getLong(MSGHDR + IOVEC + offset);
                int level = block.getInt(MSGHDR + IOVEC + offset + 8);
                int type = block.getInt(MSGHDR + IOVEC + offset + 12);
                if (cmsgLen < CMSG_HEADER || offset + cmsgLen > controlLength) {
                    break;
                }
                long data = MSGHDR + IOVEC + offset + CMSG_HEADER;
                int dataLength = (int) (cmsgLen - CMSG_HEADER);
                if (level == Linux.SOL_SOCKET && type == Linux.SCM_RIGHTS) {
                    int count = dataLength / 4;
                    Fd[] more = new Fd[descriptors.length + count];
                    System.arraycopy(descriptors, 0, more, 0, descriptors.length);
                    for (int i = 0; i < count; i++) {
                        more[descriptors.length + i] = Fd.adopt(block.getInt(data + 4L * i));
                    }
                    descriptors = more;
                } else if (level == Linux.SOL_SOCKET && type == Linux.SCM_CREDENTIALS && dataLength >= 12) {
                    sender = new Credentials(block.getInt(data), block.getInt(data + 4), block.getInt(data + 8));
                }
                offset += (cmsgLen + 7) & ~7L;
            }
            if (n == 0 && descriptors.length == 0 && sender == null) {
                return null; // end of stream: a SEQPACKET peer that closed
            }
            int length = (int) Math.min(n, capacity);
            if (into.hasArray()) {
                block.get(payload - base, into.array(), into.arrayOffset(), length);
            } else {
                for (int i = 0; i < length; i++) {
                    into.put(i, block.getByte(payload - base + i));
                }
            }
            boolean truncated = (flags & (Linux.MSG_TRUNC | Linux.MSG_CTRUNC)) != 0 || n > capacity || n > MAX_MESSAGE;
            return new Received(length, descriptors, sender, truncated);
        } finally {
            receiveLock.unlock();
        }
    }

    @Override
    public void close() {
        fd.close();
    }
}
