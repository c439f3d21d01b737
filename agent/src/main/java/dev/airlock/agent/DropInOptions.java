package dev.airlock.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The drop-in's options, {@code -javaagent:airlock.jar=policy=FILE,user=USER,allow-weaker=landlock,trust=FILE,audit=FILE}:
 * what {@code airlock run}'s {@code --policy}, {@code --user}, {@code --allow-weaker},
 * {@code --trust} and {@code --audit} options say, spelled as an agent's option string.
 *
 * <ul>
 *   <li>{@code policy=FILE}: a java.policy file, relative to the working directory; may be given
 *       several times, combined as several {@code --policy} are. Without one, the policies are
 *       where the SecurityManager read them ({@link SecurityPolicyFiles});
 *   <li>{@code user=USER}: as {@code --user}, at most once;
 *   <li>{@code allow-weaker=landlock}: as {@code --allow-weaker=landlock}, at most once;
 *   <li>{@code trust=FILE}: as {@code --trust FILE}, a public key trusted to sign the policies
 *       (also those found through {@code java.security.policy}), relative to the working
 *       directory; may be given several times. The broker verifies the signatures: the drop-in
 *       only passes the files on.
 *   <li>{@code audit=FILE}: as {@code --audit FILE}, the broker's audit log, relative to the
 *       working directory, at most once; with it, {@code audit-key=FILE} as {@code --audit-key}
 *       and {@code audit-allowed=true} as {@code --audit-allowed}, each at most once.
 * </ul>
 *
 * <p>Options are separated by {@code ,}; a value is percent-decoded (UTF-8), so a path holding a
 * comma is written with {@code %2C} and one holding {@code %} with {@code %25}, as in the
 * helper's own arguments ({@link AgentArgs}). Parsing is strict: an unknown option, an option
 * without {@code =}, an empty value, a repeated {@code user} or {@code allow-weaker}, or a bad
 * escape is a {@link DropInException} with exit status 2, and nothing is started.
 */
record DropInOptions(
        List<String> policies,
        Optional<String> user,
        Optional<String> allowWeaker,
        List<String> trust,
        Optional<Audit> audit) {
    DropInOptions {
        policies = List.copyOf(policies);
        trust = List.copyOf(trust);
    }

    /** The audit log's options: its file, the key that seals it, whether allowed decisions are written too. */
    record Audit(String file, Optional<String> key, boolean allowed) {
        /** The same options with the files resolved against {@code workingDirectory}. */
        Audit resolvedAgainst(java.nio.file.Path workingDirectory) {
            return new Audit(
                    workingDirectory.resolve(file).normalize().toString(),
                    key.map(k -> workingDirectory.resolve(k).normalize().toString()),
                    allowed);
        }
    }

    /** Parses the agent's option string; null or empty means no option. */
    static DropInOptions parse(String options) throws DropInException {
        List<String> policies = new ArrayList<>();
        List<String> trust = new ArrayList<>();
        String user = null;
        String allowWeaker = null;
        String audit = null;
        String auditKey = null;
        boolean auditAllowed = false;
        if (options == null || options.isEmpty()) {
            return new DropInOptions(policies, Optional.empty(), Optional.empty(), trust, Optional.empty());
        }
        for (String item : options.split(",", -1)) {
            int eq = item.indexOf('=');
            if (eq <= 0) {
                throw usage("option '" + item + "' is not NAME=VALUE");
            }
            String key = item.substring(0, eq);
            String value;
            try {
                value = AgentArgs.decode(item.substring(eq + 1));
            } catch (IllegalArgumentException e) {
                throw usage("option '" + key + "': " + e.getMessage());
            }
            if (value.isEmpty()) {
                throw usage("option '" + key + "' has an empty value");
            }
            switch (key) {
                case "policy":
                    policies.add(value);
                    break;
                case "user":
                    if (user != null) {
                        throw usage("option 'user' given twice");
                    }
                    user = value;
                    break;
                case "allow-weaker":
                    if (allowWeaker != null) {
                        throw usage("option 'allow-weaker' given twice");
                    }
                    if (!value.equals("landlock")) {
                        throw usage("option 'allow-weaker' knows only 'landlock', not '" + value + "'");
                    }
                    allowWeaker = value;
                    break;
                case "trust":
                    trust.add(value);
                    break;
                case "audit":
                    if (audit != null) {
                        throw usage("option 'audit' given twice");
                    }
                    audit = value;
                    break;
                case "audit-key":
                    if (auditKey != null) {
                        throw usage("option 'audit-key' given twice");
                    }
                    auditKey = value;
                    break;
                case "audit-allowed":
                    if (auditAllowed) {
                        throw usage("option 'audit-allowed' given twice");
                    }
                    if (!value.equals("true")) {
                        throw usage("option 'audit-allowed' knows only 'true', not '" + value + "'");
                    }
                    auditAllowed = true;
                    break;
                default:
                    throw usage("unknown option '" + key
                            + "' (known: policy, user, allow-weaker, trust, audit, audit-key, audit-allowed)");
            }
        }
        if (audit == null && (auditKey != null || auditAllowed)) {
            throw usage("option '" + (auditKey != null ? "audit-key" : "audit-allowed") + "' needs 'audit=FILE'");
        }
        return new DropInOptions(
                policies,
                Optional.ofNullable(user),
                Optional.ofNullable(allowWeaker),
                trust,
                audit == null
                        ? Optional.empty()
                        : Optional.of(new Audit(audit, Optional.ofNullable(auditKey), auditAllowed)));
    }

    private static DropInException usage(String message) {
        return new DropInException(DropInException.USAGE, "-javaagent:airlock.jar: " + message);
    }
}
