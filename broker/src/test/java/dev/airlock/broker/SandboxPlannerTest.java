package dev.airlock.broker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.broker.LandlockRules.Access;
import dev.airlock.broker.LandlockRules.Rule;
import dev.airlock.broker.RunArguments.WeakerLayer;
import dev.airlock.unix.Landlock;
import dev.airlock.unix.Namespace;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The whole sandbox plan from made-up inputs: every path here is invented (none exists on this
 * machine), so a plan that came out right was computed from its inputs alone, never from the file
 * system, the environment or system properties.
 */
class SandboxPlannerTest {
    private static final Path HOME = Path.of("/made/up/jdk-25");
    private static final Path LAUNCHER = HOME.resolve("bin/java");
    private static final Path LINK = HOME.resolve("lib/security/cacerts");
    private static final Path AGENT = Path.of("/made/up/cache/agent-1/airlock.jar");
    private static final Path JFFI = Path.of("/made/up/cache/jffi-1");
    private static final Path CACHE = Path.of("/made/up/cache/xform-1");
    private static final Path WORK = Path.of("/made/up/work");
    private static final UserAccount NOBODY = new UserAccount("nobody", 65534, 65534);

    private static final long READ = Landlock.READ_FILE | Landlock.READ_DIR;
    private static final long READ_EXECUTE = READ | Landlock.EXECUTE;

    private static Jdk jdk(int major) {
        return new Jdk(HOME, LAUNCHER, major, List.of(LINK));
    }

    private static RunArguments args(String... javaArgs) {
        return new RunArguments(List.of(javaArgs), "nobody", Set.of());
    }

    private static Environment root(int abi) {
        return new Environment(Map.of(), WORK, 0, 0, Optional.of(NOBODY), abi);
    }

    private static Environment user(Map<String, String> variables) {
        return new Environment(variables, WORK, 1000, 1001, Optional.of(NOBODY), 6);
    }

    private static PreparedFiles files(Optional<Path> cache, List<Path> kernelViews) {
        return new PreparedFiles(new RuntimeFiles(AGENT, JFFI), cache, kernelViews, List.of(), Optional.empty());
    }

    @Test
    void theHelperIsToldTheTimelineOriginOnlyWhenTheTimelineIsOn() throws Exception {
        RunArguments arguments = args("-cp", "/made/up/root/proj/app.jar", "Main");
        Environment environment = root(6);
        PreparedFiles files = files(Optional.empty(), List.of());
        ClassPath classPath = ClassPath.named(arguments.javaArgs(), environment);
        RealPaths real = everyPathExists(SandboxPlanner.helperReads(arguments, environment, jdk(17), files, classPath));
        String on = SandboxPlanner.plan(
                        arguments, environment, jdk(17), files, real, classPath, OptionalLong.of(-1234567890123L))
                .helper()
                .argv()
                .get(3);
        assertTrue(on.startsWith("-javaagent:") && on.endsWith(",timeline=-1234567890123"), on);
        String off = SandboxPlanner.plan(arguments, environment, jdk(17), files, real, classPath, OptionalLong.empty())
                .helper()
                .argv()
                .get(3);
        assertEquals(on.substring(0, on.length() - ",timeline=-1234567890123".length()), off);
    }

    /** Real paths for {@code named}: each its own, except the JDK's link, which points into /made/up/etc. */
    private static RealPaths everyPathExists(List<Rule> named) {
        Map<Path, Path> real = new LinkedHashMap<>();
        for (Rule rule : named) {
            real.put(rule.path(), rule.path().equals(LINK) ? Path.of("/made/up/etc/ssl/cacerts") : rule.path());
        }
        return new RealPaths(real);
    }

    private static SandboxPlan plan(RunArguments arguments, Environment environment, Jdk jdk, PreparedFiles files)
            throws Exception {
        return SandboxPlanner.plan(
                arguments,
                environment,
                jdk,
                files,
                everyPathExists(SandboxPlanner.helperReads(arguments, environment, jdk, files)));
    }

    @Test
    void aRootRunIsPlannedWhole() throws Exception {
        RunArguments arguments = args("-cp", "app.jar:lib", "Main", "-cp", "not/a/class/path");
        SandboxPlan plan =
                plan(arguments, root(6), jdk(25), files(Optional.of(CACHE), List.of(Path.of("/proc/cpuinfo"))));

        Map<Path, Long> expected = new LinkedHashMap<>();
        expected.put(HOME, READ_EXECUTE);
        expected.put(Path.of("/made/up/etc/ssl/cacerts"), READ_EXECUTE);
        for (Path library : SandboxPlanner.SHARED_LIBRARIES) {
            expected.put(library, READ_EXECUTE);
        }
        for (Path file : SandboxPlanner.SYSTEM_FILES) {
            expected.put(file, READ);
        }
        expected.put(WORK.resolve("app.jar"), READ);
        expected.put(WORK.resolve("lib"), READ);
        expected.put(AGENT, READ);
        expected.put(JFFI, READ_EXECUTE);
        expected.put(CACHE, READ);
        expected.put(Path.of("/proc/cpuinfo"), READ);
        assertEquals(
                expected,
                plan.rules().rules(),
                "every rule, on its real path, in the order named; the app's own -cp is no class path");
        assertEquals(
                new ArrayList<>(expected.keySet()),
                new ArrayList<>(plan.rules().rules().keySet()));

        List<String> roots = plan.helper().directRoots();
        assertTrue(
                roots.contains(LINK.toString()) && roots.contains("/made/up/etc/ssl/cacerts"),
                "a link's root under both spellings");
        assertEquals(roots.stream().sorted().distinct().toList(), roots, "sorted, each once");
        assertEquals(plan.rules().readableRoots(), roots);

        String direct = String.join(
                ":", roots.stream().map(HelperCommandLine::encodeAgentValue).toList());
        assertEquals(
                List.of(
                        LAUNCHER.toString(),
                        "-XX:+PerfDisableSharedMem",
                        "-Djffi.boot.library.path=" + JFFI,
                        "--enable-native-access=ALL-UNNAMED",
                        "--sun-misc-unsafe-memory-access=allow",
                        "-javaagent:" + AGENT + "=channel=3,cache=" + CACHE + ",direct=" + direct,
                        "-cp",
                        "app.jar:lib",
                        "Main",
                        "-cp",
                        "not/a/class/path"),
                plan.helper().argv());
        assertEquals(LAUNCHER, plan.helper().launcher());
        assertEquals(3, plan.helper().channelFd());
        assertEquals(
                List.of("HOME=/nonexistent", "AIRLOCK_SANDBOX=1"),
                plan.helper().environment(),
                "the broker's (empty) environment, and the home of the user the helper runs as");

        Confinement confinement = plan.confinement();
        assertEquals(6, confinement.landlockAbi());
        assertEquals(Confinement.Identity.dropTo(NOBODY), confinement.identity());
        assertEquals(
                Set.of(Namespace.NETWORK, Namespace.IPC, Namespace.MOUNT),
                confinement.namespaces().kinds());
        assertArrayEquals(SeccompFilter.program(), confinement.seccomp().toArray());
        assertEquals(Optional.empty(), plan.warning());
    }

    @Test
    void aNormalUserKeepsItsIdentityAndEnvironmentAndGetsNoNamespaces() throws Exception {
        Map<String, String> variables = new LinkedHashMap<>();
        variables.put("PATH", "/bin");
        variables.put("LANG", "C.UTF-8");
        SandboxPlan plan = plan(args("Main"), user(variables), jdk(17), files(Optional.empty(), List.of()));
        assertEquals(
                new Confinement.Identity(1000, 1001, Optional.empty()),
                plan.confinement().identity());
        assertEquals(Set.of(), plan.confinement().namespaces().kinds());
        assertEquals(
                List.of("PATH=/bin", "LANG=C.UTF-8", "AIRLOCK_SANDBOX=1"),
                plan.helper().environment(),
                "the broker's own, in its order, and the sandbox marker last");
        List<String> argv = plan.helper().argv();
        assertFalse(
                argv.contains("--enable-native-access=ALL-UNNAMED"), "JDK 17 has no native-access warnings to silence");
        assertTrue(
                argv.get(3).startsWith("-javaagent:" + AGENT + "=channel=3,direct="),
                "no transform cache: no cache=; " + argv);
        assertFalse(plan.rules().rules().containsKey(CACHE));
        assertEquals(
                READ, plan.rules().rules().get(WORK), "no class path given: the working directory, as java defaults");
    }

    @Test
    void aClassPathViewIsPlannedAndTheAgentToldItsCoveredDirectories() throws Exception {
        RunArguments arguments = args("-cp", "/made/up/root/proj/app.jar", "Main");
        Environment environment = root(6);
        PreparedFiles files = files(Optional.empty(), List.of());
        ClassPathView view = ClassPathView.of(List.of(new ClassPathFiles.Reach.Hidden(
                Path.of("/made/up/root/proj/app.jar"), false, List.of(Path.of("/made/up/root")))));
        ClassPath classPath =
                new ClassPath(List.of(Path.of("/made/up/root/proj/app.jar")), List.of(), List.of(), List.of(), view);
        SandboxPlan plan = SandboxPlanner.plan(
                arguments,
                environment,
                jdk(17),
                files,
                everyPathExists(SandboxPlanner.helperReads(arguments, environment, jdk(17), files, classPath)),
                classPath,
                OptionalLong.empty());
        assertEquals(view, plan.view());
        String agent = plan.helper().argv().get(3);
        assertTrue(agent.endsWith(",hidden=/made/up/root"), agent);
        assertFalse(
                plan(arguments, environment, jdk(17), files)
                        .helper()
                        .argv()
                        .get(3)
                        .contains("hidden="),
                "no view: no hidden roots");
    }

    @Test
    void theClassPathIsWhatJavaWouldUse() {
        Environment classPathVariable = user(Map.of("CLASSPATH", "/made/up/cp/a.jar:rel"));
        PreparedFiles files = files(Optional.empty(), List.of());
        assertEquals(
                List.of(Path.of("/made/up/cp/a.jar"), WORK.resolve("rel")),
                classPathRules(SandboxPlanner.helperReads(args("Main"), classPathVariable, jdk(17), files)),
                "CLASSPATH without -cp");
        assertEquals(
                List.of(WORK.resolve("x.jar")),
                classPathRules(
                        SandboxPlanner.helperReads(args("-cp", "x.jar", "Main"), classPathVariable, jdk(17), files)),
                "-cp wins");
        assertEquals(
                List.of(WORK.resolve("app.jar")),
                classPathRules(SandboxPlanner.helperReads(
                        args("-jar", "app.jar", "-cp", "y"), user(Map.of()), jdk(17), files)));
        assertEquals(
                List.of(WORK.resolve("mods")),
                classPathRules(SandboxPlanner.helperReads(
                        args("-p", "mods", "-m", "app/app.Main"), user(Map.of()), jdk(17), files)),
                "a module gets no working directory");
        assertEquals(
                List.of(WORK.resolve("tools/agent.jar")),
                classPathRules(SandboxPlanner.helperReads(
                        args("-javaagent:tools/agent.jar=opt", "--class-path=lib/*", "Main"),
                        user(Map.of()),
                        jdk(17),
                        files)),
                "a wildcard is the jars in its directory, never the directory: a plan that reads no disk knows none"
                        + " (ClassPathTest has them)");
        ClassPath read = new ClassPath(
                List.of(WORK.resolve("app.jar"), WORK.resolve("lib/a.jar")),
                List.of(WORK.resolve("args")),
                List.of(),
                List.of());
        assertEquals(
                List.of(WORK.resolve("app.jar"), WORK.resolve("lib/a.jar"), WORK.resolve("args")),
                classPathRules(SandboxPlanner.helperReads(args("@args"), user(Map.of()), jdk(17), files, read)),
                "the resolved class path, then the argfiles the launcher reads, each read-only");
    }

    /** The class path rules: everything between the JVM's own files and the agent jar. */
    private static List<Path> classPathRules(List<Rule> rules) {
        int jvm = SandboxPlanner.jvmReads(jdk(17)).size();
        List<Path> paths = new ArrayList<>();
        for (Rule rule : rules.subList(jvm, rules.size())) {
            if (rule.path().equals(AGENT)) {
                break;
            }
            assertEquals(Access.READ.rights, rule.rights(), rule.toString());
            paths.add(rule.path());
        }
        return paths;
    }

    @Test
    void kernelGrantsAreRulesWithTheirOwnRightsAndOnlyReadableFilesAreDirect() throws Exception {
        Path tree = Path.of("/srv/data");
        Path file = Path.of("/etc/app.conf");
        long treeRights = Landlock.READ_FILE | NativeGrants.TREE_WRITE;
        PreparedFiles files = new PreparedFiles(
                new RuntimeFiles(AGENT, JFFI),
                Optional.empty(),
                List.of(),
                List.of(new Rule(tree, treeRights, false), new Rule(file, Landlock.READ_FILE, true)),
                Optional.empty());
        SandboxPlan plan = plan(args("-cp", "app.jar", "Main"), root(6), jdk(17), files);
        assertEquals(treeRights, plan.rules().rules().get(tree));
        assertEquals(Landlock.READ_FILE, plan.rules().rules().get(file));
        List<String> roots = plan.helper().directRoots();
        assertTrue(roots.contains(file.toString()), "a single file the helper reads by itself is a direct root");
        assertFalse(
                roots.contains(tree.toString()),
                "beneath a tree the broker answers metadata: the policy decides links, readlink and the directory itself");
        assertEquals(files.nativeGrants(), SandboxPlanner.kernelGrants(files));
        assertThrows(IllegalArgumentException.class, () -> new Rule(tree, NativeGrants.TREE_WRITE, true));
    }

    @Test
    void missingPathsGetNoRuleAndRulesOnOneRealPathMerge() throws Exception {
        RunArguments arguments = args("-cp", "gone:jdk-link", "Main");
        PreparedFiles files = files(Optional.empty(), List.of());
        Map<Path, Path> real = new LinkedHashMap<>();
        real.put(HOME, HOME);
        real.put(WORK.resolve("jdk-link"), HOME); // a class path entry that is a link to the JDK
        real.put(AGENT, AGENT);
        SandboxPlan plan = SandboxPlanner.plan(arguments, user(Map.of()), jdk(17), files, new RealPaths(real));
        assertEquals(
                Map.of(HOME, READ_EXECUTE, AGENT, READ),
                plan.rules().rules(),
                "missing: no rule; the link's READ merges into the JDK's");
        assertEquals(
                List.of(
                        AGENT.toString(),
                        HOME.toString(),
                        WORK.resolve("jdk-link").toString()),
                plan.helper().directRoots());
    }

    @Test
    void theCachePreparationReadsItsJvmAndTheAgentAndWritesOnlyItsStaging() {
        Path staging = Path.of("/made/up/cache/xform-staging-1");
        List<Rule> rules = SandboxPlanner.preparationReads(jdk(25), AGENT, staging);
        List<Rule> jvm = SandboxPlanner.jvmReads(jdk(25));
        assertEquals(jvm, rules.subList(0, jvm.size()));
        assertEquals(
                List.of(new Rule(AGENT, Access.READ), new Rule(staging, Access.CREATE_FILES)),
                rules.subList(jvm.size(), rules.size()));
        for (Rule rule : rules) {
            assertTrue(
                    rule.path().equals(staging) || (rule.rights() & Landlock.WRITE_FILE) == 0,
                    "writes only its staging: " + rule);
        }
    }

    @Test
    void aRootHelperIsRefusedByNameByNumberAndByAccount() {
        for (RunArguments root : List.of(
                new RunArguments(List.of("Main"), "0", Set.of()),
                new RunArguments(List.of("Main"), "toor", Set.of()))) {
            Environment environment =
                    new Environment(Map.of(), WORK, 1000, 1000, Optional.of(new UserAccount("toor", 0, 0)), 6);
            AirlockException refused =
                    assertThrows(AirlockException.class, () -> SandboxPlanner.confinement(root, environment));
            assertEquals(ExitCodes.USAGE, refused.exitCode());
            assertEquals(
                    "--user " + root.user()
                            + ": the helper must not run as root (uid 0): it would keep every capability; "
                            + "name an unprivileged user (default: nobody)",
                    refused.getMessage());
        }
    }

    @Test
    void nothingToRunAndAnUnknownUserAsRootAreUsageErrors() throws Exception {
        AirlockException empty = assertThrows(
                AirlockException.class,
                () -> SandboxPlanner.checkArguments(
                        new RunArguments(List.of(), "nobody", Set.of()), Optional.of(NOBODY)));
        assertEquals(ExitCodes.USAGE, empty.exitCode());
        assertEquals("nothing to run: give the java arguments after --", empty.getMessage());

        RunArguments ghost = new RunArguments(List.of("Main"), "ghost", Set.of());
        Environment noAccount = new Environment(Map.of(), WORK, 0, 0, Optional.empty(), 6);
        AirlockException unknown =
                assertThrows(AirlockException.class, () -> SandboxPlanner.confinement(ghost, noAccount));
        assertEquals(ExitCodes.USAGE, unknown.exitCode());
        assertEquals("--user ghost: no such user in /etc/passwd", unknown.getMessage());
        Environment normalUser = new Environment(Map.of(), WORK, 1000, 1000, Optional.empty(), 6);
        assertEquals(
                Confinement.Identity.keep(1000, 1000),
                SandboxPlanner.confinement(ghost, normalUser).identity(),
                "as a normal user --user changes nothing, so an unknown one is no error");
    }

    @Test
    void aLandlockAbiTooLowIsRefusedUnlessAllowedAndThenWarned() throws Exception {
        AirlockException none =
                assertThrows(AirlockException.class, () -> SandboxPlanner.confinement(args("Main"), root(0)));
        assertEquals(ExitCodes.SANDBOX_UNAVAILABLE, none.exitCode());
        assertEquals(
                "this kernel has no Landlock (or it is disabled), so the helper cannot be confined; "
                        + "--allow-weaker=landlock runs it without Landlock",
                none.getMessage());
        AirlockException three =
                assertThrows(AirlockException.class, () -> SandboxPlanner.confinement(args("Main"), root(3)));
        assertEquals(ExitCodes.SANDBOX_UNAVAILABLE, three.exitCode());
        assertEquals(
                "this kernel's Landlock ABI 3 cannot deny TCP (ABI 4 needed); --allow-weaker=landlock runs it with a weaker sandbox",
                three.getMessage());

        RunArguments weaker = new RunArguments(List.of("Main"), "nobody", Set.of(WeakerLayer.LANDLOCK));
        PreparedFiles files = files(Optional.empty(), List.of());
        SandboxPlan waived = plan(weaker, root(0), jdk(17), files);
        assertEquals(0, waived.confinement().landlockAbi(), "Landlock waived");
        assertEquals(
                Optional.of("airlock: WARNING: the sandbox is weaker than Airlock's default: Landlock ABI 0 (none): "
                        + "files are confined by the uid drop and the broker only"),
                waived.warning());
        SandboxPlan older = plan(weaker, root(3), jdk(17), files);
        assertEquals(3, older.confinement().landlockAbi(), "enforced at the ABI there is");
        assertEquals(
                Optional.of(
                        "airlock: WARNING: the sandbox is weaker than Airlock's default: Landlock ABI 3: TCP is not confined"),
                older.warning());
        assertEquals(
                Optional.empty(),
                plan(weaker, root(4), jdk(17), files).warning(),
                "allowed but not needed: no warning");
    }

    @Test
    void onlyLandlockMayBeWeaker() throws Exception {
        assertEquals(WeakerLayer.LANDLOCK, WeakerLayer.named("landlock"));
        AirlockException unknown = assertThrows(AirlockException.class, () -> WeakerLayer.named("seccomp"));
        assertEquals(ExitCodes.USAGE, unknown.exitCode());
        assertEquals("--allow-weaker knows only 'landlock', not 'seccomp'", unknown.getMessage());
    }

    @Test
    void planningIsRepeatableAndItsValuesImmutable() throws Exception {
        RunArguments arguments = args("-cp", "app", "Main");
        PreparedFiles files = files(Optional.of(CACHE), List.of());
        SandboxPlan first = plan(arguments, root(6), jdk(25), files);
        SandboxPlan second = plan(arguments, root(6), jdk(25), files);
        assertEquals(first.helper(), second.helper());
        assertEquals(first.confinement(), second.confinement());
        assertEquals(first.rules().rules(), second.rules().rules());
        assertThrows(
                UnsupportedOperationException.class, () -> first.helper().argv().add("-Dx"));
        assertThrows(
                UnsupportedOperationException.class, () -> first.rules().rules().put(WORK, READ));
        assertThrows(IllegalArgumentException.class, () -> new Rule(Path.of("relative"), Access.READ));
        assertThrows(
                IllegalArgumentException.class,
                () -> new Environment(Map.of(), Path.of("relative"), 0, 0, Optional.empty(), 6));
    }

    private static final Path TMP = Path.of("/made/up/tmp/airlock-abc");
    private static final Path GIVEN_HOME = Path.of("/made/up/home/app");
    private static final long OWN_TREE = Landlock.READ_FILE
            | Landlock.READ_DIR
            | Landlock.WRITE_FILE
            | Landlock.TRUNCATE
            | Landlock.REMOVE_FILE
            | Landlock.REMOVE_DIR
            | Landlock.MAKE_REG
            | Landlock.MAKE_DIR
            | Landlock.MAKE_SYM
            | Landlock.MAKE_FIFO
            | Landlock.REFER;

    private static PreparedFiles withTmp(Optional<Path> tmp) {
        return new PreparedFiles(new RuntimeFiles(AGENT, JFFI), Optional.empty(), List.of(), List.of(), tmp);
    }

    private static RunArguments withHome(RunArguments arguments, RunArguments.TmpChoice tmp, Optional<Path> home) {
        return arguments.withDirectories(tmp, home);
    }

    @Test
    void theHelpersTemporaryDirectoryAndHomeAreItsOwnAndComeBeforeTheUsersOptions() throws Exception {
        RunArguments arguments = withHome(
                args("-Djava.io.tmpdir=/mine", "-cp", "app", "Main"),
                new RunArguments.TmpChoice.Private(false),
                Optional.of(GIVEN_HOME));
        Map<String, String> variables = new LinkedHashMap<>();
        variables.put("TMPDIR", "/var/tmp");
        variables.put("HOME", "/root");
        variables.put("LANG", "C.UTF-8");
        Environment root = new Environment(variables, WORK, 0, 0, Optional.of(NOBODY), 6);
        SandboxPlan plan = plan(arguments, root, jdk(17), withTmp(Optional.of(TMP)));

        assertEquals(OWN_TREE, plan.rules().rules().get(TMP), "the whole tree beneath the tmp, no execute");
        assertEquals(OWN_TREE, plan.rules().rules().get(GIVEN_HOME));
        assertEquals(0, plan.rules().rules().get(TMP) & Landlock.EXECUTE, "no program runs from there");
        assertEquals(
                List.of(new Rule(TMP, Access.OWN_TREE), new Rule(GIVEN_HOME, Access.OWN_TREE)),
                SandboxPlanner.helperDirectories(arguments, withTmp(Optional.of(TMP))));
        assertTrue(plan.helper().directRoots().contains(TMP.toString()), "the agent leaves it to the kernel");

        List<String> argv = plan.helper().argv();
        int user = argv.indexOf("-Djava.io.tmpdir=/mine");
        assertEquals(
                List.of("-Djava.io.tmpdir=" + TMP, "-Duser.home=" + GIVEN_HOME),
                argv.subList(user - 2, user),
                "right before the user's arguments, so that the user's own -D wins: " + argv);
        assertTrue(argv.get(user - 3).startsWith("-javaagent:"), argv.toString());
        assertEquals(
                List.of("TMPDIR=" + TMP, "HOME=" + GIVEN_HOME, "LANG=C.UTF-8", "AIRLOCK_SANDBOX=1"),
                plan.helper().environment(),
                "replaced in place, the rest in its order");
    }

    @Test
    void noTmpAndNoHomeLeaveTheJdkDefaultsAndTheEnvironment() throws Exception {
        Map<String, String> variables = new LinkedHashMap<>();
        variables.put("TMPDIR", "/var/tmp");
        variables.put("HOME", "/home/u");
        RunArguments arguments =
                withHome(args("-cp", "app", "Main"), new RunArguments.TmpChoice.None(), Optional.empty());
        SandboxPlan plan = plan(arguments, user(variables), jdk(17), withTmp(Optional.empty()));
        assertEquals(
                List.of("TMPDIR=/var/tmp", "HOME=/home/u", "AIRLOCK_SANDBOX=1"),
                plan.helper().environment());
        for (String option : plan.helper().argv()) {
            assertFalse(option.startsWith("-Djava.io.tmpdir") || option.startsWith("-Duser.home"), option);
        }
        for (long rights : plan.rules().rules().values()) {
            assertEquals(0, rights & Landlock.WRITE_FILE, "writes nowhere by itself");
        }
        assertEquals(List.of(), SandboxPlanner.helperDirectories(arguments, withTmp(Optional.empty())));
    }

    @Test
    void theHelpersHomeIsItsUsersAndWhatAPolicysUserHomeMeans() {
        UserAccount app = new UserAccount("app", 1500, 1500, Path.of("/srv/app"));
        Environment root = new Environment(Map.of(), WORK, 0, 0, Optional.of(app), 6, Path.of("/root"));
        Environment user = new Environment(Map.of(), WORK, 1000, 1000, Optional.of(app), 6, Path.of("/home/u"));
        RunArguments plain = args("Main");
        RunArguments given = withHome(plain, new RunArguments.TmpChoice.Private(false), Optional.of(GIVEN_HOME));
        assertEquals(Path.of("/srv/app"), SandboxPlanner.helperHome(plain, root), "as root: --user's account's");
        assertEquals(Path.of("/home/u"), SandboxPlanner.helperHome(plain, user), "else the broker's own");
        assertEquals(GIVEN_HOME, SandboxPlanner.helperHome(given, root));
        assertEquals(GIVEN_HOME, SandboxPlanner.helperHome(given, user));
        assertEquals(
                UserAccount.NO_HOME,
                SandboxPlanner.helperHome(plain, new Environment(Map.of(), WORK, 0, 0, Optional.of(NOBODY), 6)));

        java.util.function.Function<String, String> broker = name -> "broker's " + name;
        java.util.function.Function<String, String> properties = SandboxPlanner.policyProperties(plain, root, broker);
        assertEquals("/srv/app", properties.apply("user.home"));
        assertEquals("broker's user.dir", properties.apply("user.dir"), "every other property is the broker's");
        assertEquals(
                GIVEN_HOME.toString(),
                SandboxPlanner.policyProperties(given, user, broker).apply("user.home"));
        assertEquals(
                UserAccount.NO_HOME,
                new Environment(Map.of(), WORK, 0, 0, Optional.empty(), 6, Path.of("?")).ownHome(),
                "the JDK's ? for a uid without an entry is no home");
    }

    @Test
    void theBrokerGrantsTheHelpersOwnDirectoriesAndKeepsThePolicysName() throws Exception {
        dev.airlock.policy.Policy policy = dev.airlock.policy.Policy.parse(
                "app.policy",
                "grant { permission java.io.FilePermission \"/data/-\", \"read\"; };",
                name -> name.equals("user.dir") ? "/made/up/work" : null);
        RunArguments arguments =
                withHome(args("Main"), new RunArguments.TmpChoice.Private(false), Optional.of(GIVEN_HOME));
        dev.airlock.policy.Policy served = SandboxPlanner.brokerPolicy(policy, arguments, Optional.of(TMP));
        int all = dev.airlock.policy.FileActions.ALL;
        assertTrue(served.allowsFile(TMP + "/x/y", all));
        assertTrue(served.allowsFile(GIVEN_HOME + "/.java/prefs", all));
        assertTrue(served.allowsFile("/data/f", dev.airlock.policy.FileActions.READ));
        assertFalse(served.allowsFile("/made/up/tmp/other", dev.airlock.policy.FileActions.READ));
        assertEquals("app.policy", served.displayName());
        assertTrue(
                SandboxPlanner.brokerPolicy(policy, args("Main"), Optional.empty()) == policy,
                "nothing of its own: the user's policy as it is");
    }

    @Test
    void everySystemFileHasAReasonAndNoneHoldsSecrets() {
        List<Path> paths = new ArrayList<>();
        for (SystemFile file : SandboxPlanner.SYSTEM_FILE_ENTRIES) {
            assertFalse(file.reason().isBlank(), file.toString());
            paths.add(file.path());
        }
        assertEquals(paths, SandboxPlanner.SYSTEM_FILES);
        assertEquals(paths.size(), Set.copyOf(paths).size(), "each once");
        for (String needed : new String[] {
            "/etc/hosts",
            "/etc/host.conf",
            "/etc/resolv.conf",
            "/etc/gai.conf",
            "/etc/fonts",
            "/usr/share/fonts",
            "/var/cache/fontconfig",
            "/usr/share/zoneinfo",
            "/etc/ssl/certs",
            "/usr/lib/locale"
        }) {
            assertTrue(paths.contains(Path.of(needed)), needed);
        }
        for (Path path : paths) {
            for (String secret : new String[] {"/etc/ssl", "/etc/shadow", "/etc", "/root", "/home", "/var"}) {
                assertFalse(path.equals(Path.of(secret)), "too wide: " + path);
            }
            assertFalse(path.startsWith("/etc/ssl/private") || path.startsWith("/etc/shadow"), path.toString());
        }
        assertThrows(IllegalArgumentException.class, () -> SystemFile.of("/etc/x", " "));
        assertThrows(IllegalArgumentException.class, () -> SystemFile.of("etc/x", "why"));
    }

    @Test
    void directoryOptionsAreAbsolute() {
        assertThrows(IllegalArgumentException.class, () -> new RunArguments.TmpChoice.Given(Path.of("relative")));
        assertThrows(
                IllegalArgumentException.class,
                () -> args("Main")
                        .withDirectories(new RunArguments.TmpChoice.None(), Optional.of(Path.of("relative"))));
        assertEquals(new RunArguments.TmpChoice.Private(false), args("Main").tmp(), "a private tmp by default");
        assertEquals(Optional.empty(), args("Main").home());
    }
}
