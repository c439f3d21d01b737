package dev.airlock.broker;

import java.util.ArrayList;
import java.util.List;

/**
 * The java launcher's two argument syntaxes, as its {@code libjli} reads them before the JVM
 * starts: an {@code @argfile}'s content (whitespace-separated, {@code '} and {@code "} quotes that
 * end at a line end, backslash escapes inside quotes, a backslash before a line end joining lines,
 * {@code #} comments to the line end) and the {@code JDK_JAVA_OPTIONS} variable (whitespace-separated,
 * quotes without escapes). The broker reads both so that the class path they name is the class path
 * the helper is given ({@link ClassPath}). Pure: text in, tokens out.
 */
final class ArgFileSyntax {
    private ArgFileSyntax() {}

    /** The tokens of an argfile's {@code content}, as the launcher splits them. */
    static List<String> argFileTokens(String content) {
        List<String> tokens = new ArrayList<>();
        StringBuilder parts = new StringBuilder(); // what earlier quotes and escapes completed
        StringBuilder segment = new StringBuilder(); // the plain run since then
        State state = State.FIND_NEXT;
        char quote = '"';
        for (int i = 0; i < content.length(); i++) {
            char c = content.charAt(i);
            if (state == State.FIND_NEXT || state == State.SKIP_LEADING_SPACE) {
                if (isArgFileSpace(c)) {
                    continue;
                }
                state = state == State.FIND_NEXT ? State.IN_TOKEN : State.IN_QUOTE;
            } else if (state == State.IN_ESCAPE) {
                if (c == '\n' || c == '\r') {
                    state = State.SKIP_LEADING_SPACE; // a line continuation inside quotes
                } else {
                    parts.append(escaped(c));
                    state = State.IN_QUOTE;
                }
                continue;
            } else if (state == State.IN_COMMENT) {
                if (c == '\n' || c == '\r') {
                    state = State.FIND_NEXT;
                }
                continue;
            }
            switch (c) {
                case ' ':
                case '\t':
                case '\f':
                    if (state == State.IN_QUOTE) {
                        segment.append(c);
                        break;
                    }
                    tokens.add(parts.append(segment).toString());
                    parts.setLength(0);
                    segment.setLength(0);
                    state = State.FIND_NEXT;
                    break;
                case '\n':
                case '\r':
                    // a line end ends a token even inside quotes: quotes do not span lines
                    tokens.add(parts.append(segment).toString());
                    parts.setLength(0);
                    segment.setLength(0);
                    state = State.FIND_NEXT;
                    break;
                case '#':
                    if (state == State.IN_QUOTE) {
                        segment.append(c);
                        break;
                    }
                    // the launcher drops the plain run before a comment but keeps completed parts
                    segment.setLength(0);
                    state = State.IN_COMMENT;
                    break;
                case '\\':
                    if (state != State.IN_QUOTE) {
                        segment.append(c);
                        break;
                    }
                    parts.append(segment);
                    segment.setLength(0);
                    state = State.IN_ESCAPE;
                    break;
                case '\'':
                case '"':
                    if (state == State.IN_QUOTE && quote != c) {
                        segment.append(c);
                        break;
                    }
                    parts.append(segment);
                    segment.setLength(0);
                    if (state == State.IN_TOKEN) {
                        quote = c;
                        state = State.IN_QUOTE;
                    } else {
                        state = State.IN_TOKEN;
                    }
                    break;
                default:
                    segment.append(c);
            }
        }
        if (state == State.IN_TOKEN || state == State.IN_QUOTE) {
            parts.append(segment);
            if (parts.length() > 0) {
                tokens.add(parts.toString());
            }
        }
        return tokens;
    }

    /** The tokens of the {@code JDK_JAVA_OPTIONS} value, before the launcher expands the {@code @argfiles} among them. */
    static List<String> optionTokens(String value) {
        List<String> tokens = new ArrayList<>();
        int i = 0;
        while (i < value.length()) {
            while (i < value.length() && isCSpace(value.charAt(i))) {
                i++;
            }
            if (i == value.length()) {
                break;
            }
            StringBuilder token = new StringBuilder();
            while (i < value.length() && !isCSpace(value.charAt(i))) {
                char c = value.charAt(i++);
                if (c == '"' || c == '\'') {
                    int end = value.indexOf(c, i);
                    if (end < 0) {
                        // the launcher refuses to start ("Unmatched quote"); the rest counts as one token here
                        end = value.length();
                    }
                    token.append(value, i, end);
                    i = Math.min(end + 1, value.length());
                } else {
                    token.append(c);
                }
            }
            tokens.add(token.toString());
        }
        return tokens;
    }

    private static char escaped(char c) {
        switch (c) {
            case 'n':
                return '\n';
            case 'r':
                return '\r';
            case 't':
                return '\t';
            case 'f':
                return '\f';
            default:
                return c;
        }
    }

    private static boolean isArgFileSpace(char c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f';
    }

    /** C's {@code isspace} in the C locale. */
    private static boolean isCSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }

    private enum State {
        FIND_NEXT,
        IN_COMMENT,
        IN_QUOTE,
        IN_ESCAPE,
        SKIP_LEADING_SPACE,
        IN_TOKEN
    }
}
