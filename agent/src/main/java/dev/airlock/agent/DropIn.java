package dev.airlock.agent;

import dev.airlock.ipc.SandboxMarker;
import dev.airlock.unix.ErrnoException;
import dev.airlock.unix.Linux;
import dev.airlock.unix.ProcessImage;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.Security;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The drop-in, {@code java -javaagent:airlock.jar=policy=app.policy ARGS}: loaded into a JVM
 * that no broker started, it never lets that JVM run the program. Before {@code main}, it
 * replaces the JVM by Airlock's broker with execve(2) ({@link ProcessImage}), the same pid,
 * working directory, environment and standard streams, which runs {@code airlock run} of the very
 * same command line ({@link DropInLaunch}) and exits with the program's status. Any failure on
 * the way stops the JVM with one {@code airlock:} line and a non-zero status (2 for a bad option,
 * 125 when the broker cannot be started): the program never runs unconfined.
 *
 * <p><b>Inside the sandbox.</b> A helper started by the broker inherits the environment, so a
 * drop-in named in {@code JAVA_TOOL_OPTIONS} or an argfile is loaded there again, and so it is in
 * any JVM the program starts. The broker marks the helper's environment with
 * {@link SandboxMarker#VARIABLE}; a drop-in that finds it does nothing, once it has checked that this
 * process really is confined (no_new_privs and a seccomp filter, which an unconfined process
 * cannot have been given by a stray variable): a marker set outside a sandbox stops the JVM
 * instead. Escaping is not the risk (the kernel confines the helper and all it starts, and a
 * broker started inside a sandbox stays inside it); starting a second broker is.
 */
final class DropIn {
    private DropIn() {}

    /** Becomes the broker, or returns in a sandbox; halts this JVM on any failure. */
    static void start(String agentOptions, Instrumentation inst) {
        try {
            if (System.getenv(SandboxMarker.VARIABLE) != null) {
                requireConfined();
                return;
            }
            exec(agentOptions, inst);
        } catch (DropInException e) {
            stop(e.getMessage(), e.exitCode());
        } catch (RuntimeException | Error e) {
            stop("the drop-in cannot start the broker: " + e, DropInException.CANNOT_CONFINE);
        }
    }

    // getSecurityManager: JDK 17 can still install one (-Djava.security.manager), which the drop-in refuses.
    @SuppressWarnings("removal")
    private static void exec(String agentOptions, Instrumentation inst) throws DropInException {
        String os = System.getProperty("os.name");
        String arch = System.getProperty("os.arch");
        if (!"Linux".equals(os) || !("amd64".equals(arch) || "x86_64".equals(arch))) {
            throw new DropInException(
                    DropInException.CANNOT_CONFINE,
                    "Airlock confines programs on Linux x86_64 only, not " + os + " on " + arch
                            + ": the program was not started");
        }
        if (System.getSecurityManager() != null) {
            throw new DropInException(
                    DropInException.USAGE,
                    "-Djava.security.manager installs the SecurityManager, which the drop-in replaces:"
                            + " remove it (the policy is still read from -Djava.security.policy)");
        }
        DropInOptions options = DropInOptions.parse(agentOptions);
        Path workingDirectory = Path.of(System.getProperty("user.dir"));
        List<String> policies = new ArrayList<>();
        if (options.policies().isEmpty()) {
            policies.addAll(SecurityPolicyFiles.find(
                    System.getProperty("java.security.policy"),
                    Security::getProperty,
                    System::getProperty,
                    workingDirectory,
                    Files::isRegularFile));
        } else {
            for (String policy : options.policies()) {
                policies.add(workingDirectory.resolve(policy).normalize().toString());
            }
        }
        List<String> trust = new ArrayList<>();
        for (String key : options.trust()) {
            trust.add(workingDirectory.resolve(key).normalize().toString());
        }
        Path java = launcher();
        Path jar = ownJar();
        DropInLaunch launch = new DropInLaunch(java, jar, Runtime.version().feature(), name -> {
            try {
                return workingDirectory.resolve(name).toRealPath();
            } catch (IOException | RuntimeException e) {
                return null;
            }
        });
        DropInLaunch.Broker broker = launch.broker(
                commandLine(),
                System.getenv(),
                agentOptions,
                options,
                policies,
                trust,
                options.audit().map(audit -> audit.resolvedAgainst(workingDirectory)));
        quietNativeAccess(inst);
        bindLibc(jar);
        try {
            ProcessImage.replace(java.toString(), broker.argv(), broker.environment());
        } catch (ErrnoException e) {
            throw new DropInException(DropInException.CANNOT_CONFINE, "cannot start the broker: " + e.getMessage(), e);
        }
    }

    /**
     * This JVM's launcher, {@code /proc/self/exe}; it must be its JDK's own {@code bin/java},
     * whose command line the broker can give the helper (a JVM embedded in another program has
     * no java command line to repeat).
     */
    private static Path launcher() throws DropInException {
        Path own = Path.of(System.getProperty("java.home"), "bin", "java");
        try {
            Path exe = Path.of("/proc/self/exe").toRealPath();
            if (!exe.equals(own.toRealPath())) {
                throw new DropInException(
                        DropInException.CANNOT_CONFINE,
                        "this JVM was started by " + exe + ", not by " + own
                                + ": the drop-in repeats a java command line; use airlock run");
            }
            return exe;
        } catch (IOException e) {
            throw new DropInException(
                    DropInException.CANNOT_CONFINE, "cannot find this JVM's launcher: " + e.getMessage(), e);
        }
    }

    /** The real path of the jar this agent was loaded from. */
    private static Path ownJar() throws DropInException {
        try {
            return Path.of(DropIn.class
                            .getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toRealPath();
        } catch (IOException | URISyntaxException | RuntimeException e) {
            throw new DropInException(DropInException.CANNOT_CONFINE, "cannot find airlock.jar: " + e, e);
        }
    }

    /** {@code /proc/self/cmdline}: the arguments as the launcher got them, each strict UTF-8 (as the broker passes them on). */
    static List<String> commandLine() throws DropInException {
        byte[] raw;
        try {
            raw = Files.readAllBytes(Path.of("/proc/self/cmdline"));
        } catch (IOException e) {
            throw new DropInException(
                    DropInException.CANNOT_CONFINE, "cannot read this JVM's command line: " + e.getMessage(), e);
        }
        return splitCommandLine(raw);
    }

    /** The NUL-terminated arguments of {@code raw}. */
    static List<String> splitCommandLine(byte[] raw) throws DropInException {
        List<String> args = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == 0) {
                try {
                    args.add(StandardCharsets.UTF_8
                            .newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(raw, start, i - start))
                            .toString());
                } catch (CharacterCodingException e) {
                    throw new DropInException(
                            DropInException.USAGE,
                            "argument " + args.size() + " of the command line is not UTF-8; use airlock run",
                            e);
                }
                start = i + 1;
            }
        }
        return args;
    }

    /**
     * Binds libc for the execve, with jffi's stub copied into a private directory of this
     * process and removed once loaded: jffi would otherwise extract it into {@code /tmp} and
     * delete it at exit, which an execve never reaches.
     */
    private static void bindLibc(Path jar) throws DropInException {
        Path directory = null;
        Path stub = null;
        try {
            directory = Files.createTempDirectory(
                    "airlock-drop-in-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            stub = directory.resolve("libjffi-1.2.so");
            try (InputStream in =
                    DropIn.class.getClassLoader().getResourceAsStream("jni/x86_64-Linux/libjffi-1.2.so")) {
                if (in == null) {
                    throw new DropInException(DropInException.CANNOT_CONFINE, jar + " lacks jffi's native stub");
                }
                Files.copy(in, stub);
            }
            System.setProperty("jffi.boot.library.path", directory.toString());
            // The broker's own setting (its Main): the generated stubs cost start-up time for one call.
            if (System.getProperty("jnr.ffi.asm.enabled") == null) {
                System.setProperty("jnr.ffi.asm.enabled", "false");
            }
            Linux.load();
        } catch (IOException e) {
            throw new DropInException(DropInException.CANNOT_CONFINE, "cannot bind libc: " + e.getMessage(), e);
        } finally {
            try {
                if (stub != null) {
                    Files.deleteIfExists(stub);
                }
                if (directory != null) {
                    Files.deleteIfExists(directory);
                }
            } catch (IOException e) {
                // Left in the temporary directory; nothing depends on it.
            }
        }
    }

    /**
     * On JDK 24 and later, lets this agent's code load jffi's stub and use memory without the
     * JDK's warnings, which would otherwise be printed into the program's stderr before the
     * broker even starts: the helper and the broker get {@code --enable-native-access} and
     * {@code --sun-misc-unsafe-memory-access} as JVM options, which this JVM was not given. So
     * native access is enabled for the unnamed modules (jffi's loader's among them), through the JDK's own internal
     * switch for it (reached with the instrumentation every agent holds), and jffi is told to
     * use its native memory accessors rather than {@code sun.misc.Unsafe}. Should the JDK's
     * internals have moved, the warnings are printed and nothing else changes.
     */
    private static void quietNativeAccess(Instrumentation inst) {
        System.setProperty("jffi.unsafe.disabled", "true");
        if (Runtime.version().feature() < 24) {
            return;
        }
        Module own = DropIn.class.getModule();
        try {
            inst.redefineModule(
                    Object.class.getModule(),
                    Set.of(),
                    Map.of("jdk.internal.access", Set.of(own)),
                    Map.of(),
                    Set.of(),
                    Map.of());
            Object access = Class.forName("jdk.internal.access.SharedSecrets")
                    .getMethod("getJavaLangAccess")
                    .invoke(null);
            // jffi loads its stub from a class loader of its own: every unnamed module, as
            // --enable-native-access=ALL-UNNAMED; this JVM runs nothing else before the execve.
            Class.forName("jdk.internal.access.JavaLangAccess")
                    .getMethod("addEnableNativeAccessToAllUnnamed")
                    .invoke(access);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // The JDK prints its warnings; the drop-in works the same.
        }
    }

    /**
     * In a sandbox: returns if this process is confined (no_new_privs and a seccomp filter, from
     * {@code /proc/self/status}); otherwise the marker was set by someone else, and the drop-in
     * refuses rather than let the program run unconfined.
     */
    private static void requireConfined() throws DropInException {
        String status;
        try {
            status = Files.readString(Path.of("/proc/self/status"));
        } catch (IOException e) {
            throw new DropInException(
                    DropInException.CANNOT_CONFINE, "cannot read /proc/self/status: " + e.getMessage(), e);
        }
        if (!confined(status)) {
            throw new DropInException(
                    DropInException.CANNOT_CONFINE,
                    SandboxMarker.VARIABLE
                            + " is set, but this JVM is not confined by Airlock: unset it to start the broker");
        }
    }

    /** Whether {@code /proc/self/status} says no_new_privs and seccomp filter mode. */
    static boolean confined(String status) {
        boolean noNewPrivs = false;
        boolean seccomp = false;
        for (String line : status.split("\n", -1)) {
            String compact = line.replaceAll("\\s+", " ").strip();
            noNewPrivs |= compact.equals("NoNewPrivs: 1");
            seccomp |= compact.equals("Seccomp: 2");
        }
        return noNewPrivs && seccomp;
    }

    private static void stop(String message, int exitCode) {
        System.err.println("airlock: " + message.replace('\n', ' ').replace('\r', ' '));
        System.err.flush();
        Runtime.getRuntime().halt(exitCode);
    }
}
