package dev.airlock.policy;

import dev.airlock.policy.PolicyModel.Grant;
import dev.airlock.policy.PolicyModel.Permission;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns parsed policy files into the decision structures, deciding which entries the broker can
 * use, and says why about the rest.
 *
 * <p>What counts, following how the JDK's {@code PolicyFile} builds permissions:
 * <ul>
 *   <li>Only unrestricted grants (no codeBase, no signedBy, no principal). The broker serves the
 *       whole helper JVM and cannot tell which code or which principal asked, so a restricted
 *       grant cannot widen its decisions: it is kept in the model and reported.
 *   <li>Permission types are matched by exact class name, as the JDK loads them:
 *       {@code java.io.FilePermission}, {@code java.net.SocketPermission} and
 *       {@code java.security.AllPermission} are enforced; every other type is kept and reported.
 *   <li>A FilePermission or SocketPermission whose target or actions its JDK constructor would
 *       reject is dropped, as the JDK drops it (printing an error and carrying on).
 *   <li>A {@code signedBy} on a permission entry names the signer of the permission's class; the
 *       JDK ignores it for these JDK classes, and so does Airlock.
 *   <li>A target containing {@code ${{self}}} only means something in a grant with principals, so
 *       the JDK ignores it here; {@code ${{alias:...}}} needs a keystore certificate, which Airlock
 *       does not load, so such a permission is dropped; any other {@code ${{...}}} makes the JDK
 *       drop the permission.
 * </ul>
 */
final class PolicyCompiler {

    static final String FILE_PERMISSION = "java.io.FilePermission";
    static final String SOCKET_PERMISSION = "java.net.SocketPermission";
    static final String ALL_PERMISSION = "java.security.AllPermission";

    /** A parsed file and the user.dir its relative targets resolve against. */
    record Source(PolicyModel.File file, String userDir) {}

    /** The compiler's output. */
    record Compiled(FileIndex files, SocketIndex sockets, List<String> rules, List<PolicyWarning> warnings) {}

    private final FileIndex.Builder files = new FileIndex.Builder();
    private final List<SocketIndex.Grant> sockets = new ArrayList<>();
    private final List<String> rules = new ArrayList<>();
    private final List<PolicyWarning> warnings = new ArrayList<>();
    private final FilePaths.Validity validity;

    private PolicyCompiler(FilePaths.Validity validity) {
        this.validity = validity;
    }

    static Compiled compile(List<Source> sources, FilePaths.Validity validity, PortRanges ports) {
        PolicyCompiler c = new PolicyCompiler(validity);
        for (Source s : sources) {
            c.file(s);
        }
        return new Compiled(
                c.files.build(), new SocketIndex(c.sockets, ports), List.copyOf(c.rules), List.copyOf(c.warnings));
    }

    private void file(Source source) {
        PolicyModel.File f = source.file();
        warnings.addAll(f.parseWarnings());
        if (f.keystore() != null) {
            warn(
                    f.displayName(),
                    f.keystore().position(),
                    "the keystore is not used by the Airlock"
                            + " broker: it only resolves signedBy and principal aliases, which the broker does not"
                            + " enforce");
        }
        Map<String, int[]> unenforced = new LinkedHashMap<>();
        Map<String, PolicyModel.Position> unenforcedAt = new LinkedHashMap<>();
        int[] socketGrants = {0};
        PolicyModel.Position[] socketsAt = {null};
        for (Grant g : f.grants()) {
            if (g.ignoredBecause() != null) {
                continue;
            }
            if (!g.unrestricted()) {
                warn(
                        f.displayName(),
                        g.position(),
                        "this grant is restricted to " + restriction(g)
                                + "; the Airlock broker cannot attribute a request to code or a principal, so its "
                                + g.permissions().size() + " permission(s) grant nothing (kept for an agent-side"
                                + " check, not enforced)");
                continue;
            }
            for (Permission p : g.permissions()) {
                if (p.ignoredBecause() != null) {
                    continue;
                }
                String type = p.type();
                if (!type.equals(FILE_PERMISSION) && !type.equals(SOCKET_PERMISSION) && !type.equals(ALL_PERMISSION)) {
                    unenforced.computeIfAbsent(type, t -> new int[1])[0]++;
                    unenforcedAt.putIfAbsent(type, p.position());
                    continue;
                }
                int socketsBefore = sockets.size();
                permission(f.displayName(), source.userDir(), p);
                if (type.equals(SOCKET_PERMISSION) && sockets.size() > socketsBefore) {
                    socketGrants[0]++;
                    if (socketsAt[0] == null) {
                        socketsAt[0] = p.position();
                    }
                }
            }
        }
        if (socketGrants[0] > 0) {
            // Decided by `airlock explain`, but the helper's TCP is closed by the kernel for now.
            warn(
                    f.displayName(),
                    socketsAt[0],
                    SOCKET_PERMISSION + " grants are not yet enforced at run"
                            + " time: this release denies the program every TCP bind and connect ("
                            + socketGrants[0] + (socketGrants[0] == 1 ? " entry" : " entries, the first here") + ")");
        }
        for (Map.Entry<String, int[]> e : unenforced.entrySet()) {
            String type = e.getKey();
            int n = e.getValue()[0];
            String hint = "";
            for (String known : new String[] {FILE_PERMISSION, SOCKET_PERMISSION, ALL_PERMISSION}) {
                if (known.equalsIgnoreCase(type)) {
                    hint = " (did you mean " + known + "? class names are case-sensitive)";
                }
            }
            warn(
                    f.displayName(),
                    unenforcedAt.get(type),
                    type + " is not enforced by Airlock, which"
                            + " decides only " + FILE_PERMISSION + ", " + SOCKET_PERMISSION + " and "
                            + ALL_PERMISSION + hint + " (" + n + (n == 1 ? " entry" : " entries")
                            + " of this type" + (n == 1 ? "" : ", the first here") + ")");
        }
    }

    private static String restriction(Grant g) {
        List<String> parts = new ArrayList<>();
        if (g.codeBase() != null) {
            parts.add("codeBase \"" + g.codeBase() + "\"");
        }
        if (g.signedBy() != null) {
            parts.add("signedBy \"" + g.signedBy() + "\"");
        }
        if (!g.principals().isEmpty()) {
            parts.add(g.principals().size() == 1 ? "a principal" : "principals");
        }
        return String.join(" and ", parts);
    }

    private void permission(String file, String userDir, Permission p) {
        String type = p.type();
        String name = p.name();
        PolicyModel.Position at = p.position();
        String self = selfOrAlias(name);
        if (self != null) {
            warn(file, at, "permission ignored: " + self);
            return;
        }
        if (p.signedBy() != null) {
            warn(
                    file,
                    at,
                    "signedBy on a permission entry names the signer of the permission class;"
                            + " the JDK ignores it for " + type + ", and so does Airlock");
        }
        int rule = rules.size();
        switch (type) {
            case ALL_PERMISSION -> {
                rules.add(p.rule());
                files.addAllFiles(FileActions.ALL, rule);
                sockets.add(new SocketIndex.Grant(SocketTarget.parse("*"), SocketActions.ALL, rule));
                warn(file, at, ALL_PERMISSION + " grants every file and every connection");
            }
            case FILE_PERMISSION -> {
                int mask = FileActions.parseOrMinusOne(p.actions());
                if (mask < 0) {
                    warn(
                            file,
                            at,
                            "permission ignored, as the JDK ignores it: invalid actions \"" + p.actions() + "\" for "
                                    + FILE_PERMISSION);
                    return;
                }
                if (mask == 0) {
                    warn(
                            file,
                            at,
                            "permission ignored, as the JDK ignores it: " + FILE_PERMISSION
                                    + " needs actions (read, write, execute, delete, readlink)");
                    return;
                }
                if (name == null) {
                    warn(
                            file,
                            at,
                            "permission ignored, as the JDK ignores it: " + FILE_PERMISSION + " needs a target path");
                    return;
                }
                rules.add(p.rule());
                if (name.equals(FilePaths.ALL_FILES)) {
                    files.addAllFiles(mask, rule);
                    return;
                }
                if (!validity.isValid(name)) {
                    warn(
                            file,
                            at,
                            "the target \"" + PolicyLexer.shorten(name) + "\" is not a valid path"
                                    + " here (NUL, or not encodable as a file name); the JDK's permission then grants"
                                    + " nothing, and neither does Airlock's");
                    return;
                }
                if (name.isEmpty() || name.charAt(0) != '/') {
                    warn(
                            file,
                            at,
                            "the relative target \"" + PolicyLexer.shorten(name) + "\" is resolved"
                                    + " against user.dir " + userDir + " (the JDK would match it only against relative"
                                    + " paths)");
                }
                addFileGrant(name, userDir, mask, rule);
            }
            case SOCKET_PERMISSION -> {
                if (name == null || p.actions() == null) {
                    warn(
                            file,
                            at,
                            "permission ignored, as the JDK ignores it: " + SOCKET_PERMISSION
                                    + " needs a target and actions");
                    return;
                }
                int mask = SocketActions.parseOrMinusOne(p.actions());
                if (mask <= 0) {
                    warn(
                            file,
                            at,
                            "permission ignored, as the JDK ignores it: invalid actions \"" + p.actions() + "\" for "
                                    + SOCKET_PERMISSION);
                    return;
                }
                SocketTarget target;
                try {
                    target = SocketTarget.parse(name);
                } catch (IllegalArgumentException e) {
                    warn(
                            file,
                            at,
                            "permission ignored, as the JDK ignores it: invalid target \""
                                    + PolicyLexer.shorten(name) + "\" for " + SOCKET_PERMISSION + ": "
                                    + e.getMessage());
                    return;
                }
                rules.add(p.rule());
                sockets.add(new SocketIndex.Grant(target, mask | SocketActions.RESOLVE, rule));
            }
            default -> throw new AssertionError(type);
        }
    }

    private void addFileGrant(String name, String userDir, int mask, int rule) {
        boolean star = name.endsWith("*");
        String n = FilePaths.absoluteNormalized(name, userDir);
        int lastSlash = n.lastIndexOf('/');
        String last = n.substring(lastSlash + 1);
        String parent = FilePaths.parent(n);
        if (star) {
            if (last.equals("*")) {
                files.add(FileIndex.DIR, parent, mask, rule);
            } else {
                files.add(FileIndex.PLAIN, n.substring(0, n.length() - 1) + "-", mask, rule);
            }
        } else if (last.equals("-")) {
            files.add(FileIndex.RECURSIVE, parent, mask, rule);
        } else {
            files.add(FileIndex.PLAIN, n, mask, rule);
        }
    }

    /**
     * Applies the JDK's {@code ${{...}}} rules to a permission name; returns why the permission
     * grants nothing here, or null when it is usable.
     */
    static String selfOrAlias(String name) {
        if (name == null || !name.contains("${{")) {
            return null;
        }
        int from = 0;
        while (true) {
            int b = name.indexOf("${{", from);
            if (b < 0) {
                break;
            }
            int e = name.indexOf("}}", b);
            if (e < 0) {
                break;
            }
            String value = name.substring(b + 3, e);
            int colon = value.indexOf(':');
            String prefix = colon < 0 ? value : value.substring(0, colon);
            if (prefix.equalsIgnoreCase("self")) {
                from = e + 2;
                continue;
            }
            if (prefix.equalsIgnoreCase("alias")) {
                return colon < 0
                        ? "${{alias}} without an alias name (the JDK drops it)"
                        : "${{" + value + "}} needs a keystore certificate, which Airlock does not load";
            }
            return "${{" + prefix + "}} is not a substitution the JDK knows (it drops the permission)";
        }
        if (name.contains("${{self}}")) {
            return "${{self}} only means something in a grant with principals (the JDK ignores it" + " here)";
        }
        return null;
    }

    private void warn(String file, PolicyModel.Position at, String message) {
        warnings.add(new PolicyWarning(file, at.line(), at.column(), message));
    }
}
