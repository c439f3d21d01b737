package dev.airlock.broker;

import dev.airlock.broker.Resolver.Refusal;
import dev.airlock.ipc.HostAddress;
import dev.airlock.ipc.Message;
import dev.airlock.ipc.Reply;
import dev.airlock.ipc.Request;
import dev.airlock.policy.Policy;
import dev.airlock.policy.SocketActions;
import dev.airlock.policy.SocketDecision;
import dev.airlock.unix.Errno;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The broker's side of the program's name resolution (RESOLVE, REVERSE_RESOLVE;
 * docs/ARCHITECTURE.md, "Name resolution"). A name is decided first
 * ({@link Policy#decideResolve}), so an ungranted one never reaches a name server and no packet
 * about it leaves the machine; a granted one is resolved in the broker's JVM, where the broker's
 * own configuration applies ({@code /etc/hosts}, {@code resolv.conf}, or
 * {@code -Djdk.net.hosts.file} through {@code AIRLOCK_JAVA_OPTIONS}), and what it answered is
 * recorded in the helper's {@link ResolvedNames} before the reply leaves, so that a connect by
 * that name's grant covers exactly those addresses.
 *
 * <p>A reverse lookup answers a name only when the broker's own reverse lookup finds one that
 * resolves back to the address (the JDK's forward confirmation, done by
 * {@code InetAddress#getCanonicalHostName}) and that the policy lets the program resolve, as the
 * JDK under a SecurityManager answered the address's text instead of a name the program could not
 * resolve.
 *
 * <p>Blocking (a name server may be slow), and thread-safe: the request loop runs these on its
 * resolver threads, not on its own ({@link RequestLoop}).
 */
final class NameLookups {
    /** Where names and addresses are looked up: the broker JVM's resolver in production. */
    interface NameService {
        /** Every address of {@code host}, as {@code InetAddress.getAllByName} gives them. */
        InetAddress[] lookup(String host) throws UnknownHostException;

        /** The forward-confirmed name of {@code address}, or its text when it has none. */
        String reverse(InetAddress address);
    }

    /** The broker JVM's own resolver, with its own caches. */
    static final NameService SYSTEM = new NameService() {
        @Override
        public InetAddress[] lookup(String host) throws UnknownHostException {
            return InetAddress.getAllByName(host);
        }

        @Override
        public String reverse(InetAddress address) {
            return address.getCanonicalHostName();
        }
    };

    private final Policy policy;
    private final ResolvedNames names;
    private final NameService service;

    private DecisionRecorder recorder = DecisionRecorder.NONE;

    /** These lookups, reporting each allowed resolve to {@code recorder}. */
    NameLookups recordingTo(DecisionRecorder recorder) {
        this.recorder = recorder;
        return this;
    }

    NameLookups(Policy policy, ResolvedNames names, NameService service) {
        this.policy = policy;
        this.names = names;
        this.service = service;
    }

    /** RESOLVE: decided, then resolved and recorded; a denial is a {@link Refusal} with the policy's reason. */
    Reply.Success resolve(Request.Resolve r) throws Refusal {
        String host = r.host();
        SocketDecision d = policy.decideResolve(host);
        DecisionTrail.socket(d, host, "resolve", Set.of());
        if (!d.allowed()) {
            throw new Refusal(Errno.EACCES, d.reason());
        }
        recorder.resolve(host, SocketActions.RESOLVE);
        InetAddress[] found;
        try {
            found = service.lookup(host);
        } catch (UnknownHostException e) {
            return new Reply.Unresolved();
        }
        List<InetAddress> answered =
                new ArrayList<>(Arrays.asList(found).subList(0, Math.min(found.length, Message.MAX_ADDRESSES)));
        if (answered.isEmpty()) {
            return new Reply.Unresolved();
        }
        names.record(host, answered);
        List<HostAddress> wire = new ArrayList<>(answered.size());
        for (InetAddress a : answered) {
            wire.add(HostAddress.of(a));
        }
        return new Reply.Addresses(wire);
    }

    /** REVERSE_RESOLVE: the address's granted, forward-confirmed name, else its text. */
    Reply.Success reverseResolve(Request.ReverseResolve r) {
        InetAddress address = r.address().inetAddress(null);
        String literal = address.getHostAddress();
        String name = service.reverse(address);
        if (name == null
                || name.equals(literal)
                || Message.MAX_HOST_NAME_LENGTH < name.length()
                || !policy.decideResolve(name).allowed()) {
            return new Reply.HostName(literal);
        }
        try {
            return new Reply.HostName(name);
        } catch (IllegalArgumentException e) {
            return new Reply.HostName(literal); // a name the wire cannot carry (non-ASCII from a hosts file)
        }
    }
}
