package dev.airlock.broker;

/** Airlock's own exit codes; a run that started the helper exits with the helper's code instead. */
final class ExitCodes {
    /** {@code airlock explain}: at least one query was malformed (its answer is ERROR). */
    static final int QUERY_ERROR = 1;
    /** Bad command line, malformed policy, nothing started. */
    static final int USAGE = 2;
    /** The kernel lacks a sandbox layer and no --allow-weaker named it. */
    static final int SANDBOX_UNAVAILABLE = 125;
    /** Airlock itself failed. */
    static final int INTERNAL = 125;
    /**
     * The helper's java launcher ({@code --java}, or the JDK running Airlock) does not exist:
     * Airlock cannot start the program, one of its own failures (the README's exit codes).
     */
    static final int NO_JAVA = 125;

    private ExitCodes() {}
}
