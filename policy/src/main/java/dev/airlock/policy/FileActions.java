package dev.airlock.policy;

/**
 * The actions of a {@code java.io.FilePermission}, as bits, so that a decision needs no strings.
 *
 * <p>{@link #parse(String)} accepts exactly the action strings the JDK's {@code FilePermission}
 * constructor accepts: the words {@code read}, {@code write}, {@code execute}, {@code delete} and
 * {@code readlink} in any ASCII letter case, separated by commas, with spaces, tabs, CR, LF or
 * form feeds around them. Anything else, including an empty string, a leading, trailing or doubled
 * comma, is an {@link IllegalArgumentException}, as in the JDK.
 */
public final class FileActions {

    /** Read a file or list a directory. */
    public static final int READ = 1;
    /** Create, write or truncate. */
    public static final int WRITE = 2;
    /** Execute. */
    public static final int EXECUTE = 4;
    /** Delete. */
    public static final int DELETE = 8;
    /** Read a symbolic link's target. */
    public static final int READLINK = 16;

    /** Every file action. */
    public static final int ALL = READ | WRITE | EXECUTE | DELETE | READLINK;

    private static final String[] WORDS = {"read", "write", "execute", "delete", "readlink"};
    private static final String[] CANONICAL = ActionLists.canonicalNames(WORDS);

    private FileActions() {}

    /**
     * Parses a JDK file action string such as {@code "read,write"}.
     *
     * @return the action bits, never 0
     * @throws IllegalArgumentException if the JDK's {@code FilePermission} would reject the string
     *     (including {@code null} and the empty string, which it rejects as "invalid actions mask")
     */
    public static int parse(String actions) {
        int mask = parseOrMinusOne(actions);
        if (mask < 0) {
            throw new IllegalArgumentException("invalid permission: " + actions);
        }
        if (mask == 0) {
            throw new IllegalArgumentException("invalid actions mask");
        }
        return mask;
    }

    /**
     * Formats action bits in the JDK's canonical order, {@code read,write,execute,delete,readlink}.
     *
     * @throws IllegalArgumentException if {@code actions} has bits other than {@link #ALL}
     */
    public static String toString(int actions) {
        if ((actions & ~ALL) != 0) {
            throw new IllegalArgumentException("not file actions: " + actions);
        }
        return CANONICAL[actions];
    }

    /** The action list's bits; 0 for null or empty (the JDK's NONE); -1 when malformed. */
    static int parseOrMinusOne(CharSequence s) {
        if (s == null) {
            return 0;
        }
        return ActionLists.parse(s, 0, s.length(), WORDS);
    }
}
