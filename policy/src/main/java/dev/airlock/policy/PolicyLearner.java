package dev.airlock.policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Writes the java.policy that grants exactly what a program was seen to use: the logic of
 * {@code airlock learn}, kept here because every policy matter lives in this module. It takes
 * {@link Observation}s (each an allowed decision of the broker's), and {@link #policyText()} gives
 * one {@code grant { ... };} block with:
 *
 * <ul>
 *   <li>files as files, each with the union of the actions asked on it, nothing more;
 *   <li>a directory's entries as {@code DIR/*} only by the <em>collapse rule</em>, judged for each
 *       file action on its own: the program used that action on at least {@link #MIN_ENTRIES}
 *       distinct entries directly in {@code DIR} <em>and</em> on at least half of the entries the
 *       directory holds ({@link Directories}, looked at when the policy is written). {@code DIR/-}
 *       replaces it when, in addition, every subdirectory of {@code DIR} the program used that
 *       action beneath collapsed by the same rule. So reading 3 files of a directory of 1,000
 *       grants those 3 files, and reading all 40 sources of a package grants {@code pkg/*}. The
 *       directory itself is never covered by its {@code /*} or {@code /-} (as in the JDK); a
 *       listing of it is its own grant;
 *   <li>a <em>scratch file</em>, one the program wrote that no longer exists when the policy is
 *       written (a temporary file it removed or renamed onto another, as Ant's {@code <replace>}
 *       does), as {@code DIR/*} of its directory for the actions it used, since its name was
 *       the program's choice of the moment (a random number, as {@code File.createTempFile}
 *       makes) and the next run picks another; the directory's other entries used with the same
 *       actions fall under that grant. Temporary files in the program's own
 *       {@code java.io.tmpdir} need no grant under Airlock at all;
 *   <li>paths beneath {@code ${user.home}}, {@code ${java.io.tmpdir}} and {@code ${user.dir}}
 *       written with those properties (the longest of them that contains the path);
 *   <li>sockets by the name the program resolved when it connected to an address it had
 *       resolved from a name ({@code api.example.com:443}), else by the address; ephemeral binds
 *       as {@code localhost:0} listen, as the JDK's own java.policy granted them; a resolve only
 *       where no other grant on the name implies it, and never for {@code localhost} or a literal
 *       (the broker always answers those);
 *   <li>nothing a base policy already grants: an action that the base allows on an observation
 *       is left out of what is learnt from it;
 *   <li>before each permission a comment {@code // 12× OPEN, 1× STAT} saying how often and by
 *       which operations it was used; targets sorted, files first.
 * </ul>
 *
 * <p>Merging runs ({@link #merge}) reads a policy this class wrote back: its plain grants
 * become observations again (with their counts), so that the collapse rule is judged over all
 * the runs; its {@code /*} and {@code /-} grants are kept as they are and take the new
 * observations beneath them. Nothing the earlier file granted is lost, and nothing is widened
 * except by the collapse rule over the union.
 *
 * <p>Not thread-safe; one learner per learning run.
 */
public final class PolicyLearner {

    /** The fewest distinct entries of a directory that can collapse into {@code DIR/*}. */
    public static final int MIN_ENTRIES = 8;

    /** What an observation names. */
    public enum Kind {
        /** A file or directory, by absolute path. */
        FILE,
        /** A socket: {@code host:port}, or a bare name for a resolve. */
        SOCKET
    }

    /**
     * One allowed decision: what, which JDK actions (bits of {@link FileActions} or
     * {@link SocketActions}), by which operation (the request's name, for the comments), and for a
     * socket, the names the broker had resolved to its address for the program.
     */
    public record Observation(Kind kind, String target, int actions, String operation, Set<String> names) {
        /** Checks the target and actions of its kind; an empty name set when none. */
        public Observation {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(operation, "operation");
            names = Set.copyOf(names);
            if (kind == Kind.FILE) {
                FileActions.toString(actions);
                if (!target.startsWith("/")) {
                    throw new IllegalArgumentException("not an absolute path: " + target);
                }
            } else {
                SocketActions.toString(actions);
            }
            if (actions == 0) {
                throw new IllegalArgumentException("no actions: " + target);
            }
        }
    }

    /** What the collapse rule looks at on disk: kept apart so that the learner stays pure. */
    public interface Directories {
        /** How many entries {@code directory} holds now, or empty when it is not a readable directory. */
        OptionalInt entryCount(String directory);

        /** Whether {@code path} exists now (a final symbolic link counts as itself, not followed). */
        boolean exists(String path);
    }

    /**
     * The values the learnt policy writes as properties. Each is an absolute, normalized path, or
     * empty to write no such property.
     */
    public record Properties(Optional<String> userHome, Optional<String> tmpDir, Optional<String> userDir) {}

    private final Properties properties;
    private final Optional<Policy> base;
    private final Directories directories;

    /** File path → the actions learnt on it (those the base does not grant). */
    private final Map<String, Integer> files = new TreeMap<>();
    /** File path → the learnt actions an operation asked together → operation → how often. */
    private final Map<String, Map<Integer, Map<String, Integer>>> fileOps = new HashMap<>();
    /** Socket grant target → usage. */
    private final Map<String, Usage> sockets = new TreeMap<>();
    /** Wildcard grants kept from a merged file: target as written → usage. */
    private final Map<String, Usage> kept = new TreeMap<>();

    /** The actions of one permission and how often each operation used it. */
    private static final class Usage {
        int actions;
        final Map<String, Integer> counts = new TreeMap<>();
        /** The paths it stands for, by action bit. */
        final Map<Integer, Set<String>> paths = new TreeMap<>();
        /** For a kept wildcard: the entries its comment counted. */
        int earlierEntries;

        void add(int bits, String operation, int count) {
            actions |= bits;
            counts.merge(operation, count, Integer::sum);
        }
    }

    /**
     * @param base what already applies to the program; nothing it grants is learnt
     */
    public PolicyLearner(Properties properties, Optional<Policy> base, Directories directories) {
        this.properties = Objects.requireNonNull(properties, "properties");
        this.base = Objects.requireNonNull(base, "base");
        this.directories = Objects.requireNonNull(directories, "directories");
    }

    /** Takes one allowed decision into what is learnt. */
    public void observe(Observation o) {
        observe(o, 1);
    }

    private void observe(Observation o, int count) {
        if (o.kind() == Kind.FILE) {
            observeFile(FilePaths.absoluteNormalized(o.target(), "/"), o.actions(), o.operation(), count);
        } else {
            observeSocket(o, count);
        }
    }

    private void observeFile(String path, int actions, String operation, int count) {
        for (var k : kept.entrySet()) {
            if (covers(k.getKey(), path) && (k.getValue().actions & actions) == actions) {
                k.getValue().add(actions, operation, count);
                k.getValue()
                        .paths
                        .computeIfAbsent(actions, b -> new TreeSet<>())
                        .add(path);
                return;
            }
        }
        int learnt = 0;
        for (int bit = 1; bit <= FileActions.READLINK; bit <<= 1) {
            if ((actions & bit) != 0 && !(base.isPresent() && base.get().allowsFile(path, bit))) {
                learnt |= bit;
            }
        }
        if (learnt == 0) {
            return;
        }
        files.merge(path, learnt, (a, b) -> a | b);
        fileOps.computeIfAbsent(path, p -> new TreeMap<>())
                .computeIfAbsent(learnt, b -> new TreeMap<>())
                .merge(operation, count, Integer::sum);
    }

    /** Whether wildcard grant {@code DIR/*} or {@code DIR/-} covers {@code path}, as the JDK decides. */
    private static boolean covers(String wildcard, String path) {
        String dir = wildcard.substring(0, wildcard.length() - 1);
        if (!path.startsWith(dir) || path.length() == dir.length()) {
            return false;
        }
        return wildcard.endsWith("-") || path.indexOf('/', dir.length()) < 0;
    }

    private void observeSocket(Observation o, int count) {
        String target = o.target();
        String host = target;
        int port = -1;
        int colon = target.lastIndexOf(':');
        if (target.startsWith("[") ? target.contains("]:") : colon > 0 && target.indexOf(':') == colon) {
            host = target.substring(0, colon);
            port = Integer.parseInt(target.substring(colon + 1));
        }
        int actions = o.actions();
        if ((actions & SocketActions.LISTEN) != 0) {
            // The JDK named every bind localhost:PORT, whatever address was bound.
            host = "localhost";
        }
        String name = host;
        if ((actions & (SocketActions.CONNECT | SocketActions.ACCEPT)) != 0
                && !o.names().isEmpty()) {
            name = new TreeSet<>(o.names()).first();
        }
        if (actions == SocketActions.RESOLVE) {
            if (Policy.empty().decideResolve(host).allowed()
                    || (base.isPresent() && base.get().decideResolve(host).allowed())) {
                return; // a literal or localhost is always answered; or the base grants it
            }
        } else if (base.isPresent()
                && (base.get().decideSocket(name, port, actions).allowed()
                        || base.get().decideSocket(host, port, actions).allowed())) {
            return;
        }
        String key = port < 0 ? name : name + ":" + port;
        sockets.computeIfAbsent(key, k -> new Usage()).add(actions, o.operation(), count);
    }

    /**
     * Takes in a policy this class wrote earlier ({@code --append}): it must parse as a policy and
     * be in the learner's own layout (the {@link #HEADER}, then a count comment before each
     * permission). Plain file grants become observations again with their counts; {@code DIR/*}
     * and {@code DIR/-} grants are kept and take the observations beneath them that they cover;
     * socket grants are kept with their counts.
     *
     * @param displayName what the messages call the file
     * @throws PolicySyntaxException if the text is not a policy, or not one this class wrote (the
     *     line and what was expected)
     */
    public void merge(String displayName, String text) throws PolicySyntaxException {
        Policy.parse(displayName, text, this::property);
        if (!text.startsWith(HEADER)) {
            throw new PolicySyntaxException(
                    displayName,
                    1,
                    1,
                    "not a learnt policy: it does not start with the"
                            + " comment airlock learn writes, so --append cannot merge it");
        }
        String[] lines = text.split("\n", -1);
        int first = 2; // the lines of HEADER
        if (!lines[first].equals("grant {")) {
            throw notLearnt(displayName, first + 1, "grant {");
        }
        int i = first + 1;
        for (; i + 1 < lines.length && lines[i].startsWith("    // "); i += 2) {
            Map<String, Integer> counts = counts(displayName, i + 1, lines[i].substring(7));
            java.util.regex.Matcher m = PERMISSION.matcher(lines[i + 1]);
            if (!m.matches()) {
                throw notLearnt(displayName, i + 2, "a FilePermission or SocketPermission line");
            }
            String target = m.group(2).replace("\\\"", "\"").replace("\\\\", "\\");
            if (m.group(1).equals("io.FilePermission")) {
                String path = expand(displayName, i + 2, target);
                int actions = FileActions.parse(m.group(3));
                if (path.endsWith("/*") || path.endsWith("/-")) {
                    Usage u = kept.computeIfAbsent(path, k -> new Usage());
                    counts.forEach((op, n) -> u.add(actions, op, n));
                    u.earlierEntries = Math.max(u.earlierEntries, entries(lines[i]));
                } else {
                    counts.forEach((op, n) -> observe(new Observation(Kind.FILE, path, actions, op, Set.of()), n));
                }
            } else {
                int actions = SocketActions.parse(m.group(3));
                Usage u = sockets.computeIfAbsent(target, k -> new Usage());
                counts.forEach((op, n) -> u.add(actions, op, n));
            }
        }
        if (i >= lines.length || !lines[i].equals("};")) {
            throw notLearnt(displayName, i + 1, "};");
        }
    }

    private static final java.util.regex.Pattern PERMISSION = java.util.regex.Pattern.compile(
            "    permission java\\.(io\\.FilePermission|net\\.SocketPermission) \"((?:[^\"\\\\]|\\\\.)*)\", \"([a-z,]+)\";");
    private static final java.util.regex.Pattern COUNT =
            java.util.regex.Pattern.compile("([0-9]{1,9})\u00d7 ([A-Za-z_0-9]+)");

    private static int entries(String comment) {
        java.util.regex.Matcher m = ENTRIES.matcher(comment);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    private static final java.util.regex.Pattern ENTRIES =
            java.util.regex.Pattern.compile(" \\(([0-9]{1,9}) entries\\)$");

    private static Map<String, Integer> counts(String file, int line, String comment) throws PolicySyntaxException {
        String list = comment.replaceFirst(" \\([0-9]+ entries\\)$", "");
        Map<String, Integer> counts = new TreeMap<>();
        for (String part : list.split(", ", -1)) {
            java.util.regex.Matcher m = COUNT.matcher(part);
            if (!m.matches()) {
                throw notLearnt(file, line, "a count such as 12\u00d7 OPEN");
            }
            counts.merge(m.group(2), Integer.parseInt(m.group(1)), Integer::sum);
        }
        return counts;
    }

    private String expand(String file, int line, String target) throws PolicySyntaxException {
        if (!target.startsWith("${")) {
            return target;
        }
        int end = target.indexOf('}');
        String value = end < 0 ? null : property(target.substring(2, end));
        if (value == null) {
            throw notLearnt(file, line, "a property this run knows (user.home, java.io.tmpdir, user.dir)");
        }
        return value + target.substring(end + 1);
    }

    private String property(String name) {
        return switch (name) {
            case "user.home" -> properties.userHome().orElse(null);
            case "java.io.tmpdir" -> properties.tmpDir().orElse(null);
            case "user.dir" -> properties.userDir().orElse(null);
            default -> null;
        };
    }

    private static PolicySyntaxException notLearnt(String file, int line, String expected) {
        return new PolicySyntaxException(
                file,
                line,
                1,
                "not in the layout airlock learn writes: expected " + expected + ", so --append cannot merge it");
    }

    /** The learnt policy, as java.policy text that {@link Policy#parse(String, String)} reads. */
    public String policyText() {
        Map<String, Usage> fileGrants = new TreeMap<>();
        kept.forEach((target, usage) -> fileGrants.put(target, usage));
        for (int bit = 1; bit <= FileActions.READLINK; bit <<= 1) {
            Set<String> used = new TreeSet<>();
            for (var f : files.entrySet()) {
                if ((f.getValue() & bit) != 0) {
                    used.add(f.getKey());
                }
            }
            for (var g : collapse(used).entrySet()) {
                Usage u = fileGrants.computeIfAbsent(g.getKey(), k -> new Usage());
                u.actions |= bit;
                u.paths.computeIfAbsent(bit, b -> new TreeSet<>()).addAll(g.getValue());
            }
        }
        StringBuilder out = new StringBuilder();
        out.append(HEADER);
        out.append("grant {\n");
        for (var g : fileGrants.entrySet()) {
            Usage u = g.getValue();
            Map<String, Integer> counts = new TreeMap<>(u.counts);
            Set<String> all = new TreeSet<>();
            u.paths.values().forEach(all::addAll);
            for (String path : all) {
                // An operation counts here when one of the actions it asked is granted by this line for its path.
                fileOps.getOrDefault(path, Map.of()).forEach((asked, ops) -> {
                    boolean here = false;
                    for (var p : u.paths.entrySet()) {
                        here |= (asked & p.getKey()) != 0 && p.getValue().contains(path);
                    }
                    if (here) {
                        ops.forEach((op, n) -> counts.merge(op, n, Integer::sum));
                    }
                });
            }
            boolean wildcard = g.getKey().endsWith("/*") || g.getKey().endsWith("/-");
            appendComment(out, counts, wildcard ? Math.max(all.size(), u.earlierEntries) : 0);
            out.append("    permission java.io.FilePermission \"")
                    .append(quote(withProperties(g.getKey())))
                    .append("\", \"")
                    .append(FileActions.toString(u.actions))
                    .append("\";\n");
        }
        for (var s : sockets.entrySet()) {
            int actions = s.getValue().actions;
            // Every other socket action implies resolve; writing it too would not be the smallest set.
            if (actions != SocketActions.RESOLVE) {
                actions &= ~SocketActions.RESOLVE;
            }
            appendComment(out, s.getValue().counts, 0);
            out.append("    permission java.net.SocketPermission \"")
                    .append(quote(s.getKey()))
                    .append("\", \"")
                    .append(SocketActions.toString(actions))
                    .append("\";\n");
        }
        out.append("};\n");
        return out.toString();
    }

    /** The first lines of every learnt policy; {@link #merge} recognizes a learnt file by them. */
    public static final String HEADER = """
            // Learnt by airlock learn: what the program used, and nothing a base policy granted.
            // Each comment says how often and by which operations the permission below it was used.
            """;

    private static void appendComment(StringBuilder out, Map<String, Integer> counts, int entries) {
        List<Map.Entry<String, Integer>> sorted = new ArrayList<>(counts.entrySet());
        sorted.sort(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        out.append("    // ");
        for (int i = 0; i < sorted.size(); i++) {
            out.append(i == 0 ? "" : ", ")
                    .append(sorted.get(i).getValue())
                    .append(TIMES)
                    .append(sorted.get(i).getKey());
        }
        if (entries > 0) {
            out.append(" (").append(entries).append(" entries)");
        }
        out.append('\n');
    }

    private static final String TIMES = "\u00d7 ";

    /**
     * The grants for the paths that used one action: target → the paths it stands for, by the
     * collapse rule of the class comment, judged bottom-up over the directories.
     */
    private Map<String, List<String>> collapse(Set<String> used) {
        // Every directory above a used path, with its used direct entries (files or subdirectories).
        Map<String, Set<String>> entries = new HashMap<>();
        for (String path : used) {
            String child = path;
            for (String parent = parentOf(child); parent != null; parent = parentOf(parent)) {
                entries.computeIfAbsent(parent, d -> new TreeSet<>()).add(child);
                child = parent;
            }
        }
        List<String> dirs = new ArrayList<>(entries.keySet());
        dirs.sort(Comparator.comparingInt(PolicyLearner::depth).reversed().thenComparing(Comparator.naturalOrder()));
        Set<String> qualifies = new TreeSet<>();
        // Qualifies, and so does every used subdirectory, recursively: it may be DIR/-.
        Set<String> whole = new TreeSet<>();
        for (String dir : dirs) {
            Set<String> direct = entries.get(dir);
            OptionalInt onDisk = directories.entryCount(dir);
            if (direct.size() < MIN_ENTRIES || onDisk.isEmpty() || direct.size() * 2 < onDisk.getAsInt()) {
                continue;
            }
            qualifies.add(dir);
            if (direct.stream().allMatch(e -> !entries.containsKey(e) || whole.contains(e))) {
                whole.add(dir);
            }
        }
        // A scratch file's name is the program's choice of the moment: the next run picks another.
        for (String path : used) {
            String parent = parentOf(path);
            if (parent != null && isScratch(path)) {
                qualifies.add(parent);
            }
        }
        Map<String, List<String>> grants = new TreeMap<>();
        for (String path : used) {
            grants.computeIfAbsent(grantFor(path, entries, qualifies, whole), t -> new ArrayList<>())
                    .add(path);
        }
        return grants;
    }

    /** The scratch-file rule of the class comment: written by the program and gone when the policy is written. */
    private boolean isScratch(String path) {
        return (files.getOrDefault(path, 0) & FileActions.WRITE) != 0 && !directories.exists(path);
    }

    private static String grantFor(
            String path, Map<String, Set<String>> entries, Set<String> qualifies, Set<String> whole) {
        String tree = null;
        for (String d = parentOf(path); d != null && whole.contains(d); d = parentOf(d)) {
            tree = d;
        }
        String parent = parentOf(path);
        if (tree != null) {
            boolean hasSubdirectories = entries.get(tree).stream().anyMatch(entries::containsKey);
            return join(tree, hasSubdirectories ? "-" : "*");
        }
        return parent != null && qualifies.contains(parent) ? join(parent, "*") : path;
    }

    private static String join(String dir, String last) {
        return dir.equals("/") ? "/" + last : dir + "/" + last;
    }

    private static String parentOf(String path) {
        if (path.equals("/")) {
            return null;
        }
        int slash = path.lastIndexOf('/');
        return slash == 0 ? "/" : path.substring(0, slash);
    }

    private static int depth(String path) {
        int n = 0;
        for (int i = 0; i < path.length(); i++) {
            n += path.charAt(i) == '/' ? 1 : 0;
        }
        return n;
    }

    /** The path with the longest containing property directory written as the property. */
    String withProperties(String path) {
        String best = null;
        String property = null;
        for (var p : List.of(
                Map.entry("user.home", properties.userHome()),
                Map.entry("java.io.tmpdir", properties.tmpDir()),
                Map.entry("user.dir", properties.userDir()))) {
            if (p.getValue().isEmpty()) {
                continue;
            }
            String dir = p.getValue().get();
            boolean inside = dir.equals("/") ? false : path.equals(dir) || path.startsWith(dir + "/");
            if (inside && (best == null || dir.length() > best.length())) {
                best = dir;
                property = p.getKey();
            }
        }
        return best == null ? path : "${" + property + "}" + path.substring(best.length());
    }

    private static String quote(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
