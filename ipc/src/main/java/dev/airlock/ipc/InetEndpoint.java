package dev.airlock.ipc;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Objects;

/**
 * An IPv4 or IPv6 address and a TCP port, as a CONNECT or BIND request carries it: the raw address
 * (4 or 16 bytes), the port (0..65535) and, for IPv6, the scope id of a link-local address (0 for
 * none). The helper's {@code InetSocketAddress} without a host name: the broker decides and acts on
 * the address itself, never on a name the helper says it has (a name's grants cover only what the
 * broker resolved for it).
 *
 * <p>A class, not a record: a record's array component would be compared by identity and handed
 * out as is. Immutable: the address is copied in and out. Every instance obeys the rules the
 * decoder checks ({@link Message#checkEndpoint}), so a request made of one always encodes.
 *
 * <p>On the wire ({@link #WIRE_SIZE} bytes, fixed): the family byte (4 or 6), 16 address bytes (an
 * IPv4 address in the first four, the rest zero), the port as u16 and the scope id as s32 (0 for
 * IPv4).
 */
public final class InetEndpoint {
    /** Family byte, address, port, scope id. */
    public static final int WIRE_SIZE = 1 + 16 + 2 + 4;

    private final byte[] address;
    private final int port;
    private final int scopeId;

    private InetEndpoint(byte[] address, int port, int scopeId) {
        this.address = address;
        this.port = port;
        this.scopeId = scopeId;
    }

    /**
     * An endpoint of a copy of {@code address}.
     *
     * @throws IllegalArgumentException if the address is not 4 or 16 bytes, the port is outside
     *     0..65535, or the scope id is negative or given for IPv4
     */
    public static InetEndpoint of(byte[] address, int port, int scopeId) {
        byte[] copy = Objects.requireNonNull(address, "address").clone();
        String problem = Message.checkEndpoint(copy.length, port, scopeId);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return new InetEndpoint(copy, port, scopeId);
    }

    /** The endpoint of {@code address} (its bytes and, for IPv6, its scope id) and {@code port}. */
    public static InetEndpoint of(InetAddress address, int port) {
        int scope = address instanceof Inet6Address v6 ? v6.getScopeId() : 0;
        return of(address.getAddress(), port, scope);
    }

    /** For the decoder, which has checked the parts and owns {@code address}. */
    static InetEndpoint trusted(byte[] address, int port, int scopeId) {
        return new InetEndpoint(address, port, scopeId);
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

    public int port() {
        return port;
    }

    /** The IPv6 scope id (an interface index), 0 for none and always for IPv4. */
    public int scopeId() {
        return scopeId;
    }

    /** The address as the JDK's {@code InetAddress}, without a host name and without any lookup. */
    public InetAddress inetAddress() {
        try {
            return address.length == 16 && scopeId != 0
                    ? Inet6Address.getByAddress(null, address.clone(), scopeId)
                    : InetAddress.getByAddress(address.clone());
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes always make an address", e);
        }
    }

    /**
     * The address as text, an IPv6 one in brackets in the JDK's own form ({@code 127.0.0.1},
     * {@code [0:0:0:0:0:0:0:1]}, {@code [fe80:0:0:0:0:0:0:1%2]}), the way a {@code SocketPermission} names it.
     */
    public String host() {
        String text = inetAddress().getHostAddress();
        return isV6() ? "[" + text + "]" : text;
    }

    /** {@code host:port}, as a denial names it. */
    @Override
    public String toString() {
        return host() + ":" + port;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InetEndpoint e
                && Arrays.equals(address, e.address)
                && port == e.port
                && scopeId == e.scopeId;
    }

    @Override
    public int hashCode() {
        return (Arrays.hashCode(address) * 31 + port) * 31 + scopeId;
    }
}
