package dev.airlock.helper;

import dev.airlock.ipc.Envelope;
import dev.airlock.ipc.LinkTarget;
import dev.airlock.ipc.Message;
import dev.airlock.ipc.MessageCodec;
import dev.airlock.ipc.ProtocolException;
import dev.airlock.ipc.Reply;
import dev.airlock.ipc.Request;
import dev.airlock.ipc.RequestPath;
import dev.airlock.unix.Credentials;
import dev.airlock.unix.Errno;
import dev.airlock.unix.ErrnoException;
import dev.airlock.unix.Fd;
import dev.airlock.unix.Linux;
import dev.airlock.unix.SeqPacketSocket;
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
 * <p>Each reply kind becomes one outcome: a success the request's operation allows is returned
 * ({@link Answer}); a denial, a kernel failure and a broker error each throw their own
 * {@link BrokerException}. Fails closed: once the broker is gone, or has answered something that
 * is not the protocol, every request throws {@link BrokerFailedException}, and nothing falls back
 * to a direct open.
 */
public final class BrokerClient {
    private final SeqPacketSocket socket;
    private final Object lock = new Object();
    private final Map<Integer, Slot> pending = new HashMap<>();
    private int nextId;
    private boolean readerActive;
    private IOException gone;
    /** The reader's receive buffer: only the thread that holds the reader role uses it. */
    private final ByteBuffer receiveBuffer = ByteBuffer.allocate(Message.MAX_SIZE + 1);

    private static final ThreadLocal<ByteBuffer> SEND_BUFFER =
            ThreadLocal.withInitial(() -> ByteBuffer.allocate(Message.MAX_SIZE));

    /** A SEND_DATAGRAM's larger buffer, only on the threads that send datagrams through the broker. */
    private static final ThreadLocal<ByteBuffer> DATAGRAM_BUFFER =
            ThreadLocal.withInitial(() -> ByteBuffer.allocate(Message.MAX_REQUEST_SIZE));

    private static final class Slot {
        Reply reply;
        Fd descriptor;
    }

    private BrokerClient(SeqPacketSocket socket, int firstId) {
        this.socket = socket;
        this.nextId = firstId;
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
        return new BrokerClient(new SeqPacketSocket(fd, Message.MAX_REQUEST_SIZE), 1);
    }

    /**
     * A client on {@code socket} without the peer check of {@link #connect}, for tests only:
     * tests that play the broker on the other end of a socketpair (concurrency, out-of-order
     * replies, a broker that dies) or run a real broker loop in-process. It grants nothing:
     * whoever holds a socket can speak the protocol on it directly; the check in {@link #connect}
     * protects the agent's own client from a channel that is not its broker's (the agent never
     * calls this), and the broker checks every request's sender itself.
     */
    public static BrokerClient overSocket(SeqPacketSocket socket) {
        return overSocket(socket, 1);
    }

    /**
     * {@link #overSocket(SeqPacketSocket)} whose first request gets {@code firstId}, so that a test
     * can start just before the id counter wraps.
     *
     * @throws IllegalArgumentException if {@code firstId} is 0, which no request ever carries
     */
    static BrokerClient overSocket(SeqPacketSocket socket, int firstId) {
        if (firstId == 0) {
            throw new IllegalArgumentException("request id 0 is never used");
        }
        return new BrokerClient(socket, firstId);
    }

    /**
     * A path as a request carries it, or the failure the kernel gives for a path it could not
     * take either: ENAMETOOLONG over {@link Message#MAX_PATH_LENGTH} bytes, EINVAL for anything
     * else the format refuses (a NUL, a relative path).
     *
     * @throws OperationFailedException as described
     */
    public static RequestPath path(String absolutePath) throws OperationFailedException {
        byte[] bytes = absolutePath.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > Message.MAX_PATH_LENGTH) {
            throw new OperationFailedException(absolutePath, Errno.ENAMETOOLONG);
        }
        try {
            return RequestPath.of(bytes);
        } catch (IllegalArgumentException e) {
            throw new OperationFailedException(absolutePath, Errno.EINVAL);
        }
    }

    /** {@link #path} for a symbolic link's target, which may be relative. */
    public static LinkTarget target(String target) throws OperationFailedException {
        byte[] bytes = target.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > Message.MAX_PATH_LENGTH) {
            throw new OperationFailedException(target, Errno.ENAMETOOLONG);
        }
        try {
            return LinkTarget.of(bytes);
        } catch (IllegalArgumentException e) {
            throw new OperationFailedException(target, Errno.EINVAL);
        }
    }

    /**
     * Sends {@code request} and returns its success. A request that acts on one of this process's
     * descriptors names it ({@link Request.Carrying}); the broker takes its own copy, and the
     * caller's stays open and the caller's. No request carries a descriptor over the channel.
     *
     * @throws PolicyDeniedException when the policy refused
     * @throws OperationFailedException when the operation failed in the kernel (EBADF when a
     *     descriptor the request names is not open in this process)
     * @throws BrokerFailedException when the broker failed internally, is gone, or answered
     *     something that is not the protocol (then every later request fails too)
     */
    public Answer send(Request request) throws BrokerException {
        return call(request);
    }

    /**
     * Sends a SEND_DATAGRAM and returns how many bytes the broker sent.
     *
     * @throws BrokerException as {@link #send}
     */
    public int sendDatagram(Request.SendDatagram request) throws BrokerException {
        return ((Reply.Sent) call(request).success()).bytes();
    }

    /**
     * Asks the broker to add {@code request}'s watch to the inotify instance it names.
     *
     * @return the watch descriptor
     * @throws BrokerException as {@link #send}
     */
    public int watch(Request.Watch request) throws BrokerException {
        return ((Reply.WatchDescriptor) call(request).success()).descriptor();
    }

    /** What a request's failures name: its path, address or host, or what it asks for. */
    private static String subject(Request request) {
        if (request instanceof Request.FileRequest file) {
            return new String(file.path().bytes(), StandardCharsets.UTF_8);
        }
        if (request instanceof Request.Connect connect) {
            return connect.remote().toString();
        }
        if (request instanceof Request.Bind bind) {
            return bind.local().toString();
        }
        if (request instanceof Request.SendDatagram datagram) {
            return datagram.target().toString();
        }
        if (request instanceof Request.Resolve resolve) {
            return resolve.host();
        }
        if (request instanceof Request.ReverseResolve reverse) {
            return reverse.address().toString();
        }
        return "datagram socket"; // DATAGRAM: a new socket, which has no address yet
    }

    private Answer call(Request request) throws BrokerException {
        String displayPath = subject(request);
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
        ByteBuffer out = request.operation().maxSize() > Message.MAX_SIZE ? DATAGRAM_BUFFER.get() : SEND_BUFFER.get();
        out.clear();
        int length = MessageCodec.encode(id, request, out);
        try {
            socket.send(out, length, null); // by send(2): the helper's seccomp filter refuses sendmsg
        } catch (ErrnoException e) {
            synchronized (lock) {
                pending.remove(id);
            }
            fail(new IOException("airlock broker is gone: " + e.getMessage(), e));
            throw brokerGone();
        }
        Slot slot = awaitReply(id);
        Reply reply = slot.reply;
        boolean admitted = reply instanceof Reply.Success yielded
                && request.operation().success().admits(yielded);
        if (!admitted && slot.descriptor != null) {
            slot.descriptor.close(); // the codec admits one only with a descriptor success; never leak it
        }
        if (reply instanceof Reply.Denied denied) {
            throw new PolicyDeniedException(displayPath, denied.errno(), denied.reason());
        }
        if (reply instanceof Reply.Failed failed) {
            throw new OperationFailedException(displayPath, failed.errno());
        }
        if (reply instanceof Reply.BrokerError error) {
            // This request failed; the broker keeps serving the others. The reason is the broker's
            // ("airlock broker: internal error"); the agent adds the path as the JDK words it.
            throw new BrokerFailedException(error.reason(), null);
        }
        if (!(reply instanceof Reply.Success success) || !admitted) {
            fail(new IOException("airlock broker answered " + request + " with " + reply));
            throw brokerGone();
        }
        return new Answer(success, slot.descriptor != null ? slot.descriptor.release() : -1);
    }

    private Slot awaitReply(int id) throws BrokerFailedException {
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
                Envelope<Reply> reply;
                try {
                    if (received.truncated() || received.descriptors().length > 1) {
                        throw new ProtocolException(
                                "reply truncated or with " + received.descriptors().length + " descriptors");
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
                    slot.reply = reply.message();
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
                if (gone == null && e instanceof IOException unusable) {
                    gone = unusable;
                }
                lock.notifyAll();
            }
            if (e instanceof BrokerFailedException failed) {
                throw failed;
            }
            if (e instanceof IOException) {
                throw brokerGone(); // the receive itself failed: the channel is unusable
            }
            throw (RuntimeException) e;
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

    private BrokerFailedException brokerGone() {
        IOException cause = gone;
        return new BrokerFailedException(cause != null ? cause.getMessage() : "airlock broker is gone", cause);
    }
}
