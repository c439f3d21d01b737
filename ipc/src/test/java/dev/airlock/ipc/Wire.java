package dev.airlock.ipc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Short factories for the codec tests: each request or reply with the id it travels under, so the
 * tests read as the messages they put on the wire.
 */
final class Wire {
    private Wire() {}

    /** The inotify instance every {@link #watch} names. */
    static final int WATCHED_INSTANCE = 9;

    /** The socket every {@link #connect} and {@link #bind} names. */
    static final int SOCKET = 11;

    static Envelope<Request> open(int id, byte[] path, int flags, int mode, boolean refuseDirectory) {
        return new Envelope<>(id, new Request.Open(RequestPath.of(path), flags, mode, refuseDirectory));
    }

    static Envelope<Request> stat(int id, byte[] path, boolean noFollow) {
        return new Envelope<>(id, new Request.Stat(RequestPath.of(path), noFollow));
    }

    static Envelope<Request> access(int id, byte[] path, int bits) {
        return new Envelope<>(id, new Request.Access(RequestPath.of(path), bits));
    }

    static Envelope<Request> readlink(int id, byte[] path) {
        return new Envelope<>(id, new Request.ReadLink(RequestPath.of(path)));
    }

    static Envelope<Request> mkdir(int id, byte[] path, int mode) {
        return new Envelope<>(id, new Request.MakeDirectory(RequestPath.of(path), mode));
    }

    static Envelope<Request> unlink(int id, byte[] path) {
        return new Envelope<>(id, new Request.Remove(RequestPath.of(path), Request.RemoveKind.FILE));
    }

    static Envelope<Request> rmdir(int id, byte[] path) {
        return new Envelope<>(id, new Request.Remove(RequestPath.of(path), Request.RemoveKind.DIRECTORY));
    }

    static Envelope<Request> remove(int id, byte[] path) {
        return new Envelope<>(id, new Request.Remove(RequestPath.of(path), Request.RemoveKind.EITHER));
    }

    static Envelope<Request> rename(int id, byte[] from, byte[] to, boolean noReplace) {
        return new Envelope<>(id, new Request.Rename(RequestPath.of(from), RequestPath.of(to), noReplace));
    }

    static Envelope<Request> link(int id, byte[] link, byte[] existing) {
        return new Envelope<>(id, new Request.Link(RequestPath.of(link), RequestPath.of(existing)));
    }

    static Envelope<Request> symlink(int id, byte[] link, byte[] target) {
        return new Envelope<>(id, new Request.SymbolicLink(RequestPath.of(link), LinkTarget.of(target)));
    }

    static Envelope<Request> chmod(int id, byte[] path, int mode, boolean noFollow) {
        return new Envelope<>(id, new Request.ChangeMode(RequestPath.of(path), mode, noFollow));
    }

    static Envelope<Request> utimens(int id, byte[] path, long accessNanos, long modifiedNanos, boolean noFollow) {
        return new Envelope<>(id, new Request.SetTimes(RequestPath.of(path), accessNanos, modifiedNanos, noFollow));
    }

    static Envelope<Request> watch(int id, byte[] path, int mask) {
        return new Envelope<>(
                id, new Request.Watch(RequestPath.of(path), mask, new HelperDescriptor(WATCHED_INSTANCE)));
    }

    static Envelope<Request> connect(int id, byte[] address, int port, int scope) {
        return new Envelope<>(
                id, new Request.Connect(InetEndpoint.of(address, port, scope), new HelperDescriptor(SOCKET)));
    }

    static Envelope<Request> bind(int id, byte[] address, int port, int backlog) {
        return new Envelope<>(
                id, new Request.Bind(InetEndpoint.of(address, port, 0), backlog, new HelperDescriptor(SOCKET)));
    }

    static Envelope<Reply> socketReply(int id, Reply.SocketState state) {
        return new Envelope<>(id, new Reply.Socket(state));
    }

    static Envelope<Reply> descriptor(int id) {
        return new Envelope<>(id, new Reply.Descriptor());
    }

    static Envelope<Reply> done(int id) {
        return new Envelope<>(id, new Reply.Done());
    }

    static Envelope<Reply> data(int id, byte[] data) {
        return new Envelope<>(id, new Reply.Data(data));
    }

    static Envelope<Reply> status(int id, FileStat stat) {
        return new Envelope<>(id, new Reply.Status(stat));
    }

    static Envelope<Reply> watchReply(int id, int watch) {
        return new Envelope<>(id, new Reply.WatchDescriptor(watch));
    }

    static Envelope<Reply> denied(int id, int errno, String reason) {
        return new Envelope<>(id, new Reply.Denied(errno, reason));
    }

    static Envelope<Reply> failed(int id, int errno) {
        return new Envelope<>(id, new Reply.Failed(errno));
    }

    static Envelope<Reply> brokerError(int id, String reason) {
        return new Envelope<>(id, new Reply.BrokerError(reason));
    }

    /** The message's wire bytes, a request or a reply. */
    static byte[] encode(Envelope<?> e) {
        ByteBuffer out = ByteBuffer.allocate(Message.MAX_SIZE);
        int n = e.message() instanceof Request
                ? MessageCodec.encode(e.id(), (Request) e.message(), out)
                : MessageCodec.encode(e.id(), (Reply) e.message(), out);
        assertEquals(n, out.position());
        return Arrays.copyOf(out.array(), n);
    }
}
