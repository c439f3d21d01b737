package dev.airlock.policy;

import java.util.Objects;

/**
 * Something in a valid policy that does not do what its author probably expects under Airlock:
 * a permission type Airlock does not enforce, a grant restricted to a codeBase, signer or
 * principal (which the broker cannot attribute a request to), an entry the JDK itself ignores.
 *
 * <p>Warnings never stop Airlock; they are printed by {@code airlock check} and when a policy is
 * loaded, so that a grant that silently grants nothing does not go unnoticed. {@link #toString()}
 * is {@code FILE:LINE:COL: warning: message}.
 */
public final class PolicyWarning {

    private final String file;
    private final int line;
    private final int column;
    private final String message;

    PolicyWarning(String file, int line, int column, String message) {
        this.file = Objects.requireNonNull(file);
        this.line = line;
        this.column = column;
        this.message = Objects.requireNonNull(message);
    }

    /** The policy's display name. */
    public String file() {
        return file;
    }

    /** The line the warning is about, counting from 1. */
    public int line() {
        return line;
    }

    /** The column the warning is about, counting code points from 1. */
    public int column() {
        return column;
    }

    /** The warning without its position. */
    public String message() {
        return message;
    }

    @Override
    public String toString() {
        return file + ":" + line + ":" + column + ": warning: " + message;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PolicyWarning w
                && w.line == line
                && w.column == column
                && w.file.equals(file)
                && w.message.equals(message);
    }

    @Override
    public int hashCode() {
        return Objects.hash(file, line, column, message);
    }
}
