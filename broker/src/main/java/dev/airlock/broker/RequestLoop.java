package dev.airlock.broker;

import dev.airlock.ipc.Envelope;
import dev.airlock.ipc.Message;
import dev.airlock.ipc.MessageCodec;
import dev.airlock.ipc.ProtocolException;
import dev.airlock.ipc.Reply;
import dev.airlock.ipc.Request;
import dev.airlock.unix.Credentials;
import dev.airlock.unix.Errno;
import dev.airlock.unix.ErrnoException;
import dev.airlock.unix.Fd;
import dev.airlock.unix.SeqPacketSocket;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Serves the helper's requests on one thread: receive, check the sender's kernel credentials,
 * decode strictly, serve ({@link RequestServer#serve}), send what the server answers. No
 * hand-off to other threads on the way, so a brokered open costs one receive, the open and one
 * send. A request that fails the credential check or does not decode is refused and reported with
 * its reason, and the loop goes on serving; a request the broker fails on unexpectedly is answered
 * with a broker error and reported.
 * Those reports are bounded ({@link RefusalLog}): the helper decides how many requests it sends.
 *
 * <p>Except name lookups (RESOLVE, REVERSE_RESOLVE): a name server may take seconds to answer, and
 * one slow lookup must not hold every other request of the helper (its file opens, its connects).
 * So the loop hands each lookup to a small bounded pool of resolver threads
 * ({@value #LOOKUP_THREADS} threads, {@value #LOOKUP_QUEUE} waiting at most; beyond that a lookup
 * is answered at once with a broker error) and goes on serving; the resolver thread sends the
 * reply when the lookup is done, under the same lock as the loop's own replies. The helper's client
 * matches replies to requests by id, so replies in another order than the requests are expected.
 * The policy decision comes first in every case ({@link NameLookups}).
 */
final class RequestLoop {
    private final SeqPacketSocket socket;
    private final RequestServer server;
    private final Credentials expected;
    private final HelperDescriptors descriptors;
    private final RefusalLog log;
    private final Consumer<Request> observer;
    private final AuditLog audit;

    /** How many lookups run at once. */
    static final int LOOKUP_THREADS = 4;

    /** How many lookups may wait for a resolver thread; beyond, a lookup is answered with a broker error. */
    static final int LOOKUP_QUEUE = 64;

    /** What a lookup that finds the pool full is answered with (a broker error: an I/O error, not a denial). */
    static final String LOOKUPS_BUSY = "airlock broker: too many name lookups at once";

    /** The resolver threads, made at the first lookup. */
    private ThreadPoolExecutor lookups;

    /** Held while a reply is encoded and sent, by the loop and by the resolver threads. */
    private final Object sending = new Object();

    private final ByteBuffer out = ByteBuffer.allocate(Message.MAX_SIZE);

    /**
     * {@code expected}: the helper's pid, uid and gid, which every request must carry;
     * {@code descriptors}: the helper's, from which the loop takes the one a request names (the
     * caller keeps and closes it); {@code log}: where refused requests are reported, bounded
     * ({@link RefusalLog}).
     */
    RequestLoop(
            SeqPacketSocket socket,
            RequestServer server,
            Credentials expected,
            HelperDescriptors descriptors,
            PrintStream log) {
        this(socket, server, expected, descriptors, log, request -> {});
    }

    /**
     * As the other constructor, with {@code observer} shown every request that passed the checks
     * before it is served, on the loop's thread: for advice on stderr ({@link MissingHome}), never
     * for a decision.
     */
    RequestLoop(
            SeqPacketSocket socket,
            RequestServer server,
            Credentials expected,
            HelperDescriptors descriptors,
            PrintStream log,
            Consumer<Request> observer) {
        this(socket, server, expected, descriptors, log, observer, null);
    }

    /**
     * As the other constructors, recording each served request's policy checks in {@code audit}
     * (null for none) before its reply is sent; once the audit log cannot be written, every
     * request is answered with a broker error that says so ({@link AuditLog#failure}).
     */
    RequestLoop(
            SeqPacketSocket socket,
            RequestServer server,
            Credentials expected,
            HelperDescriptors descriptors,
            PrintStream log,
            Consumer<Request> observer,
            AuditLog audit) {
        this.audit = audit;
        this.socket = socket;
        this.server = server;
        this.expected = expected;
        this.descriptors = descriptors;
        this.log = new RefusalLog(log, System::nanoTime);
        this.observer = observer;
    }

    /** Serves until the helper's end of the channel is closed; then reports what the log suppressed. */
    void run() throws ErrnoException {
        try {
            serve();
        } finally {
            log.finish();
        }
    }

    private void serve() throws ErrnoException {
        ByteBuffer in = ByteBuffer.allocate(Message.MAX_REQUEST_SIZE + 1);
        try {
            while (true) {
                in.clear();
                SeqPacketSocket.Received received = socket.receive(in);
                if (received == null) {
                    return;
                }
                Answer answer = handle(received, in);
                if (answer != null && !send(answer)) {
                    return; // the helper is gone
                }
            }
        } finally {
            if (lookups != null) {
                lookups.shutdownNow();
            }
        }
    }

    /**
     * Encodes and sends {@code answer} with its descriptor, then closes the broker's copy; from
     * the loop and from the resolver threads alike.
     *
     * @return false when the helper is gone (its end of the channel closed)
     */
    private boolean send(Answer answer) throws ErrnoException {
        Fd fd = answer.descriptor();
        synchronized (sending) {
            try {
                out.clear();
                int length = MessageCodec.encode(answer.id(), answer.reply(), out);
                socket.send(out, length, fd);
                return true;
            } catch (ErrnoException e) {
                if (e.errno() == Errno.EPIPE || e.errno() == Errno.ECONNRESET) {
                    return false;
                }
                throw e;
            } finally {
                if (fd != null) {
                    fd.close(); // the helper has its own copy now
                }
            }
        }
    }

    /**
     * Runs a lookup on a resolver thread, which sends its reply; a full pool answers at once with
     * {@link #LOOKUPS_BUSY}.
     */
    private Answer lookUpLater(Envelope<Request> request) {
        if (lookups == null) {
            AtomicInteger number = new AtomicInteger();
            lookups = new ThreadPoolExecutor(
                    LOOKUP_THREADS,
                    LOOKUP_THREADS,
                    30,
                    TimeUnit.SECONDS,
                    new ArrayBlockingQueue<>(LOOKUP_QUEUE),
                    task -> {
                        Thread t = new Thread(task, "airlock-resolver-" + number.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
            lookups.allowCoreThreadTimeOut(true);
        }
        try {
            lookups.execute(() -> {
                RequestServer.Outcome outcome = server.serveLookup(request.message());
                audit(request.message(), outcome);
                if (outcome.internal() != null) {
                    log.println("airlock: internal error serving " + request + ": " + outcome.internal());
                }
                try {
                    send(new Answer(request.id(), outcome.reply(), null));
                } catch (ErrnoException e) {
                    log.println("airlock: cannot send the answer to " + request + ": " + e.getMessage());
                }
            });
            return null;
        } catch (RejectedExecutionException e) {
            return new Answer(request.id(), new Reply.BrokerError(LOOKUPS_BUSY), null);
        }
    }

    /** A reply, the id it answers and the descriptor that rides with it, if any; the loop closes it once sent. */
    record Answer(int id, Reply reply, Fd descriptor) {}

    /**
     * Serves one decoded request and turns the server's outcome into the answer to send. Never
     * throws: a failure the broker did not foresee is a bug, but it must not end the helper's
     * access to every other file, so the server answers it with a broker error, it is logged here,
     * and the loop keeps serving.
     */
    static Answer answer(RequestServer server, Envelope<Request> request, RefusalLog log) {
        return answer(server, request, null, log);
    }

    /**
     * {@link #answer(RequestServer, Envelope, RefusalLog)} for a request with the descriptor it
     * names ({@link Request.Carrying}), taken from the helper.
     */
    static Answer answer(RequestServer server, Envelope<Request> request, Fd attached, RefusalLog log) {
        RequestServer.Outcome outcome = server.serve(request.message(), attached);
        if (outcome.internal() != null) {
            log.println("airlock: internal error serving " + request + ": " + outcome.internal());
        }
        return new Answer(request.id(), outcome.reply(), outcome.fd());
    }

    /**
     * Checks and decodes one received message and serves it. The descriptor rule: no request
     * carries a descriptor (the codec refuses one that does, whole); a request that acts on one of
     * the helper's names it, and the loop takes a copy from the helper ({@link HelperDescriptors})
     * just before serving it, answering EBADF, as the kernel would, when the helper has no such
     * descriptor. Every descriptor received or taken is closed here once the request is served or
     * refused: the broker keeps none of the helper's.
     */
    Answer handle(SeqPacketSocket.Received received, ByteBuffer in) {
        Fd[] attached = received.descriptors();
        Fd taken = null;
        try {
            Credentials sender = received.sender();
            if (sender == null
                    || sender.pid() != expected.pid()
                    || sender.uid() != expected.uid()
                    || sender.gid() != expected.gid()) {
                refuse("credentials " + describe(sender) + " are not the helper's " + describe(expected));
                return null;
            }
            if (received.truncated()) {
                refuse("request longer than " + Message.MAX_REQUEST_SIZE + " bytes");
                return null;
            }
            Envelope<Request> request;
            try {
                request = MessageCodec.decodeRequest(in, received.length(), attached.length);
            } catch (ProtocolException e) {
                refuse(e.getMessage());
                return null;
            }
            observer.accept(request.message());
            if (audit != null && audit.failure() != null) {
                return new Answer(request.id(), new Reply.BrokerError(audit.failure()), null);
            }
            if (RequestServer.isLookup(request.message())) {
                return lookUpLater(request);
            }
            if (request.message() instanceof Request.Carrying carrying) {
                try {
                    taken = descriptors.take(carrying.carried());
                } catch (ErrnoException e) {
                    Answer failed = new Answer(request.id(), new Reply.Failed(e.errno()), null);
                    audit(request.message(), failed.reply());
                    return failed;
                }
            }
            Answer answer = answer(server, request, taken, log);
            audit(request.message(), answer.reply());
            return answer;
        } finally {
            for (Fd fd : attached) {
                fd.close();
            }
            if (taken != null) {
                taken.close();
            }
        }
    }

    /**
     * Records the checks the server made for {@code request} on this thread ({@link
     * DecisionTrail}), before the reply is sent: a denial is in the file once this returns.
     */
    private void audit(Request request, RequestServer.Outcome outcome) {
        audit(request, outcome.reply());
    }

    private void audit(Request request, Reply reply) {
        List<AuditCheck> checks = DecisionTrail.take();
        if (audit != null) {
            audit.request(expected.pid(), request, checks, reply);
        }
    }

    private void refuse(String why) {
        log.println("airlock: refused a request: " + why);
    }

    private static String describe(Credentials c) {
        return c == null ? "(none)" : "pid " + c.pid() + " uid " + c.uid() + " gid " + c.gid();
    }
}
