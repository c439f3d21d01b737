package dev.airlock.broker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The options of {@code airlock run}, shared with {@code airlock learn}, which runs the program
 * with the same confinement ({@link RunCommand}, {@link LearnCommand}).
 */
final class RunOptions {
    @Option(
            names = "--policy",
            paramLabel = "FILE",
            description = "A java.policy file; several combine as the JDK combines several policy URLs.")
    List<Path> policies = new ArrayList<>();

    @Option(
            names = "--trust",
            paramLabel = "PUBLIC",
            description = "A public key (PEM or OpenSSH .pub) trusted to sign policies; with any, every --policy must"
                    + " carry a valid signature (FILE.sig, airlock sign) by one of them, or nothing starts.")
    List<Path> trust = new ArrayList<>();

    @Option(
            names = "--java",
            paramLabel = "PATH",
            description = "The java launcher for the helper (default: the one running Airlock).")
    Path java;

    @Option(
            names = "--user",
            paramLabel = "USER",
            defaultValue = RunArguments.DEFAULT_USER,
            description =
                    "When Airlock runs as root, the user the helper runs as (default: ${DEFAULT-VALUE}); never root.")
    String user;

    @Option(
            names = "--allow-weaker",
            paramLabel = "LAYER",
            split = ",",
            description = "Run with a weaker sandbox when the kernel lacks LAYER (only: landlock).")
    Set<String> allowWeaker = Set.of();

    @Option(
            names = "--tmp",
            paramLabel = "DIR",
            description = "Give the helper this existing directory as its java.io.tmpdir and TMPDIR, with full rights"
                    + " there, instead of a private one; it is not removed.")
    Path tmp;

    @Option(
            names = "--no-tmp",
            description = "Give the helper no temporary directory of its own: java.io.tmpdir stays the JDK's default,"
                    + " where the policy decides.")
    boolean noTmp;

    @Option(
            names = "--keep-tmp",
            description = "Keep the private temporary directory after the run, and print where it is.")
    boolean keepTmp;

    @Option(
            names = "--home",
            paramLabel = "DIR",
            description = "The helper's home (user.home, HOME, ${user.home} in policies): an existing directory its"
                    + " user can write, with full rights there.")
    Path home;

    @Option(
            names = "--drop-in-env",
            paramLabel = "NAME=VALUE",
            hidden = true,
            description = "Set by the drop-in agent: a JVM option variable of the program's, which the broker's own"
                    + " JVM ran without, given back to the helper.")
    List<String> dropInEnv = new ArrayList<>();

    @Option(
            names = "--audit",
            paramLabel = "FILE",
            description = "Write an audit log of the broker's decisions to FILE (a new file, mode 0600): every denial,"
                    + " with --audit-allowed every allowed request too.")
    Path audit;

    @Option(
            names = "--audit-allowed",
            description = "With --audit: record allowed requests too (bounded: beyond, counted as suppressed).")
    boolean auditAllowed;

    @Option(
            names = "--audit-key",
            paramLabel = "PRIVATE",
            description = "With --audit: seal the log every " + AuditLog.SEAL_EVERY
                    + " records and at the end with this" + " private key (Ed25519 or ECDSA P-256; PEM or OpenSSH).")
    Path auditKey;

    @Option(
            names = "--audit-queue",
            paramLabel = "N",
            hidden = true,
            description = "How many allowed records may wait for the audit writer (tests of the bound).")
    int auditQueue = AuditLog.DEFAULT_QUEUE;

    @Parameters(paramLabel = "JAVA-ARGS", description = "The arguments for java.")
    List<String> javaArgs = new ArrayList<>();
}
