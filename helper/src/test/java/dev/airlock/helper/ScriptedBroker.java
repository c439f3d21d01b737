package dev.airlock.helper;

import dev.airlock.ipc.Envelope;
import dev.airlock.ipc.FileStat;
import dev.airlock.ipc.Message;
import dev.airlock.ipc.MessageCodec;
import dev.airlock.ipc.ProtocolException;
import dev.airlock.ipc.Reply;
import dev.airlock.ipc.Request;
import dev.airlock.unix.Errno;
import dev.airlock.unix.ErrnoException;
import dev.airlock.unix.Fd;
import dev.airlock.unix.Linux;
import dev.airlock.unix.SeqPacketSocket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * Test support: the broker's end of a real SOCK_SEQPACKET socketpair, whose other end carries a
 * {@link BrokerClient}. A test thread plays the broker: it takes the client's requests one by one
 * ({@link #next}), decoded with the real codec, and answers each as its script says, in any order,
 * or misbehaves on purpose (a stray reply, two descriptors, bytes that are no reply, dying).
 *
 * <p>Every use of the request and reply types is in this class and in the client calls at the end
 * of {@link BrokerClientTest}, so that the scenarios do not depend on how requests and replies are
 * spelled: {@link Incoming} shows a scenario only the request's id, its kind and its path.
 *
 * <p>The broker's end is non-blocking and {@link #next} polls it: no thread ever sits in recvmsg on
 * it, so {@link #die()} really releases the socket and the client sees end of stream at once (a
 * close does not wake, nor release the socket under, a thread blocked in recvmsg on it).
 */
final class ScriptedBroker implements AutoCloseable {
    /** How long a scenario waits for anything that should happen promptly. */
    static final Duration PROMPTLY = Duration.ofSeconds(5);

    /** How long {@link #poll} sleeps between two looks at the non-blocking socket. */
    private static final Duration POLL = Duration.ofNanos(100_000);

    private final SeqPacketSocket broker;
    private final Fd clientEnd;
    private final BrokerClient client;
    private final ByteBuffer in = ByteBuffer.allocate(Message.MAX_SIZE + 1);
    private final ByteBuffer out = ByteBuffer.allocate(Message.MAX_SIZE);

    /** A request as the broker received it: its id, its path, what came with it, and how it reads (for messages). */
    static final class Incoming {
        final int id;
        final String description;
        final String path;
        /** The request as decoded. */
        final Request request;
        /** The descriptors that came with the message (none: no request carries one); closed once answered. */
        final List<Fd> descriptors;

        Incoming(int id, String description, String path, Request request, List<Fd> descriptors) {
            this.id = id;
            this.description = description;
            this.path = path;
            this.request = request;
            this.descriptors = descriptors;
        }

        @Override
        public String toString() {
            return description;
        }
    }

    private ScriptedBroker(SeqPacketSocket broker, Fd clientEnd, BrokerClient client) {
        this.broker = broker;
        this.clientEnd = clientEnd;
        this.client = client;
    }

    /** A fresh socketpair with a client on one end whose first request gets id {@code firstId}. */
    static ScriptedBroker start(int firstId) throws IOException {
        Fd[] pair = Linux.seqpacketPair();
        Linux.setStatusFlags(pair[0].get(), Linux.statusFlags(pair[0].get()) | Linux.O_NONBLOCK);
        return new ScriptedBroker(
                new SeqPacketSocket(pair[0], Message.MAX_SIZE),
                pair[1],
                BrokerClient.overSocket(new SeqPacketSocket(pair[1], Message.MAX_SIZE), firstId));
    }

    static ScriptedBroker start() throws IOException {
        return start(1);
    }

    BrokerClient client() {
        return client;
    }

    /**
     * The next request, decoded as the real broker decodes it.
     *
     * @throws AssertionError if none arrives within {@code timeout}, or the client closed its end
     * @throws ProtocolException if the client sent something the codec refuses
     */
    Incoming next(Duration timeout) throws IOException {
        Incoming request = poll(timeout);
        if (request == null) {
            throw new AssertionError("no request within " + timeout);
        }
        return request;
    }

    /** The next {@code count} requests, in the order they arrived. */
    List<Incoming> next(int count, Duration timeout) throws IOException {
        List<Incoming> requests = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            requests.add(next(timeout));
        }
        return requests;
    }

    /** The next request if one arrives within {@code timeout}, else null. */
    Incoming poll(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            in.clear();
            SeqPacketSocket.Received received;
            try {
                received = broker.receive(in);
            } catch (ErrnoException e) {
                if (e.errno() != Errno.EAGAIN) {
                    throw e;
                }
                if (System.nanoTime() - deadline > 0) {
                    return null;
                }
                LockSupport.parkNanos(POLL.toNanos());
                continue;
            }
            if (received == null) {
                throw new AssertionError("the client closed its end");
            }
            List<Fd> descriptors = List.of(received.descriptors());
            try {
                return decode(received, descriptors);
            } catch (ProtocolException | RuntimeException e) {
                descriptors.forEach(Fd::close);
                throw e;
            }
        }
    }

    /** Whether the broker received nothing more within {@code timeout}. */
    boolean quiet(Duration timeout) throws IOException {
        Incoming request = poll(timeout);
        if (request != null) {
            request.descriptors.forEach(Fd::close);
        }
        return request == null;
    }

    // ---- the request and reply types, in one place ----

    private Incoming decode(SeqPacketSocket.Received received, List<Fd> descriptors) throws ProtocolException {
        Envelope<Request> request = MessageCodec.decodeRequest(in, received.length(), descriptors.size());
        return new Incoming(
                request.id(),
                request.toString(),
                request.message() instanceof Request.FileRequest file
                        ? new String(file.path().bytes(), StandardCharsets.UTF_8)
                        : request.message().toString(),
                request.message(),
                descriptors);
    }

    /** Success with {@code descriptor} (which stays the caller's: the kernel passes a copy). */
    void answerDescriptor(Incoming request, Fd descriptor) throws IOException {
        send(request.id, new Reply.Descriptor(), descriptor, request);
    }

    /** Success with {@code data}. */
    void answerData(Incoming request, byte[] data) throws IOException {
        send(request.id, new Reply.Data(data), null, request);
    }

    /** Success with a file's status. */
    void answerStatus(Incoming request, FileStat status) throws IOException {
        send(request.id, new Reply.Status(status), null, request);
    }

    /** Success with an inotify watch descriptor. */
    void answerWatch(Incoming request, int watch) throws IOException {
        send(request.id, new Reply.WatchDescriptor(watch), null, request);
    }

    /** Success with nothing. */
    void answerDone(Incoming request) throws IOException {
        send(request.id, new Reply.Done(), null, request);
    }

    /** The policy refused: {@code errno} and the policy's reason. */
    void answerDenied(Incoming request, int errno, String reason) throws IOException {
        send(request.id, new Reply.Denied(errno, reason), null, request);
    }

    /** The operation failed in the kernel with {@code errno}. */
    void answerFailed(Incoming request, int errno) throws IOException {
        send(request.id, new Reply.Failed(errno), null, request);
    }

    /** The broker failed internally while serving {@code request}. */
    void answerBrokerError(Incoming request, String reason) throws IOException {
        send(request.id, new Reply.BrokerError(reason), null, request);
    }

    /** A descriptor reply for {@code id}, whether or not anyone waits for it. */
    void sendDescriptorReply(int id, Fd descriptor) throws IOException {
        send(id, new Reply.Descriptor(), descriptor, null);
    }

    /** A well-formed descriptor reply for {@code request} that carries all of {@code descriptors}. */
    void answerWithDescriptors(Incoming request, Fd... descriptors) throws IOException {
        out.clear();
        int length = MessageCodec.encode(request.id, new Reply.Descriptor(), out);
        byte[] bytes = new byte[length];
        out.get(0, bytes);
        sendRaw(bytes, descriptors);
        request.descriptors.forEach(Fd::close);
    }

    private void send(int id, Reply reply, Fd descriptor, Incoming answered) throws IOException {
        out.clear();
        int length = MessageCodec.encode(id, reply, out);
        broker.send(out, length, descriptor);
        if (answered != null) {
            answered.descriptors.forEach(Fd::close);
        }
    }

    // ---- misbehaviour the reply types cannot express ----

    /**
     * Sends {@code bytes} as one message with {@code descriptors} (any number) in one SCM_RIGHTS
     * message: {@link SeqPacketSocket#send} passes at most one, as the protocol does, so this builds
     * its own msghdr (see the struct layout in ipc's SeqPacketSocket).
     */
    void sendRaw(byte[] bytes, Fd... descriptors) throws IOException {
        RawSend.send(broker.fd().get(), bytes, descriptors);
    }

    /** The broker dies: its end of the channel is closed. */
    void die() {
        broker.close();
    }

    /** Closes the broker's end first (a client reader blocked on its end then sees end of stream), then the client's. */
    @Override
    public void close() {
        broker.close();
        clientEnd.close();
    }

    /** sendmsg(2) with any number of descriptors, bound on its own for {@link #sendRaw}. */
    static final class RawSend {
        /** The one call this class binds. */
        public interface Sendmsg {
            long sendmsg(int fd, Pointer msg, int flags);
        }

        private static final Sendmsg C = LibraryLoader.create(Sendmsg.class).load("c");
        private static final Runtime RUNTIME = Runtime.getRuntime(C);
        private static final int MSGHDR = 56;
        private static final int IOVEC = 16;
        private static final int CMSG_HEADER = 16;
        private static final int SOL_SOCKET = 1;
        private static final int SCM_RIGHTS = 1;
        private static final int MSG_NOSIGNAL = 0x4000;

        private RawSend() {}

        static void send(int socket, byte[] bytes, Fd[] descriptors) throws ErrnoException {
            int controlLength = descriptors.length == 0 ? 0 : (CMSG_HEADER + 4 * descriptors.length + 7) & ~7;
            Pointer block = Memory.allocateDirect(RUNTIME, MSGHDR + IOVEC + controlLength + bytes.length, true);
            long base = block.address();
            long iov = base + MSGHDR;
            long control = iov + IOVEC;
            long payload = control + controlLength;
            block.put(payload - base, bytes, 0, bytes.length);
            block.putLong(16, iov); // msg_iov
            block.putLong(24, 1); // msg_iovlen
            block.putLong(MSGHDR, payload); // iov_base
            block.putLong(MSGHDR + 8, bytes.length); // iov_len
            if (descriptors.length > 0) {
                block.putLong(32, control); // msg_control
                block.putLong(40, controlLength); // msg_controllen
                block.putLong(MSGHDR + IOVEC, CMSG_HEADER + 4L * descriptors.length); // cmsg_len
                block.putInt(MSGHDR + IOVEC + 8, SOL_SOCKET);
                block.putInt(MSGHDR + IOVEC + 12, SCM_RIGHTS);
                for (int i = 0; i < descriptors.length; i++) {
                    block.putInt(MSGHDR + IOVEC + CMSG_HEADER + 4L * i, descriptors[i].get());
                }
            }
            long sent = C.sendmsg(socket, block, MSG_NOSIGNAL);
            if (sent != bytes.length) {
                throw new ErrnoException("sendmsg", sent < 0 ? RUNTIME.getLastError() : Errno.EIO);
            }
        }
    }
}
