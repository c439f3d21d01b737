package dev.airlock.broker;

import dev.airlock.ipc.Credentials;
import dev.airlock.ipc.ErrnoException;
import dev.airlock.ipc.Fd;
import dev.airlock.ipc.Message;
import dev.airlock.ipc.MessageCodec;
import dev.airlock.ipc.ProtocolException;
import dev.airlock.ipc.Reply;
import dev.airlock.ipc.Request;
import dev.airlock.ipc.SeqPacketSocket;
import java.io.PrintStream;
import java.nio.ByteBuffer;

/**
 * Serves the helper's requests on one thread: receive, check the sender's kernel credentials,
 * decode strictly, decide and act by the request's type ({@link FileBroker#serve}), reply. No
 * hand-off to other threads on the way, so a brokered open costs one receive, the open and one
 * send. A request that fails the credential check or does not decode is refused and reported with
 * its reason, and the loop goes on serving; so is a request the broker fails on unexpectedly.
 * Those reports are bounded ({@link RefusalLog}): the helper decides how many requests it sends.
 */
final class RequestLoop {
    private final SeqPacketSocket socket;
    private final FileBroker files;
    private final Credentials expected;
    private final RefusalLog log;

    /**
     * {@code expected}: the helper's pid, uid and gid, which every request must carry; {@code
     * log}: where refused requests are reported, bounded ({@link RefusalLog}).
     */
    RequestLoop(SeqPacketSocket socket, FileBroker files, Credentials expected, PrintStream log) {
        this.socket = socket;
        this.files = files;
        this.expected = expected;
        this.log = new RefusalLog(log, System::nanoTime);
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
        ByteBuffer in = ByteBuffer.allocate(Message.MAX_SIZE + 1);
        ByteBuffer out = ByteBuffer.allocate(Message.MAX_SIZE);
        while (true) {
            in.clear();
            SeqPacketSocket.Received received = socket.receive(in);
            if (received == null) {
                return;
            }
            Answer answer = handle(received, in);
            if (answer == null) {
                continue;
            }
            Fd fd = answer.descriptor();
            try {
                out.clear();
                int length = MessageCodec.encode(answer.reply(), out);
                socket.send(out, length, fd);
            } catch (ErrnoException e) {
                if (e.errno() == dev.airlock.ipc.Errno.EPIPE || e.errno() == dev.airlock.ipc.Errno.ECONNRESET) {
                    return; // the helper is gone
                }
                throw e;
            } finally {
                if (fd != null) {
                    fd.close(); // the helper has its own copy now
                }
            }
        }
    }

    /** A reply and the descriptor that rides with it, if any; the loop closes it once sent. */
    record Answer(Reply reply, Fd descriptor) {
    }

    /**
     * Serves one decoded request and turns the outcome into the reply to send. Never throws: a
     * failure the broker did not foresee is a bug, but it must not end the helper's access to
     * every other file, so it is logged and answered with EIO, and the loop keeps serving.
     */
    static Answer answer(FileBroker files, Request request, RefusalLog log) {
        return answer(files, request, null, log);
    }

    /** {@link #answer(FileBroker, Request, RefusalLog)} for a request with the descriptor it carried (WATCH). */
    static Answer answer(FileBroker files, Request request, Fd attached, RefusalLog log) {
        int id = request.id();
        FileBroker.Outcome outcome;
        try {
            outcome = files.serve(request, attached);
        } catch (RuntimeException e) {
            log.println("airlock: internal error serving " + request + ": " + e);
            return new Answer(Reply.error(id, dev.airlock.ipc.Errno.EIO, "airlock broker: internal error"), null);
        }
        if (outcome.fd() != null) {
            return new Answer(Reply.descriptor(id), outcome.fd());
        }
        if (outcome.errno() != 0) {
            return new Answer(Reply.error(id, outcome.errno(), outcome.reason()), null);
        }
        if (outcome.stat() != null) {
            return new Answer(Reply.stat(id, outcome.stat()), null);
        }
        if (outcome.watch() != 0) {
            return new Answer(Reply.watch(id, outcome.watch()), null);
        }
        return new Answer(outcome.data() != null ? Reply.data(id, outcome.data()) : Reply.done(id), null);
    }

    /**
     * Checks and decodes one received message and serves it. The descriptor rule: a WATCH carries
     * exactly one descriptor (the helper's inotify instance), every other request none; any other
     * count refuses the request whole (the codec checks it against the decoded type). Every
     * received descriptor is closed here once the request is served or refused: the broker keeps
     * none of the helper's.
     */
    Answer handle(SeqPacketSocket.Received received, ByteBuffer in) {
        Fd[] descriptors = received.descriptors();
        try {
            Credentials sender = received.sender();
            if (sender == null || sender.pid() != expected.pid() || sender.uid() != expected.uid() || sender.gid() != expected.gid()) {
                refuse("credentials " + describe(sender) + " are not the helper's " + describe(expected));
                return null;
            }
            if (received.truncated()) {
                refuse("request longer than " + Message.MAX_SIZE + " bytes");
                return null;
            }
            Request request;
            try {
                request = MessageCodec.decodeRequest(in, received.length(), descriptors.length);
            } catch (ProtocolException e) {
                refuse(e.getMessage());
                return null;
            }
            return answer(files, request, descriptors.length == 1 ? descriptors[0] : null, log);
        } finally {
            for (Fd fd : descriptors) {
                fd.close();
            }
        }
    }

    private void refuse(String why) {
        log.println("airlock: refused a request: " + why);
    }

    private static String describe(Credentials c) {
        return c == null ? "(none)" : "pid " + c.pid() + " uid " + c.uid() + " gid " + c.gid();
    }
}
