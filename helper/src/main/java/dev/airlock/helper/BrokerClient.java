package dev.airlock.helper;

import dev.airlock.ipc.Credentials;
import dev.airlock.ipc.ErrnoException;
import dev.airlock.ipc.Fd;
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
        return new BrokerClient(new SeqPacketSocket(fd));
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
            request = Request.open(id, path, flags, mode, refuseDirectory);
        } catch (IllegalArgumentException e) {
            synchronized (lock) {
                pending.remove(id);
            }
            throw new BrokerDeniedException(absolutePath, dev.airlock.ipc.Errno.EINVAL, "");
        }
        ByteBuffer out = SEND_BUFFER.get();
        out.clear();
        int length = MessageCodec.encode(request, out);
        try {
            socket.send(out, length, null);
        } catch (ErrnoException e) {
            fail(new IOException("airlock broker is gone: " + e.getMessage(), e));
            throw brokerGone();
        }
        Slot slot = awaitReply(id);
        Reply reply = slot.reply;
        if (reply.errno() != 0) {
            throw new BrokerDeniedException(absolutePath, reply.errno(), reply.reason());
        }
        return slot.descriptor.release();
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
