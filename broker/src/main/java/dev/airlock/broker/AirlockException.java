package dev.airlock.broker;

/** A failure Airlock reports to the user as one line on stderr and an exit code, with nothing started. */
final class AirlockException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    AirlockException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
