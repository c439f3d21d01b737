package dev.airlock.broker;

import java.net.InetAddress;
import java.util.Set;

/**
 * The host names the broker itself resolved to an address for this helper: what lets a grant by
 * host name cover that address ({@link dev.airlock.policy.Policy#decideConnect}). Only the
 * broker's own answers count, never a name the program attaches to an address itself, so a forged
 * {@code InetAddress.getByAddress("api.example.com", otherIp)} gets no grant of that name.
 *
 * <p>An interface of one method so that the broker's table of resolutions can be passed as a
 * method reference; until the broker resolves names for the helper, {@link #NONE} is used and only
 * grants of address literals (and {@code localhost}, which the policy maps to 127.0.0.1 itself)
 * allow a connect.
 */
@FunctionalInterface
interface AddressNames {
    /** No names for any address. */
    AddressNames NONE = address -> Set.of();

    /** The names the broker resolved to {@code address} for this helper; empty when none. */
    Set<String> namesOf(InetAddress address);
}
