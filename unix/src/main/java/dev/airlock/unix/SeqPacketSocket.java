package dev.airlock.unix;

import java.nio.ByteBuffer;
import java.util.concurrent.locks.ReentrantLock;
import jnr.ffi.Pointer;

/**
 * One end of the broker-helper socketpair: sends and receives whole messages with at most one
 * passed descriptor (SCM_RIGHTS) and, on the receiving side, the sender's kernel-verified
 * credentials (SCM_CREDENTIALS, present on every message once SO_PASSCRED is on). It knows
 * nothing of what the messages mean: its users give the largest message they exchange.
 *
 * <p>Sends and receives each use one preallocated native {@link Block}, so the hot path allocates
 * no native memory; sends are serialised among themselves, receives among themselves.
 */
public final class SeqPacketSocket implements AutoCloseable {
    /** Room for SCM_CREDENTIALS plus up to this many descriptors, so extra ones are seen and closed. */
    private static final int MAX_FDS_SEEN = 8;

    /** A send carries at most one descriptor. */
    private static final int SEND_CONTROL = ControlMessage.space(Integer.BYTES);

    private static final int RECEIVE_CONTROL =
            ControlMessage.space(Ucred.SIZE) + ControlMessage.space(Integer.BYTES * MAX_FDS_SEEN);

    private final Fd fd;
    private final int maxMessage;
    private final ReentrantLock sendLock = new ReentrantLock();
    private final ReentrantLock receiveLock = new ReentrantLock();
    private Block sendBlock;
    private Block receiveBlock;

    /** A message as received. The caller owns {@link #descriptors()} and must close or release each. */
    // The descriptors are handed over once, as the kernel passed them, and a Received is never
    // compared or hashed, so the array's identity equality does not matter.
    @SuppressWarnings("ArrayRecordComponent")
    public record Received(int length, Fd[] descriptors, Credentials sender, boolean truncated) {}

    /**
     * The native memory of one direction: a message header, its one I/O vector, the control
     * buffer and the payload, laid out one after the other and described to each other once.
     */
    private static final class Block {
        final Pointer memory;
        final MessageHeader header;
        final IoVector vector;
        final long control;
        final long payload;

        Block(int controlCapacity, int payloadCapacity) {
            long vectorAt = StructLayout.align((long) MessageHeader.SIZE, StructLayout.Scalar.POINTER.size);
            control = StructLayout.align(vectorAt + IoVector.SIZE, StructLayout.Scalar.SIZE_T.size);
            payload = control + controlCapacity;
            memory = Linux.allocate(Math.toIntExact(payload + payloadCapacity));
            header = new MessageHeader(memory, 0);
            vector = new IoVector(memory, vectorAt);
        }

        long address(long offset) {
            return memory.address() + offset;
        }
    }

    /**
     * The socket on {@code fd}, which it owns from now on, exchanging messages of at most
     * {@code maxMessage} bytes.
     */
    public SeqPacketSocket(Fd fd, int maxMessage) {
        if (maxMessage <= 0) {
            throw new IllegalArgumentException("largest message " + maxMessage + " is not positive");
        }
        this.fd = fd;
        this.maxMessage = maxMessage;
    }

    public Fd fd() {
        return fd;
    }

    /** The largest message this socket sends; a receiver sees one byte more as truncation. */
    public int maxMessage() {
        return maxMessage;
    }

    /**
     * Sends {@code length} bytes of {@code data} (from position 0) and, when {@code attach} is not
     * null, that descriptor with SCM_RIGHTS (sendmsg(2)). The caller keeps ownership of
     * {@code attach}. Without a descriptor the message goes by send(2), which the helper's seccomp
     * filter allows where it refuses sendmsg: the helper's requests never carry one. The receiver
     * still gets the sender's credentials: the kernel attaches them to every message on a socket
     * whose peer has SO_PASSCRED on.
     */
    public void send(ByteBuffer data, int length, Fd attach) throws ErrnoException {
        if (length <= 0 || length > maxMessage) {
            throw new IllegalArgumentException("message length " + length + " outside 1.." + maxMessage);
        }
        sendLock.lock();
        try {
            if (sendBlock == null) {
                sendBlock = new Block(SEND_CONTROL, maxMessage);
            }
            Block block = sendBlock;
            Pointer memory = block.memory;
            if (data.hasArray()) {
                memory.put(block.payload, data.array(), data.arrayOffset(), length);
            } else {
                for (int i = 0; i < length; i++) {
                    memory.putByte(block.payload + i, data.get(i));
                }
            }
            if (attach == null) {
                long sent = SocketCalls.send(fd.get(), block.address(block.payload), length, SocketCalls.MSG_NOSIGNAL);
                if (sent != length) {
                    throw new ErrnoException("send", Errno.EIO);
                }
                return;
            }
            block.vector.set(block.address(block.payload), length);
            long rights = ControlMessage.put(
                    memory, block.control, SocketCalls.SOL_SOCKET, SocketCalls.SCM_RIGHTS, Integer.BYTES);
            memory.putInt(rights, attach.get());
            block.header.set(block.vector.address(), 1, block.address(block.control), SEND_CONTROL);
            long sent = SocketCalls.sendmsg(fd.get(), block.header, SocketCalls.MSG_NOSIGNAL);
            if (sent != length) {
                throw new ErrnoException("sendmsg", Errno.EIO);
            }
        } finally {
            sendLock.unlock();
        }
    }

    /**
     * Receives one message into {@code into} (from position 0, up to its capacity, at most
     * {@link #maxMessage()} + 1). Returns null at end of stream (the peer closed its end).
     * Received descriptors are close-on-exec. A message longer than the buffer or than
     * {@link #maxMessage()}, or whose control data did not fit, is reported with
     * {@code truncated} set; its descriptors are still returned so the caller can close them.
     */
    public Received receive(ByteBuffer into) throws ErrnoException {
        receiveLock.lock();
        try {
            if (receiveBlock == null) {
                receiveBlock = new Block(RECEIVE_CONTROL, maxMessage + 1);
            }
            Block block = receiveBlock;
            Pointer memory = block.memory;
            int capacity = Math.min(into.capacity(), maxMessage + 1);
            block.vector.set(block.address(block.payload), capacity);
            block.header.set(block.vector.address(), 1, block.address(block.control), RECEIVE_CONTROL);
            long n;
            try {
                n = SocketCalls.recvmsg(fd.get(), block.header, SocketCalls.MSG_CMSG_CLOEXEC);
            } catch (ErrnoException e) {
                if (e.errno() == Errno.ECONNRESET) {
                    return null; // end of stream: the peer closed with data unread
                }
                throw e;
            }
            int flags = block.header.flags();
            long controlLength = block.header.controlLength();
            Fd[] descriptors = new Fd[0];
            Credentials sender = null;
            long offset = 0;
            while (offset + ControlMessage.HEADER_SIZE <= controlLength) {
                long at = block.control + offset;
                long cmsgLength = ControlMessage.lengthAt(memory, at);
                if (cmsgLength < ControlMessage.HEADER_SIZE || offset + cmsgLength > controlLength) {
                    break;
                }
                int level = ControlMessage.levelAt(memory, at);
                int type = ControlMessage.typeAt(memory, at);
                long data = at + ControlMessage.DATA;
                int dataLength = (int) (cmsgLength - ControlMessage.DATA);
                if (level == SocketCalls.SOL_SOCKET && type == SocketCalls.SCM_RIGHTS) {
                    int count = dataLength / Integer.BYTES;
                    Fd[] more = new Fd[descriptors.length + count];
                    System.arraycopy(descriptors, 0, more, 0, descriptors.length);
                    for (int i = 0; i < count; i++) {
                        more[descriptors.length + i] = Fd.adopt(memory.getInt(data + (long) Integer.BYTES * i));
                    }
                    descriptors = more;
                } else if (level == SocketCalls.SOL_SOCKET
                        && type == SocketCalls.SCM_CREDENTIALS
                        && dataLength >= Ucred.SIZE) {
                    sender = Ucred.read(memory, data);
                }
                offset = ControlMessage.next(offset, cmsgLength);
            }
            if (n == 0 && descriptors.length == 0 && sender == null) {
                return null; // end of stream: a SEQPACKET peer that closed
            }
            int length = (int) Math.min(n, capacity);
            if (into.hasArray()) {
                memory.get(block.payload, into.array(), into.arrayOffset(), length);
            } else {
                for (int i = 0; i < length; i++) {
                    into.put(i, memory.getByte(block.payload + i));
                }
            }
            boolean truncated =
                    (flags & (SocketCalls.MSG_TRUNC | SocketCalls.MSG_CTRUNC)) != 0 || n > capacity || n > maxMessage;
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
