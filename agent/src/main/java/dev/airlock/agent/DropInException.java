package dev.airlock.agent;

/**
 * Why the drop-in cannot confine this JVM, with the exit status it stops it with: {@link #USAGE}
 * for options or a command line it does not accept (as {@code airlock run}'s usage errors),
 * {@link #CANNOT_CONFINE} when it cannot start the broker (as {@code airlock run}'s own failures).
 */
final class DropInException extends Exception {
    private static final long serialVersionUID = 1L;

    /** A malformed option or a command line the drop-in refuses; nothing started. */
    static final int USAGE = 2;

    /** The broker cannot be started (not Linux, not the java launcher, exec refused). */
    static final int CANNOT_CONFINE = 125;

    private final int exitCode;

    DropInException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    DropInException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
