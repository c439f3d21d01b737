package dev.airlock.policy;

import dev.airlock.policy.PolicyModel.Grant;
import dev.airlock.policy.PolicyModel.Permission;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns parsed policy files into the decision structures, deciding which entries the broker can
 * use, and says why about the rest.
 *
 * <p>What counts, following how the JDK's {@code PolicyFile} builds permissions:
 * <ul>
 *   <li>Only unrestricted grants (no codeBase, no signedBy, no principal). The broker serves the
 *       whole helper JVM and cannot tell which code or which principal asked, so a restricted
 *       grant cannot widen its decisions: it is kept in the model and listed as not enforced
 *       ({@link NotEnforced}).
 *   <li>Permission types are matched by exact class name, as the JDK loads them:
 *       {@code java.io.FilePermission}, {@code java.net.SocketPermission} and
 *       {@code java.security.AllPermission} are enforced; every other JDK permission and every
 *       class outside {@code java.*} is kept and listed as not enforced.
 *   <li>Mistakes are errors, never dropped: a {@code java.*} class the JDK does not have
 *       ({@link JdkPermissions}), and a FilePermission or SocketPermission whose JDK constructor
 *       would throw (bad or missing actions, a missing or malformed target). The JDK printed an
 *       error and carried on without the entry, so a typo silently granted nothing; Airlock
 *       refuses the policy instead, at the entry's position (see {@link #mistake}).
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
    record Compiled(
            FileIndex files,
            SocketIndex sockets,
            List<String> rules,
            List<PolicyWarning> warnings,
            List<NotEnforced> notEnforced,
            List<PolicySyntaxException> errors) {}

    private final FileIndex.Builder files = new FileIndex.Builder();
    private final List<SocketIndex.Grant> sockets = new ArrayList<>();
    private final List<String> rules = new ArrayList<>();
    private final List<PolicyWarning> warnings = new ArrayList<>();
    private final NotEnforced.Collector notEnforced = new NotEnforced.Collector();
    private final List<PolicySyntaxException> errors = new ArrayList<>();
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
                c.files.build(),
                new SocketIndex(c.sockets, ports),
                List.copyOf(c.rules),
                List.copyOf(c.warnings),
                c.notEnforced.groups(),
                List.copyOf(c.errors));
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
        for (Grant g : f.grants()) {
            // Mistakes are refused wherever they are, in restricted and dropped grants too: the
            // JDK would refuse each such entry, and an author who wrote it meant something else.
            for (Permission p : g.permissions()) {
                String error = mistake(p);
                if (error != null) {
                    errors.add(new PolicySyntaxException(
                            f.displayName(), p.position().line(), p.position().column(), error));
                }
            }
            if (g.ignoredBecause() != null) {
                continue;
            }
            if (!g.unrestricted()) {
                notEnforced.restricted(g);
                continue;
            }
            for (Permission p : g.permissions()) {
                if (p.ignoredBecause() != null || mistake(p) != null) {
                    continue;
                }
                String type = p.type();
                if (!type.equals(FILE_PERMISSION) && !type.equals(SOCKET_PERMISSION) && !type.equals(ALL_PERMISSION)) {
                    notEnforced.type(p);
                    continue;
                }
                int socketsBefore = sockets.size();
                permission(f.displayName(), source.userDir(), p);
                if (type.equals(SOCKET_PERMISSION) && sockets.size() > socketsBefore) {
                    // connect and listen are the broker's; what of the rest is not is NotEnforced's to say.
                    notEnforced.socket(p, SocketActions.parse(p.actions()));
                }
            }
        }
    }

    /**
     * Why the JDK would refuse to build this permission entry, worded for its author, or null when
     * it would build it: a {@code java.*} class the JDK does not have (or cannot construct from a
     * policy), and a FilePermission or SocketPermission whose constructor throws. The action and
     * target rules are the ones {@link FileActions}, {@link SocketActions} and {@link SocketTarget}
     * mirror; {@code PolicyDifferentialTest} holds them to the JDK's constructors.
     */
    static String mistake(Permission p) {
        String type = p.type();
        if (type == null) {
            return null;
        }
        String noClass = JdkPermissions.whyNot(type);
        if (noClass != null) {
            return noClass;
        }
        if (p.ignoredBecause() != null) {
            // The JDK skipped the entry unread (a property is not set): only its class is known.
            return null;
        }
        String name = p.name();
        String actions = p.actions();
        switch (type) {
            case FILE_PERMISSION -> {
                if (name == null) {
                    return "expected a target and actions for " + FILE_PERMISSION
                            + ", e.g. \"/srv/data/-\", \"read\" (the JDK refuses the permission without them)";
                }
                int mask = FileActions.parseOrMinusOne(actions);
                if (mask < 0) {
                    return "invalid actions \"" + PolicyLexer.shorten(actions) + "\" for " + FILE_PERMISSION
                            + ": expected read, write, execute, delete or readlink, separated by commas"
                            + " (the JDK refuses the permission)";
                }
                if (mask == 0) {
                    return "expected actions for " + FILE_PERMISSION + " (read, write, execute, delete, readlink),"
                            + " found " + (actions == null ? "none" : "an empty string")
                            + " (the JDK refuses the permission without them)";
                }
                return null;
            }
            case SOCKET_PERMISSION -> {
                if (name == null || actions == null) {
                    return "expected a target and actions for " + SOCKET_PERMISSION
                            + ", e.g. \"db.example.com:5432\", \"connect\" (the JDK refuses the permission without"
                            + " them)";
                }
                if (SocketActions.parseOrMinusOne(actions) <= 0) {
                    return "invalid actions \"" + PolicyLexer.shorten(actions) + "\" for " + SOCKET_PERMISSION
                            + ": expected connect, listen, accept or resolve, separated by commas"
                            + " (the JDK refuses the permission)";
                }
                if (selfOrAlias(name) != null) {
                    return null;
                }
                try {
                    SocketTarget.parse(name);
                } catch (IllegalArgumentException e) {
                    return "invalid target \"" + PolicyLexer.shorten(name) + "\" for " + SOCKET_PERMISSION + ": "
                            + e.getMessage() + " (expected HOST, HOST:PORT or HOST:LOW-HIGH; the JDK refuses the"
                            + " permission)";
                }
                return null;
            }
            default -> {
                return null;
            }
        }
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
                sockets.add(new SocketIndex.Grant(SocketTarget.parse("*"), SocketActions.ALL, rule, "*"));
                warn(file, at, ALL_PERMISSION + " grants every file and every connection");
            }
            case FILE_PERMISSION -> {
                // mistake() refused a missing target and invalid or missing actions.
                int mask = FileActions.parse(p.actions());
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
                // mistake() refused a missing target or actions and invalid actions.
                int mask = SocketActions.parse(p.actions());
                SocketTarget target = SocketTarget.parse(name);
                rules.add(p.rule());
                sockets.add(new SocketIndex.Grant(target, mask | SocketActions.RESOLVE, rule, name));
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
