package dev.airlock.agent;

import dev.airlock.helper.Answer;
import dev.airlock.helper.OperationFailedException;
import dev.airlock.ipc.Request;
import dev.airlock.unix.Errno;
import java.io.IOException;

/**
 * What the agent asks when the kernel refused a direct operation: the seam between the advice
 * (through {@link Router} and {@link MetadataRouter}) and the broker client.
 *
 * <p>The agent never decides policy: it consults an opener only after the JDK's own direct call
 * failed (or for paths outside the direct roots, whose metadata only the broker may reveal), and
 * passes on what the opener answers. Production wraps the helper's broker client
 * ({@link BrokerOpener}); tests substitute a fake. Called from whichever application thread is
 * opening a file, concurrently; an operation the opener itself performs while answering is not
 * routed back into it (its direct failure stands).
 *
 * <p>Failures are the helper's {@code BrokerException}s: {@code PolicyDeniedException},
 * {@code OperationFailedException} (the errno) and {@code BrokerFailedException}; any other
 * exception is treated as a broker failure. {@link Failures} turns each into the JDK's own.
 */
interface Opener {

    /**
     * Sends one request that acts on no descriptor of this process's (not a {@link Request.Carrying}).
     *
     * @return the success; for OPEN and STAT usually a descriptor, now owned by the caller
     * @throws IOException a {@code BrokerException} saying why not, or any other failure, which
     *     the caller treats as an unreachable broker: it fails closed, never a direct retry
     */
    Answer send(Request request) throws IOException;

    /**
     * Sends a CONNECT or BIND of the socket of this process's it names, which stays the caller's.
     *
     * @return the success, holding the socket to put in its place (now owned by the caller)
     * @throws IOException as {@link #send}
     */
    default Answer socket(Request.Carrying request) throws IOException {
        // An opener of the agent's own tests that serves files only answers as a kernel without sockets.
        throw new OperationFailedException(request.toString(), Errno.EOPNOTSUPP);
    }

    /**
     * Sends a SEND_DATAGRAM on the UDP socket of this process's it names, which stays the caller's.
     *
     * @return the bytes the broker sent
     * @throws IOException as {@link #send}
     */
    default int sendDatagram(Request.SendDatagram request) throws IOException {
        throw new OperationFailedException(request.toString(), Errno.EOPNOTSUPP);
    }

    /**
     * Asks for an inotify watch on a directory, added to this process's inotify instance the
     * request names, which stays the caller's.
     *
     * @return the watch descriptor ({@code >= 1})
     * @throws IOException as {@link #send}
     */
    default int watch(Request.Watch request) throws IOException {
        // An opener that serves only opens (the agent's own tests use such fakes) answers as a
        // kernel without the call would.
        throw new OperationFailedException(request.directory().toString(), Errno.ENOSYS);
    }
}
