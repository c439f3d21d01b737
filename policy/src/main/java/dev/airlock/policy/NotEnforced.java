package dev.airlock.policy;

import dev.airlock.policy.PolicyModel.Grant;
import dev.airlock.policy.PolicyModel.Permission;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One group of entries that are legitimate in a SecurityManager policy but that Airlock does not
 * enforce, for {@code airlock check} to list once, with every line it comes from.
 *
 * <p>What is grouped: the JDK's in-process permissions ({@code PropertyPermission},
 * {@code RuntimePermission}, ...), one group per class; third-party permission classes, one group
 * per class; grants restricted by {@code codeBase}, {@code signedBy} or {@code principal}; the
 * {@code SocketPermission} grants of {@code accept}, whose "who may connect in" only the helper
 * could check (the broker decides {@code connect}, {@code listen} and {@code resolve}). {@link #toString()} is one line, for example {@code not enforced by Airlock: 3
 * java.util.PropertyPermission grants (app.policy:4, 7, 9): in-process permissions}.
 *
 * <p>None of this is an error: such a policy runs as it did, granting through the entries Airlock
 * enforces. Mistakes (an unknown {@code java.*} class, bad actions) are errors instead, see
 * {@link PolicyCompiler}.
 */
public final class NotEnforced {

    private static final String IN_PROCESS = "in-process permissions: the SecurityManager checked them inside the"
            + " JVM, and Airlock confines only the files and connections the program reaches outside it";

    private final String subject;
    private final List<String> rules;
    private final String reason;

    NotEnforced(String subject, List<String> rules, String reason) {
        this.subject = Objects.requireNonNull(subject);
        this.rules = List.copyOf(rules);
        this.reason = Objects.requireNonNull(reason);
        if (this.rules.isEmpty()) {
            throw new IllegalArgumentException("a group without entries");
        }
    }

    /** What is not enforced, e.g. {@code java.util.PropertyPermission grants}. */
    public String subject() {
        return subject;
    }

    /** Every entry of the group as {@code FILE:LINE}, in policy order. */
    public List<String> rules() {
        return rules;
    }

    /** Why Airlock does not enforce it. */
    public String reason() {
        return reason;
    }

    @Override
    public String toString() {
        return "not enforced by Airlock: " + rules.size() + " " + subject + " (" + lines(rules) + "): " + reason;
    }

    /** {@code a.policy:4, 7, 9; b.policy:2}: each file once, then its lines. */
    static String lines(List<String> rules) {
        StringBuilder sb = new StringBuilder();
        String currentFile = null;
        for (String rule : rules) {
            int colon = rule.lastIndexOf(':');
            String file = rule.substring(0, colon);
            if (file.equals(currentFile)) {
                sb.append(", ").append(rule, colon + 1, rule.length());
            } else {
                if (currentFile != null) {
                    sb.append("; ");
                }
                sb.append(rule);
                currentFile = file;
            }
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NotEnforced n
                && n.subject.equals(subject)
                && n.rules.equals(rules)
                && n.reason.equals(reason);
    }

    @Override
    public int hashCode() {
        return Objects.hash(subject, rules, reason);
    }

    /** Why a JDK permission class other than the three Airlock decides is not enforced. */
    static String reasonFor(String type) {
        if (type.equals("java.nio.file.LinkPermission")) {
            return "creating a link is decided by " + PolicyCompiler.FILE_PERMISSION + " write on the link";
        }
        if (type.equals("java.net.URLPermission") || type.equals("java.net.NetPermission")) {
            return IN_PROCESS + " (a connection is decided by " + PolicyCompiler.SOCKET_PERMISSION + ")";
        }
        return IN_PROCESS;
    }

    /** Gathers the groups of all the files of one policy, in the order each group first appears. */
    static final class Collector {
        private final List<String> restricted = new ArrayList<>();
        private int restrictedPermissions;
        private final List<String> accepts = new ArrayList<>();
        private final Map<String, List<String>> types = new LinkedHashMap<>();

        void restricted(Grant g) {
            restricted.add(g.file() + ":" + g.position().line());
            restrictedPermissions += g.permissions().size();
        }

        /** A socket grant of {@code actions} ({@link SocketActions} bits, as written). */
        void socket(Permission p, int actions) {
            if ((actions & SocketActions.ACCEPT) != 0) {
                accepts.add(p.rule());
            }
        }

        void type(Permission p) {
            types.computeIfAbsent(p.type(), t -> new ArrayList<>()).add(p.rule());
        }

        List<NotEnforced> groups() {
            List<NotEnforced> out = new ArrayList<>();
            if (!restricted.isEmpty()) {
                out.add(new NotEnforced(
                        restricted.size() == 1
                                ? "grant restricted by codeBase, signedBy or principal"
                                : "grants restricted by codeBase, signedBy or principal",
                        restricted,
                        "the broker serves the whole JVM and cannot tell which code or principal asked, so their "
                                + restrictedPermissions + " permission" + (restrictedPermissions == 1 ? "" : "s")
                                + " grant nothing"));
            }
            if (!accepts.isEmpty()) {
                out.add(new NotEnforced(
                        PolicyCompiler.SOCKET_PERMISSION + " accept" + (accepts.size() == 1 ? " grant" : " grants"),
                        accepts,
                        "who may connect in, or send datagrams in, is not checked: a socket the broker lets the"
                                + " program listen on or bind accepts any peer that can reach it, and only the program"
                                + " itself could check each one (its connect and listen actions are enforced, and a"
                                + " datagram connect is decided on accept too, as the JDK decided it)"));
            }
            for (Map.Entry<String, List<String>> e : types.entrySet()) {
                String type = e.getKey();
                String noun = e.getValue().size() == 1 ? " grant" : " grants";
                out.add(new NotEnforced(
                        type + noun,
                        e.getValue(),
                        JdkPermissions.isPlatformName(type)
                                ? reasonFor(type)
                                : "a third-party permission class: only the program's own code could check it,"
                                        + " and the broker decides files and connections only"));
            }
            return List.copyOf(out);
        }
    }
}
