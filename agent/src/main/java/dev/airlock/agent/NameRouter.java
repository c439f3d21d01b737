package dev.airlock.agent;

import dev.airlock.helper.PolicyDeniedException;
import dev.airlock.ipc.HostAddress;
import dev.airlock.ipc.Reply;
import dev.airlock.ipc.Request;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the JDK's platform resolver (JDK 17's {@code InetAddress$PlatformNameService}, JDK 25's
 * {@code InetAddress$PlatformResolver}, through java.io.AirlockBridge) into RESOLVE and
 * REVERSE_RESOLVE requests: the helper reaches no name server itself, so the broker decides each
 * name by the policy and resolves it in its own JVM (docs/ARCHITECTURE.md, "Name resolution").
 * The hooks sit below the JDK's caches, which keep the broker's answers (and its "unknown host")
 * for as long as they keep any.
 *
 * <p>What the program sees: the broker's addresses, each carrying the name as asked; for a name
 * that does not resolve the JDK's own {@code UnknownHostException: NAME: Name or service not
 * known}; for a name the policy does not let it resolve {@code UnknownHostException: NAME (denied
 * by airlock policy P: resolve NAME)}, caused by a {@code SecurityException} with the reason, as
 * the JDK under a SecurityManager threw one (and as {@code InetAddress.getLocalHost} recognises to
 * answer the loopback address instead, AirlockLocalHostAdvice). A reverse lookup that yields no
 * name the program may resolve is the JDK's {@code UnknownHostException}, after which the JDK
 * answers the address's text, as it does for an address without a name.
 *
 * <p>This decides nothing: an ungranted name is the broker's to refuse. It only refuses locally
 * what cannot be a name on the wire (a NUL, as the JDK's own resolver refuses it; a character no
 * host name has), answering as a lookup of it would.
 */
final class NameRouter {
    /** The bridge's operation numbers (java.io.AirlockBridge#NAME_LOOKUP, #ADDRESS_LOOKUP). */
    static final int NAME_LOOKUP = Bridge.NAME_LOOKUP;

    static final int ADDRESS_LOOKUP = Bridge.ADDRESS_LOOKUP;

    /** JDK 25's {@code LookupPolicy} characteristics bits. */
    static final int IPV4 = 1;

    static final int IPV6 = 2;
    static final int IPV4_FIRST = 4;
    static final int IPV6_FIRST = 8;

    /** glibc's words for EAI_NONAME, which the JDK's native lookup puts after the name. */
    static final String NOT_KNOWN = "Name or service not known";

    private final Opener opener;

    NameRouter(Opener opener) {
        this.opener = opener;
    }

    private static volatile NameRouter installed;

    /** Makes {@code router} the one {@link #dispatch} serves. Refuses a second router. */
    static synchronized void install(NameRouter router) {
        if (installed != null) {
            throw new IllegalStateException("an airlock name router is already installed");
        }
        installed = router;
    }

    /** The target of the bridge's name handle, of exactly its type. */
    static Object dispatch(int op, String host, byte[] address, int characteristics) throws IOException {
        NameRouter router = installed;
        if (router == null) {
            throw new UnknownHostException("airlock name router is not installed");
        }
        return op == ADDRESS_LOOKUP ? router.reverse(address) : router.lookup(host, characteristics);
    }

    /**
     * The addresses of {@code host} as the broker resolved them, filtered and ordered by JDK 25's
     * {@code characteristics} (0: as the broker gave them).
     */
    InetAddress[] lookup(String host, int characteristics) throws UnknownHostException {
        if (host.indexOf(0) >= 0) {
            throw new UnknownHostException("NUL character not allowed in hostname"); // the JDK's own words
        }
        Request.Resolve request;
        try {
            request = new Request.Resolve(host);
        } catch (IllegalArgumentException e) {
            throw new UnknownHostException(host + ": " + NOT_KNOWN);
        }
        Reply.Success success;
        try {
            success = opener.send(request).success();
        } catch (PolicyDeniedException e) {
            UnknownHostException denied = new UnknownHostException(host + " (" + e.reason() + ")");
            denied.initCause(new SecurityException(e.reason()));
            throw denied;
        } catch (IOException e) {
            throw new UnknownHostException(host + " (airlock broker: " + e.getMessage() + ")");
        }
        if (!(success instanceof Reply.Addresses addresses)) {
            throw new UnknownHostException(host + ": " + NOT_KNOWN);
        }
        InetAddress[] ordered = order(addresses.addresses(), host, characteristics);
        if (ordered.length == 0) {
            throw new UnknownHostException(host + ": " + NOT_KNOWN);
        }
        return ordered;
    }

    /** The name the broker found for {@code address}; UnknownHostException when it found none to give. */
    String reverse(byte[] address) throws UnknownHostException {
        HostAddress wire;
        try {
            wire = HostAddress.of(address, 0);
        } catch (IllegalArgumentException e) {
            throw new UnknownHostException(e.getMessage());
        }
        Reply.Success success;
        try {
            success = opener.send(new Request.ReverseResolve(wire)).success();
        } catch (IOException e) {
            throw new UnknownHostException(wire + " (airlock broker: " + e.getMessage() + ")");
        }
        if (success instanceof Reply.HostName name && !name.name().equals(wire.toString())) {
            return name.name();
        }
        // No name, or none the program may resolve: the JDK answers the address's text itself.
        throw new UnknownHostException(wire.toString());
    }

    /** The addresses as the JDK's, carrying {@code host}, in the order {@code characteristics} asks. */
    static InetAddress[] order(List<HostAddress> addresses, String host, int characteristics) {
        List<InetAddress> v4 = new ArrayList<>();
        List<InetAddress> v6 = new ArrayList<>();
        List<InetAddress> all = new ArrayList<>();
        for (HostAddress a : addresses) {
            InetAddress i = a.inetAddress(host);
            (i instanceof Inet6Address ? v6 : v4).add(i);
            all.add(i);
        }
        boolean wantV4 = (characteristics & IPV4) != 0;
        boolean wantV6 = (characteristics & IPV6) != 0;
        List<InetAddress> out;
        if (characteristics == 0 || (wantV4 && wantV6 && (characteristics & (IPV4_FIRST | IPV6_FIRST)) == 0)) {
            out = all;
        } else if (wantV4 && !wantV6) {
            out = v4;
        } else if (wantV6 && !wantV4) {
            out = v6;
        } else {
            out = new ArrayList<>();
            boolean v6First = (characteristics & IPV6_FIRST) != 0;
            out.addAll(v6First ? v6 : v4);
            out.addAll(v6First ? v4 : v6);
        }
        return out.toArray(new InetAddress[0]);
    }
}
