package dev.airlock.ipc;

/**
 * A descriptor of the helper's, named by its number in the helper's own descriptor table: the
 * socket a CONNECT, BIND or SEND_DATAGRAM acts on, the inotify instance a WATCH adds to. The
 * broker takes a copy of it with {@code pidfd_getfd(2)} through the pidfd it opened on the helper
 * when it spawned it, rather than receiving it with SCM_RIGHTS: then no request needs
 * {@code sendmsg(2)}, whose destination address seccomp cannot read, and the helper's filter
 * refuses that call outright (docs/ARCHITECTURE.md, "The network").
 *
 * <p>A number is no capability: the helper can name only its own descriptors, which it could
 * use itself, and the broker acts on what it takes only as the request's decision allows.
 *
 * @param number the descriptor's number in the helper, 0 or more
 */
public record HelperDescriptor(int number) {
    /** @throws IllegalArgumentException if {@code number} is negative */
    public HelperDescriptor {
        String problem = Message.checkDescriptorNumber(number);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    @Override
    public String toString() {
        return "fd " + number;
    }
}
