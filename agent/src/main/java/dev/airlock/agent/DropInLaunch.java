package dev.airlock.agent;

import dev.airlock.ipc.LauncherOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * How the drop-in turns the JVM it was loaded into into {@code airlock run} of the same program:
 * pure, from what the JVM was started with (its launcher, its command line as
 * {@code /proc/self/cmdline} holds it, its environment) to the broker's command line and
 * environment, which the drop-in then executes in place of this JVM ({@link DropIn}).
 *
 * <p>The broker is airlock.jar's own {@code airlock run}, so that both ways in share every
 * decision: {@code JAVA -XX:+UseSerialGC -Xmn4m -Xshare:auto -jar airlock.jar run --java JAVA
 * [--policy FILE]... [--trust FILE]... [--user USER] [--allow-weaker=landlock] [--audit FILE [--audit-key FILE] [--audit-allowed]] [--drop-in-env NAME=VALUE]... --
 * ARGS}, where ARGS is this JVM's command line as typed, without the launcher and without the
 * drop-in's own {@code -javaagent} (the helper's agent is the one the broker adds). The broker
 * JVM gets lean options of its own, never the program's ({@code -Xmx}, {@code -XX:+AlwaysPreTouch}
 * do not double), and an environment without {@link #JVM_OPTION_VARIABLES}, so that it neither
 * loads the drop-in again nor prints the JVM's "Picked up" lines a second time; the broker
 * gives them back to the helper ({@code --drop-in-env}) as the user set them, less the drop-in's
 * own {@code -javaagent}: a variable that held nothing else is left unset for the helper, so
 * its JVM prints nothing that a plain run would not.
 */
final class DropInLaunch {
    /** The environment variables the JVM and its launcher read options from. */
    static final List<String> JVM_OPTION_VARIABLES = List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS");

    /** The broker's JVM options, as {@code bin/airlock} gives them: see its comment. */
    static final List<String> BROKER_OPTIONS = List.of("-XX:+UseSerialGC", "-Xmn4m", "-Xshare:auto");

    /** On JDK 24 and later, what jffi needs in the broker not to warn (as the helper's, HelperCommandLine). */
    static final List<String> BROKER_NATIVE_OPTIONS =
            List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow");

    private final Path java;
    private final Path agentJar;
    private final int javaMajor;
    private final Function<String, Path> realPath;

    /**
     * For a JVM whose launcher is {@code java}, of major version {@code javaMajor}, that loaded
     * the drop-in from {@code agentJar} (a real path); {@code realPath} turns an agent jar named
     * on a command line into its real path (null if it cannot), so that the drop-in finds its own
     * {@code -javaagent} however it was spelled.
     */
    DropInLaunch(Path java, Path agentJar, int javaMajor, Function<String, Path> realPath) {
        this.java = java;
        this.agentJar = agentJar;
        this.javaMajor = javaMajor;
        this.realPath = realPath;
    }

    /** The broker's command line and environment ({@code NAME=VALUE} entries). */
    record Broker(List<String> argv, List<String> environment) {
        Broker {
            argv = List.copyOf(argv);
            environment = List.copyOf(environment);
        }
    }

    /**
     * The broker that runs this JVM's program confined. {@code cmdline} is this process's
     * command line ({@code /proc/self/cmdline}, the launcher first), {@code environment} its
     * environment, {@code agentOptions} the option string this agent was given (null for none),
     * {@code policies} the absolute policy files, {@code trust} the absolute files of the keys
     * trusted to sign them, {@code audit} the audit log's options with absolute files.
     */
    Broker broker(
            List<String> cmdline,
            Map<String, String> environment,
            String agentOptions,
            DropInOptions options,
            List<String> policies,
            List<String> trust,
            Optional<DropInOptions.Audit> audit)
            throws DropInException {
        List<String> argv = new ArrayList<>();
        argv.add(java.toString());
        argv.addAll(BROKER_OPTIONS);
        if (javaMajor >= 24) {
            argv.addAll(BROKER_NATIVE_OPTIONS);
        }
        argv.add("-jar");
        argv.add(agentJar.toString());
        argv.add("run");
        argv.add("--java");
        argv.add(java.toString());
        for (String policy : policies) {
            argv.add("--policy");
            argv.add(policy);
        }
        for (String key : trust) {
            argv.add("--trust");
            argv.add(key);
        }
        options.user().ifPresent(user -> {
            argv.add("--user");
            argv.add(user);
        });
        options.allowWeaker().ifPresent(layer -> argv.add("--allow-weaker=" + layer));
        audit.ifPresent(log -> {
            argv.add("--audit");
            argv.add(log.file());
            log.key().ifPresent(key -> {
                argv.add("--audit-key");
                argv.add(key);
            });
            if (log.allowed()) {
                argv.add("--audit-allowed");
            }
        });
        Map<String, String> brokerEnvironment = new LinkedHashMap<>(environment);
        for (String name : JVM_OPTION_VARIABLES) {
            String value = brokerEnvironment.remove(name);
            if (value == null) {
                continue;
            }
            String kept = withoutOwnAgent(value, agentOptions);
            if (kept != null) {
                argv.add("--drop-in-env");
                argv.add(name + "=" + kept);
            }
        }
        argv.add("--");
        argv.addAll(javaArgs(cmdline, agentOptions));
        List<String> env = new ArrayList<>();
        for (Map.Entry<String, String> e : brokerEnvironment.entrySet()) {
            env.add(e.getKey() + "=" + e.getValue());
        }
        return new Broker(argv, env);
    }

    /**
     * The program's java arguments: {@code cmdline} without the launcher and without every
     * {@code -javaagent} of this agent's jar among the JVM options (those before the main class,
     * {@code -jar FILE} or {@code -m MODULE}; after it, an argument is the application's, and an
     * {@code @argfile}, which the launcher expands, ends the search, since what it holds is not
     * known here: an agent given there stays, and does nothing in the sandbox ({@link DropIn})).
     */
    List<String> javaArgs(List<String> cmdline, String agentOptions) throws DropInException {
        if (cmdline.isEmpty()) {
            throw new DropInException(DropInException.CANNOT_CONFINE, "this JVM's command line is empty");
        }
        List<String> args = new ArrayList<>();
        boolean options = true;
        for (int i = 1; i < cmdline.size(); i++) {
            String arg = cmdline.get(i);
            if (options && isOwnAgent(arg, agentOptions)) {
                continue;
            }
            args.add(arg);
            if (!options) {
                continue;
            }
            if (LauncherOptions.takesValue(arg) && i + 1 < cmdline.size()) {
                args.add(cmdline.get(++i));
            } else if (arg.equals("-jar") || arg.equals("-m") || arg.equals("--module")) {
                if (i + 1 < cmdline.size()) {
                    args.add(cmdline.get(++i));
                }
                options = false;
            } else if (arg.startsWith("--module=") || arg.startsWith("@") || !arg.startsWith("-")) {
                options = false;
            }
        }
        return args;
    }

    /**
     * {@code value} of a JVM option variable without this agent's {@code -javaagent} (the
     * whitespace-separated words naming this agent's jar), or null when nothing else is left.
     */
    String withoutOwnAgent(String value, String agentOptions) throws DropInException {
        StringBuilder kept = new StringBuilder();
        int i = 0;
        boolean removed = false;
        while (i < value.length()) {
            int start = i;
            while (start < value.length() && Character.isWhitespace(value.charAt(start))) {
                start++;
            }
            int end = start;
            while (end < value.length() && !Character.isWhitespace(value.charAt(end))) {
                end++;
            }
            String word = value.substring(start, end);
            if (!word.isEmpty() && isOwnAgent(word, agentOptions)) {
                removed = true;
            } else {
                kept.append(value, i, end);
            }
            i = end;
        }
        if (!removed) {
            return value;
        }
        String rest = kept.toString().strip();
        return rest.isEmpty() ? null : rest;
    }

    /**
     * Whether {@code arg} is {@code -javaagent:JAR[=OPTIONS]} with JAR this agent's jar. The same
     * jar with other options is refused: two drop-ins with different policies cannot both hold.
     */
    private boolean isOwnAgent(String arg, String agentOptions) throws DropInException {
        if (!arg.startsWith("-javaagent:")) {
            return false;
        }
        String spec = arg.substring("-javaagent:".length());
        int eq = spec.indexOf('=');
        String jar = eq < 0 ? spec : spec.substring(0, eq);
        String given = eq < 0 ? "" : spec.substring(eq + 1);
        Path real = realPath.apply(jar);
        if (real == null || !real.equals(agentJar)) {
            return false;
        }
        String own = agentOptions == null ? "" : agentOptions;
        if (!given.equals(own)) {
            throw new DropInException(
                    DropInException.USAGE,
                    "airlock.jar is given twice as an agent, with different options: '" + own + "' and '" + given
                            + "'");
        }
        return true;
    }
}
