package dev.airlock.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The drop-in's pure parts: its options, the command line it repeats, the policies the SecurityManager read. */
class DropInTest {
    private static final Path JAVA = Path.of("/jdk/bin/java");
    private static final Path JAR = Path.of("/opt/airlock/airlock.jar");

    /** A launch in which "airlock.jar" and "/opt/airlock/airlock.jar" are this agent's jar, nothing else. */
    private static DropInLaunch launch(int major) {
        return new DropInLaunch(JAVA, JAR, major, name -> name.endsWith("airlock.jar") ? JAR : Path.of("/x", name));
    }

    @Test
    void optionsParseIntoWhatRunTakes() throws Exception {
        DropInOptions o = DropInOptions.parse(
                "policy=a.policy,policy=/etc/b%2Cc.policy,user=app,allow-weaker=landlock,trust=k.pub,trust=/k/2.pem");
        assertEquals(List.of("a.policy", "/etc/b,c.policy"), o.policies());
        assertEquals(List.of("k.pub", "/k/2.pem"), o.trust());
        assertEquals(Optional.of("app"), o.user());
        assertEquals(Optional.of("landlock"), o.allowWeaker());
        DropInOptions none = DropInOptions.parse(null);
        assertEquals(List.of(), none.policies());
        assertEquals(Optional.empty(), none.user());
        assertEquals(List.of(), none.trust());
        assertEquals(List.of(), DropInOptions.parse("").policies());
        assertEquals(Optional.empty(), none.audit());
        assertEquals(
                Optional.of(new DropInOptions.Audit("logs/run.audit", Optional.of("/k/seal"), true)),
                DropInOptions.parse("audit=logs/run.audit,audit-key=/k/seal,audit-allowed=true")
                        .audit());
        assertEquals(
                Optional.of(new DropInOptions.Audit("a%b", Optional.empty(), false)),
                DropInOptions.parse("audit=a%25b").audit());
        assertEquals(
                new DropInOptions.Audit("/w/logs/run.audit", Optional.of("/k/seal"), true),
                new DropInOptions.Audit("logs/run.audit", Optional.of("../k/seal"), true)
                        .resolvedAgainst(Path.of("/w")));
    }

    @Test
    void malformedOptionsAreUsageErrors() {
        for (String bad : List.of(
                "polcy=a",
                "policy",
                "policy=",
                "=x",
                "policy=a,,user=b",
                "user=a,user=b",
                "allow-weaker=seccomp",
                "allow-weaker=landlock,allow-weaker=landlock",
                "policy=%zz",
                "trust=",
                "audit=",
                "audit=a,audit=b",
                "audit-key=k",
                "audit-allowed=true",
                "audit=a,audit-allowed=yes",
                "audit=a,audit-allowed=true,audit-allowed=true",
                "audit=a,audit-key=k,audit-key=l",
                "channel")) {
            DropInException e = assertThrows(DropInException.class, () -> DropInOptions.parse(bad), bad);
            assertEquals(DropInException.USAGE, e.exitCode(), bad);
            assertTrue(e.getMessage().startsWith("-javaagent:airlock.jar: "), e.getMessage());
        }
    }

    @Test
    void theHelperArgumentsAreNotTheDropIn() {
        assertTrue(AirlockAgent.isHelper("channel=3,cache=/c,direct=/"));
        assertTrue(AirlockAgent.isHelper("prepare=/d"));
        assertFalse(AirlockAgent.isHelper("policy=app.policy"));
        assertFalse(AirlockAgent.isHelper(null));
        assertFalse(AirlockAgent.isHelper(""));
    }

    @Test
    void theCommandLineLosesOnlyTheLauncherAndThisAgent() throws Exception {
        DropInLaunch launch = launch(17);
        List<String> cmdline = List.of(
                "java",
                "-Dx=y",
                "-javaagent:airlock.jar=policy=p",
                "-Xmx64m",
                "-cp",
                "-javaagent:airlock.jar=policy=p",
                "Main",
                "-javaagent:airlock.jar=policy=p",
                "an argument");
        assertEquals(
                List.of(
                        "-Dx=y",
                        "-Xmx64m",
                        "-cp",
                        "-javaagent:airlock.jar=policy=p",
                        "Main",
                        "-javaagent:airlock.jar=policy=p",
                        "an argument"),
                launch.javaArgs(cmdline, "policy=p"),
                "a -cp value and the application's arguments stay as they are");
        assertEquals(
                List.of("-jar", "app.jar", "-javaagent:/opt/airlock/airlock.jar"),
                launch.javaArgs(
                        List.of(
                                "java",
                                "-javaagent:/opt/airlock/airlock.jar",
                                "-jar",
                                "app.jar",
                                "-javaagent:/opt/airlock/airlock.jar"),
                        null));
        assertEquals(
                List.of("-javaagent:other.jar=policy=p", "-m", "mod/Main"),
                launch.javaArgs(List.of("java", "-javaagent:other.jar=policy=p", "-m", "mod/Main"), "policy=p"),
                "another agent stays");
        assertEquals(
                List.of("@args", "-javaagent:airlock.jar=policy=p"),
                launch.javaArgs(List.of("java", "@args", "-javaagent:airlock.jar=policy=p"), "policy=p"),
                "after an argfile nothing is known to be an option: the agent stays, and does nothing in the sandbox");
        DropInException twice = assertThrows(
                DropInException.class,
                () -> launch.javaArgs(List.of("java", "-javaagent:airlock.jar=policy=q", "Main"), "policy=p"));
        assertEquals(DropInException.USAGE, twice.exitCode());
    }

    @Test
    void theBrokerIsAirlockRunOfTheSameCommandLineWithLeanOptions() throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/bin");
        env.put("JAVA_TOOL_OPTIONS", "-javaagent:airlock.jar=policy=p");
        env.put("JDK_JAVA_OPTIONS", "-Dq=1  -javaagent:airlock.jar=policy=p -Xss1m");
        env.put("LANG", "C.UTF-8");
        DropInLaunch.Broker broker = launch(25)
                .broker(
                        List.of("/jdk/bin/java", "-Xms4g", "-XX:+AlwaysPreTouch", "-cp", "app", "Main", "a b"),
                        env,
                        "policy=p",
                        DropInOptions.parse("policy=p,user=app,allow-weaker=landlock,trust=k.pub"),
                        List.of("/w/p"),
                        List.of("/w/k.pub"),
                        Optional.of(new DropInOptions.Audit("/w/run.audit", Optional.of("/w/seal"), true)));
        assertEquals(
                List.of(
                        "/jdk/bin/java",
                        "-XX:+UseSerialGC",
                        "-Xmn4m",
                        "-Xshare:auto",
                        "--enable-native-access=ALL-UNNAMED",
                        "--sun-misc-unsafe-memory-access=allow",
                        "-jar",
                        JAR.toString(),
                        "run",
                        "--java",
                        "/jdk/bin/java",
                        "--policy",
                        "/w/p",
                        "--trust",
                        "/w/k.pub",
                        "--user",
                        "app",
                        "--allow-weaker=landlock",
                        "--audit",
                        "/w/run.audit",
                        "--audit-key",
                        "/w/seal",
                        "--audit-allowed",
                        "--drop-in-env",
                        "JDK_JAVA_OPTIONS=-Dq=1 -Xss1m",
                        "--",
                        "-Xms4g",
                        "-XX:+AlwaysPreTouch",
                        "-cp",
                        "app",
                        "Main",
                        "a b"),
                broker.argv());
        assertEquals(
                List.of("PATH=/bin", "LANG=C.UTF-8"), broker.environment(), "no JVM option variable for the broker");
        assertFalse(launch(17)
                .broker(
                        List.of("java", "Main"),
                        Map.of(),
                        null,
                        DropInOptions.parse(null),
                        List.of(),
                        List.of(),
                        Optional.empty())
                .argv()
                .contains("--enable-native-access=ALL-UNNAMED"));
    }

    @Test
    void aVariableKeepsWhatIsNotThisAgent() throws Exception {
        DropInLaunch launch = launch(17);
        assertNull(launch.withoutOwnAgent(" -javaagent:airlock.jar=policy=p ", "policy=p"));
        assertEquals("-Da=1 -Db=2", launch.withoutOwnAgent("-Da=1 -javaagent:airlock.jar=policy=p -Db=2", "policy=p"));
        assertEquals(
                "-Da='x y'", launch.withoutOwnAgent("-Da='x y'", "policy=p"), "untouched when the agent is not there");
    }

    @Test
    void theCommandLineIsStrictUtf8() throws Exception {
        assertEquals(List.of("java", "é", ""), DropIn.splitCommandLine("java\0é\0\0".getBytes(StandardCharsets.UTF_8)));
        DropInException e =
                assertThrows(DropInException.class, () -> DropIn.splitCommandLine(new byte[] {'j', 0, (byte) 0xff, 0}));
        assertEquals(DropInException.USAGE, e.exitCode());
    }

    @Test
    void confinedMeansNoNewPrivsAndASeccompFilter() {
        assertTrue(DropIn.confined("Name:\tjava\nNoNewPrivs:\t1\nSeccomp:\t2\n"));
        assertFalse(DropIn.confined("NoNewPrivs:\t0\nSeccomp:\t2\n"));
        assertFalse(DropIn.confined("NoNewPrivs:\t1\nSeccomp:\t0\n"));
    }

    @Test
    void policiesAreWhereTheSecurityManagerReadThem() throws Exception {
        Map<String, String> security = Map.of(
                "policy.allowSystemProperty", "true",
                "policy.url.1", "file:${java.home}/conf/security/java.policy",
                "policy.url.2", "file:${user.home}/.java.policy",
                "policy.url.4", "file:/never/read");
        Map<String, String> system = Map.of("java.home", "/jdk", "user.home", "/home/u");
        Set<Path> existing = Set.of(Path.of("/jdk/conf/security/java.policy"), Path.of("/w/app.policy"));
        Path cwd = Path.of("/w");
        assertEquals(
                List.of("/jdk/conf/security/java.policy"),
                SecurityPolicyFiles.find(null, security::get, system::get, cwd, existing::contains),
                "the defaults, up to the first missing number, a missing file skipped as the JDK skips it");
        assertEquals(
                List.of("/w/app.policy", "/jdk/conf/security/java.policy"),
                SecurityPolicyFiles.find("app.policy", security::get, system::get, cwd, existing::contains),
                "=FILE adds to the defaults");
        assertEquals(
                List.of("/w/app.policy"),
                SecurityPolicyFiles.find("=file:/w/app.policy", security::get, system::get, cwd, existing::contains),
                "==FILE alone");
        DropInException missing = assertThrows(
                DropInException.class,
                () -> SecurityPolicyFiles.find("nope.policy", security::get, system::get, cwd, existing::contains));
        assertEquals(DropInException.USAGE, missing.exitCode());
        assertThrows(
                DropInException.class,
                () -> SecurityPolicyFiles.find("=http://host/p", security::get, system::get, cwd, path -> false));
        assertEquals(
                List.of(),
                SecurityPolicyFiles.find(
                        "app.policy",
                        Map.of("policy.allowSystemProperty", "false")::get,
                        system::get,
                        cwd,
                        existing::contains),
                "the property is ignored when the JDK would ignore it");
    }
}
