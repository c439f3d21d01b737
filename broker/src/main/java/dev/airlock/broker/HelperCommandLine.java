package dev.airlock.broker;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The helper's command line: the user's java arguments after Airlock's own options, and the
 * class path those arguments name, which {@link SandboxPlanner} lets the helper read by itself
 * (class loading is never brokered: it would cost a round trip per class and change nothing the
 * policy decides). Pure: it reads neither the file system nor the environment.
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
        argv.add("-javaagent:" + runtime.agentJar() + "=channel=" + CHANNEL_FD
                + (transformCache != null ? ",cache=" + encodeAgentValue(transformCache.toString()) : "")
                + ",direct=" + direct);
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

    /**
     * The class path entries the user's arguments name: {@code -cp}/{@code -classpath}/
     * {@code --class-path}, {@code -jar}, {@code --module-path}/{@code -p} and
     * {@code -javaagent:} jars; without any, the {@code CLASSPATH} variable ({@code classPathVariable})
     * or the current directory, as {@code java} itself defaults, except that a program started from a module
     * ({@code -m}) gets no default current directory: it does not load its classes from there,
     * and granting it would let the helper read the whole directory past the policy.
     */
    static List<Path> classPath(List<String> userArgs, Path workingDirectory, Optional<String> classPathVariable) {
        List<Path> entries = new ArrayList<>();
        boolean explicit = false;
        boolean module = false;
        for (int i = 0; i < userArgs.size(); i++) {
            String arg = userArgs.get(i);
            boolean hasValue = i + 1 < userArgs.size();
            if ((arg.equals("-cp") || arg.equals("-classpath") || arg.equals("--class-path")) && hasValue) {
                addPathList(entries, userArgs.get(++i), workingDirectory);
                explicit = true;
            } else if (arg.startsWith("--class-path=")) {
                addPathList(entries, arg.substring("--class-path=".length()), workingDirectory);
                explicit = true;
            } else if ((arg.equals("-p") || arg.equals("--module-path")) && hasValue) {
                addPathList(entries, userArgs.get(++i), workingDirectory);
            } else if (arg.startsWith("--module-path=")) {
                addPathList(entries, arg.substring("--module-path=".length()), workingDirectory);
            } else if (arg.startsWith("-javaagent:")) {
                String jar = arg.substring("-javaagent:".length());
                int equals = jar.indexOf('=');
                entries.add(workingDirectory.resolve(equals < 0 ? jar : jar.substring(0, equals)));
            } else if (arg.equals("-jar") && hasValue) {
                entries.add(workingDirectory.resolve(userArgs.get(++i)));
                explicit = true;
                break; // what follows the jar are the application's own arguments
            } else if (((arg.equals("-m") || arg.equals("--module")) && hasValue) || arg.startsWith("--module=")) {
                module = true;
                break; // the main module: the rest are the application's arguments
            } else if (!arg.startsWith("-")) {
                break; // the main class: the rest are the application's arguments
            }
        }
        if (!explicit) {
            if (classPathVariable.isPresent() && !classPathVariable.get().isEmpty()) {
                addPathList(entries, classPathVariable.get(), workingDirectory);
            } else if (!module) {
                addPathList(entries, ".", workingDirectory);
            }
        }
        return entries;
    }

    private static void addPathList(List<Path> entries, String list, Path workingDirectory) {
        for (String entry : list.split(File.pathSeparator, -1)) {
            String value = entry.isEmpty() ? "." : entry;
            if (value.endsWith("/*") || value.equals("*")) {
                value = value.length() == 1 ? "." : value.substring(0, value.length() - 2);
            }
            entries.add(workingDirectory.resolve(value).normalize());
        }
    }
}
