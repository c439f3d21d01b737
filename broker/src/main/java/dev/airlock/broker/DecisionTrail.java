package dev.airlock.broker;

import dev.airlock.policy.FileActions;
import dev.airlock.policy.FileDecision;
import dev.airlock.policy.SocketDecision;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The policy checks of the request being served on this thread, for the audit log: {@link
 * RequestServer} opens a trail before it serves a request ({@link #begin}) and takes it once the
 * reply is known ({@link #take}); the places that ask the policy ({@link Resolver}, {@link
 * SocketOpener}, {@link NameLookups}) add each answer they act on. Nothing here decides: it only
 * writes down the decisions made where they are made, so there is no second decision point.
 *
 * <p>Per thread, because name lookups are served on resolver threads while the request loop goes
 * on ({@link RequestLoop}). A check equal to one already in the trail (a rename decides each path
 * before and again while it resolves it) is kept once. Outside a trail (tests, {@code explain})
 * adding does nothing.
 */
final class DecisionTrail {
    private static final ThreadLocal<List<AuditCheck>> CURRENT = new ThreadLocal<>();

    private DecisionTrail() {}

    /** Starts the trail of a request on this thread, dropping any left over. */
    static void begin() {
        CURRENT.set(new ArrayList<>(2));
    }

    /** The checks since {@link #begin}, in the order made; ends the trail (empty without one). */
    static List<AuditCheck> take() {
        List<AuditCheck> checks = CURRENT.get();
        CURRENT.remove();
        return checks == null ? List.of() : checks;
    }

    /** Adds the policy's answer for {@code actions} on the file it decided. */
    static void file(FileDecision d, int actions) {
        add(new AuditCheck(
                d.normalizedPath(),
                AuditCheck.Kind.FILE,
                FileActions.toString(actions),
                List.of(),
                d.allowed(),
                d.rule()));
    }

    /** Adds the policy's answer for {@code actions} on a socket {@code target} (an address or a name). */
    static void socket(SocketDecision d, String target, String actions, Collection<String> names) {
        add(new AuditCheck(
                target, AuditCheck.Kind.SOCKET, actions, names.stream().sorted().toList(), d.allowed(), d.rule()));
    }

    private static void add(AuditCheck check) {
        List<AuditCheck> checks = CURRENT.get();
        if (checks != null && !checks.contains(check)) {
            checks.add(check);
        }
    }
}
