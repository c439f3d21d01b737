package dev.airlock.broker;

import dev.airlock.ipc.Message;
import dev.airlock.policy.Policy;
import dev.airlock.unix.Credentials;
import dev.airlock.unix.Fd;
import dev.airlock.unix.Linux;
import dev.airlock.unix.SeqPacketSocket;
import dev.airlock.unix.SpawnPlan;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code airlock run}: starts the application's JVM as a confined helper and serves its file
 * requests until it exits, then ends whatever the helper left running and exits with its status
 * (a helper killed by signal N gives 128+N, as a shell reports it). Nothing of Airlock's own is
 * printed unless something goes wrong. This class is the thin launcher: it parses the command
 * line, looks up what the plan needs (the policy, the JDK, this process's environment, the class
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

    @Parameters(paramLabel = "JAVA-ARGS", description = "The arguments for java.")
    List<String> javaArgs = new ArrayList<>();

    private final PrintStream err;

    RunCommand(PrintStream err) {
        this.err = err;
    }

    @Override
    public Integer call() throws Exception {
        RunArguments arguments = arguments();
        Optional<UserAccount> account = UserAccount.find(arguments.user());
        SandboxPlanner.checkArguments(arguments, account);
        Policy policy = Policies.load(policies);
        Jdk jdk = Jdk.lookUp(javaLauncher());
        NativeWarmUp.Prepared prepared = NativeWarmUp.await();
        Environment environment = Environment.lookUp(account);
        Confinement confinement = SandboxPlanner.confinement(arguments, environment);
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

        Fd[] pair = Linux.seqpacketPair();
        try (SeqPacketSocket channel = new SeqPacketSocket(pair[0], Message.MAX_SIZE);
                GrantRoots roots = GrantRoots.open(policy.fileGrantRoots())) {
            // The broker never serves procfs or sysfs (its /proc/self is its own): the policy's read
            // grants there are the helper's own Landlock rules, so it reads its own view of them.
            PreparedFiles files = new PreparedFiles(runtime, transformCache, roots.kernelViewReadRules(policy));
            RealPaths real = RealPaths.lookUp(
                    SandboxPlanner.pathsOf(SandboxPlanner.helperReads(arguments, environment, jdk, files, classPath)));
            SandboxPlan plan = SandboxPlanner.plan(arguments, environment, jdk, files, real, classPath);
            SandboxPlan.HelperLaunch launch = plan.helper();
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
            Thread reaper = helper.startReaper(err);
            Credentials expected = new Credentials(
                    pid,
                    plan.confinement().identity().uid(),
                    plan.confinement().identity().gid());
            new RequestLoop(channel, new RequestServer(policy, roots), expected, err).run();
            reaper.join();
            return helper.exitCode();
        }
    }

    /** The command line as values; refuses an unknown {@code --allow-weaker} layer. */
    private RunArguments arguments() throws AirlockException {
        Set<RunArguments.WeakerLayer> layers = EnumSet.noneOf(RunArguments.WeakerLayer.class);
        for (String layer : allowWeaker) {
            layers.add(RunArguments.WeakerLayer.named(layer));
        }
        return new RunArguments(javaArgs, user, layers);
    }

    /** The helper's java launcher, as a real path (its JDK is what the helper may read and execute). */
    private Path javaLauncher() throws AirlockException {
        Path javaPath = java != null ? java : Path.of(System.getProperty("java.home"), "bin", "java");
        try {
            return javaPath.toRealPath();
        } catch (IOException e) {
            throw new AirlockException(ExitCodes.USAGE, "--java " + javaPath + ": no such file");
        }
    }
}
