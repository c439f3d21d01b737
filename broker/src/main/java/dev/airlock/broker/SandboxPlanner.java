package dev.airlock.broker;

import dev.airlock.broker.Confinement.Identity;
import dev.airlock.broker.Confinement.SeccompProgram;
import dev.airlock.broker.LandlockRules.Access;
import dev.airlock.broker.LandlockRules.Rule;
import dev.airlock.broker.RunArguments.WeakerLayer;
import dev.airlock.ipc.SandboxMarker;
import dev.airlock.policy.Policy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

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
 *       jar and jffi stub, the transform cache, the policy's read grants on procfs and sysfs, and
 *       the directories it owns for the run ({@link #helperDirectories}: its temporary directory
 *       and {@code --home}, read and written); the policy's grants the kernel carries exactly
 *       ({@link #kernelGrants}); and what the transform-cache preparation may read and write
 *       ({@link #preparationReads}).
 *       Which cache entries are trusted is {@link TransformCache}'s ("Cache trust");
 *   <li>the helper's home and what a policy's {@code ${user.home}} means ({@link #helperHome},
 *       {@link #policyProperties}), and the broker's view of the helper's own directories
 *       ({@link #brokerPolicy});
 *   <li>how the helper is started ({@link #plan}): argv, environment, channel descriptor, direct roots.
 * </ul>
 */
final class SandboxPlanner {
    /** Shared libraries: the dynamic linker maps them, and the kernel execs ld-linux as the interpreter. */
    static final List<Path> SHARED_LIBRARIES =
            paths("/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64");

    /**
     * The files a JVM and the libraries it loads read to start and to behave exactly as they do
     * unconfined, read-only, each with its reason; the one list ({@link SystemFile}). Without them
     * the JVM still starts, but with other CPU and memory limits, time zone, user name, fonts or
     * host names, which would make the application behave differently. Never a directory that
     * holds secrets ({@code /etc/ssl} as a whole would give {@code /etc/ssl/private}): each entry
     * is as narrow as its reader.
     */
    static final List<SystemFile> SYSTEM_FILE_ENTRIES = List.of(
            SystemFile.of("/etc/ld.so.cache", "the dynamic loader finds shared libraries through it"),
            SystemFile.of("/etc/ld.so.preload", "the dynamic loader reads it at every start"),
            SystemFile.of("/etc/ld.so.conf", "the dynamic loader's search path"),
            SystemFile.of("/etc/ld.so.conf.d", "the dynamic loader's search path"),
            SystemFile.of("/etc/localtime", "the JVM's default time zone (TimeZone.getDefault)"),
            SystemFile.of("/etc/timezone", "the JVM's default time zone on Debian"),
            SystemFile.of(
                    "/usr/share/zoneinfo",
                    "the JVM maps /etc/localtime to a zone ID here; glibc's localtime for TZ names"),
            SystemFile.of("/etc/passwd", "user.name and user.home: the JVM reads its user's entry"),
            SystemFile.of("/etc/group", "group names, as the JDK's PosixFileAttributes report them"),
            SystemFile.of("/etc/nsswitch.conf", "glibc's name-service switch, for users, groups and hosts"),
            SystemFile.of("/etc/hosts", "host names glibc resolves from files (InetAddress, localhost)"),
            SystemFile.of("/etc/host.conf", "glibc's resolver options"),
            SystemFile.of("/etc/resolv.conf", "glibc's resolver configuration"),
            SystemFile.of("/etc/gai.conf", "getaddrinfo's address ordering"),
            SystemFile.of("/etc/mime.types", "Files.probeContentType reads the system's MIME types"),
            SystemFile.of("/usr/lib/locale", "glibc's compiled locales (setlocale at JVM start)"),
            SystemFile.of("/usr/share/locale", "glibc's locale aliases and message catalogues (strerror's language)"),
            SystemFile.of("/etc/fonts", "fontconfig's configuration, read by AWT's text rendering and Font listing"),
            SystemFile.of(
                    "/usr/share/fontconfig", "fontconfig's shared configuration: /etc/fonts/conf.d links into it"),
            SystemFile.of("/usr/share/fonts", "the system's fonts, as fontconfig lists them (fonts.conf <dir>)"),
            SystemFile.of("/usr/local/share/fonts", "locally installed fonts (fonts.conf <dir>)"),
            SystemFile.of("/var/cache/fontconfig", "fontconfig's system cache (fonts.conf <cachedir>)"),
            SystemFile.of("/etc/ssl/certs", "CA certificates for TLS from native libraries, and Debian's cacerts"),
            SystemFile.of("/usr/share/ca-certificates", "the CA certificates /etc/ssl/certs links to (Debian)"),
            SystemFile.of("/etc/ssl/openssl.cnf", "OpenSSL's configuration, for native TLS libraries"),
            SystemFile.of("/etc/pki/ca-trust/extracted", "CA certificates on Red Hat systems (the JDK's cacerts)"),
            SystemFile.of("/etc/pki/tls/certs", "CA certificate bundles on Red Hat systems"),
            SystemFile.of("/dev/urandom", "SecureRandom and the JVM's hash seeds"),
            SystemFile.of("/dev/random", "SecureRandom's blocking source"),
            SystemFile.of(
                    "/proc",
                    "per-process files of its own (and nothing of the broker's: Landlock scopes ptrace-like access)"),
            SystemFile.of("/sys/fs/cgroup", "the JVM's container limits: CPUs and memory"),
            SystemFile.of("/sys/devices/system/cpu", "the number of CPUs the JVM sizes its threads by"),
            SystemFile.of("/sys/devices/system/node", "NUMA topology for the JVM's heap"),
            SystemFile.of("/sys/kernel/mm/transparent_hugepage", "the JVM's large-page settings"));

    /** The paths of {@link #SYSTEM_FILE_ENTRIES}, in its order. */
    static final List<Path> SYSTEM_FILES =
            SYSTEM_FILE_ENTRIES.stream().map(SystemFile::path).toList();

    /** What the broker's policy calls the grant on the helper's own directories ({@link #brokerPolicy}). */
    static final String OWN_DIRECTORIES_SOURCE = "airlock: the helper's own directories";

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
     * agent jar and jffi's stub directory; the transform cache, if there is one; the policy's read
     * grants on procfs and sysfs, which the broker never serves (its view there is its own,
     * {@link KernelViews}); and the policy's grants the kernel carries exactly
     * ({@link #kernelGrants}). Everything else the helper reaches is the policy's, through the broker.
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
        rules.addAll(helperDirectories(arguments, files));
        rules.addAll(kernelGrants(files));
        return rules;
    }

    /** As {@link #helperReads(RunArguments, Environment, Jdk, PreparedFiles, ClassPath)} with the class path the arguments name, read from no disk ({@link ClassPath#named}). */
    static List<Rule> helperReads(RunArguments arguments, Environment environment, Jdk jdk, PreparedFiles files) {
        return helperReads(arguments, environment, jdk, files, ClassPath.named(arguments.javaArgs(), environment));
    }

    /**
     * The directories the helper owns for the run, with a directory owner's rights beneath them
     * ({@link Access#OWN_TREE}), so that Java and native code write there without a round trip:
     * its temporary directory (the private one made for it, or {@code --tmp}'s; none with
     * {@code --no-tmp}) and its {@code --home}, if given.
     */
    static List<Rule> helperDirectories(RunArguments arguments, PreparedFiles files) {
        List<Rule> rules = new ArrayList<>();
        for (Path directory : ownDirectories(arguments, files.tmp())) {
            rules.add(new Rule(directory, Access.OWN_TREE));
        }
        return rules;
    }

    /** The helper's own directories ({@link #helperDirectories}) for a temporary directory {@code tmp}. */
    private static List<Path> ownDirectories(RunArguments arguments, Optional<Path> tmp) {
        List<Path> directories = new ArrayList<>();
        tmp.ifPresent(directories::add);
        arguments.home().ifPresent(directories::add);
        return directories;
    }

    /**
     * The helper's home: {@code --home} if given; else its user's home as the JDK computes it
     * from that user's {@code /etc/passwd} entry, which is what the helper's own JDK answers for
     * {@code user.home}: {@code --user}'s account's as root ({@code /nonexistent} for
     * {@code nobody}), the broker's own otherwise.
     */
    static Path helperHome(RunArguments arguments, Environment environment) {
        if (arguments.home().isPresent()) {
            return arguments.home().get();
        }
        if (environment.root()) {
            return environment.account().map(UserAccount::home).orElse(UserAccount.NO_HOME);
        }
        return environment.ownHome();
    }

    /**
     * The system properties a policy's {@code ${...}} expands with ({@code broker}: the broker's
     * own), except {@code user.home}, which is the helper's ({@link #helperHome}): a policy names
     * the files of the program it confines, and {@code ${user.home}} in it means that program's.
     */
    static Function<String, String> policyProperties(
            RunArguments arguments, Environment environment, Function<String, String> broker) {
        String home = helperHome(arguments, environment).toString();
        return name -> name.equals("user.home") ? home : broker.apply(name);
    }

    /**
     * The policy the broker decides by: the user's, and every file action on the helper's own
     * directories ({@link #helperDirectories}, with {@code tmp} its temporary directory), which
     * the helper may use by itself anyway; so that
     * what the JDK routes to the broker there (a {@code chmod}, which seccomp refuses to the
     * helper) is served as outside. No policy can name a private temporary directory: it is made
     * for the run.
     */
    static Policy brokerPolicy(Policy policy, RunArguments arguments, Optional<Path> tmp) {
        List<String> own = new ArrayList<>();
        for (Path directory : ownDirectories(arguments, tmp)) {
            own.add(directory.toString());
        }
        return policy.withOwnDirectories(OWN_DIRECTORIES_SOURCE, own);
    }

    /**
     * The JVM options that come before the user's arguments, so that the user's own win (the last
     * {@code -D} of a name is the one the JVM keeps): {@code java.io.tmpdir} at the helper's
     * temporary directory, and {@code user.home} at {@code --home}.
     */
    static List<String> helperOptions(RunArguments arguments, PreparedFiles files) {
        List<String> options = new ArrayList<>();
        files.tmp().ifPresent(tmp -> options.add("-Djava.io.tmpdir=" + tmp));
        arguments.home().ifPresent(home -> options.add("-Duser.home=" + home));
        return options;
    }

    /**
     * The helper's environment: the broker's as the program would have had it, with
     * {@link SandboxMarker#VARIABLE} set, {@code TMPDIR} at its temporary directory, and {@code HOME} at its home when that is not the
     * broker user's ({@code --home}, or a helper running as another user), as {@code su} and
     * {@code sudo} set it.
     */
    static List<String> helperVariables(RunArguments arguments, Environment environment, PreparedFiles files) {
        Map<String, String> variables = new LinkedHashMap<>(environment.variables());
        files.tmp().ifPresent(tmp -> variables.put("TMPDIR", tmp.toString()));
        if (arguments.home().isPresent() || environment.root()) {
            variables.put("HOME", helperHome(arguments, environment).toString());
        }
        // A drop-in agent loaded again in the helper (from JAVA_TOOL_OPTIONS, an argfile, or in a
        // JVM the program starts) finds it, checks that it is confined, and does nothing.
        variables.remove(SandboxMarker.VARIABLE);
        variables.put(SandboxMarker.VARIABLE, "1");
        List<String> env = new ArrayList<>();
        for (Map.Entry<String, String> e : variables.entrySet()) {
            env.add(e.getKey() + "=" + e.getValue());
        }
        return env;
    }

    /**
     * The policy's grants the helper uses by itself, from Java and native code alike: those the
     * kernel carries exactly ({@code Policy#kernelGrants}), as the launcher found them on disk
     * before the helper existed ({@link NativeGrants}), with their own rights. Only a single file
     * that reads is a direct root; beneath a tree, the agent keeps asking the broker for metadata,
     * which the policy decides by name (links, readlink, the directory itself), while opens and
     * changes the kernel allows need no broker at all.
     */
    static List<Rule> kernelGrants(PreparedFiles files) {
        return files.nativeGrants();
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
     * The helper gets the broker's environment, as the program would have had it, but for its
     * temporary directory and home ({@link #helperVariables}), and its JVM the options of
     * {@link #helperOptions} before the user's arguments.
     */
    static SandboxPlan plan(
            RunArguments arguments, Environment environment, Jdk jdk, PreparedFiles files, RealPaths real)
            throws AirlockException {
        return plan(
                arguments,
                environment,
                jdk,
                files,
                real,
                ClassPath.named(arguments.javaArgs(), environment),
                OptionalLong.empty());
    }

    /**
     * As {@link #plan(RunArguments, Environment, Jdk, PreparedFiles, RealPaths)}, with the class
     * path the launcher resolved, and the helper told the origin of the start-up timeline when it
     * is on ({@code timeline}: {@link dev.airlock.ipc.StartupTimeline#origin()}).
     */
    static SandboxPlan plan(
            RunArguments arguments,
            Environment environment,
            Jdk jdk,
            PreparedFiles files,
            RealPaths real,
            ClassPath classPath,
            OptionalLong timeline)
            throws AirlockException {
        Confinement confinement = confinement(arguments, environment);
        LandlockRules rules = LandlockRules.resolve(helperReads(arguments, environment, jdk, files, classPath), real);
        List<String> javaArgs = new ArrayList<>(helperOptions(arguments, files));
        javaArgs.addAll(arguments.javaArgs());
        List<String> argv = HelperCommandLine.build(
                jdk.launcher(),
                jdk.majorVersion(),
                files.runtime(),
                files.transformCache().orElse(null),
                rules.readableRoots(),
                classPath.view().coveredDirectories(),
                timeline,
                javaArgs);
        List<String> env = helperVariables(arguments, environment, files);
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
