package dev.airlock.policy;

import java.util.Objects;

/**
 * A grant whose meaning a Landlock path-beneath rule can carry exactly, so that the confined
 * program uses it by itself, from Java and from native code alike, without asking the broker
 * ({@link Policy#kernelGrants}). A kernel rule belongs to an inode and grants everything beneath
 * it; a policy grant belongs to a name. The two agree only for the shapes and actions listed here,
 * and only while the inode stays at its name, which is what {@link Policy#kernelGrants} checks of
 * the policy; whether the file is there, reachable without links, and permitted to the helper's
 * user is for whoever makes the rule to check on disk.
 *
 * <ul>
 *   <li>{@link Kind#FILE}: a single file ({@code /a/b/f}), with {@link FileActions#READ} and
 *       {@link FileActions#EXECUTE} only: writing or removing it is not a kernel grant (see
 *       {@link Policy#kernelGrants}).
 *   <li>{@link Kind#TREE}: everything beneath a directory ({@code /a/b/-}), with any of
 *       {@link FileActions#READ}, {@link FileActions#WRITE}, {@link FileActions#DELETE} and
 *       {@link FileActions#EXECUTE}; {@link #listable()} says whether the policy also lets the
 *       program read the directory itself, without which a kernel rule may not let it list
 *       directories (the rule would list the directory itself too).
 * </ul>
 */
public final class KernelGrant {

    /** What the rule is attached to. */
    public enum Kind {
        /** The file itself, and nothing else. */
        FILE,
        /** The directory and everything beneath it; the policy grants only what is beneath. */
        TREE
    }

    private final Kind kind;
    private final String path;
    private final int actions;
    private final boolean listable;

    KernelGrant(Kind kind, String path, int actions, boolean listable) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.path = Objects.requireNonNull(path, "path");
        this.actions = actions;
        this.listable = listable;
    }

    public Kind kind() {
        return kind;
    }

    /** The absolute, normalized path: the file, or the directory whose tree is granted. */
    public String path() {
        return path;
    }

    /** The {@link FileActions} bits the kernel may grant here: never readlink (no kernel right), never empty. */
    public int actions() {
        return actions;
    }

    /**
     * For a tree with read: whether the policy lets the program read (list) the directory itself
     * too, so that a kernel rule may let it list directories; always false for a file.
     */
    public boolean listable() {
        return listable;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KernelGrant g
                && g.kind == kind
                && g.path.equals(path)
                && g.actions == actions
                && g.listable == listable;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, path, actions, listable);
    }

    @Override
    public String toString() {
        return kind + " " + path + " " + FileActions.toString(actions) + (listable ? " listable" : "");
    }
}
