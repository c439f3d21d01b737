package dev.airlock.broker;

import dev.airlock.broker.Confinement.Identity;
import dev.airlock.broker.Confinement.SeccompProgram;
import dev.airlock.broker.LandlockRules.Access;
import dev.airlock.broker.LandlockRules.Rule;
import dev.airlock.broker.RunArguments.WeakerLayer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides a confined run: a pure function from what the user asked ({@link RunArguments}), what
 * the launcher looked up ({@link Environment}, {@link Jdk}, {@link PreparedFiles},
 * {@link RealPaths}) to a {@link SandboxPlan}. Nothing here reads the file system, the process
 * environment or system properties, and nothing knows a command-line syntax, so that tests can
 * plan with made-up inputs and any front end can plan a run.
 *
 * <p>The decisions it holds, each in one method:
 * <ul>
 *   <li>what a run refuses before it starts anything ({@link #checkArguments}, {@link #confinement}):
 *       nothing to run, a root helper, an unknown user, a Landlock ABI too low without
 *       {@code --allow-weaker=landlock};
 *   <li>how every spawned process is confined ({@link #confinement}): identity, namespaces,
 *       Landlock ABI, seccomp program;
 *   <li><b>what the helper may read without the policy</b> ({@link #helperReads}, the one place):
 *       its JVM's files ({@link #jvmReads}), the class path as the JVM reads it ({@link ClassPath}), Airlock's agent
 *       jar and jffi stub, the transform cache, and the policy's read grants on procfs and sysfs;
 *       and what the transform-cache preparation may read and write ({@link #preparationReads}).
 *       Which cache entries are trusted is {@link TransformCache}'s ("Cache trust");
 *   <li>how the helper is started ({@link #plan}): argv, environment, channel descriptor, direct roots.
 * </ul>
 */
final class SandboxPlanner {
    /** Shared libraries: the dynamic linker maps them, and the kernel execs ld-linux as the interpreter. */
    static final List<Path> SHARED_LIBRARIES =
            paths("/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64");

    /**
     * The files a JVM reads to start and to behave exactly as it does unconfined. Without them the
     * JVM still starts, but with other CPU and memory limits, time zone or user name, which would
     * make the application behave differently.
     */
    static final List<Path> SYSTEM_FILES = paths(
            "/etc/ld.so.cache",
            "/etc/ld.so.preload",
            "/etc/ld.so.conf",
            "/etc/ld.so.conf.d",
            "/etc/localtime",
            "/etc/timezone",
            "/usr/share/zoneinfo",
            "/etc/passwd",
            "/etc/group",
            "/etc/nsswitch.conf",
            "/usr/lib/locale",
            "/usr/share/locale/locale.alias",
            "/dev/urandom",
            "/dev/random",
            "/proc", // per-process files of its own (and nothing of the broker's: Landlock scopes ptrace-like access)
            "/sys/fs/cgroup",
            "/sys/devices/system/cpu",
            "/sys/devices/system/node",
            "/sys/kernel/mm/transparent_hugepage");

    private SandboxPlanner() {}

    /**
     * Refuses a run that cannot start, before anything is read or started: no java arguments, or
     * {@code --user} naming uid 0 ({@code account}: the {@code /etc/passwd} entry it names, if
     * any), even when the broker is not root (the option then changes nothing, but a command line
     * asking for a root helper is a mistake worth stopping).
     */
    static void checkArguments(RunArguments arguments, Optional<UserAccount> account) throws AirlockException {
        if (arguments.javaArgs().isEmpty()) {
            throw new AirlockException(ExitCodes.USAGE, "nothing to run: give the java arguments after --");
        }
        String user = arguments.user();
        if (user.equals(String.valueOf(UserAccount.ROOT_UID))
                || (account.isPresent() && account.get().uid() == UserAccount.ROOT_UID)) {
            throw new AirlockException(
                    ExitCodes.USAGE,
                    "--user " + user + ": the helper must not run as root (uid 0): "
                            + "it would keep every capability; name an unprivileged user (default: nobody)");
        }
    }

    /**
     * How every process the broker spawns for this run is confined. As root the helper runs as
     * {@code --user}'s account (refused if unknown) in new namespaces; as a normal user it keeps
     * that user. Refuses a Landlock ABI below {@link LandlockRules#REQUIRED_ABI} unless
     * {@code --allow-weaker=landlock}; then Landlock is enforced at the ABI there is (0: waived).
     */
    static Confinement confinement(RunArguments arguments, Environment environment) throws AirlockException {
        checkArguments(arguments, environment.account());
        Identity identity;
        if (environment.root()) {
            UserAccount account = environment
                    .account()
                    .orElseThrow(() -> new AirlockException(
                            ExitCodes.USAGE, "--user " + arguments.user() + ": no such user in /etc/passwd"));
            identity = Identity.dropTo(account);
        } else {
            identity = Identity.keep(environment.uid(), environment.gid());
        }
        int abi = environment.landlockAbi();
        if (abi < LandlockRules.REQUIRED_ABI && !arguments.allowWeaker().contains(WeakerLayer.LANDLOCK)) {
            throw new AirlockException(
                    ExitCodes.SANDBOX_UNAVAILABLE,
                    abi == 0
                            ? "this kernel has no Landlock (or it is disabled), so the helper cannot be confined; "
                                    + "--allow-weaker=landlock runs it without Landlock"
                            : "this kernel's Landlock ABI " + abi + " cannot deny TCP (ABI "
                                    + LandlockRules.REQUIRED_ABI
                                    + " needed); --allow-weaker=landlock runs it with a weaker sandbox");
        }
        return new Confinement(
                abi, identity, Namespaces.forBroker(environment.root()), SeccompProgram.of(SeccompFilter.program()));
    }

    /** What a run confined as {@code confinement} prints on stderr: a warning when its Landlock is weaker than Airlock's default. */
    static Optional<String> warning(Confinement confinement) {
        int abi = confinement.landlockAbi();
        if (abi >= LandlockRules.REQUIRED_ABI) {
            return Optional.empty();
        }
        return Optional.of("airlock: WARNING: the sandbox is weaker than Airlock's default: Landlock ABI " + abi
                + (abi == 0
                        ? " (none): files are confined by the uid drop and the broker only"
                        : ": TCP is not confined"));
    }

    /** What any JVM of {@code jdk} reads and executes by itself: the JDK, the targets of its links, shared libraries, system files. */
    static List<Rule> jvmReads(Jdk jdk) {
        List<Rule> rules = new ArrayList<>();
        rules.add(new Rule(jdk.home(), Access.READ_EXECUTE));
        for (Path link : jdk.links()) {
            rules.add(new Rule(link, Access.READ_EXECUTE));
        }
        for (Path library : SHARED_LIBRARIES) {
            rules.add(new Rule(library, Access.READ_EXECUTE));
        }
        for (Path file : SYSTEM_FILES) {
            rules.add(new Rule(file, Access.READ));
        }
        return rules;
    }

    /**
     * What the helper may read (and execute) without the policy, the one place that decides it:
     * its JVM ({@link #jvmReads}); the class path as the JVM reads it and the argfiles the launcher
     * reads ({@code classPath}, see {@link ClassPath}: class loading is never brokered); Airlock's
     * agent jar and jffi's stub directory; the transform cache, if there is one; and the policy's
     * read grants on procfs and sysfs, which the broker never serves (its view there is its own,
     * {@link KernelViews}). Everything else the helper reaches is the policy's, through the broker.
     */
    static List<Rule> helperReads(
            RunArguments arguments, Environment environment, Jdk jdk, PreparedFiles files, ClassPath classPath) {
        List<Rule> rules = jvmReads(jdk);
        for (Path entry : classPath.entries()) {
            rules.add(new Rule(entry, Access.READ));
        }
        for (Path argFile : classPath.nativeReads()) {
            rules.add(new Rule(argFile, Access.READ));
        }
        for (Path directory : classPath.listed()) {
            rules.add(new Rule(directory, Access.LIST));
        }
        rules.add(new Rule(files.runtime().agentJar(), Access.READ));
        rules.add(new Rule(files.runtime().jffiDirectory(), Access.READ_EXECUTE));
        files.transformCache().ifPresent(cache -> rules.add(new Rule(cache, Access.READ)));
        for (Path kernelView : files.kernelViewReads()) {
            rules.add(new Rule(kernelView, Access.READ));
        }
        return rules;
    }

    /** As {@link #helperReads(RunArguments, Environment, Jdk, PreparedFiles, ClassPath)} with the class path the arguments name, read from no disk ({@link ClassPath#named}). */
    static List<Rule> helperReads(RunArguments arguments, Environment environment, Jdk jdk, PreparedFiles files) {
        return helperReads(arguments, environment, jdk, files, ClassPath.named(arguments.javaArgs(), environment));
    }

    /**
     * What the transform-cache preparation may touch: its JVM's files, the agent jar, and its
     * staging directory, the only place it may write (the helper may write nowhere by itself).
     */
    static List<Rule> preparationReads(Jdk jdk, Path agentJar, Path staging) {
        List<Rule> rules = jvmReads(jdk);
        rules.add(new Rule(agentJar, Access.READ));
        rules.add(new Rule(staging, Access.CREATE_FILES));
        return rules;
    }

    /** The paths of {@code rules}, for the launcher to look up ({@link RealPaths#lookUp}) before {@link #plan}. */
    static List<Path> pathsOf(List<Rule> rules) {
        List<Path> paths = new ArrayList<>(rules.size());
        for (Rule rule : rules) {
            paths.add(rule.path());
        }
        return paths;
    }

    /**
     * The whole plan of a confined run. {@code real} holds the real paths of
     * {@link #helperReads}' paths: a rule whose path is missing there is skipped (it did not exist).
     * The helper gets the broker's environment, as the program would have had it.
     */
    static SandboxPlan plan(
            RunArguments arguments, Environment environment, Jdk jdk, PreparedFiles files, RealPaths real)
            throws AirlockException {
        return plan(arguments, environment, jdk, files, real, ClassPath.named(arguments.javaArgs(), environment));
    }

    /** As {@link #plan(RunArguments, Environment, Jdk, PreparedFiles, RealPaths)}, with the class path the launcher resolved. */
    static SandboxPlan plan(
            RunArguments arguments,
            Environment environment,
            Jdk jdk,
            PreparedFiles files,
            RealPaths real,
            ClassPath classPath)
            throws AirlockException {
        Confinement confinement = confinement(arguments, environment);
        LandlockRules rules = LandlockRules.resolve(helperReads(arguments, environment, jdk, files, classPath), real);
        List<String> argv = HelperCommandLine.build(
                jdk.launcher(),
                jdk.majorVersion(),
                files.runtime(),
                files.transformCache().orElse(null),
                rules.readableRoots(),
                classPath.view().coveredDirectories(),
                arguments.javaArgs());
        List<String> env = new ArrayList<>();
        for (Map.Entry<String, String> e : environment.variables().entrySet()) {
            env.add(e.getKey() + "=" + e.getValue());
        }
        SandboxPlan.HelperLaunch helper = new SandboxPlan.HelperLaunch(
                jdk.launcher(), argv, env, HelperCommandLine.CHANNEL_FD, rules.readableRoots());
        return new SandboxPlan(confinement, rules, classPath.view(), helper, warning(confinement));
    }

    private static List<Path> paths(String... names) {
        List<Path> paths = new ArrayList<>(names.length);
        for (String name : names) {
            paths.add(Path.of(name));
        }
        return List.copyOf(paths);
    }
}
