package dev.airlock.policy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * A compiled, immutable java.policy: the only thing that decides which files and connections the
 * Airlock broker grants to the confined JVM.
 *
 * <p>Policies are written in the JDK's policy-file grammar, so files written for the
 * SecurityManager keep working, and decisions are the ones the JDK 17 {@code FilePermission},
 * {@code SocketPermission} and {@code AllPermission} {@code implies} would make, with the
 * differences listed below. A policy is built once, is safe to share between threads, and
 * answers a file decision without allocating beyond the returned {@link FileDecision} (and
 * {@link #allowsFile} without allocating at all) when the path is already absolute and normalized.
 *
 * <h2>Which grants count</h2>
 * Only <em>unrestricted</em> grants decide: grants without {@code codeBase}, {@code signedBy} or
 * {@code principal}. The broker serves the whole helper JVM and cannot attribute a request to a
 * code source or a principal, so a restricted grant must not widen what it allows (fail closed).
 * Restricted grants are parsed, kept, and listed by {@link #notEnforced()}. Of the permissions,
 * {@code java.io.FilePermission}, {@code java.net.SocketPermission} and
 * {@code java.security.AllPermission} are enforced; every other type is kept and listed there.
 * A mistake is an error ({@link PolicySyntaxException}): a {@code java.*} permission class the
 * JDK does not have, and a file or socket permission whose JDK constructor would throw (the JDK
 * printed an error and dropped the entry, so the policy silently granted less than it said).
 *
 * <h2>Property expansion</h2>
 * {@code ${name}} in strings is replaced by the system property (by default the broker JVM's;
 * see {@link #parse(String, String, Function)}), {@code ${/}} by {@code /}. As in the JDK, an entry
 * whose property is not set is ignored, not rejected: a permission entry is skipped up to its
 * {@code ;}, and a grant whose codeBase, signedBy or principal name cannot be expanded is dropped
 * whole. Both produce a warning.
 *
 * <h2>Differences from the JDK, all deliberate</h2>
 * <ul>
 *   <li>Relative paths, in targets and in requests, are made absolute against {@code user.dir}
 *       before anything else. With the JDK's default settings a relative target only matched the
 *       same relative request, so a program that opened files both ways saw both answers; the
 *       broker only ever deals in absolute paths.
 *   <li>A requested path is a literal name: {@code *} and {@code -} in it are characters of a
 *       file name, never wildcards (the JDK read {@code checkRead("/a/x*")} as a check of
 *       {@code /a/x-}, and {@code checkRead("/a/-")} as one of the whole tree). Only grants have
 *       wildcards. This only ever denies where the JDK allowed, except for a file literally
 *       named {@code -} or {@code *}, which a {@code /a/*} grant now covers like any entry.
 *   <li>Host names are never resolved ({@link SocketTarget} has the detail): Airlock decides as
 *       the JDK decides when no name resolves. This only ever denies where the JDK might have
 *       allowed.
 *   <li>{@code jdk.io.permissionsUseCanonicalPath=true} (the JDK 8 behaviour of resolving
 *       symbolic links in permissions) is not supported: paths are compared lexically, and the
 *       broker opens beneath the grant's root so that links cannot lead out of it.
 *   <li>Strings that reach the end of a line, comments that reach the end of the file, and
 *       constructs that make the JDK silently ignore an entire file are syntax errors.
 * </ul>
 */
public final class Policy {

    private static final String NO_NAME = "(none)";

    private final String displayName;
    private final List<PolicyCompiler.Source> sources;
    private final String userDir;
    private final FilePaths.Validity validity;
    private final PortRanges ports;
    private final FileIndex files;
    private final SocketIndex sockets;
    private final String[] rules;
    private final List<PolicyWarning> warnings;
    private final List<NotEnforced> notEnforced;
    private final List<PolicySyntaxException> errors;
    /** Per set of actions, the denial that names no closest grant. */
    private final Denial[] fileDenied = new Denial[FileActions.ALL + 1];

    private final Denial[] socketDenied = new Denial[SocketActions.ALL + 1];

    private Policy(
            String displayName,
            List<PolicyCompiler.Source> sources,
            String userDir,
            FilePaths.Validity validity,
            PortRanges ports) {
        this.displayName = displayName;
        this.sources = List.copyOf(sources);
        this.userDir = userDir;
        this.validity = validity;
        this.ports = ports;
        PolicyCompiler.Compiled c = PolicyCompiler.compile(this.sources, validity, ports);
        this.files = c.files();
        this.sockets = c.sockets();
        this.rules = c.rules().toArray(new String[0]);
        this.warnings = c.warnings();
        this.notEnforced = c.notEnforced();
        this.errors = c.errors();
        for (int a = 1; a <= FileActions.ALL; a++) {
            fileDenied[a] =
                    new Denial("denied by airlock policy " + displayName + ": " + FileActions.toString(a), null);
        }
        for (int a = 1; a <= SocketActions.ALL; a++) {
            socketDenied[a] =
                    new Denial("denied by airlock policy " + displayName + ": " + SocketActions.toString(a), null);
        }
    }

    /**
     * Reads and compiles a policy file, expanding properties from this JVM's system properties.
     * The file is read as UTF-8 with malformed bytes replaced, as the JDK reads policy files.
     *
     * @param displayName what errors and denial reasons call the file, e.g. {@code app.policy} as
     *     the user typed it
     * @throws IOException if the file cannot be read (e.g. {@link java.nio.file.NoSuchFileException})
     * @throws PolicySyntaxException if the file is not a valid policy
     */
    public static Policy parse(Path file, String displayName) throws IOException, PolicySyntaxException {
        return parse(file, displayName, System::getProperty);
    }

    /**
     * As {@link #parse(Path, String)}, expanding {@code ${...}} with {@code properties} and
     * resolving relative paths against {@code properties.apply("user.dir")}. The broker uses this
     * when the confined program runs as another user, whose {@code user.home} the policy means.
     */
    public static Policy parse(Path file, String displayName, Function<String, String> properties)
            throws IOException, PolicySyntaxException {
        byte[] bytes = read(file);
        return parse(displayName, new String(bytes, StandardCharsets.UTF_8), properties);
    }

    /**
     * The bytes of policy file {@code file}, the one way policy files are read. Anything but a
     * regular file (after links) is refused unread: a FIFO would block the reader, a device
     * would never end.
     *
     * @throws IOException if it cannot be read; {@link #describe} words why
     */
    public static byte[] read(Path file) throws IOException {
        if (!Files.readAttributes(file, BasicFileAttributes.class).isRegularFile()) {
            throw new FileSystemException(file.toString(), null, NOT_A_REGULAR_FILE);
        }
        return Files.readAllBytes(file);
    }

    private static final String NOT_A_REGULAR_FILE = "not a regular file";

    /** Why {@link #read} failed, in a few words: "no such file", "permission denied", "not a regular file"... */
    public static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    /**
     * Compiles policy text, expanding properties from this JVM's system properties and resolving
     * relative paths against its {@code user.dir}.
     *
     * @throws PolicySyntaxException if the text is not a valid policy
     */
    public static Policy parse(String displayName, String text) throws PolicySyntaxException {
        return parse(displayName, text, System::getProperty);
    }

    /**
     * Compiles policy text with an explicit property source; {@code user.dir} must be set and
     * absolute.
     *
     * @throws PolicySyntaxException if the text is not a valid policy
     * @throws IllegalArgumentException if {@code user.dir} is missing or relative
     */
    public static Policy parse(String displayName, String text, Function<String, String> properties)
            throws PolicySyntaxException {
        Objects.requireNonNull(displayName, "displayName");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(properties, "properties");
        String userDir = properties.apply("user.dir");
        if (userDir == null || !userDir.startsWith("/")) {
            throw new IllegalArgumentException("user.dir must be an absolute path: " + userDir);
        }
        PolicyModel.File parsed = PolicyParser.parse(displayName, text, properties);
        Policy policy = new Policy(
                displayName,
                List.of(new PolicyCompiler.Source(parsed, FilePaths.normalize(userDir))),
                FilePaths.normalize(userDir),
                FilePaths.Validity.forCurrentJvm(),
                PortRanges.fromSystem(properties));
        if (!policy.errors.isEmpty()) {
            throw PolicySyntaxException.of(policy.errors);
        }
        return policy;
    }

    /**
     * The union of several policies, as the JDK combines several policy URLs: whatever any of them
     * grants is granted. Requests with relative paths resolve against the first policy's
     * {@code user.dir}.
     */
    public static Policy combine(List<Policy> policies) {
        if (policies.isEmpty()) {
            return empty();
        }
        if (policies.size() == 1) {
            return policies.get(0);
        }
        List<PolicyCompiler.Source> all = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Policy p : policies) {
            all.addAll(p.sources);
            if (!p.sources.isEmpty()) {
                names.add(p.displayName);
            }
        }
        Policy first = policies.get(0);
        return new Policy(
                names.isEmpty() ? NO_NAME : String.join(", ", names), all, first.userDir, first.validity, first.ports);
    }

    /** The actions {@link #withOwnDirectories} grants: every file action there is. */
    public static final String OWN_DIRECTORY_ACTIONS = "read,write,delete,execute,readlink";

    /**
     * This policy, and every file action on each of {@code directories} and everything beneath
     * it, as if one more grant said so: for directories the confined program owns outright (the
     * broker's private temporary directory for it), which no policy can name because they are
     * made for the run. The display name, and so every denial reason, stays this policy's;
     * {@code source} is what explanations call the added grant.
     *
     * @throws IllegalArgumentException if a directory is not absolute and normalized, or is one
     *     whose name would read as a wildcard ({@code -} or {@code *} as its last component)
     */
    public Policy withOwnDirectories(String source, List<String> directories) {
        Objects.requireNonNull(source, "source");
        if (directories.isEmpty()) {
            return this;
        }
        List<PolicyModel.Permission> permissions = new ArrayList<>();
        PolicyModel.Position position = new PolicyModel.Position(1, 1);
        for (String directory : directories) {
            if (!directory.startsWith("/")
                    || !FilePaths.normalize(directory).equals(directory)
                    || directory.endsWith("/-")
                    || directory.endsWith("/*")) {
                throw new IllegalArgumentException("not a directory a grant can name exactly: " + directory);
            }
            String beneath = directory.equals("/") ? "/-" : directory + "/-";
            for (String target : new String[] {directory, beneath}) {
                permissions.add(new PolicyModel.Permission(
                        source, position, PolicyCompiler.FILE_PERMISSION, target, OWN_DIRECTORY_ACTIONS, null, null));
            }
        }
        PolicyModel.Grant grant =
                new PolicyModel.Grant(source, position, null, null, List.of(), List.copyOf(permissions), null);
        PolicyModel.File file = new PolicyModel.File(source, List.of(grant), null, null, null, List.of(), List.of());
        List<PolicyCompiler.Source> all = new ArrayList<>(sources);
        all.add(new PolicyCompiler.Source(file, userDir));
        return new Policy(displayName, all, userDir, validity, ports);
    }

    /** A policy that grants nothing; its display name is {@code (none)}. */
    public static Policy empty() {
        String userDir = System.getProperty("user.dir", "/");
        return new Policy(
                NO_NAME,
                List.of(),
                FilePaths.normalize(userDir.startsWith("/") ? userDir : "/"),
                FilePaths.Validity.forCurrentJvm(),
                PortRanges.fromSystem(System::getProperty));
    }

    /** The name denial reasons use: one file's display name, or several joined by ", ". */
    public String displayName() {
        return displayName;
    }

    /**
     * Decides a request for file actions.
     *
     * <p>The path is a literal name: unlike the JDK's {@code SecurityManager.checkRead(path)},
     * which read a final {@code *} or {@code -} of the path as a wildcard, a request for
     * {@code /a/*} asks for the file called {@code *}, never for every entry of {@code /a}; and
     * {@code <<ALL FILES>>} is a relative name like any other. The grants keep the JDK's meaning.
     *
     * @param path the path as the program gave it; relative paths resolve against
     *     {@code user.dir}
     * @param actions a non-empty set of {@link FileActions} bits
     * @throws IllegalArgumentException if {@code actions} is empty or not file actions
     */
    public FileDecision decideFile(String path, int actions) {
        checkFileActions(actions);
        int scan = FilePaths.scan(path);
        String normalized = (scan & FilePaths.NORMALIZED) != 0 ? path : FilePaths.absoluteNormalized(path, userDir);
        long packed = decideNormalized(path, scan, normalized, actions);
        if (FileIndex.granted(packed) == actions) {
            return new FileDecision(
                    true, normalized, files.roots.get(FileIndex.root(packed)), rules[FileIndex.rule(packed)], null);
        }
        boolean onlyAllFiles = !validity.isValid(path, scan);
        // Only a denial looks for the closest grant, so an allowed request pays nothing for it.
        ClosestGrant closest = files.closest(normalized, actions, FileIndex.granted(packed), onlyAllFiles, rules);
        return new FileDecision(false, normalized, null, null, fileDenied[actions].closest(closest));
    }

    /** As {@link #decideFile}, answering only yes or no, and never allocating for a normalized
     * absolute path. */
    public boolean allowsFile(String path, int actions) {
        checkFileActions(actions);
        int scan = FilePaths.scan(path);
        String normalized = (scan & FilePaths.NORMALIZED) != 0 ? path : FilePaths.absoluteNormalized(path, userDir);
        return FileIndex.granted(decideNormalized(path, scan, normalized, actions)) == actions;
    }

    /**
     * Decides the literal name {@code normalized}. A requested path is always a name, never a
     * pattern: a file called {@code report*} or {@code -} is that file, decided as any other
     * (beneath {@code /a/-}, in {@code /a/*}, or named by a plain grant). The JDK would have read a
     * final {@code *} or {@code -} of a checked path as a wildcard, so that with only the plain
     * file {@code report-} granted, opening one literally called {@code report*} was allowed.
     */
    private long decideNormalized(String path, int scan, String normalized, int actions) {
        boolean onlyAllFiles = !validity.isValid(path, scan);
        return files.decide(normalized, actions, onlyAllFiles);
    }

    /**
     * Decides a request for socket actions on {@code host:port}, named as the JDK's
     * {@code SecurityManager} named it: the host as given to connect or accept (an IPv6 literal
     * with or without brackets), {@code localhost} for a listen; port 0 for an ephemeral port; port
     * -1 for "any port" (what a {@code resolve} request has).
     *
     * @throws IllegalArgumentException if {@code port} is not -1 to 65535 or {@code actions} is
     *     empty or not socket actions
     */
    public SocketDecision decideSocket(String host, int port, int actions) {
        Objects.requireNonNull(host, "host");
        if ((actions & ~SocketActions.ALL) != 0 || actions == 0) {
            throw new IllegalArgumentException("not socket actions: " + actions);
        }
        if (port < -1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        int desired = actions | SocketActions.RESOLVE;
        int ruleBits =
                (actions & ~SocketActions.RESOLVE) != 0 ? actions & ~SocketActions.RESOLVE : SocketActions.RESOLVE;
        int low = port < 0 ? 0 : port;
        int high = port < 0 ? 65535 : port;
        long packed;
        SocketTarget q = null;
        if (isPlainHost(host)) {
            long v4 = IpLiterals.hexDigit(host.charAt(0)) >= 0 ? IpLiterals.parseV4(host, 0, host.length()) : -1;
            packed = v4 >= 0
                    ? sockets.decideAddress(null, v4, low, high, desired, ruleBits)
                    : sockets.decideName(host, low, high, desired, ruleBits);
        } else {
            String name = (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host)
                    + (port < 0 ? "" : ":" + port);
            try {
                q = SocketTarget.parse(name);
            } catch (IllegalArgumentException e) {
                // The JDK would have thrown instead of granting.
                return new SocketDecision(false, null, socketDenied[actions]);
            }
            packed = switch (q.kind) {
                case ADDRESS ->
                    sockets.decideAddress(
                            q.address,
                            q.address.length == 4 ? SocketIndex.addressKey(q.address)[1] : -1,
                            q.portLow,
                            q.portHigh,
                            desired,
                            ruleBits);
                case NAME -> sockets.decideName(q.host, q.portLow, q.portHigh, desired, ruleBits);
                default -> sockets.decideByScan(q, desired, ruleBits);
            };
        }
        if (SocketIndex.granted(packed) == desired) {
            return new SocketDecision(true, rules[SocketIndex.rule(packed)], null);
        }
        // Only a denial looks for the closest grant, so an allowed request pays nothing for it.
        if (q == null) {
            try {
                q = SocketTarget.parse(host + (port < 0 ? "" : ":" + port));
            } catch (IllegalArgumentException e) {
                return new SocketDecision(false, null, socketDenied[actions]);
            }
        }
        return new SocketDecision(false, null, socketDenied[actions].closest(sockets.closest(q, desired, rules)));
    }

    /**
     * The rule an address literal is resolved by: it needs no resolution. The JDK's
     * {@code InetAddress.getAllByName} parses a literal before any check, and the broker answers
     * one with itself without asking a name server.
     */
    public static final String LITERAL_RULE = "an address literal (nothing to resolve)";

    /**
     * The rule {@code localhost} is resolved by when the policy grants it nothing itself: the JDK's
     * own {@code java.policy}, which every SecurityManager run loaded, grants {@code listen} on
     * {@code localhost:0}, which implies {@code resolve} of {@code localhost}.
     */
    public static final String LOCALHOST_RULE = "the JDK's java.policy (listen on localhost:0 implies resolve)";

    /**
     * Decides whether the program may resolve host name {@code name}: granted exactly when the
     * JDK's {@code SocketPermission(name, "resolve")} is implied by the policy (every
     * {@code connect}, {@code listen} or {@code accept} grant on the name implies it, a
     * {@code *.example.com} grant covers the names beneath it), and always for an address literal
     * ({@link #LITERAL_RULE}) and for {@code localhost} ({@link #LOCALHOST_RULE}). The broker asks
     * this before it looks anything up, so an ungranted name never reaches a name server.
     *
     * @return the decision; a denial's reason is exactly {@code denied by airlock policy NAME:
     *     resolve HOST}
     */
    public SocketDecision decideResolve(String name) {
        Objects.requireNonNull(name, "name");
        SocketDecision d = decideSocket(name, -1, SocketActions.RESOLVE);
        if (d.allowed()) {
            return d;
        }
        if (IpLiterals.isLiteral(name)) {
            return new SocketDecision(true, LITERAL_RULE, null);
        }
        if (name.equalsIgnoreCase("localhost")) {
            return new SocketDecision(true, LOCALHOST_RULE, null);
        }
        return new SocketDecision(false, null, denial(SocketActions.RESOLVE, " " + name, d));
    }

    /**
     * Decides a TCP connect to {@code address} (4 or 16 bytes) on {@code port}: granted when the
     * policy grants {@code connect} on the address literal, or on one of {@code names}, the host
     * names the caller itself resolved to this address for the program (the broker's own answers;
     * never a name the program claims, so a forged {@code InetAddress} with a granted name and
     * another address does not get through). Pass an empty set where there are none.
     *
     * @return the decision; a denial's reason is exactly {@code denied by airlock policy NAME:
     *     connect HOST:PORT}, the host the address literal ({@code [..]} for IPv6)
     * @throws IllegalArgumentException if the address is not 4 or 16 bytes or the port not 0..65535
     */
    public SocketDecision decideConnect(byte[] address, int port, Set<String> names) {
        return decideAddress(address, port, names, SocketActions.CONNECT);
    }

    /**
     * Decides a TCP bind (and listen) on local {@code address} (4 or 16 bytes; all zeros for the
     * wildcard) and {@code port} (0 for an ephemeral one): granted when the policy grants
     * {@code listen} on {@code localhost:port}, which is what the JDK's
     * {@code SecurityManager.checkListen} asked for every bind whatever the address, or on the
     * address literal itself.
     *
     * @return the decision; a denial's reason is exactly {@code denied by airlock policy NAME:
     *     listen HOST:PORT}
     * @throws IllegalArgumentException as {@link #decideConnect}
     */
    public SocketDecision decideListen(byte[] address, int port) {
        SocketDecision local = decideSocket("localhost", checkedPort(port), SocketActions.LISTEN);
        if (local.allowed()) {
            return local;
        }
        SocketDecision byAddress = decideAddress(address, port, Set.of(), SocketActions.LISTEN);
        if (byAddress.allowed()
                || byAddress.closest().isPresent()
                || local.closest().isEmpty()) {
            return byAddress;
        }
        // The listen grants are on localhost, as the JDK asked: the closest one is there.
        return new SocketDecision(
                false, null, new Denial(byAddress.reason(), local.closest().get()));
    }

    /**
     * Decides a UDP connect to {@code address} (4 or 16 bytes) on {@code port}, as JDK 17's
     * {@code DatagramChannel.connect} asked its SecurityManager: for a multicast group
     * {@link #decideMulticast}; for any other address {@code connect} and then {@code accept} on
     * it (a connected datagram socket receives only from its peer), each granted on the address
     * literal or on one of {@code names} ({@link #decideConnect}).
     *
     * @return the decision; a denial's reason is {@code denied by airlock policy NAME: connect
     *     HOST:PORT} (or {@code accept HOST:PORT} when only the accept is missing)
     * @throws IllegalArgumentException as {@link #decideConnect}
     */
    public SocketDecision decideDatagramConnect(byte[] address, int port, Set<String> names) {
        if (isMulticast(address)) {
            checkedPort(port);
            return decideMulticast(address);
        }
        SocketDecision connect = decideAddress(address, port, names, SocketActions.CONNECT);
        if (!connect.allowed()) {
            return connect;
        }
        return decideAddress(address, port, names, SocketActions.ACCEPT);
    }

    /**
     * Decides one unconnected UDP send to {@code address} on {@code port}, as JDK 17's
     * {@code DatagramChannel.send} asked: for a multicast group {@link #decideMulticast}, for any
     * other address {@code connect} ({@link #decideConnect}).
     *
     * @throws IllegalArgumentException as {@link #decideConnect}
     */
    public SocketDecision decideDatagramSend(byte[] address, int port, Set<String> names) {
        if (isMulticast(address)) {
            checkedPort(port);
            return decideMulticast(address);
        }
        return decideConnect(address, port, names);
    }

    /**
     * Decides a datagram to or from the multicast group {@code address}, as the JDK's
     * {@code SecurityManager.checkMulticast} asked: {@code connect,accept} on the group's literal
     * with no port, which only a grant of every port (0-65535) implies.
     *
     * @return the decision; a denial's reason is {@code denied by airlock policy NAME:
     *     connect,accept HOST}
     */
    public SocketDecision decideMulticast(byte[] address) {
        String literal = literal(address);
        int actions = SocketActions.CONNECT | SocketActions.ACCEPT;
        SocketDecision d = decideSocket(literal, -1, actions);
        return d.allowed() ? d : new SocketDecision(false, null, denial(actions, " " + literal, d));
    }

    /** Whether {@code address} is a multicast group: 224.0.0.0/4, ff00::/8, or the first as an IPv4-mapped address. */
    static boolean isMulticast(byte[] address) {
        if (address.length == 4) {
            return (address[0] & 0xF0) == 0xE0;
        }
        if (address.length != 16) {
            throw new IllegalArgumentException("an address is 4 or 16 bytes, not " + address.length);
        }
        if ((address[0] & 0xFF) == 0xFF) {
            return true;
        }
        for (int i = 0; i < 10; i++) {
            if (address[i] != 0) {
                return false;
            }
        }
        return (address[10] & 0xFF) == 0xFF && (address[11] & 0xFF) == 0xFF && (address[12] & 0xF0) == 0xE0;
    }

    private SocketDecision decideAddress(byte[] address, int port, Set<String> names, int action) {
        String literal = literal(address);
        SocketDecision d = decideSocket(literal, checkedPort(port), action);
        if (d.allowed()) {
            return d;
        }
        // In a fixed order, so that the rule reported does not depend on a set's iteration.
        SocketDecision nearest = d;
        for (String name : new java.util.TreeSet<>(names)) {
            SocketDecision byName = decideSocket(name, port, action);
            if (byName.allowed()) {
                return byName;
            }
            if (nearest.closest().isEmpty()) {
                nearest = byName;
            }
        }
        return new SocketDecision(false, null, denial(action, " " + literal + ":" + port, nearest));
    }

    /**
     * The denial of {@code actions} with {@code what} (the host, and port) after the actions, naming
     * the closest grant of {@code decided}, the denied decision it rests on.
     */
    private Denial denial(int actions, String what, SocketDecision decided) {
        return new Denial(socketDenied[actions].reason + what, decided.closest().orElse(null));
    }

    private static int checkedPort(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        return port;
    }

    /** The address as the JDK writes it, in brackets for IPv6, without any lookup. */
    private static String literal(byte[] address) {
        if (address.length != 4 && address.length != 16) {
            throw new IllegalArgumentException("an address is 4 or 16 bytes, not " + address.length);
        }
        try {
            String text = java.net.InetAddress.getByAddress(address).getHostAddress();
            // An IPv4-mapped IPv6 address comes back as the IPv4 address, which SocketPermission
            // reads as the same address.
            return text.indexOf(':') >= 0 ? "[" + text + "]" : text;
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes always make an address", e);
        }
    }

    private static boolean isPlainHost(String host) {
        if (host.isEmpty()) {
            return false;
        }
        for (int i = 0, n = host.length(); i < n; i++) {
            char c = host.charAt(i);
            if (c == ':' || c == '[' || c == ']' || c == '*') {
                return false;
            }
        }
        return true;
    }

    /**
     * The directories the broker opens beneath, one per distinct root of an unrestricted file
     * grant: {@code /a/b} for {@code /a/b/-} and {@code /a/b/*}, the parent {@code /a/b} for the
     * plain file {@code /a/b/c}, {@code /} for {@code <<ALL FILES>>} and AllPermission. Absolute,
     * normalized, distinct and sorted. Every allowed {@link FileDecision#root()} is one of them.
     */
    public List<String> fileGrantRoots() {
        return files.roots;
    }

    /**
     * Every unrestricted file grant, the actions of grants on the same path and kind combined; for
     * turning grants into something other than decisions (e.g. Landlock rules), never for deciding.
     */
    public List<FileGrant> fileGrants() {
        return files.grants();
    }

    /**
     * The grants a Landlock rule can carry exactly, so that the program uses them by itself, from
     * Java and native code alike ({@link KernelGrant}); everything else the policy grants is the
     * broker's alone. Sorted by path, then kind. What is left out, and why:
     *
     * <ul>
     *   <li>{@code DIR/*} and {@code <<ALL FILES>>}: a kernel rule grants a whole tree, never one
     *       directory's entries, and {@code /} would include procfs and sysfs.
     *   <li>A single file the policy lets the program write or delete (by any grant): a kernel
     *       rule belongs to the file's inode, and a rename or a hard link (write on both names)
     *       would carry it to a name the policy does not grant; creating or removing a single
     *       name is a right on its directory, which would cover the siblings too. Its read and
     *       execute stay brokered with the rest.
     *   <li>A tree whose directory the policy lets the program delete (by any grant): that is a
     *       tree above it with delete, through which the directory, and its rule, could be moved
     *       to another name. A single file of {@code /} is left out too.
     *   <li>Delete on a tree with another grant's root strictly beneath it (the directory of a
     *       single file, of {@code DIR/*} or {@code DIR/-}): the kernel would let the program
     *       rename that directory, which the broker refuses because it resolves that grant beneath
     *       the directory it opened at start. The tree's other actions stay kernel grants.
     *   <li>The readlink action everywhere: the kernel has no right for it (reading a link is
     *       not confined), so the broker decides it for Java, and native code can read links.
     * </ul>
     */
    public List<KernelGrant> kernelGrants() {
        List<KernelGrant> out = new ArrayList<>();
        for (FileGrant grant : files.grants()) {
            String path = grant.path();
            if (grant.kind() == FileGrant.Kind.FILE && !path.equals("/")) {
                if (allowsFile(path, FileActions.WRITE) || allowsFile(path, FileActions.DELETE)) {
                    continue;
                }
                int actions = 0;
                for (int action : new int[] {FileActions.READ, FileActions.EXECUTE}) {
                    if (allowsFile(path, action)) {
                        actions |= action;
                    }
                }
                if (actions != 0) {
                    out.add(new KernelGrant(KernelGrant.Kind.FILE, path, actions, false));
                }
            } else if (grant.kind() == FileGrant.Kind.TREE) {
                int actions = grant.actions() & ~FileActions.READLINK;
                if ((actions & FileActions.DELETE) != 0 && hasRootBeneath(path)) {
                    actions &= ~FileActions.DELETE;
                }
                if (actions == 0 || allowsFile(path, FileActions.DELETE)) {
                    continue;
                }
                boolean listable = (actions & FileActions.READ) != 0 && allowsFile(path, FileActions.READ);
                out.add(new KernelGrant(KernelGrant.Kind.TREE, path, actions, listable));
            }
        }
        out.sort((a, b) -> a.path().equals(b.path())
                ? a.kind().compareTo(b.kind())
                : a.path().compareTo(b.path()));
        return List.copyOf(out);
    }

    /** Whether a grant root lies strictly beneath {@code directory}. */
    private boolean hasRootBeneath(String directory) {
        String prefix = directory.equals("/") ? "/" : directory + "/";
        for (String root : files.roots) {
            if (root.length() > prefix.length() && root.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /**
     * What the policy says that does not do what it seems to: entries the JDK itself ignores,
     * relative targets, {@code AllPermission}, the keystore. What Airlock does not enforce is
     * {@link #notEnforced()}.
     */
    public List<PolicyWarning> warnings() {
        return warnings;
    }

    /**
     * The entries Airlock does not enforce, grouped (in-process permissions by class, third-party
     * classes, restricted grants, socket grants) across every file of the policy.
     */
    public List<NotEnforced> notEnforced() {
        return notEnforced;
    }

    @Override
    public String toString() {
        return "Policy[" + displayName + "]";
    }

    private static void checkFileActions(int actions) {
        if ((actions & ~FileActions.ALL) != 0 || actions == 0) {
            throw new IllegalArgumentException("not file actions: " + actions);
        }
    }

    /** The parsed files, for the checker and for tests. */
    List<PolicyModel.File> files() {
        List<PolicyModel.File> out = new ArrayList<>();
        for (PolicyCompiler.Source s : sources) {
            out.add(s.file());
        }
        return out;
    }
}
