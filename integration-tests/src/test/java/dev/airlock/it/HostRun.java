package dev.airlock.it;

import dev.airlock.it.app.HostProbe;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs {@link HostProbe} in a {@link Sandbox}: under {@code airlock run} with Airlock's own options
 * before {@code --}, or plainly with the same JDK, so that the two can be compared answer by answer.
 */
final class HostRun {
    private HostRun() {}

    /** Copies the probe into the sandbox's application directory, readable by the helper's user. */
    static void install(Sandbox s) throws IOException {
        String resource = HostProbe.class.getName().replace('.', '/') + ".class";
        Path target = s.app.resolve(resource);
        Files.createDirectories(target.getParent());
        try (InputStream in = HostProbe.class.getClassLoader().getResourceAsStream(resource)) {
            Files.write(target, in.readAllBytes());
        }
        s.worldReadable(s.app);
    }

    /** {@code airlock run --java JDK [airlockOptions] -- [jvmOptions] -cp APP HostProbe operations}. */
    static List<String> sandboxed(
            Sandbox s, Jdk jdk, List<String> airlockOptions, List<String> jvmOptions, String... operations)
            throws IOException {
        install(s);
        List<String> command = new ArrayList<>(
                List.of(Sandbox.LAUNCHER.toString(), "run", "--java", jdk.java().toString()));
        command.addAll(airlockOptions);
        command.add("--");
        command.addAll(javaArgs(s, jvmOptions, operations));
        return command;
    }

    /** The same program run plainly by {@code jdk}'s java. */
    static List<String> plain(Sandbox s, Jdk jdk, List<String> jvmOptions, String... operations) throws IOException {
        install(s);
        List<String> command = new ArrayList<>(List.of(jdk.java().toString()));
        command.addAll(javaArgs(s, jvmOptions, operations));
        return command;
    }

    private static List<String> javaArgs(Sandbox s, List<String> jvmOptions, String... operations) {
        List<String> args = new ArrayList<>(jvmOptions);
        args.add("-cp");
        args.add(s.app.toString());
        args.add(HostProbe.class.getName());
        args.addAll(List.of(operations));
        return args;
    }

    static Sandbox.Result run(List<String> command) throws IOException, InterruptedException {
        return Sandbox.Result.of(Sandbox.start(command), 120);
    }
}
