package dev.airlock.helper;

/**
 * The broker could not serve the request: it failed internally (a broker error reply), it is gone,
 * or it answered something that is not the protocol. Never a denial: the agent reports it as an
 * I/O error ({@code FileSystemException}, or java.io's {@code FileNotFoundException} with this
 * message), never as {@code AccessDeniedException}, and never falls back to a direct open.
 */
public final class BrokerFailedException extends BrokerException {
    private static final long serialVersionUID = 1L;

    public BrokerFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
