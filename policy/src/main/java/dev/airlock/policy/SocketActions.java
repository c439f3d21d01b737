package dev.airlock.policy;

/**
 * The actions of a {@code java.net.SocketPermission}, as bits.
 *
 * <p>{@link #parse(String)} accepts what the JDK's {@code SocketPermission} accepts: the words
 * {@code connect}, {@code listen}, {@code accept} and {@code resolve} in any ASCII letter case,
 * comma-separated, with blanks around them. As in the JDK, every granted socket permission also
 * grants {@code resolve}, and a {@code resolve}-only request is decided without looking at ports.
 *
 * <p>Requests are named the way the JDK's {@code SecurityManager} named them: a connect to
 * {@code host:port}, an accept from {@code host:port}, and a listen on {@code localhost:port}
 * whatever address is bound (port 0 meaning an ephemeral port).
 */
public final class SocketActions {

    /** Connect to a host and port. */
    public static final int CONNECT = 1;
    /** Listen on a port (the JDK names the host {@code localhost} for every listen). */
    public static final int LISTEN = 2;
    /** Accept a connection from a host and port. */
    public static final int ACCEPT = 4;
    /** Resolve a host name; implied by every other socket action. */
    public static final int RESOLVE = 8;

    /** Every socket action. */
    public static final int ALL = CONNECT | LISTEN | ACCEPT | RESOLVE;

    private static final String[] WORDS = {"connect", "listen", "accept", "resolve"};
    private static final String[] CANONICAL = ActionLists.canonicalNames(WORDS);

    private SocketActions() {}

    /**
     * Parses a JDK socket action string such as {@code "connect,accept"}.
     *
     * @return the action bits, never 0 (as written: {@code resolve} is not added)
     * @throws NullPointerException if {@code actions} is null, as the JDK throws
     * @throws IllegalArgumentException if the JDK's {@code SocketPermission} would reject it
     */
    public static int parse(String actions) {
        if (actions == null) {
            throw new NullPointerException("action can't be null");
        }
        if (actions.isEmpty()) {
            throw new IllegalArgumentException("action can't be empty");
        }
        int mask = parseOrMinusOne(actions);
        if (mask <= 0) {
            throw new IllegalArgumentException("invalid permission: " + actions);
        }
        return mask;
    }

    /**
     * Formats action bits in the JDK's canonical order, {@code connect,listen,accept,resolve}.
     *
     * @throws IllegalArgumentException if {@code actions} has bits other than {@link #ALL}
     */
    public static String toString(int actions) {
        if ((actions & ~ALL) != 0) {
            throw new IllegalArgumentException("not socket actions: " + actions);
        }
        return CANONICAL[actions];
    }

    /** The bits, or -1 when malformed; 0 only for an empty string. */
    static int parseOrMinusOne(CharSequence s) {
        return ActionLists.parse(s, 0, s.length(), WORDS);
    }
}
