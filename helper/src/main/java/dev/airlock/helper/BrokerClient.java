package dev.airlock.helper;

import dev.airlock.ipc.Credentials;
import dev.airlock.ipc.Errno;
import dev.airlock.ipc.ErrnoException;
import dev.airlock.ipc.Fd;
import dev.airlock.ipc.FileStat;
import dev.airlock.ipc.Linux;
import dev.airlock.ipc.Message;
import dev.airlock.ipc.MessageCodec;
import dev.airlock.ipc.ProtocolException;
import dev.airlock.ipc.Reply;
import dev.airlock.ipc.Request;
import dev.airlock.ipc.SeqPacketSocket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The helper's end of the broker channel: sends requests and hands each caller the reply with
 * its id. Many threads may have requests in flight; whichever waiting thread finds no reader
 * becomes the reader and delivers replies to the others (no dedicated thread, no hand-off when
 * only one request is in flight, which is the common case).
 *
 * <p>Fails closed: once the broker is gone every request throws, and nothing falls back to a
 * direct open.
 */
public final class BrokerClient {
    private final SeqPacketSocket socket;
    private final Object lock = new Object();
    private final Map<Integer, Slot> pending = new HashMap<>();
    private int nextId = 1;
    private boolean readerActive;
    private IOException gone;
    /** The reader's receive buffer: only the thread that holds the reader role uses it. */
    private final ByteBuffer receiveBuffer = ByteBuffer.allocate(Message.MAX_SIZE + 1);
    private static final ThreadLocal<ByteBuffer> SEND_BUFFER = ThreadLocal.withInitial(() -> ByteBuffer.allocate(Message.MAX_SIZE));

    private static final class Slot {
        Reply reply;
        Fd descriptor;
    }

    private BrokerClient(SeqPacketSocket socket) {
        this.socket = socket;
    }

    /**
     * Takes over the channel descriptor the broker gave this process, after checking that its
     * peer is the broker: the socketpair's creator (SO_PEERCRED) must be this process's parent,
     * running as root or as this process's own user.
     */
    public static BrokerClient connect(int channelFd) throws IOException {
        Fd fd = Fd.adopt(channelFd);
        try {
            Credentials peer = Linux.peerCredentials(channelFd);
            int parent = Linux.getppid();
            if (peer.pid() != parent) {
                throw new IOException("airlock channel " + channelFd + " belongs to pid " + peer.pid()
                        + ", not to this process's parent " + parent);
            }
            if (peer.uid() != 0 && peer.uid() != Linux.getuid()) {
                throw new IOException("airlock channel " + channelFd + " belongs to uid " + peer.uid()
                        + ", neither root nor this process's user");
            }
            Linux.setCloexec(channelFd, true); // the application's children must not inherit the channel
        } catch (IOException | RuntimeException e) {
            fd.release(); // leave the descriptor to whoever handles the failure; do not close a number we do not own
            throw e;
        }
        return new BrokerClient(new SeqPacketSocket(fd, Message.MAX_SIZE));
    }

    /**
     * Asks the broker to open {@code absolutePath} with open(2) {@code flags} and {@code mode}.
     * Returns the received descriptor number, now owned by the caller.
     *
     * @throws BrokerDeniedException when the policy refused or the open failed in the broker
     * @throws IOException when the broker is gone or answered something unreadable
     */
    public int open(String absolutePath, int flags, int mode, boolean refuseDirectory) throws IOException {
        byte[] path = absolutePath.getBytes(StandardCharsets.UTF_8);
        // open(2) uses only the permission bits of the mode; the JDK passes a whole st_mode when
        // it copies a file's mode (Files.copy), file-type bits included.
        int bits = mode & 07777;
        return (Integer) call(absolutePath, id -> Request.open(id, path, flags, bits, refuseDirectory), Expect.DESCRIPTOR, null);
    }

    /**
     * Asks the broker to add an inotify watch for {@code mask} on the directory
     * {@code absolutePath} to this process's inotify instance {@code inotifyFd}, which travels
     * with the request (the caller keeps it).
     *
     * @return the watch descriptor
     * @throws BrokerDeniedException when the policy refused or the kernel failed in the broker
     * @throws IOException when the broker is gone or answered something unreadable
     */
    public int watch(int inotifyFd, String absolutePath, int mask) throws IOException {
        byte[] path = absolutePath.getBytes(StandardCharsets.UTF_8);
        Fd instance = Fd.adopt(inotifyFd);
        try {
            return (Integer) call(absolutePath, id -> Request.watch(id, path, mask), Expect.WATCH, instance);
        } finally {
            instance.release(); // the caller's descriptor: never closed here
        }
    }

    /**
     * Sends one metadata or mutation request of ipc {@link Message} type {@code type} and returns
     * what the reply carries.
     *
     * @param path the absolute path the request is about
     * @param second RENAME's target, LINK's existing file (absolute) or SYMLINK's target text; else null
     * @param flag STAT, CHMOD, UTIMENS: do not follow a trailing link; RENAME: do not replace;
     *     UNLINK: remove a directory (with {@code mode} 1: either a file or a directory)
     * @param mode ACCESS bits, MKDIR or CHMOD mode; for UNLINK 1 means "either"
     * @param first UTIMENS access time (ns, or {@link Request#OMIT}), TRUNCATE length
     * @param last UTIMENS modification time (ns, or {@link Request#OMIT})
     * @return the received descriptor's number (STAT: an O_PATH descriptor now owned by the
     *     caller), a {@link FileStat} (STAT of a symbolic link whose target the policy does not
     *     let this process read: its status instead of a descriptor), the data (READLINK), or
     *     {@code Boolean.TRUE} for a success without either
     * @throws BrokerDeniedException when the policy refused or the operation failed in the broker
     * @throws IOException when the broker is gone or answered something unreadable
     */
    public Object call(int type, String path, String second, boolean flag, int mode, long first, long last)
            throws IOException {
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        byte[] s = second == null ? null : second.getBytes(StandardCharsets.UTF_8);
        // As for open: mkdir(2) and chmod(2) use only the permission bits.
        int bits = type == Message.ACCESS ? mode : mode & 07777;
        RequestMaker maker;
        switch (type) {
            case Message.STAT:
                maker = id -> Request.stat(id, p, flag);
                break;
            case Message.ACCESS:
                maker = id -> Request.access(id, p, bits);
                break;
            case Message.READLINK:
                maker = id -> Request.readlink(id, p);
                break;
            case Message.MKDIR:
                maker = id -> Request.mkdir(id, p, bits);
                break;
            case Message.UNLINK:
                maker = id -> mode == 1 ? Request.remove(id, p) : flag ? Request.rmdir(id, p) : Request.unlink(id, p);
                break;
            case Message.RENAME:
                maker = id -> Request.rename(id, p, s, flag);
                break;
            case Message.LINK:
                maker = id -> Request.link(id, p, s);
                break;
            case Message.SYMLINK:
                maker = id -> Request.symlink(id, p, s);
                break;
            case Message.CHMOD:
                maker = id -> Request.chmod(id, p, bits, flag);
                break;
            case Message.UTIMENS:
                maker = id -> Request.utimens(id, p, first, last, flag);
                break;
            case Message.TRUNCATE:
                maker = id -> Request.truncate(id, p, first);
                break;
            default:
                throw new IllegalArgumentException("not a metadata request type: " + type);
        }
        return call(path, maker, type == Message.STAT ? Expect.DESCRIPTOR_OR_STAT : Expect.DATA_OR_NOTHING, null);
    }

    /** What a success may carry, by request type; anything else means the broker is not speaking the protocol. */
    private enum Expect {
        /** OPEN: a descriptor. */
        DESCRIPTOR,
        /** STAT: a descriptor, or a link's status. */
        DESCRIPTOR_OR_STAT,
        /** WATCH: a watch descriptor. */
        WATCH,
        /** The other metadata and mutation requests: data (READLINK) or nothing. */
        DATA_OR_NOTHING;

        boolean admits(Reply reply) {
            boolean descriptor = reply.hasDescriptor();
            boolean stat = reply.stat() != null;
            boolean watch = reply.watch() != 0;
            switch (this) {
                case DESCRIPTOR:
                    return descriptor;
                case DESCRIPTOR_OR_STAT:
                    return descriptor || stat;
                case WATCH:
                    return watch;
                default:
                    return !descriptor && !stat && !watch;
            }
        }
    }

    /** Builds the request once its id is known. */
    private interface RequestMaker {
        Request make(int id);
    }

    private Object call(String displayPath, RequestMaker maker, Expect expect, Fd attach) throws IOException {
        int id;
        synchronized (lock) {
            if (gone != null) {
                throw brokerGone();
            }
            id = nextId++;
            if (nextId == 0) {
                nextId = 1;
            }
            pending.put(id, new Slot());
        }
        Request request;
        try {
            request = maker.make(id);
        } catch (IllegalArgumentException e) {
            synchronized (lock) {
                pending.remove(id);
            }
            // A path the wire cannot carry (too long, NUL): what the kernel would say for it.
            int errno = e.getMessage() != null && e.getMessage().contains("length") ? Errno.ENAMETOOLONG : Errno.EINVAL;
            throw new BrokerDeniedException(displayPath, errno, "");
        }
        ByteBuffer out = SEND_BUFFER.get();
        out.clear();
        int length = MessageCodec.encode(request, out);
        try {
            socket.send(out, length, attach);
        } catch (ErrnoException e) {
            fail(new IOException("airlock broker is gone: " + e.getMessage(), e));
            throw brokerGone();
        }
        Slot slot = awaitReply(id);
        Reply reply = slot.reply;
        if (reply.errno() != 0) {
            if (slot.descriptor != null) {
                slot.descriptor.close();
            }
            throw new BrokerDeniedException(displayPath, reply.errno(), reply.reason());
        }
        if (!expect.admits(reply)) {
            if (slot.descriptor != null) {
                slot.descriptor.close();
            }
            fail(new IOException("airlock broker answered " + request + " with " + reply));
            throw brokerGone();
        }
        if (reply.hasDescriptor()) {
            return slot.descriptor.release();
        }
        if (reply.stat() != null) {
            return reply.stat();
        }
        if (reply.watch() != 0) {
            return reply.watch();
        }
        byte[] data = reply.data();
        return data != null ? data : Boolean.TRUE;
    }

    private Slot awaitReply(int id) throws IOException {
        ByteBuffer in = null;
        boolean interrupted = false;
        try {
            synchronized (lock) {
                while (true) {
                    Slot mine = pending.get(id);
                    if (mine.reply != null) {
                        pending.remove(id);
                        return mine;
                    }
                    if (gone != null) {
                        pending.remove(id);
                        throw brokerGone();
                    }
                    if (!readerActive) {
                        readerActive = true;
                        break;
                    }
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        // A brokered open is not interruptible, like the open(2) it stands for; keep the status.
                        interrupted = true;
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        // This thread is the reader until its own reply arrives.
        try {
            in = receiveBuffer;
            while (true) {
                in.clear();
                SeqPacketSocket.Received received = socket.receive(in);
                if (received == null) {
                    fail(new IOException("airlock broker is gone: its end of the channel is closed"));
                    throw brokerGone();
                }
                Reply reply;
                try {
                    if (received.truncated() || received.descriptors().length > 1) {
                        throw new ProtocolException("reply truncated or with " + received.descriptors().length + " descriptors");
                    }
                    reply = MessageCodec.decodeReply(in, received.length(), received.descriptors().length == 1);
                } catch (ProtocolException e) {
                    for (Fd fd : received.descriptors()) {
                        fd.close();
                    }
                    fail(new IOException("airlock broker sent an unreadable reply: " + e.getMessage(), e));
                    throw brokerGone();
                }
                synchronized (lock) {
                    Slot slot = pending.get(reply.id());
                    if (slot == null || slot.reply != null) {
                        for (Fd fd : received.descriptors()) {
                            fd.close();
                        }
                        continue; // a reply nobody waits for: drop it and its descriptor
                    }
                    slot.reply = reply;
                    slot.descriptor = received.descriptors().length == 1 ? received.descriptors()[0] : null;
                    if (reply.id() == id) {
                        pending.remove(id);
                        readerActive = false;
                        lock.notifyAll(); // let a waiting thread take over reading
                        return slot;
                    }
                    lock.notifyAll();
                }
            }
        } catch (IOException | RuntimeException e) {
            synchronized (lock) {
                readerActive = false;
                pending.remove(id);
                if (gone == null && e instanceof IOException) {
                    gone = (IOException) e;
                }
                lock.notifyAll();
            }
            throw e;
        }
    }

    private void fail(IOException cause) {
        synchronized (lock) {
            if (gone == null) {
                gone = cause;
            }
            lock.notifyAll();
        }
    }

    private IOException brokerGone() {
        IOException cause = gone;
        return new IOException(cause != null ? cause.getMessage() : "airlock broker is gone", cause);
    }
}
