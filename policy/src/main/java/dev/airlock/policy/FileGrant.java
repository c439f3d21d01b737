package dev.airlock.policy;

/**
 * One compiled file grant as the broker's launcher needs to see it: what it names, of which kind,
 * with the union of the actions the policy grants on it. Decisions never use this (they go through
 * {@link Policy#decideFile}); it is for the few places that must turn a grant into something else,
 * such as a Landlock rule for a file system the broker does not serve.
 */
public final class FileGrant {

    /** What a grant's path names. */
    public enum Kind {
        /** The path itself, a plain file or directory name ({@code /a/b}). */
        FILE,
        /** The entries of the directory, not the directory ({@code /a/*}). */
        ENTRIES,
        /** Everything beneath the directory, not the directory ({@code /a/-}). */
        TREE,
        /** {@code <<ALL FILES>>} (or AllPermission): every path; {@link #path()} is {@code /}. */
        ALL_FILES
    }

    private final Kind kind;
    private final String path;
    private final int actions;

    FileGrant(Kind kind, String path, int actions) {
        this.kind = kind;
        this.path = path;
        this.actions = actions;
    }

    public Kind kind() {
        return kind;
    }

    /** The absolute, normalized path: the file, or the directory whose entries or tree are granted. */
    public String path() {
        return path;
    }

    /** The {@link FileActions} bits granted. */
    public int actions() {
        return actions;
    }

    @Override
    public String toString() {
        return kind + " " + path + " " + FileActions.toString(actions);
    }
}
