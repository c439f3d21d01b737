package dev.airlock.broker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The helper's command line: the user's java arguments, unchanged, after Airlock's own options
 * (the class path they name, which the helper reads by itself, is {@link ClassPath}'s). Pure: it
 * reads neither the file system nor the environment.
 */
final class HelperCommandLine {
    /** The descriptor number the helper finds its end of the channel at. */
    static final int CHANNEL_FD = 3;

    private HelperCommandLine() {}

    /**
     * The helper's argv: the launcher, Airlock's JVM options (the agent told its channel, its
     * transform cache or null for none, and the roots it may answer metadata queries under
     * directly), then the user's arguments unchanged.
     */
    static List<String> build(
            Path java,
            int javaMajor,
            RuntimeFiles runtime,
            Path transformCache,
            List<String> directRoots,
            List<String> userArgs) {
        return build(java, javaMajor, runtime, transformCache, directRoots, List.of(), OptionalLong.empty(), userArgs);
    }

    /**
     * As {@link #build(Path, int, RuntimeFiles, Path, List, List)}, the agent also told
     * {@code hiddenRoots}, the directories covered in the helper's mount namespace
     * ({@link ClassPathView}), beneath which a native ENOENT is the broker's to answer, and, when
     * {@code timeline} holds one, the origin of the start-up timeline
     * ({@link dev.airlock.ipc.StartupTimeline}), on which the helper prints its own marks.
     */
    static List<String> build(
            Path java,
            int javaMajor,
            RuntimeFiles runtime,
            Path transformCache,
            List<String> directRoots,
            List<String> hiddenRoots,
            OptionalLong timeline,
            List<String> userArgs) {
        List<String> argv = new ArrayList<>();
        argv.add(java.toString());
        // The shared perf-data file would be created in /tmp, where the helper may write nothing.
        argv.add("-XX:+PerfDisableSharedMem");
        argv.add("-Djffi.boot.library.path=" + runtime.jffiDirectory());
        if (javaMajor >= 24) {
            // jffi loads its native stub with System.load and reaches memory through sun.misc.Unsafe;
            // without these the JVM would print warnings into the application's stderr.
            argv.add("--enable-native-access=ALL-UNNAMED");
            argv.add("--sun-misc-unsafe-memory-access=allow");
        }
        StringBuilder direct = new StringBuilder();
        for (String root : directRoots) {
            direct.append(direct.length() == 0 ? "" : ":").append(encodeAgentValue(root));
        }
        StringBuilder hidden = new StringBuilder();
        for (String root : hiddenRoots) {
            hidden.append(hidden.length() == 0 ? "" : ":").append(encodeAgentValue(root));
        }
        argv.add("-javaagent:" + runtime.agentJar() + "=channel=" + CHANNEL_FD
                + (transformCache != null ? ",cache=" + encodeAgentValue(transformCache.toString()) : "")
                + ",direct=" + direct
                + (hiddenRoots.isEmpty() ? "" : ",hidden=" + hidden)
                + (timeline.isPresent() ? ",timeline=" + timeline.getAsLong() : ""));
        argv.addAll(userArgs);
        return argv;
    }

    /**
     * Percent-encodes the characters the agent's argument syntax uses ({@code %}, {@code ,} and
     * the {@code :} between direct roots), so that any path survives the trip.
     */
    static String encodeAgentValue(String value) {
        StringBuilder b = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '%':
                    b.append("%25");
                    break;
                case ',':
                    b.append("%2C");
                    break;
                case ':':
                    b.append("%3A");
                    break;
                default:
                    b.append(c);
            }
        }
        return b.toString();
    }
}
