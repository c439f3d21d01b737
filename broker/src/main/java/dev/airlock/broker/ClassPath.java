package dev.airlock.broker;

import dev.airlock.ipc.LauncherOptions;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.StringTokenizer;

/**
 * The program's own code as the JVM will read it, which the helper reads by itself (class loading
 * is never brokered): every class path entry the java launcher and the JVM will open, computed from
 * the java arguments the way they compute it, and the files the launcher reads natively before the
 * JVM starts. Pure: what it needs of the disk it asks a {@link ClassPathFiles}.
 *
 * <p>What counts, in the JDK's own terms (checked against {@code libjli}'s {@code args.c} and
 * {@code jdk.internal.loader.URLClassPath} of JDK 17 and 25):
 * <ul>
 *   <li>{@code JDK_JAVA_OPTIONS}, which the launcher puts before the command line's arguments, and
 *       {@code @argfiles} on the command line and in that variable, up to the main class (after
 *       it, an {@code @} argument is the application's); {@code @@x} is the literal {@code @x}.
 *       The launcher reads each argfile itself, so each is a file the helper reads
 *       ({@link #nativeReads}); the broker reads it too, once the policy grants read on it;
 *   <li>the last {@code -cp}/{@code -classpath}/{@code --class-path}, else the {@code CLASSPATH}
 *       variable, else the current directory (none for a program started from a module); with
 *       {@code -jar}, only the jar. An empty element is the current directory. An element
 *       {@code *} or {@code DIR/*} is each {@code .jar} or {@code .JAR} entry of that directory,
 *       not the files of the directory nor its subdirectories (the launcher lists the directory
 *       itself, {@link #listed});
 *   <li>the last {@code --module-path}/{@code -p} and {@code --upgrade-module-path}, element by
 *       element (a module directory is read whole); every {@code -javaagent:} jar, which
 *       libinstrument opens and the system class loader then reads;
 *   <li>the {@code Class-Path} of every jar among those (not of module-path entries), and of the
 *       jars those name, recursively: space-separated relative URLs against the jar's own URL,
 *       {@code file:} URLs, any other scheme ignored, entries that are not there or not archives
 *       skipped, as the JVM skips them. A directory a manifest names ({@code classes/}) is
 *       <b>not</b> given: a jar is the program's, and a program that could name any directory
 *       tree in its manifest could read it past the policy; {@link #warnings} names each one.
 * </ul>
 *
 * <p>The JVM's system class loader opens every class path entry (and reads their manifests) while
 * it looks up the agent's {@code Premain-Class}, before any agent runs, and drops for good an entry
 * it cannot open; the launcher reads the {@code -jar} manifest and the argfiles, and libinstrument
 * the {@code -javaagent} jars, natively before the JVM starts. So the broker cannot open these for
 * the helper later (see docs/ARCHITECTURE.md, "The class path"). An entry (or argfile, or listed
 * directory) the helper's user may read itself but not reach, behind a directory it may not
 * search, is shown to it where it is ({@link #view}); one it may not read itself is refused.
 */
record ClassPath(
        List<Path> entries, List<Path> nativeReads, List<Path> listed, List<String> warnings, ClassPathView view) {
    /** The most entries a class path may have, manifests included: a bound on what a jar can make the broker read. */
    static final int MAX_ENTRIES = 65_536;

    ClassPath {
        entries = List.copyOf(entries);
        nativeReads = List.copyOf(nativeReads);
        listed = List.copyOf(listed);
        warnings = List.copyOf(warnings);
    }

    /** A class path the helper reaches by itself: no view. */
    ClassPath(List<Path> entries, List<Path> nativeReads, List<Path> listed, List<String> warnings) {
        this(entries, nativeReads, listed, warnings, ClassPathView.NONE);
    }

    /**
     * The class path of {@code javaArgs} run in {@code workingDirectory} with the environment
     * {@code variables} ({@code JDK_JAVA_OPTIONS}, {@code CLASSPATH}, {@code HOME}).
     *
     * @throws AirlockException an argfile the policy does not grant or that cannot be read, an
     *     entry the helper cannot read by its own permissions, a class path beyond {@link #MAX_ENTRIES}
     */
    static ClassPath resolve(
            List<String> javaArgs, Map<String, String> variables, Path workingDirectory, ClassPathFiles files)
            throws AirlockException {
        List<Path> argFiles = new ArrayList<>();
        List<String> arguments = new ArrayList<>();
        String options = variables.get("JDK_JAVA_OPTIONS");
        Expansion expansion = new Expansion();
        if (options != null) {
            for (String token : ArgFileSyntax.optionTokens(options)) {
                expansion.add(token, arguments, argFiles, workingDirectory, files);
            }
        }
        for (String arg : javaArgs) {
            expansion.add(arg, arguments, argFiles, workingDirectory, files);
        }

        Collector collector = new Collector(workingDirectory, files);
        Options parsed = Options.parse(arguments);
        if (parsed.jar != null) {
            collector.operatorEntry(workingDirectory.resolve(parsed.jar).normalize());
        } else {
            String list = parsed.classPath;
            String origin = "-cp " + list;
            if (list == null) {
                String variable = variables.get("CLASSPATH");
                if (variable != null && !variable.isEmpty()) {
                    list = variable;
                    origin = "CLASSPATH=" + variable;
                } else if (!parsed.module) {
                    list = "";
                    origin = "no -cp and no CLASSPATH";
                }
            }
            if (list != null) {
                collector.classPathList(list, origin);
            }
        }
        for (String modulePath : parsed.modulePaths) {
            for (String element : modulePath.split(File.pathSeparator, -1)) {
                collector.plainEntry(workingDirectory
                        .resolve(element.isEmpty() ? "." : element)
                        .normalize());
            }
        }
        for (String agent : parsed.agents) {
            collector.operatorEntry(workingDirectory.resolve(agent).normalize());
        }
        collector.followManifests();

        List<Path> entries = new ArrayList<>(collector.entries);
        List<ClassPathFiles.Reach.Hidden> hidden = new ArrayList<>();
        for (Path path : entries) {
            judge(path, "class path entry", files, hidden);
        }
        for (Path path : argFiles) {
            judge(path, "argfile", files, hidden);
        }
        for (Path path : collector.listed) {
            judge(path, "class path directory the launcher lists", files, hidden);
        }
        List<String> warnings = new ArrayList<>(collector.warnings);
        currentDirectoryWarning(collector, workingDirectory, variables.get("HOME"))
                .ifPresent(warnings::add);
        return new ClassPath(entries, argFiles, new ArrayList<>(collector.listed), warnings, ClassPathView.of(hidden));
    }

    /**
     * The class path {@code javaArgs} name in {@code environment}, read from no disk
     * ({@link ClassPathFiles#unread}): no manifest, wildcard or argfile is followed, no entry refused.
     */
    static ClassPath named(List<String> javaArgs, Environment environment) {
        try {
            return resolve(javaArgs, environment.variables(), environment.workingDirectory(), ClassPathFiles.unread());
        } catch (AirlockException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * Whether the helper reaches {@code path} by itself: nothing to do; behind a directory it may
     * not search: added to {@code hidden}, for the view; not readable itself: refused by name.
     */
    private static void judge(Path path, String what, ClassPathFiles files, List<ClassPathFiles.Reach.Hidden> hidden)
            throws AirlockException {
        if (files.kind(path) == ClassPathFiles.Kind.MISSING) {
            return;
        }
        ClassPathFiles.Reach reach = files.helperReach(path);
        if (reach instanceof ClassPathFiles.Reach.Hidden shown) {
            hidden.add(shown);
        } else if (reach instanceof ClassPathFiles.Reach.Refused refused) {
            throw new AirlockException(
                    ExitCodes.USAGE,
                    "the " + what + " " + path + " is not readable by the helper's user ("
                            + refused.why()
                            + "): the java launcher and the JVM open the class path before Airlock's agent can ask"
                            + " the broker for it; make it readable to that user, move the program where it can"
                            + " read it, or run airlock as the user who owns it");
        }
    }

    /** The warning when the current directory is on the class path and it is {@code /} or holds the user's home. */
    private static Optional<String> currentDirectoryWarning(Collector collector, Path workingDirectory, String home) {
        if (collector.currentDirectoryBecause == null) {
            return Optional.empty();
        }
        String exposed;
        if (workingDirectory.getNameCount() == 0) {
            exposed = "/, the whole file system";
        } else if (home != null
                && home.startsWith("/")
                && Path.of(home).normalize().startsWith(workingDirectory)) {
            exposed = workingDirectory
                    + (Path.of(home).normalize().equals(workingDirectory)
                            ? ", your home directory"
                            : ", which holds your home directory " + home);
        } else {
            return Optional.empty();
        }
        return Optional.of(
                "airlock: WARNING: the class path is the current directory (" + collector.currentDirectoryBecause
                        + "), so the program may read everything under " + exposed
                        + " that its user can; give -cp with the program's own directories or jars to avoid it");
    }

    /** The launcher's argfile expansion, up to the first argument of the application. */
    private static final class Expansion {
        private boolean applicationArguments;
        private boolean expectValue;
        private boolean stopped;

        void add(String arg, List<String> out, List<Path> argFiles, Path workingDirectory, ClassPathFiles files)
                throws AirlockException {
            if (applicationArguments) {
                out.add(arg);
                return;
            }
            if (stopped || arg.length() < 2 || arg.charAt(0) != '@') {
                check(arg);
                out.add(arg);
                return;
            }
            if (arg.charAt(1) == '@') {
                String literal = arg.substring(1);
                check(literal);
                out.add(literal);
                return;
            }
            Path file = workingDirectory.resolve(arg.substring(1)).normalize();
            if (!argFiles.contains(file)) {
                argFiles.add(file);
            }
            // the tokens of a file are never expanded again: an @ among them is literal
            for (String token : ArgFileSyntax.argFileTokens(files.argFile(file))) {
                if (!applicationArguments) {
                    check(token);
                }
                out.add(token);
            }
        }

        /** The launcher's {@code checkArg}: finds where the application's arguments begin. */
        private void check(String arg) {
            if (arg.startsWith("-")) {
                expectValue = LauncherOptions.takesValue(arg);
                if (arg.equals("--disable-@files")) {
                    stopped = true;
                } else if (arg.startsWith("--module=")) {
                    applicationArguments = true;
                }
            } else {
                if (!expectValue) {
                    applicationArguments = true; // the main class, or -jar's or -m's operand
                }
                expectValue = false;
            }
        }
    }

    /** The class path options of the expanded arguments, up to the main class. */
    private static final class Options {
        String classPath;
        String jar;
        boolean module;
        final List<String> modulePaths = new ArrayList<>();
        final List<String> agents = new ArrayList<>();

        static Options parse(List<String> args) {
            Options o = new Options();
            String modulePath = null;
            String upgradePath = null;
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                boolean hasValue = i + 1 < args.size();
                if ((arg.equals("-cp") || arg.equals("-classpath") || arg.equals("--class-path")) && hasValue) {
                    o.classPath = args.get(++i); // the last one wins, as in the launcher
                } else if (arg.startsWith("--class-path=")) {
                    o.classPath = arg.substring("--class-path=".length());
                } else if ((arg.equals("-p") || arg.equals("--module-path")) && hasValue) {
                    modulePath = args.get(++i);
                } else if (arg.startsWith("--module-path=")) {
                    modulePath = arg.substring("--module-path=".length());
                } else if (arg.equals("--upgrade-module-path") && hasValue) {
                    upgradePath = args.get(++i);
                } else if (arg.startsWith("--upgrade-module-path=")) {
                    upgradePath = arg.substring("--upgrade-module-path=".length());
                } else if (arg.startsWith("-javaagent:")) {
                    String jar = arg.substring("-javaagent:".length());
                    int equals = jar.indexOf('=');
                    o.agents.add(equals < 0 ? jar : jar.substring(0, equals));
                } else if (arg.equals("-jar") && hasValue) {
                    o.jar = args.get(++i);
                    break; // what follows the jar are the application's own arguments
                } else if (((arg.equals("-m") || arg.equals("--module")) && hasValue) || arg.startsWith("--module=")) {
                    o.module = true;
                    break; // the main module: the rest are the application's arguments
                } else if (LauncherOptions.takesValue(arg) && hasValue) {
                    i++;
                } else if (!arg.startsWith("-")) {
                    break; // the main class: the rest are the application's arguments
                }
            }
            if (modulePath != null) {
                o.modulePaths.add(modulePath);
            }
            if (upgradePath != null) {
                o.modulePaths.add(upgradePath);
            }
            return o;
        }
    }

    /** The entries found so far, in order, each once, and the jars whose manifests are still to read. */
    private static final class Collector {
        final Path workingDirectory;
        final ClassPathFiles files;
        final Set<Path> entries = new LinkedHashSet<>();
        final Deque<Path> unreadManifests = new ArrayDeque<>();
        final List<String> warnings = new ArrayList<>();
        final Set<Path> listed = new LinkedHashSet<>();
        String currentDirectoryBecause;

        Collector(Path workingDirectory, ClassPathFiles files) {
            this.workingDirectory = workingDirectory;
            this.files = files;
        }

        /** A {@code -cp}/{@code CLASSPATH} value, wildcards expanded as the launcher expands them. */
        void classPathList(String list, String origin) throws AirlockException {
            for (String element : list.split(File.pathSeparator, -1)) {
                if (element.equals("*") || element.endsWith("/*")) {
                    Path directory = workingDirectory
                            .resolve(element.length() == 1 ? "." : element.substring(0, element.length() - 2))
                            .normalize();
                    if (files.kind(directory) == ClassPathFiles.Kind.DIRECTORY) {
                        listed.add(directory); // the launcher lists it natively: names only, no file in it
                    }
                    for (Path jar : files.jarsIn(directory)) {
                        operatorEntry(jar.normalize());
                    }
                    continue;
                }
                Path entry = workingDirectory
                        .resolve(element.isEmpty() ? "." : element)
                        .normalize();
                if (entry.equals(workingDirectory) && currentDirectoryBecause == null) {
                    currentDirectoryBecause = element.isEmpty()
                            ? (list.isEmpty() ? origin : "an empty entry in " + origin)
                            : (element.equals(".") ? "-cp ." : origin);
                }
                operatorEntry(entry);
            }
        }

        /** An entry the command line names: given as it is, and its manifest followed if it is a jar. */
        void operatorEntry(Path entry) throws AirlockException {
            if (add(entry) && files.kind(entry) == ClassPathFiles.Kind.ARCHIVE) {
                unreadManifests.add(entry);
            }
        }

        /** A module path entry: given as it is; the module system ignores manifests' Class-Path. */
        void plainEntry(Path entry) throws AirlockException {
            add(entry);
        }

        private boolean add(Path entry) throws AirlockException {
            if (entries.size() >= MAX_ENTRIES && !entries.contains(entry)) {
                throw new AirlockException(
                        ExitCodes.USAGE, "the class path has more than " + MAX_ENTRIES + " entries (at " + entry + ")");
            }
            return entries.add(entry);
        }

        void followManifests() throws AirlockException {
            while (!unreadManifests.isEmpty()) {
                Path jar = unreadManifests.poll();
                Optional<String> value = files.manifestClassPath(jar);
                if (value.isEmpty()) {
                    continue;
                }
                StringTokenizer tokens = new StringTokenizer(value.get());
                while (tokens.hasMoreTokens()) {
                    String token = tokens.nextToken();
                    Optional<String> path = manifestEntry(jar, token);
                    if (path.isEmpty()) {
                        continue;
                    }
                    String name = path.get();
                    if (name.endsWith("/")) {
                        Path directory = Path.of(name).normalize();
                        if (!entries.contains(directory) && files.kind(directory) == ClassPathFiles.Kind.DIRECTORY) {
                            warnings.add(
                                    "airlock: WARNING: the Class-Path of " + jar + " names the directory " + directory
                                            + ", which the program is not given (a jar may not name a directory tree to read);"
                                            + " name it with -cp if the program needs it");
                        }
                        continue;
                    }
                    Path entry = Path.of(name).normalize();
                    if (!entries.contains(entry) && files.kind(entry) == ClassPathFiles.Kind.ARCHIVE) {
                        add(entry);
                        unreadManifests.add(entry);
                    }
                }
            }
        }
    }

    /**
     * The local path a {@code Class-Path} token of {@code jar} names, as {@code URLClassPath}
     * resolves it ({@code new URL(jarUrl, token)}, any scheme but {@code file:} ignored, a host
     * other than {@code localhost} not local, the path percent-decoded); a trailing {@code /} is
     * kept (a directory). Empty when the JVM would not open it as a local file.
     */
    static Optional<String> manifestEntry(Path jar, String token) {
        URL resolved;
        try {
            URL base = new URI("file", null, jar.toString(), null).toURL();
            resolved = new URL(base, token);
        } catch (URISyntaxException | MalformedURLException | IllegalArgumentException e) {
            return Optional.empty();
        }
        if (!"file".equalsIgnoreCase(resolved.getProtocol())) {
            return Optional.empty();
        }
        String host = resolved.getHost();
        if (host != null && !host.isEmpty() && !host.equals("localhost")) {
            return Optional.empty();
        }
        Optional<String> path = percentDecoded(resolved.getFile());
        if (path.isEmpty() || !path.get().startsWith("/")) {
            return Optional.empty();
        }
        return path;
    }

    /** {@code %XX} sequences decoded as UTF-8; empty when one is malformed (the JVM would fail on it). */
    private static Optional<String> percentDecoded(String s) {
        if (s.indexOf('%') < 0) {
            return Optional.of(s);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    return Optional.empty();
                }
                int high = Character.digit(s.charAt(i + 1), 16);
                int low = Character.digit(s.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    return Optional.empty();
                }
                bytes.write(high * 16 + low);
                i += 2;
            } else {
                byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(encoded, 0, encoded.length);
            }
        }
        return Optional.of(bytes.toString(StandardCharsets.UTF_8));
    }
}
