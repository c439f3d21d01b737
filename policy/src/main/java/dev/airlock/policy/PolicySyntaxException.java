package dev.airlock.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A policy file that the java.policy grammar does not accept.
 *
 * <p>The message is always {@code FILE:LINE:COL: message}, where the message says what was
 * expected and what was found, for example
 * {@code app.policy:12:5: expected ';' after permission entry, found 'permission'}. That is the
 * form compilers and editors understand, and the form {@code airlock check} prints.
 *
 * <p>This is a checked exception of its own, deliberately not an {@link java.io.IOException}: a
 * policy that cannot be read (missing file, permission denied) and a policy that was read but is
 * wrong are different mistakes with different fixes, and a caller that catches
 * {@code IOException} for the first must not swallow the second by accident. Airlock refuses to
 * start on either.
 *
 * <p>A file can have several mistakes that do not stop the parser (an unknown permission class,
 * bad actions): then this exception is the first of them, and {@link #messages()} has every one,
 * so that {@code airlock run} refuses with the same lines {@code airlock check} prints.
 *
 * <p>Lines and columns count from 1. A column counts Unicode code points from the start of the
 * line, so a tab or a non-ASCII letter is one column.
 */
public final class PolicySyntaxException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String file;
    private final int line;
    private final int column;
    private final String bareMessage;
    private final List<String> messages = new ArrayList<>();

    /**
     * @param file the policy's display name, as the user typed it
     * @param line the line of the offending text, from 1
     * @param column the column of the offending text, from 1
     * @param bareMessage what was expected and what was found, without the position
     */
    PolicySyntaxException(String file, int line, int column, String bareMessage) {
        super(Objects.requireNonNull(file, "file") + ":" + line + ":" + column + ": "
                + Objects.requireNonNull(bareMessage, "bareMessage"));
        if (line < 1 || column < 1) {
            throw new IllegalArgumentException("line and column count from 1: " + line + ":" + column);
        }
        this.file = file;
        this.line = line;
        this.column = column;
        this.bareMessage = bareMessage;
        this.messages.add(getMessage());
    }

    /** The first of {@code errors} (not empty), carrying the messages of all of them. */
    static PolicySyntaxException of(List<PolicySyntaxException> errors) {
        PolicySyntaxException first = errors.get(0);
        PolicySyntaxException all = new PolicySyntaxException(first.file, first.line, first.column, first.bareMessage);
        for (int i = 1; i < errors.size(); i++) {
            all.messages.add(errors.get(i).getMessage());
        }
        return all;
    }

    /**
     * Every error of the file, each a {@code FILE:LINE:COL: message} line, this exception's own
     * {@link #getMessage()} first.
     */
    public List<String> messages() {
        return List.copyOf(messages);
    }

    /** The policy's display name, as given to the parser. */
    public String file() {
        return file;
    }

    /** The line of the offending text, counting from 1. */
    public int line() {
        return line;
    }

    /** The column of the offending text, counting code points from 1. */
    public int column() {
        return column;
    }

    /** The message without the {@code FILE:LINE:COL: } prefix. */
    public String bareMessage() {
        return bareMessage;
    }
}
