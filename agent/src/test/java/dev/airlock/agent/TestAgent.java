package dev.airlock.agent;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The {@code Premain-Class} of the jar the tests build: installs the agent through the same code
 * as {@link AirlockAgent#premain} ({@link AirlockAgent#start}), with a {@link FakeOpener} instead of
 * the broker client.
 *
 * <p>Its one argument is {@code config=FILE}, a properties file holding {@code agent.args} (passed
 * to the agent as its argument string), the fake opener's rules (see {@link FakeOpener}) and
 * optionally {@code report=FILE}, where it writes how the hooks were installed and how many
 * ByteBuddy classes the JVM loaded, {@code exit.report=FILE}, where it writes that number again
 * as the JVM exits (after the program, which may have loaded more JDK classes), and
 * {@code retransform=true}, which retransforms the hooked classes once more after installation,
 * as another agent might.
 */
public final class TestAgent {

    private TestAgent() {}

    public static void premain(String args, Instrumentation inst) throws IOException, ClassNotFoundException {
        if (args == null || !args.startsWith("config=")) {
            throw new IllegalArgumentException("TestAgent needs config=FILE");
        }
        Properties config = new Properties();
        try (InputStream in = new FileInputStream(args.substring("config=".length()))) {
            config.load(in);
        }
        // The fake opener hands out descriptors of channels it opens itself; reaching the int
        // inside a FileChannel needs sun.nio.ch (java.io is opened by the agent's bridge already).
        Module base = Object.class.getModule();
        Module self = TestAgent.class.getModule();
        inst.redefineModule(
                base,
                Set.of(),
                Map.of(),
                Map.of("sun.nio.ch", Set.of(self), "java.io", Set.of(self)),
                Set.of(),
                Map.of());
        FakeOpener opener = new FakeOpener(config);
        Installer.Mode mode = AirlockAgent.start(config.getProperty("agent.args", ""), inst, a -> opener);
        if (Boolean.parseBoolean(config.getProperty("retransform"))) {
            // What another agent (a profiler, say) may do later: the JVM then reruns every
            // retransformation-capable transformer on the original class bytes.
            List<Class<?>> hooked = new ArrayList<>();
            for (String type : Installer.hookedClasses()) {
                hooked.add(Class.forName(type, false, null));
            }
            try {
                inst.retransformClasses(hooked.toArray(new Class<?>[0]));
            } catch (UnmodifiableClassException e) {
                throw new IllegalStateException(e);
            }
        }
        String report = config.getProperty("report");
        if (report != null) {
            Files.writeString(
                    Path.of(report),
                    "mode=" + mode + "\nbytebuddy=" + byteBuddyClasses(inst) + "\n",
                    StandardCharsets.UTF_8);
        }
        String exitReport = config.getProperty("exit.report");
        if (exitReport != null) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    Files.writeString(
                            Path.of(exitReport), "bytebuddy=" + byteBuddyClasses(inst) + "\n", StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }));
        }
    }

    private static long byteBuddyClasses(Instrumentation inst) {
        long byteBuddy = 0;
        for (Class<?> c : inst.getAllLoadedClasses()) {
            if (c.getName().startsWith("net.bytebuddy.")) {
                byteBuddy++;
            }
        }
        return byteBuddy;
    }
}
