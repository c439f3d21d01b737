package dev.airlock.broker;

import dev.airlock.broker.signing.KeyFileException;
import dev.airlock.broker.signing.SigningKey;
import dev.airlock.ipc.HelperDescriptor;
import dev.airlock.ipc.Message;
import dev.airlock.ipc.Request;
import dev.airlock.ipc.StartupTimeline;
import dev.airlock.policy.FileActions;
import dev.airlock.policy.FileDecision;
import dev.airlock.policy.Policy;
import dev.airlock.policy.PolicyLearner;
import dev.airlock.unix.Credentials;
import dev.airlock.unix.ErrnoException;
import dev.airlock.unix.Fd;
import dev.airlock.unix.Linux;
import dev.airlock.unix.Processes;
import dev.airlock.unix.SeqPacketSocket;
import dev.airlock.unix.SpawnPlan;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

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
    @Mixin
    RunOptions options = new RunOptions();

    private final PrintStream err;

    /**
     * What {@code airlock learn} changes in a run: the broker decides by {@link #LEARNING_POLICY}
     * instead of the given policy, records each allowed decision, and leaves here what the learner
     * needs (the policy the run would have decided by anyway, and the helper's property values).
     * The kernel's own rules (Landlock grants, the class path) stay those of the given policy, so
     * that everything beyond it goes through the broker and is recorded.
     */
    static final class Learning {
        final DecisionRecorder recorder = DecisionRecorder.recording();
        Policy base;
        PolicyLearner.Properties properties;
        /** Run by the reaper once the program is gone, before the broker exits with what it returns. */
        java.util.function.IntUnaryOperator atEnd = code -> code;
    }

    /**
     * Every file and socket action: in learning mode the broker allows what it can do itself, so
     * the kernel and the file modes of the broker's user are what limit the program.
     */
    static final String LEARNING_POLICY = """
            grant {
              permission java.io.FilePermission "<<ALL FILES>>", "read,write,execute,delete,readlink";
              permission java.net.SocketPermission "*", "connect,listen,accept,resolve";
            };
            """;

    private final Optional<Learning> learning;

    /** Whether this run keeps its private temporary directory ({@code --keep-tmp}), once it has one. */
    private boolean keep;

    RunCommand(PrintStream err) {
        this(err, Optional.empty());
    }

    /** A run that learns ({@code airlock learn}) when {@code learning} is present. */
    RunCommand(PrintStream err, Optional<Learning> learning) {
        this.err = err;
        this.learning = learning;
    }

    @Override
    public Integer call() throws Exception {
        StartupTimeline.mark("command-line-parsed");
        RunArguments asked = arguments();
        Optional<UserAccount> account = UserAccount.find(asked.user());
        SandboxPlanner.checkArguments(asked, account);
        NativeWarmUp.Prepared prepared = NativeWarmUp.await();
        Environment environment = Environment.lookUp(account).withVariables(DropInVariables.parse(options.dropInEnv));
        Confinement confinement = SandboxPlanner.confinement(asked, environment);
        RunArguments arguments = checkDirectories(asked, confinement.identity());
        // ${user.home} in a policy is the helper's home, not the broker's.
        List<AuditLog.PolicyFile> policyFiles = new ArrayList<>();
        Optional<SigningKey> sealKey = auditKey();
        Policy policy = Policies.load(
                options.policies,
                SandboxPlanner.policyProperties(arguments, environment, System::getProperty),
                TrustOption.read(options.trust),
                policyFiles);
        StartupTimeline.mark("policy-parsed");
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
        StartupTimeline.mark("cache-checked");

        Optional<PrivateTmp> privateTmp = makePrivateTmp(arguments, confinement);
        boolean handedToReaper = false;
        Optional<Path> helperTmp = tmpOf(arguments, privateTmp);
        Policy served = SandboxPlanner.brokerPolicy(policy, arguments, helperTmp);
        AuditLog auditLog = null;
        DecisionRecorder recorder = DecisionRecorder.NONE;
        if (learning.isPresent()) {
            Learning l = learning.get();
            l.base = served;
            l.properties = new PolicyLearner.Properties(
                    Optional.of(
                            SandboxPlanner.helperHome(arguments, environment).toString()),
                    Optional.of(helperTmp.map(Path::toString).orElse(System.getProperty("java.io.tmpdir"))),
                    Optional.of(environment.workingDirectory().toString()));
            served = SandboxPlanner.brokerPolicy(
                    Policy.parse("airlock learn's policy", LEARNING_POLICY), arguments, helperTmp);
            recorder = l.recorder;
            if (environment.root()) {
                err.println("airlock: learning as root: the broker opens with root's rights, so the program may use"
                        + " any file and port root can, though it runs as " + arguments.user());
            }
        }
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
            SandboxPlan plan =
                    SandboxPlanner.plan(arguments, environment, jdk, files, real, classPath, StartupTimeline.origin());
            SandboxPlan.HelperLaunch launch = plan.helper();
            if (options.audit != null) {
                refuseReachableAuditLog(served, plan.rules(), options.audit);
            }
            auditLog = options.audit == null
                    ? null
                    : AuditLog.create(
                            options.audit.toAbsolutePath(),
                            options.auditAllowed,
                            sealKey,
                            options.auditQueue,
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
            StartupTimeline.mark("helper-spawned");
            HelperDescriptors helperDescriptors;
            try {
                helperDescriptors = HelperDescriptors.attach(pid, new HelperDescriptor(launch.channelFd()));
            } catch (AirlockException | ErrnoException e) {
                Processes.kill(pid, Processes.SIGKILL); // before it runs any of the program: nothing could be served
                throw e;
            }
            BrokerArchive.spawned(prepared.cache());
            HelperProcess helper = new HelperProcess(pid);
            helper.forwardSignals();
            java.util.function.IntUnaryOperator atEnd = learning.isPresent() ? learning.get().atEnd : code -> code;
            AuditLog audit = auditLog;
            // The reaper halts the broker once the helper is gone: the audit log's queue, suppressed
            // count and last seal are written before that, when no request can come any more.
            Thread reaper = helper.startReaper(
                    err,
                    () -> {
                        if (audit != null) {
                            audit.close();
                        }
                        privateTmp.ifPresent(this::removeOrKeep);
                    },
                    atEnd);
            handedToReaper = true;
            Credentials expected = new Credentials(
                    pid,
                    plan.confinement().identity().uid(),
                    plan.confinement().identity().gid());
            try (helperDescriptors) {
                new RequestLoop(
                                channel,
                                new RequestServer(served, roots, recorder),
                                expected,
                                helperDescriptors,
                                err,
                                missingHome(arguments, environment),
                                auditLog)
                        .run();
            }
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

    /**
     * Refuses an audit log the program could reach, so that the log is the broker's alone: the
     * broker opens what the policy grants with its own rights, and the helper opens by itself
     * what its Landlock rules allow (its class path, the JDK, the grants the kernel carries). The
     * policy is asked for the path as given and as its directory really is, each action alone.
     */
    private static void refuseReachableAuditLog(Policy policy, LandlockRules rules, Path log) throws AirlockException {
        Path given = log.toAbsolutePath().normalize();
        Path real;
        try {
            Path parent = given.getParent();
            real = parent == null ? given : parent.toRealPath().resolve(given.getFileName());
        } catch (java.io.IOException e) {
            throw new AirlockException(
                    ExitCodes.USAGE, "--audit " + log + ": cannot resolve its directory: " + e.getMessage());
        }
        for (Path name : new LinkedHashSet<>(List.of(given, real))) {
            for (int action : new int[] {FileActions.READ, FileActions.WRITE, FileActions.DELETE}) {
                FileDecision decision = policy.decideFile(name.toString(), action);
                if (decision.allowed()) {
                    throw new AirlockException(
                            ExitCodes.USAGE,
                            "--audit " + log + ": the policy grants the program " + FileActions.toString(action)
                                    + " on it (" + decision.rule() + "); put the log where no grant reaches");
                }
            }
        }
        for (Path root : rules.rules().keySet()) {
            if (real.startsWith(root)) {
                throw new AirlockException(
                        ExitCodes.USAGE,
                        "--audit " + log + ": the program reaches beneath " + root
                                + " by itself (its class path, its JDK or a grant the kernel enforces); put the log"
                                + " where no grant reaches");
            }
        }
    }

    /** The {@code --audit-key}, read before anything starts; refused without {@code --audit}. */
    private Optional<SigningKey> auditKey() throws AirlockException {
        if (options.auditKey == null) {
            return Optional.empty();
        }
        if (options.audit == null) {
            throw new AirlockException(ExitCodes.USAGE, "--audit-key seals an audit log: give --audit FILE too");
        }
        try {
            return Optional.of(SigningKey.read(options.auditKey));
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
        for (String layer : options.allowWeaker) {
            layers.add(RunArguments.WeakerLayer.named(layer));
        }
        if ((options.tmp != null ? 1 : 0) + (options.noTmp ? 1 : 0) + (options.keepTmp ? 1 : 0) > 1) {
            throw new AirlockException(
                    ExitCodes.USAGE,
                    "--tmp, --no-tmp and --keep-tmp exclude each other: --keep-tmp keeps the private directory,"
                            + " which --tmp and --no-tmp replace");
        }
        RunArguments.TmpChoice choice = options.tmp != null
                ? new RunArguments.TmpChoice.Given(options.tmp.toAbsolutePath())
                : options.noTmp
                        ? new RunArguments.TmpChoice.None()
                        : new RunArguments.TmpChoice.Private(options.keepTmp);
        return new RunArguments(
                options.javaArgs,
                options.user,
                layers,
                choice,
                Optional.ofNullable(options.home).map(Path::toAbsolutePath));
    }

    /** The helper's java launcher, as a real path (its JDK is what the helper may read and execute). */
    private Path javaLauncher() throws AirlockException {
        Path javaPath = options.java != null ? options.java : Path.of(System.getProperty("java.home"), "bin", "java");
        try {
            return javaPath.toRealPath();
        } catch (IOException e) {
            throw new AirlockException(ExitCodes.NO_JAVA, "--java " + javaPath + ": no such file");
        }
    }
}
