package dev.airlock.broker;

import dev.airlock.broker.signing.KeyFileException;
import dev.airlock.broker.signing.SigningKey;
import dev.airlock.ipc.Message;
import dev.airlock.ipc.Request;
import dev.airlock.policy.Policy;
import dev.airlock.unix.Credentials;
import dev.airlock.unix.Fd;
import dev.airlock.unix.Linux;
import dev.airlock.unix.SeqPacketSocket;
import dev.airlock.unix.SpawnPlan;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code airlock run}: starts the application's JVM as a confined helper and serves its file
 * requests until it exits, then ends whatever the helper left running and exits with its status
 * (a helper killed by signal N gives 128+N, as a shell reports it). Nothing of Airlock's own is
 * printed unless something goes wrong. This class is the thin launcher: it parses the command
 * line, looks up what the plan needs (the policy, its signature verified first when
 * {@code --trust} names keys, the JDK, this process's environment, the class
 * path as the JVM reads it ({@link ClassPath}, warnings printed once), the runtime files and transform cache, the real paths of the rules), has {@link SandboxPlanner}
 * decide the whole {@link SandboxPlan}, applies it ({@link Confinement#spawn}), and serves.
 */
@Command(
        name = "run",
        description = "Run a Java program confined: the arguments after -- are what you would give java.",
        mixinStandardHelpOptions = true)
final class RunCommand implements Callable<Integer> {
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

    private final PrintStream err;

    /** Whether this run keeps its private temporary directory ({@code --keep-tmp}), once it has one. */
    private boolean keep;

    RunCommand(PrintStream err) {
        this.err = err;
    }

    @Override
    public Integer call() throws Exception {
        RunArguments asked = arguments();
        Optional<UserAccount> account = UserAccount.find(asked.user());
        SandboxPlanner.checkArguments(asked, account);
        NativeWarmUp.Prepared prepared = NativeWarmUp.await();
        Environment environment = Environment.lookUp(account).withVariables(DropInVariables.parse(dropInEnv));
        Confinement confinement = SandboxPlanner.confinement(asked, environment);
        RunArguments arguments = checkDirectories(asked, confinement.identity());
        // ${user.home} in a policy is the helper's home, not the broker's.
        List<AuditLog.PolicyFile> policyFiles = new ArrayList<>();
        Optional<SigningKey> sealKey = auditKey();
        Policy policy = Policies.load(
                policies,
                SandboxPlanner.policyProperties(arguments, environment, System::getProperty),
                TrustOption.read(trust),
                policyFiles);
        Jdk jdk = Jdk.lookUp(javaLauncher());
        SandboxPlanner.warning(confinement).ifPresent(err::println);
        // The class path as the JVM will read it: manifests, wildcards and argfiles read now, with
        // the broker's rights (argfiles only where the policy grants read), judged for the helper's user.
        ClassPath classPath = ClassPath.resolve(
                arguments.javaArgs(),
                environment.variables(),
                environment.workingDirectory(),
                new DiskClassPathFiles(policy, environment.root() ? environment.account() : Optional.empty()));
        classPath.warnings().forEach(err::println);
        RuntimeFiles runtime =
                RuntimeFiles.prepare(RuntimeFiles.ownJar(), prepared.cache(), prepared.jffi(), environment.root());

        // Before anything is spawned: every orphan of the helper's (or of the preparation's) comes back to the broker.
        ProcessTree.adoptOrphans();
        Optional<Path> transformCache =
                TransformCache.prepare(prepared.cache(), jdk, runtime.agentJar(), arguments.javaArgs(), confinement);

        Optional<PrivateTmp> privateTmp = makePrivateTmp(arguments, confinement);
        boolean handedToReaper = false;
        Optional<Path> helperTmp = tmpOf(arguments, privateTmp);
        Policy served = SandboxPlanner.brokerPolicy(policy, arguments, helperTmp);
        AuditLog auditLog = null;
        Fd[] pair = Linux.seqpacketPair();
        try (SeqPacketSocket channel = new SeqPacketSocket(pair[0], Message.MAX_REQUEST_SIZE);
                GrantRoots roots = GrantRoots.open(served.fileGrantRoots())) {
            // The broker never serves procfs or sysfs (its /proc/self is its own): the policy's read
            // grants there are the helper's own Landlock rules, so it reads its own view of them.
            // The grants the kernel carries exactly are the helper's own rules too: native code uses them.
            NativeGrants kernelGrants = NativeGrants.lookUp(
                    policy, confinement.identity().uid(), confinement.identity().gid(), MountTable.lookUp());
            PreparedFiles files = new PreparedFiles(
                    runtime, transformCache, roots.kernelViewReadRules(policy), kernelGrants.rules(), helperTmp);
            RealPaths real = RealPaths.lookUp(
                    SandboxPlanner.pathsOf(SandboxPlanner.helperReads(arguments, environment, jdk, files, classPath)));
            SandboxPlan plan = SandboxPlanner.plan(arguments, environment, jdk, files, real, classPath);
            SandboxPlan.HelperLaunch launch = plan.helper();
            auditLog = audit == null
                    ? null
                    : AuditLog.create(
                            audit.toAbsolutePath(),
                            auditAllowed,
                            sealKey,
                            auditQueue,
                            new AuditLog.Run(
                                    Main.VERSION,
                                    policyFiles,
                                    plan.confinement().landlockAbi(),
                                    layers(plan.confinement()),
                                    launch.argv()),
                            err);
            Linux.enablePassCred(channel.fd().get());
            int pid;
            try (Fd helperEnd = Linux.dupCloexec(pair[1].get(), 10)) {
                pair[1].close();
                SpawnPlan spawn = SpawnPlan.prepare(
                        launch.launcher().toString(),
                        launch.argv(),
                        launch.environment(),
                        Map.of(launch.channelFd(), helperEnd.get()),
                        true);
                // The spawner thread is never released: the helper's parent-death signal is tied to it.
                pid = plan.confinement()
                        .spawn(spawn, plan.rules(), plan.view(), "airlock-spawner")
                        .pid();
            }
            HelperProcess helper = new HelperProcess(pid);
            helper.forwardSignals();
            Thread reaper = helper.startReaper(err, () -> privateTmp.ifPresent(this::removeOrKeep));
            handedToReaper = true;
            Credentials expected = new Credentials(
                    pid,
                    plan.confinement().identity().uid(),
                    plan.confinement().identity().gid());
            new RequestLoop(
                            channel,
                            new RequestServer(served, roots),
                            expected,
                            err,
                            missingHome(arguments, environment),
                            auditLog)
                    .run();
            reaper.join();
            return helper.exitCode();
        } finally {
            if (auditLog != null) {
                auditLog.close(); // the rest of the queue, the suppressed count and the last seal
            }
            if (!handedToReaper) {
                privateTmp.ifPresent(this::removeOrKeep);
            }
        }
    }

    /** The {@code --audit-key}, read before anything starts; refused without {@code --audit}. */
    private Optional<SigningKey> auditKey() throws AirlockException {
        if (auditKey == null) {
            return Optional.empty();
        }
        if (audit == null) {
            throw new AirlockException(ExitCodes.USAGE, "--audit-key seals an audit log: give --audit FILE too");
        }
        try {
            return Optional.of(SigningKey.read(auditKey));
        } catch (KeyFileException e) {
            throw new AirlockException(ExitCodes.USAGE, "--audit-key " + e.getMessage());
        }
    }

    /** The confinement layers in force, as the audit log's run record names them. */
    static List<String> layers(Confinement confinement) {
        List<String> layers = new ArrayList<>();
        if (confinement.landlockAbi() > 0) {
            layers.add("landlock");
        }
        layers.add("seccomp");
        for (dev.airlock.unix.Namespace kind : confinement.namespaces().kinds()) {
            layers.add(kind.procName() + "ns"); // netns, ipcns, mntns as /proc/PID/ns names them
        }
        return layers;
    }

    /** The real paths of {@code --tmp} and {@code --home}, checked for the helper's {@code identity} ({@link GivenDirectory}). */
    private static RunArguments checkDirectories(RunArguments arguments, Confinement.Identity identity)
            throws AirlockException {
        RunArguments.TmpChoice tmp = arguments.tmp();
        if (tmp instanceof RunArguments.TmpChoice.Given given) {
            tmp = new RunArguments.TmpChoice.Given(GivenDirectory.check("--tmp", given.directory(), identity));
        }
        Optional<Path> home = Optional.empty();
        if (arguments.home().isPresent()) {
            home = Optional.of(GivenDirectory.check("--home", arguments.home().get(), identity));
        }
        return arguments.withDirectories(tmp, home);
    }

    /** The private temporary directory the arguments ask for, made now and given to the helper's user; said where when kept. */
    private Optional<PrivateTmp> makePrivateTmp(RunArguments arguments, Confinement confinement)
            throws AirlockException {
        if (!(arguments.tmp() instanceof RunArguments.TmpChoice.Private choice)) {
            return Optional.empty();
        }
        PrivateTmp made =
                PrivateTmp.create(PrivateTmp.SYSTEM_TMP, confinement.identity().dropTo());
        keep = choice.keep();
        if (keep) {
            err.println("airlock: the private temporary directory is " + made.path() + " (kept after the run)");
        }
        return Optional.of(made);
    }

    private static Optional<Path> tmpOf(RunArguments arguments, Optional<PrivateTmp> privateTmp) {
        if (arguments.tmp() instanceof RunArguments.TmpChoice.Given given) {
            return Optional.of(given.directory());
        }
        return privateTmp.map(PrivateTmp::path);
    }

    /** At the end of the run: the private temporary directory removed with all in it, or kept ({@code --keep-tmp}). */
    private void removeOrKeep(PrivateTmp privateTmp) {
        if (keep) {
            privateTmp.close();
            return;
        }
        List<String> left = privateTmp.remove();
        privateTmp.close();
        if (!left.isEmpty()) {
            err.println("airlock: could not remove all of the private temporary directory " + privateTmp.path() + ": "
                    + String.join(", ", left));
        }
    }

    /** What says how to give the helper a home, when its home does not exist and no {@code --home} gives one. */
    private Consumer<Request> missingHome(RunArguments arguments, Environment environment) {
        Path helperHome = SandboxPlanner.helperHome(arguments, environment);
        if (arguments.home().isPresent() || Files.isDirectory(helperHome)) {
            return request -> {};
        }
        String user = environment.root()
                ? environment.account().map(UserAccount::name).orElse(arguments.user())
                : "uid " + environment.uid();
        return new MissingHome(helperHome, user, err);
    }

    /**
     * The command line as values; refuses an unknown {@code --allow-weaker} layer and temporary
     * directory options that contradict each other.
     */
    private RunArguments arguments() throws AirlockException {
        Set<RunArguments.WeakerLayer> layers = EnumSet.noneOf(RunArguments.WeakerLayer.class);
        for (String layer : allowWeaker) {
            layers.add(RunArguments.WeakerLayer.named(layer));
        }
        if ((tmp != null ? 1 : 0) + (noTmp ? 1 : 0) + (keepTmp ? 1 : 0) > 1) {
            throw new AirlockException(
                    ExitCodes.USAGE,
                    "--tmp, --no-tmp and --keep-tmp exclude each other: --keep-tmp keeps the private directory,"
                            + " which --tmp and --no-tmp replace");
        }
        RunArguments.TmpChoice choice = tmp != null
                ? new RunArguments.TmpChoice.Given(tmp.toAbsolutePath())
                : noTmp ? new RunArguments.TmpChoice.None() : new RunArguments.TmpChoice.Private(keepTmp);
        return new RunArguments(
                javaArgs, user, layers, choice, Optional.ofNullable(home).map(Path::toAbsolutePath));
    }

    /** The helper's java launcher, as a real path (its JDK is what the helper may read and execute). */
    private Path javaLauncher() throws AirlockException {
        Path javaPath = java != null ? java : Path.of(System.getProperty("java.home"), "bin", "java");
        try {
            return javaPath.toRealPath();
        } catch (IOException e) {
            throw new AirlockException(ExitCodes.NO_JAVA, "--java " + javaPath + ": no such file");
        }
    }
}
