package dev.airlock.broker;

import dev.airlock.ipc.Request;
import dev.airlock.policy.PolicyLearner;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The record {@code airlock learn} learns from: every allowed decision of the broker's, with the
 * operation of the request it served. The decision points ({@link Resolver}, {@link SocketOpener},
 * {@link NameLookups}) report to it after the policy allowed; {@link RequestServer} names the
 * operation before it serves and, once answered, sets aside the decisions of a request that
 * failed with ENOENT: they are learnt only when the run later used the same target (a program that
 * looks before it makes, as {@code Files.createDirectories} probes each missing ancestor before it
 * creates them, needs the look granted too; a probe of a name that never came to exist, as javac's
 * of missing packages, grants nothing). A run that does not learn has {@link #NONE}, which keeps
 * nothing.
 *
 * <p>Beside {@link DecisionTrail}, which the same decision points report to for the audit log.
 * Thread-safe: name lookups are served on other threads than the request loop's.
 */
final class DecisionRecorder {
    /** Records nothing. */
    static final DecisionRecorder NONE = new DecisionRecorder(false);

    private final boolean on;
    private final ThreadLocal<String> operation = ThreadLocal.withInitial(() -> "UNKNOWN");
    private final List<PolicyLearner.Observation> observations = new ArrayList<>();
    /** The decisions of requests that failed with ENOENT, learnt only if their target was used later. */
    private final List<PolicyLearner.Observation> missed = new ArrayList<>();
    /** The decisions of the request this thread serves, kept or dropped once it is answered. */
    private final ThreadLocal<List<PolicyLearner.Observation>> pending = ThreadLocal.withInitial(ArrayList::new);

    private DecisionRecorder(boolean on) {
        this.on = on;
    }

    /** A recorder that keeps every allowed decision. */
    static DecisionRecorder recording() {
        return new DecisionRecorder(true);
    }

    /** The operation the next decisions on this thread serve: the request's name, e.g. {@code OPEN}, {@code MAKE_DIRECTORY}. */
    void begin(Request request) {
        if (on) {
            operation.set(name(request));
            pending.get().clear();
        }
    }

    static String name(Request request) {
        String simple = request.getClass().getSimpleName();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < simple.length(); i++) {
            char c = simple.charAt(i);
            if (i > 0 && Character.isUpperCase(c)) {
                b.append('_');
            }
            b.append(Character.toUpperCase(c));
        }
        return b.toString();
    }

    /** An allowed file decision on {@code path} (absolute, normalized). */
    void file(String path, int actions) {
        if (on) {
            add(new PolicyLearner.Observation(PolicyLearner.Kind.FILE, path, actions, operation.get(), Set.of()));
        }
    }

    /** An allowed socket decision on {@code address}:{@code port}, reached by {@code names} the broker resolved. */
    void socket(byte[] address, int port, int actions, Set<String> names) {
        if (on) {
            String host;
            try {
                host = InetAddress.getByAddress(address).getHostAddress();
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("not an address: " + address.length + " bytes", e);
            }
            String target = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
            add(new PolicyLearner.Observation(PolicyLearner.Kind.SOCKET, target, actions, operation.get(), names));
        }
    }

    /** An allowed resolve of host name {@code name}. */
    void resolve(String name, int actions) {
        if (on) {
            add(new PolicyLearner.Observation(PolicyLearner.Kind.SOCKET, name, actions, operation.get(), Set.of()));
        }
    }

    /**
     * The request begun on this thread is answered: its decisions are kept when {@code used}, and
     * set aside when not (the program probed a name that did not exist then).
     */
    void end(boolean used) {
        if (on) {
            List<PolicyLearner.Observation> decided = pending.get();
            keep(decided, used ? observations : missed);
            decided.clear();
        }
    }

    private void add(PolicyLearner.Observation o) {
        pending.get().add(o);
    }

    private synchronized void keep(List<PolicyLearner.Observation> decided, List<PolicyLearner.Observation> into) {
        into.addAll(decided);
    }

    /**
     * What was recorded so far, in order, then each decision set aside whose target a kept
     * decision of the same kind names.
     */
    synchronized List<PolicyLearner.Observation> observations() {
        List<PolicyLearner.Observation> all = new ArrayList<>(observations);
        Set<String> used = new HashSet<>();
        for (PolicyLearner.Observation o : observations) {
            used.add(o.kind() + " " + o.target());
        }
        for (PolicyLearner.Observation o : missed) {
            if (used.contains(o.kind() + " " + o.target())) {
                all.add(o);
            }
        }
        return List.copyOf(all);
    }
}
