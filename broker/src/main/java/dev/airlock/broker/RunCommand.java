package dev.airlock.broker;

import dev.airlock.ipc.Credentials;
import dev.airlock.ipc.Fd;
import dev.airlock.ipc.Linux;
import dev.airlock.ipc.SeqPacketSocket;
import dev.airlock.policy.Policy;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code airlock run}: starts the application's JVM as a confined helper and serves its file
 * requests until it exits, then ends whatever the helper left running and exits with its status
 * (a helper killed by signal N gives 128+N, as a shell reports it). Nothing of Airlock's own is
 * printed unless something goes wrong. How the helper is confined is {@link Confinement}'s;
 * this class only gathers what it needs, in order.
 */
@Command(name = "run", description = "Run a Java program confined: the arguments after -- are what you would give java.",
        mixinStandardHelpOptions = true)
final class RunCommand implements Callable<Integer> {
    @Option(names = "--policy", paramLabel = "FILE", description = "A java.policy file; several combine as the JDK combines several policy URLs.")
    List<Path> policies = new ArrayList<>();

    @Option(names = "--java", paramLabel = "PATH", description = "The java launcher for the helper (default: the one running Airlock).")
    Path java;

    @Option(names = "--user", paramLabel = "USER", defaultValue = "nobody",
            description = "When Airlock runs as root, the user the helper runs as (default: ${DEFAULT-VALUE}); never root.")
    String user;

    @Option(names = "--allow-weaker", paramLabel = "LAYER", split = ",",
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
        checkArguments();
        Policy policy = Policies.load(policies);
        Path javaReal = javaLauncher();
        Path javaHome = javaReal.getParent().getParent();
        NativeWarmUp.Prepared prepared = NativeWarmUp.await();
        boolean root = Linux.getuid() == 0;
        UserAccount account = root ? UserAccount.helper(user) : null;
        RuntimeFiles runtime = RuntimeFiles.prepare(RuntimeFiles.ownJar(), prepared.cache(), prepared.jffi(), root);
        Confinement confinement = new Confinement(landlockAbi(), account, Namespaces.forBroker(root));

        // Before anything is spawned: every orphan of the helper's (or of the preparation's) comes back to the broker.
        ProcessTree.adoptOrphans();
        Path transformCache = TransformCache.prepare(prepared.cache(), javaReal, javaHome, runtime.agentJar(), javaArgs, confinement);

        Fd[] pair = Linux.seqpacketPair();
        try (SeqPacketSocket channel = new SeqPacketSocket(pair[0]); GrantRoots roots = GrantRoots.open(policy.fileGrantRoots())) {
            LandlockRules rules = helperRules(javaHome, runtime, transformCache);
            // The broker never serves procfs or sysfs (its /proc/self is its own): the policy's read
            // grants there are the helper's own Landlock rules, so it reads its own view of them.
            for (Path kernelView : roots.kernelViewReadRules(policy)) {
                rules.allow(kernelView, LandlockRules.READ);
            }
            List<String> argv = HelperCommandLine.build(javaReal, HelperCommandLine.javaMajorVersion(javaHome), runtime,
                    transformCache, rules.readableRoots(), javaArgs);
            Linux.enablePassCred(channel.fd().get());
            int pid;
            try (Fd helperEnd = Linux.dupCloexec(pair[1].get(), 10)) {
                pair[1].close();
                Linux.SpawnPlan plan = Linux.prepareSpawn(javaReal.toString(), argv, environment(),
                        Map.of(HelperCommandLine.CHANNEL_FD, helperEnd.get()), true);
                // The spawner thread is never released: the helper's parent-death signal is tied to it.
                pid = confinement.spawn(plan, rules, "airlock-spawner").pid();
            }
            HelperProcess helper = new HelperProcess(pid);
            helper.forwardSignals();
            Thread reaper = helper.startReaper(err);
            Credentials expected = root
                    ? new Credentials(pid, account.uid(), account.gid())
                    : new Credentials(pid, Linux.getuid(), Linux.getgid());
            new RequestLoop(channel, new RequestServer(policy, roots), expected, err).run();
            reaper.join();
            return helper.exitCode();
        }
    }

    /** Refuses a command line that cannot run before anything is read or started. */
    private void checkArguments() throws Exception {
        for (String layer : allowWeaker) {
            if (!layer.equals("landlock")) {
                throw new AirlockException(ExitCodes.USAGE, "--allow-weaker knows only 'landlock', not '" + layer + "'");
            }
        }
        if (javaArgs.isEmpty()) {
            throw new AirlockException(ExitCodes.USAGE, "nothing to run: give the java arguments after --");
        }
        UserAccount.refuseRootByName(user);
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

    /**
     * The Landlock ABI to enforce: refuses to run below {@link LandlockRules#REQUIRED_ABI} unless
     * {@code --allow-weaker=landlock}, and then warns on stderr.
     */
    private int landlockAbi() throws AirlockException {
        int abi = Linux.landlockAbi();
        boolean weaker = abi < LandlockRules.REQUIRED_ABI;
        if (weaker && !allowWeaker.contains("landlock")) {
            throw new AirlockException(ExitCodes.SANDBOX_UNAVAILABLE, abi == 0
                    ? "this kernel has no Landlock (or it is disabled), so the helper cannot be confined; "
                            + "--allow-weaker=landlock runs it without Landlock"
                    : "this kernel's Landlock ABI " + abi + " cannot deny TCP (ABI " + LandlockRules.REQUIRED_ABI
                            + " needed); --allow-weaker=landlock runs it with a weaker sandbox");
        }
        if (weaker) {
            err.println("airlock: WARNING: the sandbox is weaker than Airlock's default: Landlock ABI " + abi
                    + (abi == 0 ? " (none): files are confined by the uid drop and the broker only" : ": TCP is not confined"));
        }
        return abi;
    }

    /** What the helper may read by itself: its JVM, its class path, Airlock's agent and stub, the transform cache. */
    private LandlockRules helperRules(Path javaHome, RuntimeFiles runtime, Path transformCache) throws IOException {
        LandlockRules rules = new LandlockRules();
        JvmFiles.grant(rules, javaHome);
        for (Path entry : HelperCommandLine.classPath(javaArgs, Path.of(System.getProperty("user.dir")))) {
            rules.allow(entry, LandlockRules.READ);
        }
        rules.allow(runtime.agentJar(), LandlockRules.READ);
        rules.allow(runtime.jffiDirectory(), LandlockRules.READ_EXECUTE);
        if (transformCache != null) {
            rules.allow(transformCache, LandlockRules.READ);
        }
        return rules;
    }

    /** The helper's environment: the broker's own, as the program would have had it. */
    private static List<String> environment() {
        List<String> env = new ArrayList<>();
        for (Map.Entry<String, String> e : System.getenv().entrySet()) {
            env.add(e.getKey() + "=" + e.getValue());
        }
        return env;
    }
}
