package dev.airlock.ipc;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Objects;

/**
 * An IPv4 or IPv6 address without a port, as name resolution carries it: what a RESOLVE's
 * {@link Reply.Addresses} lists and what a REVERSE_RESOLVE asks about. The raw address (4 or 16
 * bytes) and, for IPv6, the scope id of a link-local address (0 for none).
 *
 * <p>A class, not a record: a record's array component would be compared by identity and handed
 * out as is. Immutable: the address is copied in and out. Every instance obeys the rules the
 * decoder checks ({@link Message#checkAddress}), so a message made of one always encodes.
 *
 * <p>On the wire ({@link #WIRE_SIZE} bytes, fixed): the family byte (4 or 6), 16 address bytes (an
 * IPv4 address in the first four, the rest zero) and the scope id as s32 (0 for IPv4); the layout
 * of an {@link InetEndpoint} without its port.
 */
public final class HostAddress {
    /** Family byte, address, scope id. */
    public static final int WIRE_SIZE = 1 + 16 + 4;

    private final byte[] address;
    private final int scopeId;

    private HostAddress(byte[] address, int scopeId) {
        this.address = address;
        this.scopeId = scopeId;
    }

    /**
     * An address of a copy of {@code address}.
     *
     * @throws IllegalArgumentException if it is not 4 or 16 bytes, or the scope id is negative or
     *     given for IPv4
     */
    public static HostAddress of(byte[] address, int scopeId) {
        byte[] copy = Objects.requireNonNull(address, "address").clone();
        String problem = Message.checkAddress(copy.length, scopeId);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return new HostAddress(copy, scopeId);
    }

    /** The bytes and, for IPv6, the scope id of {@code address}; its host name is not carried. */
    public static HostAddress of(InetAddress address) {
        int scope = address instanceof Inet6Address v6 ? v6.getScopeId() : 0;
        return of(address.getAddress(), scope);
    }

    /** For the decoder, which has checked the parts and owns {@code address}. */
    static HostAddress trusted(byte[] address, int scopeId) {
        return new HostAddress(address, scopeId);
    }

    /** The address bytes, 4 or 16: a fresh copy on every call. */
    public byte[] address() {
        return address.clone();
    }

    /** The codec's view of the address, without the copy; callers in this package must not modify it. */
    byte[] wire() {
        return address;
    }

    /** Whether the address is IPv6 (16 bytes). */
    public boolean isV6() {
        return address.length == 16;
    }

    /** The IPv6 scope id (an interface index), 0 for none and always for IPv4. */
    public int scopeId() {
        return scopeId;
    }

    /**
     * The address as the JDK's {@code InetAddress} carrying {@code host} as its name (null for
     * none), without any lookup: what a resolver hands the JDK for a name it resolved.
     */
    public InetAddress inetAddress(String host) {
        try {
            return address.length == 16 && scopeId != 0
                    ? Inet6Address.getByAddress(host, address.clone(), scopeId)
                    : InetAddress.getByAddress(host, address.clone());
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes always make an address", e);
        }
    }

    /** The address as the JDK writes it ({@code 127.0.0.1}, {@code 0:0:0:0:0:0:0:1}, {@code fe80:0:0:0:0:0:0:1%2}). */
    @Override
    public String toString() {
        return inetAddress(null).getHostAddress();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostAddress a && Arrays.equals(address, a.address) && scopeId == a.scopeId;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(address) * 31 + scopeId;
    }
}
