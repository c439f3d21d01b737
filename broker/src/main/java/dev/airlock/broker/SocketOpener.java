package dev.airlock.broker;

import dev.airlock.broker.Resolver.Refusal;
import dev.airlock.ipc.InetEndpoint;
import dev.airlock.ipc.Reply;
import dev.airlock.ipc.Request;
import dev.airlock.policy.Policy;
import dev.airlock.policy.SocketActions;
import dev.airlock.policy.SocketDecision;
import dev.airlock.unix.Errno;
import dev.airlock.unix.ErrnoException;
import dev.airlock.unix.Fd;
import dev.airlock.unix.InetSocket;
import dev.airlock.unix.Linux;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;

/**
 * The broker's side of the program's TCP sockets (CONNECT and BIND; docs/ARCHITECTURE.md, "The
 * network"): decides each by the policy, then makes the socket the helper will use in the
 * broker's own network namespace, with the options the program set on its own, and hands it back
 * for the helper to put at its socket's number ({@code dup3}), so every JDK object keeps working.
 *
 * <p>Never blocks the request loop: a connect is made non-blocking and answered at once,
 * connected or still connecting, and the helper waits for the outcome on the socket itself, as
 * the JDK waits after EINPROGRESS. A bind or listen does not block in the kernel.
 *
 * <p>A socket that is already bound can only be one the broker bound (the helper's own binds are
 * refused by Landlock, or reach only its empty network namespace): it is acted on in place, so a
 * program's {@code bind} before {@code connect}, and {@code listen} after {@code bind}, work on
 * the one socket. The broker remembers the sockets it bound by their kernel cookie (bounded; a
 * forgotten one is decided again on its address), so listening on a socket bound to an ephemeral
 * port needs no grant of the port the kernel picked, as the JDK asked nothing for listen.
 *
 * <p>One instance per broker, used by the request loop's one thread.
 */
final class SocketOpener {
    static final int EAFNOSUPPORT = 97;

    /** How many bound sockets are remembered; beyond, the oldest is forgotten (and decided again). */
    static final int REMEMBERED = 65_536;

    private final Policy policy;
    private final ResolvedNames names;
    private final Set<Long> bound = new HashSet<>();
    private final ArrayDeque<Long> boundOrder = new ArrayDeque<>();

    private DecisionRecorder recorder = DecisionRecorder.NONE;

    /** This opener, reporting each allowed connect and listen to {@code recorder}. */
    SocketOpener recordingTo(DecisionRecorder recorder) {
        this.recorder = recorder;
        return this;
    }

    SocketOpener(Policy policy, ResolvedNames names) {
        this.policy = policy;
        this.names = names;
    }

    /** The outcome of a CONNECT of {@code carried}, the helper's socket. */
    RequestServer.Outcome connect(Request.Connect r, Fd carried) throws Refusal, ErrnoException {
        if (isUdp(carried)) {
            return connectDatagram(r, carried);
        }
        InetSocket.Kind kind = tcp(carried);
        InetEndpoint remote = r.remote();
        int domain = domainFor(remote, kind.domain());
        InetSocket.Name target = target(remote, domain);
        Set<String> known = names.namesOf(remote.inetAddress());
        SocketDecision d = policy.decideConnect(remote.address(), remote.port(), known);
        DecisionTrail.socket(d, AuditCheck.address(remote.address(), remote.port()), "connect", known);
        if (!d.allowed()) {
            throw new Refusal(Errno.EACCES, d.reason());
        }
        recorder.socket(remote.address(), remote.port(), SocketActions.CONNECT, known);
        int helperFlags = Linux.statusFlags(carried.get());
        Fd socket = InetSocket.localName(carried.get()).port() != 0
                ? Linux.dupCloexec(carried.get(), 0) // bound by the broker before: connect it in place
                : copy(carried, kind.domain(), domain);
        try {
            // Non-blocking for the connect whatever the program's mode (in place, the helper could
            // clear it meanwhile and stall only its own requests; see ARCHITECTURE's threat model).
            Linux.setStatusFlags(socket.get(), helperFlags | Linux.O_NONBLOCK);
            boolean connected = InetSocket.connect(socket.get(), target);
            Linux.setStatusFlags(socket.get(), helperFlags);
            return RequestServer.Outcome.socket(
                    socket, connected ? Reply.SocketState.CONNECTED : Reply.SocketState.CONNECTING);
        } catch (ErrnoException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** The outcome of a BIND of {@code carried}, the helper's socket. */
    RequestServer.Outcome bind(Request.Bind r, Fd carried) throws Refusal, ErrnoException {
        if (isUdp(carried)) {
            return bindDatagram(r, carried);
        }
        InetSocket.Kind kind = tcp(carried);
        InetEndpoint local = r.local();
        InetSocket.Name current = InetSocket.localName(carried.get());
        // A bound socket keeps its own domain; a new one takes the address's (see domainFor).
        int domain = current.port() != 0 ? kind.domain() : domainFor(local, kind.domain());
        InetSocket.Name target = target(local, domain);
        boolean ours = current.port() != 0 && bound.contains(InetSocket.cookie(carried.get()));
        if (!ours) {
            SocketDecision d = policy.decideListen(local.address(), local.port());
            DecisionTrail.socket(d, AuditCheck.address(local.address(), local.port()), "listen", Set.of());
            if (!d.allowed()) {
                throw new Refusal(Errno.EACCES, d.reason());
            }
            recorder.socket(local.address(), local.port(), SocketActions.LISTEN, Set.of());
        }
        int helperFlags = Linux.statusFlags(carried.get());
        Fd socket;
        if (current.port() != 0) {
            // Bound already: only the same address may be asked again (to listen); anything else
            // is what the kernel answers a second bind.
            boolean same = current.port() == target.port() || target.port() == 0;
            if (!same || !java.util.Arrays.equals(current.address(), target.address())) {
                throw Refusal.of(Errno.EINVAL);
            }
            socket = Linux.dupCloexec(carried.get(), 0);
        } else {
            socket = copy(carried, kind.domain(), domain);
        }
        try {
            if (current.port() == 0) {
                InetSocket.bind(socket.get(), target);
                remember(InetSocket.cookie(socket.get()));
            }
            if (r.listens()) {
                InetSocket.listen(socket.get(), r.backlog());
            }
            Linux.setStatusFlags(socket.get(), helperFlags);
            return RequestServer.Outcome.socket(
                    socket, r.listens() ? Reply.SocketState.LISTENING : Reply.SocketState.BOUND);
        } catch (ErrnoException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * The outcome of a DATAGRAM: a new unbound UDP socket in the broker's namespace, with the
     * options the JDK's own datagram socket gets ({@link InetSocket#openDatagram}). Nothing to
     * decide: it reaches nothing until a BIND, CONNECT or SEND_DATAGRAM, each decided.
     */
    RequestServer.Outcome datagram(Request.Datagram r) throws ErrnoException {
        return RequestServer.Outcome.descriptor(
                InetSocket.openDatagram(r.family() == Request.Family.INET ? InetSocket.AF_INET : InetSocket.AF_INET6));
    }

    /**
     * The outcome of a SEND_DATAGRAM on {@code carried}, which must be a UDP socket (only the
     * broker makes them): decided as the JDK decided an unconnected send
     * ({@link Policy#decideDatagramSend}), then sent by the broker on that very socket, so the
     * datagram leaves from the program's own local port, without blocking (MSG_DONTWAIT: a full
     * send buffer is the kernel's EAGAIN, which the helper's JDK code waits out as its own).
     */
    RequestServer.Outcome send(Request.SendDatagram r, Fd carried) throws Refusal, ErrnoException {
        InetSocket.Kind kind = udp(carried);
        InetEndpoint target = r.target();
        Set<String> known = names.namesOf(target.inetAddress());
        SocketDecision d = policy.decideDatagramSend(target.address(), target.port(), known);
        DecisionTrail.socket(d, AuditCheck.address(target.address(), target.port()), "connect", known);
        if (!d.allowed()) {
            throw new Refusal(Errno.EACCES, d.reason());
        }
        // Decided as connect (a multicast group is recorded so too, though its grant needs accept as well).
        recorder.socket(target.address(), target.port(), SocketActions.CONNECT, names.namesOf(target.inetAddress()));
        int sent = InetSocket.sendTo(carried.get(), r.payload().bytes(), target(target, kind.domain()));
        return RequestServer.Outcome.success(new Reply.Sent(sent));
    }

    /**
     * A CONNECT of a UDP socket: decided as the JDK decided a datagram connect
     * ({@link Policy#decideDatagramConnect}: connect and accept, or multicast), then connected in
     * place (a UDP connect only sets the peer: it never blocks). The helper gets the same socket
     * back.
     */
    private RequestServer.Outcome connectDatagram(Request.Connect r, Fd carried) throws Refusal, ErrnoException {
        InetSocket.Kind kind = udp(carried);
        InetEndpoint remote = r.remote();
        InetSocket.Name target = target(remote, kind.domain());
        Set<String> known = names.namesOf(remote.inetAddress());
        SocketDecision d = policy.decideDatagramConnect(remote.address(), remote.port(), known);
        DecisionTrail.socket(d, AuditCheck.address(remote.address(), remote.port()), "connect,accept", known);
        if (!d.allowed()) {
            throw new Refusal(Errno.EACCES, d.reason());
        }
        recorder.socket(
                remote.address(),
                remote.port(),
                SocketActions.CONNECT | SocketActions.ACCEPT,
                names.namesOf(remote.inetAddress()));
        InetSocket.connect(carried.get(), target);
        return RequestServer.Outcome.socket(Linux.dupCloexec(carried.get(), 0), Reply.SocketState.CONNECTED);
    }

    /**
     * A BIND of a UDP socket: decided as {@code listen}, as the JDK's DatagramSocket and
     * DatagramChannel bind asked ({@code checkListen}), and bound in place. A datagram socket
     * never listens (EOPNOTSUPP, as the kernel answers).
     */
    private RequestServer.Outcome bindDatagram(Request.Bind r, Fd carried) throws Refusal, ErrnoException {
        InetSocket.Kind kind = udp(carried);
        if (r.listens()) {
            throw Refusal.of(Errno.EOPNOTSUPP);
        }
        InetEndpoint local = r.local();
        InetSocket.Name target = target(local, kind.domain());
        SocketDecision d = policy.decideListen(local.address(), local.port());
        DecisionTrail.socket(d, AuditCheck.address(local.address(), local.port()), "listen", Set.of());
        if (!d.allowed()) {
            throw new Refusal(Errno.EACCES, d.reason());
        }
        recorder.socket(local.address(), local.port(), SocketActions.LISTEN, Set.of());
        InetSocket.clearReusePort(carried.get());
        InetSocket.bind(carried.get(), target);
        return RequestServer.Outcome.socket(Linux.dupCloexec(carried.get(), 0), Reply.SocketState.BOUND);
    }

    /** Whether {@code carried} is a UDP socket (the broker's: the helper cannot make one). */
    private static boolean isUdp(Fd carried) throws ErrnoException {
        return carried != null && InetSocket.kind(carried.get()).isUdp();
    }

    /** The kind of {@code carried}, which must be a UDP socket over IPv4 or IPv6. */
    private static InetSocket.Kind udp(Fd carried) throws Refusal, ErrnoException {
        if (carried == null) {
            throw Refusal.of(Errno.EBADF);
        }
        InetSocket.Kind kind = InetSocket.kind(carried.get());
        if (!kind.isUdp()) {
            throw Refusal.of(Errno.EOPNOTSUPP);
        }
        return kind;
    }

    private void remember(long cookie) {
        if (bound.add(cookie)) {
            boundOrder.addLast(cookie);
            if (boundOrder.size() > REMEMBERED) {
                bound.remove(boundOrder.removeFirst());
            }
        }
    }

    /** The kind of {@code carried}, which must be a TCP socket over IPv4 or IPv6. */
    private static InetSocket.Kind tcp(Fd carried) throws Refusal, ErrnoException {
        if (carried == null) {
            throw Refusal.of(Errno.EBADF);
        }
        InetSocket.Kind kind = InetSocket.kind(carried.get());
        if (!kind.isTcp()) {
            throw Refusal.of(Errno.EOPNOTSUPP);
        }
        return kind;
    }

    /**
     * {@code endpoint} as a socket of {@code domain} takes it: an IPv4 address on an IPv6 socket
     * as the IPv4-mapped IPv6 address (as the JDK's own natives pass it), an IPv6 address on an
     * IPv4 socket refused as the kernel refuses it.
     */
    private static InetSocket.Name target(InetEndpoint endpoint, int domain) throws Refusal {
        byte[] address = endpoint.address();
        if (domain == InetSocket.AF_INET6 && address.length == 4 && java.util.Arrays.equals(address, new byte[4])) {
            address = new byte[16]; // the IPv4 wildcard on a dual-stack socket is the IPv6 one, as the JDK binds it
        } else if (domain == InetSocket.AF_INET6 && address.length == 4) {
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(address, 0, mapped, 12, 4);
            address = mapped;
        } else if (domain == InetSocket.AF_INET && address.length == 16) {
            throw Refusal.of(EAFNOSUPPORT);
        }
        return new InetSocket.Name(address, endpoint.port(), endpoint.scopeId());
    }

    /**
     * The domain of the broker's socket for {@code endpoint}: the helper's socket's, except an
     * IPv6 address on an IPv4 socket, which gets an IPv6 socket. The JDK makes IPv4 sockets where
     * it finds no IPv6 interface (or is told to prefer IPv4), and still passes IPv6 addresses on;
     * outside, the same program would have had a dual-stack socket.
     */
    private static int domainFor(InetEndpoint endpoint, int helperDomain) {
        return endpoint.isV6() ? InetSocket.AF_INET6 : helperDomain;
    }

    /** A new socket of {@code domain} in the broker's namespace, with the options of {@code carried} (of {@code carriedDomain}). */
    private static Fd copy(Fd carried, int carriedDomain, int domain) throws ErrnoException {
        InetSocket.Options options = InetSocket.options(carried.get(), carriedDomain);
        Fd socket = InetSocket.open(domain);
        try {
            InetSocket.apply(socket.get(), domain, options);
            return socket;
        } catch (ErrnoException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }
}
