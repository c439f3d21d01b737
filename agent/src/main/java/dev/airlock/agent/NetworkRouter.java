package dev.airlock.agent;

import dev.airlock.helper.Answer;
import dev.airlock.ipc.HelperDescriptor;
import dev.airlock.ipc.InetEndpoint;
import dev.airlock.ipc.Reply;
import dev.airlock.ipc.Request;
import dev.airlock.unix.ErrnoException;
import dev.airlock.unix.Fd;
import dev.airlock.unix.InetSocket;
import java.io.IOException;
import java.net.SocketException;

/**
 * Turns the JDK's TCP connect, bind and listen (sun.nio.ch.Net, through java.io.AirlockBridge)
 * into CONNECT and BIND requests that carry the program's own socket, and puts the socket the
 * broker answers with at the program's socket's number ({@code dup3}), so that the
 * {@code FileDescriptor} every JDK object holds, and the program's socket object, stay the same
 * while the socket behind them is the broker's, made in its network namespace.
 *
 * <p>Every TCP socket is routed, not only what the kernel refused: the helper's own sockets reach
 * nothing (an empty network namespace, or Landlock's TCP rules), so trying first would cost a
 * failed call and leave the outcome to the kernel's configuration. A UDP socket is always the
 * broker's (DATAGRAM: the helper may not make one), and its connect and bind are routed the same
 * way, as is each unconnected send (SEND_DATAGRAM); other sockets are not routed.
 *
 * <p>A connect answers the JDK's way: 1 when connected, {@code IOStatus.UNAVAILABLE} (-2) while
 * connecting, after which the JDK's own code (a blocking connect with or without a timeout, a
 * selector's finishConnect, an asynchronous channel's poller) waits on the adopted socket and
 * reports the JDK's own {@code ConnectException("Connection refused")} or timeout. Failures are
 * the JDK's exceptions ({@link Failures#socket}).
 */
final class NetworkRouter {
    /** The bridge's operation numbers (java.io.AirlockBridge#NET_CONNECT, #NET_BIND). */
    static final int CONNECT = Bridge.NET_CONNECT;

    static final int BIND = Bridge.NET_BIND;

    /** What a connect returns while the connection is in progress: the JDK's IOStatus.UNAVAILABLE. */
    static final int CONNECTING = -2;

    static final int NOT_ROUTED = Bridge.NOT_ROUTED;

    private final Opener opener;

    NetworkRouter(Opener opener) {
        this.opener = opener;
    }

    private static volatile NetworkRouter installed;

    /** Makes {@code router} the one {@link #dispatch} serves. Refuses a second router. */
    static synchronized void install(NetworkRouter router) {
        if (installed != null) {
            throw new IllegalStateException("an airlock network router is already installed");
        }
        installed = router;
    }

    /** The target of the bridge's network handle, of exactly its type. */
    static int dispatch(int op, int fd, byte[] address, int scopeId, int port, int backlog) throws IOException {
        NetworkRouter router = installed;
        if (router == null) {
            throw new SocketException("airlock network router is not installed");
        }
        return router.route(op, fd, address, scopeId, port, backlog);
    }

    /** The bridge's datagram operation numbers (java.io.AirlockBridge#NET_DATAGRAM, #NET_SEND). */
    static final int DATAGRAM = Bridge.NET_DATAGRAM;

    static final int SEND = Bridge.NET_SEND;

    /** What a send returns when the socket's buffer is full: the JDK's IOStatus.UNAVAILABLE. */
    static final int UNAVAILABLE = -2;

    private static final int EAGAIN = 11;
    private static final int ECONNREFUSED = 111;

    /** The target of the bridge's datagram handle, of exactly its type. */
    static int datagram(int op, int fd, byte[] address, int scopeId, int port, byte[] payload) throws IOException {
        NetworkRouter router = installed;
        if (router == null) {
            throw new SocketException("airlock network router is not installed");
        }
        return op == DATAGRAM
                ? router.newDatagram(address.length == 16)
                : router.send(fd, address, scopeId, port, payload);
    }

    /** A new datagram socket of the broker's (DATAGRAM): its descriptor number, now the caller's. */
    int newDatagram(boolean ipv6) throws IOException {
        Request.Datagram request = new Request.Datagram(ipv6 ? Request.Family.INET6 : Request.Family.INET);
        try {
            return opener.send(request).descriptor();
        } catch (IOException e) {
            throw Failures.socket(true, e);
        }
    }

    /**
     * One unconnected send on datagram socket {@code fd}, asked of the broker (SEND_DATAGRAM).
     *
     * @return the bytes sent, or {@link #UNAVAILABLE} when the socket's buffer is full
     * @throws IOException the JDK's exception: a denial is a {@code SocketException} with the
     *     policy's reason; too large a payload is the kernel's EMSGSIZE, as the JDK reports it
     */
    int send(int fd, byte[] address, int scopeId, int port, byte[] payload) throws IOException {
        if (payload.length > dev.airlock.ipc.Message.MAX_DATAGRAM_PAYLOAD) {
            throw new SocketException(dev.airlock.unix.Errno.description(EMSGSIZE));
        }
        Request.SendDatagram request;
        try {
            request = new Request.SendDatagram(
                    InetEndpoint.of(address, port, scopeId),
                    dev.airlock.ipc.DatagramPayload.of(payload),
                    new HelperDescriptor(fd));
        } catch (IllegalArgumentException e) {
            throw new SocketException(e.getMessage());
        }
        try {
            return opener.sendDatagram(request);
        } catch (dev.airlock.helper.OperationFailedException e) {
            if (e.errno() == EAGAIN) {
                return UNAVAILABLE;
            }
            if (e.errno() == ECONNREFUSED) {
                return payload.length; // an earlier datagram's ICMP error: the JDK ignores it on an unconnected send
            }
            throw Failures.socket(true, e);
        } catch (IOException e) {
            throw Failures.socket(true, e);
        }
    }

    private static final int EMSGSIZE = 90;

    /**
     * Routes one connect or bind of socket {@code fd}.
     *
     * @param backlog for BIND: 0 to bind only, else listen with it
     * @return CONNECT: 1 connected or {@link #CONNECTING}; BIND: 0; {@link #NOT_ROUTED} for a
     *     socket that is not TCP
     * @throws IOException the JDK's exception for a denial or a failure
     */
    int route(int op, int fd, byte[] address, int scopeId, int port, int backlog) throws IOException {
        if (op != CONNECT && op != BIND) {
            throw new IllegalArgumentException("unknown airlock network operation " + op);
        }
        InetEndpoint endpoint;
        try {
            InetSocket.Kind kind = InetSocket.kind(fd);
            if (!kind.isTcp() && !kind.isUdp()) {
                return NOT_ROUTED;
            }
            endpoint = InetEndpoint.of(address, port, scopeId);
        } catch (ErrnoException e) {
            return NOT_ROUTED; // not a socket: the JDK's own call reports it
        } catch (IllegalArgumentException e) {
            throw new SocketException(e.getMessage());
        }
        HelperDescriptor socket = new HelperDescriptor(fd);
        Request.Carrying request =
                op == CONNECT ? new Request.Connect(endpoint, socket) : new Request.Bind(endpoint, backlog, socket);
        Answer answer;
        try {
            answer = opener.socket(request);
        } catch (IOException e) {
            throw Failures.socket(op == CONNECT, e);
        }
        try (Fd received = Fd.adopt(answer.descriptor())) {
            InetSocket.dup3(received.get(), fd, InetSocket.isCloexec(fd));
        } catch (ErrnoException e) {
            throw Failures.socket(op == CONNECT, new SocketException("airlock cannot adopt the broker's socket: " + e));
        }
        Reply.SocketState state = ((Reply.Socket) answer.success()).state();
        if (op == BIND) {
            return 0;
        }
        return state == Reply.SocketState.CONNECTED ? 1 : CONNECTING;
    }
}
