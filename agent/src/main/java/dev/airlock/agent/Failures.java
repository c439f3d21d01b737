package dev.airlock.agent;

import dev.airlock.helper.OperationFailedException;
import dev.airlock.helper.PolicyDeniedException;
import dev.airlock.unix.Errno;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;

/**
 * The one place where a failed brokered operation becomes what the JDK itself would have
 * produced, for each kind of failure the helper's client reports:
 *
 * <ul>
 *   <li>denied by policy ({@link PolicyDeniedException}): java.io opens throw
 *       {@code FileNotFoundException("NAME (denied by airlock policy ...)")}, NIO opens
 *       {@code AccessDeniedException(NAME, null, reason)}; NIO metadata operations report the
 *       denial's errno (EACCES) as the JDK's own refusal would, with the reason kept for the
 *       JDK's {@code AccessDeniedException};
 *   <li>failed in the kernel ({@link OperationFailedException}): the errno, exactly as the JDK's
 *       natives report it (java.io: {@code NAME (strerror)});
 *   <li>anything else (a broker error, a broker that is gone, a broken client): an I/O error with
 *       the failure's message and cause (java.io opens: {@code FileNotFoundException("NAME
 *       (message)")}; NIO: {@code FileSystemException}), never {@code AccessDeniedException} or
 *       EACCES: a broker failure is not the policy's decision.
 * </ul>
 */
final class Failures {
    private Failures() {}

    /** What a java.io open ({@code FileInputStream} and friends) throws for {@code failure}. */
    static FileNotFoundException javaIoOpen(String name, Exception failure) {
        if (failure instanceof PolicyDeniedException denied) {
            // The policy words its denials itself ("denied by airlock policy NAME: ACTIONS").
            return new FileNotFoundException(name + " (" + denied.reason() + ")");
        }
        if (failure instanceof OperationFailedException failed) {
            return new FileNotFoundException(name + " (" + Errno.description(failed.errno()) + ")");
        }
        FileNotFoundException e = new FileNotFoundException(name + " (" + message(failure) + ")");
        e.initCause(failure);
        return e;
    }

    /**
     * What an NIO open does for {@code failure}: returns the negative errno of a kernel failure
     * (the bridge throws it as the JDK's {@code UnixException}, so the JDK's own translation
     * applies), or throws.
     *
     * @throws AccessDeniedException for a denial, with the policy's reason
     * @throws FileSystemException for a broker failure
     */
    static int nioOpen(String name, Exception failure) throws FileSystemException {
        if (failure instanceof PolicyDeniedException denied) {
            throw new AccessDeniedException(name, null, denied.reason());
        }
        if (failure instanceof OperationFailedException failed) {
            return -failed.errno();
        }
        throw brokerFailure(name, failure);
    }

    /**
     * What an NIO metadata or mutation operation does for {@code failure}: a policy denial with
     * EACCES is the value {@code AccessDeniedException(path, null, reason)}, which the bridge
     * throws as the JDK's {@code UnixException} for EACCES carrying the reason (some callers catch
     * only {@code UnixException}, the watch service's poller thread and {@code UnixFileStore}, so
     * a checked exception they do not expect must not escape them; where the JDK reports it, it
     * reads as a denied open does); any other denial or kernel failure is its negative errno; a
     * broker failure throws.
     *
     * @return an {@code AccessDeniedException} or a negative errno
     * @throws FileSystemException for a broker failure
     */
    static Object nioMetadata(String path, Exception failure) throws FileSystemException {
        if (failure instanceof PolicyDeniedException denied && denied.errno() == Errno.EACCES) {
            return new AccessDeniedException(path, null, denied.reason());
        }
        int errno = errno(failure);
        if (errno != 0) {
            return -errno;
        }
        throw brokerFailure(path, failure);
    }

    /**
     * For java.io.File's operations, which report a denial or failure by value (false, 0, null):
     * the negative errno of a denial or kernel failure; anything else is rethrown (the bridge
     * answers java.io's failure value for it, and never a direct call).
     */
    static int javaIoByValue(IOException failure) throws IOException {
        int errno = errno(failure);
        if (errno != 0) {
            return -errno;
        }
        throw failure;
    }

    /** {@code createNewFile}'s IOException for a denial (the policy's reason) or a kernel failure (strerror). */
    static IOException javaIoCreate(IOException failure) {
        if (failure instanceof PolicyDeniedException denied) {
            return new IOException(denied.reason());
        }
        if (failure instanceof OperationFailedException failed) {
            return new IOException(Errno.description(failed.errno()));
        }
        return failure;
    }

    /**
     * What a brokered connect ({@code connect}) or bind or listen throws for {@code failure}: a
     * denial as {@code SocketException} (a bind's as its {@code BindException}) with the policy's
     * reason ("denied by airlock policy NAME: connect HOST:PORT"); the kernel's errno as the
     * JDK's own natives throw it (sun.nio.ch's handleSocketError: ECONNREFUSED and ETIMEDOUT a
     * {@code ConnectException}, EHOSTUNREACH a {@code NoRouteToHostException}, EADDRINUSE,
     * EADDRNOTAVAIL and EACCES a {@code BindException}, EPROTO a {@code ProtocolException}, the
     * rest a {@code SocketException}, each with glibc's text); a broker failure a
     * {@code SocketException} with its message and cause, never a denial.
     */
    static IOException socket(boolean connect, IOException failure) {
        if (failure instanceof PolicyDeniedException denied) {
            return connect
                    ? new java.net.SocketException(denied.reason())
                    : new java.net.BindException(denied.reason());
        }
        if (failure instanceof OperationFailedException failed) {
            int errno = failed.errno();
            String text = Errno.description(errno);
            switch (errno) {
                case ECONNREFUSED:
                case ETIMEDOUT:
                    return new java.net.ConnectException(text);
                case EHOSTUNREACH:
                    return new java.net.NoRouteToHostException(text);
                case EADDRINUSE:
                case EADDRNOTAVAIL:
                case Errno.EACCES:
                    return new java.net.BindException(text);
                case EPROTO:
                    return new java.net.ProtocolException(text);
                default:
                    return new java.net.SocketException(text);
            }
        }
        if (failure instanceof java.net.SocketException) {
            return failure;
        }
        java.net.SocketException e = new java.net.SocketException(message(failure));
        e.initCause(failure);
        return e;
    }

    private static final int EPROTO = 71;
    private static final int EADDRINUSE = 98;
    private static final int EADDRNOTAVAIL = 99;
    private static final int ETIMEDOUT = 110;
    private static final int ECONNREFUSED = 111;
    private static final int EHOSTUNREACH = 113;

    /** The errno of a denial or a kernel failure; 0 for anything else (a broker failure). */
    private static int errno(Exception failure) {
        if (failure instanceof PolicyDeniedException denied) {
            return denied.errno();
        }
        if (failure instanceof OperationFailedException failed) {
            return failed.errno();
        }
        return 0;
    }

    private static FileSystemException brokerFailure(String path, Exception failure) {
        FileSystemException f = new FileSystemException(path, null, message(failure));
        f.initCause(failure);
        return f;
    }

    private static String message(Exception failure) {
        return failure.getMessage() != null ? failure.getMessage() : failure.toString();
    }
}
