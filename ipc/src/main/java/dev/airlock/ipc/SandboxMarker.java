package dev.airlock.ipc;

/**
 * The environment variable the broker sets in the helper's environment, which every process of
 * the sandbox inherits: how a drop-in agent loaded again inside the sandbox (from
 * {@code JAVA_TOOL_OPTIONS}, an argfile, a JVM the program starts) knows it must not start a
 * second broker. Part of the contract between broker and helper, so it lives beside the wire
 * format both sides share; the marker alone proves nothing (the agent checks that the process is
 * really confined before it trusts it).
 */
public final class SandboxMarker {
    /** The variable's name; its value is not read. */
    public static final String VARIABLE = "AIRLOCK_SANDBOX";

    private SandboxMarker() {}
}
