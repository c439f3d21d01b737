package dev.airlock.broker;

/** Airlock's own exit codes; a run that started the helper exits with the helper's code instead. */
final class ExitCodes {
    /** Bad command line, malformed policy, nothing started. */
    static final int USAGE = 2;
    /** The kernel lacks a sandbox layer and no --allow-weaker named it. */
    static final int SANDBOX_UNAVAILABLE = 125;
    /** Airlock itself failed. */
    static final int INTERNAL = 125;

    private ExitCodes() {}
}
